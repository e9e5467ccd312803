"""Background jobs (django-tasks), this app's periodic sweeps, and the scheduling of every
registered sweep (:func:`run_due_sweeps`).

Jobs take ids, are enqueued after the transaction commits, and are safe to run twice: each
delivery step claims its row first (see ``delivery``).
"""

import contextlib
import zoneinfo
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from handoff.notifications import delivery
from handoff.notifications import sweeps as sweep_registry
from handoff.notifications.models import (
    EmailState,
    Notification,
    NotificationSettings,
    WebhookDelivery,
)
from handoff.notifications.sweeps import sweep

# The hour, in the organization's time zone, after which the daily digest goes out.
DIGEST_HOUR = 7
# An e-mail claimed this long ago by a worker that never finished is handed back.
EMAIL_CLAIM_TIMEOUT = timedelta(minutes=15)
# A pending e-mail older than this is re-enqueued (its first job was lost or failed).
EMAIL_RETRY_AFTER = timedelta(minutes=5)
SWEEP_BATCH = 500


@task()
def send_emails(notification_ids: list[int]) -> int:
    """Send the e-mails of these notifications (those still waiting); how many went."""
    return sum(delivery.send_notification_email(pk) for pk in notification_ids)


@task()
def deliver_webhooks(delivery_ids: list[int]) -> int:
    """Post these webhook deliveries (those due); how many succeeded."""
    return sum(delivery.deliver_webhook(pk) for pk in delivery_ids)


@task()
def run_sweep(name: str, now: str) -> int:
    """Run one registered sweep as of ``now`` (ISO 8601, the time it was found due)."""
    item = sweep_registry.get(name)
    if item is None:  # unregistered since it was enqueued (a deploy in between)
        return 0
    return sweep_registry.execute(item, datetime.fromisoformat(now))


def run_due_sweeps(now: datetime | None = None, *, enqueue: bool = True) -> list[str]:
    """Start every registered sweep whose interval has passed; returns their names.

    With ``enqueue`` (the worker's way) each runs as a background job after the current
    transaction commits; without, it runs here and now.
    """
    now = now or timezone.now()
    started = []
    for item in sweep_registry.registered():
        if not sweep_registry.claim(item, now):
            continue
        started.append(item.name)
        if enqueue:
            transaction.on_commit(lambda name=item.name: run_sweep.enqueue(name, now.isoformat()))
        else:
            # A failure is logged and recorded on its SweepRun; the other sweeps still run.
            with contextlib.suppress(Exception):
                sweep_registry.execute(item, now)
    return started


@sweep(every=timedelta(minutes=1), name="notifications.webhook_retries")
def retry_webhooks(now: datetime) -> int:
    """Post every delivery whose next attempt is due."""
    ids = list(
        WebhookDelivery.objects.due(now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(delivery.deliver_webhook(pk, now) for pk in ids)


@sweep(every=timedelta(minutes=5), name="notifications.email_retries")
def retry_emails(now: datetime) -> int:
    """Hand back e-mails claimed by a worker that died, and send those still waiting."""
    Notification.objects.filter(
        email_state=EmailState.SENDING, email_claimed_at__lt=now - EMAIL_CLAIM_TIMEOUT
    ).update(email_state=EmailState.PENDING)
    ids = list(
        Notification.objects.filter(
            email_state=EmailState.PENDING, created_at__lt=now - EMAIL_RETRY_AFTER
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(delivery.send_notification_email(pk) for pk in ids)


@sweep(every=timedelta(minutes=15), name="notifications.daily_digest")
def daily_digest(now: datetime) -> int:
    """After DIGEST_HOUR in each organization's time zone, send each person who has held
    e-mails one summary, once that day."""
    holders = (
        Notification.objects.filter(email_state=EmailState.DIGEST, user__isnull=False)
        .values_list("organization_id", "user_id")
        .distinct()
    )
    pairs = set(holders)
    if not pairs:
        return 0
    for organization_id, user_id in pairs:
        NotificationSettings.objects.get_or_create(organization_id=organization_id, user_id=user_id)
    condition = Q()
    for organization_id, user_id in pairs:
        condition |= Q(organization_id=organization_id, user_id=user_id)
    sent = 0
    for row in NotificationSettings.objects.filter(condition).select_related(
        "organization", "user"
    ):
        local = now.astimezone(zoneinfo.ZoneInfo(row.organization.time_zone))
        if local.hour < DIGEST_HOUR:
            continue
        sent += delivery.send_digest(row, local.date()) > 0
    return sent


def enqueue_emails(notification_ids: list[int]) -> None:
    if notification_ids:
        send_emails.enqueue(notification_ids)


def enqueue_webhooks(delivery_ids: list[int]) -> None:
    if delivery_ids:
        deliver_webhooks.enqueue(delivery_ids)
