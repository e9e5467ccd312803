""" "New task" on the Tasks page: choose one of the active engagements, then the usual task
form; without an active engagement the page says so and points to Engagements."""

import pytest
from django.urls import reverse

from handoff.engagements.models import Engagement
from tests.conftest import client_for
from tests.factories import ProviderFactory


def url(org):
    return reverse("work:task_new", args=[org.slug])


@pytest.mark.django_db
class TestNewTask:
    def test_the_tasks_page_links_it_for_members_only(self, org, member, viewer):
        tasks = reverse("work:tasks", args=[org.slug])
        assert f'href="{url(org)}">New task</a>' in client_for(member).get(tasks).text
        assert "New task" not in client_for(viewer).get(tasks).text

    def test_choosing_an_engagement_opens_its_task_form(
        self, org, member, engagement, rival_engagement
    ):
        Engagement.objects.create(
            organization=org,
            provider=ProviderFactory(organization=org, name="Drafty"),
            title="Still a draft",
            start_date=engagement.start_date,
            amount=1000,
        )
        client = client_for(member)
        page = client.get(url(org)).text
        assert "<h1>New task</h1>" in page
        assert "Ledgerline Bookkeeping — " in page and "Northwind Billing — " in page
        assert "Still a draft" not in page
        response = client.get(url(org), {"engagement": rival_engagement.pk})
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "work:task_create", args=[org.slug, rival_engagement.pk]
        )
        form = client.get(response["Location"]).text
        assert "Send a task to Northwind Billing" in form

    def test_one_active_engagement_is_chosen_already(self, org, member, engagement):
        page = client_for(member).get(url(org)).text
        assert f'<option value="{engagement.pk}" selected>' in page

    def test_no_choice_or_a_bad_one_is_refused_with_the_reason(
        self, org, member, engagement, other_org
    ):
        client = client_for(member)
        empty = client.get(url(org), {"engagement": ""})
        assert empty.status_code == 422
        assert "Choose the engagement the task belongs to." in empty.text
        foreign = Engagement.objects.create(
            organization=other_org,
            provider=ProviderFactory(organization=other_org),
            title="Theirs",
            start_date=engagement.start_date,
            amount=1000,
            status="active",
        )
        bad = client.get(url(org), {"engagement": foreign.pk})
        assert bad.status_code == 422
        assert "Choose one of the active engagements." in bad.text

    def test_without_an_active_engagement_the_page_says_so(self, org, member):
        page = client_for(member).get(url(org)).text
        assert "There is no active engagement yet" in page
        assert f'href="{reverse("engagements:list", args=[org.slug])}"' in page

    def test_roles_and_outsiders(self, org, viewer, outsider, other_org):
        assert client_for(viewer).get(url(org)).status_code == 403
        assert client_for(outsider).get(url(org)).status_code == 404
