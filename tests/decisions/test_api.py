import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from handoff.core.models import AuditEvent
from handoff.decisions import services
from handoff.decisions.models import Analysis, BusinessFunction, Decision, InHouseRole, Quote
from tests.conftest import api_client_for, client_for
from tests.decisions.conftest import furnish
from tests.factories import ProviderFactory, principal_for

API = "/api/v1"


def send(api, method, path, data=None):
    if method == "get":
        return api.get(path)
    if method == "post":
        return api.post(path, data)
    if method == "delete":
        return api.client.delete(path, **api.auth)
    return api.patch(path, data or {})


def errors_of(response) -> dict[str, str]:
    assert response.status_code == 422, (response.status_code, response.content)
    return {error["field"]: error["message"] for error in response.json()["errors"]}


@pytest.fixture
def api(org, manager):
    return api_client_for(manager, org)


@pytest.mark.django_db
class TestTheWholeAnalysis:
    def test_start_fill_in_compare_and_decide(self, org, api, manager, bookkeeping, ledgerline):
        created = api.post(
            f"{API}/functions/{bookkeeping.pk}/analyses",
            {"year": 2026, "volume_unit": "invoice", "monthly_volume": "400"},
        )
        assert created.status_code == 201, created.content
        analysis_id = created.json()["id"]
        base = f"{API}/analyses/{analysis_id}"
        assert created.json()["in_house"]["federal_unemployment_percent"] == "0.600"
        assert created.json()["report"]["in_house"]["complete"] is False

        in_house = api.patch(
            f"{base}/in-house",
            {
                "manager_hours": "4",
                "manager_period": "month",
                "manager_hourly_rate": "60",
                "control": 5,
            },
        )
        assert in_house.status_code == 200, in_house.content
        kept = in_house.json()
        assert (D(kept["manager_hours"]), kept["manager_period"]) == (4, "month")
        assert D(kept["manager_hours_a_year"]) == 48
        role = api.post(
            f"{base}/roles",
            {
                "title": "Bookkeeper",
                "annual_salary": "52000",
                "overhead_per_person": "3000",
                "recruiting_cost": "4000",
                "training_cost": "2000",
            },
        )
        assert role.status_code == 201, role.content
        # Left out, the load is the cited benefits-only default.
        assert role.json()["benefits_load_percent"] == "24.300"
        flat = api.post(
            f"{base}/quotes",
            {
                "provider_id": ledgerline.pk,
                "pricing_model": "flat",
                "amount": "1250",
                "transition_cost": "1500",
                "oversight_hours": "2",
                "oversight_period": "month",
                "oversight_hourly_rate": "60",
            },
        ).json()
        assert (flat["oversight_hours"], flat["oversight_hours_a_year"]) == ("2.00", "24.00")
        assert (flat["display_name"], flat["provider_name"]) == ("Ledgerline", "Ledgerline")
        tiered = api.post(
            f"{base}/quotes",
            {
                "name": "Invoicely",
                "pricing_model": "per_unit",
                "amount": "4.25",
                "unit_name": "invoice",
                "monthly_quantity": "400",
                "tiers": [{"from_units": "1000", "to_units": None, "unit_price": "3.75"}],
            },
        ).json()
        assert tiered["tiers"] == [
            {"from_units": "1000.00", "to_units": None, "unit_price": "3.75"}
        ]

        report = api.get(f"{base}/report").json()
        # 73,656 for the bookkeeper + 2,880 for the manager (worked in test_costing).
        assert report["in_house"]["annual_cost"] == "76536.00"
        assert report["in_house"]["payroll_taxes"] == {
            "social_security": "3224.00",
            "medicare": "754.00",
            "federal_unemployment": "42.00",
            "state_unemployment": "0.00",
            "total": "4020.00",
            "added": True,
        }
        by_id = {row["quote_id"]: row for row in report["quotes"]}
        assert by_id[flat["id"]] | {"summary": "", "freed_hours": []} == {
            "quote_id": flat["id"],
            "name": "Ledgerline",
            "annual_cost": "16440.00",
            "provider_fees": "15000.00",
            "oversight": "1440.00",
            "transition_cost": "1500.00",
            "first_year_cost": "17940.00",
            "savings": "60096.00",
            "savings_percent": "78.5",
            "break_even_volume": None,
            "payback_months": "0.30",
            "hours_freed": "2104.00",
            # Each hour at its person's rate: the bookkeeper's 2,080 at the role's 73,656 over
            # 2,080 hours, the manager's 48 at 60, less 24 oversight hours at 60.
            "value_of_hours_freed": "75096.00",
            "freed_hours": [],
            "summary": "",
        }
        assert [
            (row["whose"], row["as_entered"], row["hours_a_year"], row["rate"], row["value"])
            for row in by_id[flat["id"]]["freed_hours"]
        ] == [
            ("role", None, "2080.00", "35.41", "73656.00"),
            ("manager", "4 h/month", "48.00", "60.00", "2880.00"),
            ("oversight", "2 h/month", "-24.00", "60.00", "-1440.00"),
        ]
        # (76,536 / 12 − 4,250) / 3.75 + 1,000 = 1,567.47 invoices a month.
        assert by_id[tiered["id"]]["break_even_volume"] == "1567.47"
        assert [row["change_percent"] for row in report["sensitivity"]] == [
            "-50",
            "-25",
            "0",
            "25",
            "50",
        ]
        assert report["sensitivity"][0]["quotes"] == [
            {"quote_id": flat["id"], "annual_cost": "16440.00"},
            {"quote_id": tiered["id"], "annual_cost": "10200.00"},
        ]
        control = next(row for row in report["factors"] if row["factor"] == "control")
        assert control["in_house"] == 5
        assert report["figures"]["payroll_year"] == 2026
        assert "IRS Topic 751" in report["figures"]["payroll_source"]

        decided = api.post(
            f"{base}/decision",
            {"chosen_quote_id": flat["id"], "reason": "Cheapest, and good references."},
        )
        assert decided.status_code == 201, decided.content
        assert decided.json() | {"id": 0, "decided_at": "", "plan_starts_on": ""} == {
            "id": 0,
            "analysis_id": analysis_id,
            "function_id": bookkeeping.pk,
            "function_name": "Bookkeeping",
            "chosen_option": "quote",
            "chosen_quote_id": flat["id"],
            "provider_id": ledgerline.pk,
            "provider_name": "Ledgerline",
            "option_name": "Ledgerline",
            "planned_annual_cost": "16440.00",
            "in_house_annual_cost": "76536.00",
            "planned_savings": "60096.00",
            "transition_cost": "1500.00",
            "plan_starts_on": "",
            "reason": "Cheapest, and good references.",
            "decided_by_id": manager.pk,
            "decided_by_name": "Mona Manager",
            "decided_at": "",
        }
        assert api.get(f"{base}/decision").json()["planned_annual_cost"] == "16440.00"
        plans = api.get(f"{API}/decisions", function=bookkeeping.pk, provider=ledgerline.pk)
        assert [plan["id"] for plan in plans.json()["results"]] == [decided.json()["id"]]
        # Decided, the analysis is the plan and no longer changes.
        refused = api.post(f"{base}/roles", {"title": "Clerk", "annual_salary": "30000"})
        assert "start a new analysis" in errors_of(refused)["body"]

    def test_the_pdf(self, org, api, owner, analysis):
        furnish(analysis, owner)
        response = api.get(f"{API}/analyses/{analysis.pk}/pdf")
        assert response["Content-Type"] == "application/pdf"
        text = " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        assert "Doing it in-house costs $76,536.00 a year" in " ".join(text.split())

    def test_a_new_analysis_archives_the_current_one(self, org, api, owner, analysis):
        furnish(analysis, owner)
        response = api.post(
            f"{API}/functions/{analysis.function_id}/analyses",
            {"volume_unit": "invoice", "monthly_volume": "450", "copy_previous": True},
        )
        assert response.status_code == 201
        assert len(response.json()["quotes"]) == 2 and len(response.json()["roles"]) == 1
        history = api.get(f"{API}/analyses", function=analysis.function_id, current=False).json()
        assert [row["id"] for row in history["results"]] == [analysis.pk]
        assert history["results"][0]["in_house_annual_cost"] == "76536.00"

    def test_patches_change_only_what_was_sent(self, org, api, owner, analysis):
        role, flat, tiered = furnish(analysis, owner)
        api.patch(f"{API}/analyses/{analysis.pk}/roles/{role.pk}", {"headcount": 2})
        role.refresh_from_db()
        assert (role.headcount, role.annual_salary) == (2, 52000)
        api.patch(f"{API}/analyses/{analysis.pk}/quotes/{tiered.pk}", {"amount": "4.00"})
        assert [t.from_units for t in tiered.tiers.all()] == [1000]  # tiers untouched
        api.patch(f"{API}/analyses/{analysis.pk}/quotes/{tiered.pk}", {"tiers": []})
        assert not tiered.tiers.exists()
        stale = api.patch(f"{API}/analyses/{analysis.pk}", {"monthly_volume": "500", "version": 99})
        assert stale.status_code == 409
        done = api.patch(f"{API}/analyses/{analysis.pk}", {"monthly_volume": "500", "version": 1})
        assert done.json()["monthly_volume"] == "500.00" and done.json()["version"] == 2

    def test_deleting_rows(self, org, api, owner, analysis):
        role, flat, _ = furnish(analysis, owner)
        base = f"{API}/analyses/{analysis.pk}"
        assert send(api, "delete", f"{base}/roles/{role.pk}").status_code == 204
        assert send(api, "delete", f"{base}/quotes/{flat.pk}").status_code == 204
        assert not InHouseRole.objects.exists() and not Quote.objects.filter(pk=flat.pk).exists()

    def test_the_dated_figures_and_their_sources(self, api):
        figures = api.get(f"{API}/decide/figures").json()
        bases = {
            row["effective_from"]: row["social_security_wage_base"]
            for row in figures["payroll_tax_rates"]
        }
        assert bases == {
            "2027-01-01": "192300.00",
            "2026-01-01": "184500.00",
            "2025-01-01": "176100.00",
            "2024-01-01": "168600.00",
        }
        (latest, *_) = figures["payroll_tax_rates"]
        assert "$192,300 for 2027: SSA's 2027" in latest["source"]
        assert (latest["social_security_percent"], latest["medicare_percent"]) == ("6.200", "1.450")
        (benefits,) = figures["benefits_load_defaults"]
        assert (benefits["combined_percent"], benefits["benefits_only_percent"]) == (
            "35.000",
            "24.300",
        )
        assert "BLS, Employer Costs for Employee Compensation" in benefits["source"]


