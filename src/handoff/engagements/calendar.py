"""Business days: due dates and response deadlines in the organization's time zone, skipping
weekends and the organization's holidays. Plain values in, plain values out; no database."""

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handoff.engagements.choices import TargetUnit

END_OF_BUSINESS_DAY = time(17, 0)


def is_business_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_business_days(start: date, days: int, holidays: Collection[date]) -> date:
    """The business day ``days`` business days after ``start`` (0: ``start`` itself if it is a
    business day, else the next one)."""
    day = start
    while not is_business_day(day, holidays):
        day += timedelta(days=1)
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            remaining -= 1
    return day


def previous_business_day(day: date, holidays: Collection[date]) -> date:
    """``day`` itself when it is a business day, else the closest business day before it."""
    while not is_business_day(day, holidays):
        day -= timedelta(days=1)
    return day


def next_day_of_month(after: date, day_of_month: int, holidays: Collection[date]) -> date:
    """The next 'by the Nth' deadline after ``after``; when the Nth is not a business day the
    work is due the business day before it. Day 31 means the month's last day."""
    year, month = after.year, after.month
    for _ in range(3):
        last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
        due = previous_business_day(date(year, month, min(day_of_month, last)), holidays)
        if due > after:
            return due
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("unreachable: a later month always has a deadline")


def deadline(
    start: datetime, amount: int, unit: str, tz: ZoneInfo, holidays: Collection[date]
) -> datetime:
    """When a target of ``amount`` ``unit`` starting at ``start`` (aware) runs out: clock hours
    for hours, the end of the business day (17:00 local) for business days."""
    if unit == TargetUnit.HOURS:
        return start + timedelta(hours=amount)
    local_day = start.astimezone(tz).date()
    due_day = add_business_days(local_day, amount, holidays)
    return datetime.combine(due_day, END_OF_BUSINESS_DAY, tzinfo=tz)
