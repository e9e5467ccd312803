"""State new-hire reporting of independent contractors.

Some states make a business report the contractors it pays to the state's new-hire registry
(for child-support enforcement). Their rules are dated data (``StateContractorRule``, migration
0008, each with its source). For each of the organization's states with a rule, a contractor
of a covered entity type becomes reportable on the day the year's payments to them reach the
state's amount (any payment where the state names none); the report is due the state's number
of days later. A state that counts what a contract is expected to pay may want the report
sooner: the page says so. Reporting is recorded per contractor, state and year; a state that
asks once (not every year) is not asked again after a report in an earlier year.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from handoff.accounts.models import Role
from handoff.compliance import selectors
from handoff.compliance.models import W9, StateContractorReport, StateContractorRule
from handoff.core import audit
from handoff.core.principal import Principal
from handoff.payables.models import Payment
from handoff.providers.choices import EntityType, ProviderKind
from handoff.providers.models import Provider


@dataclass
class Due:
    """A contractor a state wants reported for a year, and where it stands."""

    provider: Provider
    rule: StateContractorRule
    year: int
    reportable_on: date  # the day the year's payments reached the state's amount
    paid: Decimal  # paid in the year up to today
    first_paid_on: date
    w9: W9 | None
    report: StateContractorReport | None

    @property
    def due_on(self) -> date | None:
        if self.rule.deadline_days is None:
            return None
        return self.reportable_on + timedelta(days=self.rule.deadline_days)

    @property
    def filed(self) -> bool:
        return self.report is not None

    def overdue(self, today: date) -> bool:
        return not self.filed and self.due_on is not None and self.due_on < today


def rules_for(states, day: date) -> dict[str, StateContractorRule]:
    """The rule in force on ``day`` for each of ``states`` that has one."""
    rows = (
        StateContractorRule.objects.filter(state__in=list(states), effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("state", "-effective_from")
    )
    rules = {}
    for rule in rows:
        rules.setdefault(rule.state, rule)
    return rules


def entity_type_of(provider: Provider) -> str:
    """The provider's entity type; an individual without one counts as a sole proprietor."""
    if provider.entity_type:
        return provider.entity_type
    return EntityType.SOLE_PROPRIETOR if provider.kind == ProviderKind.INDIVIDUAL else ""


def _crossed(payments, rule) -> date | None:
    """The day the running total reached the rule's amount (or exceeded it, for a rule that
    says "more than"); the first payment's day where the rule names no amount."""
    total = Decimal(0)
    for paid_on, amount in payments:
        total += amount
        if rule.threshold is None:
            return paid_on
        if total > rule.threshold or (not rule.more_than and total == rule.threshold):
            return paid_on
    return None


def dues(principal: Principal, year: int) -> list[Due]:
    """Every contractor the organization's states want reported for ``year``, filed or not,
    in a fixed number of queries."""
    org = principal.organization
    rules = rules_for(org.states, date(year, 12, 31))
    if not rules:
        return []
    by_provider: dict[int, list] = {}
    payments = (
        Payment.objects.visible_to(principal)
        .filter(paid_on__year=year)
        .order_by("paid_on", "pk")
        .values_list("provider_id", "paid_on", "amount")
    )
    for provider_id, paid_on, amount in payments:
        by_provider.setdefault(provider_id, []).append((paid_on, amount))
    providers = Provider.objects.visible_to(principal).in_bulk(list(by_provider))
    current = selectors.current_w9s(principal, list(by_provider))
    # A foreign person (a W-8 in force, newer than any W-9) works abroad: no state's new-hire
    # registry asks for them.
    abroad = {
        provider_id
        for provider_id, w8 in selectors.current_w8s(principal, list(by_provider)).items()
        if selectors.foreign_form(current.get(provider_id), w8)
        and w8.in_force_on(date(year, 12, 31))
    }
    reports = {
        (r.provider_id, r.state, r.year): r
        for r in StateContractorReport.objects.visible_to(principal).filter(
            provider_id__in=list(by_provider), year__lte=year
        )
    }
    rows = []
    for provider_id, paid in by_provider.items():
        if provider_id in abroad:
            continue
        provider = providers[provider_id]
        for state, rule in rules.items():
            if entity_type_of(provider) not in rule.entity_types:
                continue
            crossed = _crossed(paid, rule)
            if crossed is None:
                continue
            report = reports.get((provider_id, state, year))
            if report is None and not rule.every_year:
                earlier = [r for (p, s, y), r in reports.items() if (p, s) == (provider_id, state)]
                if earlier:
                    continue  # reported once already; this state does not ask yearly
            rows.append(
                Due(
                    provider=provider,
                    rule=rule,
                    year=year,
                    reportable_on=crossed,
                    paid=sum((amount for _, amount in paid), Decimal(0)),
                    first_paid_on=paid[0][0],
                    w9=current.get(provider_id),
                    report=report,
                )
            )
    rows.sort(key=lambda row: (row.filed, row.due_on or date.max, row.provider.name.lower()))
    return rows


@transaction.atomic
def mark_reported(
    principal: Principal, *, provider: Provider, state: str, year: int, filed_on: date, reference=""
) -> StateContractorReport:
    """Record that a contractor was reported to a state for a year (once; a second try is a
    field error, also when two people record it at the same moment)."""
    principal.require_in(provider.organization_id, Role.MANAGER, "Recording a state report")
    state = (state or "").strip().upper()
    errors = {}
    today = principal.organization.today()
    asked = {(row.provider.pk, row.rule.state) for row in dues(principal, year)}
    if (provider.pk, state) not in asked:
        errors["state"] = f"{state or 'That state'} does not ask for {provider.name} in {year}."
    if filed_on > today:
        errors["filed_on"] = "The date reported is in the future."
    elif filed_on.year < year:
        errors["filed_on"] = f"A report for {year} cannot be made before {year}."
    if errors:
        raise ValidationError(errors)
    report = StateContractorReport(
        organization=principal.organization,
        provider=provider,
        state=state,
        year=year,
        filed_on=filed_on,
        reference=" ".join((reference or "").split())[:100],
        filed_by=principal.user,
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError(
            {"state": f"{provider.name} is already recorded as reported to {state} for {year}."}
        ) from None
    audit.record(
        principal.organization,
        principal.user,
        "state_report.filed",
        report,
        f"Recorded {provider.name} reported to {state} for {year} on {filed_on:%Y-%m-%d}",
    )
    return report
