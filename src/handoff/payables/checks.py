"""An invoice's lines against its engagement's terms. Plain values in, findings out; no
database (the services read the rows and pass them in).

Two kinds of finding:

- a **refusal** (:attr:`Outcome.refusals`): the invoice cannot be accepted as sent — the
  engagement is ended, paused or not yet agreed; the period ends before it starts; a line's
  amount is not its quantity × unit price to the cent; the total is not the sum of the lines;
  an expense line where the engagement allows none. Each names the field to fix
  (``lines[2].amount``: lines are counted from 0, as the API sends them).
- a **flag** (:attr:`Outcome.flags`): the invoice is accepted but the approver is told, with the
  difference in money where there is one — an hourly rate or a flat fee other than the terms',
  per-unit lines whose total is not the engagement's volume tiers applied to the units, a
  period that is not a whole number of billing periods, a line of a kind the terms do not
  price, a period outside the engagement's dates, a period already billed.

A difference is what the invoice bills minus what the terms give (positive: billed more).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from handoff.decisions.costing import Tier, tiered_cost
from handoff.engagements.choices import BillingPeriod, EngagementStatus, PricingModel
from handoff.payables.choices import LineKind

CENT = Decimal("0.01")
ZERO = Decimal(0)
MONTHS_IN_PERIOD = {BillingPeriod.MONTH: 1, BillingPeriod.QUARTER: 3, BillingPeriod.YEAR: 12}
# The kind of line each pricing model prices; expenses are allowed (or not) on their own.
PRICED_KIND = {
    PricingModel.HOURLY: LineKind.HOURS,
    PricingModel.PER_UNIT: LineKind.UNITS,
    PricingModel.FLAT: LineKind.FEE,
}


class Code:
    """The findings' codes, stored with each flag and sent by the API."""

    ENGAGEMENT_NOT_ACTIVE = "engagement_not_active"
    PERIOD_MISSING = "period_missing"
    PERIOD_REVERSED = "period_reversed"
    NO_LINES = "no_lines"
    LINE_INVALID = "line_invalid"
    LINE_ARITHMETIC = "line_arithmetic"
    EXPENSE_NOT_ALLOWED = "expense_not_allowed"
    TOTAL_MISMATCH = "total_mismatch"
    RATE_DIFFERS = "rate_differs"
    TIERS_DIFFER = "tiers_differ"
    FEE_DIFFERS = "fee_differs"
    FEE_COUNT_DIFFERS = "fee_count_differs"
    PERIOD_LENGTH = "period_length"
    KIND_NOT_IN_TERMS = "kind_not_in_terms"
    OUTSIDE_TERM = "outside_term"
    ALREADY_BILLED = "already_billed"


@dataclass(frozen=True)
class Terms:
    """The engagement's price terms and state, as the checks read them."""

    pricing_model: str
    amount: Decimal  # the flat fee, the hourly rate or the base unit price
    billing_period: str = BillingPeriod.MONTH
    tiers: Sequence[Tier] = ()
    expenses_allowed: bool = False
    start: date | None = None
    end: date | None = None
    status: str = EngagementStatus.ACTIVE
    unit_name: str = ""


@dataclass(frozen=True)
class Line:
    kind: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    description: str = ""


@dataclass(frozen=True)
class Billed:
    """An earlier invoice of the engagement that still bills its period."""

    number: str
    start: date
    end: date


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    field: str = ""
    difference: Decimal | None = None

    def as_json(self) -> dict:
        """What an invoice keeps in ``flags`` (the difference as a string of cents)."""
        return {
            "code": self.code,
            "message": self.message,
            "difference": None if self.difference is None else str(cents(self.difference)),
        }


@dataclass
class Outcome:
    refusals: list[Finding] = field(default_factory=list)
    flags: list[Finding] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.refusals

    def refusal_dict(self) -> dict[str, list[str]]:
        """The refusals by field, as a ``ValidationError`` takes them."""
        errors: dict[str, list[str]] = {}
        for finding in self.refusals:
            errors.setdefault(finding.field or "__all__", []).append(finding.message)
        return errors


def cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def dollars(value: Decimal) -> str:
    """$1,234.50, or -$12.00."""
    value = cents(value)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def signed(value: Decimal) -> str:
    """+$12.00 or -$12.00: a difference as the approver reads it."""
    return ("+" if value > 0 else "") + dollars(value)


def quantity_text(value: Decimal) -> str:
    """10, 2.5, 0.25: a quantity without trailing zeros."""
    text = f"{Decimal(value).normalize():f}"
    return text


