"""The dashboard: what needs doing now across every stage, read set-based.

Each section is a count and the first few rows (``TOP``), each row linking to the page where it
is acted on, and the section to the full list. ``build`` costs the same number of queries
whatever the number of providers, tasks or engagements: every section is one sliced list
whose rows carry the count (or one grouped query), never a query per row.

Definitions the pages, the API and the docs share:

- *overdue*: open tasks past their due time (the task list's "Overdue" tab);
- *due this week*: open tasks due from now to seven days on (its "Due this week" tab);
- *issues past their response target*: open, unanswered, ``respond_by`` passed;
- *compliance alerts*: payees without a W-9 (paid, or in an active or paused engagement);
  active engagements without a signed agreement; due-diligence items expired or expiring
  within 30 days; classification assessments gone stale; and the 1099-NEC forms of every past
  tax year not marked filed (before and after its deadline);
- *renewals*: term ends and notice deadlines in the next 60 days, after fixed terms already
  ended on engagements still active or paused (past due);
- *spend*: this year's payments against the Decide plans, prorated year-to-date;
- *standings*: the current quarter's scorecards;
- *single provider, no backup*: a business function whose active engagements are all with one
  provider, while no other provider is engaged for it (active or paused) or on its shortlist.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, Min, OuterRef, Q, Sum, Window
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from handoff.compliance import selectors as compliance
from handoff.decisions.choices import ChosenOption
from handoff.decisions.models import BusinessFunction, Decision, ShortlistCandidate
from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import Engagement, EngagementFunction, SignedAgreement
from handoff.engagements.selectors import NOTICE_DEADLINE, renewals_within
from handoff.insights import first_run, scorecards
from handoff.insights import standings as standings_
from handoff.payables import selectors as payables
from handoff.payables.models import Payment
from handoff.providers import vetting
from handoff.work import issues as work_issues
from handoff.work import selectors as work_selectors
from handoff.work.models import Issue
from handoff.work.selectors import Tab, task_list

TOP = 5
STANDINGS_SHOWN = 5  # the best on the page, and the lowest past twice as many
RENEWAL_DAYS = 60
EXPIRY_DAYS = 30
WEEK = timedelta(days=7)
ZERO = Decimal(0)


@dataclass
class Item:
    """One row of a section: what it is, a detail line, and where it is acted on."""

    label: str
    url: str
    detail: str = ""
    when: date | datetime | None = None
    provider: str = ""
    warning: bool = False


@dataclass
class Section:
    key: str
    title: str
    count: int
    items: list[Item]
    url: str = ""  # the full list
    empty: str = "Nothing here."
    when_label: str = ""  # shown before each item's ``when`` (a due time), if any
    # When there is nothing yet to check (no provider, no task), the empty card says so and
    # links to the step that starts it, rather than reading as reassurance.
    empty_link: str = ""
    empty_url: str = ""
    summary: str = ""  # a line of figures under the title (the invoice cards' total, age)

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


@dataclass
class SpendLine:
    """Year-to-date figures of one planned function (or the total)."""

    label: str
    spend: Decimal
    planned: Decimal
    in_house: Decimal
    url: str = ""
    option: str = ""

    @property
    def against_plan(self) -> Decimal:
        """Positive: spent more than planned."""
        return self.spend - self.planned

    @property
    def savings(self) -> Decimal:
        """What outsourcing saved against the in-house baseline so far."""
        return self.in_house - self.spend


@dataclass
class Spend:
    year: int
    start: date
    today: date
    total: Decimal  # every payment this year, planned function or not
    lines: list[SpendLine]  # one per function with an outsourcing plan in force
    planned_total: SpendLine | None  # the sum of ``lines``
    url: str = ""

    @property
    def unplanned(self) -> Decimal:
        return self.total - (self.planned_total.spend if self.planned_total else ZERO)


@dataclass
class Standing:
    provider_id: int
    provider: str
    overall: float | None
    on_time_rate: float | None
    on_time_count: int
    url: str

    @property
    def score(self) -> str:
        """The overall score printed as the scorecards page prints it ("" without one)."""
        return "" if self.overall is None else scorecards.score_text(self.overall)

    @property
    def on_time(self) -> str:
        return "" if self.on_time_rate is None else scorecards.percent_text(self.on_time_rate)


@dataclass
class Dashboard:
    org: object
    today: date
    now: datetime
    overdue: Section
    due_week: Section
    issues: Section
    compliance: list[Section]
    renewals: Section
    spend: Spend
    standings: list[Standing]  # every one, best first (the API returns them all)
    standings_period: str
    single_provider: Section
    mine: int = 0
    standings_url: str = ""  # the standings page for the same quarter
    extra: dict = field(default_factory=dict)
    getting_started: first_run.GettingStarted | None = None  # None once every step is done

    @property
    def sections(self) -> list[Section]:
        """The action sections in page order (spend and standings are not lists)."""
        return [
            self.overdue,
            self.due_week,
            self.issues,
            *self.compliance,
            self.renewals,
            self.single_provider,
        ]

    @property
    def compliance_count(self) -> int:
        return sum(section.count for section in self.compliance)

    @property
    def standings_shown(self) -> tuple[list[tuple[int, Standing]], list[tuple[int, Standing]]]:
        return split_standings(self.standings or [])


# --- Pure helpers -----------------------------------------------------------------------------
def days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def prorate(annual: Decimal, start: date, end: date, *, year: int) -> Decimal:
    """The share of an annual figure falling between ``start`` and ``end`` (both included),
    counted in days of ``year``; nothing when the span is empty."""
    days = (end - start).days + 1
    if days <= 0:
        return ZERO
    return (annual * days / days_in_year(year)).quantize(Decimal("0.01"))


def _url(name: str, *args, query: dict | None = None, anchor: str = "") -> str:
    url = reverse(name, args=args)
    if query:
        url += "?" + urlencode(query)
    return url + (f"#{anchor}" if anchor else "")


# --- Sections ---------------------------------------------------------------------------------
def _invoice_card(principal, key, title, rows, since: str, today, zone, empty, query) -> Section:
    """Invoices waiting on us: how many, their total (what is left to pay of approved ones),
    the oldest's age in days from ``since``, the oldest few; two queries whatever the count."""
    amount = "balance" if key == "approved_unpaid" else "amount"
    figures = rows.order_by().aggregate(n=Count("pk"), total=Sum(amount), oldest=Min(since))
    first = list(rows.select_related("provider").order_by(since, "pk")[:TOP])
    currency = principal.organization.currency

    def age(moment) -> int:
        return (today - timezone.localtime(moment, zone).date()).days

    items = [
        Item(
            label=f"Invoice {row.number}",
            url=_url("payables:invoice", principal.organization.slug, row.pk),
            detail=f"{getattr(row, amount):,.2f} {currency} · {age(getattr(row, since))} days",
            provider=row.provider.name,
        )
        for row in first
    ]
    summary = ""
    if figures["n"]:
        summary = (
            f"{figures['total']:,.2f} {currency} in all; the oldest {age(figures['oldest'])} days"
        )
    url = _url("payables:invoices", principal.organization.slug, query=query)
    return Section(key, title, figures["n"], items, url, empty, summary=summary)


