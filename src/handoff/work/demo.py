"""Run's part of the demo: months of task history with its late deliveries, returns, ratings
and escalated issues, the recurring schedules behind it, open work due around today, and a
portal login for the bookkeeping firm's account manager.

History is written as the rows the services would have left (tasks, their moves, issue events)
with past times, so scorecards have something to show; everything from today on goes through
the services, as a user's clicks would.
"""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from handoff.accounts.models import PortalAccess, User
from handoff.accounts.portal import portal_user_for
from handoff.accounts.principal import for_session
from handoff.core.backdating import backdated
from handoff.core.principal import Principal
from handoff.engagements.calendar import previous_business_day
from handoff.engagements.models import Engagement
from handoff.engagements.services import holiday_dates
from handoff.providers.models import Contact
from handoff.work import hooks, issues
from handoff.work import services as work
from handoff.work.choices import IssueStatus, Priority, Recurrence, Side, TaskStatus
from handoff.work.models import Issue, IssueEvent, Schedule, Task, TaskMove

PORTAL_EMAIL = "priya@ledgerline.example"
PORTAL_PASSWORD = "handoff-demo"  # noqa: S105 - printed on purpose; the demo is local

S = TaskStatus
PROVIDER_MOVES = {S.ACKNOWLEDGED, S.IN_PROGRESS, S.DELIVERED}


