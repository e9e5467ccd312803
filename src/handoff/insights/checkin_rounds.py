"""The organization's check-in rounds, each in one state, and the rounds the cadence will start.

States (:data:`STATES`), one definition for the page, its filter and the docs:

- **scheduled**: not started yet — the round about the current period, which the daily sweep
  starts when the period ends, for each provider with an active engagement (none while the
  cadence is "never");
- **sent**: started, and at least one check-in can still be answered;
- **answered**: everyone asked has answered;
- **closed**: nobody can answer any more (the links expired) and not everyone did, or nobody
  was there to ask.

Reads cost a fixed number of queries whatever the number of rounds: the rounds are one
grouped query (counts and average answers per round), the scheduled ones a count and a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Case, CharField, Count, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import Engagement
from handoff.insights import checkins
from handoff.insights.models import CheckInRound
from handoff.providers.models import Provider

SCHEDULED, SENT, ANSWERED, CLOSED = "scheduled", "sent", "answered", "closed"
STATES = {
    SCHEDULED: "Scheduled",
    SENT: "Sent",
    ANSWERED: "Answered",
    CLOSED: "Closed",
}
QUESTIONS = checkins.QUESTIONS


def rounds(principal, *, now: datetime | None = None, state: str = ""):
    """Every started round the principal sees, newest period first, each annotated with ``asked``,
    ``answered``, ``still_open``, the average answer of each side (``ours``, ``theirs``: the
    mean of the four questions, 1–5) and its ``state`` (sent, answered or closed)."""
    now = now or timezone.now()
    answered = Q(checkins__answered_at__isnull=False)
    ours, theirs = Q(checkins__contact__isnull=True), Q(checkins__contact__isnull=False)
    averages = {}
    for side, who in (("ours", ours), ("theirs", theirs)):
        for question in QUESTIONS:
            averages[f"{side}_{question}"] = Avg(f"checkins__{question}", filter=answered & who)
    queryset = (
        CheckInRound.objects.visible_to(principal)
        .select_related("provider")
        .annotate(
            asked=Count("checkins"),
            answered=Count("checkins", filter=answered),
            still_open=Count(
                "checkins",
                filter=Q(checkins__answered_at__isnull=True, checkins__expires_at__gt=now),
            ),
            **averages,
        )
        .annotate(
            state=Case(
                When(Q(asked__gt=0) & Q(answered=F("asked")), then=Value(ANSWERED)),
                When(still_open__gt=0, then=Value(SENT)),
                default=Value(CLOSED),
                output_field=CharField(),
            )
        )
        .order_by("-period_start", "provider__name", "id")
    )
    if state in (SENT, ANSWERED, CLOSED):
        queryset = queryset.filter(state=state)
    return queryset


def side_average(row, side: str) -> float | None:
    """The mean of the four questions' averages of one side of a round (None: no answer)."""
    values = [getattr(row, f"{side}_{question}") for question in QUESTIONS]
    values = [float(value) for value in values if value is not None]
    return round(sum(values) / len(values), 2) if values else None


@dataclass
class Scheduled:
    """The next round the cadence starts: about ``period_start``–``period_end``, from
    ``starts_on``, for ``providers`` (a page of them) out of ``count``."""

    period_start: date
    period_end: date
    starts_on: date
    count: int
    providers: list

    @property
    def label(self) -> str:
        return checkins.period_label(self.period_start, self.period_end)


def scheduled(principal, *, now: datetime | None = None, limit: int = 10) -> Scheduled | None:
    """The round about the current period, which starts when it ends: every provider with an
    active engagement started by then and no round for the period yet. None while the cadence
    is "never". Two queries (the count and the first ``limit`` names)."""
    months = checkins.settings_for(principal).checkin_months
    if not months:
        return None
    today = checkins.local_today(principal.organization, now)
    start, end = checkins.period_containing(today, months)
    active = Engagement.objects.visible_to(principal).filter(
        provider=OuterRef("pk"), status=EngagementStatus.ACTIVE, start_date__lte=end
    )
    started = CheckInRound.objects.visible_to(principal).filter(
        provider=OuterRef("pk"), period_start=start
    )
    providers = (
        Provider.objects.visible_to(principal)
        .filter(archived_at__isnull=True)
        .filter(Exists(active))
        .exclude(Exists(started))
        .order_by("name", "id")
    )
    return Scheduled(
        start, end, end + timedelta(days=1), providers.count(), list(providers[:limit])
    )
