"""The make-or-buy analyses of the demo organization, Maple Street Dental in Ohio: one per
function it outsources — bookkeeping, billing, customer service — each with its quotes and the
decision that led to the engagement, built through the same services the pages use.

Pay figures are illustrative, in line with what these roles earn in Ohio; they are demo data,
not cited figures. Ohio's state unemployment rate for a new employer (2.7%) and its taxable
wage base ($9,000) are entered as a user would enter their own.
"""

from datetime import datetime, time
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from handoff.accounts.principal import for_session
from handoff.core.backdating import backdated
from handoff.decisions import costing, services
from handoff.decisions.models import BusinessFunction, Decision
from handoff.providers.models import Provider

OHIO_UNEMPLOYMENT = {
    "state_unemployment_percent": Decimal("2.7"),
    "state_unemployment_wage_base": Decimal("9000"),
}
OFFICE_MANAGER_HOUR = Decimal("38")  # the office manager's loaded hourly cost


def load_demo(org, actor) -> list[Decision]:
    """Create the analyses and decisions; called once, by ``handoff.demo.load``, when it
    creates the demo organization (after its providers). Dates follow the demo's engagements:
    each decision was taken a few weeks before its engagement started."""
    today = timezone.localdate()
    principal = for_session(actor, org.slug)
    decisions = []
    for make, months in ((_bookkeeping, 9), (_billing, 4), (_customer_service, 8)):
        starts = today - relativedelta(months=months, day=1)
        # The analysis five weeks before the engagement began; the decision two weeks later.
        with backdated(org, _at(starts - relativedelta(weeks=5), 10)):
            decisions.append(make(org, principal, starts=starts))
    return decisions


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _function(principal, name: str) -> BusinessFunction:
    return BusinessFunction.objects.visible_to(principal).get(name=name)


def _provider_id(principal, name: str) -> int:
    return Provider.objects.visible_to(principal).get(name=name).pk


def _decide(analysis, principal, quote, reason: str, starts) -> Decision:
    # Back-dated: the demo's engagements began months ago, and the decisions came first.
    with backdated(analysis.organization, _at(starts - relativedelta(weeks=3), 10)):
        decision = services.record_decision(
            principal, analysis, chosen_quote_id=quote.pk, reason=reason, plan_starts_on=starts
        )
    decision.refresh_from_db()
    return decision


def _bookkeeping(org, principal, starts) -> Decision:
    """Last year's look (a bookkeeper against an hourly firm) is kept as history; this year's
    starts from it, adds Ledgerline's flat fee and chooses it."""
    function = _function(principal, "Bookkeeping")
    earlier = services.start_analysis(
        principal,
        function,
        data={
            "year": starts.year - 1,
            "volume_unit": "transaction",
            "monthly_volume": Decimal("380"),
            "notes": "First look, before Ledgerline's proposal came in.",
        },
    )
    services.save_in_house(
        principal,
        earlier,
        data={
            **OHIO_UNEMPLOYMENT,
            "manager_hours_per_month": Decimal("5"),
            "manager_hourly_rate": OFFICE_MANAGER_HOUR,
            "value_per_freed_hour": Decimal("35"),
            "control": 5,
            "quality_risk": 3,
            "confidentiality": 4,
            "availability": 2,
            "dependence": 2,
        },
    )
    services.add_role(
        principal,
        earlier,
        data={
            "title": "Full-charge bookkeeper",
            "pay_basis": "salary",
            "annual_salary": Decimal("48500"),
            "overhead_per_person": Decimal("4200"),
            "recruiting_cost": Decimal("3500"),
            "training_cost": Decimal("2500"),
            "expected_tenure_years": Decimal("3"),
        },
    )
    services.add_quote(
        principal,
        earlier,
        data={
            "provider_id": _provider_id(principal, "Evergreen Tax & Books"),
            "pricing_model": "hourly",
            "amount": Decimal("65"),
            "monthly_quantity": Decimal("22"),
            "transition_cost": Decimal("1200"),
            "oversight_hours_per_month": Decimal("3"),
            "oversight_hourly_rate": OFFICE_MANAGER_HOUR,
            "turnaround": "Monthly close by the 15th",
            "control": 3,
            "quality_risk": 4,
            "confidentiality": 4,
            "availability": 4,
            "dependence": 3,
        },
    )
    analysis = services.start_analysis(
        principal,
        function,
        data={
            "volume_unit": "transaction",
            "monthly_volume": Decimal("420"),
            "notes": "Bank and card transactions a month; payroll for 14 staff rides along.",
        },
        copy_previous=True,
    )
    ledgerline = services.add_quote(
        principal,
        analysis,
        data={
            "provider_id": _provider_id(principal, "Ledgerline Bookkeeping"),
            "pricing_model": "flat",
            "amount": Decimal("1250"),
            "fee_period": "month",
            "transition_cost": Decimal("1800"),
            "oversight_hours_per_month": Decimal("3"),
            "oversight_hourly_rate": OFFICE_MANAGER_HOUR,
            "turnaround": "Monthly close by the 10th",
            "notes": "Covers reconciliation, payables and the monthly close; year-end tax "
            "filing is extra.",
            "control": 3,
            "quality_risk": 4,
            "confidentiality": 4,
            "availability": 5,
            "dependence": 3,
        },
    )
    return _decide(
        analysis,
        principal,
        ledgerline,
        "A flat fee well under a bookkeeper's full cost, a close by the 10th, and a team that "
        "covers for holidays. Strong references from two other practices.",
        starts,
    )


