"""Engage reminders: an engagement's term ending or renewing, and the last day to give notice.

Registered with the notifications worker from ``EngagementsConfig.ready``. Recipients: the
organization's owners and admins and the engagement's own point person. Each reminder's key
holds the engagement, the date and the stage, so it goes once however often the sweep runs;
a term that rolls forward brings a new date, hence new reminders.
"""

import zoneinfo
from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format

from handoff.accounts.models import Organization
from handoff.core.principal import Principal
from handoff.engagements import selectors
from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import CommunicationPlan, Engagement
from handoff.notifications import reminders
from handoff.notifications.events import Event
from handoff.notifications.services import admins_and, notify
from handoff.notifications.sweeps import sweep

# Drafts have no contract yet, ended ones no dates ahead.
REMINDED_STATUSES = (EngagementStatus.ACTIVE, EngagementStatus.PAUSED)


def _day(value) -> str:
    return date_format(value, "N j, Y")


@sweep(every=timedelta(hours=1), name="engagements.renewal_reminders")
def renewal_reminders(now: datetime) -> int:
    """Remind about each term end and notice deadline a month and a week ahead; returns how
    many notifications went out."""
    org_ids = (
        Engagement.objects.filter(status__in=REMINDED_STATUSES, end_date__isnull=False)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    sent = 0
    for org in Organization.objects.filter(pk__in=list(org_ids)).order_by("pk"):
        sent += _remind(org, now.astimezone(zoneinfo.ZoneInfo(org.time_zone)).date())
    return sent


def _remind(org, today) -> int:
    principal = Principal.system(org)
    renewals = [
        renewal
        for renewal in selectors.renewals_within(principal, reminders.FIRST_REMINDER_DAYS, today)
        if renewal.engagement.status in REMINDED_STATUSES
    ]
    if not renewals:
        return 0
    point_people = dict(
        CommunicationPlan.objects.visible_to(principal)
        .filter(engagement_id__in=[renewal.engagement.pk for renewal in renewals])
        .filter(~Q(our_point_person=None))
        .values_list("engagement_id", "our_point_person_id")
    )
    admins = admins_and(principal)
    members = {user.pk: user for user in admins_and(principal, *point_people.values())}
    sent = 0
    for renewal in renewals:
        engagement = renewal.engagement
        point_person = members.get(point_people.get(engagement.pk))
        recipients = admins + ([point_person] if point_person else [])
        url = reverse("engagements:detail", args=[org.slug, engagement.pk])
        name = f"{engagement.title} ({engagement.provider.name})"
        if selectors.NOTICE_DEADLINE in renewal.events:
            deadline = renewal.notice_deadline
            left = (deadline - today).days
            stage = reminders.stage(left)
            if stage:
                ends = engagement.notice_ends_term_on(today)
                outcome = (
                    f"Without notice it renews for {engagement.renewal_months} months on "
                    f"{_day(ends)}."
                    if engagement.auto_renew
                    else f"The term ends on {_day(ends)}."
                )
                sent += len(
                    notify(
                        organization=org,
                        event=Event.NOTICE_DEADLINE,
                        subject=f"Last day to give notice for {name}: {_day(deadline)} "
                        f"({reminders.days_phrase(left)})",
                        body=f"{outcome} The notice period is {engagement.notice_days} days.",
                        url=url,
                        users=recipients,
                        key=reminders.key(f"engagement:{engagement.pk}:notice", deadline, stage),
                    )
                )
        if selectors.TERM_END in renewal.events:
            term_end = renewal.term_end
            left = (term_end - today).days
            stage = reminders.stage(left)
            if stage:
                what = "renews" if engagement.auto_renew else "ends"
                body = (
                    f"It renews for {engagement.renewal_months} months unless notice was given."
                    if engagement.auto_renew
                    else "Extend it, renew it or plan the exit before then."
                )
                sent += len(
                    notify(
                        organization=org,
                        event=Event.RENEWAL_DUE,
                        subject=f"{name} {what} on {_day(term_end)} "
                        f"({reminders.days_phrase(left)})",
                        body=body,
                        url=url,
                        users=recipients,
                        key=reminders.key(f"engagement:{engagement.pk}:term", term_end, stage),
                    )
                )
    return sent
