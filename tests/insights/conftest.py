"""Helpers for the Evaluate tests that need many providers with a score."""

from datetime import date, timedelta
from decimal import Decimal

from handoff.decisions.models import BusinessFunction
from handoff.engagements.models import Engagement, EngagementFunction
from handoff.insights import rollup
from handoff.providers.models import Provider
from handoff.work.models import Task


def engaged(org, name: str) -> Engagement:
    """A provider's active Bookkeeping engagement, with no work yet."""
    provider = Provider.objects.create(organization=org, name=name, kind="firm", status="active")
    engagement = Engagement.objects.create(
        organization=org,
        provider=provider,
        title=f"Work with {name}",
        amount=Decimal("1000"),
        start_date=date(2026, 1, 1),
        status="active",
    )
    EngagementFunction.objects.create(
        organization=org,
        engagement=engagement,
        function=BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping"),
    )
    return engagement


def delivered(engagement, due, *, on_time: int = 0, late: int = 0) -> None:
    """Accepted tasks due at ``due``: ``on_time`` delivered an hour early, ``late`` an hour
    late. Nothing else is scored, so the overall score is the on-time rate × 100. Written at
    once by ``bulk_create``, which marks nothing: their month is marked by hand."""
    created = Task.objects.bulk_create(
        Task(
            organization=engagement.organization,
            engagement=engagement,
            title=f"Task {n}",
            due_at=due,
            status="accepted",
            delivered_at=due + timedelta(hours=1 if n >= on_time else -1),
        )
        for n in range(on_time + late)
    )
    rollup.mark_all(Task.objects.filter(pk__in=[task.pk for task in created]))


def ranked_providers(org, count: int, due) -> list[Provider]:
    """``count`` engaged providers "Provider 01"… with distinct scores: Provider *i* delivered
    *i* tasks on time and one late (i / (i + 1)), so the higher the number the better. Best
    first."""
    providers = []
    for i in range(1, count + 1):
        engagement = engaged(org, f"Provider {i:02d}")
        delivered(engagement, due, on_time=i, late=1)
        providers.append(engagement.provider)
    return providers[::-1]
