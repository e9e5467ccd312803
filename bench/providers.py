"""Benchmark of the provider list: the page /o/<slug>/providers/ and GET /api/v1/providers.

It throws away and seeds a benchmark database with 1,000 organizations and 100,000 providers:
one organization, "big", holds 10,000 of them, one, "small", holds 100, and the rest are spread
over the other 998. Every provider has 1-3 fields of expertise and 1-2 contacts; about 3% of
providers and 5% of contacts are archived. Rows of all organizations are interleaved, as they
would be after years of use. Then it requests, for "big" and for "small", the list page and the
endpoint (50 a page): the first page, a search, the last page, and the search as the htmx
search box sends it. Each case gets 5 warm-up requests, then 100 timed ones, taken in rounds
over all cases so that other work on the machine slows every case alike.

Run it from the repository root:

    uv run python bench/providers.py              # SQLite: var/bench/handoff.sqlite3
    HANDOFF_DATABASE_URL=postgres://postgres@127.0.0.1:5432/handoff_bench \\
        uv run python bench/providers.py          # PostgreSQL

Options:

    --quick        a tenth of the volumes, for a smoke run: 100 organizations, 10,000 providers,
                   1,000 of them in "big" ("small" keeps its 100, so that its search finds some)
    --reuse        keep a database already seeded with the same volumes
    --requests N   timed requests a case (default 100, after 5 warm-up requests)
    --explain      print the query plans of the big organization's first page and search

The SQLite file under var/bench/ is deleted at start; a PostgreSQL database is dropped and
created again (only one whose name contains "bench"). The demo database var/handoff.sqlite3 is
never touched. PostgreSQL gets VACUUM ANALYZE after seeding, as autovacuum would do after a bulk
load; SQLite gets no ANALYZE, as the app never runs one.

What it prints: the machine and database, the row counts and the seeding time; a table with,
per case, the providers matched, the median and 95th-percentile time in milliseconds and the
SQL queries a request; whether the query count is the same for the small and the big
organization; whether each case meets the targets (median < 30 ms, p95 < 60 ms); and the
process memory (peak and current resident set). Each time is the wall time around one
django.test.Client.get call: middleware, view, queries, template or JSON rendering, in the
same process, without a network or a WSGI server. Nothing is asserted.
"""

import argparse
import math
import os
import platform
import random
import re
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "var" / "bench"

