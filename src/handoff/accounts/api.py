from datetime import datetime

from ninja import Router, Schema

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
    name: str
    email: str
    role: Role
    joined_at: datetime

    @staticmethod
    def resolve_name(membership):
        return membership.user.name

    @staticmethod
    def resolve_email(membership):
        return membership.user.email

    @staticmethod
    def resolve_joined_at(membership):
        return membership.created_at


@router.get("", response={200: OrganizationOut, 401: ErrorOut}, summary="The token's organization")
@api_access()
def organization(request):
    return request.org


@router.get("/members", response={200: list[MemberOut], 401: ErrorOut}, summary="Its members")
@api_access()
def members(request):
    return Membership.objects.for_org(request.org).select_related("user").order_by("user__name")
