from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff.core.principal import Principal
from handoff.decisions import services as decisions
from handoff.decisions.models import BusinessFunction, ShortlistCandidate
from handoff.engagements.models import Engagement
from handoff.providers import vetting
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory, principal_for


@pytest.fixture
def bookkeeping(org):
    return BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping")


@pytest.fixture
def firms(org, owner, bookkeeping):
    """Ledgerline: a quote, two checked references, due diligence done. Evergreen: nothing."""
    ledgerline = ProviderFactory(organization=org, name="Ledgerline")
    evergreen = ProviderFactory(organization=org, name="Evergreen")
    analysis = decisions.start_analysis(
        principal_for(owner, bookkeeping.organization),
        bookkeeping,
        data={"year": 2026, "volume_unit": "invoice", "monthly_volume": D(400)},
    )
    decisions.add_quote(
        principal_for(owner, analysis.organization),
        analysis,
        data={
            "provider_id": ledgerline.pk,
            "pricing_model": "flat",
            "amount": D("1250"),
            "oversight_hours_per_month": D("2"),
            "oversight_hourly_rate": D("60"),
        },
    )
    for name in ("Dana", "Luis"):
        reference = vetting.save_reference(
            principal_for(owner, ledgerline.organization), ledgerline, data={"name": name}
        )
        vetting.record_check(
            principal_for(owner, reference.organization),
            reference,
            data={"quality": 5, "met_deadlines": 5},
        )
    vetting.apply_template(
        principal_for(owner, ledgerline.organization),
        ledgerline,
        vetting.templates(Principal.system(org))[0],
    )
    ledgerline.due_diligence_items.update(status="not_applicable")
    for provider in (evergreen, ledgerline):
        decisions.add_candidate(
            principal_for(owner, bookkeeping.organization), bookkeeping, provider_id=provider.pk
        )
    return ledgerline, evergreen


def url(name, org, *args):
    return reverse(f"insights:{name}", args=[org.slug, *args])


@pytest.mark.django_db
class TestComparison:
    def test_candidates_side_by_side_best_record_first(self, org, viewer, bookkeeping, firms):
        response = client_for(viewer).get(url("shortlist", org, bookkeeping.pk))
        rows = response.context["rows"]
        assert [row.provider.name for row in rows] == ["Ledgerline", "Evergreen"]
        ledgerline, evergreen = rows
        # 1,250 × 12 + 2 hours × 12 × 60 = 15,000 + 1,440
        assert ledgerline.annual_cost == D("16440")
        # Two perfect checks: (2 + 2) / (4 + 2) = 0.667 → 3.67 out of 5
        assert round(ledgerline.reputation.score, 2) == 3.67
        assert (ledgerline.references, ledgerline.references_checked) == (2, 2)
        assert ledgerline.due_diligence_complete
        assert evergreen.annual_cost is None and evergreen.reputation is None
        page = response.content.decode()
        assert "$16,440.00" in page and "not enough information" in page

    def test_the_comparison_does_not_grow_with_the_candidates(
        self, org, owner, manager, bookkeeping, firms
    ):
        client = client_for(manager)
        client.get(url("shortlist", org, bookkeeping.pk))
        with CaptureQueriesContext(connection) as few:
            client.get(url("shortlist", org, bookkeeping.pk))
        for index in range(4):
            provider = ProviderFactory(organization=org, name=f"Extra {index}")
            decisions.add_candidate(
                principal_for(owner, bookkeeping.organization), bookkeeping, provider_id=provider.pk
            )
            reference = vetting.save_reference(
                principal_for(owner, provider.organization), provider, data={"name": "R"}
            )
            vetting.record_check(
                principal_for(owner, reference.organization), reference, data={"quality": 4}
            )
        with CaptureQueriesContext(connection) as many:
            client.get(url("shortlist", org, bookkeeping.pk))
        assert len(many) == len(few)

    def test_adding_twice_or_another_organizations_provider_is_refused(
        self, org, manager, bookkeeping, firms, other_org
    ):
        client = client_for(manager)
        page = client.post(
            url("shortlist", org, bookkeeping.pk), {"provider": firms[0].pk}, follow=True
        ).content.decode()
        assert "Ledgerline is already on the shortlist." in page
        foreign = ProviderFactory(organization=other_org)
        page = client.post(
            url("shortlist", org, bookkeeping.pk), {"provider": foreign.pk}, follow=True
        ).content.decode()
        assert "Choose a current provider of this organization." in page
        assert ShortlistCandidate.objects.count() == 2


