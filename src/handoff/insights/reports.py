"""Reports for a quarterly business review: one provider's, and the organization's summary.

Each report is built once (``provider_review``, ``org_summary``) and rendered three ways from
the same data: a printable page, a PDF (WeasyPrint, from the same template, the same SVG charts
inline) and a CSV whose columns are documented in ``docs/dashboard-and-reports.md``.
"""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import pygal
from django.db.models import Count, F, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from handoff.core import csv_export
from handoff.core.charts import inline_svg
from handoff.core.money import cents
from handoff.core.templatetags.handoff import money
from handoff.decisions.charts import STYLE
from handoff.decisions.models import BusinessFunction, Decision
from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import EngagementFunction
from handoff.insights import charts, checkins, dashboard, scorecards
from handoff.payables.models import Payment
from handoff.providers.models import Provider
from handoff.work import status as task_status
from handoff.work.choices import TaskStatus
from handoff.work.models import Issue, Task

ZERO = Decimal(0)


# --- Charts -----------------------------------------------------------------------------------
def spend_chart(spend, currency: str) -> SafeString:
    """Spend so far this year against the plan and the in-house baseline, per planned
    function; empty when no outsourcing plan is in force. The same figures stand in a table."""
    if not spend.lines:
        return mark_safe("")
    title = f"Spend in {spend.year} to date against plan and in-house ({currency})"
    chart = pygal.Bar(
        js=[],  # no tooltip script from a CDN: installations often sit on closed networks
        disable_xml_declaration=True,
        style=STYLE,
        width=760,
        height=340,
        title=title,
        legend_at_bottom=True,
        truncate_legend=-1,
        truncate_label=-1,
        include_x_axis=True,
        value_formatter=lambda value: money(Decimal(str(value)), currency),
    )
    lines = spend.lines  # the total is in the table: its bars would dwarf the functions'
    chart.x_labels = [line.label for line in lines]
    chart.add("In-house baseline", [float(cents(line.in_house)) for line in lines])
    chart.add("Plan", [float(cents(line.planned)) for line in lines])
    chart.add("Spent", [float(cents(line.spend)) for line in lines])
    return inline_svg(chart, title)


def bars_chart(title: str, labels: list[str], series: list[tuple[str, list]], currency: str):
    """Grouped bars of money figures (spend, plan, in-house) with their labels."""
    if not labels:
        return mark_safe("")
    chart = pygal.Bar(
        js=[],
        disable_xml_declaration=True,
        style=STYLE,
        width=760,
        height=320,
        title=title,
        legend_at_bottom=True,
        truncate_legend=-1,
        truncate_label=-1,
        include_x_axis=True,
        value_formatter=lambda value: money(Decimal(str(value)), currency),
    )
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, [None if v is None else float(cents(v)) for v in values])
    return inline_svg(chart, title)


# --- Periods ----------------------------------------------------------------------------------
def last_complete_quarter(org, now=None) -> scorecards.Period:
    return scorecards.current(org, scorecards.QUARTER, now).previous()


def report_period(org, params) -> scorecards.Period:
    """The period asked for (``period``, ``on``, ``from``, ``to`` as the scorecards read them);
    without ``period``, the last complete quarter. Raises ``ValidationError`` for a bad one."""
    if not (params.get("period") or "").strip():
        return last_complete_quarter(org)
    return scorecards.parse_period(org, params)


# --- The provider's quarterly review ---------------------------------------------------------
FIGURE_ORDER = (
    "on_time",
    "lateness_avg",
    "lateness_worst",
    "turnaround",
    "rework",
    "quality",
    "issues_raised",
    "responses",
    "escalations",
    "checkins",
    "spend",
    "plan",
    "savings",
)
MAX_ROWS = 200


@dataclass
class Miss:
    task: object
    late_hours: float | None  # None: not late (returned only)
    still_open: bool
    returns: int

    @property
    def reasons(self) -> list[str]:
        found = []
        if self.still_open:
            found.append("overdue, not delivered")
        elif self.late_hours is not None:
            found.append(f"delivered {self.late_hours:.1f} h late")
        if self.returns:
            found.append(f"returned {self.returns}×")
        return found


@dataclass
class Escalation:
    issue: object
    response_hours: float | None
    in_time: bool | None  # None: no target, or not known yet

    @property
    def outcome(self) -> str:
        if self.in_time is True:
            return "answered within target"
        if self.in_time is False:
            return "missed the target"
        return "no target" if self.issue.respond_by is None else "waiting"


@dataclass
class FunctionSpend:
    function: str
    plan: object | None  # the Decision in force at the period's end
    spend: Decimal


