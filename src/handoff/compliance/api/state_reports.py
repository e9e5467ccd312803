"""State new-hire reports of contractors: who each of the organization's states wants reported
for a year, by when, and the report recorded. Reading for viewers; recording for managers."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Schema, Status

from handoff.compliance import state_reports
from handoff.compliance.api.routing import ERRORS, router
from handoff.core.api import api_access
from handoff.core.roles import Role
from handoff.providers.models import Provider


class StateRuleOut(Schema):
    state: str
    threshold: Decimal | None = Field(description="Empty: a contractor paid any amount.")
    more_than: bool
    counts_contract_value: bool
    entity_types: list[str]
    who: str
    deadline_days: int | None
    every_year: bool
    how: str
    asks: str
    source: str
    verified_on: date | None = Field(description="When the source was read; empty: not re-read.")


class StateReportDueOut(Schema):
    provider_id: int
    provider_name: str
    state: str
    year: int
    reportable_on: date = Field(description="The day the year's payments reached the amount.")
    due_on: date | None
    paid: Decimal
    first_paid_on: date
    filed: bool
    filed_on: date | None
    reference: str


class StateReportsOut(Schema):
    year: int
    rules: list[StateRuleOut]
    reports: list[StateReportDueOut]


class StateReportsQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="Default: this year.")


class StateReportIn(Schema):
    provider_id: int
    state: str = Field(max_length=2)
    year: int = Field(ge=2000, le=2100)
    filed_on: date
    reference: str = Field("", max_length=100)


def _row(due) -> dict:
    return {
        "provider_id": due.provider.pk,
        "provider_name": due.provider.name,
        "state": due.rule.state,
        "year": due.year,
        "reportable_on": due.reportable_on,
        "due_on": due.due_on,
        "paid": due.paid,
        "first_paid_on": due.first_paid_on,
        "filed": due.filed,
        "filed_on": due.report.filed_on if due.report else None,
        "reference": due.report.reference if due.report else "",
    }


@router.get(
    "/compliance/state-reports",
    response={200: StateReportsOut, **ERRORS},
    summary="The contractors the organization's states want reported for a year, and the rules",
)
@api_access()
def list_state_reports(request, query: Query[StateReportsQuery]):
    today = request.org.today()
    year = query.year or today.year
    rules = state_reports.rules_for(request.org.states, min(today, date(year, 12, 31)))
    return {
        "year": year,
        "rules": [rules[state] for state in sorted(rules)],
        "reports": [_row(due) for due in state_reports.dues(request.principal, year)],
    }


@router.post(
    "/compliance/state-reports",
    response={201: StateReportDueOut, **ERRORS},
    summary="Record that a contractor was reported to a state for a year",
)
@api_access(Role.MANAGER)
def file_state_report(request, payload: StateReportIn):
    provider = Provider.objects.visible_to(request.principal).filter(pk=payload.provider_id).first()
    if provider is None:
        raise ValidationError({"provider_id": "Choose a provider of this organization."})
    report = state_reports.mark_reported(
        request.principal,
        provider=provider,
        state=payload.state,
        year=payload.year,
        filed_on=payload.filed_on,
        reference=payload.reference,
    )
    (due,) = [
        row
        for row in state_reports.dues(request.principal, report.year)
        if row.provider.pk == provider.pk and row.rule.state == report.state
    ]
    return Status(201, _row(due))