@pytest.mark.django_db
class TestChoosing:
    def test_choosing_drafts_an_engagement_priced_from_the_quote(
        self, org, manager, bookkeeping, firms
    ):
        candidate = ShortlistCandidate.objects.get(provider=firms[0])
        response = client_for(manager).post(
            url("shortlist_choose", org, bookkeeping.pk, candidate.pk)
        )
        engagement = Engagement.objects.filter(organization=org).get()
        assert response["Location"] == engagement.get_absolute_url()
        assert (engagement.status, engagement.provider, engagement.amount) == (
            "draft",
            firms[0],
            D("1250.00"),
        )
        assert list(engagement.functions.all()) == [bookkeeping]
        candidate.refresh_from_db()
        assert candidate.chosen_by == manager

    def test_a_new_choice_withdraws_the_earlier_one(self, org, manager, bookkeeping, firms):
        first, second = (ShortlistCandidate.objects.get(provider=p) for p in firms)
        client = client_for(manager)
        client.post(url("shortlist_choose", org, bookkeeping.pk, first.pk))
        client.post(url("shortlist_choose", org, bookkeeping.pk, second.pk))
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.chosen_at is None and second.chosen_at is not None
        assert (
            Engagement.objects.filter(organization=org).filter(provider=firms[1], amount=0).exists()
        )


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["shortlist", "shortlist_remove", "shortlist_choose"])
def test_outsiders_get_404_and_members_may_not_change_it(
    org, member, outsider, other_org, bookkeeping, firms, name
):
    candidate = ShortlistCandidate.objects.get(provider=firms[0])
    args = [bookkeeping.pk] + ([candidate.pk] if name != "shortlist" else [])
    path = url(name, org, *args)
    assert client_for(outsider).post(path, {"provider": firms[0].pk}).status_code == 404
    assert client_for(member).post(path, {"provider": firms[0].pk}).status_code == 403
    if name == "shortlist":
        assert client_for(member).get(path).status_code == 200
    assert ShortlistCandidate.objects.count() == 2 and not Engagement.objects.exists()


@pytest.mark.django_db
class TestApi:
    def test_list_add_choose_remove(self, org, manager, bookkeeping, firms):
        api = api_client_for(manager, org)
        base = f"/api/v1/functions/{bookkeeping.pk}/shortlist"
        rows = api.get(base).json()
        assert [(r["provider_name"], r["quoted_annual_cost"]) for r in rows] == [
            ("Ledgerline", "16440.00"),
            ("Evergreen", None),
        ]
        newcomer = ProviderFactory(organization=org, name="Newcomer")
        assert api.post(base, {"provider_id": newcomer.pk}).status_code == 201
        again = api.post(base, {"provider_id": newcomer.pk})
        assert again.status_code == 422 and again.json()["errors"][0]["field"] == "provider_id"
        chosen = api.post(f"{base}/{rows[0]['id']}/choose").json()
        assert Engagement.objects.get(pk=chosen["engagement_id"]).provider == firms[0]
        removed = api.client.delete(f"{base}/{rows[1]['id']}", **api.auth)
        assert removed.status_code == 204
        assert [r["provider_name"] for r in api.get(base).json()] == ["Ledgerline", "Newcomer"]

    def test_roles_and_other_organizations(
        self, org, member, outsider, other_org, bookkeeping, firms
    ):
        base = f"/api/v1/functions/{bookkeeping.pk}/shortlist"
        candidate = ShortlistCandidate.objects.get(provider=firms[0])
        member_api = api_client_for(member, org)
        assert member_api.get(base).status_code == 200
        assert member_api.post(base, {"provider_id": firms[0].pk}).status_code == 403
        assert member_api.post(f"{base}/{candidate.pk}/choose").status_code == 403
        outsider_api = api_client_for(outsider, other_org)
        assert outsider_api.get(base).status_code == 404
        assert outsider_api.post(f"{base}/{candidate.pk}/choose").status_code == 404
        assert (
            outsider_api.client.delete(f"{base}/{candidate.pk}", **outsider_api.auth).status_code
            == 404
        )
        assert not Engagement.objects.exists()
