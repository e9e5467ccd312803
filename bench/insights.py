"""Benchmark of scorecards and the dashboard against a hand-written SQL floor.

It throws away and seeds a benchmark database: one organization, "big", with 500 providers,
600 active engagements (service levels, response targets, communication plans), 1,000,000
tasks over three years, about 20,000 issues (some escalated) with their events, about 50,000
payments, W-9s, business functions and quarterly relationship check-ins; and 1,000 small
organizations ("small" is the first) with 2-5 providers and about 50 tasks each. Rows of all
organizations are interleaved as after years of use: every table is written in time order,
each month's tasks of every organization together. Rows go in by raw multi-row INSERT
(SQLite) or COPY (PostgreSQL), with their ids given, so that dependent rows follow at once.

Then it times, after warm-up, in rounds over all cases so that other work on the machine slows
every case alike:

    scorecards.compute(big, last quarter)    all 500 providers
    the scorecard page of one provider       django.test.Client GET, logged in as the owner
    the standings page, last quarter         /o/big/scorecards/, every provider
    dashboard.build(big)  and its page       /o/big/dashboard/
    scorecards.trend(big, provider, 8)       one provider over 8 quarters

(the provider is big's busiest, about 1.6% of its tasks), and the same for "small"; each
beside its floor: hand-written SQL computing the same figures with one GROUP BY a source — per
provider for the quarter, the tasks (counted, on time, late, average and worst lateness,
delivered once, returned, rated and average rating, within the turnaround), the issues we
raised (known outcome, answered within target, escalations), the payments (total, count) and
our members' check-ins (answered, the four averages); the page adds the same per quarter for its
trend; the dashboard adds what each section shows (the count, and the first five rows with
their provider, of overdue and due this week, issues past target, payees without a W-9,
unsigned engagements and expiring documents; open tasks assigned to the user; this year's
spend; functions with a single provider; the providers' names). Plans, renewals and stale
assessments are worked out in Python from a few rows and have no floor. It prints the ratio
app / floor and whether it meets the target (at most 1.5 times the floor), and the query count
for "big" beside "small": equal means it does not grow with the number of providers. Before
timing it counts the scorecards' monthly task facts afresh (``rollup.rebuild``: the seeded rows
went in by raw SQL, which marks nothing) and prints where compute and trend spend their time,
reader by reader, the dashboard's time without its standings, and what a read costs after ten
tasks changed.

Run it from the repository root:

    uv run python bench/insights.py              # SQLite: var/bench/insights/handoff.sqlite3
    HANDOFF_DATABASE_URL=postgres://postgres@127.0.0.1:5432/handoff_bench_insights \\
        uv run python bench/insights.py          # PostgreSQL

Options:

    --quick        a tenth of the volumes, for a smoke run: 50 providers and 100,000 tasks in
                   "big", 100 small organizations
    --reuse        keep a database already seeded with the same volumes
    --runs N       timed runs a case (default 20, after 3 warm-up runs)
    --explain      print the plans of the queries the app runs on tasks for big's scorecards
                   and dashboard, and of the floor queries
    --seed-only    seed (or reuse), print the row counts, and stop

The SQLite file under var/bench/insights/ is deleted at start; a PostgreSQL database is dropped
and created again (only one whose name contains "bench"). The demo database is never touched.
PostgreSQL gets VACUUM ANALYZE after seeding, as autovacuum would do after a bulk load; SQLite
gets no ANALYZE, as the app never runs one.

What it prints: the machine and database, the row counts, the seeding time; per case the
median and 95th-percentile time in milliseconds and the SQL queries a run, for big and small;
the floor's median and p95 and the ratio of the medians; the process memory (peak and current
resident set). Times are wall times in the same process, without a network or a WSGI server.
Nothing is asserted.
"""

import argparse
import functools
import hashlib
import math
import os
import platform
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from handoff.core.principal import Principal

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "var" / "bench"
VAR_DIR = BENCH_DIR / "insights"

