"""Arithmetic of an engagement's terms: the yearly cost its price terms imply, and the dates of
its term, renewal and notice. Plain values in, plain values out; no database."""

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

# Graduated volume tiers are shared with the make-or-buy analysis, which comes first in the
# dependency order; engagements price their tiers with the same arithmetic.
from handoff.decisions.costing import Tier, tiered_cost
from handoff.engagements.choices import PERIODS_PER_YEAR, BillingPeriod, PricingModel

# The price terms each pricing model reads, beside the amount and the payment terms: a flat fee
# has a billing period and no volume; hourly pricing an estimate of hours; per-unit pricing a
# unit, an estimate of units and its volume tiers. What a model does not read is kept empty
# (``unused_terms``), so an engagement never carries volume tiers for a flat fee.
PRICING_TERMS = {
    PricingModel.FLAT: frozenset({"billing_period"}),
    PricingModel.HOURLY: frozenset({"monthly_quantity"}),
    PricingModel.PER_UNIT: frozenset({"unit_name", "monthly_quantity", "tiers"}),
}
EMPTY_TERMS = {
    "billing_period": BillingPeriod.MONTH,
    "unit_name": "",
    "monthly_quantity": None,
    "tiers": [],
}


def unused_terms(pricing_model: str) -> dict:
    """The empty values of the price terms ``pricing_model`` does not read (none for a value
    that is not a pricing model: the model's own validation names that)."""
    if pricing_model not in PricingModel.values:
        return {}
    used = PRICING_TERMS[PricingModel(pricing_model)]
    return {name: value for name, value in EMPTY_TERMS.items() if name not in used}


def annual_cost(
    pricing_model: str,
    amount: Decimal,
    *,
    billing_period: str = BillingPeriod.MONTH,
    monthly_quantity: Decimal | None = None,
    tiers: list[Tier] = (),
) -> Decimal | None:
    """The cost of a year at the stated terms; None when an estimate it needs is missing.

    Flat: the fee times the periods in a year. Hourly and per unit: the estimated monthly
    hours or units priced (per unit with its tiers), times twelve.
    """
    if pricing_model == PricingModel.FLAT:
        return amount * PERIODS_PER_YEAR[BillingPeriod(billing_period)]
    if monthly_quantity is None:
        return None
    if pricing_model == PricingModel.HOURLY:
        return amount * monthly_quantity * 12
    return tiered_cost(monthly_quantity, amount, list(tiers)) * 12


def current_term_end(
    start: date, end: date | None, *, auto_renew: bool, renewal_months: int, today: date
) -> date | None:
    """The end of the term in force on ``today``: ``end``, rolled forward by whole renewal terms
    while it has passed and the engagement renews itself. None when open-ended."""
    if end is None:
        return None
    if not auto_renew or renewal_months <= 0:
        return end
    term_end, renewals = end, 0
    while term_end < today:
        renewals += 1
        term_end = end + relativedelta(months=renewal_months * renewals)
    return term_end


def notice_deadline(
    term_end: date | None,
    notice_days: int,
    *,
    auto_renew: bool = False,
    renewal_months: int = 0,
    today: date | None = None,
) -> date | None:
    """The last day to give notice so that a term ends instead of renewing.

    For a renewing engagement whose deadline for the current term has passed, that term will
    renew; the deadline that still matters is the next term's.
    """
    if term_end is None:
        return None
    deadline = term_end - relativedelta(days=notice_days)
    if auto_renew and renewal_months > 0 and today is not None and deadline < today:
        deadline = term_end + relativedelta(months=renewal_months) - relativedelta(days=notice_days)
    return deadline
