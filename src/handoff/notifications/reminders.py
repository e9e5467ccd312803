"""When a dated reminder goes out: a first one about a month ahead, a last one a week ahead.

Pure: days in, a stage out. Sweeps put the stage in the idempotency key, so each reminder of
each date goes once however often they run, and a date first seen a few days ahead gets only
the last reminder.
"""

FIRST_REMINDER_DAYS = 30
LAST_REMINDER_DAYS = 7

FIRST = "first"
LAST = "last"


def stage(days_left: int) -> str | None:
    """Which reminder is due ``days_left`` days before a date (0 = the day itself)."""
    if days_left < 0:
        return None
    if days_left <= LAST_REMINDER_DAYS:
        return LAST
    if days_left <= FIRST_REMINDER_DAYS:
        return FIRST
    return None


def key(prefix: str, day, reminder_stage: str) -> str:
    """``engagement:7:notice:2027-01-31`` for the first reminder, ``…:last`` for the last."""
    return f"{prefix}:{day.isoformat()}" + ("" if reminder_stage == FIRST else f":{reminder_stage}")


def days_phrase(days_left: int) -> str:
    if days_left == 0:
        return "today"
    if days_left == 1:
        return "tomorrow"
    return f"in {days_left} days"
