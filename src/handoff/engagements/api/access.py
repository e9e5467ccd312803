"""The access register: what of ours the provider can reach."""

from ninja import Status

from handoff.core.api import api_access, fields_named
from handoff.core.roles import Role
from handoff.engagements import services
from handoff.engagements.api.lookups import _child, _engagement, _of
from handoff.engagements.api.routing import ERRORS, router
from handoff.engagements.api.schemas import AccessGrantIn, AccessGrantOut
from handoff.engagements.models import AccessGrant


@router.get(
    "/engagements/{engagement_id}/access",
    response={200: list[AccessGrantOut], **ERRORS},
    summary="What of ours the provider can reach (open grants first)",
)
@api_access()
def list_access(request, engagement_id: int):
    return _of(request.principal, AccessGrant, _engagement(request, engagement_id))


@router.post(
    "/engagements/{engagement_id}/access",
    response={201: AccessGrantOut, **ERRORS},
    summary="Record access given to the provider",
)
@api_access(Role.MANAGER)
@fields_named(granted_by="granted_by_id")
def grant_access(request, engagement_id: int, payload: AccessGrantIn):
    grant = services.grant_access(
        request.principal, _engagement(request, engagement_id), data=payload.dict()
    )
    return Status(201, grant)


@router.post(
    "/engagements/{engagement_id}/access/{grant_id}/revoke",
    response={200: AccessGrantOut, **ERRORS},
    summary="Record that the access was taken back (ticks its exit item)",
)
@api_access(Role.MANAGER)
def revoke_access(request, engagement_id: int, grant_id: int):
    grant = _child(
        request.principal, AccessGrant.objects, _engagement(request, engagement_id), grant_id
    )
    return services.revoke_access(request.principal, grant)
