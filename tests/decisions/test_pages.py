import io
import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from handoff.core.models import AuditEvent
from handoff.core.principal import Principal
from handoff.decisions import costing, selectors, services
from handoff.decisions.models import (
    Analysis,
    BusinessFunction,
    Decision,
    InHouseRole,
    Quote,
    QuoteTier,
)
from tests.conftest import client_for
from tests.decisions.conftest import BOOKKEEPER, furnish
from tests.factories import ProviderFactory, principal_for


def url(name, org, *args):
    return reverse(f"decisions:{name}", args=[org.slug, *args])


def text_of(response) -> str:
    """The page's visible words, without markup, in one line."""
    body = response.content.decode()
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.DOTALL)
    body = re.sub(r"<[^>]+>", " ", body)
    text = " ".join(body.replace("&#x27;", "'").replace("&amp;", "&").split())
    return re.sub(r" ([,.;:)])", r"\1", text)


def role_form(**overrides):
    data = {
        "title": "Bookkeeper",
        "headcount": 1,
        "pay_basis": "salary",
        "annual_salary": "52000",
        "hourly_wage": "",
        "paid_hours_per_year": "2080",
        "benefits_load_percent": "24.3",
        "overhead_per_person": "3000",
        "recruiting_cost": "4000",
        "training_cost": "2000",
        "expected_tenure_years": "3",
        "freed": "derived",
        "freed_hours": "",
        "freed_period": "week",
    }
    return {**data, **overrides}


def quote_form(**overrides):
    data = {
        "provider": "",
        "name": "Ledgerline",
        "pricing_model": "flat",
        "amount": "1250",
        "fee_period": "month",
        "unit_name": "",
        "monthly_quantity": "",
        "tiers": "",
        "transition_cost": "0",
        "oversight_hours": "0",
        "oversight_period": "week",
        "oversight_hourly_rate": "0",
        "turnaround": "",
        "notes": "",
    }
    return {**data, **overrides}


def in_house_form(**overrides):
    data = {
        "mode": "build_up",
        "actual_annual_cost": "",
        "actual_hours_per_year": "",
        "federal_unemployment_percent": "0.6",
        "state_unemployment_percent": "0",
        "state_unemployment_wage_base": "",
        "manager_hours": "0",
        "manager_period": "week",
        "manager_hourly_rate": "0",
        "value_per_freed_hour": "",
    }
    return {**data, **overrides}


@pytest.mark.django_db
class TestAnalyses:
    def test_a_manager_starts_an_analysis_from_the_function_list(self, org, manager, bookkeeping):
        client = client_for(manager)
        functions = client.get(url("functions", org)).content.decode()
        assert url("function_analyses", org, bookkeeping.pk) in functions
        response = client.post(
            url("start", org, bookkeeping.pk),
            {"year": 2026, "volume_unit": "invoice", "monthly_volume": "400", "notes": ""},
        )
        analysis = Analysis.objects.filter(organization=org).get()
        assert response["Location"] == analysis.get_absolute_url()
        assert (analysis.year, analysis.monthly_volume, analysis.created_by) == (2026, 400, manager)
        # A new analysis starts with the table's FUTA rate, editable from there.
        assert analysis.in_house.federal_unemployment_percent == D("0.6")

    def test_a_new_analysis_archives_the_current_one_and_can_start_from_it(
        self, org, owner, manager, analysis, ledgerline
    ):
        furnish(analysis, owner, ledgerline)
        client_for(manager).post(
            url("start", org, analysis.function.pk),
            {
                "year": 2027,
                "volume_unit": "invoice",
                "monthly_volume": "450",
                "copy_previous": "on",
            },
        )
        analysis.refresh_from_db()
        current = Analysis.objects.filter(organization=org).get(archived_at__isnull=True)
        assert analysis.archived_at is not None and analysis.archived_by == manager
        assert [r.title for r in current.roles.all()] == ["Bookkeeper"]
        assert sorted(q.display_name for q in current.quotes.all()) == ["Invoicely", "Ledgerline"]
        per_invoice = current.quotes.get(name="Invoicely")
        assert [(t.from_units, t.unit_price) for t in per_invoice.tiers.all()] == [
            (1000, D("3.75"))
        ]
        assert (current.in_house.manager_hours, current.in_house.manager_period) == (4, "month")
        history = client_for(manager).get(url("function_analyses", org, analysis.function.pk))
        assert "Archived" in text_of(history) and "Current" in text_of(history)

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"monthly_volume": "0"}, "monthly_volume", "Enter more than zero."),
            ({"monthly_volume": "-5"}, "monthly_volume", "Enter more than zero."),
            ({"year": "1999"}, "year", "Choose a year from 2000."),
            ({"volume_unit": ""}, "volume_unit", "This field is required."),
        ],
    )
    def test_bad_analysis_input_is_refused_and_nothing_is_saved(
        self, org, manager, bookkeeping, overrides, field, message
    ):
        data = {"year": 2026, "volume_unit": "invoice", "monthly_volume": "400", **overrides}
        response = client_for(manager).post(url("start", org, bookkeeping.pk), data)
        assert response.status_code == 200
        assert message in response.context["form"].errors[field]
        assert not Analysis.objects.exists()

    def test_a_stale_edit_is_refused(self, org, manager, analysis):
        client = client_for(manager)
        data = {"year": 2026, "volume_unit": "invoice", "monthly_volume": "500", "version": 1}
        assert client.post(url("edit", org, analysis.pk), data).status_code == 302
        stale = client.post(url("edit", org, analysis.pk), {**data, "monthly_volume": "9"})
        assert "Someone changed this since you opened it" in stale.content.decode()
        analysis.refresh_from_db()
        assert (analysis.monthly_volume, analysis.version) == (500, 2)