# Before Django reads its settings: the SQLite file goes under var/bench/, DEBUG stays off.
os.environ["HANDOFF_VAR_DIR"] = str(BENCH_DIR)
os.environ["HANDOFF_DEBUG"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handoff.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
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

from handoff.accounts.models import ApiToken, Membership, Organization, User  # noqa: E402
from handoff.accounts.principal import for_session  # noqa: E402
from handoff.accounts.services import create_api_token  # noqa: E402
from handoff.core.principal import Principal  # noqa: E402
from handoff.core.roles import Role  # noqa: E402
from handoff.providers import selectors  # noqa: E402
from handoff.providers.choices import (  # noqa: E402
    DEFAULT_EXPERTISE_FIELDS,
    Channel,
    EntityType,
    ProviderKind,
    ProviderStatus,
)
from handoff.providers.models import (  # noqa: E402
    Contact,
    ExpertiseField,
    Provider,
    ProviderExpertise,
)

SEARCH = "payroll"  # a trade word: about 4% of provider names, some hundreds in "big"
PAGE_SIZE = 50
BATCH = 5_000
TARGET_MEDIAN_MS = 30
TARGET_P95_MS = 60
WARMUP = 5


@dataclass(frozen=True)
class Volumes:
    organizations: int
    providers: int
    big: int
    small: int


FULL = Volumes(organizations=1_000, providers=100_000, big=10_000, small=100)
QUICK = Volumes(organizations=100, providers=10_000, big=1_000, small=100)  # small stays 100

# --- Names ------------------------------------------------------------------------------------
DESCRIPTORS = [
    "Summit", "Harbor", "Pinnacle", "Blue Ridge", "Northwind", "Cedar", "Keystone", "Lakeside",
    "Redwood", "Silverline", "Brightpath", "Evergreen", "Granite", "Ironbridge", "Meridian",
    "Oakmont", "Pioneer", "Riverbend", "Sterling", "Westfield", "Clearwater", "Highland",
    "Liberty", "Maple", "Anchor", "Beacon", "Compass", "Crescent", "Frontier", "Horizon",
    "Landmark", "Milestone", "Prairie", "Quarry", "Sunrise", "Trailhead", "Union", "Vantage",
    "Willow", "Atlas",
]  # fmt: skip
TRADES = [
    "Bookkeeping", "Payroll", "Billing", "Accounting", "Tax", "Staffing", "Logistics",
    "Fulfillment", "Marketing", "Design", "Translation", "Legal", "Cloud", "Data", "Support",
    "Cleaning", "Courier", "Print", "Research", "Consulting",
]  # fmt: skip
FIRM_SUFFIXES = [
    "Group", "Partners", "Services", "Solutions", "Associates", "Co.", "Collective", "Works",
    "Agency", "Advisors",
]  # fmt: skip
LEGAL_SUFFIXES = ["LLC", "Inc.", "LLP", "Corp.", "Ltd."]
FIRST_NAMES = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
    "Mia", "Mateo", "Amelia", "Ethan", "Harper", "Daniel", "Evelyn", "Henry", "Abigail", "Jack",
    "Emily", "Owen", "Ella", "Samuel", "Grace", "David", "Chloe", "Joseph", "Nora", "Carter",
    "Lily", "Wyatt", "Zoe", "Julian", "Hannah", "Levi", "Layla", "Isaac", "Riley", "Gabriel",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores",
]  # fmt: skip
TITLES = [
    "Account manager", "Owner", "Operations lead", "Billing contact", "Project manager",
    "Partner", "Office manager", "Support lead",
]  # fmt: skip
PLACES = [
    ("Austin", "TX"), ("Denver", "CO"), ("Columbus", "OH"), ("Portland", "OR"), ("Raleigh", "NC"),
    ("Tampa", "FL"), ("Madison", "WI"), ("Boise", "ID"), ("Richmond", "VA"), ("Omaha", "NE"),
    ("Albany", "NY"), ("Tucson", "AZ"), ("Spokane", "WA"), ("Savannah", "GA"),
    ("Burlington", "VT"),
]  # fmt: skip
BUSINESSES = ["Dental", "Bakery", "Studio", "Clinic", "Hardware", "Florist", "Garage", "Law"]
STREETS = ["Main St", "Oak Ave", "Market St", "2nd St", "Park Blvd", "Elm St", "Commerce Dr"]
FIRM_ENTITIES = [
    EntityType.PARTNERSHIP, EntityType.C_CORPORATION, EntityType.S_CORPORATION,
    EntityType.SINGLE_MEMBER_LLC, EntityType.OTHER, "",
]  # fmt: skip
STATUSES = (
    [ProviderStatus.ACTIVE] * 10 + [ProviderStatus.PROSPECT] * 7 + [ProviderStatus.FORMER] * 3
)
CHANNELS = [Channel.EMAIL] * 16 + [Channel.PHONE] * 3 + [Channel.PORTAL]


def domain_of(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())[:40] + ".example"


def make_provider(rng: random.Random, org_id: int, now) -> Provider:
    trade = rng.choice(TRADES)
    if rng.random() < 0.8:
        kind = ProviderKind.FIRM
        pattern = rng.random()
        if pattern < 0.5:
            name = f"{rng.choice(DESCRIPTORS)} {trade} {rng.choice(FIRM_SUFFIXES)}"
        elif pattern < 0.8:
            name = f"{rng.choice(LAST_NAMES)} {trade} {rng.choice(FIRM_SUFFIXES)}"
        else:
            name = f"{rng.choice(LAST_NAMES)} & {rng.choice(LAST_NAMES)} {trade}"
        legal_name = f"{name} {rng.choice(LEGAL_SUFFIXES)}" if rng.random() < 0.7 else ""
        entity_type = rng.choice(FIRM_ENTITIES)
    else:
        kind = ProviderKind.INDIVIDUAL
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        legal_name = f"{name} {trade}" if rng.random() < 0.3 else ""  # trading under a name
        entity_type = rng.choice([EntityType.SOLE_PROPRIETOR, EntityType.SINGLE_MEMBER_LLC])
    city, region = rng.choice(PLACES)
    return Provider(
        organization_id=org_id,
        name=name,
        legal_name=legal_name,
        kind=kind,
        entity_type=entity_type,
        website=f"https://{domain_of(name)}" if rng.random() < 0.6 else "",
        street=f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
        city=city,
        region=region,
        postal_code=f"{rng.randint(10000, 99999)}",
        status=rng.choice(STATUSES),
        notes="Found through a referral." if rng.random() < 0.2 else "",
        archived_at=now if rng.random() < 0.03 else None,
    )


