"""Scorecards: how each provider did in a period, figure by figure, computed set-based.

Nothing is stored. :func:`compute` reads every provider of a period at once with one grouped
query per source (tasks, issues, payments, plans, check-ins): the number of queries is the same
for two providers as for two hundred. :func:`trend` does the same for several periods of one
provider at once, grouping by the month, quarter or year (a CASE on the periods' ends in the
organization's time zone), so its cost does not grow with the number of periods either.

Every figure carries its value, the number of data points it rests on (``count``) and a link to
the rows behind it. A figure without data has the value ``None`` and ``count`` 0: no perfect
score from nothing. The definitions are in ``docs/scorecards.md``; in short:

* **Task figures** look at the tasks *due in the period* (not cancelled). A task counts for
  on time once it is delivered (delivered or accepted) or, still open, once it is overdue —
  overdue work counts as late. On time means the latest delivery came by the due time.
* **Lateness** (average and worst) is of the late deliveries, in hours.
* **Turnaround** is the share of tasks of a service-level kind whose first delivery came within
  that service level's turnaround counted from when the task was sent. The deadline is worked
  out with the organization's business days and holidays when the task is sent and kept on it
  (``Task.turnaround_due_at``), so it is one more count in the grouped tasks query.
* **Rework** is the share of tasks delivered at least once that were returned at least once.
* **Quality** is the average rating (1–5) of accepted tasks that got one.
* **Issues** are those our side raised about the provider in the period. *Answered within
  target*: answered before the original ``respond_by``; an escalated issue was not (the climb
  moves ``respond_by``, so ``escalated_at`` tells). Issues still inside their target, or without
  one, are not counted yet. *Escalations* counts the ladder's climbs of those issues.
* **Check-ins** average the four 1–5 answers of the check-ins answered in the period.
* **Spend** sums the payments to the provider in the period; **plan** prorates, by day, the
  planned annual cost of the decisions (to outsource, for the provider's engagements'
  functions) in force in the period; **savings** prorate their in-house baseline minus spend.
* **Overall** (0–100) is the weighted mean of the scored figures that have data, renormalised
  over those figures (see :data:`DEFAULT_WEIGHTS`).
"""

from __future__ import annotations

import zoneinfo
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from handoff.core import audit
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.decisions.choices import ChosenOption
from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import Engagement, EngagementFunction
from handoff.insights import rollup
from handoff.payables.models import Payment
from handoff.providers.models import Provider
from handoff.work import status as task_status
from handoff.work.choices import Side, TaskStatus
from handoff.work.models import Issue, Task

# --- Periods ----------------------------------------------------------------------------------
MONTH, QUARTER, YEAR, CUSTOM = "month", "quarter", "year", "custom"
KINDS = (MONTH, QUARTER, YEAR, CUSTOM)
KIND_CHOICES = [(MONTH, "Month"), (QUARTER, "Quarter"), (YEAR, "Year"), (CUSTOM, "From – to")]
MAX_CUSTOM_DAYS = 3 * 366
# The period a page or the API shows when none is asked for: this quarter. The standings on the
# dashboard and on the scorecards page, a provider's scorecard and its card all open on it, so
# a provider shows one score wherever it is read without a period chosen.
DEFAULT_KIND = QUARTER
MAX_TREND = 24


@dataclass(frozen=True)
class Period:
    """A span of whole days in the organization's time zone, both ends included."""

    start: date
    end: date
    label: str
    kind: str = CUSTOM

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self, tz: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
        """Aware datetimes: the period's first instant and the instant after its last day."""
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    def params(self) -> dict:
        """The query parameters that pick this period again on the pages and in the API."""
        if self.kind == CUSTOM:
            return {"period": CUSTOM, "from": self.start.isoformat(), "to": self.end.isoformat()}
        return {"period": self.kind, "on": self.start.isoformat()}

    def previous(self) -> Period:
        if self.kind == CUSTOM:
            return custom(self.start - timedelta(days=self.days), self.start - timedelta(days=1))
        return period_of(self.kind, self.start - timedelta(days=1))

    def following(self) -> Period:
        if self.kind == CUSTOM:
            return custom(self.end + timedelta(days=1), self.end + timedelta(days=self.days))
        return period_of(self.kind, self.end + timedelta(days=1))


def month(year: int, month_: int) -> Period:
    start = date(year, month_, 1)
    return Period(start, start + relativedelta(months=1, days=-1), f"{start:%B %Y}", MONTH)


def quarter(year: int, number: int) -> Period:
    start = date(year, 3 * (number - 1) + 1, 1)
    return Period(start, start + relativedelta(months=3, days=-1), f"Q{number} {year}", QUARTER)


def year(year_: int) -> Period:
    return Period(date(year_, 1, 1), date(year_, 12, 31), str(year_), YEAR)


def custom(start: date, end: date) -> Period:
    if start.year == end.year:
        label = f"{start:%b} {start.day} – {end:%b} {end.day}, {end.year}"
    else:
        label = f"{start:%b} {start.day}, {start.year} – {end:%b} {end.day}, {end.year}"
    return Period(start, end, label, CUSTOM)