@pytest.mark.django_db
class TestInHouse:
    def test_the_page_shows_the_build_up_and_the_summary(self, org, viewer, owner, analysis):
        furnish(analysis, owner)
        page = text_of(client_for(viewer).get(analysis.get_absolute_url()))
        assert "Doing it in-house costs $76,536.00 a year for 1 person" in page
        assert "$12,636.00 in benefits, $4,020.00 in employer payroll taxes" in page
        assert "4 h/month (48 hours a year) of a manager's time ($2,880.00)" in page

    def test_the_role_form_offers_the_cited_default_load(self, org, manager, analysis):
        response = client_for(manager).get(url("role_create", org, analysis.pk))
        assert response.context["form"]["benefits_load_percent"].value() == D("24.3")
        page = text_of(response)
        assert "Default 24.3% of wages. Benefits only" in page
        assert "BLS Employer Costs for Employee Compensation, March 2026" in page

    def test_a_role_is_added(self, org, manager, analysis):
        response = client_for(manager).post(url("role_create", org, analysis.pk), role_form())
        assert response.status_code == 302
        role = InHouseRole.objects.filter(organization=org).get()
        assert (role.title, role.annual_salary, role.benefits_load_percent) == (
            "Bookkeeper",
            52000,
            D("24.3"),
        )

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"annual_salary": "-1"}, "annual_salary", "This cannot be negative."),
            ({"overhead_per_person": "-10"}, "overhead_per_person", "This cannot be negative."),
            ({"paid_hours_per_year": "8785"}, "paid_hours_per_year", "at most 8,784 hours"),
            ({"benefits_load_percent": "200.5"}, "benefits_load_percent", "above 200% of wages"),
            ({"annual_salary": ""}, "annual_salary", "Give the annual salary."),
            ({"pay_basis": "hourly"}, "hourly_wage", "Give the hourly wage."),
            ({"expected_tenure_years": "0"}, "expected_tenure_years", "at least 0.1 years"),
            ({"headcount": "0"}, "headcount", "At least one person."),
            ({"freed": "hours"}, "freed_hours", "Give the hours freed"),
            ({"freed": "hours", "freed_hours": "-2"}, "freed_hours", "This cannot be negative."),
            # 41 a week is 2,132 hours a year: more than the 2,080 the role is paid for.
            (
                {"freed": "hours", "freed_hours": "41"},
                "freed_hours",
                "41 h/week is 2,132 hours a year, more than the 2,080 hours the role is paid for",
            ),
            ({"freed_period": "fortnight"}, "freed_period", "not one of the available"),
            ({"freed": "half"}, "freed", "not one of the available"),
        ],
    )
    def test_bad_role_input_is_refused_with_the_reason(
        self, org, manager, analysis, overrides, field, message
    ):
        response = client_for(manager).post(
            url("role_create", org, analysis.pk), role_form(**overrides)
        )
        assert response.status_code == 200
        assert any(message in error for error in response.context["form"].errors[field])
        assert not InHouseRole.objects.exists()

    def test_8784_paid_hours_is_still_a_year(self, org, manager, analysis):
        data = role_form(pay_basis="hourly", hourly_wage="20", paid_hours_per_year="8784")
        assert (
            client_for(manager).post(url("role_create", org, analysis.pk), data).status_code == 302
        )

    def test_switching_to_the_combined_load_moves_default_roles_and_stops_adding_taxes(
        self, org, owner, manager, analysis
    ):
        furnish(analysis, owner)
        custom = services.add_role(
            principal_for(owner, analysis.organization),
            analysis,
            data={**BOOKKEEPER, "title": "Clerk", "benefits_load_percent": D("30")},
        )
        client = client_for(manager)
        response = client.post(
            url("in_house", org, analysis.pk),
            in_house_form(
                payroll_taxes_in_load="on",
                manager_hours="4",
                manager_period="month",
                manager_hourly_rate="60",
                value_per_freed_hour="45",
            ),
        )
        assert response.status_code == 302
        loads = dict(
            InHouseRole.objects.filter(organization=org).values_list(
                "title", "benefits_load_percent"
            )
        )
        assert loads == {"Bookkeeper": D("35.000"), "Clerk": D("30.000")}
        custom.refresh_from_db()
        page = text_of(client.get(analysis.get_absolute_url()))
        # Bookkeeper: 52,000 + 35% × 52,000 = 18,200 + 3,000 + 2,000 = 75,200; taxes not added.
        assert "$75,200.00" in page
        assert "in the load, not added" in page
        assert "uses the combined load, which already includes the employer's payroll taxes" in (
            page
        )

    def test_the_actual_cost_mode_needs_the_cost(self, org, manager, analysis):
        client = client_for(manager)
        response = client.post(url("in_house", org, analysis.pk), in_house_form(mode="actual"))
        assert (
            "Give the current annual cost"
            in response.context["form"].errors["actual_annual_cost"][0]
        )
        client.post(
            url("in_house", org, analysis.pk),
            in_house_form(mode="actual", actual_annual_cost="61000", actual_hours_per_year="1800"),
        )
        page = text_of(client.get(analysis.get_absolute_url()))
        assert "Doing it in-house costs $61,000.00 a year, the current actual figure" in page

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"manager_hourly_rate": "-60"}, "manager_hourly_rate", "This cannot be negative."),
            (
                {"manager_hours": "800", "manager_period": "month"},
                "manager_hours",
                "at most 744 hours",
            ),
            ({"manager_hours": "169"}, "manager_hours", "A week has at most 168 hours"),
            ({"manager_period": "fortnight"}, "manager_period", "not one of the available"),
            ({"state_unemployment_percent": "101"}, "state_unemployment_percent", "100 or less"),
            ({"value_per_freed_hour": "-1"}, "value_per_freed_hour", "This cannot be negative."),
        ],
    )
    def test_bad_in_house_input_is_refused(self, org, manager, analysis, overrides, field, message):
        response = client_for(manager).post(
            url("in_house", org, analysis.pk), in_house_form(**overrides)
        )
        assert any(message in error for error in response.context["form"].errors[field])
        option = Analysis.objects.get(pk=analysis.pk).in_house
        assert (option.manager_hourly_rate, option.manager_hours) == (0, 0)


