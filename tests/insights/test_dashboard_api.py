"""The dashboard and the reports through the API: JSON, CSV, 404 across organizations, every
role reads, 422 for a bad period."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from handoff.accounts.models import Membership
from handoff.core.roles import Role
from tests.conftest import api_client_for
from tests.factories import ProviderFactory, UserFactory
from tests.insights import test_reports
from tests.insights.conftest import ranked_providers

# The same clock (Nov 18, 2026), provider and quarter of work as the report tests.
_clock = test_reports._clock
provider = test_reports.provider
quarter_of_work = test_reports.quarter_of_work

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


class TestDashboard:
    def test_it_lists_each_section_with_counts_and_links(self, org, owner, provider):
        from tests.insights.test_dashboard import engage, task

        engagement = engage(org, provider)
        late = task(engagement, timezone.now() - timedelta(days=1), title="Close October")
        response = api_client_for(owner, org).get(f"{BASE}/dashboard")
        assert response.status_code == 200
        body = response.json()
        assert body["today"] == "2026-11-18"
        assert body["overdue"]["count"] == 1
        [item] = body["overdue"]["items"]
        assert item["label"] == "Close October"
        assert item["url"] == f"/o/{org.slug}/tasks/{late.pk}/"
        assert body["overdue"]["url"] == f"/o/{org.slug}/tasks/?tab=overdue"
        keys = [section["key"] for section in body["compliance"]]
        assert keys == [
            "missing_w9",
            "unsigned",
            "due_diligence",
            "stale_assessments",
            "forms_1099",
        ]
        unsigned = body["compliance"][1]
        assert unsigned["count"] == 1
        assert unsigned["items"][0]["url"].endswith(f"/engagements/{engagement.pk}/#agreement")
        assert body["single_provider"]["count"] == 1
        assert body["standings_period"] == "Q4 2026"
        assert body["spend"]["lines"] == [] and body["spend"]["planned_total"] is None

    def test_it_returns_every_standing_where_the_page_shows_ten(self, org, owner):
        ranked_providers(org, 12, timezone.now() - timedelta(days=8))
        body = api_client_for(owner, org).get(f"{BASE}/dashboard").json()
        assert [row["provider"] for row in body["standings"]] == [
            f"Provider {n:02d}" for n in range(12, 0, -1)
        ]

    def test_a_new_organization_gets_its_first_steps_and_the_nothing_yet_links(
        self, org, owner, provider
    ):
        body = api_client_for(owner, org).get(f"{BASE}/dashboard").json()
        steps = {step["key"]: step for step in body["getting_started"]}
        assert steps["provider"]["done"] is True and steps["payment"]["done"] is False
        assert steps["task"]["url"] == f"/o/{org.slug}/tasks/new/"
        assert body["overdue"]["empty"] == "No task has been sent yet."
        assert body["overdue"]["empty_url"] == f"/o/{org.slug}/tasks/new/"
        # A provider exists but nobody engaged or paid it: no W-9 is due yet; the link is the
        # step that would make one due (an engagement with its plan).
        missing_w9 = body["compliance"][0]
        assert missing_w9["empty"] == "No provider is engaged or paid yet, so no W-9 is due."
        assert missing_w9["empty_url"] == f"/o/{org.slug}/engagements/new/"

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER, Role.MANAGER, Role.ADMIN])
    def test_every_role_reads_it(self, org, role):
        user = UserFactory()
        Membership.objects.create(organization=org, user=user, role=role)
        assert api_client_for(user, org).get(f"{BASE}/dashboard").status_code == 200

    def test_it_needs_a_token(self, client):
        assert client.get(f"{BASE}/dashboard").status_code == 401

    def test_it_shows_only_the_tokens_organization(self, org, other_org, outsider, provider):
        from tests.insights.test_dashboard import engage, task

        task(engage(org, provider), timezone.now() - timedelta(days=1))
        body = api_client_for(outsider, other_org).get(f"{BASE}/dashboard").json()
        assert body["overdue"]["count"] == 0


class TestReview:
    def test_json(self, org, viewer, provider, quarter_of_work):
        response = api_client_for(viewer, org).get(f"{BASE}/providers/{provider.pk}/review")
        assert response.status_code == 200
        body = response.json()
        assert body["period"] == {
            "label": "Q3 2026",
            "kind": "quarter",
            "start": "2026-07-01",
            "end": "2026-09-30",
        }
        figures = {figure["key"]: figure for figure in body["figures"]}
        assert figures["on_time"]["count"] == 3
        assert figures["on_time"]["value"] == pytest.approx(2 / 3)
        assert figures["savings"]["value"] == 6200.0
        assert {miss["title"] for miss in body["misses"]} == {"Payroll August", "Sales tax filing"}
        assert {row["response_hours"] for row in body["issues"]} == {2.0, 6.0}
        assert body["decisions"][0]["option"] == "Flat monthly fee"
        assert body["checkins_ours"]["count"] == 1

    def test_another_period(self, org, viewer, provider, quarter_of_work):
        response = api_client_for(viewer, org).get(
            f"{BASE}/providers/{provider.pk}/review", period="month", on="2026-10-05"
        )
        body = response.json()
        assert body["period"]["label"] == "October 2026"
        figures = {figure["key"]: figure for figure in body["figures"]}
        assert figures["spend"]["value"] == 1000.0

    def test_csv(self, org, viewer, provider, quarter_of_work):
        response = api_client_for(viewer, org).get(
            f"{BASE}/providers/{provider.pk}/review", format="csv"
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert list(rows[0]) == [
            "section", "key", "label", "value", "unit", "count", "date", "detail"
        ]  # fmt: skip
        assert any(row["section"] == "scorecard" and row["key"] == "overall" for row in rows)

    def test_a_provider_of_another_organization_is_404(self, org, owner, other_org):
        stranger = ProviderFactory(organization=other_org)
        response = api_client_for(owner, org).get(f"{BASE}/providers/{stranger.pk}/review")
        assert response.status_code == 404
        assert response.json()["detail"] == "Not found."

    @pytest.mark.parametrize(
        "params, field",
        [
            ({"period": "fortnight"}, "period"),
            ({"period": "quarter", "on": "2026-13-01"}, "on"),
            ({"period": "custom", "from": "2026-05-01"}, "to"),
            ({"period": "custom", "from": "2026-05-01", "to": "2026-04-01"}, "to"),
            ({"format": "xml"}, "format"),
        ],
    )
    def test_a_bad_period_is_422(self, org, viewer, provider, params, field):
        response = api_client_for(viewer, org).get(
            f"{BASE}/providers/{provider.pk}/review", **params
        )
        assert response.status_code == 422
        assert field in [error["field"] for error in response.json()["errors"]]


class TestSummary:
    def test_json_and_csv(self, org, viewer, provider, quarter_of_work):
        client = api_client_for(viewer, org)
        body = client.get(f"{BASE}/reports/summary").json()
        assert body["period"]["label"] == "Q3 2026"
        assert body["spend_total"] == "3000.00" or float(body["spend_total"]) == 3000
        [row] = body["providers"]
        assert row["provider"] == "Ledgerline Bookkeeping"
        response = client.get(f"{BASE}/reports/summary", format="csv")
        [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert row["provider_id"] == str(provider.pk) and row["spend"] == "3000.00"

    def test_a_custom_range(self, org, viewer, provider, quarter_of_work):
        body = (
            api_client_for(viewer, org)
            .get(
                f"{BASE}/reports/summary",
                period="custom",
                **{"from": "2026-07-01"},
                to="2026-12-31",
            )
            .json()
        )
        assert body["period"]["start"] == "2026-07-01"
        assert float(body["spend_total"]) == 4000

    def test_an_empty_period(self, org, viewer):
        body = (
            api_client_for(viewer, org)
            .get(f"{BASE}/reports/summary", period="year", on=date(2020, 1, 1).isoformat())
            .json()
        )
        assert body["providers"] == [] and float(body["spend_total"]) == 0
