from datetime import datetime

from ninja import Field, Router, Schema

from handoff.accounts.models import Membership
from handoff.core.api import ErrorOut, api_access
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