def period_of(kind: str, day: date) -> Period:
    """The month, quarter or year that holds ``day``."""
    if kind == MONTH:
        return month(day.year, day.month)
    if kind == QUARTER:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if kind == YEAR:
        return year(day.year)
    raise ValueError(f"{kind!r} is not a month, quarter or year")


def org_zone(org) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(org.time_zone)


def today_for(org, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(org_zone(org)).date()


def current(org, kind: str = MONTH, now: datetime | None = None) -> Period:
    """This month, quarter or year in the organization's time zone."""
    return period_of(kind, today_for(org, now))


def periods_back(kind: str, count: int, *, until: date) -> list[Period]:
    """The ``count`` periods of ``kind`` ending with the one that holds ``until``, oldest first."""
    periods = [period_of(kind, until)]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]


def _date(value, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError({name: "Give a date as YYYY-MM-DD."}) from None


def parse_period(org, params, now: datetime | None = None) -> Period:
    """The period named by ``params`` (``period``: month, quarter, year or custom, default
    :data:`DEFAULT_KIND`; ``on``: a day inside it, default today; custom needs ``from`` and
    ``to``). Raises ``ValidationError`` keyed by the field at fault."""
    kind = (params.get("period") or DEFAULT_KIND).strip()
    if kind not in KINDS:
        raise ValidationError({"period": "Choose month, quarter, year or custom."})
    if kind == CUSTOM:
        if not params.get("from"):
            raise ValidationError({"from": "Give the first day of the range."})
        if not params.get("to"):
            raise ValidationError({"to": "Give the last day of the range."})
        start, end = _date(params.get("from"), "from"), _date(params.get("to"), "to")
        if start > end:
            raise ValidationError({"to": "The range ends before it starts."})
        if (end - start).days >= MAX_CUSTOM_DAYS:
            raise ValidationError({"to": "Keep a range under three years."})
        return custom(start, end)
    on = _date(params["on"], "on") if params.get("on") else today_for(org, now)
    return period_of(kind, on)


# --- Figures ----------------------------------------------------------------------------------
@dataclass
class Figure:
    """One figure of a scorecard: ``value`` is None when ``count`` (its data points) is 0."""

    key: str
    label: str
    unit: str  # percent (0..1), hours, rating (1..5), money, count, score (0..100)
    value: float | Decimal | int | None = None
    count: int = 0
    url: str = ""
    note: str = ""

    @property
    def has_data(self) -> bool:
        return self.count > 0 and self.value is not None

    @property
    def percent(self) -> float | None:
        return None if self.value is None else round(float(self.value) * 100, 1)


def score_text(value) -> str:
    """An overall score as every page prints it ("73 / 100"), so that a score rounds the same
    way on the dashboard, the scorecards and the reports."""
    return f"{float(value):.0f} / 100"


def percent_text(value) -> str:
    """A share (0..1) as every page prints it ("92%")."""
    return f"{float(value) * 100:.0f}%"


LABELS = {
    "on_time": ("On time", "percent"),
    "lateness_avg": ("Average lateness", "hours"),
    "lateness_worst": ("Worst lateness", "hours"),
    "turnaround": ("Within the service level's turnaround", "percent"),
    "rework": ("Returned for rework", "percent"),
    "quality": ("Quality rating at acceptance", "rating"),
    "issues_raised": ("Issues raised", "count"),
    "responses": ("Issues answered within target", "percent"),
    "escalations": ("Escalations", "count"),
    "checkins": ("Relationship check-ins", "rating"),
    "spend": ("Spend", "money"),
    "plan": ("Planned spend", "money"),
    "savings": ("Realised savings against in-house", "money"),
}
FIGURES = tuple(LABELS)
CHECKIN_QUESTIONS = {
    "comfortable": "Comfortable working with them",
    "clear": "Communication is clear",
    "responsive": "Responsive",
    "recommend": "Would recommend them",
}

# The weight of each scored figure in the overall score. Delivery comes first: hitting
# deadlines is what owners outsource for, so on time weighs most; turnaround, rework and
# quality say how good and how fast the work is; issue responses and the people's check-ins
# say how the relationship feels; spend against plan says whether it costs what was decided.
# Lateness and escalations are not scored separately: on time and responses already count them.
DEFAULT_WEIGHTS: dict[str, float] = {
    "on_time": 3,
    "turnaround": 2,
    "rework": 2,
    "quality": 2,
    "responses": 1,
    "checkins": 1,
    "spend": 1,
}
SCORED = tuple(DEFAULT_WEIGHTS)


def figure_score(key: str, found: dict[str, tuple]) -> float | None:
    """A figure on a 0..1 scale (1 best) for the overall score; None without data. ``found``:
    (value, count) of each figure with data."""
    if key not in found:
        return None
    value = float(found[key][0])
    if key in ("on_time", "turnaround", "responses"):
        return value
    if key == "rework":
        return 1 - value
    if key in ("quality", "checkins"):
        return (value - 1) / 4
    if key == "spend":
        plan = found.get("plan")
        if plan is None or not plan[0]:
            return None
        planned = float(plan[0])
        over = (value - planned) / planned
        return max(0.0, min(1.0, 1 - over)) if over > 0 else 1.0
    return None


def clean_weights(raw) -> dict[str, float]:
    """Weights as saved: every scored figure, a non-negative number, not all zero. Raises
    ``ValidationError`` keyed by the figure."""
    if not isinstance(raw, dict):
        raise ValidationError({"weights": "Give a weight for each figure."})
    unknown = set(raw) - set(SCORED)
    if unknown:
        raise ValidationError({"weights": f"Unknown figures: {', '.join(sorted(unknown))}."})
    weights, errors = {}, {}
    for key in SCORED:
        value = raw.get(key, DEFAULT_WEIGHTS[key])
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[key] = "Give a number."
            continue
        if isinstance(value, bool) or number != number or number in (float("inf"),):
            errors[key] = "Give a number."
        elif number < 0:
            errors[key] = "A weight cannot be negative."
        elif number > 1000:
            errors[key] = "Keep a weight at 1000 or under."
        else:
            weights[key] = number
    if errors:
        raise ValidationError(errors)
    if not any(weights.values()):
        raise ValidationError({"weights": "Give at least one figure a weight above zero."})
    return weights


@transaction.atomic
def save_weights(principal: Principal, *, weights: dict) -> dict[str, float]:
    """Check and keep the organization's weights (admins)."""
    principal.require_in(principal.organization_id, Role.ADMIN, "Changing the scorecard weights")
    org, actor = principal.organization, principal.user
    from handoff.insights.models import InsightsSettings

    cleaned = clean_weights(weights)
    settings_, _ = InsightsSettings.objects.get_or_create(organization=org)
    before = settings_.weights
    settings_.weights = cleaned
    settings_.save(update_fields=["weights"])
    audit.record(
        org,
        actor,
        "scorecard.weights",
        settings_,
        "Changed the scorecard weights",
        {"weights": [before, cleaned]},
    )
    return cleaned


def weights_for(principal) -> dict[str, float]:
    """The organization's weights, falling back to the defaults for anything unset or bad."""
    from handoff.insights.models import InsightsSettings

    saved = InsightsSettings.objects.visible_to(principal).values_list("weights", flat=True).first()
    return _usable_weights(saved)


def _usable_weights(saved) -> dict[str, float]:
    try:
        return clean_weights({k: v for k, v in (saved or {}).items() if k in SCORED})
    except ValidationError:
        return dict(DEFAULT_WEIGHTS)


def _prepare(principal, weights: dict | None) -> dict[str, float]:
    """Before a read: the monthly task facts made current, and the weights (the caller's, or
    the organization's), from one read of the settings row and whether any month is stale."""
    from handoff.insights.models import InsightsSettings, TaskMonth

    stale = TaskMonth.objects.visible_to(principal).filter(stale__isnull=False)
    row = (
        InsightsSettings.objects.visible_to(principal)
        .values_list("weights", "rollup_zone", Exists(stale))
        .first()
    )
    saved, counted_in, any_stale = row or (None, None, True)
    rollup.refresh(principal.organization, counted_in=counted_in, any_stale=any_stale)
    return _usable_weights(saved) if weights is None else weights


# Figures of the delivery record: an overall score rests on at least one of them, so that
# spend or check-ins alone never make a provider look perfect for work it did not do.
DELIVERY = ("on_time", "turnaround", "rework", "quality")


def overall(found: dict[str, tuple], weights: dict[str, float]) -> Figure:
    """0–100 over the scored figures with data (``found``: key → (value, count)),
    renormalised; count = figures used. None without any delivery figure."""
    result = Figure("overall", "Overall score", "score")
    if not any(key in found for key in DELIVERY):
        return result
    total = used = 0
    weight_sum = 0.0
    for key in SCORED:
        weight = float(weights.get(key, 0) or 0)
        score = figure_score(key, found)
        if weight <= 0 or score is None:
            continue
        total += weight * score
        weight_sum += weight
        used += 1
    if used:
        result.value = round(100 * total / weight_sum, 1)
        result.count = used
    return result


_LABELLED = tuple((key, label, unit) for key, (label, unit) in LABELS.items())


@dataclass
class Scorecard:
    provider_id: int
    period: Period
    found: dict[str, tuple]  # key → (value, count), for the figures with data only
    overall: Figure
    checkin_questions: dict[str, float | None] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict, repr=False)  # may hold PROVIDER_SLOT

    @cached_property
    def figures(self) -> dict[str, Figure]:
        """Every figure in order, with its link; "no data" (value None, count 0) for those
        without. Made when first asked for: the standings rank hundreds of scorecards by
        their overall score and show the figures of a page of them."""
        return {key: self._figure(key, label, unit) for key, label, unit in _LABELLED}

    def _figure(self, key: str, label: str, unit: str) -> Figure:
        url = self.urls.get(key, "").replace(_SLOT, str(self.provider_id))
        if key in self.found:
            return Figure(key, label, unit, *self.found[key], url=url)
        return Figure(key, label, unit, url=url)

    def value_and_count(self, key: str) -> tuple:
        """A figure's value and data points, (None, 0) without data: no ``Figure`` made."""
        return self.found.get(key, (None, 0))

    def __getitem__(self, key: str) -> Figure:
        """One figure (or the overall score), without making the others."""
        if key == "overall":
            return self.overall
        if "figures" in self.__dict__:
            return self.figures[key]
        return self._figure(key, *LABELS[key])

    @property
    def has_data(self) -> bool:
        return bool(self.found)