@pytest.mark.django_db
class TestInvalidInput:
    @pytest.mark.parametrize(
        ("body", "field", "message"),
        [
            ({"annual_salary": "-1"}, "annual_salary", "This cannot be negative."),
            ({"paid_hours_per_year": "9000"}, "paid_hours_per_year", "at most 8,784 hours"),
            ({"benefits_load_percent": "201"}, "benefits_load_percent", "above 200% of wages"),
            ({"annual_salary": None}, "annual_salary", "Give the annual salary."),
            ({"headcount": "x"}, "headcount", "valid integer"),
            ({"freed": "hours"}, "freed_hours", "Give the hours freed"),
            (
                {"freed": "hours", "freed_hours": "200", "freed_period": "month"},
                "freed_hours",
                "200 h/month is 2,400 hours a year, more than the 2,080 hours",
            ),
            ({"freed_period": "fortnight"}, "freed_period", "Input should be"),
            ({"freed": "half"}, "freed", "Input should be"),
        ],
    )
    def test_a_bad_role_is_422_and_saves_nothing(self, api, analysis, body, field, message):
        payload = {"title": "Bookkeeper", "annual_salary": "52000", **body}
        response = api.post(f"{API}/analyses/{analysis.pk}/roles", payload)
        assert message in errors_of(response)[field]
        assert not InHouseRole.objects.exists()

    @pytest.mark.parametrize(
        ("body", "field", "message"),
        [
            ({"amount": "-1"}, "amount", "This cannot be negative."),
            (
                {"pricing_model": "per_unit", "unit_name": "claim", "monthly_quantity": "0"},
                "monthly_quantity",
                "A per-unit quote needs a volume above zero",
            ),
            (
                {
                    "pricing_model": "per_unit",
                    "unit_name": "claim",
                    "monthly_quantity": "640",
                    "tiers": [
                        {"from_units": "0", "to_units": "1000", "unit_price": "4"},
                        {"from_units": "1500", "to_units": None, "unit_price": "3"},
                    ],
                },
                "tiers",
                "Gap: one tier ends at 1,000 units and the next starts at 1,500",
            ),
            (
                {
                    "pricing_model": "per_unit",
                    "unit_name": "claim",
                    "monthly_quantity": "640",
                    "tiers": [
                        {"from_units": "0", "to_units": "1000", "unit_price": "4"},
                        {"from_units": "900", "to_units": None, "unit_price": "3"},
                    ],
                },
                "tiers",
                "Overlap",
            ),
            (
                {
                    "pricing_model": "per_unit",
                    "unit_name": "claim",
                    "monthly_quantity": "640",
                    "tiers": [{"from_units": "-5", "to_units": None, "unit_price": "3"}],
                },
                "tiers",
                "Tier 1: from (units a month): This cannot be negative.",
            ),
            ({"provider_id": 999999}, "provider_id", "Choose a provider of this organization."),
            ({"pricing_model": "barter"}, "pricing_model", "Input should be"),
            ({"oversight_hours": "169"}, "oversight_hours", "A week has at most 168 hours"),
            (
                {"oversight_hours": "8785", "oversight_period": "year"},
                "oversight_hours",
                "A year has at most 8,784 hours",
            ),
            ({"oversight_hours": "-1"}, "oversight_hours", "This cannot be negative."),
            ({"oversight_period": "fortnight"}, "oversight_period", "Input should be"),
        ],
    )
    def test_a_bad_quote_is_422_and_saves_nothing(self, api, analysis, body, field, message):
        payload = {"name": "Someone", "pricing_model": "flat", "amount": "100", **body}
        response = api.post(f"{API}/analyses/{analysis.pk}/quotes", payload)
        assert message in errors_of(response)[field]
        assert not Quote.objects.exists()

    def test_another_organizations_provider_is_422(self, api, analysis, other_org):
        foreign = ProviderFactory(organization=other_org)
        response = api.post(
            f"{API}/analyses/{analysis.pk}/quotes",
            {"provider_id": foreign.pk, "amount": "100"},
        )
        assert errors_of(response) == {"provider_id": "Choose a provider of this organization."}

    def test_bad_analyses_and_in_house_options(self, api, analysis, bookkeeping):
        response = api.post(
            f"{API}/functions/{bookkeeping.pk}/analyses",
            {"volume_unit": "invoice", "monthly_volume": "0"},
        )
        assert errors_of(response) == {"monthly_volume": "Enter more than zero."}
        assert Analysis.objects.count() == 1  # the current one, not archived
        assert Analysis.objects.get().archived_at is None
        response = api.patch(f"{API}/analyses/{analysis.pk}/in-house", {"mode": "actual"})
        assert "Give the current annual cost" in errors_of(response)["actual_annual_cost"]
        response = api.patch(f"{API}/analyses/{analysis.pk}/in-house", {"control": 7})
        assert "7" in errors_of(response)["control"]
        response = api.patch(f"{API}/analyses/{analysis.pk}/in-house", {"manager_hours": "169"})
        assert "A week has at most 168 hours" in errors_of(response)["manager_hours"]
        response = api.patch(
            f"{API}/analyses/{analysis.pk}/in-house", {"manager_period": "fortnight"}
        )
        assert "Input should be" in errors_of(response)["manager_period"]
        analysis.in_house.refresh_from_db()
        assert (analysis.in_house.manager_hours, analysis.in_house.manager_period) == (0, "week")

    def test_a_bad_decision_is_422(self, api, owner, analysis, other_org, outsider):
        furnish(analysis, owner)
        base = f"{API}/analyses/{analysis.pk}/decision"
        assert "reason" in errors_of(api.post(base, {"chosen_quote_id": None, "reason": " "}))
        foreign_analysis = services.start_analysis(
            principal_for(outsider, other_org),
            BusinessFunction.objects.filter(organization=other_org).get(name="Billing"),
            data={"volume_unit": "claim", "monthly_volume": D(640)},
        )
        foreign = services.add_quote(
            principal_for(outsider, foreign_analysis.organization),
            foreign_analysis,
            data={"name": "X", "amount": D(1)},
        )
        response = api.post(base, {"chosen_quote_id": foreign.pk, "reason": "x"})
        assert errors_of(response) == {
            "chosen_quote_id": "Choose one of this analysis's quotes, or in-house."
        }
        assert not Decision.objects.exists()


