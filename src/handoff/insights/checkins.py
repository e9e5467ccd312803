"""Relationship check-ins: every period, the people who work with a provider are asked four
questions (comfortable working with them, clear communication, responsive, would recommend),
each on a 1–5 scale, through a one-click link. The provider's point person may be asked for
their own view of working with us; it is kept apart from ours.

Reads (:func:`summary`, :func:`history`) are one grouped query each, whatever the number of
providers or periods. Writes (:func:`start_round`, :func:`answer`, :func:`update_settings`)
are services shared by the pages, the API and the daily sweep (``insights/jobs.py``).
"""

import secrets
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, BooleanField, Case, Count, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from handoff.accounts.models import Membership
from handoff.core import audit
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import CommunicationPlan, Engagement, EscalationLevel
from handoff.insights.models import CheckIn, CheckInRound, InsightsSettings
from handoff.notifications.events import Event
from handoff.notifications.services import notify
from handoff.work.models import Task
from handoff.work.services import contact_recipients

QUESTIONS = CheckIn.QUESTIONS
VALID_DAYS = 30  # how long a check-in link can be answered
NOTE_MAX = 2000
# A sweep that missed the first day of a period (a stopped worker) still starts the round
# for the period just ended if it runs within this many days; after that the moment is gone.
START_WINDOW_DAYS = 14
# Engagements whose people are asked: the ones in force, even if paused for a while.
WORKING_STATUSES = (EngagementStatus.ACTIVE, EngagementStatus.PAUSED)
Cadence = InsightsSettings.Cadence


def questions(them: str) -> dict[str, str]:
    """The four questions, worded about ``them`` (the provider, or the organization when the
    provider gives its own view)."""
    return {
        "comfortable": f"How comfortable are you working with {them}?",
        "clear": "How clear is their communication?",
        "responsive": "How responsive are they when you need something?",
        "recommend": f"Would you recommend {them} to others?",
    }


# --- Figures ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Averages:
    """Average answers (1–5) of one side's answered check-ins; None when nobody answered."""

    comfortable: float | None = None
    clear: float | None = None
    responsive: float | None = None
    recommend: float | None = None
    overall: float | None = None
    count: int = 0  # answered check-ins
    asked: int = 0  # check-ins sent (only filled in by :func:`history`)

    def by_question(self) -> list[tuple[str, float | None]]:
        return [(name, getattr(self, name)) for name in QUESTIONS]


NO_ANSWERS = Averages()


@dataclass(frozen=True)
class CheckInSummary:
    """One provider's figures: ``ours`` (the organization's members) and ``theirs`` (the
    provider's own view of working with us), never mixed."""

    ours: Averages = NO_ANSWERS
    theirs: Averages = NO_ANSWERS

    @property
    def count(self) -> int:
        return self.ours.count + self.theirs.count


@dataclass(frozen=True)
class PeriodSummary:
    """One round's figures for the trend of one provider."""

    round_id: int
    period_start: date
    period_end: date
    ours: Averages = NO_ANSWERS
    theirs: Averages = NO_ANSWERS

    @property
    def label(self) -> str:
        return period_label(self.period_start, self.period_end)


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _averages(row: dict, *, asked: int = 0) -> Averages:
    values = {name: _round(row[f"avg_{name}"]) for name in QUESTIONS}
    answered = [value for value in values.values() if value is not None]
    # Every answer has all four questions, so the mean of the four averages is the mean of
    # every answer given.
    overall = _round(sum(answered) / len(answered)) if answered else None
    return Averages(**values, overall=overall, count=row["answered"], asked=asked)


