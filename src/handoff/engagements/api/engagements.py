"""Engagements: list, draft, read, change terms, move status."""

from ninja import Query, Status

from handoff.core.api import api_access, fields_named, paginate, patch_data
from handoff.core.roles import Role
from handoff.engagements import services
from handoff.engagements.api.lookups import _engagement, _engagement_out, _engagement_rows, _of
from handoff.engagements.api.routing import ERRORS, router
from handoff.engagements.api.schemas import (
    EngagementFilters,
    EngagementIn,
    EngagementOut,
    EngagementPage,
    EngagementPatch,
    StatusChangeOut,
    StatusMoveIn,
)
from handoff.engagements.models import Engagement, StatusChange


@router.get("/engagements", response={200: EngagementPage, **ERRORS}, summary="List engagements")
@api_access()
def list_engagements(request, filters: Query[EngagementFilters]):
    engagements = _engagement_rows(request.principal)
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
        request.principal,
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
    return _of(StatusChange, engagement).select_related("changed_by")
