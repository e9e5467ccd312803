"""The exit checklist of an engagement that is ending."""

from ninja import Status

from handoff.core.api import api_access
from handoff.core.roles import Role
from handoff.engagements import services
from handoff.engagements.api.lookups import _child, _engagement, _of
from handoff.engagements.api.routing import ERRORS, router
from handoff.engagements.api.schemas import ExitItemDoneIn, ExitItemIn, ExitItemOut
from handoff.engagements.models import ExitItem


@router.post(
    "/engagements/{engagement_id}/exit",
    response={200: list[ExitItemOut], **ERRORS},
    summary="Start the exit checklist (one item per open access, and the standard items)",
)
@api_access(Role.MANAGER)
def start_exit(request, engagement_id: int):
    return services.start_exit(request.principal, _engagement(request, engagement_id))


@router.get(
    "/engagements/{engagement_id}/exit-items",
    response={200: list[ExitItemOut], **ERRORS},
    summary="The exit checklist (open items first)",
)
@api_access()
def list_exit_items(request, engagement_id: int):
    return _of(request.principal, ExitItem, _engagement(request, engagement_id))


@router.post(
    "/engagements/{engagement_id}/exit-items",
    response={201: ExitItemOut, **ERRORS},
    summary="Add an item to a started exit checklist",
)
@api_access(Role.MANAGER)
def add_exit_item(request, engagement_id: int, payload: ExitItemIn):
    item = services.add_exit_item(
        request.principal, _engagement(request, engagement_id), text=payload.text
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
        request.principal,
        ExitItem.objects.select_related("access_grant"),
        _engagement(request, engagement_id),
        item_id,
    )
    return services.complete_exit_item(request.principal, item, done=payload.done)
