"""The quarterly business review of a provider and the organization's summary: the page, the
PDF (read back with pypdf) and the CSV with its documented columns."""

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from handoff.core.principal import Principal
from handoff.insights import reports, scorecards
from handoff.insights.models import CheckIn, CheckInRound
from handoff.work.models import Issue
from tests.conftest import client_for
from tests.factories import ProviderFactory
from tests.insights.test_dashboard import engage, function, pay, plan, sign, task

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 18, 12, tzinfo=ZONE)
Q3 = scorecards.quarter(2026, 3)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: date, hour=12):
    return datetime.combine(day, time(hour), tzinfo=ZONE)


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline Bookkeeping")


@pytest.fixture
def quarter_of_work(org, owner, provider):
    """Q3 2026: three tasks (one on time, one 5 hours late, one returned), an issue answered in
    2 hours and one that climbed, a plan, payments and a check-in."""
    engagement = engage(org, provider)
    sign(engagement)
    due = at(date(2026, 8, 10))
    task(engagement, due, "accepted", title="July close", delivered_at=due - timedelta(hours=3),
         first_delivered_at=due - timedelta(hours=3), quality_rating=5)  # fmt: skip
    late = due + timedelta(hours=5)
    task(engagement, due, "accepted", title="Payroll August", delivered_at=late,
         first_delivered_at=late)  # fmt: skip
    task(engagement, due, "accepted", title="Sales tax filing", returns=1,
         delivered_at=due - timedelta(hours=1),
         first_delivered_at=due - timedelta(hours=2))  # fmt: skip
    raised = at(date(2026, 9, 1), 9)
    Issue.objects.create(
        organization=org, engagement=engagement, title="Missing receipts", raised_side="us",
        raised_at=raised, respond_by=raised + timedelta(hours=4),
        first_response_at=raised + timedelta(hours=2), status="responded",
    )  # fmt: skip
    Issue.objects.create(
        organization=org, engagement=engagement, title="Bank feed broken", raised_side="us",
        severity="high", raised_at=raised, respond_by=raised + timedelta(hours=8),
        escalated_at=raised + timedelta(hours=4), level=1,
        first_response_at=raised + timedelta(hours=6), status="responded",
    )  # fmt: skip
    plan(org, owner, function(org), planned="14600", in_house="36500", provider=provider)
    pay(org, provider, "3000", date(2026, 7, 15), engagement)
    pay(org, provider, "1000", date(2026, 10, 15), engagement)  # next quarter
    round_ = CheckInRound.objects.create(
        organization=org, provider=provider, period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
    )  # fmt: skip
    CheckIn.objects.create(
        organization=org, round=round_, provider=provider, respondent=owner, token_hash="a" * 64,
        expires_at=NOW, answered_at=at(date(2026, 9, 20)), comfortable=5, clear=4,
        responsive=4, recommend=5,
    )  # fmt: skip
    return engagement


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def review_url(org, provider, name="provider_review", **params):
    base = reverse(f"insights:{name}", args=[org.slug, provider.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


class TestTheReview:
    def test_it_defaults_to_the_last_complete_quarter(self, org, provider):
        assert reports.report_period(org, {}) == Q3
        assert reports.report_period(org, {"period": "month", "on": "2026-02-03"}).label == (
            "February 2026"
        )

    def test_a_bad_period_is_refused(self, org):
        with pytest.raises(Exception, match="Choose month, quarter, year or custom"):
            reports.report_period(org, {"period": "fortnight"})

    def test_it_gathers_the_quarter(self, org, provider, quarter_of_work):
        review = reports.provider_review(Principal.system(org), provider, Q3)
        card = review.scorecard
        assert card["on_time"].count == 3 and card["on_time"].value == pytest.approx(2 / 3)
        assert {m.task.title: m.reasons for m in review.misses} == {
            "Payroll August": ["delivered 5.0 h late"],
            "Sales tax filing": ["returned 1×"],
        }
        assert review.late_count == 1 and review.returned_count == 1
        by_title = {e.issue.title: e for e in review.escalations}
        assert by_title["Missing receipts"].response_hours == 2.0
        assert by_title["Missing receipts"].in_time is True
        assert by_title["Bank feed broken"].in_time is False
        assert card["spend"].value == Decimal("3000")
        assert card["plan"].value == Decimal("3680.00")  # 92 days of 14,600 / 365
        assert review.in_house == Decimal("9200.00")  # 92 days of 36,500 / 365
        assert card["savings"].value == Decimal("6200.00")
        [line] = review.functions
        assert line.function == "Bookkeeping" and line.spend == Decimal("3000.00")
        assert [d.option_name for d in review.decisions] == ["Flat monthly fee"]
        assert review.checkins.ours.count == 1 and review.checkins.ours.comfortable == 5

    def test_the_page_shows_scorecard_chart_and_table(self, org, viewer, provider, quarter_of_work):
        page = text_of(client_for(viewer).get(review_url(org, provider)))
        assert "Business review: Ledgerline Bookkeeping" in page and "Q3 2026" in page
        assert "<svg" in page and "On time" in page and "66.7%" in page
        assert "Payroll August" in page and "delivered 5.0 h late" in page
        assert "Bank feed broken" in page and "missed the target" in page
        assert "$6,200.00" in page and "Flat monthly fee" in page
        assert "Cheaper and steadier" in page
        assert review_url(
            org, provider, "provider_review_pdf", period="quarter", on="2026-07-01"
        ) in (page.replace("&amp;", "&"))

    def test_a_quiet_quarter_says_so(self, org, viewer, provider):
        page = text_of(client_for(viewer).get(review_url(org, provider)))
        assert "No task due in Q3 2026 came late or was returned." in page
        assert "No issue was raised in Q3 2026." in page
        assert "No check-in about Ledgerline Bookkeeping was answered in Q3 2026." in page

    def test_a_bad_period_on_the_page_falls_back_and_says_so(self, org, viewer, provider):
        response = client_for(viewer).get(review_url(org, provider, period="fortnight"))
        page = text_of(response)
        assert response.status_code == 200
        assert "That period is not valid" in page and "Q3 2026" in page

    def test_the_pdf_contains_the_figures(self, org, viewer, provider, quarter_of_work):
        response = client_for(viewer).get(review_url(org, provider, "provider_review_pdf"))
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert "attachment" in response["Content-Disposition"]
        text = " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        text = re.sub(r"\s+", " ", text)
        for expected in (
            "Business review: Ledgerline Bookkeeping",
            "Q3 2026",
            "66.7%",
            "Payroll August",
            "Bank feed broken",
            "$6,200.00",
            "Flat monthly fee",
        ):
            assert expected in text, expected

    def test_the_csv_has_the_documented_columns(self, org, viewer, provider, quarter_of_work):
        response = client_for(viewer).get(review_url(org, provider, "provider_review_csv"))
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert list(rows[0]) == reports.REVIEW_COLUMNS
        by = {(row["section"], row["key"]): row for row in rows}
        assert by[("report", "period")]["date"] == "2026-07-01"
        assert by[("scorecard", "on_time")]["value"] == "66.7"
        assert by[("scorecard", "on_time")]["count"] == "3"
        assert by[("scorecard", "savings")]["value"] == "6200.00"
        misses = [row for row in rows if row["section"] == "miss"]
        assert {row["label"] for row in misses} == {"Payroll August", "Sales tax filing"}
        issues = [row for row in rows if row["section"] == "issue"]
        assert {row["value"] for row in issues} == {"2.0", "6.0"}
        assert by[("checkin", "ours.comfortable")]["value"] == "5.0"
        assert any(row["section"] == "decision" for row in rows)


class TestAccess:
    def test_another_organizations_provider_is_404(self, org, owner, other_org, outsider):
        stranger = ProviderFactory(organization=other_org)
        for name in ("provider_review", "provider_review_pdf", "provider_review_csv"):
            assert client_for(owner).get(review_url(org, stranger, name)).status_code == 404

    def test_an_outsider_is_404(self, org, provider, outsider, other_org):
        assert client_for(outsider).get(review_url(org, provider)).status_code == 404
        summary = reverse("insights:org_summary", args=[org.slug])
        assert client_for(outsider).get(summary).status_code == 404


class TestTheSummary:
    def test_every_provider_with_the_period_spend(self, org, viewer, provider, quarter_of_work):
        quiet = ProviderFactory(organization=org, name="Northwind")
        pay(org, quiet, "250", date(2026, 8, 1))
        summary = reports.org_summary(Principal.system(org), Q3)
        assert [row.provider for row in summary.rows] == ["Ledgerline Bookkeeping", "Northwind"]
        assert summary.spend_total == Decimal("3250") and summary.payments == 2
        page = text_of(client_for(viewer).get(reverse("insights:org_summary", args=[org.slug])))
        assert "Providers in Q3 2026" in page and "$3,250.00" in page and "<svg" in page
        assert reverse("insights:provider_review", args=[org.slug, provider.pk]) in page

    def test_an_empty_period(self, org, viewer):
        page = text_of(client_for(viewer).get(reverse("insights:org_summary", args=[org.slug])))
        assert "No provider had work, issues, payments or check-ins in Q3 2026." in page

    def test_pdf_and_csv(self, org, viewer, provider, quarter_of_work):
        client = client_for(viewer)
        pdf = client.get(reverse("insights:org_summary_pdf", args=[org.slug]))
        assert pdf.content.startswith(b"%PDF")
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Ledgerline Bookkeeping" in text and "$3,000.00" in text
        response = client.get(reverse("insights:org_summary_csv", args=[org.slug]))
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert list(rows[0]) == reports.SUMMARY_COLUMNS
        [row] = rows
        assert row["provider"] == "Ledgerline Bookkeeping"
        assert row["on_time_percent"] == "66.7" and row["spend"] == "3000.00"
        assert row["period_start"] == "2026-07-01" and row["period_end"] == "2026-09-30"


def test_the_summary_costs_the_same_queries_for_2_or_12_providers(org, other_org, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fill(organization, count):
        for index in range(count):
            provider = ProviderFactory(organization=organization)
            engagement = engage(organization, provider)
            due = at(date(2026, 8, 1 + index))
            task(engagement, due, "accepted", delivered_at=due, first_delivered_at=due)
            pay(organization, provider, "100", date(2026, 8, 2), engagement)

    fill(org, 2)
    fill(other_org, 12)
    counts = []
    for organization in (org, other_org):
        with CaptureQueriesContext(connection) as captured:
            summary = reports.org_summary(Principal.system(organization), Q3)
            reports.summary_csv(summary)
        counts.append(len(captured))
    assert len(reports.org_summary(Principal.system(other_org), Q3).rows) == 12
    assert counts[0] == counts[1]