@dataclass
class ProviderReview:
    org: object
    provider: object
    period: scorecards.Period
    scorecard: scorecards.Scorecard
    trend: list
    misses: list[Miss]
    escalations: list[Escalation]
    functions: list[FunctionSpend]
    decisions: list
    checkins: object  # checkins.CheckInSummary
    prepared: date = field(default_factory=timezone.localdate)

    @property
    def figures(self) -> list:
        return [self.scorecard.figures[key] for key in FIGURE_ORDER]

    @property
    def in_house(self) -> Decimal | None:
        """The in-house baseline for the period (savings + spend), when both are known."""
        savings, spend = self.scorecard["savings"], self.scorecard["spend"]
        if savings.value is None or spend.value is None:
            return None
        return savings.value + spend.value

    @property
    def late_count(self) -> int:
        return sum(1 for miss in self.misses if miss.late_hours is not None or miss.still_open)

    @property
    def returned_count(self) -> int:
        return sum(1 for miss in self.misses if miss.returns)


def _misses(principal, provider, period, now) -> list[Miss]:
    """Tasks due in the period, not cancelled, that came late (or are still overdue) or were
    returned for rework: one query."""
    start, end = period.bounds(scorecards.org_zone(principal.organization))
    tasks = (
        Task.objects.visible_to(principal)
        .filter(engagement__provider=provider, due_at__gte=start, due_at__lt=end)
        .exclude(status=TaskStatus.CANCELLED)
        .filter(
            Q(delivered_at__gt=F("due_at"))
            | Q(status__in=task_status.WITH_PROVIDER, delivered_at__isnull=True, due_at__lt=now)
            | Q(returns__gte=1)
        )
        .select_related("engagement")
        .order_by("due_at", "id")[:MAX_ROWS]
    )
    misses = []
    for task in tasks:
        late = task.lateness
        still_open = task.delivered_at is None and task.is_with_provider and task.due_at < now
        misses.append(
            Miss(
                task,
                None if late is None else round(late.total_seconds() / 3600, 1),
                still_open,
                task.returns,
            )
        )
    return misses


def _escalations(principal, provider, period, now) -> list[Escalation]:
    """Issues raised in the period about the provider's engagements, with response times."""
    start, end = period.bounds(scorecards.org_zone(principal.organization))
    rows = (
        Issue.objects.visible_to(principal)
        .filter(engagement__provider=provider, raised_at__gte=start, raised_at__lt=end)
        .select_related("engagement")
        .order_by("raised_at", "id")[:MAX_ROWS]
    )
    found = []
    for issue in rows:
        hours = None
        if issue.first_response_at:
            hours = round((issue.first_response_at - issue.raised_at).total_seconds() / 3600, 1)
        in_time = None
        if issue.respond_by is not None or issue.escalated_at is not None:
            if issue.escalated_at is not None:
                in_time = False
            elif issue.first_response_at is not None:
                in_time = issue.first_response_at <= issue.respond_by
            elif issue.respond_by < now:
                in_time = False
        found.append(Escalation(issue, hours, in_time))
    return found


def _functions(principal, provider, period) -> tuple[list[FunctionSpend], list]:
    """The provider's functions with the plan in force at the period's end and the period's
    spend; and the Decide decisions that name the provider or plan its functions."""
    function_ids = set(
        EngagementFunction.objects.visible_to(principal)
        .filter(engagement__provider=provider)
        .exclude(engagement__status=EngagementStatus.DRAFT)
        .values_list("function_id", flat=True)
    )
    decisions = list(
        Decision.objects.visible_to(principal)
        .filter(Q(provider=provider) | Q(function_id__in=function_ids, provider__isnull=True))
        .select_related("function", "decided_by")
        .order_by("-decided_at", "-id")
    )
    in_force = {}
    for decision in decisions:
        if decision.plan_starts_on <= period.end:
            in_force.setdefault(decision.function_id, decision)
    rows = dashboard.payments_by_function(
        principal, period.start, period.end, provider_id=provider.pk
    )
    names = dict(
        BusinessFunction.objects.visible_to(principal)
        .filter(pk__in=function_ids | set(in_force))
        .values_list("pk", "name")
    )
    lines = [
        FunctionSpend(
            names.get(function_id, ""),
            in_force.get(function_id),
            dashboard.spent_since(rows, function_id, period.start),
        )
        for function_id in sorted(function_ids | set(in_force), key=lambda f: names.get(f, ""))
    ]
    return lines, decisions


def provider_review(principal, provider, period, *, now=None) -> ProviderReview:
    now = now or timezone.now()
    card = scorecards.compute(principal, period, [provider.pk], now=now)[provider.pk]
    points = []
    if period.kind in (scorecards.MONTH, scorecards.QUARTER, scorecards.YEAR):
        points = scorecards.trend(principal, provider.pk, period.kind, 4, until=period.end, now=now)
    functions, decisions = _functions(principal, provider, period)
    summary = checkins.summary(principal, period.start, period.end, [provider.pk])[provider.pk]
    return ProviderReview(
        org=principal.organization,
        provider=provider,
        period=period,
        scorecard=card,
        trend=points,
        misses=_misses(principal, provider, period, now),
        escalations=_escalations(principal, provider, period, now),
        functions=functions,
        decisions=decisions,
        checkins=summary,
        prepared=scorecards.today_for(principal.organization, now),
    )