# --- Who may do what -----------------------------------------------------------------------------
WRITES = [
    ("post", "/functions/{function}/analyses", {"volume_unit": "unit", "monthly_volume": "1"}),
    ("patch", "/analyses/{analysis}", {"notes": "x"}),
    ("patch", "/analyses/{analysis}/in-house", {"control": 3}),
    ("post", "/analyses/{analysis}/roles", {"title": "Clerk", "annual_salary": "1"}),
    ("patch", "/analyses/{analysis}/roles/{role}", {"headcount": 2}),
    ("delete", "/analyses/{analysis}/roles/{role}", None),
    ("post", "/analyses/{analysis}/quotes", {"name": "X", "amount": "1"}),
    ("patch", "/analyses/{analysis}/quotes/{quote}", {"amount": "2"}),
    ("delete", "/analyses/{analysis}/quotes/{quote}", None),
    ("post", "/analyses/{analysis}/decision", {"chosen_quote_id": None, "reason": "x"}),
]
READS = [
    "/analyses",
    "/analyses/{analysis}",
    "/analyses/{analysis}/report",
    "/analyses/{analysis}/pdf",
    "/decisions",
    "/decide/figures",
]


def ids_of(owner, analysis):
    role, quote, _ = furnish(analysis, owner)
    return {
        "function": analysis.function_id,
        "analysis": analysis.pk,
        "role": role.pk,
        "quote": quote.pk,
    }