# Before Django reads its settings: the SQLite file goes under var/bench/insights/, DEBUG off.
os.environ["HANDOFF_VAR_DIR"] = str(VAR_DIR)
os.environ["HANDOFF_DEBUG"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handoff.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, models, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from psycopg import sql  # noqa: E402
from rich import box  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import (  # noqa: E402
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table  # noqa: E402

from handoff.accounts.models import Membership, Organization, User  # noqa: E402
from handoff.compliance.models import W9  # noqa: E402
from handoff.core.roles import Role  # noqa: E402
from handoff.decisions.models import BusinessFunction  # noqa: E402
from handoff.engagements.calendar import END_OF_BUSINESS_DAY, add_business_days  # noqa: E402
from handoff.engagements.models import (  # noqa: E402
    CommunicationPlan,
    Engagement,
    EngagementFunction,
    ResponseTarget,
    ServiceLevel,
    SignedAgreement,
)
from handoff.insights.models import CheckIn, CheckInRound  # noqa: E402
from handoff.payables.models import Payment  # noqa: E402
from handoff.providers.models import Contact, Provider  # noqa: E402
from handoff.work.models import Issue, IssueEvent, Task  # noqa: E402

WARMUP = 3
TARGET_RATIO = 1.5
BATCH = 2_000  # rows a multi-row INSERT on SQLite
SEED = 20261125


@dataclass(frozen=True)
class Volumes:
    providers: int  # in big
    engagements: int  # in big, all active
    tasks: int  # in big
    members: int  # in big
    small_orgs: int
    small_tasks: int  # a small organization's tasks, about
    payments: int  # in big, about


FULL = Volumes(
    providers=500,
    engagements=600,
    tasks=1_000_000,
    members=30,
    small_orgs=1_000,
    small_tasks=50,
    payments=50_000,
)
QUICK = Volumes(
    providers=50,
    engagements=60,
    tasks=100_000,
    members=10,
    small_orgs=100,
    small_tasks=50,
    payments=5_000,
)
YEARS = 3
ISSUE_SHARE = 0.02  # of tasks: about 20,000 issues in big

# --- Vocabulary ---------------------------------------------------------------------------------
TRADES = ["Bookkeeping", "Payroll", "Billing", "Tax", "Staffing", "Logistics", "Design", "Support"]
NAMES = [
    "Summit", "Harbor", "Pinnacle", "Northwind", "Cedar", "Keystone", "Lakeside", "Redwood",
    "Granite", "Meridian", "Oakmont", "Pioneer", "Sterling", "Clearwater", "Beacon", "Compass",
]  # fmt: skip
SUFFIXES = ["Group", "Partners", "Services", "Solutions", "Associates", "Co."]
FIRST = ["Olivia", "Liam", "Emma", "Noah", "Ava", "James", "Mia", "Lucas", "Grace", "Henry"]
LAST = ["Smith", "Garcia", "Miller", "Davis", "Lopez", "Wilson", "Moore", "Lee", "Young", "King"]
KINDS = [
    "Invoice batch", "Month-end close", "Payroll run", "Bank reconciliation", "Expense report",
    "Sales tax filing", "Vendor setup", "Ad-hoc request",
]  # fmt: skip
FUNCTIONS = ["Bookkeeping", "Payroll", "Billing", "Tax", "IT support", "Recruiting", "Design"]
PRIORITIES = ["normal"] * 14 + ["high"] * 4 + ["low"] * 1 + ["urgent"] * 1
SEVERITIES = ["normal"] * 12 + ["high"] * 5 + ["low"] * 2 + ["critical"] * 1
RESPONSE_HOURS = {"critical": 4, "high": 8, "normal": 24, "low": 72}
METHODS = ["ach"] * 12 + ["check"] * 4 + ["wire"] * 2 + ["card"] + ["payment_network"]
OPEN_STATUSES = ("requested", "acknowledged", "in_progress", "returned")


# --- Raw loading -------------------------------------------------------------------------------
def pg() -> bool:
    return connection.vendor == "postgresql"


def ts(moment: datetime | None):
    """A UTC datetime as the database stores it: SQLite's text, PostgreSQL's timestamptz."""
    if moment is None:
        return None
    return moment if pg() else moment.replace(tzinfo=None).isoformat(" ")


def constant_columns(model, names: list[str], now: datetime) -> list[tuple[str, object]]:
    """The model's columns that ``names`` leaves out, with the value each row gets: the
    field's default, now for auto_now fields, NULL where allowed, '' for text."""
    given = set(names)
    out = []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key or model_field.name in given or model_field.attname in given:
            continue
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            value = now
        elif model_field.has_default():
            value = model_field.get_default()
        elif model_field.null:
            value = None
        elif isinstance(model_field, models.CharField | models.TextField):
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{model_field.name} needs a value")
        out.append((model_field.column, model_field.get_db_prep_save(value, connection)))
    return out


def load(model, names: list[str], rows: Iterable[tuple], now: datetime) -> int:
    """Insert ``rows`` (values of the fields ``names``, the id first, already in database
    form) into the model's table: COPY on PostgreSQL, multi-row INSERTs on SQLite."""
    meta = model._meta
    columns = [meta.get_field(name).column for name in names]
    constants = constant_columns(model, names, now)
    columns += [column for column, _ in constants]
    tail = tuple(value for _, value in constants)
    count = 0
    connection.ensure_connection()
    if pg():
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with connection.cursor() as wrapper, wrapper.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row + tail)
                count += 1
        return count
    quoted = ", ".join(f'"{column}"' for column in columns)
    one = "(" + ", ".join("?" * len(columns)) + ")"
    raw = connection.connection
    batch: list = []
    size = 0

    def flush(values, rows_in_batch):
        raw.execute(
            f'INSERT INTO "{meta.db_table}" ({quoted}) VALUES ' + ", ".join([one] * rows_in_batch),
            values,
        )

    per_statement = max(1, min(BATCH, 32_000 // len(columns)))  # SQLite's variable limit
    for row in rows:
        batch.extend(row)
        batch.extend(tail)
        size += 1
        count += 1
        if size == per_statement:
            flush(batch, size)
            batch, size = [], 0
    if size:
        flush(batch, size)
    return count


class Ids:
    """The next id of each table: rows are written with their ids, so dependents follow."""

    def __init__(self):
        self.next: dict[type, int] = {}

    def take(self, model) -> int:
        value = self.next.get(model, 1)
        self.next[model] = value + 1
        return value


# --- The world being seeded ----------------------------------------------------------------------
@dataclass
class Org:
    pk: int
    slug: str
    members: list[int]
    owner: int
    engagements: list["Eng"] = field(default_factory=list)


@dataclass
class Eng:
    pk: int
    org: int
    provider: int
    contact: int
    kinds: list[str]
    rate: float  # tasks a day
    on_time: float  # share of deliveries by the due time
    late_hours: float  # median lateness when late
    returns: float  # share returned for rework
    rating: float  # mean quality rating
    levels: dict[str, int] = field(default_factory=dict)  # kind: business days


def month_starts(first: date, last: date) -> list[date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def seed(volumes: Volumes, console: Console) -> float:
    """Fill the freshly migrated database; returns the seconds it took."""
    rng = random.Random(SEED)
    now = timezone.now().replace(microsecond=0)
    start = (now - timedelta(days=365 * YEARS)).replace(hour=0, minute=0, second=0)
    started = time.perf_counter()
    ids = Ids()
    if not pg():
        with connection.cursor() as cursor:  # seeding only: a bigger page cache, no fsync
            cursor.execute("PRAGMA cache_size = -1000000")
            cursor.execute("PRAGMA synchronous = OFF")

    columns = [
        TextColumn("{task.description:<34}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    months = month_starts(start.date(), (now + timedelta(days=14)).date())  # created ahead
    with Progress(*columns, console=console) as progress:
        setup = progress.add_task("organizations, providers, terms", total=1)
        with transaction.atomic():
            orgs = seed_organizations(volumes, rng, now, start, ids)
        progress.update(setup, completed=1)

        engagements = [eng for org in orgs for eng in org.engagements]
        by_org = {org.pk: org for org in orgs}
        months_task = progress.add_task("tasks, issues (by month)", total=len(months))
        issue_rows, event_rows = [], []
        task_count = 0
        for month in months:
            with transaction.atomic():
                rows = month_tasks(month, engagements, by_org, rng, now, start, ids)
                task_count += load(Task, TASK_FIELDS, (row for _, row in rows), now)
                for issue, events in month_issues(rows, by_org, rng, now, ids):
                    issue_rows.append(issue)
                    event_rows.extend(events)
            progress.advance(months_task)
        with transaction.atomic():
            issue_rows.sort(key=lambda row: row[0])
            load(Issue, ISSUE_FIELDS, issue_rows, now)
            event_rows.sort(key=lambda row: (row[-1], row[0]))
            load(IssueEvent, EVENT_FIELDS, event_rows, now)

        rest = progress.add_task("payments, check-ins", total=2)
        with transaction.atomic():
            load(Payment, PAYMENT_FIELDS, payments(orgs, volumes, rng, now, start, ids), now)
            progress.advance(rest)
            rounds, checkins = check_ins(orgs, rng, now, start, ids)
            load(CheckInRound, ROUND_FIELDS, rounds, now)
            load(CheckIn, CHECKIN_FIELDS, checkins, now)
            progress.advance(rest)

    with connection.cursor() as cursor:
        if pg():
            models_with_ids = [Task, Issue, IssueEvent, Payment, CheckInRound, CheckIn]
            for statement in connection.ops.sequence_reset_sql(no_style(), models_with_ids):
                cursor.execute(statement)
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
        else:
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA cache_size = -2000")
    return time.perf_counter() - started


def seed_organizations(volumes: Volumes, rng, now, start, ids) -> list[Org]:
    """Organizations, users, members, providers, contacts, engagements and their terms, W-9s,
    business functions and signed agreements, through the ORM (some thousands of rows)."""
    specs = [("Big Outsourcing Co", "big")] + [
        (f"{rng.choice(LAST)} {rng.choice(['Dental', 'Bakery', 'Studio', 'Clinic'])}", slug)
        for slug in ["small"] + [f"org-{n:04d}" for n in range(1, volumes.small_orgs)]
    ]
    organizations = Organization.objects.bulk_create(
        Organization(name=name, slug=slug, states=["NY"]) for name, slug in specs
    )
    users = User.objects.bulk_create(
        User(
            email=f"{'owner' if n == 0 else f'member{n}'}@{org.slug}.example",
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            password="!",  # unusable: the bench logs in with force_login
        )
        for org in organizations
        for n in range(volumes.members if org.slug == "big" else 1)
    )
    orgs: list[Org] = []
    memberships = []
    position = 0
    for org in organizations:
        count = volumes.members if org.slug == "big" else 1
        members = [user.pk for user in users[position : position + count]]
        position += count
        orgs.append(Org(org.pk, org.slug, members, members[0]))
        memberships += [
            Membership(
                organization_id=org.pk, user_id=pk, role=Role.OWNER if i == 0 else Role.MEMBER
            )
            for i, pk in enumerate(members)
        ]
    Membership.objects.bulk_create(memberships)
    functions = BusinessFunction.objects.bulk_create(
        BusinessFunction(organization_id=org.pk, name=name)
        for org in orgs
        for name in (FUNCTIONS if org.slug == "big" else FUNCTIONS[:3])
    )
    functions_of: dict[int, list[int]] = {}
    for function in functions:
        functions_of.setdefault(function.organization_id, []).append(function.pk)

    # Providers of every organization interleaved, as after years of use.
    owners = [orgs[0].pk] * volumes.providers + [
        org.pk for org in orgs[1:] for _ in range(rng.randint(2, 5))
    ]
    rng.shuffle(owners)
    providers = Provider.objects.bulk_create(
        Provider(
            organization_id=org_id,
            name=f"{rng.choice(NAMES)} {rng.choice(TRADES)} {rng.choice(SUFFIXES)}",
            kind="firm",
            status="active",
        )
        for org_id in owners
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            organization_id=provider.organization_id,
            provider_id=provider.pk,
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            email=f"contact{provider.pk}-{n}@provider.example",
        )
        for provider in providers
        for n in range(rng.randint(1, 2))
    )
    contact_of = {}
    for contact in contacts:
        contact_of.setdefault(contact.provider_id, contact.pk)
    W9.objects.bulk_create(
        W9(
            organization_id=provider.organization_id,
            provider_id=provider.pk,
            legal_name=provider.name,
            tax_classification="c_corporation",
            tin_type="ein",
            tin_encrypted="bench",
            tin_hash=hashlib.sha256(str(provider.pk).encode()).hexdigest(),
            tin_last4=f"{provider.pk % 10000:04d}",
            street="1 Main St",
            city="Albany",
            state="NY",
            postal_code="12207",
            signed_on=start.date(),
            document="w9/bench.pdf",
            document_type="application/pdf",
        )
        for provider in providers
        if rng.random() < 0.92
    )

    # Engagements: one per provider, and in big some providers have a second one.
    by_pk = {org.pk: org for org in orgs}
    big_providers = [p for p in providers if p.organization_id == orgs[0].pk]
    second = rng.sample(big_providers, max(0, volumes.engagements - len(big_providers)))
    engagement_of = [(p.organization_id, p.pk) for p in providers] + [
        (p.organization_id, p.pk) for p in second
    ]
    engagements = Engagement.objects.bulk_create(
        Engagement(
            organization_id=org_id,
            provider_id=provider_id,
            title=f"{rng.choice(FUNCTIONS)} services",
            amount=Decimal(rng.randrange(500, 9000, 50)),
            start_date=(start - timedelta(days=rng.randint(0, 400))).date(),
            auto_renew=True,
            status="active",
        )
        for org_id, provider_id in engagement_of
    )
    levels, targets, plans, links, signed = [], [], [], [], []
    big_total_rate = volumes.tasks / (365 * YEARS)
    weights = [rng.paretovariate(1.6) for _ in engagements]
    big_weight = sum(
        w for w, e in zip(weights, engagements, strict=True) if e.organization_id == orgs[0].pk
    )
    for weight, engagement in zip(weights, engagements, strict=True):
        org = by_pk[engagement.organization_id]
        kinds = rng.sample(KINDS, rng.randint(1, 3))
        if org.slug == "big":
            rate = big_total_rate * weight / big_weight
        else:
            rate = volumes.small_tasks / (365 * YEARS) / 3.5
        org.engagements.append(
            Eng(
                engagement.pk,
                org.pk,
                engagement.provider_id,
                contact_of[engagement.provider_id],
                kinds,
                rate,
                on_time=rng.uniform(0.65, 0.98),
                late_hours=rng.uniform(4, 48),
                returns=rng.uniform(0.02, 0.15),
                rating=rng.uniform(3.0, 4.8),
            )
        )
        days = {kind: rng.randint(1, 5) for kind in kinds}
        org.engagements[-1].levels = days
        levels += [
            ServiceLevel(
                organization_id=org.pk,
                engagement_id=engagement.pk,
                task_kind=kind,
                rule="business_days",
                business_days=days[kind],
            )
            for kind in kinds
        ]
        targets += [
            ResponseTarget(
                organization_id=org.pk,
                engagement_id=engagement.pk,
                severity=severity,
                amount=hours,
                unit="hours",
            )
            for severity, hours in RESPONSE_HOURS.items()
        ]
        plans.append(
            CommunicationPlan(
                organization_id=org.pk,
                engagement_id=engagement.pk,
                our_point_person_id=rng.choice(org.members),
                their_point_person_id=contact_of[engagement.provider_id],
                issue_contact_id=contact_of[engagement.provider_id],
            )
        )
        links.append(
            EngagementFunction(
                organization_id=org.pk,
                engagement_id=engagement.pk,
                function_id=rng.choice(functions_of[org.pk]),
            )
        )
        if rng.random() < 0.9:
            signed.append(
                SignedAgreement(
                    organization_id=org.pk,
                    engagement_id=engagement.pk,
                    file="agreements/bench.pdf",
                    content_type="application/pdf",
                    signed_on=engagement.start_date,
                    signers="Both sides",
                )
            )
    ServiceLevel.objects.bulk_create(levels)
    ResponseTarget.objects.bulk_create(targets)
    CommunicationPlan.objects.bulk_create(plans)
    EngagementFunction.objects.bulk_create(links)
    SignedAgreement.objects.bulk_create(signed)
    return orgs


TASK_FIELDS = [
    "id", "organization", "engagement", "title", "kind", "priority", "due_at", "status",
    "our_assignee", "their_assignee", "requested_by", "created_at", "updated_at",
    "acknowledged_at", "delivered_at", "first_delivered_at", "closed_at", "returns",
    "quality_rating", "turnaround_due_at",
]  # fmt: skip
ZONE = ZoneInfo("America/New_York")  # every organization's (the default); no holidays


@functools.cache
def turnaround_due(sent_on: date, business_days: int) -> datetime:
    """What create_task keeps as turnaround_due_at: the service level's business days counted
    from the day the task was sent, 17:00 in the organization's zone (memoised by day)."""
    due = add_business_days(sent_on, business_days, ())
    return datetime.combine(due, END_OF_BUSINESS_DAY, tzinfo=ZONE).astimezone(UTC)


def month_tasks(month: date, engagements: list[Eng], by_org, rng, now, start, ids):
    """Every organization's tasks due in ``month``, in the order they were created; each as
    (facts for the issues, row)."""
    first = datetime(month.year, month.month, 1, tzinfo=UTC)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    span = (following - first).total_seconds()
    horizon = now + timedelta(days=14)  # tasks are created up to 14 days ahead of their due
    drafts = []
    for eng in engagements:
        expected = eng.rate * span / 86_400
        count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        org = by_org[eng.org]
        for _ in range(count):
            due = first + timedelta(seconds=rng.randrange(0, int(span) // 3600) * 3600)
            if due < start or due > horizon:
                continue
            created = due - timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 8))
            if created > now:
                continue
            drafts.append((created, due, eng, org))
    drafts.sort(key=lambda draft: draft[0])
    rows = []
    for created, due, eng, org in drafts:
        rows.append(task_row(ids.take(Task), created, due, eng, org, rng, now))
    return rows


def task_row(pk, created, due, eng: Eng, org: Org, rng, now):
    ours = rng.choice(org.members)
    acknowledged = created + timedelta(minutes=int(rng.expovariate(1 / 240)))
    if acknowledged > now:
        acknowledged = None
    delivered = first_delivered = closed = rating = None
    returns = 0
    status = "requested" if acknowledged is None else "in_progress"
    if rng.random() < 0.03:  # cancelled before delivery
        cancel = created + timedelta(hours=rng.randint(1, 96))
        if cancel <= now:
            status, closed = "cancelled", cancel
    if status != "cancelled":
        if rng.random() < eng.on_time:
            planned = due - timedelta(minutes=rng.randint(0, 72 * 60))
            planned = max(planned, created + timedelta(hours=1))
        else:
            planned = due + timedelta(
                hours=min(rng.lognormvariate(math.log(eng.late_hours), 1.0), 720)
            )
        forgotten = rng.random() < 0.0003  # a few never delivered: old overdue work
        if planned <= now and not forgotten:
            if rng.random() < eng.returns:
                returns = 2 if rng.random() < 0.1 else 1
                first_delivered = planned - timedelta(hours=24 * returns + rng.randint(0, 24))
                first_delivered = max(first_delivered, created + timedelta(minutes=30))
            else:
                first_delivered = planned
            delivered = planned
            status = "delivered"
            accepted = delivered + timedelta(minutes=int(rng.expovariate(1 / 1440)))
            if accepted <= now and rng.random() > 0.002:
                status, closed = "accepted", accepted
                if rng.random() < 0.65:
                    rating = max(1, min(5, round(rng.gauss(eng.rating, 0.8))))
        elif acknowledged is not None:
            status = rng.choice(["acknowledged", "in_progress", "in_progress"])
    updated = max(m for m in (created, acknowledged, delivered, closed) if m is not None)
    title = f"{rng.choice(eng.kinds)} {due:%b %d}"
    kind = rng.choice(eng.kinds)
    promised = turnaround_due(created.astimezone(ZONE).date(), eng.levels[kind])
    row = (
        pk, org.pk, eng.pk, title, kind,
        rng.choice(PRIORITIES), ts(due), status, ours,
        eng.contact if rng.random() < 0.7 else None, ours, ts(created), ts(updated),
        ts(acknowledged), ts(delivered), ts(first_delivered), ts(closed), returns, rating,
        ts(promised),
    )  # fmt: skip
    return (created, due, delivered, closed, eng, org), row


ISSUE_FIELDS = [
    "id", "organization", "engagement", "task", "title", "severity", "status", "raised_by",
    "raised_side", "level", "respond_by", "raised_at", "first_response_at", "first_response_by",
    "escalated_at", "resolved_at", "resolved_by", "resolution",
]  # fmt: skip
EVENT_FIELDS = ["id", "organization", "issue", "kind", "author", "side", "level", "at"]


def month_issues(rows, by_org, rng, now, ids):
    """Issues raised about some of the month's tasks (a tenth about the engagement only),
    each with its events: raised, one per climb of the ladder, resolved."""
    for (created, due, delivered, closed, eng, org), row in rows:
        if rng.random() >= ISSUE_SHARE:
            continue
        end = closed or delivered or max(due, created + timedelta(days=1))
        raised = created + (end - created) * rng.random()
        if raised > now:
            continue
        severity = rng.choice(SEVERITIES)
        target = timedelta(hours=RESPONSE_HOURS[severity])
        respond_by = raised + target
        response = raised + target * rng.expovariate(1 / 0.7)
        level, escalated, climbs = 0, None, []
        if response > respond_by:  # unanswered in time: it climbed, once or twice
            level = 1 if response < respond_by + target else 2
            climbs = [respond_by + target * step for step in range(level)]
            escalated = climbs[-1]
        if response > now:
            response = None
            level = max(level, 1) if respond_by < now else level
        resolved = response + timedelta(hours=rng.randint(1, 120)) if response else None
        if resolved and resolved > now:
            resolved = None
        status = "resolved" if resolved else ("responded" if response else "open")
        pk = ids.take(Issue)
        person = rng.choice(org.members)
        issue = (
            pk, org.pk, eng.pk, None if rng.random() < 0.1 else row[0],
            f"Problem with {row[3]}", severity, status, person, "us", level,
            ts(respond_by) if status == "open" or response else ts(respond_by), ts(raised),
            ts(response), person if response else None, ts(escalated), ts(resolved),
            person if resolved else None, "Fixed." if resolved else "",
        )  # fmt: skip
        events = [(ids.take(IssueEvent), org.pk, pk, "raised", person, "us", None, ts(raised))]
        for step, at in enumerate(climbs[:level], start=1):
            if at <= now:
                events.append(
                    (ids.take(IssueEvent), org.pk, pk, "escalated", None, "", step, ts(at))
                )
        if resolved:
            events.append(
                (ids.take(IssueEvent), org.pk, pk, "resolved", person, "us", None, ts(resolved))
            )
        yield issue, events


PAYMENT_FIELDS = [
    "id", "organization", "provider", "engagement", "paid_on", "amount", "method",
    "processor_reported", "created_by", "created_at",
]  # fmt: skip


def payments(orgs: list[Org], volumes: Volumes, rng, now, start, ids):
    """Payments of every engagement, in date order across organizations: in big about
    ``volumes.payments``, in a small organization about one a month in three."""
    big_per_month = volumes.payments / volumes.engagements / (12 * YEARS)
    drafts = []
    for org in orgs:
        for eng in org.engagements:
            for month in month_starts(start.date(), now.date()):
                expected = big_per_month if org.slug == "big" else 0.3
                count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
                for _ in range(count):
                    paid_on = month + timedelta(days=rng.randint(0, 27))
                    if paid_on <= now.date():
                        drafts.append((paid_on, org, eng))
    drafts.sort(key=lambda draft: draft[0])
    for paid_on, org, eng in drafts:
        method = rng.choice(METHODS)
        created = datetime.combine(paid_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)
        yield (
            ids.take(Payment), org.pk, eng.provider, eng.pk, paid_on,
            Decimal(rng.randrange(20_000, 900_000)) / 100, method,
            method in ("card", "payment_network"), org.owner, ts(created),
        )  # fmt: skip


ROUND_FIELDS = ["id", "organization", "provider", "period_start", "period_end", "created_at"]
CHECKIN_FIELDS = [
    "id", "organization", "round", "provider", "respondent", "contact", "token_hash", "sent_at",
    "expires_at", "answered_at", "comfortable", "clear", "responsive", "recommend",
]  # fmt: skip


def check_ins(orgs: list[Org], rng, now, start, ids):
    """A round a quarter for every provider engaged (big: the three years, small: the last
    year), asked of two members (one in a small organization) and, in a third of the rounds,
    of the provider's contact; about 70% answered."""
    quarters = []
    day = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    while day <= now.date():
        following = date(day.year + (day.month > 9), (day.month + 2) % 12 + 1, 1)
        quarters.append((day, following - timedelta(days=1)))
        day = following
    quarters = [q for q in quarters if q[1] < now.date()]
    drafts = []
    for org in orgs:
        providers = {eng.provider: eng for eng in org.engagements}
        periods = quarters if org.slug == "big" else quarters[-4:]
        for first, last in periods:
            for eng in providers.values():
                drafts.append((last + timedelta(days=1), first, last, org, eng))
    drafts.sort(key=lambda draft: draft[0])
    rounds, checkins = [], []
    for sent_on, first, last, org, eng in drafts:
        pk = ids.take(CheckInRound)
        sent = datetime.combine(sent_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=14)
        rounds.append((pk, org.pk, eng.provider, first, last, ts(sent)))
        people = [(member, None) for member in rng.sample(org.members, min(2, len(org.members)))]
        if rng.random() < 0.33:
            people.append((None, eng.contact))
        for respondent, contact in people:
            checkin = ids.take(CheckIn)
            answered = sent + timedelta(hours=rng.randint(1, 240))
            scores = [None] * 4
            if rng.random() < 0.7 and answered <= now:
                scores = [max(1, min(5, round(rng.gauss(eng.rating, 0.9)))) for _ in range(4)]
            else:
                answered = None
            token = hashlib.sha256(f"bench-{checkin}".encode()).hexdigest()
            checkins.append(
                (checkin, org.pk, pk, eng.provider, respondent, contact, token, ts(sent),
                 ts(sent + timedelta(days=30)), ts(answered), *scores)
            )  # fmt: skip
    return rounds, checkins


# --- Database --------------------------------------------------------------------------------
def engine_label() -> str:
    if pg():
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]} ({settings.DATABASES['default']['NAME']})"
    import sqlite3

    path = Path(settings.DATABASES["default"]["NAME"]).relative_to(REPO)
    return f"SQLite {sqlite3.sqlite_version} ({path})"


def prepare_database(*, keep: bool) -> None:
    """Delete (unless ``keep``) and create the benchmark database, then migrate it."""
    connection.close()
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        path = Path(db["NAME"]).resolve()
        if BENCH_DIR not in path.parents:
            sys.exit(f"Refusing to touch {path}: the benchmark database lives under {BENCH_DIR}.")
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif connection.vendor == "postgresql":
        name = db["NAME"]
        if "bench" not in name:
            sys.exit(f"Refusing to drop database {name!r}: its name must contain 'bench'.")
        params = {"user": db.get("USER"), "password": db.get("PASSWORD")}
        params |= {"host": db.get("HOST"), "port": db.get("PORT")}
        params = {key: value for key, value in params.items() if value}
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if exists and not keep:
                admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
                exists = None
            if not exists:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    else:
        sys.exit(f"This benchmark knows SQLite and PostgreSQL, not {connection.vendor}.")
    call_command("migrate", verbosity=0)


def is_seeded(volumes: Volumes) -> bool:
    big = Organization.objects.filter(slug="big").first()
    return (
        big is not None
        and Organization.objects.count() == volumes.small_orgs + 1
        and Provider.objects.filter(organization=big).count() == volumes.providers
        and Engagement.objects.filter(organization=big).count() == volumes.engagements
        and Task.objects.filter(organization=big).count() > volumes.tasks * 0.9
    )


def row_counts() -> dict[str, int]:
    big = Organization.objects.get(slug="big")
    return {
        "organizations": Organization.objects.count(),
        "users": User.objects.count(),
        "providers": Provider.objects.count(),
        "engagements": Engagement.objects.count(),
        "tasks": Task.objects.count(),
        "tasks of big": Task.objects.filter(organization=big).count(),
        "issues": Issue.objects.count(),
        "issue events": IssueEvent.objects.count(),
        "payments": Payment.objects.count(),
        "W-9s": W9.objects.count(),
        "check-in rounds": CheckInRound.objects.count(),
        "check-ins": CheckIn.objects.count(),
    }


# --- The floor: hand-written SQL ---------------------------------------------------------------
DELIVERED_SQL = "t.status IN ('delivered', 'accepted')"
OPEN_SQL = "t.status IN ('requested', 'acknowledged', 'in_progress', 'returned')"


def seconds_late() -> str:
    if pg():
        return "EXTRACT(EPOCH FROM t.delivered_at - t.due_at)"
    return "(julianday(t.delivered_at) - julianday(t.due_at)) * 86400"


def floor_tasks_sql(*, bucket: str = "0", one_provider: bool = False) -> str:
    """One GROUP BY: per provider (and bucket), the tasks due in the span and not cancelled:
    counted (delivered, or open and overdue), on time, late, average and worst lateness,
    delivered once, returned, rated and average rating, within the service level's
    turnaround: the task figures of a scorecard."""
    late = f"{DELIVERED_SQL} AND t.delivered_at IS NOT NULL AND t.delivered_at > t.due_at"
    return f"""
        SELECT e.provider_id, {bucket} AS bucket,
          SUM(CASE WHEN ({DELIVERED_SQL} AND t.delivered_at IS NOT NULL)
                     OR ({OPEN_SQL} AND t.due_at < %s) THEN 1 ELSE 0 END) AS counted,
          SUM(CASE WHEN {DELIVERED_SQL} AND t.delivered_at <= t.due_at THEN 1 ELSE 0 END),
          SUM(CASE WHEN {late} THEN 1 ELSE 0 END),
          AVG(CASE WHEN {late} THEN {seconds_late()} END),
          MAX(CASE WHEN {late} THEN {seconds_late()} END),
          COUNT(t.first_delivered_at),
          SUM(CASE WHEN t.first_delivered_at IS NOT NULL AND t.returns >= 1 THEN 1 ELSE 0 END),
          COUNT(CASE WHEN t.status = 'accepted' THEN t.quality_rating END),
          AVG(CASE WHEN t.status = 'accepted' THEN t.quality_rating END),
          SUM(CASE WHEN t.turnaround_due_at IS NOT NULL AND (t.first_delivered_at IS NOT NULL
                   OR t.delivered_at IS NOT NULL) THEN 1 ELSE 0 END),
          SUM(CASE WHEN t.turnaround_due_at IS NOT NULL
                   AND COALESCE(t.first_delivered_at, t.delivered_at) <= t.turnaround_due_at
                   THEN 1 ELSE 0 END)
        FROM work_task t JOIN engagements_engagement e ON e.id = t.engagement_id
        WHERE t.organization_id = %s AND t.due_at >= %s AND t.due_at < %s
          AND t.status <> 'cancelled' {ONE_PROVIDER if one_provider else ""}
        GROUP BY e.provider_id{", bucket" if bucket != "0" else ""}
    """


# One provider's tasks are found through its engagements, so that both databases read them by
# the index (organization, engagement, due_at); a join condition on e.provider_id alone lets
# SQLite, grouping by a computed bucket, scan all the organization's tasks instead.
ONE_PROVIDER = """AND t.engagement_id IN (
    SELECT id FROM engagements_engagement WHERE organization_id = %s AND provider_id = %s)"""


def dt_param(moment: datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def run_sql(statement: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def floor_sources_sql(*, bucket: dict[str, str], one_provider: bool) -> list[str]:
    """The scorecard's other sources, one GROUP BY each, per provider (and bucket): issues we
    raised (raised, with a known outcome, answered within target, escalations), payments
    (total, count) and our members' check-ins (answered, the four averages). Plans are worked
    out in Python from a few decisions and are left out."""
    known = """i.respond_by IS NOT NULL AND (i.first_response_at IS NOT NULL
        OR i.escalated_at IS NOT NULL OR (i.first_response_at IS NULL AND i.respond_by < %s
        AND (i.resolved_at IS NULL OR i.resolved_at > i.respond_by)))"""
    in_time = """i.first_response_at IS NOT NULL AND i.escalated_at IS NULL
        AND i.first_response_at <= i.respond_by"""
    group = {name: ", bucket" if sql != "0" else "" for name, sql in bucket.items()}
    return [
        f"""SELECT e.provider_id, {bucket["issues"]} AS bucket, COUNT(*),
              SUM(CASE WHEN {known} THEN 1 ELSE 0 END),
              SUM(CASE WHEN {known} AND {in_time} THEN 1 ELSE 0 END), SUM(i.level)
            FROM work_issue i JOIN engagements_engagement e ON e.id = i.engagement_id
            WHERE i.organization_id = %s AND i.raised_at >= %s AND i.raised_at < %s
              AND i.raised_side = 'us'
              {ONE_PROVIDER.replace("t.", "i.") if one_provider else ""}
            GROUP BY e.provider_id{group["issues"]}""",
        f"""SELECT p.provider_id, {bucket["payments"]} AS bucket, SUM(p.amount), COUNT(*)
            FROM compliance_payment p
            WHERE p.organization_id = %s AND p.paid_on >= %s AND p.paid_on <= %s
              {"AND p.provider_id = %s" if one_provider else ""}
            GROUP BY p.provider_id{group["payments"]}""",
        f"""SELECT c.provider_id, {bucket["checkins"]} AS bucket, COUNT(*), AVG(c.comfortable),
              AVG(c.clear), AVG(c.responsive), AVG(c.recommend)
            FROM insights_checkin c
            WHERE c.organization_id = %s AND c.answered_at >= %s AND c.answered_at < %s
              AND c.contact_id IS NULL {"AND c.provider_id = %s" if one_provider else ""}
            GROUP BY c.provider_id{group["checkins"]}""",
    ]


def floor_period(org, period, provider_id=None, now=None) -> list:
    """A scorecard's figures for ``period`` (every provider, or one): four GROUP BYs, one a
    source (tasks, issues, payments, check-ins)."""
    from handoff.insights import scorecards

    start, end = period.bounds(scorecards.org_zone(org))
    now = dt_param(now or timezone.now())
    one = provider_id is not None
    span = [dt_param(start), dt_param(end)]
    by_engagement = [org.pk, provider_id] if one else []
    issues, payments, checkins = floor_sources_sql(
        bucket=dict.fromkeys(("issues", "payments", "checkins"), "0"), one_provider=one
    )
    return [
        run_sql(floor_tasks_sql(one_provider=one), [now, org.pk, *span, *by_engagement]),
        run_sql(issues, [now, now, org.pk, *span, *by_engagement]),
        run_sql(
            payments,
            [org.pk, period.start, period.end, *([provider_id] if one else [])],
        ),
        run_sql(checkins, [org.pk, *span, *([provider_id] if one else [])]),
    ]


def floor_trend(org, provider_id: int, periods) -> list:
    """The trend's figures for one provider over ``periods``: one GROUP BY a source, the
    bucket a CASE over the periods' bounds (computed here in the organization's time zone)."""
    from handoff.insights import scorecards

    zone = scorecards.org_zone(org)
    bounds = [period.bounds(zone)[1] for period in periods]
    first = dt_param(periods[0].bounds(zone)[0])
    now = dt_param(timezone.now())

    def case(column: str, *, dates: bool = False) -> tuple[str, list]:
        sql = "CASE " + " ".join(
            f"WHEN {column} {'<=' if dates else '<'} %s THEN {n}" for n in range(len(periods))
        )
        ends = [p.end for p in periods] if dates else [dt_param(b) for b in bounds]
        return sql + " END", ends

    task_bucket, task_ends = case("t.due_at")
    buckets = {
        "issues": case("i.raised_at"),
        "payments": case("p.paid_on", dates=True),
        "checkins": case("c.answered_at"),
    }
    issues, payments, checkins = floor_sources_sql(
        bucket={name: sql for name, (sql, _) in buckets.items()}, one_provider=True
    )
    last = dt_param(bounds[-1])
    # Each bucket's parameters come first: it is in the SELECT list before the others.
    return [
        run_sql(
            floor_tasks_sql(bucket=task_bucket, one_provider=True),
            [*task_ends, now, org.pk, first, last, org.pk, provider_id],
        ),
        run_sql(
            issues,
            [*buckets["issues"][1], now, now, org.pk, first, last, org.pk, provider_id],
        ),
        run_sql(
            payments,
            [*buckets["payments"][1], org.pk, periods[0].start, periods[-1].end, provider_id],
        ),
        run_sql(checkins, [*buckets["checkins"][1], org.pk, first, last, provider_id]),
    ]


def floor_dashboard(org, user_id: int) -> list:
    """What the dashboard shows, in hand-written SQL: open tasks overdue and due this week
    (one count for both, and each list's first five with their provider, since a window count
    over the busy week costs more than counting apart); open tasks assigned to the user;
    issues past their response target, payees without a W-9 (paid or engaged), active
    engagements without a signed agreement and due-diligence documents expired or expiring
    within 30 days, each its first five rows with their provider and the count; this year's
    spend; functions with a single active provider; and the providers' names for the
    standings. (Renewals, stale assessments and the spend by planned function are worked out
    in Python from a few rows and are left out.)"""
    now = timezone.now()
    today = timezone.localtime(now, ZoneInfo(org.time_zone)).date()
    week = now + timedelta(days=7)
    org_id = org.pk

    def task_rows(due: str) -> str:  # the first five open tasks due in a span, by due time
        return f"""SELECT f.id, f.title, f.due_at, p.name
            FROM (SELECT t.id, t.title, t.due_at, t.engagement_id FROM work_task t
                  WHERE t.organization_id = %s AND {OPEN_SQL} AND {due}
                  ORDER BY t.due_at, t.id LIMIT 5) f
            JOIN engagements_engagement e ON e.id = f.engagement_id
            JOIN providers_provider p ON p.id = e.provider_id
            ORDER BY f.due_at, f.id"""

    return [
        run_sql(
            f"""SELECT SUM(CASE WHEN t.due_at < %s THEN 1 ELSE 0 END),
                       SUM(CASE WHEN t.due_at >= %s THEN 1 ELSE 0 END)
                FROM work_task t
                WHERE t.organization_id = %s AND {OPEN_SQL} AND t.due_at < %s""",
            [dt_param(now), dt_param(now), org_id, dt_param(week)],
        ),
        run_sql(task_rows("t.due_at < %s"), [org_id, dt_param(now)]),
        run_sql(
            task_rows("t.due_at >= %s AND t.due_at < %s"), [org_id, dt_param(now), dt_param(week)]
        ),
        run_sql(
            f"""SELECT COUNT(*) FROM work_task t
                WHERE t.organization_id = %s AND {OPEN_SQL} AND t.our_assignee_id = %s""",
            [org_id, user_id],
        ),
        run_sql(
            """SELECT f.id, f.title, f.severity, f.level, f.respond_by, p.name, f.matched
               FROM (SELECT i.id, i.title, i.severity, i.level, i.respond_by, i.engagement_id,
                            COUNT(*) OVER () AS matched
                     FROM work_issue i WHERE i.organization_id = %s AND i.status = 'open'
                       AND i.first_response_at IS NULL AND i.respond_by < %s
                     ORDER BY i.respond_by, i.id LIMIT 5) f
               JOIN engagements_engagement e ON e.id = f.engagement_id
               JOIN providers_provider p ON p.id = e.provider_id
               ORDER BY f.respond_by, f.id""",
            [org_id, dt_param(now)],
        ),
        run_sql(
            """SELECT w.id, w.name, COUNT(*) OVER (),
                      EXISTS (SELECT 1 FROM compliance_payment m
                              WHERE m.organization_id = %s AND m.provider_id = w.id)
               FROM providers_provider w WHERE w.organization_id = %s
                 AND NOT EXISTS (SELECT 1 FROM compliance_w9 x
                                 WHERE x.organization_id = %s AND x.provider_id = w.id)
                 AND (EXISTS (SELECT 1 FROM compliance_payment m
                              WHERE m.organization_id = %s AND m.provider_id = w.id)
                      OR EXISTS (SELECT 1 FROM engagements_engagement e
                                 WHERE e.organization_id = %s AND e.provider_id = w.id
                                   AND e.status IN ('active', 'paused')))
               ORDER BY w.name, w.id LIMIT 5""",
            [org_id] * 5,
        ),
        run_sql(
            """SELECT f.id, f.title, f.start_date, p.name, f.matched
               FROM (SELECT t.id, t.title, t.start_date, t.provider_id,
                            COUNT(*) OVER () AS matched
                     FROM engagements_engagement t
                     WHERE t.organization_id = %s AND t.status = 'active'
                       AND NOT EXISTS (SELECT 1 FROM engagements_signedagreement s
                                       WHERE s.organization_id = %s AND s.engagement_id = t.id)
                     ORDER BY t.start_date, t.id LIMIT 5) f
               JOIN providers_provider p ON p.id = f.provider_id
               ORDER BY f.start_date, f.id""",
            [org_id, org_id],
        ),
        run_sql(
            """SELECT f.id, f.title, f.expires_on, p.name, f.matched
               FROM (SELECT d.id, d.title, d.expires_on, d.provider_id,
                            COUNT(*) OVER () AS matched
                     FROM providers_duediligenceitem d
                     WHERE d.organization_id = %s AND d.expires_on IS NOT NULL
                       AND d.expires_on <= %s AND d.status <> 'not_applicable'
                     ORDER BY d.expires_on, d.id LIMIT 5) f
               JOIN providers_provider p ON p.id = f.provider_id
               ORDER BY f.expires_on, f.id""",
            [org_id, today + timedelta(days=30)],
        ),
        run_sql(
            """SELECT SUM(p.amount), COUNT(*) FROM compliance_payment p
               WHERE p.organization_id = %s AND p.paid_on >= %s AND p.paid_on <= %s""",
            [org_id, date(today.year, 1, 1), today],
        ),
        run_sql(
            """SELECT f.function_id FROM engagements_engagementfunction f
               JOIN engagements_engagement e ON e.id = f.engagement_id
               WHERE f.organization_id = %s AND e.status = 'active'
               GROUP BY f.function_id HAVING COUNT(DISTINCT e.provider_id) = 1""",
            [org_id],
        ),
        run_sql("SELECT id, name FROM providers_provider WHERE organization_id = %s", [org_id]),
    ]


# --- Measuring -------------------------------------------------------------------------------
@dataclass
class Case:
    org: str
    name: str
    run: Callable[[], object]
    floor: Callable[[], object] | None = None
    floor_label: str = ""
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.org} · {self.name}"

    @staticmethod
    def p95(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank

    @property
    def query_count(self) -> int:
        return statistics.mode(self.queries)

    @property
    def query_label(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{self.query_count} ({low}–{high})"

    @property
    def ratio(self) -> float | None:
        if not self.floor_ms:
            return None
        return statistics.median(self.times_ms) / statistics.median(self.floor_ms)


def get_page(client: Client, path: str):
    def run():
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        return response

    return run


def scorecard_path(org: Organization, provider_id: int, period) -> tuple[str, str]:
    """The provider's scorecard page for ``period``, or (until it exists) the review page."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    for name in ("insights:provider_scorecard", "insights:scorecard"):
        try:
            path = reverse(name, args=[org.slug, provider_id])
        except NoReverseMatch:
            continue
        return f"{path}?{urlencode(period.params())}", "scorecard page"
    path = reverse("insights:provider_review", args=[org.slug, provider_id])
    return f"{path}?{urlencode(period.params())}", "provider review page"


def trend_length() -> int:
    try:
        from handoff.insights.scorecard_views import TREND_LENGTH
    except ImportError:
        return 8
    return TREND_LENGTH


def busiest_provider(org: Organization) -> int:
    """The provider with the most tasks: the heaviest scorecard page and trend."""
    row = (
        Task.objects.filter(organization=org)
        .values("engagement__provider_id")
        .order_by()
        .annotate(n=models.Count("pk"))
        .order_by("-n")
        .first()
    )
    return row["engagement__provider_id"]


def cases_for(org: Organization) -> list[Case]:
    from handoff.insights import dashboard, scorecards

    owner = Membership.objects.get(organization=org, role=Role.OWNER).user
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(owner)
    last_quarter = scorecards.current(org, scorecards.QUARTER).previous()
    this_quarter = scorecards.current(org, scorecards.QUARTER)
    provider_id = busiest_provider(org)
    trend_periods = scorecards.periods_back(scorecards.QUARTER, 8, until=scorecards.today_for(org))
    page, page_name = scorecard_path(org, provider_id, last_quarter)
    standings = f"/o/{org.slug}/scorecards/?{urlencode(last_quarter.params())}"
    # The scorecard page shows the period's card and the trend of the periods up to it.
    page_trend = scorecards.periods_back(scorecards.QUARTER, trend_length(), until=last_quarter.end)
    slug = org.slug
    return [
        Case(
            slug,
            f"compute, all, {last_quarter.label}",
            lambda: scorecards.compute(Principal.system(org), last_quarter),
            lambda: floor_period(org, last_quarter),
            "4 GROUP BYs by provider (tasks, issues, payments, check-ins)",
        ),
        Case(
            slug,
            f"{page_name}, busiest",
            get_page(client, page),
            lambda: (
                floor_period(org, last_quarter, provider_id),
                floor_trend(org, provider_id, page_trend),
            ),
            f"the quarter and {len(page_trend)} quarters of one provider, 4 GROUP BYs each",
        ),
        Case(
            slug,
            f"standings page, {last_quarter.label}",
            get_page(client, standings),
            lambda: floor_period(org, last_quarter),
            "as compute",
        ),
        Case(
            slug,
            "dashboard.build",
            lambda: dashboard.build(Principal.system(org), user=owner),
            lambda: (floor_dashboard(org, owner.pk), floor_period(org, this_quarter)),
            "each section's count and first rows + this quarter's 4 GROUP BYs by provider",
        ),
        Case(
            slug,
            "dashboard page",
            get_page(client, f"/o/{slug}/dashboard/"),
            lambda: (floor_dashboard(org, owner.pk), floor_period(org, this_quarter)),
            "as dashboard.build",
        ),
        Case(
            slug,
            "trend, busiest, 8 quarters",
            lambda: scorecards.trend(Principal.system(org), provider_id, scorecards.QUARTER, 8),
            lambda: floor_trend(org, provider_id, trend_periods),
            "4 GROUP BYs by quarter (CASE on bounds)",
        ),
    ]


def timed(function) -> tuple[float, int]:
    reset_queries()  # the capture reads a log that keeps only the last 9,000 queries
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        function()
        elapsed = time.perf_counter() - started
    return elapsed * 1000, len(captured.captured_queries)


def measure(cases: list[Case], runs: int, progress: Progress) -> None:
    """Warm each case and its floor up, then time both ``runs`` times, in rounds over all
    cases: a burst of other work on the machine then slows every case alike."""
    bar = progress.add_task("timing (rounds)", total=runs + WARMUP)
    for _ in range(WARMUP):
        for case in cases:
            if case.note:
                continue
            try:
                case.run()
            except Exception as error:  # noqa: BLE001 - a page still being built: say so, go on
                case.note = f"{type(error).__name__}: {str(error)[:120]}"
                continue
            if case.floor:
                case.floor()
        progress.advance(bar)
    for _ in range(runs):
        for case in cases:
            if case.note:
                continue
            elapsed, queries = timed(case.run)
            case.times_ms.append(elapsed)
            case.queries.append(queries)
            if case.floor:
                started = time.perf_counter()
                case.floor()
                case.floor_ms.append((time.perf_counter() - started) * 1000)
        progress.advance(bar)


def breakdown(org: Organization, console: Console) -> None:
    """Where compute (last quarter, all providers) and trend (busiest provider, 8 quarters)
    spend their time: each of scorecards' readers timed alone, median of 5."""
    from handoff.insights import scorecards

    zone, now = scorecards.org_zone(org), timezone.now()
    period = scorecards.current(org, scorecards.QUARTER).previous()
    quarters = scorecards.periods_back(scorecards.QUARTER, 8, until=scorecards.today_for(org))
    provider_id = busiest_provider(org)
    try:
        frames = {
            f"compute({org.slug}, {period.label})": scorecards._Frame(
                Principal.system(org), zone, [period], scorecards.CUSTOM, None, now
            ),
            f"trend({org.slug}, busiest, 8 quarters)": scorecards._Frame(
                Principal.system(org), zone, quarters, scorecards.QUARTER, [provider_id], now
            ),
        }
        readers = {
            name.removeprefix("_read_"): getattr(scorecards, name)
            for name in dir(scorecards)
            if name.startswith("_read_") and name != "_read_all"
        }
    except (AttributeError, TypeError) as error:
        console.print(f"(no breakdown: {error})")
        return
    for label, frame in frames.items():
        parts = []
        for name, reader in sorted(readers.items()):
            times, counts = [], []
            for _ in range(5):
                elapsed, queries = timed(lambda reader=reader, frame=frame: reader(frame))
                times.append(elapsed)
                counts.append(queries)
            parts.append(f"{name} {statistics.median(times):.0f} ms ({counts[-1]} q)")
        console.print(f"{label} by reader: " + "; ".join(parts))

    # The dashboard without its standings (the current quarter's scorecards): the rest.
    from handoff.insights import dashboard

    original = dashboard.standings
    dashboard.standings = lambda *args, **kwargs: (None, "")
    try:
        runs = [timed(lambda: dashboard.build(Principal.system(org))) for _ in range(5)]
    finally:
        dashboard.standings = original
    console.print(
        f"dashboard.build({org.slug}) without its standings: "
        f"{statistics.median(t for t, _ in runs):.0f} ms ({runs[-1][1]} q), median of 5"
    )


def explain(org: Organization, console: Console) -> None:
    """The plans of the queries on tasks that compute and build run for ``org``."""
    from handoff.insights import dashboard, scorecards

    period = scorecards.current(org, scorecards.QUARTER).previous()
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if pg() else "EXPLAIN QUERY PLAN "
    with CaptureQueriesContext(connection) as captured:
        scorecards.compute(Principal.system(org), period)
        dashboard.build(Principal.system(org))
    seen = set()
    for query in captured.captured_queries:
        text = query["sql"]
        if "work_task" not in text or not text.startswith("SELECT") or text in seen:
            continue
        seen.add(text)
        console.rule(f"[bold]{query['time']} s")
        console.print(f"[dim]{text[:700]}{'…' if len(text) > 700 else ''}", highlight=False)
        with connection.cursor() as cursor:
            cursor.execute(prefix + text)
            for row in cursor.fetchall():
                console.print("   " + " | ".join(str(part) for part in row), highlight=False)
    console.rule("[bold]floor, last quarter")
    start, end = period.bounds(scorecards.org_zone(org))
    params = [dt_param(timezone.now()), org.pk, dt_param(start), dt_param(end)]
    with connection.cursor() as cursor:
        cursor.execute(prefix + floor_tasks_sql(), params)
        for row in cursor.fetchall():
            console.print("   " + " | ".join(str(part) for part in row), highlight=False)


def memory_line() -> str:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    current = "?"
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            current = f"{int(line.split()[1]) / 1024:.0f} MiB"
    return f"peak RSS {peak:.0f} MiB (ru_maxrss), current RSS {current} (VmRSS)"


# --- Report ----------------------------------------------------------------------------------
def target_verdict(ratio: float) -> str:
    return "met" if ratio <= TARGET_RATIO else "MISSED"


def print_results(cases: list[Case], console: Console) -> None:
    table = Table(box=box.MARKDOWN, pad_edge=False)
    table.add_column("Case")
    for heading in ("Median ms", "p95 ms", "Queries", "Floor median ms", "Floor p95 ms"):
        table.add_column(heading, justify="right")
    table.add_column("App / floor", justify="right")
    table.add_column("≤ 1.5×")
    for case in cases:
        if not case.times_ms:
            continue
        ratio = case.ratio
        table.add_row(
            case.label,
            f"{statistics.median(case.times_ms):.1f}",
            f"{Case.p95(case.times_ms):.1f}",
            case.query_label,
            f"{statistics.median(case.floor_ms):.1f}" if case.floor_ms else "–",
            f"{Case.p95(case.floor_ms):.1f}" if case.floor_ms else "–",
            f"{ratio:.1f}×" if ratio is not None else "–",
            "–" if ratio is None or case.org != "big" else target_verdict(ratio),
        )
    console.print(table)
    console.print(
        "The target is for big: small's floors take under a few milliseconds, so its ratios "
        "show the fixed cost of a read or a page, not how it scales."
    )
    for case in cases:
        if case.note:
            console.print(f"[red]not timed: {case.label}: {case.note}")
    floors = {case.name: case.floor_label for case in cases if case.floor_label}
    console.print("floors: " + "; ".join(f"{name}: {label}" for name, label in floors.items()))

    pairs: dict[str, dict[str, Case]] = {}
    for case in cases:
        pairs.setdefault(case.name, {})[case.org] = case
    for name, pair in pairs.items():
        if len(pair) < 2 or any(case.note for case in pair.values()):
            continue
        big, small = pair["big"], pair["small"]
        if big.query_count == small.query_count:
            counts = "equal: does not grow"
        else:
            difference = big.query_count - small.query_count
            counts = (
                f"{'more' if difference > 0 else 'fewer'} for big by {abs(difference)}: a section "
                "with nothing in it skips its lookup, and the two differ in which are empty "
                "(tests/insights/test_dashboard.py holds the count equal for 2 and 20 providers)"
            )
        console.print(
            f"queries, {name}: big {big.query_label}, small {small.query_label} → {counts}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="seed a tenth of the volumes")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--runs", type=int, default=20, help="timed runs a case")
    parser.add_argument("--explain", action="store_true", help="print big's query plans")
    parser.add_argument("--seed-only", action="store_true", help="seed, count rows, stop")
    args = parser.parse_args()
    volumes = QUICK if args.quick else FULL
    console = Console(highlight=False, width=max(150, Console().width))

    console.print("[bold]Handoff scorecards and dashboard benchmark")
    console.print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()},"
        f" Django {django.get_version()}"
    )

    seconds = None
    prepare_database(keep=args.reuse)
    if args.reuse and is_seeded(volumes):
        console.print("database: reused, already seeded")
    else:
        if args.reuse:
            console.print("database: not seeded with these volumes; starting afresh")
            prepare_database(keep=False)
        seconds = seed(volumes, console)
    console.print(f"database: {engine_label()}")
    counts = row_counts()
    console.print("rows: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    if seconds is not None:
        console.print(f"seeding took {seconds:.1f} s")
    console.print(f"memory after seeding: {memory_line()}")
    if args.seed_only:
        return

    try:
        from handoff.insights import dashboard, scorecards  # noqa: F401
    except ImportError as error:
        console.print(f"[red]Cannot time the app ({error}); the floors alone follow.")
        return
    big, small = Organization.objects.get(slug="big"), Organization.objects.get(slug="small")
    console.print(
        f"providers: big {Provider.objects.filter(organization=big).count():,}, "
        f"small {Provider.objects.filter(organization=small).count():,}"
    )
    count_task_months([big, small], console)
    run_cases(big, small, args, console)


def count_task_months(orgs: list[Organization], console: Console) -> None:
    """Count the scorecards' monthly task facts afresh (``rollup.rebuild``): the rows went in
    by raw INSERT or COPY, which marks nothing, as the first read after a migration does."""
    from handoff.insights import rollup
    from handoff.insights.models import TaskMonth

    for org in orgs:
        elapsed, queries = timed(lambda org=org: rollup.rebuild(org))
        console.print(
            f"task months of {org.slug} counted afresh (rollup.rebuild): {elapsed / 1000:.1f} s, "
            f"{queries} queries, {TaskMonth.objects.filter(organization=org).count():,} rows"
        )
    if pg():
        # As autovacuum would after rows written at once (the seeding's VACUUM ANALYZE ran
        # before these).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TaskMonth._meta.db_table}")


def refresh_after_changes(org: Organization, console: Console, changes: int = 10) -> None:
    """What a read costs after ``changes`` tasks anywhere in the history were saved: their
    months counted again (each change marks its month through the work hook, as the services
    do; the saves are not timed)."""
    from handoff.insights import rollup
    from handoff.work import hooks

    ids = list(
        Task.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True)[::5000]
    )
    rng = random.Random(7)
    runs = []
    for _ in range(5):
        for task in Task.objects.filter(pk__in=rng.sample(ids, changes)):
            task.save(update_fields=["updated_at"])
            hooks.task_changed(task)
        runs.append(timed(lambda: rollup.refresh(org)))
    console.print(
        f"rollup.refresh({org.slug}) after {changes} tasks changed: "
        f"{statistics.median(t for t, _ in runs):.0f} ms ({runs[-1][1]} q), median of 5"
    )


def run_cases(big, small, args, console: Console) -> None:
    if args.explain:
        explain(big, console)
    breakdown(big, console)
    refresh_after_changes(big, console)
    cases = cases_for(big) + cases_for(small)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as progress:  # fmt: skip
        measure(cases, args.runs, progress)
    console.print(
        f"\n{len(cases)} cases, {WARMUP} warm-up and {args.runs} timed runs each (and of each "
        f"floor), in {time.perf_counter() - started:.0f} s; 1-minute load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after\n"
    )
    print_results(cases, console)
    console.print(f"memory at the end: {memory_line()}")


if __name__ == "__main__":
    main()
