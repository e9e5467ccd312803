"""The 1099-NEC deadline reminder, the state new-hire report reminders and the W-9 link
reminders, run by the notifications worker's sweeps.

Registered from ``ComplianceConfig.ready``. In the weeks before the filing deadline for the
previous year's payments (January 31, or the next business day), each organization that has
payees needing a 1099-NEC tells its owners and admins 30, 14 and 3 days ahead; once a past
year's deadline has passed with its forms not marked filed, they are told once that it is past
due. A year marked filed (``Filing1099``) gets no reminder. The key holds the tax year and the
stage, so each reminder goes once however often the sweep runs, and an organization first seen
10 days ahead gets only the 14-day one.
"""

import zoneinfo
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils.formats import date_format

from handoff.accounts.models import Organization
from handoff.compliance import onboarding, selectors, state_reports, statements
from handoff.core.principal import Principal
from handoff.notifications.events import Event
from handoff.notifications.services import admins_and, notify
from handoff.notifications.sweeps import sweep
from handoff.payables.models import Payment

STAGES = (30, 14, 3)  # days before the deadline, earliest first


def stage(days_left: int) -> int | None:
    """The reminder due ``days_left`` days before the deadline: the nearest stage not before
    it (10 days left → the 14-day reminder); None outside the window or after the deadline."""
    if days_left < 0:
        return None
    due = [s for s in STAGES if days_left <= s]
    return min(due) if due else None


@sweep(every=timedelta(hours=6), name="compliance.nec_deadline_reminders")
def nec_deadline_reminders(now: datetime) -> int:
    """Remind owners and admins of each organization with 1099-NEC forms to file; returns how
    many notifications went out."""
    sent = 0
    candidates = Payment.objects.values_list("organization_id", flat=True).distinct()
    for org in Organization.objects.filter(pk__in=list(candidates)).order_by("pk"):
        today = now.astimezone(zoneinfo.ZoneInfo(org.time_zone)).date()
        sent += remind(org, today)
    return sent


def remind(org, today: date) -> int:
    """The reminders due today: before the deadline for last year's forms (30, 14 and 3 days
    ahead), and once for each past year whose deadline has passed with forms needed and not
    marked filed. A year marked filed gets none."""
    status = selectors.filing_status(Principal.system(org), today)
    sent = 0
    for unfiled in status.unfiled:
        if unfiled.past_due:
            sent += _overdue(org, unfiled)
        else:
            sent += _ahead(org, unfiled, today)
    return sent


def _missing_sentence(report) -> str:
    missing = len(report.missing_w9)
    if not missing:
        return ""
    return f" {missing} of them ha{'ve' if missing != 1 else 's'} no W-9 on file: ask for it now."


def _ahead(org, unfiled, today: date) -> int:
    report = unfiled.report
    deadline = report.deadline
    days_left = (deadline - today).days
    current = stage(days_left)
    if current is None:
        return 0
    needing = report.needing_forms
    body = (
        f"{len(needing)} payee{'s' if len(needing) != 1 else ''} need a 1099-NEC for "
        f"payments made in {report.year} (threshold ${report.threshold.amount:,.0f}). The forms "
        f"go to the IRS and to each recipient by {date_format(deadline, 'l, N j, Y')}; there is "
        "no automatic extension." + _missing_sentence(report)
    )
    left = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
    return len(
        notify(
            organization=org,
            event=Event.FILING_1099_DUE,
            subject=f"1099-NEC forms for {report.year} are due {left}",
            body=body,
            url=reverse("compliance:nec", args=[org.slug, report.year]),
            users=admins_and(Principal.system(org)),
            key=f"nec:{report.year}:{current}",
        )
    )


def _overdue(org, unfiled) -> int:
    report = unfiled.report
    body = (
        f"{unfiled.sentence} and {'are' if unfiled.forms != 1 else 'is'} not marked filed. "
        "File them now (the penalty grows the later they are filed), then mark the year filed "
        "on its 1099-NEC page." + _missing_sentence(report)
    )
    return len(
        notify(
            organization=org,
            event=Event.FILING_1099_DUE,
            subject=f"1099-NEC forms for {report.year} are past due",
            body=body,
            url=reverse("compliance:nec", args=[org.slug, report.year]),
            users=admins_and(Principal.system(org)),
            key=f"nec:{report.year}:overdue",
        )
    )