@pytest.mark.django_db
class TestQuotes:
    def test_a_per_unit_quote_with_tiers_and_a_provider(self, org, manager, analysis, ledgerline):
        response = client_for(manager).post(
            url("quote_create", org, analysis.pk),
            quote_form(
                provider=ledgerline.pk,
                name="",
                pricing_model="per_unit",
                amount="4.25",
                unit_name="invoice",
                monthly_quantity="400",
                tiers="1000, 5000, 3.75\n5000, , 3.25",
            ),
        )
        assert response.status_code == 302
        quote = Quote.objects.filter(organization=org).get()
        assert (quote.provider, quote.display_name) == (ledgerline, "Ledgerline")
        assert [(t.from_units, t.to_units, t.unit_price) for t in quote.tiers.all()] == [
            (1000, 5000, D("3.75")),
            (5000, None, D("3.25")),
        ]

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"amount": "-1250"}, "amount", "This cannot be negative."),
            ({"transition_cost": "-1"}, "transition_cost", "This cannot be negative."),
            ({"oversight_hourly_rate": "-1"}, "oversight_hourly_rate", "This cannot be negative."),
            (
                {"pricing_model": "per_unit", "unit_name": "invoice", "monthly_quantity": "0"},
                "monthly_quantity",
                "A per-unit quote needs a volume above zero",
            ),
            (
                {"pricing_model": "hourly", "monthly_quantity": ""},
                "monthly_quantity",
                "An hourly quote needs the hours a month it bills.",
            ),
            (
                {
                    "pricing_model": "per_unit",
                    "unit_name": "invoice",
                    "monthly_quantity": "400",
                    "tiers": "0, 1000, 4\n1200, , 3",
                },
                "tiers",
                "Gap: one tier ends at 1,000 units and the next starts at 1,200",
            ),
            (
                {
                    "pricing_model": "per_unit",
                    "unit_name": "invoice",
                    "monthly_quantity": "400",
                    "tiers": "0, 1000, 4\n800, , 3",
                },
                "tiers",
                "Overlap: the tier from 800 units starts before the tier from 0 ends at 1,000",
            ),
            ({"tiers": "1000, , 3"}, "tiers", "Volume tiers apply only to a per-unit price"),
            ({"tiers": "1000 at 3"}, "tiers", "Line 1 should read 'from, to, price'"),
            ({"name": ""}, "name", "Name who quoted, or choose the provider."),
            ({"oversight_hours": "169"}, "oversight_hours", "A week has at most 168 hours"),
            (
                {"oversight_hours": "745", "oversight_period": "month"},
                "oversight_hours",
                "A month has at most 744 hours",
            ),
            ({"oversight_hours": "-1"}, "oversight_hours", "This cannot be negative."),
            ({"oversight_period": "decade"}, "oversight_period", "not one of the available"),
        ],
    )
    def test_bad_quote_input_is_refused_and_nothing_is_saved(
        self, org, manager, analysis, overrides, field, message
    ):
        response = client_for(manager).post(
            url("quote_create", org, analysis.pk), quote_form(**overrides)
        )
        assert response.status_code == 200
        assert any(message in error for error in response.context["form"].errors[field])
        assert not Quote.objects.exists() and not QuoteTier.objects.exists()

    def test_another_organizations_provider_is_refused(self, org, manager, analysis, other_org):
        foreign = ProviderFactory(organization=other_org)
        response = client_for(manager).post(
            url("quote_create", org, analysis.pk), quote_form(provider=foreign.pk)
        )
        assert "Select a valid choice" in response.context["form"].errors["provider"][0]
        assert not Quote.objects.exists()

    def test_a_flat_fee_keeps_no_volume(self, org, manager, analysis):
        # The form offers the analysis's volume; a flat fee does not use it, so it is not kept.
        form = client_for(manager).get(url("quote_create", org, analysis.pk)).context["form"]
        assert form["monthly_quantity"].value() == 400
        client_for(manager).post(
            url("quote_create", org, analysis.pk), quote_form(monthly_quantity="400")
        )
        assert Quote.objects.filter(organization=org).get().monthly_quantity is None

    def test_editing_replaces_the_tiers(self, org, owner, manager, analysis):
        _, _, per_invoice = furnish(analysis, owner)
        client_for(manager).post(
            url("quote_edit", org, analysis.pk, per_invoice.pk),
            quote_form(
                name="Invoicely",
                pricing_model="per_unit",
                amount="4.00",
                unit_name="invoice",
                monthly_quantity="400",
                tiers="500, , 3.50",
            ),
        )
        assert [(t.from_units, t.unit_price) for t in per_invoice.tiers.all()] == [(500, D("3.50"))]


