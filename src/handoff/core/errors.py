class Conflict(Exception):
    """An edit based on an older version of a row than the one stored (API: 409)."""

    def __init__(self, current_version: int):
        self.current_version = current_version
        super().__init__(
            f"Someone changed this since you opened it (now at version {current_version}); "
            "reload and apply your change again."
        )
