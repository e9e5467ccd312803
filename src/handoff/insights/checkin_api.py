"""Relationship check-ins as JSON: the same services as the pages.

Two routers:

- ``router`` (tokens): list check-ins (viewer), the rounds with their states and the
  scheduled one (viewer), a provider's figures per period (viewer), start a round (manager),
  answer my own check-in (its respondent), the settings (admin). Listing, reading and answering
  serve a provider contact's token too: they see and answer the check-ins addressed to them.
- ``public`` (no token, under ``/checkin/{token}``): the questions behind a one-click link and
  the answer to them; the link's token is the only key.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from handoff.core.api import ErrorOut, api_access, paginate, public_operation
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.insights import checkin_rounds, checkins
from handoff.insights.models import CheckIn, InsightsSettings
from handoff.providers.models import Provider

router = Router(tags=["relationship check-ins"])
public = Router(tags=["check-in link (no token)"], auth=None)

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
Rating = int | None


# --- Schemas ----------------------------------------------------------------------------------
class CheckInOut(Schema):
    id: int
    round_id: int
    provider_id: int
    period_start: date = Field(alias="round.period_start")
    period_end: date = Field(alias="round.period_end")
    respondent_id: int | None
    contact_id: int | None
    provider_view: bool = Field(alias="is_provider_view")
    state: str
    sent_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    comfortable: int | None
    clear: int | None
    responsive: int | None
    recommend: int | None
    note: str

    @staticmethod
    def resolve_state(checkin):
        return checkins.state(checkin)


class CheckInPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[CheckInOut]


class CheckInAveragesOut(Schema):
    comfortable: float | None
    clear: float | None
    responsive: float | None
    recommend: float | None
    overall: float | None
    answered: int = Field(..., alias="count")
    asked: int


class CheckInPeriodOut(Schema):
    round_id: int
    period: str = Field(..., alias="label")
    period_start: date
    period_end: date
    ours: CheckInAveragesOut
    theirs: CheckInAveragesOut


class CheckInSummaryOut(Schema):
    provider_id: int
    start: date
    end: date
    ours: CheckInAveragesOut
    theirs: CheckInAveragesOut


class RoundIn(Schema):
    period_start: date | None = None
    period_end: date | None = None


class RoundOut(Schema):
    id: int
    provider_id: int
    period_start: date
    period_end: date
    period: str
    asked: int


class RoundStateOut(Schema):
    id: int
    provider_id: int
    provider: str
    period: str
    period_start: date
    period_end: date
    state: str = Field(description="sent, answered or closed (see docs/checkins.md).")
    asked: int
    answered: int
    ours: float | None = Field(description="Mean of the four questions' averages, 1–5.")
    theirs: float | None = Field(description="The provider's view of us, kept apart.")


class ScheduledOut(Schema):
    period: str
    period_start: date
    period_end: date
    starts_on: date
    providers: int = Field(description="Providers the round will ask about.")


class RoundsPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[RoundStateOut]
    scheduled: ScheduledOut | None = Field(
        description="The round the cadence starts next; null while the cadence is never."
    )


class CheckInAnswerIn(Schema):
    # strict: true and "4" are not numbers here; the service says which field is wrong.
    comfortable: Rating = Field(None, ge=1, le=5, strict=True)
    clear: Rating = Field(None, ge=1, le=5, strict=True)
    responsive: Rating = Field(None, ge=1, le=5, strict=True)
    recommend: Rating = Field(None, ge=1, le=5, strict=True)
    note: str = Field("", max_length=checkins.NOTE_MAX)


class CheckInSettingsOut(Schema):
    checkin_months: int
    cadence: str = Field(alias="get_checkin_months_display")
    ask_provider: bool


class SettingsPatch(Schema):
    checkin_months: InsightsSettings.Cadence | None = None
    ask_provider: bool | None = None


class LinkOut(Schema):
    asking_organization: str
    provider: str
    about: str
    provider_view: bool
    period: str
    period_start: date
    period_end: date
    expires_at: datetime
    questions: dict[str, str]


class ThanksOut(Schema):
    detail: str
    checkin: CheckInOut | None = None


def _listing():
    return CheckIn.objects.select_related("round").order_by("-sent_at", "id")


def _answer(principal, checkin: CheckIn, payload: CheckInAnswerIn) -> CheckIn:
    reason = checkins.refusal(checkin)
    if reason:
        raise ValidationError({"checkin": reason})
    return checkins.answer(principal, checkin, data=payload.dict())


# --- Organization tokens ----------------------------------------------------------------------
@router.get("/checkins", response={200: CheckInPage, **ERRORS}, summary="List check-ins")
@api_access(providers=True)
def list_checkins(
    request,
    provider_id: int | None = None,
    answered: bool | None = None,
    mine: bool = Query(False, description="Only mine (a provider contact's are all theirs)."),
    page: int = Query(1, ge=1),
    per_page: int = Query(50, ge=1, le=200),
):
    principal = request.auth
    rows = _listing().visible_to(principal)
    if provider_id is not None and principal.is_provider:
        rows = rows.filter(provider_id=provider_id)
    elif provider_id is not None:
        rows = rows.filter(provider=get_visible_or_404(Provider.objects, principal, pk=provider_id))
    if answered is not None:
        rows = rows.filter(answered_at__isnull=not answered)
    if mine and not principal.is_provider:  # a contact's are all addressed to them
        rows = rows.filter(respondent=request.user)
    return paginate(rows, page, per_page)


@router.get(
    "/checkin-rounds",
    response={200: RoundsPage, **ERRORS},
    summary="The organization's check-in rounds with their states, and the one scheduled next",
)
@api_access()
def list_rounds(
    request,
    state: Literal["", "sent", "answered", "closed"] = "",
    page: int = Query(1, ge=1),
    per_page: int = Query(50, ge=1, le=200),
):
    found = paginate(checkin_rounds.rounds(request.principal, state=state), page, per_page)
    found["results"] = [
        {
            "id": row.pk,
            "provider_id": row.provider_id,
            "provider": row.provider.name,
            "period": checkins.period_label(row.period_start, row.period_end),
            "period_start": row.period_start,
            "period_end": row.period_end,
            "state": row.state,
            "asked": row.asked,
            "answered": row.answered,
            "ours": checkin_rounds.side_average(row, "ours"),
            "theirs": checkin_rounds.side_average(row, "theirs"),
        }
        for row in found["results"]
    ]
    scheduled = checkin_rounds.scheduled(request.principal, limit=0)
    found["scheduled"] = scheduled and {
        "period": scheduled.label,
        "period_start": scheduled.period_start,
        "period_end": scheduled.period_end,
        "starts_on": scheduled.starts_on,
        "providers": scheduled.count,
    }
    return found


@router.get("/checkins/{checkin_id}", response={200: CheckInOut, **ERRORS})
@api_access(providers=True)
def get_checkin(request, checkin_id: int):
    return get_visible_or_404(_listing(), request.auth, pk=checkin_id)


@router.post(
    "/checkins/{checkin_id}/answer",
    response={200: CheckInOut, **ERRORS},
    summary="Answer my own check-in (once, before it closes)",
)
@api_access(providers=True)
def answer_mine(request, checkin_id: int, payload: CheckInAnswerIn):
    addressed = checkins.addressed_to(request.auth).select_related("organization", "provider")
    return _answer(request.auth, get_object_or_404(addressed, pk=checkin_id), payload)


@router.get(
    "/providers/{provider_id}/checkin-periods",
    response={200: list[CheckInPeriodOut], **ERRORS},
    summary="A provider's check-in averages per period, oldest first",
)
@api_access()
def provider_periods(request, provider_id: int):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_id)
    return checkins.history(request.principal, provider)


@router.get(
    "/providers/{provider_id}/checkin-summary",
    response={200: CheckInSummaryOut, **ERRORS},
    summary="A provider's check-in averages for answers given from start to end",
)
@api_access()
def provider_summary(request, provider_id: int, start: date, end: date):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_id)
    if end < start:
        raise ValidationError({"end": "The end comes before the start."})
    found = checkins.summary(request.principal, start, end, provider_ids=[provider.pk])[provider.pk]
    return {
        "provider_id": provider.pk,
        "start": start,
        "end": end,
        "ours": found.ours,
        "theirs": found.theirs,
    }


@router.post(
    "/providers/{provider_id}/checkin-rounds",
    response={201: RoundOut, **ERRORS},
    summary="Start a check-in round now (the current period unless one is given)",
)
@api_access(Role.MANAGER)
def start_round(request, provider_id: int, payload: RoundIn):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_id)
    start, end = checkins.current_period(request.principal)
    start, end = payload.period_start or start, payload.period_end or end
    if payload.period_start and not payload.period_end:
        end = max(end, start)
    round_ = checkins.start_round(request.principal, provider, period_start=start, period_end=end)
    return Status(
        201,
        {
            "id": round_.pk,
            "provider_id": provider.pk,
            "period_start": round_.period_start,
            "period_end": round_.period_end,
            "period": checkins.period_label(round_.period_start, round_.period_end),
            "asked": round_.checkins.count(),
        },
    )


@router.get("/checkin-settings", response={200: CheckInSettingsOut, **ERRORS})
@api_access(Role.ADMIN)
def get_settings(request):
    return checkins.settings_for(request.principal)


@router.patch("/checkin-settings", response={200: CheckInSettingsOut, **ERRORS})
@api_access(Role.ADMIN)
def update_settings(request, payload: SettingsPatch):
    return checkins.update_settings(
        request.principal,
        checkin_months=payload.checkin_months,
        ask_provider=payload.ask_provider,
    )


# --- The one-click link: the token is the only key --------------------------------------------
def _by_token(token: str) -> CheckIn:
    found = checkins.find_checkin(token)
    if found is None:
        raise Http404("No such link.")
    return found


@public.get(
    "/checkin/{token}",
    response={200: LinkOut, 404: ErrorOut},
    summary="The questions behind a check-in link",
)
@public_operation
def link_form(request, token: str):
    checkin = _by_token(token)
    round_ = checkin.round
    them = checkin.organization.name if checkin.is_provider_view else checkin.provider.name
    return {
        "asking_organization": checkin.organization.name,
        "provider": checkin.provider.name,
        "about": them,
        "provider_view": checkin.is_provider_view,
        "period": checkins.period_label(round_.period_start, round_.period_end),
        "period_start": round_.period_start,
        "period_end": round_.period_end,
        "expires_at": checkin.expires_at,
        "questions": checkins.questions(them),
    }


@public.post(
    "/checkin/{token}",
    response={201: ThanksOut, 404: ErrorOut, 422: ErrorOut},
    summary="Answer once, before the link expires",
)
@public_operation
def link_answer(request, token: str, payload: CheckInAnswerIn):
    checkin = _by_token(token)
    _answer(Principal.for_link(checkin), checkin, payload)
    return Status(201, {"detail": "Thank you; your answers were sent.", "checkin": None})