def invoice_cards(principal, today, zone) -> dict[str, Section]:
    """ "Invoices waiting for approval" (age from submission) and "Approved, not paid" (age
    from approval), each linking to the filtered invoice list."""
    return {
        "approval_waiting": _invoice_card(
            principal,
            "approval_waiting",
            "Invoices waiting for approval",
            payables.waiting_for_approval(principal),
            "created_at",
            today,
            zone,
            "No invoice waits for approval.",
            {"status": "submitted"},
        ),
        "approved_unpaid": _invoice_card(
            principal,
            "approved_unpaid",
            "Approved, not paid",
            payables.approved_unpaid(principal).annotate(
                approved_at=Coalesce("decided_at", "created_at")
            ),
            "approved_at",
            today,
            zone,
            "Every approved invoice is paid.",
            {"payment_state": "open"},
        ),
    }


def first_rows(queryset, top: int = TOP) -> tuple[list, int]:
    """The first ``top`` rows of ``queryset`` and how many it matches, in one query: each row
    carries the count of all (a window over every row matched)."""
    rows = list(queryset.annotate(matched=Window(Count("pk")))[:top])
    return rows, rows[0].matched if rows else 0


def _task_section(principal, key, title, tab, now, empty) -> Section:
    tasks = task_list(principal, tab=tab, now=now)
    # The open tasks' partial index gives them in due order: the first few rows are read
    # with their engagement and provider alone. The count is a query of its own: with a
    # window count on the rows, PostgreSQL walks the whole (organization, due_at) index.
    rows = list(tasks.select_related(None).select_related("engagement__provider")[:TOP])
    count = tasks.count()
    items = [
        Item(
            label=task.title,
            url=_url("work:task", principal.organization.slug, task.pk),
            detail=task.get_priority_display(),
            when=task.due_at,
            provider=task.engagement.provider.name,
            warning=tab == Tab.OVERDUE,
        )
        for task in rows
    ]
    url = _url("work:tasks", principal.organization.slug, query={"tab": tab})
    return Section(key, title, count, items, url, empty, when_label="due")