# --- Links to what is behind each figure ------------------------------------------------------
# A provider id that no real one matches, to reverse a URL with a provider in its path once and
# put each provider's id in its place.
PROVIDER_SLOT = 987654321987
_SLOT = str(PROVIDER_SLOT)


def _reverse(name: str, args: list) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def link_bases(org) -> dict[str, str | tuple[str, str]]:
    """The pages the figures link to, reversed once for all of an organization's scorecards
    (500 providers would otherwise take some 3,500 ``reverse()`` calls)."""
    checkins = _reverse("insights:provider_checkins", [org.slug, PROVIDER_SLOT])
    return {
        "tasks": _reverse("work:tasks", [org.slug]),
        "issues": _reverse("work:issues", [org.slug]),
        "payments": _reverse("payables:payments", [org.slug]),
        "analyses": _reverse("decisions:analyses", [org.slug]),
        "checkins": tuple(checkins.rsplit(str(PROVIDER_SLOT), 1)) if checkins else "",
    }


def _with(base: str, params: dict) -> str:
    return f"{base}?{urlencode(params)}" if base else ""


def links(org, provider_id: int, period: Period, bases: dict | None = None) -> dict[str, str]:
    bases = bases or link_bases(org)
    days = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    tasks = {
        "tab": "all",
        "provider": provider_id,
        "due_from": days["from"],
        "due_to": days["to"],
    }
    task_url = _with(bases["tasks"], tasks)
    issue_url = _with(
        bases["issues"],
        {
            "view": "all",
            "provider": provider_id,
            "raised_from": days["from"],
            "raised_to": days["to"],
        },
    )
    payment_url = _with(
        bases["payments"],
        {"provider": provider_id, "paid_from": days["from"], "paid_to": days["to"]},
    )
    checkins = bases["checkins"]
    return {
        "on_time": task_url,
        "lateness_avg": task_url,
        "lateness_worst": task_url,
        "turnaround": task_url,
        "rework": task_url,
        "quality": _with(bases["tasks"], {**tasks, "status": TaskStatus.ACCEPTED}),
        "issues_raised": issue_url,
        "responses": issue_url,
        "escalations": issue_url,
        "checkins": f"{checkins[0]}{provider_id}{checkins[1]}" if checkins else "",
        "spend": payment_url,
        "plan": bases["analyses"],
        "savings": payment_url,
    }


