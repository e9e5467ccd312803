"""Sending a provider's quarterly business review by e-mail.

A manager picks recipients among the organization's active members and may add a short
message; ``request_review_email`` checks them and, after the transaction commits, enqueues one
``send_review_email`` job with ids and strings only. The job builds the review with the same
code as the page (``reports.provider_review``), and sends one ``EmailMultiAlternatives``: a
plain-text body, an HTML alternative with the scorecard table and the page's SVG charts inline,
and the PDF attached (many mail programs do not draw inline SVG; the PDF carries the charts).

Idempotent: the send's key is a hash of everything that picks it (organization, provider,
period, recipients, sender, message and the minute it was asked for), so a job run twice, or a
form submitted twice in the same minute, sends once. The key is claimed by writing the
``report.emailed`` audit line before the e-mail leaves, with the provider's row locked so two
workers take turns; a failed send removes its claim so that a retry can send.
"""

import hashlib
import html
import logging
import zoneinfo
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django_tasks import task

from handoff.accounts.models import Organization
from handoff.core import audit
from handoff.core.links import absolute_url
from handoff.core.models import AuditEvent
from handoff.core.principal import Principal
from handoff.engagements.models import CommunicationPlan
from handoff.insights import reports, scorecards
from handoff.providers.models import Provider

logger = logging.getLogger(__name__)

ACTION = "report.emailed"
MESSAGE_MAX = 2000
RECIPIENTS_MAX = 50


# --- Who may receive it -----------------------------------------------------------------------
def members(org):
    """The organization's active members, by name: the only people a review is sent to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__organization=org)
        .exclude(email="")
        .order_by("name", "pk")
    )


def default_recipient_ids(principal, provider, sender) -> list[int]:
    """Our point person on each of the provider's engagements, and the sender."""
    ids = set(
        CommunicationPlan.objects.visible_to(principal)
        .filter(engagement__provider=provider, our_point_person__isnull=False)
        .values_list("our_point_person_id", flat=True)
    )
    ids.add(sender.pk)
    return list(members(principal.organization).filter(pk__in=ids).values_list("pk", flat=True))


