"""Vet reminders: due-diligence documents (insurance, licences) about to expire, and just
expired.

Registered with the notifications worker from ``ProvidersConfig.ready``. Recipients: the
organization's owners and admins. Keys hold the item, its expiry date and the stage, so a
renewed document (a new expiry date) brings new reminders and an unchanged one none.
"""

import zoneinfo
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils.formats import date_format

from handoff.accounts.models import Organization
from handoff.core.principal import Principal
from handoff.notifications import reminders
from handoff.notifications.events import Event
from handoff.notifications.services import admins_and, notify
from handoff.notifications.sweeps import sweep
from handoff.providers import vetting
from handoff.providers.choices import ProviderStatus
from handoff.providers.models import DueDiligenceItem

# A document that expired longer ago than this is on the "expiring" page, not in the inbox:
# the first run on an old database does not flood anyone.
EXPIRED_REMINDER_DAYS = 7


def _day(value) -> str:
    return date_format(value, "N j, Y")


@sweep(every=timedelta(hours=1), name="providers.document_reminders")
def document_reminders(now: datetime) -> int:
    """Remind about documents expiring within a month, within a week, and just expired."""
    earliest = (now - timedelta(days=EXPIRED_REMINDER_DAYS + 1)).date()
    latest = (now + timedelta(days=reminders.FIRST_REMINDER_DAYS + 1)).date()
    org_ids = (
        DueDiligenceItem.objects.filter(expires_on__range=(earliest, latest))
        .values_list("organization_id", flat=True)
        .distinct()
    )
    sent = 0
    for org in Organization.objects.filter(pk__in=list(org_ids)).order_by("pk"):
        sent += _remind(org, now.astimezone(zoneinfo.ZoneInfo(org.time_zone)).date())
    return sent


def _remind(org, today) -> int:
    items = (
        vetting.expiring(Principal.system(org), days=reminders.FIRST_REMINDER_DAYS, today=today)
        .filter(
            expires_on__gte=today - timedelta(days=EXPIRED_REMINDER_DAYS),
            provider__archived_at__isnull=True,
        )
        .exclude(provider__status=ProviderStatus.FORMER)
    )
    admins = None
    sent = 0
    for item in items:
        left = (item.expires_on - today).days
        if left < 0:
            stage, event_words = "expired", f"expired on {_day(item.expires_on)}"
        else:
            stage = reminders.stage(left)
            event_words = f"expires on {_day(item.expires_on)} ({reminders.days_phrase(left)})"
        if stage is None:
            continue
        if admins is None:
            admins = admins_and(Principal.system(org))
        sent += len(
            notify(
                organization=org,
                event=Event.DOCUMENT_EXPIRING,
                subject=f"{item.provider.name}: {item.title} {event_words}",
                body="Ask the provider for the renewed document and record its new expiry date.",
                url=reverse("providers:detail", args=[org.slug, item.provider_id]),
                users=admins,
                key=reminders.key(f"due_diligence:{item.pk}:expiry", item.expires_on, stage),
            )
        )
    return sent