def link_template(org, period: Period, bases: dict | None = None) -> dict[str, str]:
    """The links of ``period``'s figures for any provider, worked out once with a stand-in id
    (``PROVIDER_SLOT``) that a scorecard replaces with its provider's id when a figure is made
    (500 providers would otherwise cost some 2,000 ``urlencode()`` calls)."""
    return links(org, PROVIDER_SLOT, period, bases)


# --- Reading: one grouped query per source ----------------------------------------------------
# A bucket is the key of one period in the grouped rows: 0 for compute()'s single period, the
# truncated date for trend().
TRUNC = (MONTH, QUARTER, YEAR)  # the kinds a trend is by


@dataclass
class _Frame:
    """What the readers share: whose rows, the span read, how rows map to periods."""

    principal: object
    tz: zoneinfo.ZoneInfo
    periods: list[Period]
    kind: str  # the trunc kind, or CUSTOM for a single period
    provider_ids: list[int] | None
    now: datetime

    @property
    def span(self) -> tuple[datetime, datetime]:
        return self.periods[0].bounds(self.tz)[0], self.periods[-1].bounds(self.tz)[1]

    @property
    def days(self) -> tuple[date, date]:
        return self.periods[0].start, self.periods[-1].end

    def bucket(self, field_name: str, *, is_date: bool = False):
        """What to group a source's rows by for its periods: nothing for a single period; for
        a trend, a day (a month's facts, a payment) as it is, which ``key_of`` puts in its
        period, and a moment as the number of its period, a CASE on the periods' ends in the
        organization's zone, plain SQL on both databases; the rows are already limited to the
        span. (``Trunc…(tzinfo=…)`` would cost SQLite a Python call per row.)"""
        if self.kind == CUSTOM:
            return Value(0)
        if is_date:
            return F(field_name)
        whens = [
            When(Q(**{f"{field_name}__lt": period.bounds(self.tz)[1]}), then=Value(number))
            for number, period in enumerate(self.periods[:-1])
        ]
        last = Value(len(self.periods) - 1)
        return Case(*whens, default=last, output_field=IntegerField()) if whens else last

    def key_of(self, bucket) -> date | int:
        """The key of the period a row's ``bucket`` names: 0 for a single period, else the
        period's first day (a row of a trend may share it with others)."""
        if self.kind == CUSTOM:
            return 0
        if isinstance(bucket, date):
            return self.periods[bisect_right(self.starts, bucket) - 1].start
        return self.periods[bucket].start

    @cached_property
    def starts(self) -> list[date]:
        return [period.start for period in self.periods]

    def providers(self, queryset, path: str):
        if self.provider_ids is not None:
            queryset = queryset.filter(**{f"{path}__in": self.provider_ids})
        return queryset

    def engagements(self, queryset):
        """Rows of an engagement (tasks, issues) of the frame's providers: picked by
        ``engagement_id IN (the providers' engagements)``, so that the database can use the
        (organization, engagement, due_at) index rather than read every row of the org."""
        if self.provider_ids is not None:
            engagements = Engagement.objects.visible_to(self.principal).filter(
                provider_id__in=self.provider_ids
            )
            queryset = queryset.filter(engagement_id__in=engagements.values("id"))
        return queryset


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds) / 3600, 1)