def make_contact(rng: random.Random, provider: Provider, now) -> Contact:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return Contact(
        organization_id=provider.organization_id,
        provider_id=provider.pk,
        name=f"{first} {last}",
        title=rng.choice(TITLES),
        email=f"{first}.{last}@{domain_of(provider.name)}".lower(),
        phone=f"(555) {rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
        preferred_channel=rng.choice(CHANNELS),
        archived_at=now if rng.random() < 0.05 else None,
    )


# --- Database ---------------------------------------------------------------------------------
def engine_label() -> str:
    if connection.vendor == "postgresql":
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
    small = Organization.objects.filter(slug="small").first()
    return (
        big is not None
        and small is not None
        and Organization.objects.count() == volumes.organizations
        and Provider.objects.count() == volumes.providers
        and Provider.objects.filter(organization=big).count() == volumes.big
        and Provider.objects.filter(organization=small).count() == volumes.small
    )


def organization_sizes(volumes: Volumes) -> list[int]:
    """Providers per organization: big, small, then the rest spread evenly."""
    others = volumes.organizations - 2
    rest = volumes.providers - volumes.big - volumes.small
    return [volumes.big, volumes.small] + [
        rest // others + (1 if index < rest % others else 0) for index in range(others)
    ]


def seed(volumes: Volumes, console: Console) -> float:
    """Fill the empty database; returns the seconds it took."""
    rng = random.Random(20261125)
    now = timezone.now()
    started = time.perf_counter()
    columns = [
        TextColumn("{task.description:<34}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console) as progress:
        orgs_task = progress.add_task("organizations, fields, owners", total=volumes.organizations)
        providers_task = progress.add_task(
            "providers, expertise, contacts", total=volumes.providers
        )

        orgs = [
            Organization(name="Big Outsourcing Co", slug="big", states=["NY"]),
            Organization(name="Small Dental Practice", slug="small", states=["IL"]),
        ]
        for index in range(1, volumes.organizations - 1):
            name = f"{rng.choice(LAST_NAMES)} {rng.choice(BUSINESSES)}"
            orgs.append(Organization(name=name, slug=f"org-{index:04d}", states=["TX"]))
        with transaction.atomic():
            orgs = Organization.objects.bulk_create(orgs)
            fields = ExpertiseField.objects.bulk_create(
                ExpertiseField(organization=org, name=name)
                for org in orgs
                for name in DEFAULT_EXPERTISE_FIELDS
            )
            for org in orgs[:2]:
                owner = User.objects.create_user(
                    email=f"owner@{org.slug}.example", name=f"{org.slug.title()} Owner"
                )
                Membership.objects.create(organization=org, user=owner, role=Role.OWNER)
        field_ids: dict[int, list[int]] = {}
        for expertise_field in fields:
            field_ids.setdefault(expertise_field.organization_id, []).append(expertise_field.pk)
        progress.update(orgs_task, completed=volumes.organizations)

        # One organization id per provider, shuffled: rows interleave as after years of use.
        owners = [
            org.pk
            for org, size in zip(orgs, organization_sizes(volumes), strict=True)
            for _ in range(size)
        ]
        rng.shuffle(owners)
        for start in range(0, len(owners), BATCH):
            with transaction.atomic():
                providers = Provider.objects.bulk_create(
                    make_provider(rng, org_id, now) for org_id in owners[start : start + BATCH]
                )
                ProviderExpertise.objects.bulk_create(
                    ProviderExpertise(
                        organization_id=provider.organization_id,
                        provider_id=provider.pk,
                        field_id=field_id,
                    )
                    for provider in providers
                    for field_id in rng.sample(
                        field_ids[provider.organization_id], rng.randint(1, 3)
                    )
                )
                Contact.objects.bulk_create(
                    make_contact(rng, provider, now)
                    for provider in providers
                    for _ in range(rng.randint(1, 2))
                )
            progress.advance(providers_task, len(providers))

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


# --- Measuring --------------------------------------------------------------------------------
@dataclass
class Case:
    org: str  # "big" or "small"
    variant: str  # "page", "page ?q=…", …: the same for both organizations
    path: str
    client: Client
    headers: dict = field(default_factory=dict)
    matched: int = 0
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    size: int = 0

    @property
    def label(self) -> str:
        return f"{self.org} · {self.variant}"

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank

    @property
    def query_count(self) -> int:
        return statistics.mode(self.queries)

    @property
    def query_label(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{self.query_count} ({low}–{high})"

    @property
    def meets_target(self) -> bool:
        return self.median < TARGET_MEDIAN_MS and self.p95 < TARGET_P95_MS


def cases_for(org: Organization) -> list[Case]:
    owner = Membership.objects.get(organization=org, role=Role.OWNER).user
    ApiToken.objects.filter(organization=org).delete()  # --reuse: one bench token at a time
    _, raw = create_api_token(for_session(owner, org.slug), name="bench")
    page = Client(HTTP_HOST="127.0.0.1")
    page.force_login(owner)
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw}")

    live = selectors.provider_list(Principal.system(org)).count()
    found = selectors.provider_list(Principal.system(org), q=SEARCH).count()
    last = max(1, math.ceil(live / PAGE_SIZE))
    htmx = {"HTTP_HX_REQUEST": "true"}
    page_url = f"/o/{org.slug}/providers/"
    api_url = f"/api/v1/providers?per_page={PAGE_SIZE}"
    specs = [
        ("page", page_url, page, {}, live),
        (f"page ?q={SEARCH}", f"{page_url}?q={SEARCH}", page, {}, found),
        (f"page ?q={SEARCH} (htmx)", f"{page_url}?q={SEARCH}", page, htmx, found),
        ("page ?page=last", f"{page_url}?page={last}", page, {}, live),
        ("api", api_url, api, {}, live),
        (f"api ?q={SEARCH}", f"{api_url}&q={SEARCH}", api, {}, found),
        ("api ?page=last", f"{api_url}&page={last}", api, {}, live),
    ]
    return [
        Case(org.slug, variant, path, client, headers, matched)
        for variant, path, client, headers, matched in specs
    ]


def request(case: Case) -> None:
    """One timed request of ``case``, with the queries it ran."""
    reset_queries()  # the capture reads a log that keeps only the last 9,000 queries
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = case.client.get(case.path, **case.headers)
        elapsed = time.perf_counter() - started
    case.times_ms.append(elapsed * 1000)
    case.queries.append(len(captured.captured_queries))
    case.statuses.add(response.status_code)
    case.size = len(response.content)


def measure(cases: list[Case], requests: int) -> None:
    """Warm each case up, then time it ``requests`` times, in rounds over all cases: a burst of
    other work on the machine then slows every case alike instead of one."""
    for case in cases:
        for _ in range(WARMUP):
            case.client.get(case.path, **case.headers)
    for _ in range(requests):
        for case in cases:
            request(case)


def explain(case: Case, console: Console) -> None:
    """The plan of every query on providers that one request of ``case`` runs."""
    with CaptureQueriesContext(connection) as captured:
        case.client.get(case.path, **case.headers)
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    console.rule(f"[bold]{case.label}")
    for query in captured.captured_queries:
        if "providers_provider" not in query["sql"] or not query["sql"].startswith("SELECT"):
            continue
        console.print(f"[dim]{query['sql'][:400]}{'…' if len(query['sql']) > 400 else ''}")
        with connection.cursor() as cursor:
            cursor.execute(prefix + query["sql"])
            for row in cursor.fetchall():
                console.print("   " + " | ".join(str(part) for part in row), highlight=False)


def memory_line() -> str:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    current = "?"
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            current = f"{int(line.split()[1]) / 1024:.0f} MiB"
    return f"peak RSS {peak:.0f} MiB (ru_maxrss), current RSS {current} (VmRSS)"


# --- Report -----------------------------------------------------------------------------------
def print_results(cases: list[Case], volumes: Volumes, console: Console) -> None:
    table = Table(box=box.MARKDOWN, title=None, pad_edge=False)
    table.add_column("Case")
    for heading in ("Providers", "Median ms", "p95 ms", "Queries", "KiB"):
        table.add_column(heading, justify="right")
    table.add_column("Target")
    for case in cases:
        table.add_row(
            case.label,
            f"{case.matched:,}",
            f"{case.median:.1f}",
            f"{case.p95:.1f}",
            case.query_label,
            f"{case.size / 1024:.0f}",
            "met" if case.meets_target else "MISSED",
        )
    console.print(table)

    odd = [case for case in cases if case.statuses != {200}]
    for case in odd:
        console.print(f"[red]{case.label} answered {sorted(case.statuses)}, not only 200.")

    by_variant: dict[str, dict[str, Case]] = {}
    for case in cases:
        by_variant.setdefault(case.variant, {})[case.org] = case
    unequal = [
        f"{variant} ({pair['small'].query_count} for {pair['small'].matched} matched vs "
        f"{pair['big'].query_count} for {pair['big'].matched:,})"
        for variant, pair in by_variant.items()
        if pair["small"].query_count != pair["big"].query_count
    ]
    sizes = f"small ({volumes.small:,} providers) and big ({volumes.big:,})"
    if unequal:
        console.print(f"Query count equal for {sizes}: NO — differs for " + "; ".join(unequal))
    else:
        console.print(f"Query count equal for {sizes}: yes, in all {len(by_variant)} cases.")

    targets = f"median < {TARGET_MEDIAN_MS} ms and p95 < {TARGET_P95_MS} ms a request"
    missed = [case for case in cases if not case.meets_target]
    if missed:
        console.print(
            f"Targets ({targets}): NOT met by {len(missed)} of {len(cases)} cases: "
            + "; ".join(f"{c.label} ({c.median:.1f} / {c.p95:.1f} ms)" for c in missed)
        )
    else:
        console.print(f"Targets ({targets}): met by all {len(cases)} cases.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="seed a tenth of the volumes")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--requests", type=int, default=100, help="timed requests a case")
    parser.add_argument("--explain", action="store_true", help="print the big org's query plans")
    args = parser.parse_args()
    volumes = QUICK if args.quick else FULL
    console = Console(highlight=False, width=max(110, Console().width))

    console.print("[bold]Handoff provider list benchmark")
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
    counts = {
        "organizations": Organization.objects.count(),
        "users": User.objects.count(),
        "providers": Provider.objects.count(),
        "provider fields of expertise": ProviderExpertise.objects.count(),
        "contacts": Contact.objects.count(),
        "expertise fields": ExpertiseField.objects.count(),
    }
    console.print("rows: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    if seconds is not None:
        console.print(f"seeding took {seconds:.1f} s")
    console.print(f"memory after seeding: {memory_line()}")

    big, small = Organization.objects.get(slug="big"), Organization.objects.get(slug="small")
    cases = cases_for(big) + cases_for(small)
    if args.explain:
        for case in cases[:2]:
            explain(case, console)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    measure(cases, args.requests)
    console.print(
        f"\n{len(cases)} cases, {WARMUP} warm-up and {args.requests} timed requests each, "
        f"in {time.perf_counter() - started:.0f} s; search q={SEARCH!r}; 1-minute load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after (a database server on the same "
        "machine counts too)\n"
    )
    print_results(cases, volumes, console)
    console.print(f"memory at the end: {memory_line()}")


if __name__ == "__main__":
    main()