@pytest.mark.django_db
class TestDecision:
    def test_the_decision_records_the_plan_and_closes_the_analysis(
        self, org, owner, manager, analysis, ledgerline
    ):
        _, flat, _ = furnish(analysis, owner, ledgerline)
        client = client_for(manager)
        response = client.post(
            url("decide", org, analysis.pk),
            {
                "option": str(flat.pk),
                "reason": "Cheapest by far; Ledgerline's references were excellent.",
                "plan_starts_on": "2026-02-01",
            },
        )
        assert response.status_code == 302
        decision = Decision.objects.filter(organization=org).get()
        # Flat 15,000 + oversight 1,440 = 16,440 planned, against 76,536 in-house.
        assert (decision.planned_annual_cost, decision.in_house_annual_cost) == (
            D("16440.00"),
            D("76536.00"),
        )
        assert (decision.function, decision.provider, decision.decided_by) == (
            analysis.function,
            ledgerline,
            manager,
        )
        assert decision.transition_cost == 1500
        page = text_of(client.get(analysis.get_absolute_url()))
        assert "Ledgerline, decided by Mona Manager" in page
        assert "Planned savings $60,096.00 a year" in page
        # The plan no longer changes: edits are refused and change nothing.
        refused = client.post(url("role_create", org, analysis.pk), role_form(), follow=True)
        assert "This analysis is decided; start a new analysis" in text_of(refused)
        assert InHouseRole.objects.filter(organization=org).count() == 1
        assert client.get(url("decide", org, analysis.pk)).status_code == 302

    def test_a_decision_needs_a_reason_and_an_option_of_this_analysis(
        self, org, owner, manager, analysis
    ):
        furnish(analysis, owner)
        response = client_for(manager).post(
            url("decide", org, analysis.pk),
            {"option": "in_house", "reason": "", "plan_starts_on": "2026-02-01"},
        )
        assert "This field is required." in response.context["form"].errors["reason"]
        response = client_for(manager).post(
            url("decide", org, analysis.pk),
            {"option": "999999", "reason": "x", "plan_starts_on": "2026-02-01"},
        )
        assert "Select a valid choice" in response.context["form"].errors["option"][0]
        assert not Decision.objects.exists()

    def test_an_archived_analysis_is_history(self, org, owner, manager, analysis):
        furnish(analysis, owner)
        services.start_analysis(
            principal_for(owner, analysis.function.organization),
            analysis.function,
            data={"volume_unit": "invoice", "monthly_volume": D(400)},
        )
        client = client_for(manager)
        response = client.post(url("quote_create", org, analysis.pk), quote_form(), follow=True)
        assert "This analysis is archived" in text_of(response)
        assert analysis.quotes.count() == 2
        page = text_of(client.get(analysis.get_absolute_url()))
        assert "Archived" in page and "Add a quote" not in page

    def test_every_change_is_in_the_audit_trail(self, org, owner, analysis):
        _, flat, _ = furnish(analysis, owner)
        services.record_decision(
            principal_for(owner, analysis.organization),
            analysis,
            chosen_quote_id=flat.pk,
            reason="x",
        )
        actions = set(AuditEvent.objects.filter(organization=org).values_list("action", flat=True))
        assert {
            "analysis.started",
            "in_house.updated",
            "role.added",
            "quote.added",
            "decision.recorded",
        } <= actions

    def test_in_house_must_be_complete_before_deciding(self, org, owner, analysis):
        with pytest.raises(Exception, match="Complete the in-house option first"):
            services.record_decision(
                principal_for(owner, analysis.organization),
                analysis,
                chosen_quote_id=None,
                reason="x",
            )
        assert not Decision.objects.exists()

    def test_later_stages_find_the_plan_by_function_and_provider(
        self, org, owner, analysis, ledgerline
    ):
        _, flat, _ = furnish(analysis, owner, ledgerline)
        decision = services.record_decision(
            principal_for(owner, analysis.organization),
            analysis,
            chosen_quote_id=flat.pk,
            reason="Cheapest",
        )
        function_id = analysis.function_id
        assert selectors.plans_for(Principal.system(org), [function_id]) == {function_id: decision}
        assert selectors.plans_for(
            Principal.system(org), [function_id], provider_id=ledgerline.pk
        ) == {function_id: decision}
        other = ProviderFactory(organization=org)
        assert selectors.plans_for(Principal.system(org), [function_id], provider_id=other.pk) == {}