def _whole_months(frame: _Frame) -> tuple[date | None, date | None, list[tuple]]:
    """The first and last whole month inside the frame's days (None, None without one), and
    the spans of days before and after them, as aware datetime pairs."""
    first_day, last_day = frame.days
    first = first_day if first_day.day == 1 else first_day.replace(day=1) + relativedelta(months=1)
    after = last_day + timedelta(days=1)
    stop = after.replace(day=1)  # the first day past the last whole month
    start, end = frame.span
    if first >= stop:
        return None, None, [(start, end)]
    edges = []
    if first_day < first:
        edges.append((start, datetime.combine(first, time.min, tzinfo=frame.tz)))
    if stop < after:
        edges.append((datetime.combine(stop, time.min, tzinfo=frame.tz), end))
    return first, stop - relativedelta(months=1), edges


def _read_tasks(frame: _Frame) -> dict:
    """The task figures by (provider, bucket): the months' kept facts (``TaskMonth``, which
    ``compute`` and ``trend`` refresh before reading) for whole months, the tasks themselves
    for the days of a custom period outside whole months. Open work past its due time: the
    open tasks kept for months already over (all of them are past due), and counted from the
    tasks for the month under way and those days, because it changes with the clock. Three
    queries at most, whatever the span; one for past whole months."""
    from handoff.insights.models import TaskMonth

    first, last, edges = _whole_months(frame)
    under_way = rollup.month_of(frame.now, frame.tz)  # every month before it is over
    sources = []
    if first is not None:
        summed = {name: Sum(name) for name in rollup.FACTS if name != "late_max_seconds"}
        sources.append(
            frame.engagements(TaskMonth.objects.visible_to(frame.principal))
            .filter(month__gte=first, month__lte=last)
            .annotate(bucket=frame.bucket("month", is_date=True))
            .values("engagement__provider_id", "bucket")
            .order_by()
            # Before ``open`` names the sum of every month's open tasks:
            .annotate(overdue=Sum("open", filter=Q(month__lt=under_way), default=0))
            .annotate(**summed, late_max_seconds=Max("late_max_seconds"))
        )
    if edges:
        days = Q()
        for edge_start, edge_end in edges:
            days |= Q(due_at__gte=edge_start, due_at__lt=edge_end)
        sources.append(
            frame.engagements(Task.objects.visible_to(frame.principal))
            .exclude(status=TaskStatus.CANCELLED)
            .filter(days)
            .annotate(bucket=frame.bucket("due_at"))
            .values("engagement__provider_id", "bucket")
            .order_by()
            .annotate(**rollup.fact_aggregates())
        )
    totals: dict = {}
    for source in sources:
        for row in source:
            key = (row["engagement__provider_id"], frame.key_of(row["bucket"]))
            facts = rollup.clean_facts(row)
            facts["overdue"] = row.get("overdue", 0)
            total = totals.get(key)
            if total is None:  # most keys come from one source: nothing to add up
                totals[key] = facts
                continue
            for name, value in facts.items():
                if name == "late_max_seconds":
                    worst = [v for v in (total[name], value) if v is not None]
                    total[name] = max(worst) if worst else None
                else:
                    total[name] += value
    live = Q()  # the spans whose open work is counted by the clock
    for span_start, span_end in [*edges, *_month_under_way(frame, first, last, under_way)]:
        if span_start < frame.now:
            live |= Q(due_at__gte=span_start, due_at__lt=min(span_end, frame.now))
    if live:
        # Open work is a small part of an organization's tasks, which the (organization,
        # status, due_at) index reads alone. It is read for every provider and the others
        # dropped: picked through one provider's engagements, the database walks all of that
        # provider's tasks in the span instead.
        wanted = None if frame.provider_ids is None else set(frame.provider_ids)
        overdue = (
            Task.objects.visible_to(frame.principal)
            .filter(live, status__in=task_status.WITH_PROVIDER)
            .annotate(bucket=frame.bucket("due_at"))
            .values("engagement__provider_id", "bucket")
            .order_by()
            .annotate(overdue=Count("pk"))
        )
        for row in overdue:
            if wanted is None or row["engagement__provider_id"] in wanted:
                key = (row["engagement__provider_id"], frame.key_of(row["bucket"]))
                totals.setdefault(key, _no_facts())["overdue"] += row["overdue"]
    return {key: _task_figures(total) for key, total in totals.items()}


