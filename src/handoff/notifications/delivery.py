"""Sending: one notification's e-mail, one person's daily digest, one webhook post.

Each step first *claims* its row with a conditional UPDATE (only one worker wins), then talks to
the outside world, then records the outcome. Running a job twice, or on two workers, sends once.
A worker that dies between the claim and the outcome leaves the row claimed; a sweep hands it
back after a while (for e-mail) or the next attempt time comes round (for webhooks).
"""

import json
import logging
import urllib.error
import urllib.request
import zoneinfo
from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from handoff.core.links import absolute_url
from handoff.core.principal import Principal
from handoff.notifications import egress
from handoff.notifications.models import (
    DeliveryStatus,
    EmailState,
    Notification,
    NotificationSettings,
    WebhookDelivery,
    WebhookFormat,
)

logger = logging.getLogger(__name__)

EMAIL_MAX_ATTEMPTS = 5
# After a failed post the next attempt waits this long; after the last, the delivery has failed.
WEBHOOK_BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
WEBHOOK_MAX_ATTEMPTS = len(WEBHOOK_BACKOFF) + 1
WEBHOOK_TIMEOUT_SECONDS = 5
# A delivery claimed for its last attempt is retried this late if the worker died mid-post.
WEBHOOK_LAST_LEASE = timedelta(minutes=30)


# --- E-mail -----------------------------------------------------------------------------------


def preferences_url(org) -> str:
    return absolute_url("notifications:preferences", org.slug)


