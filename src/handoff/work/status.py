"""The task status machine: which moves exist, and which side may make each.

Pure: no database. ``services.move_task`` asks ``check_move`` before it changes a row, so pages,
the API, the portal and jobs all refuse the same moves with the same message.
"""

from handoff.work.choices import Side, TaskStatus

S = TaskStatus

# from status -> {to status: the sides that may make the move}
MOVES: dict[str, dict[str, frozenset[str]]] = {
    S.REQUESTED: {
        S.ACKNOWLEDGED: frozenset({Side.PROVIDER, Side.US}),
        S.CANCELLED: frozenset({Side.US}),
    },
    S.ACKNOWLEDGED: {
        S.IN_PROGRESS: frozenset({Side.PROVIDER, Side.US}),
        S.CANCELLED: frozenset({Side.US}),
    },
    S.IN_PROGRESS: {
        S.DELIVERED: frozenset({Side.PROVIDER, Side.US}),
        S.CANCELLED: frozenset({Side.US}),
    },
    S.DELIVERED: {
        S.ACCEPTED: frozenset({Side.US}),
        S.RETURNED: frozenset({Side.US}),
    },
    S.RETURNED: {
        S.IN_PROGRESS: frozenset({Side.PROVIDER, Side.US}),
        S.CANCELLED: frozenset({Side.US}),
    },
    S.ACCEPTED: {},
    S.CANCELLED: {},
}

# The button for each move, as the person making it reads it.
VERBS = {
    S.ACKNOWLEDGED: "Acknowledge",
    S.IN_PROGRESS: "Start work",
    S.DELIVERED: "Deliver",
    S.ACCEPTED: "Accept",
    S.RETURNED: "Return for rework",
    S.CANCELLED: "Cancel",
}

# The sets of statuses, defined once: every list, count, filter, sweep and figure reads these.
WITH_PROVIDER = (S.REQUESTED, S.ACKNOWLEDGED, S.IN_PROGRESS, S.RETURNED)
"""The provider's turn: the work is still with them, so it can be due soon or overdue. A tuple,
so that ``status__in=WITH_PROVIDER`` is always the same SQL, the very condition of the
``task_open_due`` partial index (SQLite uses a partial index only for a query that repeats its
terms)."""

WAITING_FOR_US = (S.DELIVERED,)
"""Our turn: delivered, waiting for our review (accept, or return for rework)."""

OPEN = WITH_PROVIDER + WAITING_FOR_US
"""Not closed: with the provider or waiting for us (the "All open" tab, "My tasks", the
``task_open_ours`` partial index). A tuple in a fixed order, like ``WITH_PROVIDER``."""

CLOSED = (S.ACCEPTED, S.CANCELLED)
"""Finished: accepted or cancelled; nothing moves any more."""

# Which side's turn it is in each status (None once closed).
TURN = {
    **dict.fromkeys(WITH_PROVIDER, Side.PROVIDER),
    **dict.fromkeys(WAITING_FOR_US, Side.US),
    **dict.fromkeys(CLOSED, None),
}

PROVIDER_STEPS = frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.DELIVERED})
"""The moves that are the provider's own work (Acknowledge, Start work, Deliver): our side makes
them only on the provider's behalf, with the reason kept."""


class IllegalMove(ValueError):
    """A move the machine does not allow; the message says why in plain words."""


def allowed_moves(status: str, side: str) -> list[str]:
    """The statuses ``side`` may move a task in ``status`` to, in the machine's order."""
    return [to for to, sides in MOVES[status].items() if side in sides]


def check_move(status: str, to: str, side: str) -> None:
    """Refuse a move that does not exist, or that this side may not make."""
    current, target = TaskStatus(status), TaskStatus(to)
    if target not in MOVES[current]:
        if not MOVES[current]:
            raise IllegalMove(f"The task is {current.label.lower()}; it cannot change any more.")
        options = ", ".join(TaskStatus(s).label.lower() for s in MOVES[current])
        raise IllegalMove(
            f"A {current.label.lower()} task cannot become {target.label.lower()}; "
            f"it can become: {options}."
        )
    if side not in MOVES[current][target]:
        raise IllegalMove(
            f"Only the business that sent the task can mark it {target.label.lower()}."
        )


def replay(moves: list[tuple[str, str]]) -> str:
    """The status a history of (from, to) moves leads to, starting from requested; raises
    ``IllegalMove`` if the history does not hold together."""
    status = S.REQUESTED
    for before, after in moves:
        if before != status or after not in MOVES[status]:
            raise IllegalMove(f"History breaks at {before} -> {after} (task was {status}).")
        status = after
    return status