def _month_under_way(frame: _Frame, first, last, under_way: date) -> list[tuple]:
    """The month under way as a span, when it is one of the whole months read."""
    if first is None or not first <= under_way <= last:
        return []
    return [rollup.month_bounds(under_way, frame.tz)]


def _no_facts() -> dict:
    return dict.fromkeys(rollup.FACTS, 0) | {"late_max_seconds": None, "overdue": 0}


def _task_figures(total: dict) -> dict:
    """Summed facts as the counts and averages a scorecard shows (overdue work counts, late)."""
    late, rated = total["late"], total["rated"]
    return {
        "counted": total["delivered"] + total["overdue"],
        "on_time": total["on_time"],
        "late_delivered": late,
        "late_avg": total["late_seconds"] / late if late else None,
        "late_max": total["late_max_seconds"],
        "delivered_once": total["delivered_once"],
        "returned": total["returned"],
        "rated": rated,
        "quality": total["rating_sum"] / rated if rated else None,
        "turnaround_counted": total["turnaround_counted"],
        "turnaround_within": total["turnaround_within"],
    }


def _read_issues(frame: _Frame) -> dict:
    start, end = frame.span
    now = frame.now
    answered_in_time = Q(
        first_response_at__isnull=False,
        escalated_at__isnull=True,
        first_response_at__lte=F("respond_by"),
    )
    # The outcome is known once answered, escalated, or past the target unanswered (and not
    # resolved before the target ran out, which leaves nothing to answer).
    timed_out = Q(first_response_at__isnull=True, respond_by__lt=now) & (
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=F("respond_by"))
    )
    known = Q(respond_by__isnull=False) & (
        Q(first_response_at__isnull=False) | Q(escalated_at__isnull=False) | timed_out
    )
    rows = (
        frame.engagements(Issue.objects.visible_to(frame.principal))
        .filter(raised_at__gte=start, raised_at__lt=end, raised_side=Side.US)
        .annotate(bucket=frame.bucket("raised_at"))
        .values("engagement__provider_id", "bucket")
        .order_by()
        .annotate(
            raised=Count("pk"),
            targeted=Count("pk", filter=known),
            in_time=Count("pk", filter=known & answered_in_time),
            escalations=Sum("level"),
        )
    )
    return {(row["engagement__provider_id"], frame.key_of(row["bucket"])): row for row in rows}


def _read_payments(frame: _Frame) -> dict:
    first, last = frame.days
    rows = (
        frame.providers(Payment.objects.visible_to(frame.principal), "provider_id")
        .filter(paid_on__gte=first, paid_on__lte=last)
        .annotate(bucket=frame.bucket("paid_on", is_date=True))
        .values("provider_id", "bucket")
        .order_by()
        .annotate(total=Sum("amount"), payments=Count("pk"))
    )
    found: dict = {}
    for row in rows:
        key = (row["provider_id"], frame.key_of(row["bucket"]))
        if key in found:  # a trend's rows are by day
            found[key] = {
                "total": found[key]["total"] + row["total"],
                "payments": found[key]["payments"] + row["payments"],
            }
        else:
            found[key] = row
    return found


# What a plan needs of a decision.
_DECISION_FIELDS = (
    "id",
    "function_id",
    "provider_id",
    "plan_starts_on",
    "decided_at",
    "planned_annual_cost",
    "in_house_annual_cost",
)


