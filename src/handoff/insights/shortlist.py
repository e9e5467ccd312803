"""The shortlist of candidates for a business function, side by side: quoted cost from the
current make-or-buy analysis, reputation with its confidence, references checked, due
diligence, fields of expertise. Choosing one starts a draft engagement."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from handoff.decisions import costing, report
from handoff.decisions import services as decisions
from handoff.decisions.models import Quote, ShortlistCandidate
from handoff.engagements import services as engagements
from handoff.insights.reputation import Reputation, estimate, rank_key
from handoff.insights.selectors import evidence_for
from handoff.providers.choices import DUE_DILIGENCE_DONE
from handoff.providers.models import DueDiligenceItem, Reference


@dataclass
class Row:
    candidate: ShortlistCandidate
    quote: Quote | None
    annual_cost: Decimal | None
    reputation: Reputation | None
    references: int
    references_checked: int
    due_diligence_done: int
    due_diligence_total: int
    due_diligence_expired: int

    @property
    def provider(self):
        return self.candidate.provider

    @property
    def due_diligence_complete(self) -> bool:
        return (
            self.due_diligence_total > 0
            and self.due_diligence_done == self.due_diligence_total
            and not self.due_diligence_expired
        )


def quote_annual_cost(quote: Quote) -> Decimal:
    return costing.quote_cost(report.quote_terms(quote)).total


def comparison(principal, function) -> list[Row]:
    """The candidates, best reputation first (by what the record makes certain), in a fixed
    number of queries whatever their number."""
    candidates = list(
        ShortlistCandidate.objects.visible_to(principal)
        .filter(function=function)
        .select_related("provider__organization", "chosen_by")
        .prefetch_related("provider__fields")
    )
    ids = [c.provider_id for c in candidates]
    quotes = defaultdict(list)
    for quote in (
        Quote.objects.visible_to(principal)
        .filter(
            analysis__function=function, analysis__archived_at__isnull=True, provider_id__in=ids
        )
        .prefetch_related("tiers")
    ):
        quotes[quote.provider_id].append((quote_annual_cost(quote), quote))
    references = {
        row["provider_id"]: row
        for row in Reference.objects.visible_to(principal)
        .filter(provider_id__in=ids)
        .values("provider_id")
        .annotate(total=Count("id", distinct=True),
                  checked=Count("id", filter=Q(checks__isnull=False), distinct=True))
    }  # fmt: skip
    due = defaultdict(lambda: [0, 0, 0])
    today = timezone.localdate()
    for provider_id, status, expires_on in (
        DueDiligenceItem.objects.visible_to(principal)
        .filter(provider_id__in=ids)
        .values_list("provider_id", "status", "expires_on")
    ):
        due[provider_id][1] += 1
        due[provider_id][0] += status in DUE_DILIGENCE_DONE
        due[provider_id][2] += bool(expires_on and expires_on < today)
    evidence = evidence_for(principal, ids)
    rows = []
    for candidate in candidates:
        cheapest = min(quotes[candidate.provider_id], key=lambda pair: pair[0], default=None)
        counts = references.get(candidate.provider_id, {"total": 0, "checked": 0})
        done, total, expired = due[candidate.provider_id]
        rows.append(
            Row(candidate, cheapest and cheapest[1], cheapest and cheapest[0],
                estimate(evidence[candidate.provider_id]), counts["total"], counts["checked"],
                done, total, expired)
        )  # fmt: skip
    return sorted(rows, key=lambda row: -rank_key(row.reputation))


@transaction.atomic
def choose(principal, candidate: ShortlistCandidate):
    """Record the choice and draft the engagement (a manager's), its price taken from the
    provider's cheapest current quote (or left at zero to fill in); returns the engagement."""
    decisions.mark_chosen(principal, candidate)
    priced = [
        (quote_annual_cost(q), q)
        for q in Quote.objects.visible_to(principal)
        .filter(analysis__function_id=candidate.function_id, analysis__archived_at__isnull=True,
                provider_id=candidate.provider_id)
        .prefetch_related("tiers")
    ]  # fmt: skip
    quote = min(priced, key=lambda pair: pair[0])[1] if priced else None
    data = {
        "title": f"{candidate.function.name} with {candidate.provider.name}",
        "start_date": timezone.localdate(),
        "pricing_model": quote.pricing_model if quote else "flat",
        "amount": quote.amount if quote else Decimal(0),
        "billing_period": quote.fee_period if quote else "month",
        "unit_name": quote.unit_name if quote else "",
        "monthly_quantity": quote.monthly_quantity if quote else None,
        "scope": quote.notes if quote else "",
    }
    tiers = [(t.above, t.unit_price) for t in report.quote_terms(quote).tiers] if quote else []
    return engagements.create_engagement(
        principal, provider_id=candidate.provider_id,
        function_ids=[candidate.function_id], data=data, tiers=tiers,
    )  # fmt: skip
