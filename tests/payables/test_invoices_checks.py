"""The pure checks of an invoice against its engagement's terms (payables/checks.py), table by
table: what is refused (and on which field), what is flagged (and by how much)."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handoff.decisions.costing import Tier
from handoff.payables.checks import (
    Billed,
    Code,
    Line,
    Terms,
    cents,
    check_invoice,
    whole_periods,
)

HOURLY = Terms("hourly", D("90.00"), start=date(2026, 1, 1), end=date(2026, 12, 31))
FLAT = Terms("flat", D("1250.00"), billing_period="month", start=date(2026, 1, 1))
QUARTERLY = Terms("flat", D("3000.00"), billing_period="quarter", start=date(2026, 1, 1))
PER_UNIT = Terms(
    "per_unit",
    D("2.00"),
    tiers=(Tier(D("100"), D("1.50")), Tier(D("500"), D("1.00"))),
    unit_name="claim",
    start=date(2026, 1, 1),
)
JAN = (date(2026, 1, 1), date(2026, 1, 31))


def hours(quantity, rate, amount=None):
    amount = D(amount) if amount is not None else D(quantity) * D(rate)
    return Line("hours", D(quantity), D(rate), amount)


def fee(amount, quantity="1"):
    return Line("fee", D(quantity), D(amount), D(amount) * D(quantity))


def units(quantity, price, amount):
    return Line("units", D(quantity), D(price), D(amount))


def expense(amount):
    return Line("expense", D(1), D(amount), D(amount))


def run(terms, lines, total=None, period=JAN, billed=()):
    total = sum((line.amount for line in lines), D(0)) if total is None else D(total)
    return check_invoice(
        terms, period_start=period[0], period_end=period[1], lines=lines, total=total, billed=billed
    )


def codes(findings):
    return [(f.code, f.field, f.difference) for f in findings]


# --- Refusals --------------------------------------------------------------------------------
REFUSED = [
    # (why, terms, lines, total, period, expected (code, field))
    (
        "ended",
        Terms("hourly", D(90), status="ended"),
        [hours(1, 90)],
        None,
        JAN,
        (Code.ENGAGEMENT_NOT_ACTIVE, "engagement"),
    ),
    (
        "paused",
        Terms("hourly", D(90), status="paused"),
        [hours(1, 90)],
        None,
        JAN,
        (Code.ENGAGEMENT_NOT_ACTIVE, "engagement"),
    ),
    (
        "draft",
        Terms("hourly", D(90), status="draft"),
        [hours(1, 90)],
        None,
        JAN,
        (Code.ENGAGEMENT_NOT_ACTIVE, "engagement"),
    ),
    (
        "period reversed",
        HOURLY,
        [hours(1, 90)],
        None,
        (date(2026, 2, 1), date(2026, 1, 1)),
        (Code.PERIOD_REVERSED, "period_end"),
    ),
    (
        "no period start",
        HOURLY,
        [hours(1, 90)],
        None,
        (None, date(2026, 1, 31)),
        (
            Code.PERIOD_MISSING,
            "period_start",
        ),
    ),
    ("no lines", HOURLY, [], "10", JAN, (Code.NO_LINES, "lines")),
    (
        "line arithmetic off by a cent",
        HOURLY,
        [hours(1, 90), hours("2.5", 90, "225.01")],
        None,
        JAN,
        (Code.LINE_ARITHMETIC, "lines[1].amount"),
    ),
    (
        "expense not allowed",
        HOURLY,
        [hours(1, 90), expense(40)],
        None,
        JAN,
        (Code.EXPENSE_NOT_ALLOWED, "lines[1].kind"),
    ),
    ("total not the sum", HOURLY, [hours(1, 90)], "95.00", JAN, (Code.TOTAL_MISMATCH, "amount")),
    (
        "zero quantity",
        HOURLY,
        [hours(0, 90)],
        "0.01",
        JAN,
        (Code.LINE_INVALID, "lines[0].quantity"),
    ),
    (
        "negative price",
        HOURLY,
        [Line("hours", D(1), D(-5), D(-5))],
        None,
        JAN,
        (Code.LINE_INVALID, "lines[0].unit_price"),
    ),
    (
        "unknown kind",
        HOURLY,
        [Line("bonus", D(1), D(5), D(5))],
        "5",
        JAN,
        (Code.LINE_INVALID, "lines[0].kind"),
    ),
]


@pytest.mark.parametrize(
    ("why", "terms", "lines", "total", "period", "expected"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_it_refuses(why, terms, lines, total, period, expected):
    outcome = run(terms, lines, total, period)
    assert not outcome.accepted
    assert expected in [(f.code, f.field) for f in outcome.refusals], outcome.refusals
    assert outcome.flags == []  # nothing is flagged on an invoice that is refused


def test_the_reason_says_why_the_engagement_takes_no_invoice():
    outcome = run(Terms("flat", D(10), status="paused"), [fee(10)])
    assert "is paused" in outcome.refusals[0].message
    outcome = run(Terms("flat", D(10), status="ended"), [fee(10)])
    assert "has ended" in outcome.refusals[0].message


def test_a_wrong_line_amount_names_the_difference_to_the_cent():
    outcome = run(HOURLY, [hours("2.5", 90, "225.01")])
    (finding,) = outcome.refusals
    assert finding.difference == D("0.01")
    assert "2.5 × $90.00 is $225.00, not $225.01" in finding.message


def test_the_total_names_the_difference():
    outcome = run(HOURLY, [hours(1, 90)], "100.00")
    assert outcome.refusals[0].difference == D("10.00")


def test_an_expense_is_fine_where_expenses_are_allowed():
    terms = Terms("hourly", D(90), expenses_allowed=True, start=date(2026, 1, 1))
    outcome = run(terms, [hours(1, 90), expense("40.00")])
    assert outcome.accepted and outcome.flags == []


def test_without_an_engagement_only_the_arithmetic_is_checked():
    outcome = check_invoice(
        None, period_start=None, period_end=None, lines=[fee(10), expense(5)], total=D(15)
    )
    assert outcome.accepted and outcome.flags == []


# --- Flags -----------------------------------------------------------------------------------
FLAGGED = [
    # (why, terms, lines, period, billed, expected [(code, field, difference)])
    ("hourly at the rate", HOURLY, [hours(10, 90)], JAN, (), []),
    (
        "hourly at another rate",
        HOURLY,
        [hours(10, 95)],
        JAN,
        (),
        [(Code.RATE_DIFFERS, "lines[0].unit_price", D("50.00"))],
    ),
    (
        "hourly below the rate",
        HOURLY,
        [hours(1, 90), hours(4, "80.00")],
        JAN,
        (),
        [(Code.RATE_DIFFERS, "lines[1].unit_price", D("-40.00"))],
    ),
    (
        "a fee on hourly terms",
        HOURLY,
        [hours(1, 90), fee(100)],
        JAN,
        (),
        [(Code.KIND_NOT_IN_TERMS, "lines[1].kind", D("100"))],
    ),
    ("flat: one month, one fee", FLAT, [fee("1250.00")], JAN, (), []),
    (
        "flat: two months, two fees",
        FLAT,
        [fee("1250.00", 2)],
        (date(2026, 1, 1), date(2026, 2, 28)),
        (),
        [],
    ),
    (
        "flat: another fee",
        FLAT,
        [fee("1300.00")],
        JAN,
        (),
        [(Code.FEE_DIFFERS, "lines[0].unit_price", D("50.00"))],
    ),
    (
        "flat: a half month",
        FLAT,
        [fee("1250.00")],
        (date(2026, 1, 1), date(2026, 1, 15)),
        (),
        [(Code.PERIOD_LENGTH, "period_end", None)],
    ),
    (
        "flat: two fees for one month",
        FLAT,
        [fee("1250.00"), fee("1250.00")],
        JAN,
        (),
        [(Code.FEE_COUNT_DIFFERS, "lines", D("1250.00"))],
    ),
    (
        "flat quarterly: a quarter",
        QUARTERLY,
        [fee("3000.00")],
        (date(2026, 1, 1), date(2026, 3, 31)),
        (),
        [],
    ),
    (
        "flat quarterly: a month",
        QUARTERLY,
        [fee("3000.00")],
        JAN,
        (),
        [(Code.PERIOD_LENGTH, "period_end", None)],
    ),
    # 100 at 2.00 + 400 at 1.50 + 100 at 1.00 = 200 + 600 + 100 = 900
    ("per unit: tiers applied", PER_UNIT, [units(600, "1.50", "900.00")], JAN, (), []),
    (
        "per unit: tiers split over lines",
        PER_UNIT,
        [units(300, "2.00", "600.00"), units(300, "1.00", "300.00")],
        JAN,
        (),
        [],
    ),
    (
        "per unit: base price for all",
        PER_UNIT,
        [units(600, "2.00", "1200.00")],
        JAN,
        (),
        [(Code.TIERS_DIFFER, "lines", D("300.00"))],
    ),
    (
        "outside the engagement's dates",
        HOURLY,
        [hours(1, 90)],
        (date(2025, 12, 1), date(2025, 12, 31)),
        (),
        [(Code.OUTSIDE_TERM, "period_start", None)],
    ),
    (
        "already billed",
        HOURLY,
        [hours(1, 90)],
        JAN,
        (Billed("A-1", date(2026, 1, 15), date(2026, 2, 14)),),
        [(Code.ALREADY_BILLED, "period_start", None)],
    ),
    (
        "the next period is not billed",
        HOURLY,
        [hours(1, 90)],
        JAN,
        (Billed("A-0", date(2025, 12, 1), date(2025, 12, 31)),),
        [],
    ),
    (
        "an expense is not a term's line",
        Terms("flat", D(10), expenses_allowed=True),
        [
            fee(10),
            expense(3),
        ],
        JAN,
        (),
        [],
    ),
]


@pytest.mark.parametrize(
    ("why", "terms", "lines", "period", "billed", "expected"), FLAGGED, ids=[r[0] for r in FLAGGED]
)
def test_it_flags(why, terms, lines, period, billed, expected):
    outcome = run(terms, lines, period=period, billed=billed)
    assert outcome.accepted, outcome.refusals
    assert codes(outcome.flags) == expected


def test_a_flag_keeps_code_message_and_difference_as_json():
    (flag,) = run(HOURLY, [hours(10, 95)]).flags
    assert flag.as_json() == {
        "code": "rate_differs",
        "message": "Line 1 bills 10 hours at $95.00 an hour; the engagement's rate is $90.00 "
        "(+$50.00).",
        "difference": "50.00",
    }


def test_already_billed_names_the_earlier_invoice():
    (flag,) = run(
        HOURLY, [hours(1, 90)], billed=(Billed("A-1", date(2026, 1, 31), date(2026, 1, 31)),)
    ).flags
    assert "invoice A-1" in flag.message


@pytest.mark.parametrize(
    ("start", "end", "period", "count"),
    [
        (date(2026, 1, 1), date(2026, 1, 31), "month", 1),
        (date(2026, 1, 1), date(2026, 3, 31), "month", 3),
        (date(2026, 1, 1), date(2026, 3, 31), "quarter", 1),
        (date(2026, 1, 1), date(2026, 12, 31), "year", 1),
        (date(2026, 1, 15), date(2026, 2, 14), "month", 1),
        (date(2026, 1, 1), date(2026, 1, 30), "month", None),
        (date(2026, 1, 1), date(2026, 2, 27), "quarter", None),
    ],
)
def test_whole_periods(start, end, period, count):
    assert whole_periods(start, end, period) == count


@given(
    quantity=st.decimals(min_value=D("0.01"), max_value=D("10000"), places=2),
    rate=st.decimals(min_value=D("0"), max_value=D("1000"), places=2),
)
def test_a_line_priced_at_the_rate_is_never_refused_nor_flagged(quantity, rate):
    terms = Terms("hourly", rate, start=date(2026, 1, 1))
    line = Line("hours", quantity, rate, cents(quantity * rate))  # half up, as on paper
    outcome = run(terms, [line])
    if line.amount > 0:
        assert outcome.accepted and outcome.flags == []
    else:
        assert [f.code for f in outcome.refusals] == [Code.LINE_INVALID]
