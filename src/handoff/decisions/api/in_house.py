"""An analysis's in-house option and the roles it is built up from."""

from ninja import Status

from handoff.core.api import api_access, patch_data
from handoff.core.roles import Role
from handoff.decisions import selectors, services
from handoff.decisions.api.routing import DECIDE, ERRORS, router
from handoff.decisions.api.schemas import InHouseOut, InHousePatch, RoleIn, RoleOut, RolePatch
from handoff.decisions.api.shaping import _analysis
from handoff.decisions.models import InHouseOption, InHouseRole


@router.patch(
    "/analyses/{analysis_id}/in-house",
    response={200: InHouseOut, **ERRORS},
    tags=DECIDE,
    summary="Change the in-house option (only the fields sent)",
)
@api_access(Role.MANAGER)
def update_in_house(request, analysis_id: int, payload: InHousePatch):
    return services.save_in_house(
        request.principal, _analysis(request, analysis_id), data=patch_data(payload, InHouseOption)
    )


@router.post(
    "/analyses/{analysis_id}/roles",
    response={201: RoleOut, **ERRORS},
    tags=DECIDE,
    summary="Add an in-house role",
)
@api_access(Role.MANAGER)
def add_role(request, analysis_id: int, payload: RoleIn):
    data = payload.dict()
    if data["benefits_load_percent"] is None:
        del data["benefits_load_percent"]  # the service gives the cited default
    role = services.add_role(request.principal, _analysis(request, analysis_id), data=data)
    return Status(201, role)


@router.patch(
    "/analyses/{analysis_id}/roles/{role_id}",
    response={200: RoleOut, **ERRORS},
    tags=DECIDE,
    summary="Change an in-house role (only the fields sent)",
)
@api_access(Role.MANAGER)
def update_role(request, analysis_id: int, role_id: int, payload: RolePatch):
    role = selectors.row_of(
        request.principal, InHouseRole, _analysis(request, analysis_id), role_id
    )
    return services.update_role(request.principal, role, data=patch_data(payload, InHouseRole))


@router.delete(
    "/analyses/{analysis_id}/roles/{role_id}",
    response={204: None, **ERRORS},
    tags=DECIDE,
    summary="Remove an in-house role",
)
@api_access(Role.MANAGER)
def delete_role(request, analysis_id: int, role_id: int):
    services.delete_role(
        request.principal,
        selectors.row_of(request.principal, InHouseRole, _analysis(request, analysis_id), role_id),
    )
    return Status(204, None)
