"""Sending notifications, reading and changing preferences, managing webhooks.

Every app tells people about things through :func:`notify`; pages, the API and jobs share the
rest.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from handoff.accounts.models import Membership
from handoff.core import audit
from handoff.core.backup import remap_path
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.notifications import delivery, egress, jobs
from handoff.notifications.events import Event
from handoff.notifications.models import (
    DEFAULT_DUE_SOON_HOURS,
    DeliveryStatus,
    EmailState,
    EventPreference,
    Notification,
    NotificationSettings,
    Webhook,
    WebhookDelivery,
)


def _save_once(row) -> bool:
    """Insert ``row`` unless its idempotency key is taken (by us earlier, or by another worker
    at this very moment): the unique constraint decides, inside a savepoint."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return False
    return True


def _insert(row, key: str) -> bool:
    if key:
        return _save_once(row)
    row.save()
    return True


def _plain_addresses(emails: Iterable[str]) -> list[str]:
    addresses = []
    for raw in emails:
        address = (raw or "").strip().lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"emails": f"{raw!r} is not an e-mail address."}) from None
        if address not in addresses:
            addresses.append(address)
    return addresses


def notify(
    *,
    organization,
    event: str,
    subject: str,
    body: str = "",
    url: str = "",
    users=(),
    emails=(),
    key: str = "",
    actor=None,
) -> list[Notification]:
    """Tell ``users`` (in the inbox and by e-mail, as each prefers) and ``emails`` (people
    without a login: e-mail only) about ``event``; post it to the organization's webhooks.

    ``key`` makes it idempotent: the same key reaches each recipient, and each webhook, once
    however often it is called (a sweep run twice, two workers). ``actor`` is never told about
    their own action. ``url`` is a site path; e-mails and chat messages make it absolute.
    Returns the notifications created now. E-mails and webhook posts leave as background jobs
    after the transaction commits.
    """
    if event not in Event.values:
        raise ValidationError({"event": f"{event!r} is not a known event."})
    event = Event(event)
    subject = " ".join((subject or "").split())[:200]
    if not subject:
        raise ValidationError({"subject": "A notification needs a subject."})
    key = (key or "").strip()
    if len(key) > 200:
        raise ValidationError({"key": "Keep the idempotency key under 200 characters."})
    addresses = _plain_addresses(emails)

    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    actor_email = actor.email.lower() if actor_id else ""
    people = {}
    for user in users:
        if user is not None and user.pk not in people:
            people[user.pk] = user
    user_emails = {user.email.lower() for user in people.values()}
    people = {pk: user for pk, user in people.items() if pk != actor_id and user.is_active}
    addresses = [a for a in addresses if a != actor_email and a not in user_emails]

    # Telling people acts for the organization: it reads each recipient's own choices.
    system = Principal.system(organization)
    choices = {
        row.user_id: (row.in_app, row.email)
        for row in EventPreference.objects.visible_to(system).filter(
            user_id__in=people, event=event
        )
    }
    digest = set(
        NotificationSettings.objects.visible_to(system)
        .filter(user_id__in=people, daily_digest=True)
        .values_list("user_id", flat=True)
    )
    seen_users, seen_addresses = _already_told(system, key)

    now = timezone.now()
    common = {
        "organization": organization,
        "event": event,
        "subject": subject,
        "body": body or "",
        "url": (url or "")[:500],
        "key": key,
        "actor_id": actor_id,
        "created_at": now,
    }
    created: list[Notification] = []
    with transaction.atomic():
        for user in people.values():
            if user.pk in seen_users:
                continue
            in_app, by_email = choices.get(user.pk, (True, True))
            if not (in_app or by_email):
                continue
            state = EmailState.NONE
            if by_email:
                state = EmailState.DIGEST if user.pk in digest else EmailState.PENDING
            row = Notification(user=user, in_app=in_app, email_state=state, **common)
            if _insert(row, key):
                created.append(row)
        for address in addresses:
            if address in seen_addresses:
                continue
            row = Notification(
                email=address, in_app=False, email_state=EmailState.PENDING, **common
            )
            if _insert(row, key):
                created.append(row)
        deliveries = _post_to_webhooks(system, event, subject, body, url, key, now)
        to_email = [row.pk for row in created if row.email_state == EmailState.PENDING]
        if to_email:
            transaction.on_commit(lambda: jobs.enqueue_emails(to_email))
        if deliveries:
            transaction.on_commit(lambda: jobs.enqueue_webhooks(deliveries))
    return created


def _already_told(principal: Principal, key: str) -> tuple[set, set]:
    """Who already had a notification with ``key``: (user ids, plain addresses). Only saves
    work: the unique constraints decide when two workers race past this."""
    users, addresses = set(), set()
    if key:
        for user_id, address in (
            Notification.objects.visible_to(principal)
            .filter(key=key)
            .values_list("user_id", "email")
        ):
            if user_id:
                users.add(user_id)
            else:
                addresses.add(address)
    return users, addresses


