"""The dashboard and the reports as JSON (and CSV): the same builders as the pages.

Least role: viewer, as on the pages (every role reads Evaluate); sending a review by e-mail:
manager. A provider of another organization is a 404; a bad period is a 422 naming the field.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from handoff.core.api import ErrorOut, api_access, downloads, fields_named
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.insights import dashboard, report_email, reports
from handoff.providers.models import Provider

router = Router(tags=["dashboard and reports"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- The dashboard ----------------------------------------------------------------------------
class ItemOut(Schema):
    label: str
    url: str = Field(description="The page where it is acted on.")
    detail: str
    when: date | datetime | None
    provider: str
    warning: bool


class SectionOut(Schema):
    key: str
    title: str
    count: int = Field(description="Every matching row; `items` holds the first few.")
    url: str = Field(description="The full list.")
    empty: str = Field(description="What the page says when the count is 0.")
    empty_url: str = Field(
        "",
        description="While there is nothing yet to check (no provider, no task): the page of "
        "the step that starts it; otherwise empty.",
    )
    items: list[ItemOut]


class StepOut(Schema):
    key: str
    label: str
    done: bool = Field(description="Ticked from the organization's own data.")
    url: str = Field(description="Where the step is done.")


class SpendLineOut(Schema):
    label: str
    option: str
    spend: Decimal
    planned: Decimal
    in_house: Decimal
    savings: Decimal
    url: str


class SpendOut(Schema):
    year: int
    start: date
    today: date
    total: Decimal = Field(description="Every payment this year to date.")
    unplanned: Decimal = Field(description="Payments not set against an outsourcing plan.")
    lines: list[SpendLineOut]
    planned_total: SpendLineOut | None
    url: str


class StandingOut(Schema):
    provider_id: int
    provider: str
    overall: float | None = Field(description="0–100; null without data.")
    on_time_rate: float | None = Field(description="0–1; null without data.")
    on_time_count: int
    url: str


class DashboardOut(Schema):
    today: date
    waiting: SectionOut = Field(
        description="Delivered tasks waiting for our review, the longest waiting first."
    )
    overdue: SectionOut
    due_week: SectionOut
    issues: SectionOut
    compliance: list[SectionOut]
    renewals: SectionOut
    single_provider: SectionOut
    spend: SpendOut
    standings_period: str
    standings: list[StandingOut]
    mine: int = Field(description="Open tasks assigned to the token's owner.")
    getting_started: list[StepOut] | None = Field(
        description="A new organization's first steps, each ticked when done; null once all are."
    )


def _spend_line(line: dashboard.SpendLine) -> dict:
    return {
        "label": line.label,
        "option": line.option,
        "spend": line.spend,
        "planned": line.planned,
        "in_house": line.in_house,
        "savings": line.savings,
        "url": line.url,
    }


@router.get(
    "/dashboard",
    response={200: DashboardOut, **ERRORS},
    summary="What needs doing now, spend this year against plan, and provider standings",
)
@api_access()
def dashboard_items(request):
    board = dashboard.build(request.principal, user=request.user)
    spend = board.spend
    return {
        "today": board.today,
        "waiting": board.extra["waiting"],
        "overdue": board.overdue,
        "due_week": board.due_week,
        "issues": board.issues,
        "compliance": board.compliance,
        "renewals": board.renewals,
        "single_provider": board.single_provider,
        "spend": {
            "year": spend.year,
            "start": spend.start,
            "today": spend.today,
            "total": spend.total,
            "unplanned": spend.unplanned,
            "lines": [_spend_line(line) for line in spend.lines],
            "planned_total": spend.planned_total and _spend_line(spend.planned_total),
            "url": spend.url,
        },
        "standings_period": board.standings_period,
        "standings": board.standings,
        "mine": board.mine,
        "getting_started": board.getting_started and board.getting_started.steps,
    }


# --- Reports ----------------------------------------------------------------------------------
class PeriodQuery(Schema):
    period: Literal["", "month", "quarter", "year", "custom"] = Field(
        "", description="Empty: the last complete quarter."
    )
    on: date | None = Field(None, description="A day inside the month, quarter or year.")
    from_: date | None = Field(None, alias="from", description="For custom: the first day.")
    to: date | None = Field(None, description="For custom: the last day.")
    format: Literal["json", "csv"] = "json"

    def params(self) -> dict:
        return {
            "period": self.period,
            "on": self.on,
            "from": self.from_,
            "to": self.to,
        }


class ReportPeriodOut(Schema):
    label: str
    kind: str
    start: date
    end: date


class ReportFigureOut(Schema):
    key: str
    label: str
    unit: str = Field(description="percent (0–1), hours, rating (1–5), money, count, score.")
    value: float | None
    count: int = Field(description="The data points behind the figure; 0: no data.")
    url: str


class MissOut(Schema):
    task_id: int
    title: str
    due_at: datetime
    status: str
    late_hours: float | None
    still_open: bool
    returns: int


class IssueRowOut(Schema):
    issue_id: int
    title: str
    severity: str
    raised_at: datetime
    first_response_at: datetime | None
    response_hours: float | None
    outcome: str
    level: int
    resolved_at: datetime | None


class FunctionOut(Schema):
    function: str
    spend: Decimal
    plan_option: str | None
    planned_annual_cost: Decimal | None
    in_house_annual_cost: Decimal | None


class ReviewDecisionOut(Schema):
    id: int
    function: str
    option: str
    planned_annual_cost: Decimal
    in_house_annual_cost: Decimal
    plan_starts_on: date
    decided_at: datetime
    reason: str


class ReviewCheckInAveragesOut(Schema):
    count: int
    comfortable: float | None
    clear: float | None
    responsive: float | None
    recommend: float | None
    overall: float | None


class ReviewOut(Schema):
    provider_id: int
    provider: str
    period: ReportPeriodOut
    overall: ReportFigureOut
    figures: list[ReportFigureOut]
    in_house: Decimal | None = Field(description="The in-house baseline for the period.")
    misses: list[MissOut]
    issues: list[IssueRowOut]
    functions: list[FunctionOut]
    decisions: list[ReviewDecisionOut]
    checkins_ours: ReviewCheckInAveragesOut
    checkins_theirs: ReviewCheckInAveragesOut


class SummaryRowOut(Schema):
    provider_id: int
    provider: str
    overall: ReportFigureOut
    figures: list[ReportFigureOut]


class ReportSummaryOut(Schema):
    period: ReportPeriodOut
    spend_total: Decimal
    payments: int
    plan_total: Decimal | None
    savings_total: Decimal | None
    providers: list[SummaryRowOut]


def _period(request, query: PeriodQuery):
    return reports.report_period(request.org, query.params())


def _period_out(period) -> dict:
    return {"label": period.label, "kind": period.kind, "start": period.start, "end": period.end}


def _figure(figure) -> dict:
    value = figure.value
    return {
        "key": figure.key,
        "label": figure.label,
        "unit": figure.unit,
        "value": None if value is None else float(value),
        "count": figure.count,
        "url": figure.url,
    }


def _averages(averages) -> dict:
    names = ("count", "comfortable", "clear", "responsive", "recommend", "overall")
    return {name: getattr(averages, name) for name in names}


def _csv(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/providers/{provider_id}/review",
    response={200: ReviewOut, **ERRORS},
    summary="A provider's quarterly business review (JSON, or CSV with ?format=csv)",
)
@api_access()
@downloads("text/csv", description="The review as JSON, or as CSV with ?format=csv.")
def provider_review(request, provider_id: int, query: Query[PeriodQuery]):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_id)
    review = reports.provider_review(request.principal, provider, _period(request, query))
    if query.format == "csv":
        return _csv(reports.review_csv(review), reports.filename(review, "csv"))
    return {
        "provider_id": provider.pk,
        "provider": provider.name,
        "period": _period_out(review.period),
        "overall": _figure(review.scorecard.overall),
        "figures": [_figure(figure) for figure in review.figures],
        "in_house": review.in_house,
        "misses": [
            {
                "task_id": miss.task.pk,
                "title": miss.task.title,
                "due_at": miss.task.due_at,
                "status": miss.task.status,
                "late_hours": miss.late_hours,
                "still_open": miss.still_open,
                "returns": miss.returns,
            }
            for miss in review.misses
        ],
        "issues": [
            {
                "issue_id": row.issue.pk,
                "title": row.issue.title,
                "severity": row.issue.severity,
                "raised_at": row.issue.raised_at,
                "first_response_at": row.issue.first_response_at,
                "response_hours": row.response_hours,
                "outcome": row.outcome,
                "level": row.issue.level,
                "resolved_at": row.issue.resolved_at,
            }
            for row in review.escalations
        ],
        "functions": [
            {
                "function": line.function,
                "spend": line.spend,
                "plan_option": line.plan and line.plan.option_name,
                "planned_annual_cost": line.plan and line.plan.planned_annual_cost,
                "in_house_annual_cost": line.plan and line.plan.in_house_annual_cost,
            }
            for line in review.functions
        ],
        "decisions": [
            {
                "id": decision.pk,
                "function": str(decision.function),
                "option": decision.option_name,
                "planned_annual_cost": decision.planned_annual_cost,
                "in_house_annual_cost": decision.in_house_annual_cost,
                "plan_starts_on": decision.plan_starts_on,
                "decided_at": decision.decided_at,
                "reason": decision.reason,
            }
            for decision in review.decisions
        ],
        "checkins_ours": _averages(review.checkins.ours),
        "checkins_theirs": _averages(review.checkins.theirs),
    }


class ReviewEmailIn(Schema):
    period: Literal["", "month", "quarter", "year", "custom"] = Field(
        "", description="Empty: the last complete quarter."
    )
    on: date | None = Field(None, description="A day inside the month, quarter or year.")
    from_: date | None = Field(None, alias="from", description="For custom: the first day.")
    to: date | None = Field(None, description="For custom: the last day.")
    recipient_ids: list[int] = Field(description="Active members of the organization; 1 or more.")
    message: str = Field("", description=f"Optional, up to {report_email.MESSAGE_MAX} characters.")

    def params(self) -> dict:
        return {"period": self.period, "on": self.on, "from": self.from_, "to": self.to}


class ReviewEmailOut(Schema):
    provider_id: int
    period: ReportPeriodOut
    recipient_ids: list[int]


@router.post(
    "/providers/{provider_id}/review/email",
    response={202: ReviewEmailOut, **ERRORS},
    summary="Send a provider's review by e-mail (figures, charts and the PDF), as a job",
)
@api_access(Role.MANAGER)
@fields_named(recipients="recipient_ids")
def email_provider_review(request, provider_id: int, payload: ReviewEmailIn):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_id)
    period = reports.report_period(request.org, payload.params())
    recipient_ids = report_email.request_review_email(
        request.org,
        provider,
        period,
        sender=request.user,
        recipient_ids=payload.recipient_ids,
        message=payload.message,
    )
    return Status(
        202,
        {"provider_id": provider.pk, "period": _period_out(period), "recipient_ids": recipient_ids},
    )


@router.get(
    "/reports/summary",
    response={200: ReportSummaryOut, **ERRORS},
    summary="Every provider's scorecard for a period, with the period's spend (JSON or CSV)",
)
@api_access()
@downloads("text/csv", description="The summary as JSON, or as CSV with ?format=csv.")
def org_summary(request, query: Query[PeriodQuery]):
    summary = reports.org_summary(request.principal, _period(request, query))
    if query.format == "csv":
        return _csv(reports.summary_csv(summary), reports.filename(summary, "csv"))
    return {
        "period": _period_out(summary.period),
        "spend_total": summary.spend_total,
        "payments": summary.payments,
        "plan_total": summary.total("plan"),
        "savings_total": summary.total("savings"),
        "providers": [
            {
                "provider_id": row.provider_id,
                "provider": row.provider,
                "overall": _figure(row.card.overall),
                "figures": [_figure(row.card[key]) for key in reports.FIGURE_ORDER],
            }
            for row in summary.rows
        ],
    }
