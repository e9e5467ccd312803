"""Periodic sweeps: functions that look for what is due (reminders, retries, digests) and act.

Each app registers its own from its ``AppConfig.ready``::

    from handoff.notifications.sweeps import sweep

    @sweep(every=timedelta(minutes=5))
    def overdue_tasks(now) -> int:
        ...  # notify(..., key=f"task:{task.pk}:overdue"); return how many were handled

``handoff worker`` calls :func:`handoff.notifications.jobs.run_due_sweeps` on a fixed interval,
which enqueues each due sweep as a job. This module is only the registry and its bookkeeping;
it imports nothing from ``jobs``, so every app can register sweeps without pulling in the queue.

Which sweep last started when is kept in one table (``SweepRun``) and claimed with a
conditional update, so however many workers run, a sweep due every five minutes starts once in
five minutes. A sweep must still be safe to run twice (idempotency keys on ``notify``): a crash
after the claim loses one run, never duplicates one, and the next interval catches up.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    func: Callable[[datetime], int]
    every: timedelta


_registry: dict[str, Sweep] = {}


def sweep(*, every: timedelta, name: str = ""):
    """Register ``func(now) -> int`` to run every ``every``; returns ``func`` unchanged."""
    if every <= timedelta(0):
        raise ValueError("A sweep's interval must be positive.")

    def decorator(func):
        sweep_name = name or f"{func.__module__}.{func.__qualname__}"
        _registry[sweep_name] = Sweep(sweep_name, func, every)
        return func

    return decorator


def registered() -> list[Sweep]:
    return sorted(_registry.values(), key=lambda item: item.name)


def get(name: str) -> Sweep | None:
    return _registry.get(name)


def claim(item: Sweep, now: datetime) -> bool:
    """Mark ``item`` as started at ``now`` if its interval has passed; True when this caller
    won (one conditional UPDATE, so two workers cannot both win)."""
    from handoff.notifications.models import SweepRun

    SweepRun.objects.get_or_create(name=item.name)
    return bool(
        SweepRun.objects.filter(name=item.name)
        .filter(Q(last_started_at__isnull=True) | Q(last_started_at__lte=now - item.every))
        .update(last_started_at=now)
    )


def execute(item: Sweep, now: datetime) -> int:
    """Run one sweep and record how it ended."""
    from handoff.notifications.models import SweepRun

    try:
        result = item.func(now)
    except Exception as error:
        logger.exception("Sweep %s failed", item.name)
        SweepRun.objects.filter(name=item.name).update(
            last_finished_at=timezone.now(), last_result=None, last_error=str(error)[:500]
        )
        raise
    SweepRun.objects.filter(name=item.name).update(
        last_finished_at=timezone.now(),
        last_result=result if isinstance(result, int) else None,
        last_error="",
    )
    return result