def _waiting(principal, now) -> Section:
    """Work waiting for us: delivered tasks to review (accept or return), the longest waiting
    first, each with how long it has waited since its delivery (the Tasks page's "Waiting for
    us" tab)."""
    rows, count = first_rows(
        work_selectors.waiting_for_us(principal)
        .select_related(None)
        .select_related("engagement__provider")
    )
    items = [
        Item(
            label=task.title,
            url=_url("work:task", principal.organization.slug, task.pk),
            detail=f"waiting {timesince(task.delivered_at, now, depth=1)}",
            when=task.delivered_at,
            provider=task.engagement.provider.name,
            warning=now - task.delivered_at > WEEK,
        )
        for task in rows
    ]
    return Section(
        "waiting",
        "Waiting for us",
        count,
        items,
        _url("work:tasks", principal.organization.slug, query={"tab": Tab.WAITING}),
        "Nothing delivered is waiting for your review.",
        when_label="delivered",
    )


def _issue_section(principal, now) -> Section:
    queryset = (
        Issue.objects.visible_to(principal)
        .filter(work_issues.overdue_q(now))
        .select_related("engagement__provider")
        .order_by("respond_by", "id")
    )
    rows, count = first_rows(queryset)
    items = [
        Item(
            label=issue.title,
            url=_url("work:issue", principal.organization.slug, issue.pk),
            detail=f"{issue.get_severity_display()} · level {issue.level}",
            when=issue.respond_by,
            provider=issue.engagement.provider.name,
            warning=True,
        )
        for issue in rows
    ]
    return Section(
        "issues",
        "Issues past their response target",
        count,
        items,
        _url("work:issues", principal.organization.slug, query={"view": "overdue"}),
        "Every open issue has been answered in time.",
        when_label="response was due",
    )


def _missing_w9(principal) -> Section:
    queryset = compliance.payees_without_w9(principal, totals=False)
    rows, count = first_rows(queryset)
    items = [
        Item(
            label=provider.name,
            url=_url("compliance:w9", principal.organization.slug, provider.pk),
            detail="paid, no W-9 on file" if provider.paid else "engaged, no W-9 on file",
            provider=provider.name,
            warning=True,
        )
        for provider in rows
    ]
    return Section(
        "missing_w9",
        "Payees without a W-9",
        count,
        items,
        _url("compliance:missing_w9", principal.organization.slug),
        "Every paid or engaged provider has a W-9 on file.",
    )


