"""What the organization lets its providers see in the portal, as JSON (admin)."""

from ninja import Router, Schema

from handoff.accounts import portal
from handoff.core.api import ErrorOut, api_access
from handoff.core.roles import Role

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

router = Router(tags=["provider portal access"])


class PortalSettingsOut(Schema):
    show_prices: bool


@router.get("/portal-settings", response={200: PortalSettingsOut, **ERRORS})
@api_access(Role.ADMIN)
def get_portal_settings(request):
    return portal.settings_for(request.org)


@router.put("/portal-settings", response={200: PortalSettingsOut, **ERRORS})
@api_access(Role.ADMIN)
def put_portal_settings(request, payload: PortalSettingsOut):
    return portal.update_settings(request.principal, show_prices=payload.show_prices)
