"""Reads of the make-or-buy analysis that the pages, the PDF and the API share, with their
prefetching decided once; and the dated figures picked by year."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q

from handoff.core.tenancy import get_visible_or_404
from handoff.decisions.models import (
    Analysis,
    BenefitsLoadDefault,
    BusinessFunction,
    Decision,
    PayrollTaxRates,
    Quote,
)


# --- Dated figures ---------------------------------------------------------------------------
def _in_force(rows: list, year: int):
    """The row in force during ``year`` (the latest to start, if several). A year the table does
    not cover gets the nearest row instead — the latest for a year after the table (2028 before
    its figures are entered), the earliest for a year before it — and every page that shows the
    figures says which year's were used (``FiguresInUse.note``)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    covering = [
        row
        for row in rows
        if row.effective_from <= end and (row.effective_to is None or row.effective_to >= start)
    ]
    if covering:
        return max(covering, key=lambda row: row.effective_from)
    if all(row.effective_from > end for row in rows):
        return min(rows, key=lambda row: row.effective_from)
    return max(rows, key=lambda row: row.effective_from)


@dataclass(frozen=True)
class FiguresInUse:
    """The payroll tax rates and benefits-load default an analysis of ``year`` uses."""

    year: int
    payroll: PayrollTaxRates
    benefits: BenefitsLoadDefault

    @property
    def payroll_year(self) -> int:
        return self.payroll.year

    @property
    def payroll_is_fallback(self) -> bool:
        """True when the table has no rates for the analysis's year and another year's serve."""
        return self.payroll_year != self.year

    @property
    def benefits_year(self) -> int:
        return self.benefits.year

    @property
    def benefits_is_fallback(self) -> bool:
        """True when the benefits-load row does not cover the analysis's year."""
        row = self.benefits
        return not (
            row.effective_from <= date(self.year, 12, 31)
            and (row.effective_to is None or row.effective_to >= date(self.year, 1, 1))
        )

    @property
    def note(self) -> str:
        """Which year's figures serve a year the tables have no row for, in one sentence; empty
        when every figure is the year's own."""
        parts = []
        if self.payroll_is_fallback:
            parts.append(
                f"The payroll tax table has no figures for {self.year} yet, so "
                f"{self.payroll_year}'s are used."
            )
        if self.benefits_is_fallback:
            since = self.benefits.effective_from
            parts.append(
                f"The benefits-load default in force from {since:%B} {since.day}, {since.year} "
                f"does not cover {self.year}; it is used as the nearest figure."
            )
        return " ".join(parts)


class FigureBook:
    """Every dated figure, read once (a handful of rows) and picked per year in Python, so a
    list of analyses of several years costs two queries, not two per analysis."""

    def __init__(self):
        self.payroll = list(PayrollTaxRates.objects.all())
        self.benefits = list(BenefitsLoadDefault.objects.all())

    def for_year(self, year: int) -> FiguresInUse:
        if not self.payroll or not self.benefits:
            raise LookupError(
                "The payroll tax rates or benefits-load defaults are missing: run "
                "`handoff migrate`, which loads them."
            )
        return FiguresInUse(year, _in_force(self.payroll, year), _in_force(self.benefits, year))


def figures_for(year: int) -> FiguresInUse:
    return FigureBook().for_year(year)


# --- Analyses --------------------------------------------------------------------------------
def analyses(principal):
    """The analyses the principal sees, with everything a report reads, in a fixed number of
    queries."""
    return (
        Analysis.objects.visible_to(principal)
        .select_related("organization", "function", "created_by", "archived_by")
        .prefetch_related(
            "in_house_options",
            "roles",
            Prefetch(
                "quotes",
                queryset=Quote.objects.select_related("provider").prefetch_related("tiers"),
            ),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("decided_by", "chosen_quote", "provider"),
            ),
        )
    )


def row_of(principal, model, analysis: Analysis, pk: int):
    """A role or quote of ``analysis`` by id: another analysis's row, or another
    organization's, is a 404."""
    row = get_visible_or_404(model.objects, principal, pk=pk, analysis=analysis)
    row.analysis = analysis
    return row


def functions_with_analyses(principal):
    """The organization's functions, each with its current analysis (``current``, a list of at
    most one) and the plans decided for it, newest first (``plans``)."""
    return BusinessFunction.objects.visible_to(principal).prefetch_related(
        Prefetch(
            "analyses",
            queryset=analyses(principal).filter(archived_at__isnull=True),
            to_attr="current",
        ),
        Prefetch(
            "decisions",
            queryset=Decision.objects.visible_to(principal).select_related(
                "decided_by", "provider"
            ),
            to_attr="plans",
        ),
    )


# --- The plan, for the stages that come later -----------------------------------------------
def plans_for(principal, function_ids, provider_id: int | None = None) -> dict[int, Decision]:
    """The plan in force for each function: its latest decision, for ``provider_id`` when given
    (a decision that named no provider — in-house, or a quote from outside the directory —
    matches any). Engagements and payments join the plan through this, by function and
    provider; see ``Decision``."""
    decisions = Decision.objects.visible_to(principal).filter(function_id__in=list(function_ids))
    if provider_id is not None:
        decisions = decisions.filter(Q(provider_id__isnull=True) | Q(provider_id=provider_id))
    plans: dict[int, Decision] = {}
    for decision in decisions.select_related("provider").order_by("-decided_at", "-id"):
        plans.setdefault(decision.function_id, decision)
    return plans
