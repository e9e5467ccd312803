"""The demo's analyses: one per outsourced function, each decided for the provider engaged."""

from decimal import Decimal as D

import pytest

from handoff import demo
from handoff.accounts.models import Organization, User
from handoff.core.principal import Principal
from handoff.decisions import selectors
from handoff.decisions.demo import load_demo
from handoff.decisions.models import Analysis


@pytest.mark.django_db
def test_each_outsourced_function_has_an_analysis_and_its_decision():
    demo.load()
    org = Organization.objects.get(slug=demo.ORG_SLUG)
    owner = User.objects.get(email=demo.LOGIN_EMAIL)
    if not Analysis.objects.filter(organization=org).exists():  # until demo.load calls it itself
        load_demo(org, owner)
    plans = {
        analysis.function.name: analysis.decision
        for analysis in selectors.analyses(Principal.system(org)).filter(archived_at__isnull=True)
    }
    # Ledgerline: 1,250 × 12 = 15,000 + 3 hours × $38 × 12 = 1,368 → 16,368.
    # ClearClaim: 640 × 4.25 × 12 = 32,640 + 6 × 38 × 12 = 2,736 → 35,376.
    # BrightVoice: 900 × 1.10 × 12 = 11,880 + 2 × 38 × 12 = 912 → 12,792.
    assert {name: (plan.option_name, plan.planned_annual_cost) for name, plan in plans.items()} == {
        "Bookkeeping": ("Ledgerline Bookkeeping", D("16368.00")),
        "Billing": ("ClearClaim Billing", D("35376.00")),
        "Customer service": ("BrightVoice Answering", D("12792.00")),
    }
    for plan in plans.values():
        assert plan.planned_savings > 0 and plan.decided_at.date() < plan.plan_starts_on
        found = selectors.plans_for(
            Principal.system(org), [plan.function_id], provider_id=plan.provider_id
        )
        assert found == {plan.function_id: plan}
    bookkeeping = Analysis.objects.filter(organization=org).filter(function__name="Bookkeeping")
    assert bookkeeping.count() == 2 and bookkeeping.filter(archived_at__isnull=False).count() == 1