def load_demo(org, owner) -> None:
    system = Principal.system(org)  # the demo writes the organization's history as itself
    tz = ZoneInfo(org.time_zone)
    oscar = User.objects.get(email="oscar@maplestreetdental.example")
    books = Engagement.objects.visible_to(system).get(title="Monthly bookkeeping and close")
    billing = Engagement.objects.visible_to(system).get(title="Insurance claims billing")
    priya = Contact.objects.visible_to(system).get(name="Priya Raman")
    tom = Contact.objects.visible_to(system).get(name="Tom Okafor")
    marco = Contact.objects.visible_to(system).get(name="Marco Silva")
    rng = random.Random(7)  # the same history on every machine
    today = timezone.localdate(timezone=tz)
    holidays = holiday_dates(system)

    def at(day, hour, minute=0):
        return datetime.combine(day, time(hour, minute), tzinfo=tz)

    def history(
        engagement, *, title, kind, created, due, steps, ours, theirs, schedule=None, **extra
    ):
        """A task sent at ``created`` and its moves: ``steps`` are (status, when, note) after
        'requested'."""
        task = Task.objects.create(
            organization=org,
            engagement=engagement,
            title=title,
            kind=kind,
            due_at=due,
            our_assignee=ours,
            their_assignee=theirs,
            requested_by=ours,
            schedule=schedule,
            occurrence=due.date() if schedule else None,
            created_at=created,
            # What create_task keeps: the service level's promise from when it was sent.
            turnaround_due_at=work.suggest_due(system, engagement, kind, created),
            **extra,
        )
        TaskMove.objects.create(
            organization=org, task=task, to_status=S.REQUESTED, actor=ours, side=Side.US, at=created
        )
        before = S.REQUESTED
        for status, when, note in steps:
            side = (
                Side.PROVIDER if status in (S.ACKNOWLEDGED, S.IN_PROGRESS, S.DELIVERED) else Side.US
            )
            TaskMove.objects.create(
                organization=org,
                task=task,
                from_status=before,
                to_status=status,
                actor=ours if side == Side.US else None,
                side=side,
                note=note,
                at=when,
            )
            before = status
            if status == S.ACKNOWLEDGED:
                task.acknowledged_at = when
            elif status == S.DELIVERED:
                task.delivered_at = when
                task.first_delivered_at = task.first_delivered_at or when
            elif status == S.RETURNED:
                task.returns += 1
            elif status in (S.ACCEPTED, S.CANCELLED):
                task.closed_at = when
        task.status = before
        with backdated(org, steps[-1][1] if steps else created):  # its last change
            task.save()
        hooks.task_changed(task)
        return task

    def comment(task, actor, body, when):
        """A comment posted by ``actor`` (a member, or the firm's portal login) at ``when``
        through the service; the task keeps its last change as its updated time."""
        with backdated(org, when):
            work.add_comment(for_session(actor, org.slug), task, body=body)
        last = task.moves.order_by("-at").values_list("at", flat=True).first()
        Task.objects.visible_to(system).filter(pk=task.pk).update(updated_at=max(when, last))

    def delivered_path(created, due, *, late_hours=0, returned=False, note=""):
        """The moves of a task sent at ``created`` and delivered ``late_hours`` after (or
        before, if negative) its due time, perhaps returned once, then accepted."""
        delivered = due + timedelta(hours=late_hours)
        acknowledged = created + timedelta(hours=2)
        start = max(acknowledged + timedelta(hours=1), delivered - timedelta(days=2))
        steps = [
            (S.ACKNOWLEDGED, acknowledged, ""),
            (S.IN_PROGRESS, start, ""),
            (S.DELIVERED, delivered, ""),
        ]
        if returned:
            steps += [
                (S.RETURNED, delivered + timedelta(hours=5), "The card statement is missing."),
                (S.IN_PROGRESS, delivered + timedelta(hours=20), ""),
                (S.DELIVERED, delivered + timedelta(hours=30), "Added the card statement."),
            ]
        steps.append((S.ACCEPTED, steps[-1][1] + timedelta(hours=6), note))
        return steps

    # The monthly close: due by the 10th at 5 pm, six months of history.
    starts_on = today - relativedelta(months=6, day=1)
    # Priya's portal login came first, so the firm could take the work there.
    priya_login = _portal_login(org, owner, priya, at(starts_on - timedelta(days=9), 11))
    # Who acts below, as the pages would resolve them: Oscar for us, Priya for the firm.
    as_oscar, as_priya = for_session(oscar, org.slug), for_session(priya_login, org.slug)
    close = Schedule.objects.create(
        organization=org,
        engagement=books,
        title="Monthly close package",
        details="P&L, balance sheet, bank and card reconciliations for last month.",
        kind="Monthly close",
        rule=Recurrence.MONTHLY_DAY,
        day_of_month=10,
        due_time=time(17),
        lead_days=10,
        starts_on=starts_on,
        created_by=owner,
        created_at=at(starts_on - timedelta(days=6), 14),
    )
    lateness = [-20, -4, 30, -26, 2, -8, -30]  # hours against the due time: two late months
    for months_back, late in zip(range(6, -1, -1), lateness, strict=True):
        month = today - relativedelta(months=months_back, day=10)
        if month < close.starts_on or month >= today - timedelta(days=2):
            continue  # only closes delivered and accepted by now
        due = at(month, 17)
        sent = at(month.replace(day=1), 9)
        returned = months_back == 4
        rating = 3 if late > 0 else rng.choice([4, 5, 5])
        task = history(
            books,
            title=f"Monthly close package — {(month - relativedelta(months=1)):%B %Y}",
            kind="Monthly close",
            created=sent,
            due=due,
            steps=delivered_path(sent, due, late_hours=late, returned=returned),
            ours=oscar,
            theirs=priya,
            schedule=close,
            quality_rating=2 if returned else rating,
            acceptance_note="Accepted after rework." if returned else "",
        )
        if returned:
            comment(
                task,
                priya_login,
                "The bank sent the card statement late; it will be in the new delivery.",
                due + timedelta(hours=late + 18),
            )
        elif late > 0:
            comment(
                task,
                oscar,
                "Anything holding this up? The bank wants the statements for the loan review.",
                due + timedelta(hours=late / 2),
            )
        close.generated_through = task.occurrence
    close.save(update_fields=["generated_through"])

    # Bill entry: every Friday's batch, due two business days later, for the twelve weeks
    # before this week's (which is still open below, whatever weekday the demo loads on).
    friday = today - timedelta(days=(today.weekday() - 4) % 7 or 7)
    for weeks_back in range(12, 0, -1):
        sent = friday - timedelta(weeks=weeks_back)
        due_day = previous_business_day(sent + timedelta(days=4), holidays)
        due = at(due_day, 17)
        late = rng.choice([-30, -22, -6, -3, 4, 28]) if weeks_back % 3 == 0 else -rng.randint(4, 40)
        history(
            books,
            title=f"Enter bills — week of {sent:%b %-d}",
            kind="Bill entry",
            created=at(sent, 9),
            due=due,
            steps=delivered_path(at(sent, 9), due, late_hours=late),
            ours=oscar,
            theirs=tom,
            quality_rating=rng.choice([4, 4, 5]),
            priority=Priority.NORMAL,
        )

    # Denial appeals at the billing company: slower, one cancelled.
    for weeks_back in (14, 11, 8, 6, 3):
        due_day = today - timedelta(weeks=weeks_back)
        due = at(previous_business_day(due_day, holidays), 17)
        late = 50 if weeks_back in (11, 6) else -10
        history(
            billing,
            title=f"Appeal denied claims — batch {15 - weeks_back}",
            kind="Denial appeal",
            created=due - timedelta(days=7),
            due=due,
            steps=delivered_path(due - timedelta(days=7), due, late_hours=late),
            ours=oscar,
            theirs=marco,
            quality_rating=3 if late > 0 else 4,
            priority=Priority.HIGH,
        )
    cancelled_due = at(today - timedelta(weeks=9), 17)
    history(
        billing,
        title="Re-bill the March cleaning claims",
        kind="Claim submission",
        created=cancelled_due - timedelta(days=5),
        due=cancelled_due,
        steps=[(S.CANCELLED, cancelled_due - timedelta(days=2), "The insurer paid after all.")],
        ours=oscar,
        theirs=marco,
    )

    # Issues: one escalated before its answer came, one answered in time, one open now.
    _issue(
        org,
        billing,
        title="Claims for Dr. Alvarez rejected for a wrong provider number",
        severity="high",
        raised_by=oscar,
        raised_at=at(today - timedelta(weeks=6), 9),
        escalations=[(1, timedelta(days=1, hours=1))],
        response_after=timedelta(days=1, hours=5),
        responder_side=Side.PROVIDER,
        resolution="Provider number corrected; 23 claims resubmitted.",
        resolved_after=timedelta(days=3),
    )
    _issue(
        org,
        books,
        title="October payroll posted to the wrong class",
        severity="normal",
        raised_by=oscar,
        raised_at=at(today - timedelta(weeks=3), 10),
        escalations=[],
        response_after=timedelta(hours=3),
        responder_side=Side.PROVIDER,
        resolution="Reclassified and the close package re-issued.",
        resolved_after=timedelta(days=2),
    )

    # From today on, through the services: open work, an open issue.
    work.generate_due_tasks(close, today)
    payroll = Schedule.objects.create(
        organization=org,
        engagement=books,
        title="Run payroll",
        details="Hours come from the time clock export; approve in the payroll portal.",
        kind="Payroll run",
        rule=Recurrence.EVERY_N_DAYS,
        interval_days=14,
        due_time=time(12),
        lead_days=3,
        starts_on=today + timedelta(days=(3 - today.weekday()) % 7 or 7),
        created_by=owner,
    )
    work.generate_due_tasks(payroll, today)
    open_due = at(previous_business_day(today + timedelta(days=2), holidays), 17)
    now = timezone.now()

    def promised(task):
        """The service level's promise counted from when the task was sent (create_task
        counted it from the moment the demo was loaded)."""
        task.refresh_from_db()
        task.turnaround_due_at = work.suggest_due(
            system, task.engagement, task.kind, task.created_at
        )
        task.save(update_fields=["turnaround_due_at"])
        hooks.task_changed(task)
        return task

    with backdated(org, now - timedelta(hours=20)):
        fresh = work.create_task(
            as_oscar,
            books,
            data={
                "title": "Reconcile the new equipment loan account",
                "details": "Statement is in the shared folder: https://files.example/loan-nov.pdf"
                "\nSet it up as a long-term liability.",
                "kind": "Bill entry",
                "priority": Priority.HIGH,
                "due_at": open_due,
            },
        )
    promised(fresh)
    with backdated(org, now - timedelta(hours=17)):
        work.move_task(as_priya, fresh, to_status=S.ACKNOWLEDGED)
    with backdated(org, now - timedelta(days=6, hours=2)):
        overdue = work.create_task(
            as_oscar,
            billing,
            data={
                "title": "Appeal denied claims — batch 15",
                "kind": "Denial appeal",
                "priority": Priority.HIGH,
                "due_at": at(previous_business_day(today - timedelta(days=1), holidays), 17),
            },
        )
    promised(overdue)
    # This week's bills: sent on Friday, delivered yesterday, waiting for our acceptance.
    with backdated(org, min(at(friday, 9), now - timedelta(days=2))):
        waiting = work.create_task(
            as_oscar,
            books,
            data={
                "title": f"Enter bills — week of {friday:%b %-d}",
                "kind": "Bill entry",
                "due_at": at(previous_business_day(today + timedelta(days=1), holidays), 17),
            },
        )
    promised(waiting)
    for status, hours_ago in ((S.ACKNOWLEDGED, 44), (S.IN_PROGRESS, 30), (S.DELIVERED, 26)):
        with backdated(org, now - timedelta(hours=hours_ago)):
            work.move_task(as_priya, waiting, to_status=status)
    # Raised yesterday and never answered: it climbed to level 1 four hours later, and that
    # level's eight hours have run out too; the worker climbs it to level 2 on its next sweep.
    raised = timezone.now() - timedelta(hours=26)
    with backdated(org, raised):
        stuck = issues.raise_issue(
            as_oscar,
            billing,
            data={
                "task": overdue,
                "title": "Batch 15 appeals not started",
                "description": "The appeal window for six of these claims closes next week.",
                "severity": "critical",
            },
        )
    Issue.objects.filter(pk=stuck.pk).update(
        raised_at=raised, respond_by=raised + timedelta(hours=4)
    )
    IssueEvent.objects.filter(issue=stuck).update(at=raised)
    issues.escalate_overdue(raised + timedelta(hours=4, minutes=5))

    # Under way at the firm: started yesterday, due next week.
    with backdated(org, now - timedelta(days=3, hours=5)):
        started = work.create_task(
            as_oscar,
            books,
            data={
                "title": "Reconcile the third-quarter payroll tax filings",
                "kind": "Payroll run",
                "due_at": at(previous_business_day(today + timedelta(days=6), holidays), 17),
            },
        )
    promised(started)
    for status, hours_ago in ((S.ACKNOWLEDGED, 73), (S.IN_PROGRESS, 28)):
        with backdated(org, now - timedelta(hours=hours_ago)):
            work.move_task(as_priya, started, to_status=status)
    # Delivered and returned for rework: with the firm again.
    with backdated(org, now - timedelta(days=5, hours=3)):
        rework = work.create_task(
            as_oscar,
            books,
            data={
                "title": "Reconcile the November card statement",
                "kind": "Bill entry",
                "due_at": at(previous_business_day(today + timedelta(days=2), holidays), 12),
            },
        )
    promised(rework)
    for status, hours_ago, who, note in (
        (S.ACKNOWLEDGED, 118, as_priya, ""),
        (S.IN_PROGRESS, 100, as_priya, ""),
        (S.DELIVERED, 70, as_priya, "Reconciled; two charges need receipts."),
        (S.RETURNED, 50, as_oscar, "Two charges from Nov 28 are missing from it."),
    ):
        with backdated(org, now - timedelta(hours=hours_ago)):
            work.move_task(who, rework, to_status=status, note=note)
    # An issue the firm has answered and we have not yet closed.
    with backdated(org, now - timedelta(days=2, hours=6)):
        question = issues.raise_issue(
            as_oscar,
            books,
            data={
                "title": "Two vendor bills entered twice in November",
                "description": "Dental Supply Co. invoices 4471 and 4472 each appear twice.",
                "severity": "normal",
            },
        )
    with backdated(org, now - timedelta(days=2, hours=3)):
        issues.respond(
            as_priya,
            question,
            body="Found them: the bank feed and the e-mailed bills both created entries. "
            "We will remove the copies with this week's batch.",
        )


