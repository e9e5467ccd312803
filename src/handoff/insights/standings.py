"""The standings: every provider's scorecard for one period, best overall first.

The dashboard's "Provider standings" and Evaluate → Scorecards both read :func:`ranked`, so a
provider has one score and one rank for a period wherever it is shown. Both open on the same
period by default (:func:`default_period`: this quarter, in the organization's time zone).

Who is in the standings: every provider the organization has engaged (an engagement past draft,
ended ones included) and every other provider with data in the period (a payment, a check-in).
A provider without data has no overall score and is ranked after those with one; ties and those
without a score go by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import Engagement
from handoff.insights import scorecards
from handoff.providers.models import Provider

DEFAULT_KIND = scorecards.DEFAULT_KIND
# Up to this many providers with data, the names are picked by id; past it every provider of the
# organization is read, which costs PostgreSQL less than an IN list of hundreds of ids.
NAMES_BY_ID = 100


@dataclass
class Ranked:
    rank: int
    provider_id: int
    name: str
    card: scorecards.Scorecard

    @property
    def overall(self) -> float | None:
        return self.card.overall.value


def default_period(org, now: datetime | None = None) -> scorecards.Period:
    """The period the standings open on, on the dashboard, the scorecards page and the API."""
    return scorecards.current(org, DEFAULT_KIND, now)


def _engaged(principal):
    return Exists(
        Engagement.objects.visible_to(principal)
        .filter(provider=OuterRef("pk"))
        .exclude(status=EngagementStatus.DRAFT)
    )


def names(principal, with_data) -> dict[int, str]:
    """The standings' providers, id → name: every engaged provider and those of ``with_data``.
    One query."""
    providers = Provider.objects.visible_to(principal)
    if len(with_data) < NAMES_BY_ID:
        rows = providers.filter(Q(pk__in=list(with_data)) | Q(_engaged(principal))).values_list(
            "pk", "name"
        )
        return dict(rows)
    rows = providers.annotate(engaged=_engaged(principal)).values_list("pk", "name", "engaged")
    return {pk: name for pk, name, engaged in rows if engaged or pk in with_data}


def ranked(principal, period: scorecards.Period, *, now: datetime | None = None) -> list[Ranked]:
    """Every standing of ``period``, best overall first (no overall score last, then by name),
    each with its rank. A fixed number of queries whatever the number of providers."""
    cards = scorecards.compute(principal, period, now=now)
    known = names(principal, cards)
    missing = known.keys() - cards.keys()
    if missing:
        urls = scorecards.link_template(principal.organization, period)
        for provider_id in missing:
            cards[provider_id] = scorecards.without_data(provider_id, period, urls)
    return rank(
        Ranked(0, provider_id, known[provider_id], card)
        for provider_id, card in cards.items()
        if provider_id in known
    )


def rank(rows) -> list[Ranked]:
    """``rows`` in standings order — best overall first, no overall score last, then by name —
    each given its rank."""
    rows = list(rows)
    rows.sort(
        key=lambda row: (
            row.overall is None,
            -(row.overall or 0),
            row.name.lower(),
            row.provider_id,
        )
    )
    for position, row in enumerate(rows, start=1):
        row.rank = position
    return rows