def review_charts(review: ProviderReview) -> dict:
    currency = review.org.currency
    card = review.scorecard
    money_series = []
    if card["spend"].value is not None or card["plan"].value is not None:
        money_series = [
            ("In-house baseline", [review.in_house]),
            ("Plan", [card["plan"].value]),
            ("Spent", [card["spend"].value]),
        ]
    return {
        "trend_chart": charts.on_time_chart(
            [(period.label, card["on_time"].value) for period, card in review.trend],
            review.provider.name,
        )
        if any(card["on_time"].value is not None for _, card in review.trend)
        else "",
        "spend_chart": bars_chart(
            f"Spend in {review.period.label} against plan and in-house ({currency})",
            [review.period.label] if money_series else [],
            money_series,
            currency,
        ),
    }


def review_context(review: ProviderReview, *, pdf: bool = False) -> dict:
    return {
        "review": review,
        "org": review.org,
        "provider": review.provider,
        "period": review.period,
        "card": review.scorecard,
        "pdf": pdf,
        "query": urlencode(review.period.params()),
        "previous_query": urlencode(review.period.previous().params()),
        "next_query": urlencode(review.period.following().params()),
        **review_charts(review),
    }


def review_pdf(review: ProviderReview) -> bytes:
    from weasyprint import HTML  # imported here: loading pango costs a second at start-up

    html = render_to_string("insights/report_review_pdf.html", review_context(review, pdf=True))
    return HTML(string=html).write_pdf()


# --- CSV --------------------------------------------------------------------------------------
REVIEW_COLUMNS = ["section", "key", "label", "value", "unit", "count", "date", "detail"]


def _number(value, unit: str = ""):
    if value is None:
        return ""
    if unit == "percent":
        return f"{float(value) * 100:.1f}"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _csv(rows, header) -> str:
    buffer = io.StringIO()
    writer = csv_export.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def review_rows(review: ProviderReview) -> list[list]:
    period = review.period
    rows = [
        ["report", "provider", review.provider.name, review.provider.pk, "", "", "", ""],
        ["report", "period", period.label, "", "", "", period.start.isoformat(),
         period.end.isoformat()],
    ]  # fmt: skip
    card = review.scorecard
    for figure in [card.overall, *review.figures]:
        unit = "percent" if figure.unit == "percent" else figure.unit
        rows.append(
            ["scorecard", figure.key, figure.label, _number(figure.value, unit), unit,
             figure.count, "", figure.note]
        )  # fmt: skip
    for miss in review.misses:
        task = miss.task
        rows.append(
            ["miss", task.pk, task.title, "" if miss.late_hours is None else miss.late_hours,
             "hours", miss.returns, timezone.localtime(task.due_at).date().isoformat(),
             "; ".join(miss.reasons)]
        )  # fmt: skip
    for escalation in review.escalations:
        issue = escalation.issue
        rows.append(
            ["issue", issue.pk, issue.title,
             "" if escalation.response_hours is None else escalation.response_hours, "hours",
             issue.level, timezone.localtime(issue.raised_at).date().isoformat(),
             f"{issue.get_severity_display()}; {escalation.outcome}"]
        )  # fmt: skip
    for line in review.functions:
        plan = line.plan
        detail = ""
        if plan is not None:
            detail = (
                f"plan {plan.option_name}: {plan.planned_annual_cost:.2f} a year against "
                f"{plan.in_house_annual_cost:.2f} in-house, from {plan.plan_starts_on}"
            )
        rows.append(
            ["function", line.function, line.function, _number(line.spend), "money", "", "",
             detail]
        )  # fmt: skip
    for decision in review.decisions:
        rows.append(
            ["decision", decision.pk, f"{decision.function}: {decision.option_name}",
             _number(decision.planned_annual_cost), "money", "",
             decision.plan_starts_on.isoformat(),
             f"in-house {decision.in_house_annual_cost:.2f}; {decision.reason}"]
        )  # fmt: skip
    for side, averages in (("ours", review.checkins.ours), ("theirs", review.checkins.theirs)):
        for question, value in [*averages.by_question(), ("overall", averages.overall)]:
            rows.append(
                ["checkin", f"{side}.{question}", scorecards.CHECKIN_QUESTIONS.get(
                    question, "Average of the four questions"), _number(value), "rating",
                 averages.count, "", side]
            )  # fmt: skip
    return rows


def review_csv(review: ProviderReview) -> str:
    return _csv(review_rows(review), REVIEW_COLUMNS)