def _billing(org, principal, starts) -> Decision:
    analysis = services.start_analysis(
        principal,
        _function(principal, "Billing"),
        data={"volume_unit": "claim", "monthly_volume": Decimal("640")},
    )
    services.save_in_house(
        principal,
        analysis,
        data={
            **OHIO_UNEMPLOYMENT,
            "manager_hours_per_month": Decimal("6"),
            "manager_hourly_rate": OFFICE_MANAGER_HOUR,
            "value_per_freed_hour": Decimal("40"),
            "control": 5,
            "quality_risk": 3,
            "confidentiality": 5,
            "availability": 2,
            "dependence": 2,
        },
    )
    services.add_role(
        principal,
        analysis,
        data={
            "title": "Dental billing specialist",
            "pay_basis": "hourly",
            "hourly_wage": Decimal("21.50"),
            "paid_hours_per_year": Decimal("2080"),
            "overhead_per_person": Decimal("3800"),
            "recruiting_cost": Decimal("3000"),
            "training_cost": Decimal("4000"),
            "expected_tenure_years": Decimal("2.5"),
        },
    )
    clearclaim = services.add_quote(
        principal,
        analysis,
        data={
            "provider_id": _provider_id(principal, "ClearClaim Billing"),
            "pricing_model": "per_unit",
            "amount": Decimal("4.25"),
            "unit_name": "claim",
            "monthly_quantity": Decimal("640"),
            "transition_cost": Decimal("2500"),
            "oversight_hours_per_month": Decimal("6"),
            "oversight_hourly_rate": OFFICE_MANAGER_HOUR,
            "turnaround": "Claims submitted the next business day",
            "control": 3,
            "quality_risk": 4,
            "confidentiality": 4,
            "availability": 5,
            "dependence": 3,
        },
        tiers=[costing.TierRow(Decimal("1000"), None, Decimal("3.75"))],
    )
    return _decide(
        analysis,
        principal,
        clearclaim,
        "Half the cost of a billing specialist at our volume, and it stays cheaper up to about "
        "1,500 claims a month. Denials are worked by people who do nothing else.",
        starts,
    )


def _customer_service(org, principal, starts) -> Decision:
    analysis = services.start_analysis(
        principal,
        _function(principal, "Customer service"),
        data={"volume_unit": "call", "monthly_volume": Decimal("900")},
    )
    services.save_in_house(
        principal,
        analysis,
        data={
            **OHIO_UNEMPLOYMENT,
            "manager_hours_per_month": Decimal("4"),
            "manager_hourly_rate": OFFICE_MANAGER_HOUR,
            "value_per_freed_hour": Decimal("30"),
            "control": 5,
            "quality_risk": 4,
            "confidentiality": 5,
            "availability": 2,
            "dependence": 2,
        },
    )
    services.add_role(
        principal,
        analysis,
        data={
            "title": "Evening and weekend receptionist",
            "pay_basis": "hourly",
            "hourly_wage": Decimal("16.75"),
            "paid_hours_per_year": Decimal("1560"),
            "overhead_per_person": Decimal("2400"),
            "recruiting_cost": Decimal("1500"),
            "training_cost": Decimal("1000"),
            "expected_tenure_years": Decimal("1.5"),
        },
    )
    brightvoice = services.add_quote(
        principal,
        analysis,
        data={
            "provider_id": _provider_id(principal, "BrightVoice Answering"),
            "pricing_model": "per_unit",
            "amount": Decimal("1.10"),
            "unit_name": "call",
            "monthly_quantity": Decimal("900"),
            "transition_cost": Decimal("500"),
            "oversight_hours_per_month": Decimal("2"),
            "oversight_hourly_rate": OFFICE_MANAGER_HOUR,
            "turnaround": "Answered within three rings; messages passed on within 15 minutes",
            "control": 3,
            "quality_risk": 4,
            "confidentiality": 4,
            "availability": 5,
            "dependence": 3,
        },
    )
    services.add_quote(
        principal,
        analysis,
        data={
            "provider_id": _provider_id(principal, "Northwind Contact Center"),
            "pricing_model": "per_unit",
            "amount": Decimal("0.95"),
            "unit_name": "call",
            "monthly_quantity": Decimal("900"),
            "transition_cost": Decimal("1500"),
            "oversight_hours_per_month": Decimal("3"),
            "oversight_hourly_rate": OFFICE_MANAGER_HOUR,
            "turnaround": "Answered within 60 seconds",
            "control": 2,
            "quality_risk": 3,
            "confidentiality": 3,
            "availability": 5,
            "dependence": 3,
        },
    )
    return _decide(
        analysis,
        principal,
        brightvoice,
        "Northwind is about $1,200 a year cheaper, but BrightVoice books appointments in our "
        "scheduling system and knows dental emergencies; quality and confidentiality weighed "
        "more than the difference.",
        starts,
    )
