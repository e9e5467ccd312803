"""The organization's holidays, the days not counted as business days."""

from ninja import Status

from handoff.core.api import Year, api_access
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements import services
from handoff.engagements.api.routing import ERRORS, router
from handoff.engagements.api.schemas import (
    FederalHolidaysIn,
    FederalHolidaysOut,
    HolidayIn,
    HolidayOut,
)
from handoff.engagements.models import Holiday


@router.get(
    "/holidays",
    response={200: list[HolidayOut], **ERRORS},
    summary="Days not counted as business days",
)
@api_access()
def list_holidays(request, year: Year | None = None):
    holidays = Holiday.objects.visible_to(request.principal)
    return holidays if year is None else holidays.filter(date__year=year)


@router.post("/holidays", response={201: HolidayOut, **ERRORS}, summary="Add a holiday")
@api_access(Role.MANAGER)
def add_holiday(request, payload: HolidayIn):
    holiday = services.add_holiday(request.principal, day=payload.date, name=payload.name)
    return Status(201, holiday)


@router.post(
    "/holidays/federal",
    response={200: FederalHolidaysOut, **ERRORS},
    summary="Add a year's US federal holidays not listed yet",
)
@api_access(Role.MANAGER)
def add_federal_holidays(request, payload: FederalHolidaysIn):
    return {"added": services.add_federal_holidays(request.principal, year=payload.year)}


# Declared after /holidays/federal: the path parameter would match 'federal' too.
@router.delete("/holidays/{holiday_id}", response={204: None, **ERRORS})
@api_access(Role.MANAGER)
def delete_holiday(request, holiday_id: int):
    holiday = get_visible_or_404(Holiday.objects, request.principal, pk=holiday_id)
    services.delete_holiday(request.principal, holiday)
    return Status(204, None)