def send_notification_email(notification_id: int) -> bool:
    """Send one notification's e-mail unless it is sent, held or claimed; True if sent now."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, email_state=EmailState.PENDING
    ).update(
        email_state=EmailState.SENDING,
        email_claimed_at=now,
        email_attempts=F("email_attempts") + 1,
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("organization", "user").get(
        pk=notification_id
    )
    org = notification.organization
    address = notification.user.email if notification.user_id else notification.email
    try:
        send_mail(
            subject=f"[{org.name}] {notification.subject}",
            message=render_to_string(
                "notifications/email/notification.txt",
                {
                    "notification": notification,
                    "org": org,
                    "link": notification.absolute_url,
                    "preferences_url": preferences_url(org) if notification.user_id else "",
                },
            ),
            from_email=None,
            recipient_list=[address],
        )
    except Exception as error:  # any transport error: keep it, retry later
        logger.warning("E-mail of notification %s failed: %s", notification_id, error)
        Notification.objects.filter(pk=notification_id, email_state=EmailState.SENDING).update(
            email_state=(
                EmailState.FAILED
                if notification.email_attempts >= EMAIL_MAX_ATTEMPTS
                else EmailState.PENDING
            ),
            email_error=str(error)[:300],
        )
        return False
    Notification.objects.filter(pk=notification_id, email_state=EmailState.SENDING).update(
        email_state=EmailState.SENT, emailed_at=timezone.now(), email_error=""
    )
    return True


def send_digest(settings_row: NotificationSettings, today) -> int:
    """One e-mail with everything held for this person's digest; returns how many it listed.

    Claims the day on the settings row first, so the digest goes once a day at most.
    """
    claimed = (
        NotificationSettings.objects.filter(pk=settings_row.pk)
        .exclude(last_digest_on__gte=today)
        .update(last_digest_on=today)
    )
    if not claimed:
        return 0
    held = list(
        # The digest is sent for the organization, to the person the settings row is theirs.
        Notification.objects.visible_to(Principal.system(settings_row.organization))
        .filter(user_id=settings_row.user_id, email_state=EmailState.DIGEST)
        .order_by("created_at", "id")
    )
    if not held:
        return 0
    org = settings_row.organization
    user = settings_row.user
    with timezone.override(zoneinfo.ZoneInfo(org.time_zone)):
        text = render_to_string(
            "notifications/email/digest.txt",
            {
                "notifications": held,
                "org": org,
                "user": user,
                "inbox_url": absolute_url("notifications:inbox", org.slug),
                "preferences_url": preferences_url(org),
            },
        )
    try:
        send_mail(
            subject=f"[{org.name}] Your daily summary: {len(held)} notification"
            + ("" if len(held) == 1 else "s"),
            message=text,
            from_email=None,
            recipient_list=[user.email],
        )
    except Exception as error:  # give the day back: the next sweep tries again
        logger.warning("Digest for %s failed: %s", user.email, error)
        NotificationSettings.objects.filter(pk=settings_row.pk).update(
            last_digest_on=settings_row.last_digest_on
        )
        return 0
    Notification.objects.filter(pk__in=[n.pk for n in held]).update(
        email_state=EmailState.SENT, emailed_at=timezone.now(), email_attempts=1
    )
    return len(held)


# --- Webhooks ---------------------------------------------------------------------------------


def webhook_text(webhook_format: str, subject: str, body: str = "", url: str = "") -> str:
    """Chat-ready text: the subject in bold, the body, a link back into Handoff."""
    link = absolute_url(url)
    if webhook_format == WebhookFormat.SLACK:
        # Slack's mrkdwn: *bold*, <url|label>; &, < and > must be escaped in the text.
        def esc(text):
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        lines = [f"*{esc(subject)}*"]
        if body:
            lines.append(esc(body))
        if link:
            lines.append(f"<{link}|Open in Handoff>")
        return "\n".join(lines)
    # Teams renders a subset of Markdown in an incoming webhook's text.
    parts = [f"**{subject}**"]
    if body:
        parts.append(body)
    if link:
        parts.append(f"[Open in Handoff]({link})")
    return "\n\n".join(parts)


def webhook_payload(webhook_format: str, subject: str, body: str = "", url: str = "") -> dict:
    """Both Slack and Teams incoming webhooks accept ``{"text": ...}``."""
    return {"text": webhook_text(webhook_format, subject, body, url)}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook answers where it was configured; a redirect elsewhere (perhaps to an
    internal address) is reported as an error instead of followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(
    _NoRedirects, egress.CheckedHTTPHandler, egress.CheckedHTTPSHandler
)


def post_json(url: str, payload: dict, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> int:
    """POST ``payload`` as JSON; the HTTP status, or an exception saying why it failed.
    Tests replace this function; they never reach the network."""
    request = urllib.request.Request(  # noqa: S310 - the URL and its addresses are checked
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "Handoff webhook"},
        method="POST",
    )
    with _opener.open(request, timeout=timeout) as response:
        return response.status


def _describe(error: Exception) -> tuple[str, int | None]:
    if isinstance(error, urllib.error.HTTPError):
        return f"The server answered {error.code} {error.reason}.", error.code
    if isinstance(error, urllib.error.URLError):
        return f"Could not connect: {error.reason}.", None
    if isinstance(error, TimeoutError):
        return f"No answer within {WEBHOOK_TIMEOUT_SECONDS} seconds.", None
    return f"{type(error).__name__}: {error}", None


def deliver_webhook(delivery_id: int, now: datetime | None = None) -> bool:
    """Make the next attempt of one delivery if it is due; True when the post succeeded."""
    now = now or timezone.now()
    row = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .values("attempts", "status", "next_attempt_at")
        .first()
    )
    if row is None or row["status"] != DeliveryStatus.PENDING:
        return False
    if row["next_attempt_at"] is not None and row["next_attempt_at"] > now:
        return False
    attempt = row["attempts"] + 1
    lease = WEBHOOK_BACKOFF[attempt - 1] if attempt <= len(WEBHOOK_BACKOFF) else WEBHOOK_LAST_LEASE
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, attempts=row["attempts"]
    ).update(attempts=attempt, next_attempt_at=now + lease)
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    try:
        status = post_json(delivery.webhook.url, delivery.payload)
    except Exception as error:  # whatever went wrong is shown on the webhook's page
        message, status = _describe(error)
        final = attempt >= WEBHOOK_MAX_ATTEMPTS
        WebhookDelivery.objects.filter(pk=delivery_id, attempts=attempt).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            last_error=message[:500],
            response_status=status,
            next_attempt_at=None if final else now + lease,
        )
        return False
    WebhookDelivery.objects.filter(pk=delivery_id, attempts=attempt).update(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        response_status=status,
        last_error="",
        next_attempt_at=None,
    )
    return True
