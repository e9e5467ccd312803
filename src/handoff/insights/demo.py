"""Evaluate's part of the demo: relationship check-ins for the active providers.

Past quarters are written as the rows the service would have left (rounds, answered check-ins)
with past times, so the trend has something to show: Ledgerline improving, with Priya Raman's
own view of working with us beside ours; ClearClaim good in its first quarter, then dipping
after its escalations this quarter. One check-in this quarter waits for Maria, the demo's
owner, in her inbox, sent through the service like a real one.
"""

import secrets
import zoneinfo
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from handoff.accounts.models import User
from handoff.accounts.principal import for_session
from handoff.core.backdating import backdated
from handoff.core.principal import Principal
from handoff.engagements.models import Engagement
from handoff.insights import checkins
from handoff.insights.models import CheckIn, CheckInRound
from handoff.providers.models import Contact

# Answers per quarter, oldest first: (comfortable, clear, responsive, recommend, note).
LEDGERLINE = {
    "oscar": [
        (4, 3, 3, 4, "The first close took a lot of back-and-forth about our chart of accounts."),
        (4, 4, 4, 4, "The returned close package was fixed within a day."),
        (5, 4, 5, 5, "Closes arrive early now; Priya flags questions before they hold us up."),
    ],
    "maria": [
        (4, 4, 3, 4, ""),
        (4, 4, 4, 4, ""),
        (5, 5, 4, 5, "The payroll add-on has been seamless."),
    ],
    "priya": [
        (3, 3, 4, 4, "Receipts often came after Friday; a shared folder would help."),
        (4, 4, 4, 4, ""),
        (4, 5, 5, 5, "The new Friday upload routine works well for us."),
    ],
}
CLEARCLAIM_LAST = {
    "oscar": (5, 4, 4, 5, "Claims went out the next day, every day of the pilot."),
    "maria": (4, 4, 4, 4, ""),
}
CLEARCLAIM_NOW = (
    3,
    2,
    2,
    3,
    "The wrong provider number cost us 23 rejected claims and we had to escalate before "
    "anyone answered. Replies have been slower since.",
)


def load_demo(org, owner) -> None:
    system = Principal.system(org)  # the demo writes the organization's history as itself
    zone = zoneinfo.ZoneInfo(org.time_zone)
    today = checkins.local_today(org)
    oscar = User.objects.get(email="oscar@maplestreetdental.example")
    priya = Contact.objects.visible_to(system).get(name="Priya Raman")
    books = (
        Engagement.objects.visible_to(system)
        .select_related("provider")
        .get(title="Monthly bookkeeping and close")
    )
    billing = (
        Engagement.objects.visible_to(system)
        .select_related("provider")
        .get(title="Insurance claims billing")
    )

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=zone)

    # The demo asks the providers too, so Ledgerline's own view shows beside ours (set a few
    # weeks into the bookkeeping engagement, before its first quarter's check-in).
    with backdated(org, at(books.start_date + timedelta(days=20), 10)):
        checkins.update_settings(for_session(owner, org.slug), ask_provider=True)

    def quarters_since(start: date, most: int) -> list[tuple[date, date]]:
        """The whole quarters before this one that the engagement was under way in."""
        found, day = [], today
        for _ in range(most):
            period = checkins.previous_period(day, 3)
            if period[1] < start:
                break
            found.append(period)
            day = period[0]
        return list(reversed(found))

    def answered_round(provider, period, answers):
        """A round sent the first working morning after ``period``; answers over a week."""
        sent = at(period[1] + timedelta(days=1), 9)
        round_ = CheckInRound.objects.create(
            organization=org,
            provider=provider,
            period_start=period[0],
            period_end=period[1],
            created_at=sent,
        )
        for index, (who, values) in enumerate(answers):
            comfortable, clear, responsive, recommend, note = values
            CheckIn.objects.create(
                organization=org,
                round=round_,
                provider=provider,
                respondent=who if isinstance(who, User) else None,
                contact=who if isinstance(who, Contact) else None,
                token_hash=CheckIn.hash(secrets.token_urlsafe(32)),
                sent_at=sent,
                expires_at=sent + timedelta(days=checkins.VALID_DAYS),
                answered_at=min(sent + timedelta(days=1 + index * 2, hours=index), _now()),
                comfortable=comfortable,
                clear=clear,
                responsive=responsive,
                recommend=recommend,
                note=note,
            )
        return round_

    people = {"oscar": oscar, "maria": owner, "priya": priya}
    quarters = quarters_since(books.start_date, 3)
    for index, period in enumerate(quarters):
        answers = [
            (people[name], rows[-len(quarters) :][index]) for name, rows in LEDGERLINE.items()
        ]
        answered_round(books.provider, period, answers)
    for period in quarters_since(billing.start_date, 1):
        answered_round(
            billing.provider,
            period,
            [(people[name], values) for name, values in CLEARCLAIM_LAST.items()],
        )

    # This quarter, after the escalation: Oscar started a check-in about ClearClaim; he has
    # answered, Maria has not yet (her link is in her inbox, and under "My check-ins").
    start, _ = checkins.period_containing(today, 3)
    sent = _now() - timedelta(days=2)
    current = checkins.start_round(
        for_session(oscar, org.slug),
        billing.provider,
        period_start=start,
        period_end=today,
        now=sent,
    )
    mine = current.checkins.filter(respondent=oscar).first()
    if mine is not None:
        checkins.answer(
            for_session(oscar, org.slug),
            mine,
            data=dict(zip([*CheckIn.QUESTIONS, "note"], CLEARCLAIM_NOW, strict=True)),
            now=sent + relativedelta(hours=20),
        )


def _now() -> datetime:
    return timezone.now()