@pytest.mark.django_db
class TestOutput:
    def test_the_pdf_carries_the_comparison_and_the_chart(self, org, owner, viewer, analysis):
        furnish(analysis, owner)
        response = client_for(viewer).get(url("pdf", org, analysis.pk))
        assert response["Content-Type"] == "application/pdf"
        assert 'filename="acme-analysis-' in response["Content-Disposition"]
        reader = PdfReader(io.BytesIO(response.content))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        assert "Bookkeeping: make or buy" in text
        assert "Doing it in-house costs $76,536.00 a year" in text
        assert "Ledgerline costs $16,440.00 a year, $60,096.00 (78.5%) less" in text
        assert "it stays cheaper up to 1,567.5 invoices a month" in text
        assert "Annual cost by volume of invoices" in text  # the chart's title, drawn
        assert "IRS Topic 751" in text and "BLS, Employer Costs" in text

    def test_the_printable_page_and_the_chart(self, org, owner, viewer, analysis):
        furnish(analysis, owner)
        response = client_for(viewer).get(url("print", org, analysis.pk))
        body = response.content.decode()
        svg = body[body.index("<svg") : body.index("</svg>")]
        assert "<script" not in svg
        assert not re.search(r"(?:href|src)=\"(?!#)", svg)  # nothing loads from outside
        assert 'role="img"' in svg and "Annual cost by volume of invoices" in svg
        page = text_of(response)
        # The same figures in the table beside the chart: −50% is 200 invoices a month.
        assert "200 (−50%) $76,536.00 $16,440.00 $10,200.00" in page
        assert "Print" in page

    def test_a_year_without_figures_uses_the_latest_and_says_so(self, org, owner, viewer):
        function = BusinessFunction.objects.filter(organization=org).get(name="Billing")
        analysis = services.start_analysis(
            principal_for(owner, function.organization),
            function,
            data={"year": 2031, "volume_unit": "claim", "monthly_volume": D(640)},
        )
        page = text_of(client_for(viewer).get(analysis.get_absolute_url()))
        assert "The payroll tax table has no figures for 2031 yet, so 2027's are used." in page
        assert selectors.figures_for(2027).payroll.social_security_wage_base == 192300
        assert selectors.figures_for(2025).payroll.social_security_wage_base == 176100
        assert selectors.figures_for(2024).payroll.social_security_wage_base == 168600
        # Before the table: the earliest year's figures, not the latest, and it says so.
        assert selectors.figures_for(2020).payroll_year == 2024
        assert "no figures for 2020 yet, so 2024's are used" in selectors.figures_for(2020).note
        # The benefits-load default starts in March 2026; 2025 uses it and says so.
        assert selectors.figures_for(2025).benefits_is_fallback
        assert not selectors.figures_for(2026).note
        history = text_of(client_for(viewer).get(url("function_analyses", org, function.pk)))
        assert "—" in history  # no in-house cost yet, so no figures to flag in the list