def _grouped(queryset, *keys: str):
    """``queryset`` grouped by ``keys`` and by side, with each question's average: one query."""
    return (
        queryset.annotate(
            own_view=Case(
                When(contact__isnull=False, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by()
        .values(*keys, "own_view")
        .annotate(
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            asked=Count("id"),
            **{f"avg_{name}": Avg(name) for name in QUESTIONS},
        )
    )


def local_bounds(org, start: date, end: date) -> tuple[datetime, datetime]:
    """[start of ``start``, start of the day after ``end``) in the organization's time zone."""
    zone = zoneinfo.ZoneInfo(org.time_zone)
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def summary(
    principal, start: date, end: date, provider_ids: Iterable[int] | None = None
) -> dict[int, CheckInSummary]:
    """Per provider, the averages of the check-ins answered from ``start`` to ``end``
    (inclusive, in the organization's time zone), ours and the provider's own view apart.

    One grouped query whatever the number of providers. With ``provider_ids`` every one of
    them has an entry (empty when nobody answered); without, only providers with answers do.
    """
    after, before = local_bounds(principal.organization, start, end)
    rows = CheckIn.objects.visible_to(principal).filter(
        answered_at__gte=after, answered_at__lt=before
    )
    wanted = None if provider_ids is None else list(provider_ids)
    if wanted is not None:
        rows = rows.filter(provider_id__in=wanted)
    sides: dict[int, dict[str, Averages]] = {pk: {} for pk in wanted or ()}
    for row in _grouped(rows, "provider_id"):
        side = "theirs" if row["own_view"] else "ours"
        sides.setdefault(row["provider_id"], {})[side] = _averages(row)
    return {pk: CheckInSummary(**found) for pk, found in sides.items()}


def history(principal: Principal, provider, *, limit: int | None = None) -> list[PeriodSummary]:
    """The provider's rounds, oldest first, each with its averages and how many were asked
    and answered on each side: one query."""
    rows = CheckIn.objects.visible_to(principal).filter(provider=provider)
    periods: dict[int, dict] = {}
    for row in _grouped(rows, "round_id", "round__period_start", "round__period_end"):
        entry = periods.setdefault(
            row["round_id"],
            {
                "round_id": row["round_id"],
                "period_start": row["round__period_start"],
                "period_end": row["round__period_end"],
            },
        )
        entry["theirs" if row["own_view"] else "ours"] = _averages(row, asked=row["asked"])
    found = sorted(
        (PeriodSummary(**entry) for entry in periods.values()),
        key=lambda item: (item.period_start, item.round_id),
    )
    return found[-limit:] if limit else found


# --- Periods (pure) ---------------------------------------------------------------------------
def period_containing(day: date, months: int) -> tuple[date, date]:
    """The calendar period of ``months`` months (1, 3, 6 or 12, aligned on January) that holds
    ``day``: e.g. quarterly, 2026-05-14 → (2026-04-01, 2026-06-30)."""
    months = months or Cadence.QUARTERLY
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    return start, start + relativedelta(months=months, days=-1)


def previous_period(day: date, months: int) -> tuple[date, date]:
    """The whole period before the one that holds ``day``."""
    start, _ = period_containing(day, months)
    return period_containing(start - timedelta(days=1), months)


def period_label(start: date, end: date) -> str:
    """'Q2 2026', 'May 2026', 'H1 2026', '2026', or 'Apr 1 – May 14, 2026' for other spans."""
    whole_months = end + timedelta(days=1) == start + relativedelta(
        months=(end.year - start.year) * 12 + end.month - start.month + 1
    )
    span = (end.year - start.year) * 12 + end.month - start.month + 1
    if start.day == 1 and whole_months:
        if span == 1:
            return f"{start:%B %Y}"
        if span == 3 and start.month % 3 == 1:
            return f"Q{(start.month + 2) // 3} {start.year}"
        if span == 6 and start.month in (1, 7):
            return f"H{1 if start.month == 1 else 2} {start.year}"
        if span == 12 and start.month == 1:
            return str(start.year)
    if start.year == end.year:
        return f"{start:%b} {start.day} – {end:%b} {end.day}, {end.year}"
    return f"{start:%b} {start.day}, {start.year} – {end:%b} {end.day}, {end.year}"


def local_today(org, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(org.time_zone)).date()


def current_period(principal, now: datetime | None = None) -> tuple[date, date]:
    """What "start a check-in now" asks about: the current period up to today (quarters when
    the organization's cadence is off)."""
    today = local_today(principal.organization, now)
    start, _ = period_containing(today, settings_for(principal).checkin_months or Cadence.QUARTERLY)
    return start, today


# --- Settings ---------------------------------------------------------------------------------
def settings_for(principal) -> InsightsSettings:
    """The organization's settings (defaults, unsaved, until an admin saves them)."""
    return InsightsSettings.objects.visible_to(principal).first() or InsightsSettings(
        organization=principal.organization
    )


@transaction.atomic
def update_settings(
    principal: Principal, *, checkin_months: int | None = None, ask_provider: bool | None = None
) -> InsightsSettings:
    """Change the check-in cadence and whether the provider is asked too (admins); the
    scorecard weights on the same row are left alone."""
    principal.require_in(principal.organization_id, Role.ADMIN, "Changing the check-in settings")
    org, actor = principal.organization, principal.user
    if checkin_months is not None and checkin_months not in Cadence.values:
        raise ValidationError(
            {"checkin_months": f"Choose one of {', '.join(map(str, Cadence.values))} months."}
        )
    row, _ = InsightsSettings.objects.select_for_update().get_or_create(organization=org)
    before = {"checkin_months": row.checkin_months, "ask_provider": row.ask_provider}
    if checkin_months is not None:
        row.checkin_months = checkin_months
    if ask_provider is not None:
        row.ask_provider = bool(ask_provider)
    row.save(update_fields=["checkin_months", "ask_provider"])
    changes = audit.diff(
        before, {"checkin_months": row.checkin_months, "ask_provider": row.ask_provider}
    )
    if changes:
        audit.record(
            org,
            actor,
            "insights_settings.updated",
            row,
            f"Check-ins: {row.get_checkin_months_display().lower()}"
            + (", the provider is asked too" if row.ask_provider else ""),
            changes,
        )
    return row


# --- Who is asked -----------------------------------------------------------------------------
def member_recipients(principal: Principal, provider, period_start: date, period_end: date) -> list:
    """Members who work with ``provider``: each working engagement's point person, the people
    on its escalation ladder, and our assignees of its tasks due in the period. Active users
    who are (still) members only, in a stable order. Four queries."""
    org = provider.organization
    engagements = Engagement.objects.visible_to(principal).filter(
        provider=provider, status__in=WORKING_STATUSES
    )
    after, before = local_bounds(org, period_start, period_end)
    user_ids = set(
        CommunicationPlan.objects.visible_to(principal)
        .filter(engagement__in=engagements, our_point_person__isnull=False)
        .values_list("our_point_person_id", flat=True)
    )
    user_ids |= set(
        EscalationLevel.objects.visible_to(principal)
        .filter(engagement__in=engagements)
        .values_list("our_person_id", flat=True)
    )
    user_ids |= set(
        Task.objects.visible_to(principal)
        .filter(
            engagement__provider=provider,
            our_assignee__isnull=False,
            due_at__gte=after,
            due_at__lt=before,
        )
        .values_list("our_assignee_id", flat=True)
    )
    return [
        membership.user
        for membership in Membership.objects.visible_to(principal)
        .filter(user_id__in=user_ids, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ]


def contact_recipients_for(principal: Principal, provider) -> list:
    """The provider's point people on its working engagements who are still on file."""
    plans = (
        CommunicationPlan.objects.visible_to(principal)
        .filter(
            engagement__provider=provider,
            engagement__status__in=WORKING_STATUSES,
            their_point_person__isnull=False,
            their_point_person__archived_at__isnull=True,
        )
        .select_related("their_point_person")
        .order_by("their_point_person_id")
    )
    contacts = {}
    for plan in plans:
        contacts.setdefault(plan.their_point_person_id, plan.their_point_person)
    return list(contacts.values())


# --- Rounds -----------------------------------------------------------------------------------
def answer_path(raw_token: str) -> str:
    return reverse("insights:checkin_answer", args=[raw_token])


def _new_checkin(round_, *, now, respondent=None, contact=None) -> tuple[CheckIn, str] | None:
    """Insert one check-in with a fresh token; None when that person was asked already (the
    partial unique constraints decide, also against a concurrent sweep)."""
    raw = secrets.token_urlsafe(32)
    checkin = CheckIn(
        organization_id=round_.organization_id,
        round=round_,
        provider_id=round_.provider_id,
        respondent=respondent,
        contact=contact,
        token_hash=CheckIn.hash(raw),
        sent_at=now,
        expires_at=now + timedelta(days=VALID_DAYS),
    )
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError:
        return None
    return checkin, raw


def _tell(checkin: CheckIn, raw: str, *, users=(), emails=()) -> None:
    round_ = checkin.round
    provider = round_.provider
    period = period_label(round_.period_start, round_.period_end)
    if checkin.is_provider_view:
        subject = f"{round_.organization.name} asks: how is it going, working with us?"
        about = f"working with {round_.organization.name}"
    else:
        subject = f"How is it going with {provider.name}? ({period})"
        about = f"working with {provider.name}"
    closes = timezone.localtime(
        checkin.expires_at, zoneinfo.ZoneInfo(round_.organization.time_zone)
    )
    notify(
        organization=round_.organization,
        event=Event.CHECKIN_REQUESTED,
        subject=subject,
        body=(
            f"Four quick questions about {about} in {period}, each on a scale of 1 to 5. "
            f"The link works once, until {closes:%b} {closes.day}, {closes.year}."
        ),
        url=answer_path(raw),
        users=users,
        emails=emails,
        key=f"checkin:{checkin.pk}",
    )


def _get_or_create_round(provider, period_start, period_end, now) -> tuple[CheckInRound, bool]:
    lookup = {
        "organization_id": provider.organization_id,
        "provider": provider,
        "period_start": period_start,
    }
    found = CheckInRound.objects.filter(**lookup).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return CheckInRound.objects.create(
                **lookup, period_end=period_end, created_at=now
            ), True
    except IntegrityError:  # a concurrent sweep or click won the race
        return CheckInRound.objects.get(**lookup), False


@transaction.atomic
def start_round(
    principal: Principal,
    provider,
    *,
    period_start: date,
    period_end: date,
    now: datetime | None = None,
) -> CheckInRound:
    """Ask everyone who works with ``provider`` about the period (and, if the organization
    says so, the provider's point person about working with us). Idempotent: a period has one
    round (its unique constraint), and each person is asked once in it; calling again only
    asks people who joined since. Each gets a one-click link, stored hashed, valid 30 days.
    A manager's; the cadence's sweep starts rounds as :meth:`Principal.system`."""
    principal.require_in(provider.organization_id, Role.MANAGER, "Starting a check-in round")
    actor = principal.user
    if period_end < period_start:
        raise ValidationError({"period_end": "The period cannot end before it starts."})
    if provider.archived_at is not None:
        raise ValidationError({"provider": f"{provider.name} is archived."})
    now = now or timezone.now()
    # Who is asked is the organization's whole list, whoever starts the round.
    system = Principal.system(provider.organization)
    round_, created = _get_or_create_round(provider, period_start, period_end, now)
    round_.provider, round_.organization = provider, provider.organization
    asked_users = set(
        round_.checkins.exclude(respondent=None).values_list("respondent_id", flat=True)
    )
    asked_contacts = set(round_.checkins.exclude(contact=None).values_list("contact_id", flat=True))
    sent = 0
    for user in member_recipients(system, provider, round_.period_start, round_.period_end):
        if user.pk in asked_users:
            continue
        made = _new_checkin(round_, now=now, respondent=user)
        if made:
            _tell(*made, users=[user])
            sent += 1
    if settings_for(system).ask_provider:
        for contact in contact_recipients_for(system, provider):
            if contact.pk in asked_contacts:
                continue
            users, emails = contact_recipients(contact)
            if not (users or emails):
                continue  # no portal login and no usable address: nobody to ask
            made = _new_checkin(round_, now=now, contact=contact)
            if made:
                _tell(*made, users=users, emails=emails)
                sent += 1
    if created or sent:
        audit.record(
            provider.organization,
            actor,
            "checkin_round.started" if created else "checkin_round.extended",
            round_,
            f"{'Started' if created else 'Added people to'} the check-in about {provider.name} "
            f"for {period_label(round_.period_start, round_.period_end)}: {sent} asked",
        )
    return round_


def due_rounds(now: datetime) -> list[tuple]:
    """The rounds the cadence says should start now and have not: ``(provider, period_start,
    period_end)`` for each provider with an active engagement (started by the period's end),
    in each organization whose new period began within the last ``START_WINDOW_DAYS``. The
    cadence "Never" starts none. A few queries in all, not per provider."""
    cadence = dict(InsightsSettings.objects.values_list("organization_id", "checkin_months"))
    engagements = (
        Engagement.objects.filter(status=EngagementStatus.ACTIVE, provider__archived_at=None)
        .select_related("organization", "provider")
        .order_by("organization_id", "provider_id", "start_date")
    )
    wanted = {}
    for engagement in engagements:
        org = engagement.organization
        months = cadence.get(org.pk, Cadence.QUARTERLY)
        if months == Cadence.OFF:
            continue
        today = local_today(org, now)
        current_start, _ = period_containing(today, months)
        if (today - current_start).days >= START_WINDOW_DAYS:
            continue
        start, end = previous_period(today, months)
        if engagement.start_date > end:
            continue
        wanted.setdefault((org.pk, engagement.provider_id), (engagement.provider, start, end))
    if not wanted:
        return []
    existing = set(
        CheckInRound.objects.filter(
            provider_id__in={provider_id for _, provider_id in wanted},
            period_start__in={start for _, start, _ in wanted.values()},
        ).values_list("organization_id", "provider_id", "period_start")
    )
    return [item for key, item in wanted.items() if (*key, item[1]) not in existing]


# --- Answers ----------------------------------------------------------------------------------
def find_checkin(raw_token: str) -> CheckIn | None:
    """The check-in behind a one-click link, whatever its state (the page explains); None for
    a link that never existed."""
    if not raw_token or len(raw_token) > 200:
        return None
    return (
        CheckIn.objects.select_related("round", "provider", "organization", "contact")
        .filter(token_hash=CheckIn.hash(raw_token))
        .first()
    )


def state(checkin: CheckIn, now: datetime | None = None) -> str:
    """open, answered or expired."""
    if checkin.answered_at is not None:
        return "answered"
    if checkin.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


def clean_answers(data: dict) -> dict:
    """The four answers as whole numbers 1–5 (all required) and the note (optional); every
    field's problem at once."""
    errors, cleaned = {}, {}
    for name in QUESTIONS:
        value = data.get(name)
        if isinstance(value, str):
            value = value.strip()
            value = int(value) if value.isdigit() else value
        if value in (None, ""):
            errors[name] = "Choose a number from 1 to 5."
        elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = f"{value!r} is not a number from 1 to 5."
        else:
            cleaned[name] = value
    note = data.get("note") or ""
    if not isinstance(note, str):
        errors["note"] = "Write the note as text."
    elif len(note.strip()) > NOTE_MAX:
        errors["note"] = f"Keep the note under {NOTE_MAX} characters."
    else:
        cleaned["note"] = note.strip()
    if errors:
        raise ValidationError(errors)
    return cleaned


def refusal(checkin: CheckIn, now: datetime | None = None) -> str | None:
    """Why ``checkin`` cannot be answered now, in words for the person; None if it can."""
    current = state(checkin, now)
    if current == "answered":
        local = timezone.localtime(
            checkin.answered_at, zoneinfo.ZoneInfo(checkin.organization.time_zone)
        )
        return (
            f"This check-in was answered on {local:%b} {local.day}, {local.year}; "
            "answers cannot be changed."
        )
    if current == "expired":
        local = timezone.localtime(
            checkin.expires_at, zoneinfo.ZoneInfo(checkin.organization.time_zone)
        )
        return f"This check-in closed on {local:%b} {local.day}, {local.year}."
    return None


@transaction.atomic
def answer(
    principal: Principal, checkin: CheckIn, *, data: dict, now: datetime | None = None
) -> CheckIn:
    """Record the answers once, by the person it was sent to (``principal``: their log-in, or
    the one-click link's :meth:`Principal.for_link`). All four questions are required (1–5),
    the note is optional; an answered or expired check-in is refused and nothing changes."""
    if not addressed_to(principal).filter(pk=checkin.pk).exists():
        raise PermissionDenied("Only the person this check-in was sent to can answer it.")
    now = now or timezone.now()
    cleaned = clean_answers(data)
    locked = (
        CheckIn.objects.select_for_update()
        .select_related("organization", "provider", "round")
        .get(pk=checkin.pk)
    )
    reason = refusal(locked, now)
    if reason:
        raise ValidationError(reason)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.answered_at = now
    locked.save(update_fields=[*QUESTIONS, "note", "answered_at"])
    who = locked.contact.name if locked.contact_id else None
    round_ = locked.round
    audit.record(
        locked.organization,
        locked.respondent,
        "checkin.answered",
        locked,
        f"{who + ' (provider)' if who else 'A member'} answered the check-in about "
        f"{locked.provider.name} for {period_label(round_.period_start, round_.period_end)}",
    )
    for name, value in cleaned.items():
        setattr(checkin, name, value)
    checkin.answered_at = now
    return checkin


# --- Reads for pages and the API --------------------------------------------------------------
def addressed_to(principal):
    """The check-ins addressed to the person asking: a member's own (about a provider), a
    provider's contact's (the provider's own view, about the organization)."""
    rows = CheckIn.objects.visible_to(principal).select_related("round", "provider")
    if principal.is_provider or principal.is_link:
        return rows  # the visibility rule keeps the contact's own, or the link's one
    return rows.filter(respondent=principal.user)


def still_open(now: datetime | None = None) -> Q:
    """Not answered and not expired: what :func:`state` calls open."""
    return Q(answered_at=None, expires_at__gt=now or timezone.now())


def pending_for(principal, now: datetime | None = None):
    """The check-ins addressed to ``principal`` still open to answer, the first to close first."""
    return addressed_to(principal).filter(still_open(now)).order_by("expires_at", "pk")