def _post_to_webhooks(principal: Principal, event, subject, body, url, key, now) -> list[int]:
    ids = []
    for webhook in Webhook.objects.visible_to(principal).filter(active=True):
        if event not in webhook.events:
            continue
        row = WebhookDelivery(
            organization=principal.organization,
            webhook=webhook,
            event=event,
            key=key,
            payload=delivery.webhook_payload(webhook.format, subject, body, url),
            next_attempt_at=now,
            created_at=now,
        )
        if _insert(row, key):
            ids.append(row.pk)
    return ids


def admins_and(principal: Principal, *user_ids) -> list:
    """The organization's owners and admins, plus those of ``user_ids`` who are still members:
    the usual recipients of reminders about the organization's contracts and documents."""
    wanted = [pk for pk in user_ids if pk]
    condition = Q(role__in=[Role.OWNER, Role.ADMIN])
    if wanted:
        condition |= Q(user_id__in=wanted)
    return [
        membership.user
        for membership in Membership.objects.visible_to(principal)
        .filter(condition)
        .select_related("user")
        .order_by("user_id")
    ]


# --- Preferences ------------------------------------------------------------------------------


def due_soon_hours(principal: Principal, user) -> int:
    """How many hours ahead ``user`` wants to hear that work is due (24 unless they chose)."""
    hours = (
        NotificationSettings.objects.visible_to(principal)
        .filter(user=user)
        .values_list("due_soon_hours", flat=True)
        .first()
    )
    return hours or DEFAULT_DUE_SOON_HOURS


def preferences(principal: Principal) -> dict:
    """Everything the principal's person chose in its organization, defaults filled in: two
    queries."""
    user = principal.user
    settings_row = NotificationSettings.objects.visible_to(principal).filter(
        user=user
    ).first() or NotificationSettings(organization=principal.organization, user=user)
    events = EventPreference.objects.visible_to(principal).filter(user=user)
    chosen = {row.event: row for row in events}
    return {
        "due_soon_hours": settings_row.due_soon_hours,
        "daily_digest": settings_row.daily_digest,
        "events": [
            {
                "event": event.value,
                "label": event.label,
                "in_app": chosen[event].in_app if event in chosen else True,
                "email": chosen[event].email if event in chosen else True,
            }
            for event in Event
        ],
    }


@transaction.atomic
def update_preferences(
    principal: Principal,
    *,
    due_soon_hours: int | None = None,
    daily_digest: bool | None = None,
    events: dict[str, dict] | None = None,
) -> dict:
    """Change some of the principal's person's choices; ``events`` maps an event to
    ``{"in_app": bool, "email": bool}`` (either may be left out). Unknown events are refused,
    nothing changes."""
    organization, user = principal.organization, principal.user
    events = events or {}
    unknown = sorted(set(events) - set(Event.values))
    if unknown:
        raise ValidationError({"events": f"Unknown events: {', '.join(unknown)}."})
    for event, choice in events.items():
        extra = set(choice) - {"in_app", "email"}
        if extra or not all(isinstance(value, bool) for value in choice.values()):
            raise ValidationError(
                {"events": f"For {event}, give in_app and email as true or false."}
            )
    settings_row, _ = NotificationSettings.objects.get_or_create(
        organization=organization, user=user
    )
    if due_soon_hours is not None:
        settings_row.due_soon_hours = due_soon_hours
    if daily_digest is not None:
        settings_row.daily_digest = daily_digest
    settings_row.full_clean(validate_constraints=False)
    settings_row.save()
    for event, choice in events.items():
        row, _ = EventPreference.objects.get_or_create(
            organization=organization, user=user, event=event
        )
        for field, value in choice.items():
            setattr(row, field, value)
        row.save()
    if daily_digest is False:
        # Held e-mails would otherwise wait for a digest that no longer comes.
        held = list(
            Notification.objects.visible_to(principal)
            .filter(user=user, email_state=EmailState.DIGEST)
            .values_list("pk", flat=True)
        )
        if held:
            Notification.objects.filter(pk__in=held).update(email_state=EmailState.PENDING)
            transaction.on_commit(lambda: jobs.enqueue_emails(held))
    return preferences(principal)


# --- Inbox ------------------------------------------------------------------------------------


def unread_count(principal: Principal) -> int:
    return Notification.objects.visible_to(principal).inbox(principal.user).unread().count()


