"""Engagements coming up for renewal or notice."""

from django.utils import timezone
from ninja import Query

from handoff.core.api import api_access
from handoff.engagements import selectors
from handoff.engagements.api.routing import ERRORS, router
from handoff.engagements.api.schemas import RenewalFilters, RenewalOut


@router.get(
    "/renewals",
    response={200: list[RenewalOut], **ERRORS},
    summary="Engagements whose term ends, or notice deadline falls, within the next days",
)
@api_access()
def renewals(request, filters: Query[RenewalFilters]):
    return selectors.renewals_within(request.principal, filters.days, timezone.localdate())