def unsigned_engagements(principal):
    """Active engagements with no signed agreement kept (what the engagement page flags)."""
    signed = SignedAgreement.objects.visible_to(principal).filter(engagement=OuterRef("pk"))
    return (
        Engagement.objects.visible_to(principal)
        .filter(status=EngagementStatus.ACTIVE)
        .filter(~Exists(signed))
        .select_related("provider")
        .order_by("start_date", "id")
    )


def _unsigned(principal) -> Section:
    queryset = unsigned_engagements(principal)
    rows, count = first_rows(queryset)
    items = [
        Item(
            label=engagement.title,
            url=_url(
                "engagements:detail", principal.organization.slug, engagement.pk, anchor="agreement"
            ),
            detail="active without a signed agreement",
            when=engagement.start_date,
            provider=engagement.provider.name,
            warning=True,
        )
        for engagement in rows
    ]
    return Section(
        "unsigned",
        "Active without a signed agreement",
        count,
        items,
        _url(
            "engagements:list",
            principal.organization.slug,
            query={"status": EngagementStatus.ACTIVE},
        ),
        "Every active engagement has its signed agreement.",
    )


def _due_diligence(principal, today) -> Section:
    """Documents expired (past due, with the day they expired) or expiring within
    ``EXPIRY_DAYS``, the oldest first."""
    queryset = vetting.expiring(principal, days=EXPIRY_DAYS, today=today)
    rows, count = first_rows(queryset)
    items = [
        Item(
            label=item.title,
            url=_url(
                "providers:detail", principal.organization.slug, item.provider_id, anchor="dd-h"
            ),
            detail=_expiry_detail(item.expires_on, today),
            when=item.expires_on,
            provider=item.provider.name,
            warning=item.expires_on < today,
        )
        for item in rows
    ]
    empty = f"No insurance, licence or other document expires in the next {EXPIRY_DAYS} days."
    if not count and not vetting.expiring(principal, days=36600, today=today).exists():
        empty = (
            "No document with an expiry date is recorded yet: add insurance certificates and "
            "licences to each provider's due diligence to have them watched here."
        )
    return Section(
        "due_diligence",
        "Documents expired or expiring",
        count,
        items,
        _url("providers:expiring", principal.organization.slug, query={"days": EXPIRY_DAYS}),
        empty,
    )


def _ago(day: date, today: date) -> str:
    days = (today - day).days
    return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"


def _expiry_detail(expires_on: date, today: date) -> str:
    if expires_on < today:
        return f"past due: expired {expires_on:%b %-d, %Y} ({_ago(expires_on, today)})"
    return f"expires {expires_on:%b %-d, %Y}"


def _stale(principal, today) -> Section:
    """Latest assessments that no longer describe the arrangement; one past its 12 months says
    since when it has been due for review."""
    stale = compliance.stale_assessments(principal, today)
    items = []
    for assessment, reasons in stale[:TOP]:
        made = timezone.localtime(assessment.created_at).date()
        due = made + compliance.STALE_AFTER
        overdue = due <= today
        items.append(
            Item(
                label=assessment.provider.name,
                url=_url("compliance:assessment", principal.organization.slug, assessment.pk),
                detail=(f"past due: review was due {due:%b %-d, %Y}. " if overdue else "")
                + " ".join(reasons),
                when=due if overdue else None,
                provider=assessment.provider.name,
                warning=overdue,
            )
        )
    empty = "Every latest assessment still describes its arrangement."
    if not stale and not compliance.assessments(principal).exists():
        empty = (
            "No classification assessment is recorded yet: assess each individual you pay "
            "from their provider page."
        )
    return Section(
        "stale_assessments",
        "Classification assessments to redo",
        len(stale),
        items,
        _url("compliance:assessments", principal.organization.slug),
        empty,
    )