def mark_read(notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_unread(notification: Notification) -> Notification:
    notification.read_at = None
    Notification.objects.filter(pk=notification.pk).update(read_at=None)
    return notification


def mark_all_read(principal: Principal) -> int:
    """Mark everything in the principal's inbox read; how many were unread."""
    return (
        Notification.objects.visible_to(principal)
        .inbox(principal.user)
        .unread()
        .update(read_at=timezone.now())
    )


# --- Webhooks ---------------------------------------------------------------------------------

WEBHOOK_FIELDS = ("name", "url", "format", "events", "active")


def _clean_webhook(webhook: Webhook) -> None:
    webhook.name = " ".join((webhook.name or "").split())
    webhook.url = (webhook.url or "").strip()
    webhook.events = sorted(set(webhook.events or []))
    webhook.full_clean()
    refusal = egress.check_destination(webhook.url)
    if refusal:
        raise ValidationError({"url": refusal})


@transaction.atomic
def create_webhook(principal: Principal, **fields) -> Webhook:
    principal.require_in(principal.organization_id, Role.ADMIN, "Adding a webhook")
    organization, actor = principal.organization, principal.user
    unknown = set(fields) - set(WEBHOOK_FIELDS)
    if unknown:
        raise ValidationError({"body": f"Unknown fields: {', '.join(sorted(unknown))}."})
    webhook = Webhook(organization=organization, created_by=actor, **fields)
    _clean_webhook(webhook)
    webhook.save()
    audit.record(organization, actor, "webhook.created", webhook, f"Added webhook {webhook}")
    return webhook


@transaction.atomic
def update_webhook(principal: Principal, webhook: Webhook, **fields) -> Webhook:
    principal.require_in(webhook.organization_id, Role.ADMIN, "Changing a webhook")
    actor = principal.user
    unknown = set(fields) - set(WEBHOOK_FIELDS)
    if unknown:
        raise ValidationError({"body": f"Unknown fields: {', '.join(sorted(unknown))}."})
    before = {field: getattr(webhook, field) for field in fields}
    for field, value in fields.items():
        setattr(webhook, field, value)
    _clean_webhook(webhook)
    webhook.save()
    changes = audit.diff(before, {field: getattr(webhook, field) for field in fields})
    # The address may hold a secret token: the trail says it changed, not what it is.
    if "url" in changes:
        changes["url"] = ["(hidden)", "(hidden)"]
    if changes:
        audit.record(
            webhook.organization,
            actor,
            "webhook.updated",
            webhook,
            f"Edited webhook {webhook}",
            changes,
        )
    return webhook


@transaction.atomic
def delete_webhook(principal: Principal, webhook: Webhook) -> None:
    principal.require_in(webhook.organization_id, Role.ADMIN, "Removing a webhook")
    actor = principal.user
    audit.record(
        webhook.organization, actor, "webhook.deleted", webhook, f"Removed webhook {webhook}"
    )
    webhook.delete()


def send_test(principal: Principal, webhook: Webhook) -> WebhookDelivery:
    """Post a test message now and return its delivery with the outcome (a few seconds at
    most). A failed test is not retried: the person is looking at the result."""
    principal.require_in(webhook.organization_id, Role.ADMIN, "Testing a webhook")
    actor = principal.user
    now = timezone.now()
    row = WebhookDelivery.objects.create(
        organization=webhook.organization,
        webhook=webhook,
        event="",
        payload=delivery.webhook_payload(
            webhook.format,
            "Test message from Handoff",
            f"{actor} sent this to check the webhook {webhook.name}.",
            webhook.get_absolute_url(),
        ),
        attempts=delivery.WEBHOOK_MAX_ATTEMPTS - 1,
        next_attempt_at=now,
        created_at=now,
    )
    delivery.deliver_webhook(row.pk, now)
    row.refresh_from_db()
    return row


def retry_delivery(principal: Principal, row: WebhookDelivery) -> WebhookDelivery:
    """Attempt a pending or failed delivery now; a sent one is left alone."""
    principal.require_in(row.organization_id, Role.ADMIN, "Retrying a webhook delivery")
    if row.status == DeliveryStatus.SENT:
        raise ValidationError({"status": "This message was already delivered."})
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=row.pk).exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        attempts=min(row.attempts, delivery.WEBHOOK_MAX_ATTEMPTS - 1),
    )
    delivery.deliver_webhook(row.pk, now)
    row.refresh_from_db()
    return row


def relink_restored(restored) -> None:
    """After a backup is restored (``core.backup``): each inbox line's link names the restored
    organization's page and row, not the original's."""
    changed = []
    org_ids = [org.pk for org in restored.organizations]
    # The organizations the restore has just created, and only those.
    for notification in Notification.objects.all_organizations().filter(
        organization_id__in=org_ids
    ):
        url = remap_path(notification.url, restored) if notification.url else ""
        if url != notification.url:
            notification.url = url
            changed.append(notification)
    Notification.objects.bulk_update(changed, ["url"], batch_size=500)