@pytest.mark.django_db
class TestRoles:
    @pytest.mark.parametrize(("method", "path", "body"), WRITES)
    def test_a_member_cannot_write(self, org, owner, member, analysis, method, path, body):
        ids = ids_of(owner, analysis)
        api = api_client_for(member, org)
        events = AuditEvent.objects.filter(organization=org).count()
        response = send(api, method, API + path.format(**ids), body)
        assert response.status_code == 403, response.content
        assert AuditEvent.objects.filter(organization=org).count() == events

    @pytest.mark.parametrize(("method", "path", "body"), WRITES)
    def test_a_manager_can(self, org, owner, manager, analysis, method, path, body):
        ids = ids_of(owner, analysis)
        response = send(api_client_for(manager, org), method, API + path.format(**ids), body)
        assert response.status_code in (200, 201, 204), response.content

    @pytest.mark.parametrize("path", READS)
    def test_a_viewer_reads_everything(self, org, owner, viewer, analysis, path):
        ids = ids_of(owner, analysis)
        response = api_client_for(viewer, org).get(API + path.format(**ids))
        assert response.status_code == 200, response.content


@pytest.mark.django_db
class TestOtherOrganizations:
    @pytest.fixture
    def foreign(self, other_org, outsider):
        analysis = services.start_analysis(
            principal_for(outsider, other_org),
            BusinessFunction.objects.filter(organization=other_org).get(name="Bookkeeping"),
            data={"volume_unit": "invoice", "monthly_volume": D(400)},
        )
        return ids_of(outsider, analysis)

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            *WRITES,
            ("get", "/analyses/{analysis}", None),
            ("get", "/analyses/{analysis}/report", None),
            ("get", "/analyses/{analysis}/pdf", None),
            ("get", "/analyses/{analysis}/decision", None),
        ],
    )
    def test_it_is_404(self, org, owner, other_org, foreign, method, path, body):
        events = AuditEvent.objects.filter(organization=other_org).count()
        response = send(api_client_for(owner, org), method, API + path.format(**foreign), body)
        assert response.status_code == 404, response.content
        assert AuditEvent.objects.filter(organization=other_org).count() == events

    def test_a_row_of_another_analysis_is_404(self, org, owner, analysis):
        ids = ids_of(owner, analysis)
        other = services.start_analysis(
            principal_for(owner, org),
            BusinessFunction.objects.filter(organization=org).get(name="Billing"),
            data={"volume_unit": "claim", "monthly_volume": D(640)},
        )
        api = api_client_for(owner, org)
        path = f"{API}/analyses/{other.pk}/quotes/{ids['quote']}"
        assert send(api, "patch", path, {"amount": "1"}).status_code == 404

    def test_lists_never_show_them(self, org, owner, other_org, foreign):
        api = api_client_for(owner, org)
        assert api.get(f"{API}/analyses").json()["count"] == 0
        assert api.get(f"{API}/decisions").json()["count"] == 0