def _read_plans(frame: _Frame) -> dict:
    """Per (provider, period index): (planned, in-house baseline, decisions used), prorated by
    day. One query: each function of the providers' engagements in force in the span, with
    the function's decisions to outsource to a quote (joined through the function)."""
    first, last = frame.days
    rows = (
        frame.providers(
            EngagementFunction.objects.visible_to(frame.principal), "engagement__provider_id"
        )
        .exclude(engagement__status=EngagementStatus.DRAFT)
        .filter(engagement__start_date__lte=last)
        .filter(Q(engagement__end_date__isnull=True) | Q(engagement__end_date__gte=first))
        .filter(
            function__decisions__organization=frame.principal.organization,
            function__decisions__chosen_option=ChosenOption.QUOTE,
        )
        .values_list(
            "engagement__provider_id",
            "function_id",
            *(f"function__decisions__{name}" for name in _DECISION_FIELDS),
        )
        .distinct()
    )
    functions = defaultdict(set)
    found = {}
    for provider_id, function_id, *decision in rows:
        functions[provider_id].add(function_id)
        found[decision[0]] = dict(zip(_DECISION_FIELDS, decision, strict=True))
    decisions = defaultdict(list)  # per function, in the order they take over
    for decision in sorted(
        found.values(), key=lambda d: (d["plan_starts_on"], d["decided_at"], d["id"])
    ):
        decisions[decision["function_id"]].append(decision)
    plans: dict = {}
    for provider_id, function_ids in functions.items():
        for function_id in function_ids:
            chain = [
                d for d in decisions.get(function_id, ()) if d["provider_id"] in (None, provider_id)
            ]
            for index, decision in enumerate(chain):
                following = chain[index + 1] if index + 1 < len(chain) else None
                until = following["plan_starts_on"] - timedelta(days=1) if following else date.max
                for number, period in enumerate(frame.periods):
                    days = _overlap(period, decision["plan_starts_on"], until)
                    if not days:
                        continue
                    slot = plans.setdefault((provider_id, number), [Decimal(0), Decimal(0), 0])
                    slot[0] += decision["planned_annual_cost"] * days / 365
                    slot[1] += decision["in_house_annual_cost"] * days / 365
                    slot[2] += 1
    return plans


def _overlap(period: Period, start: date, end: date) -> int:
    first, last = max(period.start, start), min(period.end, end)
    return max(0, (last - first).days + 1)


def _read_checkins(frame: _Frame) -> dict:
    """Per (provider, bucket): (count, {question: average}) of our members' check-ins answered
    in the period (the rows ``checkins.summary`` calls ours: answered from the first instant
    of the period's first day to the last of its last day in the organization's zone, not by
    the provider's own contact), one grouped query for every period."""
    from handoff.insights.models import CheckIn

    start, end = frame.span
    averages = {q: Avg(q) for q in CHECKIN_QUESTIONS}
    rows = (
        frame.providers(CheckIn.objects.visible_to(frame.principal), "provider_id")
        .filter(answered_at__gte=start, answered_at__lt=end, contact__isnull=True)
        .annotate(bucket=frame.bucket("answered_at"))
        .values("provider_id", "bucket")
        .order_by()
        .annotate(answered=Count("pk"), **averages)
    )
    return {
        (row["provider_id"], frame.key_of(row["bucket"])): (
            row["answered"],
            {q: row[q] for q in CHECKIN_QUESTIONS},
        )
        for row in rows
    }


# --- Putting a scorecard together ------------------------------------------------------------
def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _build(provider_id: int, period: Period, data: dict, weights: dict, urls: dict) -> Scorecard:
    """One scorecard from the rows read for its (provider, bucket), with its figures' links."""
    tasks = data["tasks"] or {}
    issues = data["issues"] or {}
    payments = data["payments"] or {}
    plan = data["plan"]
    checkin_count, questions = data["checkins"] or (0, {})
    found: dict[str, tuple] = {}  # key → (value, count), for figures with data only

    def put(key, value, count):
        if value is not None and count:
            found[key] = (value, count)

    counted = tasks.get("counted", 0)
    put("on_time", _ratio(tasks.get("on_time", 0), counted), counted)
    late = tasks.get("late_delivered", 0)
    if late:
        put("lateness_avg", _hours(tasks.get("late_avg")), late)
        put("lateness_worst", _hours(tasks.get("late_max")), late)
    promised = tasks.get("turnaround_counted", 0)
    put("turnaround", _ratio(tasks.get("turnaround_within", 0), promised), promised)
    delivered = tasks.get("delivered_once", 0)
    put("rework", _ratio(tasks.get("returned", 0), delivered), delivered)
    quality = tasks.get("quality")
    put("quality", None if quality is None else round(float(quality), 2), tasks.get("rated", 0))

    raised = issues.get("raised", 0)
    put("issues_raised", raised, raised)
    targeted = issues.get("targeted", 0)
    put("responses", _ratio(issues.get("in_time", 0), targeted), targeted)
    put("escalations", issues.get("escalations") or 0, raised)

    answered = [float(v) for v in questions.values() if v is not None]
    if answered:
        put("checkins", round(sum(answered) / len(answered), 2), checkin_count)

    spent, paid = payments.get("total"), payments.get("payments", 0)
    put("spend", spent, paid)
    if plan:
        put("plan", plan[0].quantize(Decimal("0.01")), plan[2])
        if paid:
            put("savings", (plan[1] - spent).quantize(Decimal("0.01")), paid)
    return Scorecard(
        provider_id=provider_id,
        period=period,
        found=found,
        overall=overall(found, weights),
        checkin_questions={
            q: None if v is None else round(float(v), 2) for q, v in questions.items()
        },
        urls=urls,
    )


