from datetime import datetime

from django.http import FileResponse
from ninja import Field, Router, Schema

from handoff.accounts import services
from handoff.accounts.models import Membership
from handoff.core.api import STORAGE_DOWN, ErrorOut, api_access, downloads
from handoff.core.roles import Role

router = Router(tags=["organization"])


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    time_zone: str
    currency: str
    states: list[str]
    created_at: datetime


class MemberOut(Schema):
    id: int
    name: str = Field(alias="user.name")
    email: str = Field(alias="user.email")
    role: Role
    joined_at: datetime = Field(alias="created_at")


@router.get("", response={200: OrganizationOut, 401: ErrorOut}, summary="The token's organization")
@api_access()
def organization(request):
    return request.org


@router.get("/members", response={200: list[MemberOut], 401: ErrorOut}, summary="Its members")
@api_access()
def members(request):
    return (
        Membership.objects.visible_to(request.principal)
        .select_related("user")
        .order_by("user__name")
    )


class BackupIn(Schema):
    passphrase: str = Field(
        "", description="Seal the archive with this passphrase (12 characters or more)."
    )


@router.post(
    "/backup",
    response={401: ErrorOut, 403: ErrorOut, 422: ErrorOut, **STORAGE_DOWN},
    summary="Download the organization's backup archive (owners; recorded)",
)
@api_access(Role.OWNER)
@downloads(
    "application/zip",
    "application/octet-stream",
    description="The archive: a zip, or with a passphrase the sealed zip (handoff restore).",
)
def backup(request, payload: BackupIn | None = None):
    passphrase = payload.passphrase if payload else ""
    archive = services.backup_organization(request.principal, passphrase=passphrase)
    return FileResponse(
        archive.file,
        as_attachment=True,
        filename=archive.filename,
        content_type=archive.content_type,
    )
