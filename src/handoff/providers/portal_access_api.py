"""Who of the providers' contacts may use the portal, as JSON (members' tokens): the list,
invitations and revoking (manager)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema, Status

from handoff.accounts import portal
from handoff.accounts.models import PortalAccess
from handoff.core.api import ErrorOut, api_access
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.providers.models import Contact

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

router = Router(tags=["provider portal access"])


class PortalAccessOut(Schema):
    id: int
    contact_id: int
    contact_name: str = Field(alias="contact.name")
    contact_email: str = Field(alias="contact.email")
    provider_id: int = Field(alias="contact.provider_id")
    provider_name: str = Field(alias="contact.provider.name")
    state: str = Field(description="invited, active, expired or revoked.")
    invited_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationOut(PortalAccessOut):
    invitation_url: str = Field(description="The link sent by e-mail; shown this once.")


class InviteIn(Schema):
    contact_id: int


def _accesses(principal):
    return PortalAccess.objects.visible_to(principal).select_related("contact__provider")


@router.get("/portal-access", response={200: list[PortalAccessOut], **ERRORS})
@api_access()
def list_portal_access(request):
    return list(_accesses(request.principal))


@router.post(
    "/portal-access",
    response={201: InvitationOut, **ERRORS},
    summary="Invite a provider contact to the portal (replaces a pending invitation)",
)
@api_access(Role.MANAGER)
def invite_to_portal(request, payload: InviteIn):
    contact = get_visible_or_404(Contact.objects, request.principal, pk=payload.contact_id)
    try:
        access, raw = portal.invite(request.principal, contact)
    except ValidationError as error:
        raise ValidationError({"contact_id": error.messages}) from None
    access = _accesses(request.principal).get(pk=access.pk)
    access.invitation_url = portal.invitation_url(raw)
    return Status(201, access)


@router.post("/portal-access/{access_id}/revoke", response={200: PortalAccessOut, **ERRORS})
@api_access(Role.MANAGER)
def revoke_portal_access(request, access_id: int):
    access = get_visible_or_404(PortalAccess.objects, request.principal, pk=access_id)
    portal.revoke(request.principal, access)
    return _accesses(request.principal).get(pk=access.pk)