# --- Every page: another organization's member gets 404, a role below the least 403 --------
PAGES = [
    # (name, method, least role, needs: f = function, a = analysis, r = role, q = quote)
    ("analyses", "get", "viewer", ""),
    ("function_analyses", "get", "viewer", "f"),
    ("start", "get", "manager", "f"),
    ("start", "post", "manager", "f"),
    ("analysis", "get", "viewer", "a"),
    ("edit", "get", "manager", "a"),
    ("edit", "post", "manager", "a"),
    ("print", "get", "viewer", "a"),
    ("pdf", "get", "viewer", "a"),
    ("decide", "get", "manager", "a"),
    ("decide", "post", "manager", "a"),
    ("in_house", "get", "manager", "a"),
    ("in_house", "post", "manager", "a"),
    ("role_create", "get", "manager", "a"),
    ("role_create", "post", "manager", "a"),
    ("role_edit", "get", "manager", "a:r"),
    ("role_edit", "post", "manager", "a:r"),
    ("role_delete", "post", "manager", "a:r"),
    ("quote_create", "get", "manager", "a"),
    ("quote_create", "post", "manager", "a"),
    ("quote_edit", "get", "manager", "a:q"),
    ("quote_edit", "post", "manager", "a:q"),
    ("quote_delete", "post", "manager", "a:q"),
]
IDS = [f"{method} {name}" for name, method, _, _ in PAGES]
RESTRICTED = [page for page in PAGES if page[2] == "manager"]


@pytest.fixture
def rows(owner, analysis):
    role, quote, _ = furnish(analysis, owner)
    return {"f": analysis.function, "a": analysis, "r": role, "q": quote}


