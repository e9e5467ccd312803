from datetime import date, datetime
from zoneinfo import ZoneInfo

from handoff.engagements.calendar import add_business_days, deadline, next_day_of_month

THANKSGIVING = date(2026, 11, 26)  # a Thursday
CHICAGO = ZoneInfo("America/Chicago")


def test_business_days_skip_weekends_and_holidays():
    # Wed Nov 25 + 2 business days: Thu is a holiday, so Fri 27 and Mon 30.
    assert add_business_days(date(2026, 11, 25), 2, {THANKSGIVING}) == date(2026, 11, 30)


def test_a_weekend_start_counts_from_monday():
    assert add_business_days(date(2026, 11, 28), 0, set()) == date(2026, 11, 30)
    assert add_business_days(date(2026, 11, 28), 1, set()) == date(2026, 12, 1)


def test_by_the_10th_moves_back_to_a_business_day():
    # Jan 10, 2027 is a Sunday: due Friday Jan 8.
    assert next_day_of_month(date(2026, 12, 20), 10, set()) == date(2027, 1, 8)


def test_by_the_10th_after_the_10th_is_next_month():
    assert next_day_of_month(date(2026, 11, 10), 10, set()) == date(2026, 12, 10)


def test_day_31_is_the_last_day_of_a_short_month():
    assert next_day_of_month(date(2027, 2, 1), 31, set()) == date(2027, 2, 26)  # 28th is Sunday


def test_hours_are_clock_hours():
    raised = datetime(2026, 11, 25, 15, 0, tzinfo=CHICAGO)
    assert deadline(raised, 4, "hours", CHICAGO, set()) == datetime(
        2026, 11, 25, 19, 0, tzinfo=CHICAGO
    )


def test_business_days_end_at_five_in_the_organizations_zone():
    raised = datetime(2026, 11, 25, 21, 0, tzinfo=ZoneInfo("UTC"))  # 3 pm in Chicago
    due = deadline(raised, 1, "business_days", CHICAGO, {THANKSGIVING})
    assert due == datetime(2026, 11, 27, 17, 0, tzinfo=CHICAGO)