def _forms_1099(principal, today) -> Section:
    """Every past tax year whose 1099-NEC forms are needed and not marked filed, oldest first,
    each saying when they were due ("3 forms for 2025 were due Feb 2, 2026") — past the
    deadline too, until the year is marked filed on its 1099-NEC page."""
    section = Section(
        "forms_1099",
        "1099-NEC forms to file",
        0,
        [],
        _url("compliance:nec_index", principal.organization.slug),
        "",
    )
    try:
        status = compliance.filing_status(principal, today)
    except compliance.MissingRules:
        section.empty = "The 1099-NEC thresholds are missing: run handoff migrate."
        return section
    section.count = status.forms
    for unfiled in status.unfiled[:TOP]:
        missing = len(unfiled.report.missing_w9)
        detail = "past due, not marked filed" if unfiled.past_due else "not filed yet"
        if missing:
            detail += f" · {missing} without a W-9"
        section.items.append(
            Item(
                label=unfiled.sentence,
                url=_url("compliance:nec", principal.organization.slug, unfiled.year),
                detail=detail,
                when=unfiled.report.deadline,
                warning=unfiled.past_due or bool(missing),
            )
        )
    section.empty = _forms_1099_empty(status, today)
    return section


def _forms_1099_empty(status, today) -> str:
    """What an empty 1099-NEC card says: never "all filed" when nothing was checked."""
    this_year = f"the forms for {today.year} payments are due " + (
        f"{compliance.filing_deadline(today.year):%b %-d, %Y}"
    )
    if not status.years_paid:
        return "No payments are recorded yet, so there is no 1099-NEC to file."
    past = [year for year in status.years_paid if year < today.year]
    if not past:
        return f"No past year has payments to report; {this_year}."
    filed = {filing.tax_year: filing for filing in status.filed}
    latest = filed.get(max(past))
    if latest is not None:
        return (
            f"The {latest.tax_year} forms were marked filed on {latest.filed_on:%b %-d, %Y}; "
            f"no other past year needs a 1099-NEC; {this_year}."
        )
    return f"Nobody paid in {max(past)} or before reached the 1099-NEC threshold; {this_year}."


def _renewals(principal, today) -> Section:
    """Term ends and notice deadlines in the next ``RENEWAL_DAYS`` days, after the terms that
    have already ended on engagements still open (past due: end them or extend them), each
    with its date; a renewal whose notice deadline has passed says so."""
    ended = list(_terms_past(principal, today)[: TOP + 1])
    renewals = renewals_within(principal, RENEWAL_DAYS, today)
    items = [
        Item(
            label=engagement.title,
            url=_url("engagements:detail", principal.organization.slug, engagement.pk),
            detail=f"past due: the term ended {engagement.end_date:%b %-d, %Y} "
            f"({_ago(engagement.end_date, today)}) and it is still "
            f"{engagement.get_status_display().lower()}: end it or extend it",
            when=engagement.end_date,
            provider=engagement.provider.name,
            warning=True,
        )
        for engagement in ended[:TOP]
    ]
    for renewal in renewals[: max(TOP - len(items), 0)]:
        engagement = renewal.engagement
        first = renewal.events[0]
        if first == NOTICE_DEADLINE:
            detail = f"last day to give notice {renewal.notice_deadline:%b %-d, %Y}"
        else:
            verb = "renews" if engagement.auto_renew else "ends"
            detail = f"{verb} {renewal.term_end:%b %-d, %Y}"
            passed = _notice_passed(engagement, renewal.term_end, today)
            if passed:
                detail += f" · the notice deadline passed {passed:%b %-d, %Y}"
        items.append(
            Item(
                label=engagement.title,
                url=_url("engagements:detail", principal.organization.slug, engagement.pk),
                detail=detail,
                when=renewal.first_date,
                provider=engagement.provider.name,
                warning=first == NOTICE_DEADLINE,
            )
        )
    count = len(renewals) + (
        _terms_past(principal, today).count() if len(ended) > TOP else len(ended)
    )
    empty = f"No term ends and no notice is due in the next {RENEWAL_DAYS} days."
    if not count and not _open_with_end(principal).exists():
        empty = "No open engagement has an end date or a notice period to watch."
    return Section(
        "renewals",
        f"Renewals and notice deadlines in the next {RENEWAL_DAYS} days",
        count,
        items,
        _url("engagements:renewals", principal.organization.slug, query={"days": RENEWAL_DAYS}),
        empty,
    )