def call(user, org, name, method, needs, rows):
    args = [rows[need].pk for need in needs.split(":")] if needs else []
    client = client_for(user)
    path = url(name, org, *args)
    return client.get(path) if method == "get" else client.post(path, {})


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "least", "needs"), PAGES, ids=IDS)
def test_outsiders_get_404(org, outsider, other_org, rows, name, method, least, needs):
    assert call(outsider, org, name, method, needs, rows).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "least", "needs"), RESTRICTED, ids=[f"{m} {n}" for n, m, _, _ in RESTRICTED]
)
def test_a_member_gets_403_on_a_managers_page(org, member, rows, name, method, least, needs):
    assert call(member, org, name, method, needs, rows).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "least", "needs"), PAGES, ids=IDS)
def test_the_least_role_gets_through(org, viewer, manager, rows, name, method, least, needs):
    user = {"viewer": viewer, "manager": manager}[least]
    assert call(user, org, name, method, needs, rows).status_code in (200, 302)


@pytest.mark.django_db
def test_another_organizations_analysis_is_404_in_my_organization(org, viewer, outsider, other_org):
    function = BusinessFunction.objects.filter(organization=other_org).get(name="Bookkeeping")
    foreign = services.start_analysis(
        principal_for(outsider, function.organization),
        function,
        data={"volume_unit": "invoice", "monthly_volume": D(100)},
    )
    assert client_for(viewer).get(url("analysis", org, foreign.pk)).status_code == 404
    assert client_for(viewer).get(url("function_analyses", org, function.pk)).status_code == 404


@pytest.mark.django_db
def test_a_row_of_another_analysis_is_404(org, owner, manager, rows):
    other = services.start_analysis(
        principal_for(owner, org),
        BusinessFunction.objects.filter(organization=org).get(name="Billing"),
        data={"volume_unit": "claim", "monthly_volume": D(640)},
    )
    client = client_for(manager)
    assert client.get(url("role_edit", org, other.pk, rows["r"].pk)).status_code == 404
    assert client.post(url("quote_delete", org, other.pk, rows["q"].pk)).status_code == 404
    assert Quote.objects.filter(pk=rows["q"].pk).exists()


# --- Lists cost the same number of queries however long they are ------------------------------
def seed_functions(org, owner, count):
    for index in range(count):
        function = services.add_business_function(
            principal_for(owner, org), name=f"Function {count}-{index}"
        )
        analysis = services.start_analysis(
            principal_for(owner, function.organization),
            function,
            data={"volume_unit": "unit", "monthly_volume": D(100)},
        )
        furnish(analysis, owner)


@pytest.mark.django_db
def test_the_overview_does_not_grow_with_the_number_of_functions(org, owner, manager):
    client = client_for(manager)
    seed_functions(org, owner, 2)
    client.get(url("analyses", org))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("analyses", org)).status_code == 200
    seed_functions(org, owner, 6)
    with CaptureQueriesContext(connection) as many:
        client.get(url("analyses", org))
    assert len(many) == len(few)


@pytest.mark.django_db
def test_a_functions_history_does_not_grow_with_its_length(org, owner, manager, bookkeeping):
    def start(count):
        for _ in range(count):
            analysis = services.start_analysis(
                principal_for(owner, bookkeeping.organization),
                bookkeeping,
                data={"volume_unit": "invoice", "monthly_volume": D(400)},
                copy_previous=False,
            )
            furnish(analysis, owner)

    client = client_for(manager)
    start(2)
    client.get(url("function_analyses", org, bookkeeping.pk))
    with CaptureQueriesContext(connection) as few:
        client.get(url("function_analyses", org, bookkeeping.pk))
    start(6)
    with CaptureQueriesContext(connection) as many:
        client.get(url("function_analyses", org, bookkeeping.pk))
    assert len(many) == len(few)


def test_tier_rows_and_quote_tiers_share_their_shape():
    # The form's tier rows and the stored tiers both feed tier_table_problems.
    row = costing.TierRow(D(0), None, D(1))
    tier = QuoteTier(from_units=D(0), to_units=None, unit_price=D(1))
    assert costing.tier_table_problems([row]) == costing.tier_table_problems([tier]) == []