def _day(value: date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


def whole_periods(start: date, end: date, billing_period: str) -> int | None:
    """How many whole billing periods ``start``..``end`` (both included) spans, or None when
    it is not a whole number of them (Jan 1–Mar 31 is 3 months, 1 quarter; Jan 5–Feb 20 is
    neither)."""
    months = MONTHS_IN_PERIOD[BillingPeriod(billing_period)]
    count = 1
    while True:
        last_day = start + relativedelta(months=months * count) - timedelta(days=1)
        if last_day == end:
            return count
        if last_day > end:
            return None
        count += 1


def check_invoice(
    terms: Terms | None,
    *,
    period_start: date | None,
    period_end: date | None,
    lines: Sequence[Line],
    total: Decimal,
    billed: Sequence[Billed] = (),
) -> Outcome:
    """Check an invoice's period and lines against ``terms`` (None: an invoice under no
    engagement, checked for its arithmetic only); ``billed`` are the engagement's earlier
    invoices that still bill their periods (not rejected, not superseded)."""
    outcome = Outcome()
    refuse, flag = outcome.refusals.append, outcome.flags.append

    if terms is not None and terms.status != EngagementStatus.ACTIVE:
        reason = {
            EngagementStatus.ENDED: "has ended",
            EngagementStatus.PAUSED: "is paused",
            EngagementStatus.DRAFT: "is a draft, not agreed yet",
        }.get(terms.status, f"is {terms.status}")
        refuse(
            Finding(
                Code.ENGAGEMENT_NOT_ACTIVE,
                f"The engagement {reason}: it takes no invoices. Ask the organization if "
                "work remains to be billed.",
                "engagement",
            )
        )

    if terms is not None and (period_start is None or period_end is None):
        for name, value in (("period_start", period_start), ("period_end", period_end)):
            if value is None:
                refuse(Finding(Code.PERIOD_MISSING, "Give the period the invoice covers.", name))
    if period_start and period_end and period_end < period_start:
        refuse(
            Finding(
                Code.PERIOD_REVERSED,
                f"The period ends ({_day(period_end)}) before it starts ({_day(period_start)}).",
                "period_end",
            )
        )

    if not lines:
        refuse(Finding(Code.NO_LINES, "Add at least one line.", "lines"))
    line_total = ZERO
    for index, line in enumerate(lines):
        name, number = f"lines[{index}]", index + 1
        if line.kind not in LineKind.values:
            refuse(
                Finding(
                    Code.LINE_INVALID,
                    f"Line {number}: the kind is one of " + ", ".join(LineKind.values) + ".",
                    f"{name}.kind",
                )
            )
            continue
        if line.quantity <= 0:
            refuse(
                Finding(
                    Code.LINE_INVALID,
                    f"Line {number}: the quantity is above zero.",
                    f"{name}.quantity",
                )
            )
        if line.unit_price < 0:
            refuse(
                Finding(
                    Code.LINE_INVALID,
                    f"Line {number}: the unit price is not negative.",
                    f"{name}.unit_price",
                )
            )
        expected = cents(line.quantity * line.unit_price)
        if line.amount != expected:
            refuse(
                Finding(
                    Code.LINE_ARITHMETIC,
                    f"Line {number}: {quantity_text(line.quantity)} × "
                    f"{dollars(line.unit_price)} is {dollars(expected)}, not "
                    f"{dollars(line.amount)}.",
                    f"{name}.amount",
                    line.amount - expected,
                )
            )
        if line.kind == LineKind.EXPENSE and terms is not None and not terms.expenses_allowed:
            refuse(
                Finding(
                    Code.EXPENSE_NOT_ALLOWED,
                    f"Line {number}: the engagement's terms allow no expenses; bill the work "
                    "only, or ask the organization to allow expenses first.",
                    f"{name}.kind",
                )
            )
        line_total += line.amount
    if lines and total != line_total:
        refuse(
            Finding(
                Code.TOTAL_MISMATCH,
                f"The total {dollars(total)} is not the sum of the lines, {dollars(line_total)}.",
                "amount",
                total - line_total,
            )
        )
    elif lines and total <= 0:
        refuse(Finding(Code.LINE_INVALID, "The invoice's total is above zero.", "amount"))

    if terms is None or outcome.refusals:
        return outcome

    for finding in _against_terms(terms, period_start, period_end, lines):
        flag(finding)
    for earlier in billed:
        if earlier.start <= period_end and period_start <= earlier.end:
            flag(
                Finding(
                    Code.ALREADY_BILLED,
                    f"Already billed: invoice {earlier.number} covers {_day(earlier.start)} "
                    f"to {_day(earlier.end)}, which overlaps this period.",
                    "period_start",
                )
            )
    return outcome


def _against_terms(terms: Terms, start: date, end: date, lines: Sequence[Line]) -> list[Finding]:
    findings = []
    model = PricingModel(terms.pricing_model)
    priced = PRICED_KIND[model]
    for index, line in enumerate(lines, start=1):
        if line.kind not in (priced, LineKind.EXPENSE):
            findings.append(
                Finding(
                    Code.KIND_NOT_IN_TERMS,
                    f"Line {index} bills {LineKind(line.kind).label.lower()}; the engagement "
                    f"is priced {_priced_as(terms)}, so its terms say nothing of this line.",
                    f"lines[{index - 1}].kind",
                    line.amount,
                )
            )
    if model == PricingModel.HOURLY:
        for index, line in enumerate(lines, start=1):
            if line.kind == LineKind.HOURS and line.unit_price != terms.amount:
                findings.append(
                    Finding(
                        Code.RATE_DIFFERS,
                        f"Line {index} bills {quantity_text(line.quantity)} hours at "
                        f"{dollars(line.unit_price)} an hour; the engagement's rate is "
                        f"{dollars(terms.amount)} "
                        f"({signed(line.amount - cents(line.quantity * terms.amount))}).",
                        f"lines[{index - 1}].unit_price",
                        line.amount - cents(line.quantity * terms.amount),
                    )
                )
    elif model == PricingModel.PER_UNIT:
        units = [line for line in lines if line.kind == LineKind.UNITS]
        if units:
            quantity = sum((line.quantity for line in units), ZERO)
            billed = sum((line.amount for line in units), ZERO)
            expected = cents(tiered_cost(quantity, terms.amount, list(terms.tiers)))
            if billed != expected:
                unit = terms.unit_name or "unit"
                findings.append(
                    Finding(
                        Code.TIERS_DIFFER,
                        f"{quantity_text(quantity)} {unit}s at the engagement's prices"
                        f"{' and volume tiers' if terms.tiers else ''} come to "
                        f"{dollars(expected)}; the invoice bills {dollars(billed)} "
                        f"({signed(billed - expected)}).",
                        "lines",
                        billed - expected,
                    )
                )
    else:
        findings.extend(_flat_fee(terms, start, end, lines))
    if (terms.start and start < terms.start) or (terms.end and end > terms.end):
        span = (
            f"{_day(terms.start)} to {_day(terms.end)}"
            if terms.end
            else (f"from {_day(terms.start)}")
        )
        findings.append(
            Finding(
                Code.OUTSIDE_TERM,
                f"The period {_day(start)} to {_day(end)} is not all within the "
                f"engagement's dates ({span}).",
                "period_start",
            )
        )
    return findings


def _priced_as(terms: Terms) -> str:
    if terms.pricing_model == PricingModel.HOURLY:
        return "by the hour"
    if terms.pricing_model == PricingModel.PER_UNIT:
        return f"per {terms.unit_name or 'unit'}"
    return f"as a flat fee {BillingPeriod(terms.billing_period).label}"


def _flat_fee(terms: Terms, start: date, end: date, lines: Sequence[Line]) -> list[Finding]:
    findings = []
    fees = [(index, line) for index, line in enumerate(lines, start=1) if line.kind == "fee"]
    for index, line in fees:
        if line.unit_price != terms.amount:
            difference = line.amount - cents(line.quantity * terms.amount)
            findings.append(
                Finding(
                    Code.FEE_DIFFERS,
                    f"Line {index} bills a fee of {dollars(line.unit_price)}; the engagement's "
                    f"fee is {dollars(terms.amount)} {BillingPeriod(terms.billing_period).label} "
                    f"({signed(difference)}).",
                    f"lines[{index - 1}].unit_price",
                    difference,
                )
            )
    periods = whole_periods(start, end, terms.billing_period)
    period_name = {"month": "month", "quarter": "quarter", "year": "year"}[terms.billing_period]
    if periods is None:
        findings.append(
            Finding(
                Code.PERIOD_LENGTH,
                f"The period {_day(start)} to {_day(end)} is not a whole number of "
                f"{period_name}s; the fee is charged {BillingPeriod(terms.billing_period).label}.",
                "period_end",
            )
        )
    elif fees:
        charged = sum((line.quantity for _, line in fees), ZERO)
        if charged != periods:
            difference = (charged - periods) * terms.amount
            findings.append(
                Finding(
                    Code.FEE_COUNT_DIFFERS,
                    f"The period is {periods} {period_name}{'s' if periods != 1 else ''}, so "
                    f"{periods} fee{'s' if periods != 1 else ''} of {dollars(terms.amount)}; "
                    f"the invoice charges {quantity_text(charged)} ({signed(difference)}).",
                    "lines",
                    difference,
                )
            )
    return findings