def _open_with_end(principal):
    return (
        Engagement.objects.visible_to(principal)
        .filter(status__in=[EngagementStatus.ACTIVE, EngagementStatus.PAUSED])
        .filter(end_date__isnull=False)
    )


def _terms_past(principal, today):
    """Active or paused engagements whose fixed term (no automatic renewal) ended before
    today: past due until they are ended or extended."""
    return (
        _open_with_end(principal)
        .filter(end_date__lt=today)
        .filter(Q(auto_renew=False) | Q(renewal_months__lte=0))
        .select_related("provider")
        .order_by("end_date", "id")
    )


def _notice_passed(engagement, term_end: date | None, today: date) -> date | None:
    """For a renewing engagement: the current term's notice deadline, when it has passed."""
    if not (engagement.auto_renew and engagement.notice_days and term_end):
        return None
    deadline = term_end - timedelta(days=engagement.notice_days)
    return deadline if deadline < today else None


def single_provider_functions(principal) -> list[tuple[BusinessFunction, str, int]]:
    """Functions that depend on one provider with no backup: every active engagement covering
    the function is with the same provider, and no other provider is engaged for it (active or
    paused) or shortlisted for it. Returns (function, provider name, provider id), by name."""
    active = defaultdict(set)
    others = defaultdict(set)
    names = {}
    for function_id, provider_id, provider_name, status in (
        EngagementFunction.objects.visible_to(principal)
        .filter(engagement__status__in=[EngagementStatus.ACTIVE, EngagementStatus.PAUSED])
        .values_list(
            "function_id", "engagement__provider_id", "engagement__provider__name",
            "engagement__status",
        )
    ):  # fmt: skip
        names[provider_id] = provider_name
        target = active if status == EngagementStatus.ACTIVE else others
        target[function_id].add(provider_id)
    for function_id, provider_id in ShortlistCandidate.objects.visible_to(principal).values_list(
        "function_id", "provider_id"
    ):
        others[function_id].add(provider_id)
    single = {
        function_id: next(iter(providers))
        for function_id, providers in active.items()
        if len(providers) == 1 and not (others[function_id] - providers)
    }
    functions = BusinessFunction.objects.visible_to(principal).filter(pk__in=list(single))
    return [(f, names[single[f.pk]], single[f.pk]) for f in functions]


def _single_provider(principal) -> Section:
    rows = single_provider_functions(principal)
    items = [
        Item(
            label=function.name,
            url=_url("insights:shortlist", principal.organization.slug, function.pk),
            detail=f"only {provider}; no backup engaged or shortlisted",
            provider=provider,
            warning=True,
        )
        for function, provider, _ in rows[:TOP]
    ]
    return Section(
        "single_provider",
        "Functions with a single provider and no backup",
        len(rows),
        items,
        _url("decisions:functions", principal.organization.slug),
        "Every outsourced function has a second provider engaged or shortlisted.",
    )


# --- Spend ------------------------------------------------------------------------------------
def plans_in_force(principal, today: date) -> dict[int, Decision]:
    """Each function's latest decision already started by ``today`` (one query)."""
    plans: dict[int, Decision] = {}
    decisions = (
        Decision.objects.visible_to(principal)
        .filter(plan_starts_on__lte=today)
        .select_related("function")
        .order_by("-decided_at", "-id")
    )
    for decision in decisions:
        plans.setdefault(decision.function_id, decision)
    return plans


