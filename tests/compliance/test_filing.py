"""Marking a tax year's 1099-NEC forms filed (page, API, audit, other organizations), the
deadline's business-day rule, and the 1099 list's years."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from handoff.compliance import selectors, services
from handoff.compliance.models import Filing1099
from handoff.core.models import AuditEvent
from handoff.core.principal import Principal
from tests.compliance.conftest import pay, record_w9
from tests.conftest import api_client_for, client_for
from tests.factories import principal_for


# The dates below are written for Friday 2026-12-04, noon in Chicago: the clock stands there.
@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 12, 4, 18, tzinfo=UTC)):
        yield


pytestmark = pytest.mark.django_db

IRIS = {"filed_on": date(2026, 1, 20), "method": "iris", "confirmation": "1099-R-42"}


@pytest.fixture
def forms_2025(org, owner, jordan):
    record_w9(jordan, owner)
    pay(org, owner, jordan, D("2500"), date(2025, 6, 1))


def mark(org, user, year=2025, **data):
    return services.record_filing(principal_for(user, org), tax_year=year, data={**IRIS, **data})


# --- The deadline ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("year", "deadline"),
    [
        (2024, date(2025, 1, 31)),  # a Friday
        (2025, date(2026, 2, 2)),  # Jan 31 is a Saturday: Monday
        (2026, date(2027, 2, 1)),  # Jan 31 is a Sunday: Monday
        (2027, date(2028, 1, 31)),
    ],
)
def test_the_deadline_is_january_31_or_the_next_business_day(year, deadline):
    assert selectors.filing_deadline(year) == deadline


def test_a_legal_holiday_moves_the_deadline(monkeypatch):
    # 2024's deadline is Friday 2025-01-31; were it a legal holiday, Monday 2025-02-03.
    monkeypatch.setattr(selectors, "_legal_holidays", lambda year: {date(2025, 1, 31)})
    assert selectors.filing_deadline(2024) == date(2025, 2, 3)


# --- Recording, correcting, undoing -----------------------------------------------------------
class TestServices:
    def test_marking_filed_ends_the_past_due_year(self, org, owner, forms_2025):
        status = selectors.filing_status(Principal.system(org), date(2026, 12, 4))
        assert [(u.year, u.forms, u.past_due) for u in status.unfiled] == [(2025, 1, True)]
        assert status.unfiled[0].sentence == "1 form for 2025 was due Feb 2, 2026"
        filing = mark(org, owner)
        assert filing.recorded_by == owner and filing.version == 1
        assert selectors.filing_status(Principal.system(org), date(2026, 12, 4)).unfiled == []
        event = AuditEvent.objects.get(organization=org, action="nec.filed")
        assert "through IRIS, confirmation 1099-R-42" in event.summary

    @pytest.mark.parametrize(
        ("data", "field", "words"),
        [
            ({"filed_on": date(2026, 12, 5)}, "filed_on", "Dec 5, 2026 is after today"),
            ({"filed_on": date(2025, 12, 30)}, "filed_on", "only once the year is over"),
            ({"confirmation": ""}, "confirmation", "Receipt ID"),
            ({"method": "service", "service_name": ""}, "service_name", "Name the filing service"),
            ({"method": "fax"}, "method", "not a valid choice"),
        ],
    )
    def test_bad_input_names_the_field_and_changes_nothing(
        self, org, owner, forms_2025, data, field, words
    ):
        with pytest.raises(Exception) as raised:
            mark(org, owner, **data)
        assert words in " ".join(raised.value.message_dict[field])
        assert not Filing1099.objects.filter(organization=org).exists()

    def test_this_year_cannot_be_filed_yet(self, org, owner):
        with pytest.raises(Exception) as raised:
            mark(org, owner, year=2026, filed_on=date(2026, 12, 1))
        assert "2026 is not over yet" in raised.value.message_dict["tax_year"][0]

    def test_paper_needs_no_confirmation_and_a_year_is_filed_once(self, org, owner, forms_2025):
        mark(org, owner, method="paper", confirmation="")
        with pytest.raises(Exception) as raised:
            mark(org, owner)
        assert "already marked filed" in raised.value.message_dict["tax_year"][0]

    def test_a_manager_cannot_record_a_filing(self, org, manager, forms_2025):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            mark(org, manager)

    def test_an_admin_corrects_and_undoes_with_the_audit_trail(self, org, owner, admin, forms_2025):
        filing = mark(org, owner)
        corrected = services.correct_filing(
            principal_for(admin, filing.organization),
            filing,
            data={"confirmation": "1099-R-43"},
            expected_version=1,
        )
        assert corrected.version == 2 and corrected.confirmation == "1099-R-43"
        from handoff.core.errors import Conflict

        with pytest.raises(Conflict):
            services.undo_filing(
                principal_for(admin, corrected.organization), corrected, expected_version=1
            )
        services.undo_filing(
            principal_for(admin, corrected.organization), corrected, expected_version=2
        )
        assert not Filing1099.objects.filter(organization=org).exists()
        actions = list(
            AuditEvent.objects.filter(organization=org, action__startswith="nec.filing")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == ["nec.filing_corrected", "nec.filing_undone"]


# --- The 1099 page ----------------------------------------------------------------------------
class TestPage:
    def test_every_year_with_payments_is_reachable_and_past_due_said(
        self, org, owner, jordan, forms_2025
    ):
        pay(org, owner, jordan, D("900"), date(2024, 4, 1), confirm_date=False)
        client = client_for(owner)
        index = client.get(reverse("compliance:nec_index", args=[org.slug]))
        assert index.url == reverse("compliance:nec", args=[org.slug, 2024])  # the oldest
        page = client.get(reverse("compliance:nec", args=[org.slug, 2025])).content.decode()
        for year in (2024, 2026):
            assert reverse("compliance:nec", args=[org.slug, year]) in page
        assert "1 form for 2025 was due Feb 2, 2026" in page
        assert "Mark 2025 filed" in page

    def test_an_owner_marks_the_year_filed_on_the_page(self, org, owner, forms_2025):
        client = client_for(owner)
        url = reverse("compliance:nec_filing", args=[org.slug, 2025])
        bad = client.post(url, {"filed_on": "2026-01-20", "method": "iris"})
        assert "Receipt ID" in bad.content.decode()
        assert not Filing1099.objects.filter(organization=org).exists()
        response = client.post(
            url, {"filed_on": "2026-01-20", "method": "iris", "confirmation": "R-7"}, follow=True
        )
        page = response.content.decode()
        assert "filed on Jan 20, 2026 through IRIS, confirmation R-7" in page
        assert "Correct the filing record" in page

    def test_a_manager_sees_no_filing_form(self, org, manager, forms_2025):
        page = client_for(manager).get(reverse("compliance:nec", args=[org.slug, 2025]))
        assert "Mark 2025 filed" not in page.content.decode()

    def test_the_overview_lists_the_years_still_to_file(self, org, owner, viewer, forms_2025):
        overview = reverse("compliance:overview", args=[org.slug])
        page = client_for(viewer).get(overview).content.decode()
        assert "1 form for 2025 was due Feb 2, 2026" in page and "past due" in page
        mark(org, owner)
        page = client_for(viewer).get(overview).content.decode()
        assert "1 form for 2025 was due" not in page
        assert "Filed on Jan 20, 2026 through IRIS, confirmation 1099-R-42" in page

    def test_no_payments_at_all_is_said_plainly(self, org, viewer):
        page = client_for(viewer).get(reverse("compliance:nec", args=[org.slug, 2025]))
        assert "No payments are recorded yet" in page.content.decode()


# --- The API ----------------------------------------------------------------------------------
class TestApi:
    def test_record_read_correct_and_undo(self, org, owner, forms_2025):
        api = api_client_for(owner, org)
        status = api.get("/api/v1/compliance/1099").json()
        assert status["unfiled"] == [
            {
                "year": 2025,
                "forms": 1,
                "deadline": "2026-02-02",
                "past_due": True,
                "message": "1 form for 2025 was due Feb 2, 2026.",
            }
        ]
        assert api.get("/api/v1/compliance/1099/2025").json()["past_due"] is True
        bad = api.post("/api/v1/compliance/1099/2025/filing", {"filed_on": "2026-01-20"})
        assert bad.status_code == 422
        created = api.post(
            "/api/v1/compliance/1099/2025/filing",
            {"filed_on": "2026-01-20", "method": "iris", "confirmation": "R-1"},
        )
        assert created.status_code == 201, created.content
        assert created.json()["version"] == 1
        again = api.post(
            "/api/v1/compliance/1099/2025/filing",
            {"filed_on": "2026-01-20", "method": "paper"},
        )
        assert again.status_code == 422 and again.json()["errors"][0]["field"] == "tax_year"
        report = api.get("/api/v1/compliance/1099/2025").json()
        assert report["past_due"] is False and report["filing"]["confirmation"] == "R-1"
        assert api.get("/api/v1/compliance/1099").json()["unfiled"] == []
        stale = api.patch("/api/v1/compliance/1099/2025/filing", {"version": 9})
        assert stale.status_code == 409
        fixed = api.patch(
            "/api/v1/compliance/1099/2025/filing", {"confirmation": "R-2", "version": 1}
        )
        assert fixed.status_code == 200 and fixed.json()["confirmation"] == "R-2"
        future = api.patch("/api/v1/compliance/1099/2025/filing", {"filed_on": "2027-01-01"})
        assert future.status_code == 422 and future.json()["errors"][0]["field"] == "filed_on"
        assert api.client.delete(
            "/api/v1/compliance/1099/2025/filing?version=2", **api.auth
        ).status_code in (204, 200)
        assert api.get("/api/v1/compliance/1099/2025/filing").status_code == 404

    def test_a_manager_gets_403(self, org, manager, forms_2025):
        api = api_client_for(manager, org)
        response = api.post(
            "/api/v1/compliance/1099/2025/filing",
            {"filed_on": "2026-01-20", "method": "paper"},
        )
        assert response.status_code == 403

    def test_another_organizations_filing_is_404(self, org, owner, other_org, outsider, forms_2025):
        mark(org, owner)
        api = api_client_for(outsider, other_org)
        assert api.get("/api/v1/compliance/1099/2025/filing").status_code == 404
        assert (
            api.patch("/api/v1/compliance/1099/2025/filing", {"confirmation": "X"}).status_code
            == 404
        )
        assert (
            api.client.delete("/api/v1/compliance/1099/2025/filing", **api.auth).status_code == 404
        )
        assert api.get("/api/v1/compliance/1099").json()["filings"] == []
        assert Filing1099.objects.filter(organization=org).get().confirmation == "1099-R-42"


def test_the_filing_status_costs_the_same_queries_for_one_year_or_four(
    org, owner, jordan, django_assert_max_num_queries
):
    from tests.factories import ProviderFactory

    pay(org, owner, jordan, D("2500"), date(2025, 6, 1))
    with django_assert_max_num_queries(20) as few:
        assert len(selectors.filing_status(Principal.system(org), date(2026, 12, 4)).unfiled) == 1
    for year in (2022, 2023, 2024):
        other = ProviderFactory(organization=org, entity_type="sole_proprietor")
        pay(org, owner, other, D("900"), date(year, 6, 1), confirm_date=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert [
            u.year
            for u in selectors.filing_status(Principal.system(org), date(2026, 12, 4)).unfiled
        ] == [
            2022,
            2023,
            2024,
            2025,
        ]
