"""The dashboard's sections, each with and without content, their links, and a query count
that does not grow with the number of providers or tasks."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff.core.principal import Principal
from handoff.decisions import services as decisions
from handoff.decisions.models import BusinessFunction, Decision, ShortlistCandidate
from handoff.engagements.models import Engagement, EngagementFunction, SignedAgreement
from handoff.insights import dashboard, rollup, standings
from handoff.payables.models import Payment
from handoff.providers.models import DueDiligenceItem
from handoff.work.models import Issue, Task
from tests.compliance.conftest import record_w9
from tests.factories import ProviderFactory, principal_for

ZONE = ZoneInfo("America/Chicago")
TODAY = date(2026, 11, 18)  # a Wednesday
NOW = datetime.combine(TODAY, time(12), tzinfo=ZONE)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def function(org, name="Bookkeeping"):
    return BusinessFunction.objects.filter(organization=org).get(name=name)


def engage(org, provider, *functions, status="active", start=date(2026, 1, 1), **terms):
    engagement = Engagement.objects.create(
        organization=org,
        provider=provider,
        title=f"Work with {provider.name}",
        amount=Decimal("1000"),
        start_date=start,
        status=status,
        **terms,
    )
    for fn in functions or (function(org),):
        EngagementFunction.objects.create(organization=org, engagement=engagement, function=fn)
    return engagement


def sign(engagement):
    return SignedAgreement.objects.create(
        organization=engagement.organization,
        engagement=engagement,
        file="signed.pdf",
        content_type="application/pdf",
        signed_on=date(2026, 1, 2),
        signers="Both",
    )


def task(engagement, due, status="requested", **extra):
    return Task.objects.create(
        organization=engagement.organization,
        engagement=engagement,
        title=extra.pop("title", f"Task due {due:%b %d %H:%M}"),
        due_at=due,
        status=status,
        **extra,
    )


def pay(org, provider, amount, paid_on, engagement=None):
    return Payment.objects.create(
        organization=org,
        provider=provider,
        engagement=engagement,
        paid_on=paid_on,
        amount=Decimal(amount),
        method="ach",
    )


def plan(org, owner, fn, *, planned, in_house, starts=date(2026, 1, 1), provider=None):
    analysis = decisions.start_analysis(
        principal_for(owner, fn.organization),
        fn,
        data={"year": 2026, "volume_unit": "invoice", "monthly_volume": 100},
    )
    return Decision.objects.create(
        organization=org,
        analysis=analysis,
        function=fn,
        provider=provider,
        chosen_option="quote",
        option_name="Flat monthly fee",
        planned_annual_cost=Decimal(planned),
        in_house_annual_cost=Decimal(in_house),
        plan_starts_on=starts,
        reason="Cheaper and steadier",
        decided_by=owner,
    )


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline Bookkeeping")


@pytest.fixture
def engagement(org, provider):
    engagement = engage(org, provider)
    sign(engagement)
    return engagement


def build(org, **kwargs):
    return dashboard.build(Principal.system(org), today=TODAY, **kwargs)


@pytest.mark.django_db
class TestAnEmptyOrganization:
    def test_every_section_is_empty_and_says_so(self, org):
        board = build(org)
        for section in board.sections:
            assert section.count == 0, section.key
            assert section.items == []
            assert section.empty
        assert board.spend.total == 0 and board.spend.lines == []
        assert board.standings == []
        assert board.standings_period == "Q4 2026"


@pytest.mark.django_db
class TestWork:
    def test_overdue_lists_open_tasks_past_due_with_links(self, org, engagement):
        late = task(engagement, NOW - timedelta(days=2), title="Reconcile October")
        task(engagement, NOW - timedelta(days=3), status="accepted", title="Done already")
        task(engagement, NOW + timedelta(days=2), title="Coming up")
        section = build(org).overdue
        assert section.count == 1
        [item] = section.items
        assert item.label == "Reconcile October"
        assert item.url == reverse("work:task", args=[org.slug, late.pk])
        assert item.provider == "Ledgerline Bookkeeping"
        assert section.url == reverse("work:tasks", args=[org.slug]) + "?tab=overdue"

    def test_the_count_goes_beyond_the_first_rows(self, org, engagement):
        for days in range(1, 9):
            task(engagement, NOW - timedelta(days=days))
        section = build(org).overdue
        assert section.count == 8
        assert len(section.items) == dashboard.TOP
        assert section.more == 3
        # Oldest first: the longest overdue is the most pressing.
        assert section.items[0].when < section.items[1].when

    def test_due_this_week_is_the_next_seven_days(self, org, engagement):
        soon = task(engagement, NOW + timedelta(days=3), title="Payroll run")
        task(engagement, NOW + timedelta(days=10), title="Later")
        task(engagement, NOW - timedelta(hours=1), title="Already late")
        section = build(org).due_week
        assert [item.label for item in section.items] == ["Payroll run"]
        assert section.items[0].url.endswith(f"/tasks/{soon.pk}/")
        assert section.url.endswith("?tab=week")

    def test_my_open_tasks_are_counted_for_the_user(self, org, owner, engagement):
        task(engagement, NOW + timedelta(days=3), our_assignee=owner)
        task(engagement, NOW + timedelta(days=3))
        assert build(org, user=owner).mine == 1

    def test_issues_past_their_response_target(self, org, engagement):
        waiting = Issue.objects.create(
            organization=org,
            engagement=engagement,
            title="Wrong VAT on invoice 114",
            raised_side="us",
            respond_by=NOW - timedelta(hours=3),
        )
        Issue.objects.create(  # answered in time: not listed
            organization=org,
            engagement=engagement,
            title="Answered",
            raised_side="us",
            respond_by=NOW - timedelta(hours=3),
            first_response_at=NOW - timedelta(hours=4),
            status="responded",
        )
        Issue.objects.create(  # still inside its target
            organization=org,
            engagement=engagement,
            title="Fresh",
            raised_side="us",
            respond_by=NOW + timedelta(hours=3),
        )
        section = build(org).issues
        assert section.count == 1
        assert section.items[0].url == reverse("work:issue", args=[org.slug, waiting.pk])
        assert section.url.endswith("/issues/?view=overdue")

    def test_no_overdue_issue(self, org, engagement):
        section = build(org).issues
        assert section.count == 0 and "answered in time" in section.empty


@pytest.mark.django_db
class TestComplianceAlerts:
    def section(self, org, key):
        return next(s for s in build(org).compliance if s.key == key)

    def test_a_paid_payee_without_a_w9_links_to_its_w9_page(self, org, owner, provider):
        pay(org, provider, "500", date(2026, 3, 1))
        section = self.section(org, "missing_w9")
        assert section.count == 1
        assert section.items[0].url == reverse("compliance:w9", args=[org.slug, provider.pk])
        assert section.url == reverse("compliance:missing_w9", args=[org.slug])
        record_w9(provider, owner)
        assert self.section(org, "missing_w9").count == 0

    def test_an_active_engagement_without_a_signed_agreement(self, org, provider):
        unsigned = engage(org, provider)
        engage(org, provider, status="draft")
        section = self.section(org, "unsigned")
        assert section.count == 1
        assert section.items[0].url == (
            reverse("engagements:detail", args=[org.slug, unsigned.pk]) + "#agreement"
        )
        sign(unsigned)
        assert self.section(org, "unsigned").count == 0

    def test_documents_expired_or_expiring_within_30_days(self, org, provider):
        def item(title, expires_on):
            return DueDiligenceItem.objects.create(
                organization=org, provider=provider, title=title, expires_on=expires_on
            )

        item("Insurance certificate", TODAY - timedelta(days=2))
        item("Licence", TODAY + timedelta(days=20))
        item("Bond", TODAY + timedelta(days=90))
        section = self.section(org, "due_diligence")
        assert [i.label for i in section.items] == ["Insurance certificate", "Licence"]
        assert section.items[0].warning and "expired" in section.items[0].detail
        assert not section.items[1].warning
        assert section.items[0].url == (
            reverse("providers:detail", args=[org.slug, provider.pk]) + "#dd-h"
        )

    def test_no_document_expiring(self, org):
        assert self.section(org, "due_diligence").count == 0

    def test_a_stale_assessment(self, org, manager):
        from tests.compliance.test_assessments import assess

        jordan = ProviderFactory(organization=org, name="Jordan Lee IT", kind="individual")
        with time_machine.travel(NOW - timedelta(days=400)):
            assessment = assess(jordan, manager)
        section = self.section(org, "stale_assessments")
        assert section.count == 1
        assert section.items[0].url == reverse(
            "compliance:assessment", args=[org.slug, assessment.pk]
        )
        assert "more than 12 months" in section.items[0].detail

    def test_1099_forms_to_file_before_and_after_the_deadline(self, org, provider, owner):
        from handoff.compliance import services as comply

        pay(org, provider, "2500", date(2026, 6, 1))
        in_january = dashboard.build(Principal.system(org), today=date(2027, 1, 12))
        section = next(s for s in in_january.compliance if s.key == "forms_1099")
        assert section.count == 1
        assert section.title == "1099-NEC forms to file"
        assert section.items[0].label == "1 form for 2026 is due Feb 1, 2027"
        assert section.items[0].warning  # no W-9 on file
        assert section.items[0].url == reverse("compliance:nec", args=[org.slug, 2026])
        # Past the deadline it stays, and says so, until the year is marked filed.
        in_march = next(
            s
            for s in dashboard.build(Principal.system(org), today=date(2027, 3, 1)).compliance
            if s.key == "forms_1099"
        )
        assert in_march.count == 1
        assert in_march.items[0].label == "1 form for 2026 was due Feb 1, 2027"
        assert "past due" in in_march.items[0].detail
        with time_machine.travel(datetime(2027, 3, 1, 18, tzinfo=UTC), tick=False):
            comply.record_filing(
                principal_for(owner, org),
                tax_year=2026,
                data={"filed_on": date(2027, 2, 20), "method": "paper"},
            )
        after = next(
            s
            for s in dashboard.build(Principal.system(org), today=date(2027, 3, 1)).compliance
            if s.key == "forms_1099"
        )
        assert after.count == 0 and after.items == []
        assert "2026 forms were marked filed on Feb 20, 2027" in after.empty

    def test_no_payments_is_not_all_filed(self, org):
        section = self.section(org, "forms_1099")
        assert section.count == 0
        assert section.empty == "No payments are recorded yet, so there is no 1099-NEC to file."

    def test_every_past_year_not_filed_is_counted(self, org, provider):
        pay(org, provider, "700", date(2024, 3, 1))
        pay(org, provider, "2500", date(2025, 3, 1))
        section = next(
            s
            for s in dashboard.build(Principal.system(org), today=date(2026, 12, 4)).compliance
            if s.key == "forms_1099"
        )
        assert section.count == 2
        assert [i.label for i in section.items] == [
            "1 form for 2024 was due Jan 31, 2025",
            "1 form for 2025 was due Feb 2, 2026",
        ]

    def test_a_term_past_its_end_is_past_due(self, org, provider):
        past = engage(org, provider, end_date=TODAY - timedelta(days=3))
        section = build(org).renewals
        assert section.count == 1
        assert section.items[0].url == reverse("engagements:detail", args=[org.slug, past.pk])
        assert section.items[0].detail.startswith("past due: the term ended")
        assert section.items[0].warning

    def test_empty_sections_say_there_is_nothing_to_check(self, org):
        board = build(org)
        assert (
            "No document with an expiry date is recorded yet"
            in next(s for s in board.compliance if s.key == "due_diligence").empty
        )
        assert (
            "No classification assessment is recorded yet"
            in next(s for s in board.compliance if s.key == "stale_assessments").empty
        )
        assert board.renewals.empty == (
            "No open engagement has an end date or a notice period to watch."
        )


@pytest.mark.django_db
class TestRenewalsAndRisk:
    def test_a_term_ending_within_60_days(self, org, provider):
        ending = engage(org, provider, end_date=TODAY + timedelta(days=40), notice_days=10)
        engage(org, provider, end_date=TODAY + timedelta(days=200))
        section = build(org).renewals
        assert section.count == 1
        assert section.items[0].url == reverse("engagements:detail", args=[org.slug, ending.pk])
        assert "notice" in section.items[0].detail
        assert section.url.startswith(reverse("engagements:renewals", args=[org.slug]))

    def test_nothing_to_renew(self, org, engagement):
        assert build(org).renewals.count == 0

    def test_a_function_with_one_provider_and_no_backup(self, org, provider, engagement):
        section = build(org).single_provider
        assert [item.label for item in section.items] == ["Bookkeeping"]
        assert section.items[0].url == reverse(
            "insights:shortlist", args=[org.slug, function(org).pk]
        )
        assert "Ledgerline" in section.items[0].detail

    def test_a_shortlisted_provider_is_a_backup(self, org, provider, engagement):
        ShortlistCandidate.objects.create(
            organization=org, function=function(org), provider=ProviderFactory(organization=org)
        )
        assert build(org).single_provider.count == 0

    def test_a_second_engaged_provider_is_a_backup(self, org, provider, engagement):
        engage(org, ProviderFactory(organization=org), status="paused")
        assert build(org).single_provider.count == 0

    def test_two_engagements_with_the_same_provider_are_still_one_provider(
        self, org, provider, engagement
    ):
        engage(org, provider)
        assert build(org).single_provider.count == 1


@pytest.mark.django_db
class TestSpend:
    def test_spend_against_plan_and_in_house_prorated_to_date(
        self, org, owner, provider, engagement
    ):
        plan(org, owner, function(org), planned="15000", in_house="36500")
        pay(org, provider, "10000", date(2026, 6, 1), engagement)
        pay(org, provider, "200", date(2026, 6, 2))  # not tied to an engagement
        pay(org, provider, "999", date(2025, 12, 31), engagement)  # last year
        spend = build(org).spend
        assert spend.total == Decimal("10200")
        [line] = spend.lines
        days = (TODAY - date(2026, 1, 1)).days + 1  # 322
        assert line.spend == Decimal("10000.00")
        assert line.planned == (Decimal(15000) * days / 365).quantize(Decimal("0.01"))
        assert line.in_house == Decimal(100 * days).quantize(Decimal("0.01"))
        assert line.savings == line.in_house - line.spend
        assert spend.unplanned == Decimal("200")

    def test_a_plan_that_started_mid_year_counts_from_its_start(
        self, org, owner, provider, engagement
    ):
        plan(org, owner, function(org), planned="36500", in_house="73000", starts=date(2026, 7, 1))
        pay(org, provider, "4000", date(2026, 3, 1), engagement)  # the old arrangement
        pay(org, provider, "5000", date(2026, 8, 1), engagement)
        [line] = build(org).spend.lines
        assert line.spend == Decimal("5000.00")
        assert line.planned == Decimal(100 * ((TODAY - date(2026, 7, 1)).days + 1))

    def test_a_payment_for_two_functions_is_split(self, org, owner, provider):
        both = engage(org, provider, function(org), function(org, "Payroll"))
        plan(org, owner, function(org), planned="1000", in_house="2000")
        pay(org, provider, "600", date(2026, 2, 1), both)
        [line] = build(org).spend.lines
        assert line.spend == Decimal("300.00")

    def test_no_plan(self, org, provider, engagement):
        pay(org, provider, "100", date(2026, 2, 1), engagement)
        spend = build(org).spend
        assert spend.lines == [] and spend.planned_total is None and spend.total == 100


@pytest.mark.django_db
class TestStandings:
    def test_this_quarters_scorecards_best_first(self, org, provider, engagement):
        other = ProviderFactory(organization=org, name="Northwind")
        other_engagement = engage(org, other)
        due = NOW - timedelta(days=5)
        task(engagement, due, status="accepted", delivered_at=due - timedelta(hours=1))
        task(other_engagement, due, status="accepted", delivered_at=due + timedelta(hours=5))
        board = build(org)
        assert [row.provider for row in board.standings] == ["Ledgerline Bookkeeping", "Northwind"]
        first = board.standings[0]
        assert first.on_time_rate == 1.0 and first.on_time_count == 1
        assert first.overall is not None
        assert f"/{provider.pk}/" in first.url

    def test_names_read_by_id_or_for_the_whole_organization_alike(
        self, org, provider, engagement, monkeypatch
    ):
        other = ProviderFactory(organization=org, name="Northwind")
        due = NOW - timedelta(days=5)
        task(engagement, due, status="accepted", delivered_at=due)
        task(engage(org, other), due, status="accepted", delivered_at=due + timedelta(hours=5))
        ProviderFactory(organization=org, name="Never engaged")
        by_id = [(row.provider_id, row.provider) for row in build(org).standings]
        monkeypatch.setattr(standings, "NAMES_BY_ID", 0)  # every name of the organization read
        assert [(row.provider_id, row.provider) for row in build(org).standings] == by_id
        assert by_id == [(provider.pk, "Ledgerline Bookkeeping"), (other.pk, "Northwind")]


def populate(org, owner, providers: int, tasks: int):
    """Content in every section, spread over ``providers`` providers and ``tasks`` tasks."""
    fn = function(org)
    plan(org, owner, fn, planned="12000", in_house="30000")
    engagements = []
    for index in range(providers):
        provider = ProviderFactory(organization=org)
        engagement = engage(
            org, provider, fn, end_date=TODAY + timedelta(days=30 + index), auto_renew=True
        )
        engagements.append(engagement)
        pay(org, provider, "100", date(2026, 5, 1), engagement)
        DueDiligenceItem.objects.create(
            organization=org, provider=provider, title="Insurance", expires_on=TODAY
        )
        Issue.objects.create(
            organization=org,
            engagement=engagement,
            title="Late reply",
            raised_side="us",
            respond_by=NOW - timedelta(hours=1),
        )
        fresh = BusinessFunction.objects.create(organization=org, name=f"Function {index}")
        EngagementFunction.objects.create(organization=org, engagement=engagement, function=fresh)
    for index in range(tasks):
        engagement = engagements[index % providers]
        task(engagement, NOW - timedelta(days=1 + index % 20))
        task(engagement, NOW + timedelta(days=1 + index % 5))
        due = NOW - timedelta(days=2)
        task(engagement, due, status="accepted", delivered_at=due, quality_rating=4)


def queries_of(org, owner):
    rollup.refresh(org)  # the tasks' months counted once, as the first read after a change does
    with CaptureQueriesContext(connection) as captured:
        board = dashboard.build(Principal.system(org), user=owner, today=TODAY)
    return len(captured), board


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_providers_or_tasks(org, owner, other_org, outsider):
    populate(org, owner, providers=2, tasks=5)
    populate(other_org, outsider, providers=20, tasks=50)
    small, small_board = queries_of(org, owner)
    large, large_board = queries_of(other_org, outsider)
    assert small_board.overdue.count == 5 and large_board.overdue.count == 50
    assert small_board.renewals.count == 2 and large_board.renewals.count == 20
    assert small_board.single_provider.count == 2 and large_board.single_provider.count == 20
    assert len(large_board.standings) == 20
    assert large_board.spend.lines and large_board.issues.count == 20
    assert small == large


@pytest.mark.django_db
def test_nothing_of_another_organization_shows(org, other_org, outsider):
    stranger = ProviderFactory(organization=other_org)
    engagement = engage(other_org, stranger)
    task(engagement, NOW - timedelta(days=1))
    pay(other_org, stranger, "100", date(2026, 5, 1), engagement)
    board = build(org)
    assert all(section.count == 0 for section in board.sections)
    assert board.spend.total == 0 and board.standings == []


def test_prorate_is_by_day_of_the_year():
    assert dashboard.prorate(Decimal(365), date(2026, 1, 1), date(2026, 1, 10), year=2026) == 10
    assert dashboard.prorate(Decimal(366), date(2028, 1, 1), date(2028, 12, 31), year=2028) == 366
    assert dashboard.prorate(Decimal(365), date(2026, 2, 1), date(2026, 1, 1), year=2026) == 0


def test_build_defaults_to_today_in_the_organizations_zone(db, org):
    with time_machine.travel(datetime(2026, 11, 19, 3, 0, tzinfo=UTC), tick=False):
        board = dashboard.build(Principal.system(org))
    assert board.today == date(2026, 11, 18)  # still the 18th in Chicago


@pytest.mark.parametrize(
    ("count", "best", "lowest"),
    [
        (0, [], []),
        (10, list(range(1, 11)), []),
        (11, [1, 2, 3, 4, 5], [7, 8, 9, 10, 11]),
        (500, [1, 2, 3, 4, 5], [496, 497, 498, 499, 500]),
    ],
)
def test_the_page_lists_every_standing_up_to_ten_then_the_best_and_lowest_five(count, best, lowest):
    rows = [
        dashboard.Standing(n, f"Provider {n}", 100 - n / 10, None, 0, "")
        for n in range(1, count + 1)
    ]
    shown_best, shown_lowest = dashboard.split_standings(rows)
    assert [rank for rank, _ in shown_best] == best
    assert [rank for rank, _ in shown_lowest] == lowest
    assert all(row.provider_id == rank for rank, row in shown_best + shown_lowest)
