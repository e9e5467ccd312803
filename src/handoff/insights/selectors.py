"""Reads of the insights pages: the evidence behind reputations, read once for many providers;
the answered check-ins a member or a provider's page lists; the providers a shortlist could
still take."""

from collections import defaultdict

from django.db.models import Count, F, Q
from django.utils import timezone

from handoff.insights.models import CheckIn
from handoff.insights.reputation import Evidence, check_observation
from handoff.providers.models import Provider, ReferenceCheck
from handoff.work import status as task_status
from handoff.work.choices import TaskStatus
from handoff.work.models import Task

DELIVERED = Q(status__in=(TaskStatus.DELIVERED, TaskStatus.ACCEPTED), delivered_at__isnull=False)


def evidence_for(principal, provider_ids, *, now=None) -> dict[int, Evidence]:
    """Evidence per provider in three queries whatever their number: reference checks, the
    delivery record (on time or late, as the scorecards count it: the latest delivery by the
    due time; open work past due is late), and the quality ratings given at acceptance."""
    provider_ids = list(provider_ids)
    now = now or timezone.now()
    checks = defaultdict(list)
    rows = (
        ReferenceCheck.objects.visible_to(principal)
        .filter(reference__provider_id__in=provider_ids)
        .values_list(
            "reference__provider_id",
            "understood_field",
            "met_deadlines",
            "communication",
            "quality",
            "would_hire_again",
        )
    )
    for provider_id, *ratings, hire in rows:
        observation = check_observation([r for r in ratings if r], hire)
        if observation is not None:
            checks[provider_id].append(observation)

    tasks = Task.objects.visible_to(principal).filter(engagement__provider_id__in=provider_ids)
    overdue = Q(status__in=task_status.WITH_PROVIDER, due_at__lt=now)
    record = {
        row["engagement__provider_id"]: row
        for row in tasks.values("engagement__provider_id")
        .order_by()
        .annotate(
            on_time=Count("pk", filter=DELIVERED & Q(delivered_at__lte=F("due_at"))),
            late=Count("pk", filter=(DELIVERED & Q(delivered_at__gt=F("due_at"))) | overdue),
        )
    }
    ratings = defaultdict(list)
    for provider_id, rating, count in (
        tasks.filter(status=TaskStatus.ACCEPTED, quality_rating__isnull=False)
        .values("engagement__provider_id", "quality_rating")
        .order_by()
        .annotate(n=Count("pk"))
        .values_list("engagement__provider_id", "quality_rating", "n")
    ):
        ratings[provider_id].extend([rating] * count)
    return {
        pk: Evidence(
            reference_checks=tuple(checks.get(pk, ())),
            on_time=record.get(pk, {}).get("on_time", 0),
            late=record.get(pk, {}).get("late", 0),
            quality_ratings=tuple(sorted(ratings.get(pk, ()))),
        )
        for pk in provider_ids
    }


CHECKIN_ROWS = 20


def checkin_notes(principal, provider):
    """The latest answered check-ins about ``provider`` that carry a note, with who wrote it."""
    return (
        CheckIn.objects.visible_to(principal)
        .filter(provider=provider)
        .answered()
        .exclude(note="")
        .select_related("round", "respondent", "contact")
        .order_by("-answered_at")[:CHECKIN_ROWS]
    )


def addable_to_shortlist(principal, listed):
    """Providers that could join a shortlist: not archived, not among ``listed`` (ids)."""
    return (
        Provider.objects.visible_to(principal)
        .filter(archived_at__isnull=True)
        .exclude(pk__in=listed)
    )