def _issue(
    org,
    engagement,
    *,
    title,
    severity,
    raised_by,
    raised_at,
    escalations,
    response_after,
    responder_side,
    resolution,
    resolved_after,
):
    """A past issue with its whole timeline: raised, climbed, answered, resolved."""
    issue = Issue.objects.create(
        organization=org,
        engagement=engagement,
        title=title,
        severity=severity,
        status=IssueStatus.RESOLVED,
        raised_by=raised_by,
        raised_side=Side.US,
        raised_at=raised_at,
        first_response_at=raised_at + response_after,
        resolved_at=raised_at + resolved_after,
        resolved_by=raised_by,
        resolution=resolution,
    )
    IssueEvent.objects.create(
        organization=org,
        issue=issue,
        kind=IssueEvent.Kind.RAISED,
        author=raised_by,
        side=Side.US,
        at=raised_at,
    )
    for level, after in escalations:
        IssueEvent.objects.create(
            organization=org,
            issue=issue,
            kind=IssueEvent.Kind.ESCALATED,
            level=level,
            at=raised_at + after,
        )
        issue.level, issue.escalated_at = level, raised_at + after
    IssueEvent.objects.create(
        organization=org,
        issue=issue,
        kind=IssueEvent.Kind.MESSAGE,
        side=responder_side,
        body="Looking into it now; we will send the fix today.",
        at=raised_at + response_after,
    )
    IssueEvent.objects.create(
        organization=org,
        issue=issue,
        kind=IssueEvent.Kind.RESOLVED,
        author=raised_by,
        side=Side.US,
        body=resolution,
        at=raised_at + resolved_after,
    )
    issue.save()
    return issue


def _portal_login(org, owner, contact, now) -> User:
    """Give the bookkeeping firm's account manager a working portal login, accepted at
    ``now``."""
    user = User.objects.filter(email=contact.email).first() or User.objects.create_user(
        email=contact.email, name=contact.name, password=PORTAL_PASSWORD
    )
    PortalAccess.objects.create(
        organization=org,
        contact=contact,
        user=user,
        token_hash=PortalAccess.hash(f"demo-accepted-{contact.pk}"),
        invited_by=owner,
        invited_at=now,
        expires_at=now,
        accepted_at=now,
    )
    assert portal_user_for(contact) == user
    return user
