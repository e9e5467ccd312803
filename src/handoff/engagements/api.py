"""Engagements as JSON: the same services as the pages, behind thin handlers.

Least roles: reading is for viewers, every write for managers, the agreement's clauses (the
organization's template) for admins.
"""

import os
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Exists, OuterRef, Subquery
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from handoff.core.api import ErrorOut, api_access, fields_named, paginate
from handoff.core.money import cents
from handoff.core.roles import Role
from handoff.core.tenancy import get_for_org_or_404
from handoff.engagements import agreements, selectors, services
from handoff.engagements.choices import (
    AgreementState,
    BillingPeriod,
    EngagementStatus,
    ExitItemKind,
    MeetingCadence,
    Party,
    PricingModel,
    Severity,
    TargetUnit,
    TurnaroundRule,
)
from handoff.engagements.models import (
    AccessGrant,
    AgreementClause,
    AgreementVersion,
    CommunicationPlan,
    Engagement,
    EscalationLevel,
    ExitItem,
    Holiday,
    ResponseTarget,
    ServiceLevel,
    SignedAgreement,
    StatusChange,
    WorkflowStep,
)
from handoff.providers.choices import Channel

router = Router(tags=["engagements"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- Schemas: engagements ---------------------------------------------------------------------
class FunctionRef(Schema):
    id: int
    name: str


class Tier(Schema):
    above: Decimal = Field(description="Units a month above which this price applies.")
    unit_price: Decimal


class EngagementOut(Schema):
    id: int
    provider_id: int
    provider_name: str
    title: str
    functions: list[FunctionRef]
    scope: str
    pricing_model: PricingModel
    amount: Decimal
    billing_period: BillingPeriod
    unit_name: str
    monthly_quantity: Decimal | None
    payment_terms_days: int
    tiers: list[Tier]
    annual_cost: Decimal | None = Field(description="None when an estimate it needs is missing.")
    currency: str
    start_date: date
    end_date: date | None
    auto_renew: bool
    renewal_months: int
    notice_days: int
    term_end: date | None = Field(description="The end of the term in force today.")
    notice_deadline: date | None = Field(description="The next last day to give notice.")
    notice_ends_term_on: date | None = Field(
        description="The term end that notice given by the deadline ends the engagement on."
    )
    status: EngagementStatus
    agreement_state: AgreementState
    exit_started_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_provider_name(engagement):
        return engagement.provider.name

    @staticmethod
    def resolve_annual_cost(engagement):
        return cents(engagement.annual_cost)

    @staticmethod
    def resolve_tiers(engagement):
        return engagement.price_tiers.all()

    @staticmethod
    def resolve_currency(engagement, context):
        return context["request"].org.currency

    @staticmethod
    def resolve_term_end(engagement):
        return engagement.term_end()

    @staticmethod
    def resolve_notice_deadline(engagement):
        return engagement.notice_deadline()

    @staticmethod
    def resolve_notice_ends_term_on(engagement):
        return engagement.notice_ends_term_on()

    @staticmethod
    def resolve_agreement_state(engagement):
        return _agreement_state(engagement)


class EngagementPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[EngagementOut]


class EngagementFilters(Schema):
    status: EngagementStatus | None = None
    provider: int | None = Field(None, description="A provider id.")
    function: int | None = Field(None, description="A business function id.")
    page: int = 1
    per_page: int = 50


class EngagementIn(Schema):
    provider_id: int
    function_ids: list[int] = Field(description="Business function ids; at least one.")
    title: str
    scope: str = ""
    pricing_model: PricingModel = PricingModel.FLAT
    amount: Decimal = Field(description="The flat fee, the hourly rate, or the unit price.")
    billing_period: BillingPeriod = BillingPeriod.MONTH
    unit_name: str = ""
    monthly_quantity: Decimal | None = None
    payment_terms_days: int = 30
    tiers: list[Tier] = Field(default=[], description="Volume tiers of per-unit pricing.")
    start_date: date
    end_date: date | None = None
    auto_renew: bool = False
    renewal_months: int = 12
    notice_days: int = 30


class EngagementPatch(Schema):
    function_ids: list[int] | None = None
    title: str | None = None
    scope: str | None = None
    pricing_model: PricingModel | None = None
    amount: Decimal | None = None
    billing_period: BillingPeriod | None = None
    unit_name: str | None = None
    monthly_quantity: Decimal | None = None
    payment_terms_days: int | None = None
    tiers: list[Tier] | None = Field(None, description="Sent: replaces all the tiers.")
    start_date: date | None = None
    end_date: date | None = None
    auto_renew: bool | None = None
    renewal_months: int | None = None
    notice_days: int | None = None
    version: int | None = Field(
        None, description="The version you edited; a newer stored version answers 409."
    )


class StatusMoveIn(Schema):
    to_status: EngagementStatus
    reason: str = Field("", description="Required to pause or end.")
    confirm_before_start: bool = Field(
        False,
        description="Activate before the start date: without it, activating an engagement "
        "whose start date is after today is refused (422 on this field).",
    )


class StatusChangeOut(Schema):
    id: int
    from_status: EngagementStatus
    to_status: EngagementStatus
    reason: str
    changed_by_id: int | None
    changed_by_name: str | None
    changed_at: datetime

    @staticmethod
    def resolve_changed_by_name(change):
        return change.changed_by.name if change.changed_by else None


# --- Schemas: communication plan, escalation, service levels, workflow ---------------------
class PlanOut(Schema):
    our_point_person_id: int | None = Field(description="A user id (a member).")
    our_point_person_name: str | None
    their_point_person_id: int | None = Field(description="A contact id at the provider.")
    their_point_person_name: str | None
    issue_contact_id: int | None = Field(description="A contact id at the provider.")
    issue_contact_name: str | None
    preferred_channel: Channel
    meeting_cadence: MeetingCadence
    meeting_notes: str
    missing_for_activation: list[str]

    @staticmethod
    def resolve_our_point_person_name(plan):
        return plan.our_point_person.name if plan.our_point_person else None

    @staticmethod
    def resolve_their_point_person_name(plan):
        return plan.their_point_person.name if plan.their_point_person else None

    @staticmethod
    def resolve_issue_contact_name(plan):
        return plan.issue_contact.name if plan.issue_contact else None

    @staticmethod
    def resolve_missing_for_activation(plan):
        return plan.missing_for_activation()


class PlanIn(Schema):
    our_point_person_id: int | None = None
    their_point_person_id: int | None = None
    issue_contact_id: int | None = None
    preferred_channel: Channel = Channel.EMAIL
    meeting_cadence: MeetingCadence = MeetingCadence.MONTHLY
    meeting_notes: str = ""


class EscalationLevelOut(Schema):
    id: int
    level: int
    our_person_id: int
    our_person_name: str
    their_contact_id: int
    their_contact_name: str
    amount: int
    unit: TargetUnit
    target_display: str

    @staticmethod
    def resolve_our_person_name(level):
        return level.our_person.name

    @staticmethod
    def resolve_their_contact_name(level):
        return level.their_contact.name


class EscalationLevelIn(Schema):
    our_person_id: int
    their_contact_id: int
    amount: int = Field(description="How long before the issue climbs to the next level.")
    unit: TargetUnit = TargetUnit.HOURS


class ServiceLevelOut(Schema):
    id: int
    task_kind: str
    rule: TurnaroundRule
    business_days: int | None
    day_of_month: int | None
    turnaround_display: str


class ServiceLevelIn(Schema):
    task_kind: str
    rule: TurnaroundRule = TurnaroundRule.BUSINESS_DAYS
    business_days: int | None = None
    day_of_month: int | None = Field(None, description="31 means the month's last day.")


class ServiceLevelPatch(Schema):
    task_kind: str | None = None
    rule: TurnaroundRule | None = None
    business_days: int | None = None
    day_of_month: int | None = None


class ResponseTargetOut(Schema):
    severity: Severity
    amount: int | None = Field(description="None: no target for this severity.")
    unit: TargetUnit | None
    target_display: str | None


class ResponseTargetIn(Schema):
    amount: int | None = Field(description="null clears the target.")
    unit: TargetUnit = TargetUnit.HOURS


class WorkflowStepOut(Schema):
    id: int
    position: int
    actor: Party
    action: str
    recipient: Party | None
    due: str
    sentence: str

    @staticmethod
    def resolve_recipient(step):
        return step.recipient or None


class WorkflowStepIn(Schema):
    actor: Party
    action: str
    recipient: Party | None = None
    due: str = ""


class WorkflowStepPatch(Schema):
    actor: Party | None = None
    action: str | None = None
    recipient: Party | None = None
    due: str | None = None


class WorkflowMoveIn(Schema):
    direction: Literal[-1, 1] = Field(description="-1 moves the step up, 1 down.")


# --- Schemas: holidays, access, exit ----------------------------------------------------------
class HolidayOut(Schema):
    id: int
    date: date
    name: str


class HolidayIn(Schema):
    date: date
    name: str


class FederalHolidaysIn(Schema):
    year: int = Field(ge=1900, le=2100)


class FederalHolidaysOut(Schema):
    added: int


class AccessGrantOut(Schema):
    id: int
    system: str
    account: str
    level: str
    granted_by_id: int | None
    granted_on: date
    revoked_on: date | None
    revoked_by_id: int | None


class AccessGrantIn(Schema):
    system: str
    account: str
    level: str
    granted_by_id: int | None = Field(None, description="A member's user id; default: you.")
    granted_on: date | None = Field(None, description="Default: today.")


class ExitItemOut(Schema):
    id: int
    kind: ExitItemKind
    text: str
    access_grant_id: int | None
    done: bool
    done_at: datetime | None
    done_by_id: int | None

    @staticmethod
    def resolve_done(item):
        return item.done_at is not None


class ExitItemIn(Schema):
    text: str


class ExitItemDoneIn(Schema):
    done: bool = True


# --- Schemas: agreement ---------------------------------------------------------------------
class AgreementVersionOut(Schema):
    id: int
    number: int
    generated_at: datetime
    sent_at: datetime | None
    download_url: str

    @staticmethod
    def resolve_download_url(version):
        return reverse(
            "api:agreement_version_file",
            kwargs={"engagement_id": version.engagement_id, "version_id": version.pk},
        )


class SignedAgreementOut(Schema):
    id: int
    version_id: int | None
    signed_on: date
    signers: str
    content_type: str
    uploaded_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(signed):
        return reverse(
            "api:signed_agreement_file",
            kwargs={"engagement_id": signed.engagement_id, "signed_id": signed.pk},
        )


class AgreementOut(Schema):
    state: AgreementState
    versions: list[AgreementVersionOut]
    signed: list[SignedAgreementOut]


class SignedAgreementIn(Schema):
    signed_on: date
    signers: str = Field(description="Who signed, on both sides.")
    version_id: int | None = Field(None, description="The generated version that was signed.")


class ClauseOut(Schema):
    id: int
    key: str
    title: str
    body: str
    position: int
    individuals_only: bool


class ClausePatch(Schema):
    title: str | None = None
    body: str | None = None


# --- Schemas: renewals ------------------------------------------------------------------------
class RenewalFilters(Schema):
    days: int = Field(60, ge=1, le=730, description="The window, from today.")


class RenewalOut(Schema):
    engagement_id: int
    title: str
    provider_id: int
    provider_name: str
    status: EngagementStatus
    auto_renew: bool
    term_end: date | None
    notice_deadline: date | None
    events: list[Literal["term_end", "notice_deadline"]] = Field(
        description="Which of the two dates fall in the window, soonest first."
    )

    @staticmethod
    def resolve_engagement_id(renewal):
        return renewal.engagement.pk

    @staticmethod
    def resolve_title(renewal):
        return renewal.engagement.title

    @staticmethod
    def resolve_provider_id(renewal):
        return renewal.engagement.provider_id

    @staticmethod
    def resolve_provider_name(renewal):
        return renewal.engagement.provider.name

    @staticmethod
    def resolve_status(renewal):
        return renewal.engagement.status

    @staticmethod
    def resolve_auto_renew(renewal):
        return renewal.engagement.auto_renew


# --- Lookups ----------------------------------------------------------------------------------
def _engagement_rows(org):
    """Engagements ready for ``EngagementOut``: the provider joined, functions and tiers
    prefetched and the agreement's state annotated, so a page costs the same queries whatever
    its length."""
    versions = AgreementVersion.objects.filter(engagement=OuterRef("pk"))
    return (
        Engagement.objects.for_org(org)
        .select_related("provider")
        .prefetch_related("functions", "price_tiers")
        .annotate(
            has_signed_agreement=Exists(SignedAgreement.objects.filter(engagement=OuterRef("pk"))),
            has_agreement_version=Exists(versions),
            latest_version_sent_at=Subquery(versions.order_by("-number").values("sent_at")[:1]),
        )
    )


def _agreement_state(engagement) -> AgreementState:
    """``agreements.state`` read from the annotations of ``_engagement_rows``."""
    if engagement.has_signed_agreement:
        return AgreementState.SIGNED
    if not engagement.has_agreement_version:
        return AgreementState.NONE
    if engagement.latest_version_sent_at:
        return AgreementState.SENT
    return AgreementState.GENERATED


def _engagement_out(request, engagement_id: int) -> Engagement:
    return get_for_org_or_404(_engagement_rows(request.org), request.org, pk=engagement_id)


def _engagement(request, engagement_id: int) -> Engagement:
    return get_for_org_or_404(
        Engagement.objects.select_related("organization", "provider"),
        request.org,
        pk=engagement_id,
    )


def _child(queryset, engagement: Engagement, pk: int):
    """A row of ``engagement``: another engagement's or organization's row is a 404."""
    child = get_for_org_or_404(queryset, engagement.organization, pk=pk, engagement=engagement)
    child.engagement = engagement
    return child


def _of(model, engagement: Engagement):
    return model.objects.for_org(engagement.organization).filter(engagement=engagement)


def _merged(instance, payload: Schema, fields) -> dict:
    """The row's values with the fields sent in ``payload`` over them (for a PATCH)."""
    return {key: getattr(instance, key) for key in fields} | payload.dict(exclude_unset=True)


# --- Engagements ------------------------------------------------------------------------------
@router.get("/engagements", response={200: EngagementPage, **ERRORS}, summary="List engagements")
@api_access()
def list_engagements(request, filters: Query[EngagementFilters]):
    engagements = _engagement_rows(request.org)
    if filters.status:
        engagements = engagements.filter(status=filters.status)
    if filters.provider is not None:
        engagements = engagements.filter(provider_id=filters.provider)
    if filters.function is not None:
        engagements = engagements.filter(functions=filters.function)
    return paginate(engagements, filters.page, filters.per_page)


@router.post(
    "/engagements",
    response={201: EngagementOut, **ERRORS},
    summary="Draft an engagement (with an empty communication plan)",
)
@api_access(Role.MANAGER)
@fields_named(provider="provider_id", functions="function_ids")
def create_engagement(request, payload: EngagementIn):
    engagement = services.create_engagement(
        request.org,
        actor=request.user,
        provider_id=payload.provider_id,
        function_ids=payload.function_ids,
        data=payload.dict(exclude={"provider_id", "function_ids", "tiers"}),
        tiers=[(tier.above, tier.unit_price) for tier in payload.tiers],
    )
    return Status(201, _engagement_out(request, engagement.pk))


@router.get("/engagements/{engagement_id}", response={200: EngagementOut, **ERRORS})
@api_access()
def get_engagement(request, engagement_id: int):
    return _engagement_out(request, engagement_id)


@router.patch(
    "/engagements/{engagement_id}",
    response={200: EngagementOut, **ERRORS},
    summary="Change the terms (only the fields sent; functions and tiers only when sent)",
)
@api_access(Role.MANAGER)
@fields_named(functions="function_ids")
def update_engagement(request, engagement_id: int, payload: EngagementPatch):
    services.update_engagement(
        _engagement(request, engagement_id),
        actor=request.user,
        data=payload.dict(exclude_unset=True, exclude={"function_ids", "tiers", "version"}),
        function_ids=payload.function_ids,
        tiers=None
        if payload.tiers is None
        else [(tier.above, tier.unit_price) for tier in payload.tiers],
        expected_version=payload.version,
    )
    return _engagement_out(request, engagement_id)


@router.post(
    "/engagements/{engagement_id}/status",
    response={200: EngagementOut, **ERRORS},
    summary="Move the status: draft → active → paused → ended",
)
@api_access(Role.MANAGER)
def move_status(request, engagement_id: int, payload: StatusMoveIn):
    services.move_status(
        _engagement(request, engagement_id),
        actor=request.user,
        to_status=payload.to_status,
        reason=payload.reason,
        confirm_before_start=payload.confirm_before_start,
    )
    return _engagement_out(request, engagement_id)


@router.get(
    "/engagements/{engagement_id}/status-changes",
    response={200: list[StatusChangeOut], **ERRORS},
    summary="The status history, newest first",
)
@api_access()
def status_changes(request, engagement_id: int):
    engagement = _engagement(request, engagement_id)
    return _of(StatusChange, engagement).select_related("changed_by")


# --- Communication plan and escalation ladder -----------------------------------------------
def _plan(engagement: Engagement) -> CommunicationPlan:
    return get_for_org_or_404(
        CommunicationPlan.objects.select_related(
            "our_point_person", "their_point_person", "issue_contact"
        ),
        engagement.organization,
        engagement=engagement,
    )


@router.get("/engagements/{engagement_id}/plan", response={200: PlanOut, **ERRORS})
@api_access()
def get_plan(request, engagement_id: int):
    return _plan(_engagement(request, engagement_id))


@router.put(
    "/engagements/{engagement_id}/plan",
    response={200: PlanOut, **ERRORS},
    summary="Replace the communication plan",
)
@api_access(Role.MANAGER)
@fields_named(
    our_point_person="our_point_person_id",
    their_point_person="their_point_person_id",
    issue_contact="issue_contact_id",
)
def update_plan(request, engagement_id: int, payload: PlanIn):
    engagement = _engagement(request, engagement_id)
    services.update_plan(engagement, actor=request.user, **payload.dict())
    return _plan(engagement)


def _ladder(engagement: Engagement):
    return _of(EscalationLevel, engagement).select_related("our_person", "their_contact")


@router.get(
    "/engagements/{engagement_id}/escalation-levels",
    response={200: list[EscalationLevelOut], **ERRORS},
    summary="The escalation ladder, level 1 first",
)
@api_access()
def list_escalation_levels(request, engagement_id: int):
    return _ladder(_engagement(request, engagement_id))


@router.post(
    "/engagements/{engagement_id}/escalation-levels",
    response={201: EscalationLevelOut, **ERRORS},
    summary="Add the next level of the ladder",
)
@api_access(Role.MANAGER)
@fields_named(our_person="our_person_id", their_contact="their_contact_id")
def add_escalation_level(request, engagement_id: int, payload: EscalationLevelIn):
    engagement = _engagement(request, engagement_id)
    level = services.add_escalation_level(engagement, actor=request.user, **payload.dict())
    return Status(201, _ladder(engagement).get(pk=level.pk))


@router.delete(
    "/engagements/{engagement_id}/escalation-levels/{level_id}",
    response={204: None, **ERRORS},
    summary="Remove a level; the ones above move down",
)
@api_access(Role.MANAGER)
def remove_escalation_level(request, engagement_id: int, level_id: int):
    engagement = _engagement(request, engagement_id)
    services.remove_escalation_level(
        _child(EscalationLevel.objects, engagement, level_id), actor=request.user
    )
    return Status(204, None)


# --- Service levels and response targets ------------------------------------------------------
@router.get(
    "/engagements/{engagement_id}/service-levels",
    response={200: list[ServiceLevelOut], **ERRORS},
)
@api_access()
def list_service_levels(request, engagement_id: int):
    return _of(ServiceLevel, _engagement(request, engagement_id))


@router.post(
    "/engagements/{engagement_id}/service-levels",
    response={201: ServiceLevelOut, **ERRORS},
    summary="Promise a turnaround for a kind of task",
)
@api_access(Role.MANAGER)
def add_service_level(request, engagement_id: int, payload: ServiceLevelIn):
    level = services.save_service_level(
        _engagement(request, engagement_id), actor=request.user, data=payload.dict()
    )
    return Status(201, level)


@router.patch(
    "/engagements/{engagement_id}/service-levels/{service_level_id}",
    response={200: ServiceLevelOut, **ERRORS},
    summary="Change a service level (only the fields sent)",
)
@api_access(Role.MANAGER)
def update_service_level(
    request, engagement_id: int, service_level_id: int, payload: ServiceLevelPatch
):
    engagement = _engagement(request, engagement_id)
    level = _child(ServiceLevel.objects, engagement, service_level_id)
    data = _merged(level, payload, ("task_kind", "rule", "business_days", "day_of_month"))
    return services.save_service_level(
        engagement, actor=request.user, data=data, service_level=level
    )


@router.delete(
    "/engagements/{engagement_id}/service-levels/{service_level_id}",
    response={204: None, **ERRORS},
)
@api_access(Role.MANAGER)
def delete_service_level(request, engagement_id: int, service_level_id: int):
    engagement = _engagement(request, engagement_id)
    services.delete_service_level(
        _child(ServiceLevel.objects, engagement, service_level_id), actor=request.user
    )
    return Status(204, None)


def _response_target_row(severity: Severity, target: ResponseTarget | None) -> dict:
    return {
        "severity": severity,
        "amount": target.amount if target else None,
        "unit": target.unit if target else None,
        "target_display": target.target_display if target else None,
    }


@router.get(
    "/engagements/{engagement_id}/response-targets",
    response={200: list[ResponseTargetOut], **ERRORS},
    summary="First-response targets, one row per severity (amount null: none set)",
)
@api_access()
def list_response_targets(request, engagement_id: int):
    targets = {t.severity: t for t in _of(ResponseTarget, _engagement(request, engagement_id))}
    return [_response_target_row(severity, targets.get(severity)) for severity in Severity]


@router.put(
    "/engagements/{engagement_id}/response-targets/{severity}",
    response={200: ResponseTargetOut, **ERRORS},
    summary="Set the first-response target of one severity (amount null clears it)",
)
@api_access(Role.MANAGER)
def set_response_target(request, engagement_id: int, severity: Severity, payload: ResponseTargetIn):
    target = services.set_response_target(
        _engagement(request, engagement_id),
        actor=request.user,
        severity=severity,
        amount=payload.amount,
        unit=payload.unit,
    )
    return _response_target_row(severity, target)


# --- Workflow -------------------------------------------------------------------------------
WORKFLOW_FIELDS = ("actor", "action", "recipient", "due")


def _step_data(data: dict) -> dict:
    return data | {"recipient": data.get("recipient") or "", "due": data.get("due") or ""}


@router.get(
    "/engagements/{engagement_id}/workflow-steps",
    response={200: list[WorkflowStepOut], **ERRORS},
    summary="The provider's process, in order",
)
@api_access()
def list_workflow_steps(request, engagement_id: int):
    return _of(WorkflowStep, _engagement(request, engagement_id))


@router.post(
    "/engagements/{engagement_id}/workflow-steps",
    response={201: WorkflowStepOut, **ERRORS},
    summary="Add a step at the end",
)
@api_access(Role.MANAGER)
def add_workflow_step(request, engagement_id: int, payload: WorkflowStepIn):
    step = services.add_workflow_step(
        _engagement(request, engagement_id), actor=request.user, data=_step_data(payload.dict())
    )
    return Status(201, step)


@router.patch(
    "/engagements/{engagement_id}/workflow-steps/{step_id}",
    response={200: WorkflowStepOut, **ERRORS},
    summary="Change a step (only the fields sent)",
)
@api_access(Role.MANAGER)
def update_workflow_step(request, engagement_id: int, step_id: int, payload: WorkflowStepPatch):
    step = _child(WorkflowStep.objects, _engagement(request, engagement_id), step_id)
    data = _step_data(_merged(step, payload, WORKFLOW_FIELDS))
    return services.update_workflow_step(step, actor=request.user, data=data)


@router.delete(
    "/engagements/{engagement_id}/workflow-steps/{step_id}",
    response={204: None, **ERRORS},
    summary="Remove a step; the ones after it move up",
)
@api_access(Role.MANAGER)
def delete_workflow_step(request, engagement_id: int, step_id: int):
    step = _child(WorkflowStep.objects, _engagement(request, engagement_id), step_id)
    services.delete_workflow_step(step, actor=request.user)
    return Status(204, None)


@router.post(
    "/engagements/{engagement_id}/workflow-steps/{step_id}/move",
    response={200: list[WorkflowStepOut], **ERRORS},
    summary="Swap a step with the one above (-1) or below (1); answers the new order",
)
@api_access(Role.MANAGER)
def move_workflow_step(request, engagement_id: int, step_id: int, payload: WorkflowMoveIn):
    engagement = _engagement(request, engagement_id)
    step = _child(WorkflowStep.objects, engagement, step_id)
    services.move_workflow_step(step, actor=request.user, direction=payload.direction)
    return _of(WorkflowStep, engagement)


# --- Holidays -------------------------------------------------------------------------------
@router.get(
    "/holidays",
    response={200: list[HolidayOut], **ERRORS},
    summary="Days not counted as business days",
)
@api_access()
def list_holidays(request, year: int | None = None):
    holidays = Holiday.objects.for_org(request.org)
    return holidays if year is None else holidays.filter(date__year=year)


@router.post("/holidays", response={201: HolidayOut, **ERRORS}, summary="Add a holiday")
@api_access(Role.MANAGER)
def add_holiday(request, payload: HolidayIn):
    holiday = services.add_holiday(
        request.org, actor=request.user, day=payload.date, name=payload.name
    )
    return Status(201, holiday)


@router.post(
    "/holidays/federal",
    response={200: FederalHolidaysOut, **ERRORS},
    summary="Add a year's US federal holidays not listed yet",
)
@api_access(Role.MANAGER)
def add_federal_holidays(request, payload: FederalHolidaysIn):
    return {
        "added": services.add_federal_holidays(request.org, actor=request.user, year=payload.year)
    }


# Declared after /holidays/federal: the path parameter would match 'federal' too.
@router.delete("/holidays/{holiday_id}", response={204: None, **ERRORS})
@api_access(Role.MANAGER)
def delete_holiday(request, holiday_id: int):
    holiday = get_for_org_or_404(Holiday.objects, request.org, pk=holiday_id)
    services.delete_holiday(holiday, actor=request.user)
    return Status(204, None)


# --- Access register and exit ---------------------------------------------------------------
@router.get(
    "/engagements/{engagement_id}/access",
    response={200: list[AccessGrantOut], **ERRORS},
    summary="What of ours the provider can reach (open grants first)",
)
@api_access()
def list_access(request, engagement_id: int):
    return _of(AccessGrant, _engagement(request, engagement_id))


@router.post(
    "/engagements/{engagement_id}/access",
    response={201: AccessGrantOut, **ERRORS},
    summary="Record access given to the provider",
)
@api_access(Role.MANAGER)
@fields_named(granted_by="granted_by_id")
def grant_access(request, engagement_id: int, payload: AccessGrantIn):
    grant = services.grant_access(
        _engagement(request, engagement_id), actor=request.user, data=payload.dict()
    )
    return Status(201, grant)


@router.post(
    "/engagements/{engagement_id}/access/{grant_id}/revoke",
    response={200: AccessGrantOut, **ERRORS},
    summary="Record that the access was taken back (ticks its exit item)",
)
@api_access(Role.MANAGER)
def revoke_access(request, engagement_id: int, grant_id: int):
    grant = _child(AccessGrant.objects, _engagement(request, engagement_id), grant_id)
    return services.revoke_access(grant, actor=request.user)


@router.post(
    "/engagements/{engagement_id}/exit",
    response={200: list[ExitItemOut], **ERRORS},
    summary="Start the exit checklist (one item per open access, and the standard items)",
)
@api_access(Role.MANAGER)
def start_exit(request, engagement_id: int):
    return services.start_exit(_engagement(request, engagement_id), actor=request.user)


@router.get(
    "/engagements/{engagement_id}/exit-items",
    response={200: list[ExitItemOut], **ERRORS},
    summary="The exit checklist (open items first)",
)
@api_access()
def list_exit_items(request, engagement_id: int):
    return _of(ExitItem, _engagement(request, engagement_id))


@router.post(
    "/engagements/{engagement_id}/exit-items",
    response={201: ExitItemOut, **ERRORS},
    summary="Add an item to a started exit checklist",
)
@api_access(Role.MANAGER)
def add_exit_item(request, engagement_id: int, payload: ExitItemIn):
    item = services.add_exit_item(
        _engagement(request, engagement_id), actor=request.user, text=payload.text
    )
    return Status(201, item)


@router.post(
    "/engagements/{engagement_id}/exit-items/{item_id}/done",
    response={200: ExitItemOut, **ERRORS},
    summary="Tick or untick an item (ticking an access item revokes the access)",
)
@api_access(Role.MANAGER)
def complete_exit_item(request, engagement_id: int, item_id: int, payload: ExitItemDoneIn):
    item = _child(
        ExitItem.objects.select_related("access_grant"),
        _engagement(request, engagement_id),
        item_id,
    )
    return services.complete_exit_item(item, actor=request.user, done=payload.done)


# --- Agreement ------------------------------------------------------------------------------
def _file_response(field_file, content_type: str) -> FileResponse:
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(field_file.name),
        content_type=content_type,
    )


@router.get(
    "/engagements/{engagement_id}/agreement",
    response={200: AgreementOut, **ERRORS},
    summary="The agreement's state, its generated versions and the signed copies",
)
@api_access()
def get_agreement(request, engagement_id: int):
    engagement = _engagement(request, engagement_id)
    return {
        "state": agreements.state(engagement),
        "versions": _of(AgreementVersion, engagement),
        "signed": _of(SignedAgreement, engagement),
    }


@router.post(
    "/engagements/{engagement_id}/agreement/versions",
    response={201: AgreementVersionOut, **ERRORS},
    summary="Generate a new PDF version of the agreement",
)
@api_access(Role.MANAGER)
def generate_agreement(request, engagement_id: int):
    version = agreements.generate(_engagement(request, engagement_id), actor=request.user)
    return Status(201, version)


@router.post(
    "/engagements/{engagement_id}/agreement/versions/{version_id}/sent",
    response={200: AgreementVersionOut, **ERRORS},
    summary="Record that a version was sent for signature",
)
@api_access(Role.MANAGER)
def mark_agreement_sent(request, engagement_id: int, version_id: int):
    version = _child(AgreementVersion.objects, _engagement(request, engagement_id), version_id)
    return agreements.mark_sent(version, actor=request.user)


@router.get(
    "/engagements/{engagement_id}/agreement/versions/{version_id}/file",
    response=ERRORS,
    url_name="agreement_version_file",
    summary="Download a generated version (PDF)",
)
@api_access()
def agreement_version_file(request, engagement_id: int, version_id: int):
    version = _child(AgreementVersion.objects, _engagement(request, engagement_id), version_id)
    return _file_response(version.file, "application/pdf")


@router.post(
    "/engagements/{engagement_id}/agreement/signed",
    response={201: SignedAgreementOut, **ERRORS},
    summary="Upload the signed copy (multipart: a PDF, PNG or JPEG file and the form fields)",
)
@api_access(Role.MANAGER)
@fields_named(version="version_id")
def upload_signed_agreement(
    request, engagement_id: int, file: File[UploadedFile], form: Form[SignedAgreementIn]
):
    signed = agreements.upload_signed(
        _engagement(request, engagement_id),
        actor=request.user,
        upload=file,
        signed_on=form.signed_on,
        signers=form.signers,
        version_id=form.version_id,
    )
    return Status(201, signed)


@router.get(
    "/engagements/{engagement_id}/agreement/signed/{signed_id}/file",
    response=ERRORS,
    url_name="signed_agreement_file",
    summary="Download a signed copy",
)
@api_access()
def signed_agreement_file(request, engagement_id: int, signed_id: int):
    signed = _child(SignedAgreement.objects, _engagement(request, engagement_id), signed_id)
    return _file_response(signed.file, signed.content_type)


@router.get(
    "/agreement-clauses",
    response={200: list[ClauseOut], **ERRORS},
    summary="The standard clauses of the organization's agreement",
)
@api_access()
def list_clauses(request):
    return agreements.clauses(request.org)


@router.patch(
    "/agreement-clauses/{clause_id}",
    response={200: ClauseOut, **ERRORS},
    summary="Edit a standard clause (admins; only the fields sent)",
)
@api_access(Role.ADMIN)
def update_clause(request, clause_id: int, payload: ClausePatch):
    clause = get_for_org_or_404(AgreementClause.objects, request.org, pk=clause_id)
    data = _merged(clause, payload, ("title", "body"))
    return agreements.update_clause(
        clause, actor=request.user, title=data["title"] or "", body=data["body"] or ""
    )


# --- Renewals -------------------------------------------------------------------------------
@router.get(
    "/renewals",
    response={200: list[RenewalOut], **ERRORS},
    summary="Engagements whose term ends, or notice deadline falls, within the next days",
)
@api_access()
def renewals(request, filters: Query[RenewalFilters]):
    return selectors.renewals_within(request.org, filters.days, timezone.localdate())