@pytest.mark.django_db
class TestHoursAsEntered:
    def test_oversight_entered_per_week_is_shown_back_as_entered(self, org, manager, analysis):
        client = client_for(manager)
        response = client.post(
            url("quote_create", org, analysis.pk),
            quote_form(oversight_hours="2", oversight_period="week", oversight_hourly_rate="60"),
        )
        assert response.status_code == 302
        quote = Quote.objects.filter(organization=org).get()
        assert (quote.oversight_hours, quote.oversight_period) == (2, "week")
        page = text_of(client.get(analysis.get_absolute_url()))
        assert "our oversight 2 h/week (104 h a year) at $60.00 an hour" in page
        edit = client.get(url("quote_edit", org, analysis.pk, quote.pk)).context["form"]
        assert (edit["oversight_hours"].value(), edit["oversight_period"].value()) == (2, "week")

    def test_the_report_says_which_hours_were_counted_and_at_which_rate(
        self, org, owner, manager, viewer, analysis
    ):
        role, flat, _ = furnish(analysis, owner)
        client_for(manager).post(
            url("role_edit", org, analysis.pk, role.pk),
            role_form(freed="hours", freed_hours="10", freed_period="week"),
        )
        client_for(manager).post(
            url("in_house", org, analysis.pk),
            in_house_form(manager_hours="1", manager_period="week", manager_hourly_rate="60"),
        )
        for name in ("analysis", "print"):
            page = text_of(client_for(viewer).get(url(name, org, analysis.pk)))
            assert "Hours freed" in page
            # 10 a week of the bookkeeper at the role's own loaded cost (73,656 / 2,080).
            assert "Bookkeeper as you stated: 10 h/week, 520 h a year 520 $35.41 an hour" in page
            assert "the role's loaded cost of an hour $18,414.00" in page
            # The manager's hour at the manager's cost, not the staff's.
            assert "Manager's supervision all of it: 1 h/week, 52 h a year 52 $60.00" in page
            assert "the manager's hourly cost $3,120.00" in page
            assert "Less our oversight of Ledgerline as entered: 2 h/month, 24 h a year" in page
            # 520 + 52 − 24 = 548 hours; 18,414 + 3,120 − 1,440 = 20,094.
            assert "Freed with Ledgerline 548 $20,094.00" in page

    def test_the_pdf_says_it_too(self, org, owner, viewer, analysis):
        furnish(analysis, owner)
        response = client_for(viewer).get(url("pdf", org, analysis.pk))
        reader = PdfReader(io.BytesIO(response.content))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        assert "Hours freed" in text
        assert "the manager's hourly cost" in text and "the cost of an oversight hour" in text


@pytest.mark.django_db
def test_editing_a_role_on_its_page_saves_it_and_records_the_change(org, owner, manager, analysis):
    role, _, _ = furnish(analysis, owner)
    response = client_for(manager).post(
        url("role_edit", org, analysis.pk, role.pk), role_form(annual_salary="54000")
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.annual_salary == 54000
    assert AuditEvent.objects.filter(action="role.updated").exists()


@pytest.mark.django_db
def test_the_year_field_says_which_years_the_table_has(org, manager, bookkeeping):
    page = text_of(client_for(manager).get(url("start", org, bookkeeping.pk)))
    assert "The table has 2024–2027; for another year the nearest year's figures are used" in page


@pytest.mark.django_db
def test_the_decide_services_check_the_role_themselves(org, owner, member, analysis):
    """Every change to an analysis, its options and its decision is a manager's — refused in
    the service itself to a member, whoever calls it, with nothing written."""
    as_member = principal_for(member, org)
    _, flat, _ = furnish(analysis, owner)
    refused = [
        lambda: services.add_business_function(as_member, name="Reception"),
        lambda: services.start_analysis(as_member, analysis.function, data={}),
        lambda: services.add_role(as_member, analysis, data=BOOKKEEPER),
        lambda: services.delete_quote(as_member, flat),
        lambda: services.record_decision(as_member, analysis, chosen_quote_id=None, reason="x"),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied, match="manager role"):
            call()
    assert not Decision.objects.exists() and analysis.quotes.filter(pk=flat.pk).exists()
    assert not BusinessFunction.objects.filter(organization=org).filter(name="Reception").exists()