# --- Lists cost the same number of queries however long they are ------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/analyses", "/decisions"])
def test_lists_do_not_grow_with_their_length(org, owner, manager, path):
    api = api_client_for(manager, org)

    def seed(count):
        for index in range(count):
            function = services.add_business_function(
                principal_for(owner, org), name=f"F {count}-{index}"
            )
            analysis = services.start_analysis(
                principal_for(owner, function.organization),
                function,
                data={"volume_unit": "unit", "monthly_volume": D(100)},
            )
            _, flat, _ = furnish(analysis, owner)
            services.record_decision(
                principal_for(owner, analysis.organization),
                analysis,
                chosen_quote_id=flat.pk,
                reason="x",
            )

    seed(2)
    api.get(API + path)  # warm: the token's first use writes once
    with CaptureQueriesContext(connection) as few:
        assert api.get(API + path).json()["count"] == 2
    seed(6)
    with CaptureQueriesContext(connection) as many:
        assert api.get(API + path).json()["count"] == 8
    assert len(many) == len(few)


@pytest.mark.django_db
def test_the_openapi_document_describes_the_analysis(org, owner):
    document = client_for(owner).get(f"{API}/openapi.json").json()
    assert {
        "/api/v1/analyses",
        "/api/v1/functions/{function_id}/analyses",
        "/api/v1/analyses/{analysis_id}/report",
        "/api/v1/analyses/{analysis_id}/decision",
        "/api/v1/decisions",
        "/api/v1/functions",  # the business functions, still there beside the analyses
    } <= set(document["paths"])
    assert (
        "payroll_taxes_in_load" in document["components"]["schemas"]["InHousePatch"]["properties"]
    )


