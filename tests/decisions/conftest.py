"""An analysis of bookkeeping worth deciding on: a salaried bookkeeper and a manager's time
in-house, against a flat-fee firm and a per-invoice service."""

import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps

from handoff.decisions import costing, services
from handoff.decisions.models import BusinessFunction
from tests.factories import ProviderFactory, principal_for


def reload_dated_figures() -> None:
    """Load the payroll tax rates and benefits-load defaults as their data migration does.
    A transactional test (a browser journey) needs this: an earlier one's flush empties every
    table, these included, and migrations do not run again."""
    for name in ("0003_payroll_and_benefits_figures", "0006_payroll_figures_2027"):
        importlib.import_module(f"handoff.decisions.migrations.{name}").load(apps, None)


@pytest.fixture
def bookkeeping(org):
    return BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping")


@pytest.fixture
def ledgerline(org):
    return ProviderFactory(organization=org, name="Ledgerline")


@pytest.fixture
def analysis(org, owner, bookkeeping):
    return services.start_analysis(
        principal_for(owner, bookkeeping.organization),
        bookkeeping,
        data={"year": 2026, "volume_unit": "invoice", "monthly_volume": D(400)},
    )


BOOKKEEPER = {
    "title": "Bookkeeper",
    "pay_basis": "salary",
    "annual_salary": D("52000"),
    "paid_hours_per_year": D("2080"),
    "benefits_load_percent": D("24.3"),
    "overhead_per_person": D("3000"),
    "recruiting_cost": D("4000"),
    "training_cost": D("2000"),
    "expected_tenure_years": D("3"),
}


def furnish(analysis, actor, provider=None):
    """In-house 76,536 a year (see test_costing: 73,656 for the bookkeeper plus 2,880 of the
    manager's time); a flat 1,250 a month quote and a per-invoice quote with a tier."""
    services.save_in_house(
        principal_for(actor, analysis.organization),
        analysis,
        data={
            "manager_hours": D("4"),
            "manager_period": "month",
            "manager_hourly_rate": D("60"),
            "value_per_freed_hour": D("45"),
            "control": 5,
        },
    )
    role = services.add_role(principal_for(actor, analysis.organization), analysis, data=BOOKKEEPER)
    flat = services.add_quote(
        principal_for(actor, analysis.organization),
        analysis,
        data={
            "provider_id": provider.pk if provider else None,
            "name": "" if provider else "Ledgerline",
            "pricing_model": "flat",
            "amount": D("1250"),
            "transition_cost": D("1500"),
            "oversight_hours": D("2"),
            "oversight_period": "month",
            "oversight_hourly_rate": D("60"),
            "turnaround": "Close by the 10th",
            "control": 3,
        },
    )
    per_invoice = services.add_quote(
        principal_for(actor, analysis.organization),
        analysis,
        data={
            "name": "Invoicely",
            "pricing_model": "per_unit",
            "amount": D("4.25"),
            "unit_name": "invoice",
            "monthly_quantity": D("400"),
        },
        tiers=[costing.TierRow(D(1000), None, D("3.75"))],
    )
    return role, flat, per_invoice
