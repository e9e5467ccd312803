"""The getting-started list on a new organization's dashboard: each step ticked from the
organization's own rows, linking to where it is done, the whole list hidden once every step is
done, read in one query whatever the size of the organization."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from handoff.accounts.models import PortalAccess
from handoff.core.principal import Principal
from handoff.engagements.models import CommunicationPlan
from handoff.insights import first_run
from tests.compliance.conftest import record_w9
from tests.conftest import client_for
from tests.factories import ContactFactory, ProviderFactory
from tests.insights.test_dashboard import engage, pay, plan, task


def dashboard(org):
    return reverse("insights:dashboard", args=[org.slug])


def done(org) -> dict[str, bool]:
    started, _ = first_run.getting_started(Principal.system(org))
    return {step.key: step.done for step in started.steps}


def complete_everything(org, owner):
    provider = ProviderFactory(organization=org, name="Ledgerline")
    contact = ContactFactory(provider=provider, name="Priya")
    plan(org, owner, first_function(org), planned="1000", in_house="2000")
    engagement = engage(org, provider)
    CommunicationPlan.objects.update_or_create(
        organization=org,
        engagement=engagement,
        defaults={
            "our_point_person": owner,
            "their_point_person": contact,
            "issue_contact": contact,
        },
    )
    PortalAccess.objects.create(
        organization=org,
        contact=contact,
        token_hash="t" * 64,
        expires_at=timezone.now() + timedelta(days=7),
    )
    task(engagement, timezone.now() + timedelta(days=3))
    record_w9(provider, owner)
    pay(org, provider, "100", timezone.localdate() - timedelta(days=1), engagement)
    return provider, engagement


def first_function(org):
    from handoff.decisions.models import BusinessFunction

    return BusinessFunction.objects.filter(organization=org).order_by("pk").first()


@pytest.mark.django_db
class TestSteps:
    def test_a_new_organization_has_every_step_to_do_each_linking_to_where_it_is_done(
        self, org, owner
    ):
        started, _ = first_run.getting_started(Principal.system(org))
        assert [step.label for step in started.steps] == [
            "Add a provider",
            "Make your first decision",
            "Set up an engagement with its communication plan",
            "Activate the engagement",
            "Invite the provider's contact to the portal",
            "Send a first task",
            "Get the provider's W-9",
            "Record a payment",
        ]
        assert not any(step.done for step in started.steps)
        urls = {step.key: step.url for step in started.steps}
        slug = [org.slug]
        assert urls["provider"] == reverse("providers:create", args=slug)
        assert urls["decision"] == reverse("decisions:analyses", args=slug)
        assert urls["plan"] == reverse("engagements:create", args=slug)
        assert urls["invite"] == reverse("portal:access_list", args=slug)
        assert urls["task"] == reverse("work:task_new", args=slug)
        assert urls["payment"] == reverse("payables:payment_create", args=slug)

    def test_steps_are_ticked_from_the_organizations_data(self, org, owner):
        provider = ProviderFactory(organization=org)
        assert done(org)["provider"] and not done(org)["plan"]
        draft = engage(org, provider, status="draft")
        started, _ = first_run.getting_started(Principal.system(org))
        steps = {step.key: step for step in started.steps}
        # The plan step opens the draft's plan; activating opens the draft.
        assert steps["plan"].url == reverse("engagements:plan", args=[org.slug, draft.pk])
        assert steps["activate"].url == reverse("engagements:detail", args=[org.slug, draft.pk])
        assert steps["w9"].url == reverse("compliance:w9", args=[org.slug, provider.pk])
        assert not steps["activate"].done

    def test_every_step_done_hides_the_list(self, org, owner):
        complete_everything(org, owner)
        assert all(done(org).values()), done(org)
        page = client_for(owner).get(dashboard(org)).text
        assert "Getting started" not in page

    def test_another_organizations_rows_tick_nothing(self, org, owner, other_org, outsider):
        complete_everything(other_org, outsider)
        assert not any(done(org).values())

    def test_the_facts_are_one_query_however_big_the_organization(self, org, owner):
        with CaptureQueriesContext(connection) as empty:
            first_run.facts(Principal.system(org))
        complete_everything(org, owner)
        for _ in range(5):
            ProviderFactory(organization=org)
        with CaptureQueriesContext(connection) as full:
            first_run.facts(Principal.system(org))
        assert len(empty) == len(full) == 1


@pytest.mark.django_db
class TestOnTheDashboard:
    def test_a_new_organization_sees_the_list_with_links_and_ticks(self, org, owner):
        ProviderFactory(organization=org, name="Ledgerline")
        page = client_for(owner).get(dashboard(org)).text
        assert "Getting started" in page and "1 of 8 done" in page
        create = reverse("providers:create", args=[org.slug])
        assert f'<li class="done"><span aria-hidden="true">✓</span> <a href="{create}">' in page
        assert f'href="{reverse("work:task_new", args=[org.slug])}">Send a first task</a>' in page

    def test_viewers_do_not_get_the_list_nor_links_to_steps_they_cannot_take(self, org, viewer):
        page = client_for(viewer).get(dashboard(org)).text
        assert "Getting started" not in page
        assert "No provider yet, so no W-9 to collect." in page
        assert f'href="{reverse("providers:create", args=[org.slug])}"' not in page

    def test_providers_nobody_engaged_or_paid_owe_no_w9_and_the_card_says_so(self, org, owner):
        ProviderFactory(organization=org, name="Ledgerline")
        page = client_for(owner).get(dashboard(org)).text
        assert "No provider is engaged or paid yet, so no W-9 is due." in page
        assert "Every paid or engaged provider has a W-9 on file." not in page
        assert "No provider yet" not in page

    def test_an_empty_card_with_something_to_check_is_not_a_first_run_card(self, org, owner):
        provider, _ = complete_everything(org, owner)
        page = client_for(owner).get(dashboard(org)).text
        assert "No provider yet" not in page
        assert "Every paid or engaged provider has a W-9 on file." in page
        assert provider.name in page


@pytest.mark.django_db
def test_the_demo_organization_has_done_every_step():
    from handoff import demo
    from handoff.accounts.models import Organization

    assert demo.load()
    org = Organization.objects.get(slug=demo.ORG_SLUG)
    started, _ = first_run.getting_started(Principal.system(org))
    assert [step.key for step in started.steps if not step.done] == []