@pytest.mark.django_db
class TestHoursAsEntered:
    def test_oversight_per_week_is_kept_and_counted_52_times_a_year(self, api, analysis):
        response = api.post(
            f"{API}/analyses/{analysis.pk}/quotes",
            {
                "name": "Ledgerline",
                "amount": "1250",
                "oversight_hours": "2",
                "oversight_period": "week",
                "oversight_hourly_rate": "60",
            },
        )
        assert response.status_code == 201, response.content
        quote = response.json()
        assert (D(quote["oversight_hours"]), quote["oversight_period"]) == (2, "week")
        assert D(quote["oversight_hours_a_year"]) == 104
        stored = Quote.objects.get(pk=quote["id"])
        assert (stored.oversight_hours, stored.oversight_period) == (D("2.00"), "week")
        line = api.get(f"{API}/analyses/{analysis.pk}/report").json()["quotes"][0]
        assert line["oversight"] == "6240.00"  # 104 hours × 60

    def test_stated_freed_hours_and_their_rates_in_the_report(self, api, owner, analysis):
        role, flat, _ = furnish(analysis, owner)
        response = api.patch(
            f"{API}/analyses/{analysis.pk}/roles/{role.pk}",
            {"freed": "hours", "freed_hours": "10", "freed_period": "week"},
        )
        assert response.status_code == 200, response.content
        assert (response.json()["freed"], response.json()["freed_period"]) == ("hours", "week")
        api.patch(f"{API}/analyses/{analysis.pk}/in-house", {"value_per_freed_hour": None})
        quotes = api.get(f"{API}/analyses/{analysis.pk}/report").json()["quotes"]
        by_id = {row["quote_id"]: row for row in quotes}
        rows = by_id[flat.pk]["freed_hours"]
        assert [(r["whose"], r["role_id"], r["as_entered"], r["hours_a_year"]) for r in rows] == [
            ("role", role.pk, "10 h/week", "520.00"),
            ("manager", None, "4 h/month", "48.00"),
            ("oversight", None, "2 h/month", "-24.00"),
        ]
        assert [(r["rate"], r["rate_basis"]) for r in rows] == [
            ("35.41", "role_rate"),  # 73,656 over 2,080 hours
            ("60.00", "manager_rate"),
            ("60.00", "oversight_rate"),
        ]
        # 520 × 73,656 / 2,080 = 18,414; + 2,880 − 1,440.
        assert by_id[flat.pk]["value_of_hours_freed"] == "19854.00"
        assert by_id[flat.pk]["hours_freed"] == "544.00"

    def test_a_year_with_no_row_says_which_figures_it_used(self, api, analysis):
        api.patch(f"{API}/analyses/{analysis.pk}", {"year": 2031})
        figures = api.get(f"{API}/analyses/{analysis.pk}/report").json()["figures"]
        assert (figures["payroll_year"], figures["payroll_is_fallback"]) == (2027, True)
        assert "no figures for 2031 yet, so 2027's are used" in figures["note"]