class ReviewEmailForm(forms.Form):
    recipients = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one recipient."},
    )
    message = forms.CharField(
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Optional; up to {MESSAGE_MAX:,} characters, above the figures.",
    )

    def __init__(self, org, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["recipients"]
        field.queryset = members(org)
        field.label_from_instance = lambda user: f"{user.name or user.email} <{user.email}>"


# --- Asking for a send ------------------------------------------------------------------------
def _clean(org, recipient_ids, message: str) -> tuple[list[int], str]:
    errors = {}
    ids = sorted({int(pk) for pk in recipient_ids or ()})
    if not ids:
        errors["recipients"] = "Choose at least one recipient."
    elif len(ids) > RECIPIENTS_MAX:
        errors["recipients"] = f"Send to at most {RECIPIENTS_MAX} people at once."
    else:
        known = set(members(org).filter(pk__in=ids).values_list("pk", flat=True))
        strangers = [pk for pk in ids if pk not in known]
        if strangers:
            listed = ", ".join(str(pk) for pk in strangers)
            errors["recipients"] = f"Not an active member of this organization: {listed}."
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        errors["message"] = f"Keep the message to {MESSAGE_MAX:,} characters."
    if errors:
        raise ValidationError(errors)
    return ids, message


def request_review_email(
    org, provider, period: scorecards.Period, *, sender, recipient_ids, message: str = "", now=None
) -> list[int]:
    """Check the recipients (active members of ``org``, at least one) and the message, then
    enqueue the send after the transaction commits. Returns the recipients' ids. Raises
    ``ValidationError`` keyed ``recipients`` or ``message``; nothing is enqueued then."""
    if provider.organization_id != org.pk:
        raise ValidationError({"provider": "Not a provider of this organization."})
    ids, message = _clean(org, recipient_ids, message)
    requested_at = (now or timezone.now()).replace(second=0, microsecond=0).isoformat()
    arguments = {
        "org_id": org.pk,
        "provider_id": provider.pk,
        "period_kind": period.kind,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "recipient_ids": ids,
        "sender_id": sender.pk,
        "message": message,
        "requested_at": requested_at,
    }
    transaction.on_commit(lambda: send_review_email.enqueue(**arguments))
    return ids


# --- The job ----------------------------------------------------------------------------------
def send_key(
    org_id, provider_id, kind, start, end, recipient_ids, sender_id, message, requested_at
) -> str:
    parts = [
        org_id, provider_id, kind, start, end, ",".join(str(pk) for pk in sorted(recipient_ids)),
        sender_id, requested_at, hashlib.sha256(message.encode()).hexdigest(),
    ]  # fmt: skip
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


@task()
def send_review_email(
    org_id: int,
    provider_id: int,
    period_kind: str,
    period_start: str,
    period_end: str,
    recipient_ids: list[int],
    sender_id: int,
    message: str,
    requested_at: str,
) -> int:
    """Send the review once per key; how many people it went to (0: already sent, or no one
    left to send it to)."""
    key = send_key(
        org_id, provider_id, period_kind, period_start, period_end, recipient_ids, sender_id,
        message, requested_at,
    )  # fmt: skip
    return send_review(
        org_id,
        provider_id,
        _period(period_kind, date.fromisoformat(period_start), date.fromisoformat(period_end)),
        recipient_ids,
        sender_id,
        message,
        key,
    )


def _period(kind: str, start: date, end: date) -> scorecards.Period:
    if kind == scorecards.CUSTOM:
        return scorecards.custom(start, end)
    return scorecards.period_of(kind, start)


def send_review(org_id, provider_id, period, recipient_ids, sender_id, message, key) -> int:
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:  # deleted since it was asked for
        return 0
    principal = Principal.system(
        org
    )  # the job sends what the member asked for, as its organization
    provider = Provider.objects.visible_to(principal).filter(pk=provider_id).first()
    if provider is None:
        return 0
    people = list(members(org).filter(pk__in=recipient_ids))  # members now, not only then
    sender = get_user_model().objects.filter(pk=sender_id).first()
    if not people or _sent(principal, provider, key).exists():  # spare the PDF of a repeat
        return 0
    with timezone.override(zoneinfo.ZoneInfo(org.time_zone)):
        review = reports.provider_review(principal, provider, period)
        email = review_email(review, people, sender, message)
        claim = _claim(review, sender, people, key)
        if claim is None:
            return 0
        try:
            email.send()
        except Exception:
            claim.delete()  # let a retry send it
            raise
    return len(people)


def _sent(principal, provider, key):
    return AuditEvent.objects.visible_to(principal).filter(
        action=ACTION,
        object_type=Provider._meta.model_name,
        object_id=str(provider.pk),
        changes__key=key,
    )


def _claim(review, sender, people, key) -> AuditEvent | None:
    """Write the audit line that marks ``key`` sent, unless it is there already."""
    org, provider = review.org, review.provider
    with transaction.atomic():
        # Two workers with the same key take turns here (a no-op on SQLite, whose writes
        # are serialized anyway).
        Provider.objects.select_for_update().filter(pk=provider.pk).first()
        if _sent(Principal.system(org), provider, key).exists():
            return None
        return audit.record(
            org,
            sender,
            ACTION,
            provider,
            f"Emailed the {review.period.label} review of {provider.name} to {len(people)} "
            f"{'person' if len(people) == 1 else 'people'}",
            {
                "key": key,
                "period": [review.period.start.isoformat(), review.period.end.isoformat()],
                "recipients": [person.pk for person in people],
            },
        )


# --- The e-mail -------------------------------------------------------------------------------
def review_url(review) -> str:
    path = reverse("insights:provider_review", args=[review.org.slug, review.provider.pk])
    return absolute_url(f"{path}?{urlencode(review.period.params())}")


def attachment_name(review) -> str:
    return f"review-{slugify(review.provider.name)}-{slugify(review.period.label)}.pdf"


def _value(figure, org) -> str:
    """A figure as the page shows it, without the markup."""
    markup = render_to_string("insights/report_figure.html", {"figure": figure, "org": org})
    return html.unescape(strip_tags(markup)).strip()


def review_email(review, people, sender, message: str = "") -> EmailMultiAlternatives:
    org, provider, card = review.org, review.provider, review.scorecard
    rows = [
        (figure.label, _value(figure, org), figure.count)
        for figure in [card.overall, *review.figures]
    ]
    context = {
        "review": review,
        "org": org,
        "provider": provider,
        "period": review.period,
        "card": card,
        "rows": rows,
        "sender": sender,
        "sender_name": (sender.name or sender.email) if sender else "",
        "message": message,
        "link": review_url(review),
        "attachment": attachment_name(review),
        **reports.review_charts(review),
    }
    email = EmailMultiAlternatives(
        subject=f"[{org.name}] Business review: {provider.name}, {review.period.label}",
        body=render_to_string("insights/review_email.txt", context),
        to=[person.email for person in people],
        reply_to=[sender.email] if sender and sender.email else None,
    )
    email.attach_alternative(render_to_string("insights/review_email.html", context), "text/html")
    email.attach(attachment_name(review), reports.review_pdf(review), "application/pdf")
    return email