def payments_by_function(principal, start: date, end: date, provider_id=None):
    """Payments between ``start`` and ``end`` as (function id, day paid, amount): a payment
    recorded on an engagement is split evenly across the engagement's functions. Two queries,
    whatever the number of payments."""
    payments = Payment.objects.visible_to(principal).filter(
        paid_on__gte=start, paid_on__lte=end, engagement__isnull=False
    )
    if provider_id is not None:
        payments = payments.filter(provider_id=provider_id)
    by_day = list(
        payments.values("engagement_id", "paid_on")
        .annotate(total=Sum("amount"))
        .values_list("engagement_id", "paid_on", "total")
    )
    functions_of = defaultdict(list)
    for engagement_id, function_id in (
        EngagementFunction.objects.visible_to(principal)
        .filter(engagement_id__in={row[0] for row in by_day})
        .values_list("engagement_id", "function_id")
    ):
        functions_of[engagement_id].append(function_id)
    rows = []
    for engagement_id, paid_on, total in by_day:
        functions = functions_of.get(engagement_id) or []
        rows.extend((function_id, paid_on, total / len(functions)) for function_id in functions)
    return rows


def spent_since(rows, function_id: int, since: date) -> Decimal:
    total = sum((amount for fid, day, amount in rows if fid == function_id and day >= since), ZERO)
    return total.quantize(Decimal("0.01"))