# --- The organization's summary ---------------------------------------------------------------
@dataclass
class SummaryRow:
    provider_id: int
    provider: str
    card: scorecards.Scorecard
    url: str


@dataclass
class OrgSummary:
    org: object
    period: scorecards.Period
    rows: list[SummaryRow]
    spend_total: Decimal
    payments: int
    prepared: date

    def total(self, key: str) -> Decimal | None:
        values = [row.card[key].value for row in self.rows if row.card[key].value is not None]
        return sum(values, ZERO) if values else None


def org_summary(principal, period, *, now=None) -> OrgSummary:
    """Every provider with data in ``period``, best overall first, and the period's spend."""
    now = now or timezone.now()
    cards = scorecards.compute(principal, period, now=now)
    names = dict(
        Provider.objects.visible_to(principal).filter(pk__in=list(cards)).values_list("pk", "name")
    )
    rows = [
        SummaryRow(
            pk, names.get(pk, ""), card, dashboard.scorecard_url(principal.organization, pk, period)
        )
        for pk, card in cards.items()
    ]
    rows.sort(
        key=lambda r: (r.card.overall.value is None, -(r.card.overall.value or 0), r.provider)
    )
    spent = (
        Payment.objects.visible_to(principal)
        .filter(paid_on__gte=period.start, paid_on__lte=period.end)
        .aggregate(total=Sum("amount"), count=Count("id"))
    )
    return OrgSummary(
        principal.organization,
        period,
        rows,
        spent["total"] or ZERO,
        spent["count"],
        scorecards.today_for(principal.organization, now),
    )


def summary_charts(summary: OrgSummary) -> dict:
    currency = summary.org.currency
    planned = [row for row in summary.rows if row.card["plan"].value is not None]
    spenders = [row for row in summary.rows if row.card["spend"].value is not None]
    shown = planned or spenders
    series = [("Spent", [row.card["spend"].value for row in shown])]
    if planned:
        series.insert(0, ("Plan", [row.card["plan"].value for row in shown]))
    scored = [(row.provider, row.card.overall.value) for row in summary.rows]
    return {
        "standings_chart": charts.standings_chart(scored, f"Overall score, {summary.period.label}")
        if any(score is not None for _, score in scored)
        else "",
        "spend_chart": bars_chart(
            f"Spend in {summary.period.label} by provider ({currency})",
            [row.provider for row in shown],
            series,
            currency,
        ),
    }


def summary_context(summary: OrgSummary, *, pdf: bool = False) -> dict:
    return {
        "summary": summary,
        "org": summary.org,
        "plan_total": summary.total("plan"),
        "savings_total": summary.total("savings"),
        "period": summary.period,
        "pdf": pdf,
        "query": urlencode(summary.period.params()),
        "previous_query": urlencode(summary.period.previous().params()),
        "next_query": urlencode(summary.period.following().params()),
        **summary_charts(summary),
    }


def summary_pdf(summary: OrgSummary) -> bytes:
    from weasyprint import HTML

    html = render_to_string("insights/report_summary_pdf.html", summary_context(summary, pdf=True))
    return HTML(string=html).write_pdf()


SUMMARY_FIGURES = (
    ("on_time", "on_time_percent"),
    ("lateness_avg", "lateness_avg_hours"),
    ("turnaround", "turnaround_percent"),
    ("rework", "rework_percent"),
    ("quality", "quality_rating"),
    ("issues_raised", "issues_raised"),
    ("responses", "responses_in_time_percent"),
    ("escalations", "escalations"),
    ("checkins", "checkin_rating"),
    ("spend", "spend"),
    ("plan", "plan"),
    ("savings", "savings"),
)
SUMMARY_COLUMNS = [
    "provider_id",
    "provider",
    "period_start",
    "period_end",
    "overall_score",
    "tasks_counted",
    *[column for _, column in SUMMARY_FIGURES],
]


def summary_rows(summary: OrgSummary) -> list[list]:
    rows = []
    for row in summary.rows:
        card = row.card
        rows.append(
            [
                row.provider_id,
                row.provider,
                summary.period.start.isoformat(),
                summary.period.end.isoformat(),
                _number(card.overall.value),
                card["on_time"].count,
                *[_number(card[key].value, card[key].unit) for key, _ in SUMMARY_FIGURES],
            ]
        )
    return rows


def summary_csv(summary: OrgSummary) -> str:
    return _csv(summary_rows(summary), SUMMARY_COLUMNS)


def filename(report, extension: str) -> str:
    period = report.period
    stamp = f"{period.start.isoformat()}-to-{period.end.isoformat()}"
    if isinstance(report, ProviderReview):
        return f"{report.org.slug}-review-provider-{report.provider.pk}-{stamp}.{extension}"
    return f"{report.org.slug}-summary-{stamp}.{extension}"
