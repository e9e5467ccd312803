"""When recurring work falls due: the dates a schedule produces between two days.

Pure: no database. Rules are expanded with ``dateutil.rrule``; the last business day of a month
steps back over weekends and the organization's holidays.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from dateutil import rrule

from handoff.engagements.calendar import previous_business_day
from handoff.work.choices import WEEKDAYS, Recurrence


@dataclass(frozen=True)
class Rule:
    kind: str
    anchor: date
    """The first day the schedule counts from (its start)."""
    day_of_month: int | None = None
    weekdays: tuple[int, ...] = field(default_factory=tuple)
    """0 = Monday … 6 = Sunday."""
    interval_days: int | None = None


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def occurrences(rule: Rule, first: date, last: date, holidays: Collection[date] = ()) -> list[date]:
    """The due dates of ``rule`` from ``first`` to ``last``, both included, never before the
    anchor."""
    first = max(first, rule.anchor)
    if last < first:
        return []
    start, end = _midnight(rule.anchor), _midnight(last)
    if rule.kind == Recurrence.MONTHLY_DAY:
        # bymonthday -1 is the last day, so "day 31" means the month's last day in short months.
        day = rule.day_of_month
        days = (day,) if day < 29 else (day, -1)
        dates = rrule.rrule(rrule.MONTHLY, dtstart=start, until=end, bymonthday=days, bysetpos=1)
    elif rule.kind == Recurrence.MONTHLY_LAST_BUSINESS_DAY:
        dates = [
            _midnight(previous_business_day(d.date(), holidays))
            for d in rrule.rrule(rrule.MONTHLY, dtstart=start, until=end, bymonthday=-1)
        ]
    elif rule.kind == Recurrence.WEEKLY:
        dates = rrule.rrule(rrule.WEEKLY, dtstart=start, until=end, byweekday=rule.weekdays)
    elif rule.kind == Recurrence.EVERY_N_DAYS:
        dates = rrule.rrule(rrule.DAILY, dtstart=start, until=end, interval=rule.interval_days)
    else:
        raise ValueError(f"Unknown recurrence {rule.kind!r}.")
    return sorted({d.date() for d in dates if first <= d.date() <= last})


def describe(rule: Rule) -> str:
    """The schedule as a person would say it."""
    if rule.kind == Recurrence.MONTHLY_DAY:
        if rule.day_of_month >= 31:
            return "Monthly on the last day"
        return f"Monthly on day {rule.day_of_month}"
    if rule.kind == Recurrence.MONTHLY_LAST_BUSINESS_DAY:
        return "Monthly on the last business day"
    if rule.kind == Recurrence.WEEKLY:
        names = [WEEKDAYS[d] for d in sorted(rule.weekdays)]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"Every {joined}"
    if rule.interval_days == 1:
        return "Every day"
    return f"Every {rule.interval_days} days"
