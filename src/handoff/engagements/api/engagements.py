"""Engagements: list, draft, read, change terms, move status.

Members read every engagement of the organization in full; a provider's contact, with the
same token kind and the same two operations, reads their own provider's engagements in the
shape the engagement page shows them (``ProviderEngagementOut``)."""

from typing import Annotated

from ninja import Field, Query, Status

from handoff.accounts import portal
from handoff.core.api import api_access, fields_named, paginate, patch_data
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements import services
from handoff.engagements.api.lookups import _engagement, _engagement_out, _engagement_rows, _of
from handoff.engagements.api.routing import ERRORS, router
from handoff.engagements.api.schemas import (
    EngagementFilters,
    EngagementIn,
    EngagementOut,
    EngagementPage,
    EngagementPatch,
    ProviderEngagementOut,
    ProviderEngagementPage,
    StatusChangeOut,
    StatusMoveIn,
)
from handoff.engagements.models import Engagement, StatusChange


def _provider_rows(principal):
    """The contact's own provider's engagements, with what their view reads joined."""
    return (
        Engagement.objects.visible_to(principal)
        .select_related(
            "communication_plan__our_point_person",
            "communication_plan__their_point_person",
            "communication_plan__issue_contact",
        )
        .prefetch_related(
            "service_levels",
            "response_targets",
            "workflow_steps",
            "escalation_levels__our_person",
            "escalation_levels__their_contact",
        )
    )


def _provider_view(engagement, show_prices: bool) -> dict:
    """What ``ProviderEngagementOut`` shows of ``engagement``."""
    plan = getattr(engagement, "communication_plan", None)
    ours = plan.our_point_person if plan else None
    return dict(
        id=engagement.pk,
        title=engagement.title,
        status=engagement.status,
        scope=engagement.scope,
        start_date=engagement.start_date,
        end_date=engagement.end_date,
        price={
            "pricing_model": engagement.pricing_model,
            "amount": engagement.amount,
            "billing_period": engagement.billing_period,
            "unit_name": engagement.unit_name,
        }
        if show_prices
        else None,
        our_point_person={"name": ours.name, "email": ours.email} if ours else None,
        their_point_person=plan.their_point_person.name
        if plan and plan.their_point_person
        else None,
        issue_contact=plan.issue_contact.name if plan and plan.issue_contact else None,
        service_levels=[
            {"task_kind": level.task_kind, "turnaround": level.turnaround_display}
            for level in engagement.service_levels.all()
        ],
        response_targets=[
            {"severity": target.severity, "target": target.target_display}
            for target in engagement.response_targets.all()
        ],
        workflow=[step.sentence for step in engagement.workflow_steps.all()],
        escalation_ladder=[
            {
                "level": rung.level,
                "ours": rung.our_person.name,
                "theirs": rung.their_contact.name,
                "after": rung.target_display,
            }
            for rung in engagement.escalation_levels.all()
        ],
    )


def _either(member_shape, provider_shape):
    """A response that is a member's shape or a provider contact's. Tried left to right: a
    member's row is read as the member's shape alone (a provider's view is a built dict that
    the member's shape refuses at once), so neither costs the other's queries."""
    return Annotated[member_shape | provider_shape, Field(union_mode="left_to_right")]


@router.get(
    "/engagements",
    response={200: _either(EngagementPage, ProviderEngagementPage), **ERRORS},
    summary="List engagements (a provider's contact: their own, as they see them)",
)
@api_access(providers=True)
def list_engagements(request, filters: Query[EngagementFilters]):
    principal = request.principal
    engagements = (
        _provider_rows(principal) if principal.is_provider else _engagement_rows(principal)
    )
    if filters.status:
        engagements = engagements.filter(status=filters.status)
    if filters.provider is not None:
        engagements = engagements.filter(provider_id=filters.provider)
    if filters.function is not None:
        engagements = engagements.filter(functions=filters.function)
    page = paginate(engagements, filters.page, filters.per_page)
    if not principal.is_provider:
        return page
    show = portal.settings_for(principal.organization).show_prices
    page["results"] = [_provider_view(engagement, show) for engagement in page["results"]]
    return page


@router.post(
    "/engagements",
    response={201: EngagementOut, **ERRORS},
    summary="Draft an engagement (with an empty communication plan)",
)
@api_access(Role.MANAGER)
@fields_named(provider="provider_id", functions="function_ids")
def create_engagement(request, payload: EngagementIn):
    engagement = services.create_engagement(
        request.principal,
        provider_id=payload.provider_id,
        function_ids=payload.function_ids,
        data=payload.dict(exclude={"provider_id", "function_ids", "tiers"}),
        tiers=[(tier.above, tier.unit_price) for tier in payload.tiers],
    )
    return Status(201, _engagement_out(request, engagement.pk))


@router.get(
    "/engagements/{engagement_id}",
    response={200: _either(EngagementOut, ProviderEngagementOut), **ERRORS},
    summary="An engagement (a provider's contact: their own, as they see it)",
)
@api_access(providers=True)
def get_engagement(request, engagement_id: int):
    principal = request.principal
    if not principal.is_provider:
        return _engagement_out(request, engagement_id)
    engagement = get_visible_or_404(_provider_rows(principal), principal, pk=engagement_id)
    return _provider_view(engagement, portal.settings_for(principal.organization).show_prices)


@router.patch(
    "/engagements/{engagement_id}",
    response={200: EngagementOut, **ERRORS},
    summary="Change the terms (only the fields sent; functions and tiers only when sent)",
)
@api_access(Role.MANAGER)
@fields_named(functions="function_ids")
def update_engagement(request, engagement_id: int, payload: EngagementPatch):
    services.update_engagement(
        request.principal,
        _engagement(request, engagement_id),
        data=patch_data(payload, Engagement, exclude={"function_ids", "tiers", "version"}),
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
        request.principal,
        _engagement(request, engagement_id),
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
    return _of(request.principal, StatusChange, engagement).select_related("changed_by")
