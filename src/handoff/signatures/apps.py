from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "handoff.signatures"
    label = "signatures"
    verbose_name = "Signatures"

    def ready(self):
        # The reminder sweep, run by the notifications worker's sweeps.
        from handoff.signatures import jobs  # noqa: F401
