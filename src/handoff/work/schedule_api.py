"""Schedules (recurring tasks) and calendar feeds as JSON: the same services as the pages.

Least roles: reading schedules is for viewers, changing them for managers; a calendar feed is
the caller's own (viewers and up). Provider contacts have neither.
"""

from datetime import date, datetime

from ninja import Field, Router, Schema, Status

from handoff.core.api import ErrorOut, LocalTime, api_access, patch_data
from handoff.core.links import absolute_url
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.work import selectors, services
from handoff.work.api import engagement_or_404
from handoff.work.choices import Priority, Recurrence
from handoff.work.models import CalendarFeed, Schedule

router = Router(tags=["tasks"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- Schemas ----------------------------------------------------------------------------------
class ScheduleOut(Schema):
    id: int
    engagement_id: int
    title: str
    details: str
    kind: str
    priority: Priority
    rule: Recurrence
    day_of_month: int | None
    weekdays: list[int]
    interval_days: int | None
    due_time: LocalTime
    lead_days: int
    starts_on: date
    ends_on: date | None
    paused: bool
    generated_through: date | None
    description: str = Field(alias="describe")
    next_due_dates: list[date]
    version: int

    @staticmethod
    def resolve_next_due_dates(schedule, context):
        today = services.local_today(schedule.organization)
        return services.next_dates(context["request"].principal, schedule, today)


class ScheduleIn(Schema):
    title: str
    details: str = ""
    kind: str = ""
    priority: Priority = Priority.NORMAL
    rule: Recurrence
    day_of_month: int | None = Field(None, description="Monthly on a day; 31 = last day.")
    weekdays: list[int] = Field([], description="Weekly: 0 = Monday … 6 = Sunday.")
    interval_days: int | None = None
    due_time: LocalTime
    lead_days: int = 7
    starts_on: date
    ends_on: date | None = None


class SchedulePatch(Schema):
    title: str | None = None
    details: str | None = None
    kind: str | None = None
    priority: Priority | None = None
    rule: Recurrence | None = None
    day_of_month: int | None = None
    weekdays: list[int] | None = None
    interval_days: int | None = None
    due_time: LocalTime | None = None
    lead_days: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    version: int | None = None


class FeedOut(Schema):
    id: int
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewFeedOut(FeedOut):
    url: str = Field(description="The secret address, shown this once.")


# --- Lookups ----------------------------------------------------------------------------------
def _schedule(request, schedule_id: int) -> Schedule:
    return get_visible_or_404(
        Schedule.objects.select_related("organization", "engagement"),
        request.principal,
        pk=schedule_id,
    )


# --- Schedules --------------------------------------------------------------------------------
@router.get("/engagements/{engagement_id}/schedules", response={200: list[ScheduleOut], **ERRORS})
@api_access()
def list_schedules(request, engagement_id: int):
    engagement = engagement_or_404(request, engagement_id)
    return list(
        selectors.schedules_of(request.principal, engagement).select_related("organization")
    )


@router.post(
    "/engagements/{engagement_id}/schedules",
    response={201: ScheduleOut, **ERRORS},
    summary="Add a schedule (its tasks due from today on are sent as their time comes)",
)
@api_access(Role.MANAGER)
def create_schedule(request, engagement_id: int, payload: ScheduleIn):
    schedule = services.create_schedule(
        request.principal, engagement_or_404(request, engagement_id), data=payload.dict()
    )
    return Status(201, _schedule(request, schedule.pk))


@router.get("/schedules/{schedule_id}", response={200: ScheduleOut, **ERRORS})
@api_access()
def get_schedule(request, schedule_id: int):
    return _schedule(request, schedule_id)


@router.patch("/schedules/{schedule_id}", response={200: ScheduleOut, **ERRORS})
@api_access(Role.MANAGER)
def update_schedule(request, schedule_id: int, payload: SchedulePatch):
    services.update_schedule(
        request.principal,
        _schedule(request, schedule_id),
        data=patch_data(payload, Schedule, exclude={"version"}),
        expected_version=payload.version,
    )
    return _schedule(request, schedule_id)


@router.post("/schedules/{schedule_id}/pause", response={200: ScheduleOut, **ERRORS})
@api_access(Role.MANAGER)
def pause_schedule(request, schedule_id: int):
    services.pause_schedule(request.principal, _schedule(request, schedule_id))
    return _schedule(request, schedule_id)


@router.post(
    "/schedules/{schedule_id}/resume",
    response={200: ScheduleOut, **ERRORS},
    summary="Resume (due dates that fell while paused are skipped)",
)
@api_access(Role.MANAGER)
def resume_schedule(request, schedule_id: int):
    services.resume_schedule(request.principal, _schedule(request, schedule_id))
    return _schedule(request, schedule_id)


@router.delete(
    "/schedules/{schedule_id}",
    response={204: None, **ERRORS},
    summary="Remove a schedule (its tasks stay)",
)
@api_access(Role.MANAGER)
def delete_schedule(request, schedule_id: int):
    services.delete_schedule(request.principal, _schedule(request, schedule_id))
    return Status(204, None)


# --- Calendar feeds ---------------------------------------------------------------------------
@router.get("/calendar-feeds", response={200: list[FeedOut], **ERRORS}, tags=["calendar"])
@api_access()
def list_feeds(request):
    return list(CalendarFeed.objects.visible_to(request.principal).filter(user=request.user))


@router.post(
    "/calendar-feeds",
    response={201: NewFeedOut, **ERRORS},
    tags=["calendar"],
    summary="Create your secret calendar address (shown once)",
)
@api_access()
def create_feed(request):
    feed, raw = services.create_feed(request.principal)
    feed.url = absolute_url("work:feed", raw)
    return Status(201, feed)


@router.post(
    "/calendar-feeds/{feed_id}/revoke", response={200: FeedOut, **ERRORS}, tags=["calendar"]
)
@api_access()
def revoke_feed(request, feed_id: int):
    feed = get_visible_or_404(
        CalendarFeed.objects, request.principal, pk=feed_id, user=request.user
    )
    return services.revoke_feed(request.principal, feed)