# --- State new-hire reports of contractors -----------------------------------------------------
@sweep(every=timedelta(hours=6), name="compliance.state_report_reminders")
def state_report_reminders(now: datetime) -> int:
    """Tell owners and admins of each contractor a state wants reported: once when
    the contractor becomes reportable, once more if the deadline passes unreported."""
    sent = 0
    for org in Organization.objects.exclude(states=[]).order_by("pk"):
        today = now.astimezone(zoneinfo.ZoneInfo(org.time_zone)).date()
        sent += remind_state_reports(org, today)
    return sent


def remind_state_reports(org, today: date) -> int:
    principal = Principal.system(org)
    sent = 0
    for row in state_reports.dues(principal, today.year):
        if row.filed:
            continue
        overdue = row.overdue(today)
        state, name = row.rule.state, row.provider.name
        deadline = (
            f"by {date_format(row.due_on, 'l, N j, Y')}" if row.due_on else "promptly (no deadline)"
        )
        body = (
            f"{state} wants contractors like {name} reported to its new-hire registry "
            f"({row.rule.how}). {name} became reportable on "
            f"{date_format(row.reportable_on, 'N j, Y')}: report {deadline}, then mark it "
            "reported in Handoff."
        )
        sent += len(
            notify(
                organization=org,
                event=Event.STATE_REPORT_DUE,
                subject=(
                    f"Report {name} to {state}: "
                    + ("past due" if overdue else f"due {deadline.removeprefix('by ')}")
                ),
                body=body,
                url=f"{reverse('compliance:state_reports', args=[org.slug])}?year={today.year}",
                users=admins_and(principal),
                key=f"state_report:{row.provider.pk}:{state}:{today.year}:"
                + ("overdue" if overdue else "due"),
            )
        )
    return sent


# --- W-9 links ---------------------------------------------------------------------------------
@sweep(every=timedelta(hours=6), name="compliance.w9_link_reminders")
def w9_link_reminders(now: datetime) -> int:
    """Mail each contractor whose W-9 link is unsigned ``REMIND_AFTER_DAYS`` after it was
    sent a reminder, once."""
    return sum(onboarding.remind(link) for link in onboarding.to_remind(now))


# --- Recipient copies (Copy B) -----------------------------------------------------------------
@sweep(every=timedelta(hours=6), name="compliance.recipient_copy_reminders")
def recipient_copy_reminders(now: datetime) -> int:
    """In January, before the day recipient copies of last year's 1099-NEC are due (January
    31, or the next business day: Instructions for Forms 1099-MISC and 1099-NEC, "Statements to
    recipients"; IRC §6041(d), §7503), tell owners and admins how many copies are not furnished
    yet, at the same stages as the filing reminder (30, 14 and 3 days ahead), once each."""
    sent = 0
    # A sweep over every organization that paid anyone: each is then read as itself.
    candidates = Payment.objects.all_organizations().values_list("organization_id", flat=True)
    for org in Organization.objects.filter(pk__in=list(candidates.distinct())).order_by("pk"):
        today = now.astimezone(zoneinfo.ZoneInfo(org.time_zone)).date()
        sent += remind_copies(org, today)
    return sent


def remind_copies(org, today: date) -> int:
    year = today.year - 1
    deadline = selectors.filing_deadline(year)
    days_left = (deadline - today).days
    current = stage(days_left)
    if current is None:
        return 0
    principal = Principal.system(org)
    left = statements.unfurnished(principal, year)
    if not left:
        return 0
    when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
    body = (
        f"{left} recipient cop{'y' if left == 1 else 'ies'} (Copy B) of the {year} 1099-NEC "
        f"{'is' if left == 1 else 'are'} not furnished yet. They are due to the payees by "
        f"{date_format(deadline, 'l, N j, Y')}: post them in the portal to payees who consented "
        "to electronic statements, and print and mail the others."
    )
    return len(
        notify(
            organization=org,
            event=Event.RECIPIENT_COPIES_DUE,
            subject=f"Recipient copies of the {year} 1099-NEC are due {when}",
            body=body,
            url=reverse("compliance:statements", args=[org.slug, year]),
            users=admins_and(principal),
            key=f"nec-copies:{year}:{current}",
        )
    )