def _read_all(frame: _Frame) -> dict:
    return {
        "tasks": _read_tasks(frame),
        "issues": _read_issues(frame),
        "payments": _read_payments(frame),
        "plans": _read_plans(frame),
        "checkins": _read_checkins(frame),
    }


def _slice(read: dict, provider_id: int, key, number: int) -> dict:
    return {
        "tasks": read["tasks"].get((provider_id, key)),
        "issues": read["issues"].get((provider_id, key)),
        "payments": read["payments"].get((provider_id, key)),
        "plan": read["plans"].get((provider_id, number)),
        "checkins": read["checkins"].get((provider_id, key)),
    }


def compute(
    principal,
    period: Period,
    provider_ids=None,
    *,
    now: datetime | None = None,
    weights: dict | None = None,
    read_whole_org: bool = False,
) -> dict[int, Scorecard]:
    """Scorecards of ``period`` for ``provider_ids`` (default: every provider with any data in
    the period), keyed by provider id. A pure read; the query count does not depend on the
    number of providers.

    ``read_whole_org``: read every provider's rows and keep those of ``provider_ids``, when
    they are most of the organization's (the standings): picking 500 providers by id costs
    the database more than reading them all."""
    ids = None if provider_ids is None else [int(pk) for pk in provider_ids]
    weights = _prepare(principal, weights)
    picked = None if read_whole_org else ids
    frame = _Frame(
        principal,
        org_zone(principal.organization),
        [replace(period)],
        CUSTOM,
        picked,
        now or timezone.now(),
    )
    read = _read_all(frame)
    if ids is None:
        ids = sorted({key[0] for source in read.values() for key in source})
    urls = link_template(principal.organization, period)
    return {pk: _build(pk, period, _slice(read, pk, 0, 0), weights, urls) for pk in ids}


def without_data(provider_id: int, period: Period, urls: dict) -> Scorecard:
    """The scorecard of a provider with nothing in ``period``: every figure "no data", no overall
    score (``urls``: :func:`link_template` of the period)."""
    return Scorecard(
        provider_id=provider_id,
        period=period,
        found={},
        overall=Figure("overall", "Overall score", "score"),
        urls=urls,
    )


def first_activity(principal, provider_id: int) -> date | None:
    """The first day of the first month with work due, or of the first payment, of the
    provider: one query, the earliest of each read by index (the monthly task facts, kept
    current, and the payments). Periods are whole months, so the month is as good as the day
    for leaving out those before it."""
    from handoff.insights.models import TaskMonth

    first_month = (
        TaskMonth.objects.visible_to(principal)
        .filter(engagement__provider_id=OuterRef("pk"))
        .order_by("month")
        .values("month")[:1]
    )
    first_payment = (
        Payment.objects.visible_to(principal)
        .filter(provider_id=OuterRef("pk"))
        .order_by("paid_on")
        .values("paid_on")[:1]
    )
    found = (
        Provider.objects.visible_to(principal)
        .filter(pk=provider_id)
        .values_list(Subquery(first_month), Subquery(first_payment))
        .first()
    )
    days = [day for day in found or () if day]
    return min(days) if days else None


def trend(
    principal,
    provider_id: int,
    kind: str = MONTH,
    count: int = 6,
    *,
    until: date | None = None,
    now: datetime | None = None,
    weights: dict | None = None,
) -> list[tuple[Period, Scorecard]]:
    """The last ``count`` months, quarters or years of one provider, oldest first, without the
    periods before its first task or payment. One grouped query per source for all periods;
    one more when the oldest period has neither, to ask whether the provider had any before."""
    if kind not in TRUNC:
        raise ValidationError({"period": "A trend is by month, quarter or year."})
    if not 1 <= count <= MAX_TREND:
        raise ValidationError({"count": f"Ask for 1 to {MAX_TREND} periods."})
    now = now or timezone.now()
    periods = periods_back(kind, count, until=until or today_for(principal.organization, now))
    weights = _prepare(principal, weights)
    frame = _Frame(principal, org_zone(principal.organization), periods, kind, [provider_id], now)
    read = _read_all(frame)
    first = _first_with_work(read, provider_id, periods)
    if first != 0:
        start = first_activity(principal, provider_id)
        if start is None:
            return []
        first = next((n for n, period in enumerate(periods) if period.end >= start), len(periods))
    bases = link_bases(principal.organization)
    return [
        (
            period,
            _build(
                provider_id,
                period,
                _slice(read, provider_id, period.start, n),
                weights,
                links(principal.organization, provider_id, period, bases),
            ),
        )
        for n, period in enumerate(periods)
        if n >= first
    ]


def _first_with_work(read: dict, provider_id: int, periods: list[Period]) -> int | None:
    """The index of the first period with tasks due (the monthly facts) or payments made."""
    for n, period in enumerate(periods):
        key = (provider_id, period.start)
        if key in read["tasks"] or key in read["payments"]:
            return n
    return None