def spend_this_year(principal, today: date) -> Spend:
    """This year's payments against each outsourcing plan in force, prorated from the later of
    January 1 and the plan's start to today; the in-house baseline prorated the same way.
    Payments before a plan's start belong to the arrangement it replaced and are left out."""
    start = date(today.year, 1, 1)
    total = (
        Payment.objects.visible_to(principal)
        .filter(paid_on__gte=start, paid_on__lte=today)
        .aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    plans = [
        plan
        for plan in plans_in_force(principal, today).values()
        if plan.chosen_option == ChosenOption.QUOTE
    ]
    rows = payments_by_function(principal, start, today) if plans else []
    lines = []
    for plan in sorted(plans, key=lambda p: p.function.name.lower()):
        plan_start = max(start, plan.plan_starts_on)
        lines.append(
            SpendLine(
                label=plan.function.name,
                spend=spent_since(rows, plan.function_id, plan_start),
                planned=prorate(plan.planned_annual_cost, plan_start, today, year=today.year),
                in_house=prorate(plan.in_house_annual_cost, plan_start, today, year=today.year),
                url=_url("decisions:analysis", principal.organization.slug, plan.analysis_id),
                option=plan.option_name,
            )
        )
    planned_total = None
    if lines:
        planned_total = SpendLine(
            label="All planned functions",
            spend=sum((line.spend for line in lines), ZERO),
            planned=sum((line.planned for line in lines), ZERO),
            in_house=sum((line.in_house for line in lines), ZERO),
        )
    return Spend(
        today.year,
        start,
        today,
        total,
        lines,
        planned_total,
        _url("payables:payments", principal.organization.slug),
    )


# --- Standings --------------------------------------------------------------------------------
def standings(principal, today: date, now: datetime) -> tuple[list[Standing], str]:
    """The standings of the default period (this quarter) that holds ``today``: the same
    providers, scores and ranks as the scorecards page (``insights.standings``)."""
    period = scorecards.period_of(standings_.DEFAULT_KIND, today)
    # One reverse() for all of them, each provider's id put in the stand-in's place.
    slot = str(scorecards.PROVIDER_SLOT)
    url = scorecard_url(principal.organization, scorecards.PROVIDER_SLOT, period)
    rows = []
    for row in standings_.ranked(principal, period, now=now):
        on_time_rate, on_time_count = row.card.value_and_count("on_time")
        rows.append(
            Standing(
                provider_id=row.provider_id,
                provider=row.name,
                overall=row.overall,
                on_time_rate=on_time_rate,
                on_time_count=on_time_count,
                url=url.replace(slot, str(row.provider_id)),
            )
        )
    return rows, period.label


def split_standings(
    rows: list[Standing], shown: int = STANDINGS_SHOWN
) -> tuple[list[tuple[int, Standing]], list[tuple[int, Standing]]]:
    """What the page lists of the sorted standings, each row with its rank: every row while
    there are at most twice ``shown``; past that the best ``shown`` and the lowest ``shown`` of
    those with a score (a provider without data this quarter is not "lowest")."""
    ranked = list(enumerate(rows, start=1))
    if len(ranked) <= 2 * shown:
        return ranked, []
    scored = [pair for pair in ranked[shown:] if pair[1].overall is not None]
    return ranked[:shown], scored[-shown:]


def scorecard_url(org, provider_id: int, period) -> str:
    """The provider's scorecard for ``period``."""
    url = reverse("insights:provider_scorecard", args=[org.slug, provider_id])
    return f"{url}?{urlencode(period.params())}"


# --- The dashboard ----------------------------------------------------------------------------
def build(principal, *, user=None, today: date | None = None) -> "Dashboard":
    """Everything the dashboard shows, in a fixed number of queries."""
    zone = ZoneInfo(principal.organization.time_zone)
    now = timezone.now()
    if today is None:
        today = timezone.localtime(now, zone).date()
    elif today != timezone.localtime(now, zone).date():
        # Another day (tests, the bench, the API's ?today=): its noon stands for "now".
        now = datetime.combine(today, time(12), tzinfo=zone)
    dashboard_standings, period_label = standings(principal, today, now)
    mine = 0
    if user is not None and user.is_authenticated:
        mine = task_list(principal, user=user, tab=Tab.MINE, now=now).count()
    started, found = first_run.getting_started(principal)
    board = Dashboard(
        org=principal.organization,
        today=today,
        now=now,
        overdue=_task_section(
            principal, "overdue", "Overdue work", Tab.OVERDUE, now, "Nothing is overdue."
        ),
        due_week=_task_section(
            principal,
            "due_week",
            "Due this week",
            Tab.WEEK,
            now,
            "Nothing falls due in the next 7 days.",
        ),
        issues=_issue_section(principal, now),
        extra={"waiting": _waiting(principal, now), **invoice_cards(principal, today, zone)},
        compliance=[
            _missing_w9(principal),
            _unsigned(principal),
            _due_diligence(principal, today),
            _stale(principal, today),
            _forms_1099(principal, today),
        ],
        renewals=_renewals(principal, today),
        spend=spend_this_year(principal, today),
        standings=dashboard_standings,
        standings_period=period_label,
        single_provider=_single_provider(principal),
        mine=mine,
        standings_url=_url(
            "insights:scorecards",
            principal.organization.slug,
            query=scorecards.period_of(standings_.DEFAULT_KIND, today).params(),
        ),
        getting_started=None if started.complete else started,
    )
    explain_empty([*board.sections, *board.extra.values()], started, found)
    return board


# Cards that read "all is well" when empty, and what they say instead while there is nothing
# yet to check: rules of (the facts any of which gives them something, the sentence, the step
# it links to), the first rule whose facts are all missing wins.
NOTHING_YET = {
    "overdue": [(("task",), "No task has been sent yet.", "task")],
    "due_week": [(("task",), "No task has been sent yet.", "task")],
    "waiting": [(("task",), "No task has been sent yet.", "task")],
    "issues": [(("activated",), "No engagement is under way yet, so no issue to answer.", "plan")],
    "missing_w9": [
        (("provider",), "No provider yet, so no W-9 to collect.", "provider"),
        (
            ("activated", "payment"),
            "No provider is engaged or paid yet, so no W-9 is due.",
            "plan",
        ),
    ],
    "unsigned": [(("activated",), "No engagement is active yet.", "plan")],
    "single_provider": [(("activated",), "No function is outsourced yet.", "plan")],
}


def explain_empty(sections, started: first_run.GettingStarted, found: dict) -> None:
    """An empty card whose subject does not exist yet says so and links to the step."""
    steps = {step.key: step for step in started.steps}
    for section in sections:
        if section.count:
            continue
        for facts, sentence, step_key in NOTHING_YET.get(section.key, ()):
            if not any(found[fact] for fact in facts):
                step = steps[step_key]
                section.empty, section.empty_link, section.empty_url = (
                    sentence,
                    step.label,
                    step.url,
                )
                break
