"""When recurring work falls due: each rule, month ends, holidays."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handoff.work.choices import Recurrence
from handoff.work.recurrence import Rule, describe, occurrences

R = Recurrence


def test_monthly_on_a_day():
    rule = Rule(R.MONTHLY_DAY, date(2026, 1, 1), day_of_month=15)
    assert occurrences(rule, date(2026, 1, 1), date(2026, 3, 31)) == [
        date(2026, 1, 15),
        date(2026, 2, 15),
        date(2026, 3, 15),
    ]


def test_day_31_is_each_months_last_day():
    rule = Rule(R.MONTHLY_DAY, date(2026, 1, 1), day_of_month=31)
    assert occurrences(rule, date(2026, 1, 1), date(2026, 4, 30)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


def test_day_30_in_february_falls_on_its_last_day():
    rule = Rule(R.MONTHLY_DAY, date(2028, 1, 1), day_of_month=30)
    assert occurrences(rule, date(2028, 2, 1), date(2028, 3, 31)) == [
        date(2028, 2, 29),
        date(2028, 3, 30),
    ]


def test_last_business_day_steps_back_over_weekends_and_holidays():
    rule = Rule(R.MONTHLY_LAST_BUSINESS_DAY, date(2026, 1, 1))
    # May 31 2026 is a Sunday; Friday May 29 is a holiday here, so Thursday May 28.
    dates = occurrences(rule, date(2026, 5, 1), date(2026, 6, 30), holidays={date(2026, 5, 29)})
    assert dates == [date(2026, 5, 28), date(2026, 6, 30)]


def test_weekly_on_given_weekdays():
    rule = Rule(R.WEEKLY, date(2026, 3, 2), weekdays=(0, 3))
    assert occurrences(rule, date(2026, 3, 1), date(2026, 3, 12)) == [
        date(2026, 3, 2),
        date(2026, 3, 5),
        date(2026, 3, 9),
        date(2026, 3, 12),
    ]


def test_every_n_days_counts_from_the_start():
    rule = Rule(R.EVERY_N_DAYS, date(2026, 3, 1), interval_days=10)
    assert occurrences(rule, date(2026, 3, 5), date(2026, 4, 1)) == [
        date(2026, 3, 11),
        date(2026, 3, 21),
        date(2026, 3, 31),
    ]


def test_nothing_before_the_start():
    rule = Rule(R.MONTHLY_DAY, date(2026, 6, 20), day_of_month=15)
    assert occurrences(rule, date(2026, 1, 1), date(2026, 7, 31)) == [date(2026, 7, 15)]


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (Rule(R.MONTHLY_DAY, date(2026, 1, 1), day_of_month=31), "Monthly on the last day"),
        (Rule(R.WEEKLY, date(2026, 1, 1), weekdays=(4, 0)), "Every Monday and Friday"),
        (Rule(R.EVERY_N_DAYS, date(2026, 1, 1), interval_days=14), "Every 14 days"),
    ],
)
def test_describe(rule, text):
    assert describe(rule) == text


@given(
    day=st.integers(1, 31),
    start=st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    split=st.integers(0, 400),
)
def test_splitting_a_window_neither_loses_nor_repeats_a_date(day, start, split):
    """What generation relies on: two runs over adjoining windows equal one run over both."""
    from datetime import timedelta

    rule = Rule(R.MONTHLY_DAY, start, day_of_month=day)
    first, last = start, start + timedelta(days=400)
    middle = first + timedelta(days=split)
    whole = occurrences(rule, first, last)
    parts = occurrences(rule, first, middle) + occurrences(rule, middle + timedelta(days=1), last)
    assert parts == whole
