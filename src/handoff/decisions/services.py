"""Operations on business functions and their make-or-buy analyses.

Every write owns its transaction, checks what it changes before it changes anything (so a
refusal leaves nothing half-saved), and writes the audit trail. An analysis can change only
while it is current and undecided; each write to it or its rows locks the analysis row first,
so a decision cannot be recorded over a quote being edited.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from handoff.core import audit
from handoff.core.errors import Conflict
from handoff.core.lists import add_named
from handoff.core.money import cents
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.decisions import costing, report, selectors
from handoff.decisions.choices import ChosenOption, FreedHours, PricingModel
from handoff.decisions.models import (
    DEFAULT_BUSINESS_FUNCTIONS,
    SCORE_FIELDS,
    Analysis,
    BusinessFunction,
    Decision,
    InHouseOption,
    InHouseRole,
    Quote,
    QuoteTier,
    ShortlistCandidate,
)
from handoff.providers.models import Provider

ANALYSIS_FIELDS = ["year", "volume_unit", "monthly_volume", "notes"]
IN_HOUSE_FIELDS = [
    "mode",
    "actual_annual_cost",
    "actual_hours_per_year",
    "payroll_taxes_in_load",
    "federal_unemployment_percent",
    "state_unemployment_percent",
    "state_unemployment_wage_base",
    "manager_hours",
    "manager_period",
    "manager_hourly_rate",
    "value_per_freed_hour",
    *SCORE_FIELDS,
]
ROLE_FIELDS = [
    "title",
    "headcount",
    "pay_basis",
    "annual_salary",
    "hourly_wage",
    "paid_hours_per_year",
    "benefits_load_percent",
    "overhead_per_person",
    "recruiting_cost",
    "training_cost",
    "expected_tenure_years",
    "freed",
    "freed_hours",
    "freed_period",
]
QUOTE_FIELDS = [
    "name",
    "pricing_model",
    "amount",
    "fee_period",
    "unit_name",
    "monthly_quantity",
    "transition_cost",
    "oversight_hours",
    "oversight_period",
    "oversight_hourly_rate",
    "turnaround",
    "notes",
    *SCORE_FIELDS,
]


def seed_business_functions(sender=None, *, organization, **kwargs) -> None:
    """Give a new organization the usual functions to start from."""
    BusinessFunction.objects.bulk_create(
        [
            BusinessFunction(organization=organization, name=name)
            for name in DEFAULT_BUSINESS_FUNCTIONS
        ]
    )


def add_business_function(
    principal: Principal, *, name: str, description: str = ""
) -> BusinessFunction:
    principal.require_in(principal.organization_id, Role.MANAGER, "Adding a business function")
    return add_named(BusinessFunction, principal, name=name, description=description.strip())


# --- Shared checks ---------------------------------------------------------------------------
# Hours were once entered only per month. A caller written then (a script, an older test) may
# still send ``<name>_per_month``; it is stored as that amount per month, exactly as it was.
MONTHLY_HOURS = {
    "manager_hours_per_month": ("manager_hours", "manager_period"),
    "oversight_hours_per_month": ("oversight_hours", "oversight_period"),
}


def _hours_as_entered(data: dict) -> dict:
    data = dict(data)
    for old, (amount, period) in MONTHLY_HOURS.items():
        if old in data:
            data[amount] = data.pop(old)
            data[period] = "month"
    return data


def _assign(row, data: dict, fields: list[str]) -> dict:
    """Set the ``fields`` present in ``data`` on ``row`` (text trimmed); return the old values
    of what was set, for the audit trail."""
    before = {}
    for field in fields:
        if field in data:
            before[field] = getattr(row, field)
            value = data[field]
            setattr(row, field, value.strip() if isinstance(value, str) else value)
    return before


def _after(row, before: dict) -> dict:
    return {field: getattr(row, field) for field in before}


def _check_editable(principal: Principal, analysis: Analysis) -> None:
    if analysis.archived_at is not None:
        raise ValidationError(
            "This analysis is archived and kept as history; change the current analysis instead."
        )
    if Decision.objects.visible_to(principal).filter(analysis=analysis).exists():
        raise ValidationError(
            "This analysis is decided and is now the plan; start a new analysis to revisit it."
        )


def _locked(
    principal: Principal, analysis: Analysis, expected_version: int | None = None
) -> Analysis:
    """The analysis row, locked for this transaction, if it may still change."""
    current = (
        Analysis.objects.select_for_update()
        .visible_to(principal)
        .select_related("organization", "function")
        .get(pk=analysis.pk)
    )
    if expected_version is not None and expected_version != current.version:
        raise Conflict(current.version)
    _check_editable(principal, current)
    return current


def _benefits_default(analysis: Analysis, *, payroll_taxes_in_load: bool) -> Decimal:
    benefits = selectors.figures_for(analysis.year).benefits
    return benefits.default_for(payroll_taxes_in_load=payroll_taxes_in_load)


def _full_clean(row, **kwargs) -> dict:
    try:
        row.full_clean(**kwargs)
    except ValidationError as error:
        return error.message_dict
    return {}


# --- Analyses --------------------------------------------------------------------------------
@transaction.atomic
def start_analysis(
    principal: Principal, function: BusinessFunction, *, data: dict, copy_previous: bool = False
) -> Analysis:
    """A new current analysis of ``function``; the current one, if any, is archived as history.
    With ``copy_previous`` the new one starts from the previous one's in-house option, roles
    and quotes (not its decision)."""
    principal.require_in(function.organization_id, Role.MANAGER, "Starting an analysis")
    actor = principal.user
    org = function.organization
    # One start at a time per function, so two cannot both become current.
    BusinessFunction.objects.select_for_update().visible_to(principal).get(pk=function.pk)
    previous = (
        Analysis.objects.select_for_update()
        .visible_to(principal)
        .filter(function=function, archived_at__isnull=True)
        .first()
    )
    analysis = Analysis(organization=org, function=function, created_by=actor)
    _assign(analysis, {k: v for k, v in data.items() if v is not None}, ANALYSIS_FIELDS)
    analysis.full_clean(validate_constraints=False)
    figures = selectors.figures_for(analysis.year)
    if previous is not None:
        previous.archived_at = timezone.now()
        previous.archived_by = actor
        previous.save(update_fields=["archived_at", "archived_by", "updated_at"])
    analysis.save()
    if copy_previous and previous is not None:
        _copy_options(principal, previous, analysis)
    else:
        InHouseOption.objects.create(
            organization=org,
            analysis=analysis,
            federal_unemployment_percent=figures.payroll.federal_unemployment_percent,
        )
    audit.record(
        org,
        actor,
        "analysis.started",
        analysis,
        f"Started the {analysis.year} analysis of {function.name}"
        + (f", archiving the {previous.year} one" if previous else ""),
    )
    return analysis


def _copy_options(principal: Principal, source: Analysis, target: Analysis) -> None:
    org = target.organization
    option = InHouseOption.objects.visible_to(principal).filter(analysis=source).first()
    InHouseOption.objects.create(
        organization=org,
        analysis=target,
        **{field: getattr(option, field) for field in IN_HOUSE_FIELDS},
    )
    InHouseRole.objects.bulk_create(
        [
            InHouseRole(
                organization=org,
                analysis=target,
                **{field: getattr(role, field) for field in ROLE_FIELDS},
            )
            for role in InHouseRole.objects.visible_to(principal).filter(analysis=source)
        ]
    )
    quotes = Quote.objects.visible_to(principal).filter(analysis=source).prefetch_related("tiers")
    for quote in quotes:
        copy = Quote.objects.create(
            organization=org,
            analysis=target,
            provider_id=quote.provider_id,
            **{field: getattr(quote, field) for field in QUOTE_FIELDS},
        )
        QuoteTier.objects.bulk_create(
            [
                QuoteTier(
                    organization=org,
                    quote=copy,
                    from_units=tier.from_units,
                    to_units=tier.to_units,
                    unit_price=tier.unit_price,
                )
                for tier in quote.tiers.all()
            ]
        )


@transaction.atomic
def update_analysis(
    principal: Principal, analysis: Analysis, *, data: dict, expected_version: int | None = None
) -> Analysis:
    """Change the year, the volume and its unit, or the notes of an undecided analysis."""
    principal.require_in(analysis.organization_id, Role.MANAGER, "Changing an analysis")
    actor = principal.user
    analysis = _locked(principal, analysis, expected_version)
    before = _assign(analysis, data, ANALYSIS_FIELDS)
    analysis.full_clean(validate_constraints=False)
    changes = audit.diff(before, _after(analysis, before))
    if changes:
        analysis.version += 1
        analysis.save()
        audit.record(
            analysis.organization,
            actor,
            "analysis.updated",
            analysis,
            f"Edited the analysis of {analysis}",
            changes,
        )
    return analysis


# --- The in-house option ---------------------------------------------------------------------
@transaction.atomic
def save_in_house(principal: Principal, analysis: Analysis, *, data: dict) -> InHouseOption:
    """Change the in-house option. Switching whether the benefits load includes payroll taxes
    moves every role still at the old default load to the new one, so a role does not keep a
    benefits-only load while the taxes stop being added (or the reverse)."""
    principal.require_in(analysis.organization_id, Role.MANAGER, "Changing the in-house option")
    actor = principal.user
    analysis = _locked(principal, analysis)
    org = analysis.organization
    option = InHouseOption.objects.select_for_update().visible_to(principal).get(analysis=analysis)
    before = _assign(option, _hours_as_entered(data), IN_HOUSE_FIELDS)
    option.full_clean(validate_constraints=False)
    changes = audit.diff(before, _after(option, before))
    option.save()
    if "payroll_taxes_in_load" in changes:
        old = _benefits_default(analysis, payroll_taxes_in_load=not option.payroll_taxes_in_load)
        new = _benefits_default(analysis, payroll_taxes_in_load=option.payroll_taxes_in_load)
        moved = (
            InHouseRole.objects.visible_to(principal)
            .filter(analysis=analysis, benefits_load_percent=old)
            .update(benefits_load_percent=new)
        )
        if moved:
            changes["roles_at_the_default_load"] = [str(old), str(new)]
    if changes:
        audit.record(
            org,
            actor,
            "in_house.updated",
            analysis,
            f"Updated the in-house option of {analysis}",
            changes,
        )
    return option


def _drop_unused_hours(role: InHouseRole) -> None:
    """Hours freed mean something only with 'some hours of it'; otherwise none are kept."""
    if role.freed != FreedHours.HOURS:
        role.freed_hours = None


@transaction.atomic
def add_role(principal: Principal, analysis: Analysis, *, data: dict) -> InHouseRole:
    """Add a role; without a benefits load it takes the cited default that fits the option
    (benefits only, or combined with payroll taxes)."""
    principal.require_in(analysis.organization_id, Role.MANAGER, "Adding an in-house role")
    actor = principal.user
    analysis = _locked(principal, analysis)
    org = analysis.organization
    role = InHouseRole(organization=org, analysis=analysis)
    _assign(role, data, ROLE_FIELDS)
    _drop_unused_hours(role)
    if role.benefits_load_percent is None:
        option = InHouseOption.objects.visible_to(principal).get(analysis=analysis)
        role.benefits_load_percent = _benefits_default(
            analysis, payroll_taxes_in_load=option.payroll_taxes_in_load
        )
    role.full_clean()
    role.save()
    audit.record(org, actor, "role.added", role, f"{analysis}: added the in-house role {role}")
    return role


@transaction.atomic
def update_role(principal: Principal, role: InHouseRole, *, data: dict) -> InHouseRole:
    """Change a role. The stored row is read afresh: a page's form has already written the new
    values onto the object it was given, and the changes are measured against what is stored."""
    principal.require_in(role.organization_id, Role.MANAGER, "Changing an in-house role")
    actor = principal.user
    analysis = _locked(principal, role.analysis)
    role = InHouseRole.objects.select_for_update().visible_to(principal).get(pk=role.pk)
    role.analysis = analysis
    before = _assign(role, data, ROLE_FIELDS)
    _drop_unused_hours(role)
    role.full_clean()
    changes = audit.diff(before, _after(role, before))
    if changes:
        role.save()
        audit.record(
            analysis.organization,
            actor,
            "role.updated",
            role,
            f"{analysis}: edited the in-house role {role}",
            changes,
        )
    return role


@transaction.atomic
def delete_role(principal: Principal, role: InHouseRole) -> None:
    principal.require_in(role.organization_id, Role.MANAGER, "Removing an in-house role")
    actor = principal.user
    analysis = _locked(principal, role.analysis)
    audit.record(
        analysis.organization, actor, "role.deleted", role, f"{analysis}: removed the role {role}"
    )
    role.delete()


# --- Quotes ----------------------------------------------------------------------------------
def _provider(principal: Principal, provider_id) -> Provider | None:
    if provider_id in (None, ""):
        return None
    provider = Provider.objects.visible_to(principal).filter(pk=provider_id).first()
    if provider is None:
        raise ValidationError({"provider": "Choose a provider of this organization."})
    if provider.archived_at is not None:
        raise ValidationError({"provider": f"{provider.name} is archived; restore it first."})
    return provider


def _checked_tiers(quote: Quote, tiers) -> list[QuoteTier]:
    """The tier table as rows to save, once it prices every volume exactly once."""
    rows = list(tiers)
    if not rows:
        return []
    if quote.pricing_model != PricingModel.PER_UNIT:
        raise ValidationError(
            {
                "tiers": "Volume tiers apply only to a per-unit price: "
                "choose per unit, or clear them."
            }
        )
    tier_rows = []
    for number, row in enumerate(rows, 1):
        tier = QuoteTier(
            organization=quote.organization,
            from_units=row.from_units,
            to_units=row.to_units,
            unit_price=row.unit_price,
        )
        problems = _full_clean(tier, exclude=["quote"], validate_constraints=False)
        if problems:
            fields = ", ".join(
                f"{QuoteTier._meta.get_field(name).verbose_name}: {' '.join(messages)}"
                for name, messages in problems.items()
            )
            raise ValidationError({"tiers": f"Tier {number}: {fields}"})
        tier_rows.append(tier)
    problems = costing.tier_table_problems(rows)
    if problems:
        raise ValidationError({"tiers": problems})
    return tier_rows


def _save_quote(principal: Principal, quote: Quote, data: dict, tiers) -> dict:
    """Validate and save ``quote`` with ``tiers`` (None: leave them); every problem of the quote
    and of its tier table is reported at once, and nothing is saved unless all is well.
    Returns the changes for the audit trail."""
    before = _assign(quote, _hours_as_entered(data), QUOTE_FIELDS)
    errors = {}
    if "provider_id" in data:
        before["provider"] = quote.provider
        try:
            quote.provider = _provider(principal, data["provider_id"])
        except ValidationError as error:
            errors.update(error.message_dict)
    problems = _full_clean(quote, validate_constraints=False)
    if "provider" in errors:
        problems.pop("name", None)  # they named a provider, just not one of theirs
    errors.update(problems)
    if tiers is None and quote.pk and quote.pricing_model != PricingModel.PER_UNIT:
        tiers = []  # the tiers of a quote no longer priced per unit would never be read again
    rows = None
    if tiers is not None:
        try:
            rows = _checked_tiers(quote, tiers)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    quote.save()
    changes = audit.diff(before, _after(quote, before))
    if rows is not None:
        existing = QuoteTier.objects.visible_to(principal).filter(quote=quote)
        old = [[str(t.from_units), str(t.to_units), str(t.unit_price)] for t in existing]
        existing.delete()
        for row in rows:
            row.quote = quote
        QuoteTier.objects.bulk_create(rows)
        new = [[str(t.from_units), str(t.to_units), str(t.unit_price)] for t in rows]
        if old != new:
            changes["tiers"] = [old, new]
    return changes


@transaction.atomic
def add_quote(principal: Principal, analysis: Analysis, *, data: dict, tiers=()) -> Quote:
    """Add an outsourced quote; ``tiers`` are ``costing.TierRow``s of a per-unit price."""
    principal.require_in(analysis.organization_id, Role.MANAGER, "Adding a quote")
    actor = principal.user
    analysis = _locked(principal, analysis)
    quote = Quote(organization=analysis.organization, analysis=analysis)
    _save_quote(principal, quote, data, tiers)
    audit.record(
        analysis.organization,
        actor,
        "quote.added",
        quote,
        f"{analysis}: added the quote of {quote.display_name}",
    )
    return quote


@transaction.atomic
def update_quote(principal: Principal, quote: Quote, *, data: dict, tiers=None) -> Quote:
    """Change a quote; its tiers change only when ``tiers`` is given."""
    principal.require_in(quote.organization_id, Role.MANAGER, "Changing a quote")
    actor = principal.user
    analysis = _locked(principal, quote.analysis)
    changes = _save_quote(principal, quote, data, tiers)
    if changes:
        audit.record(
            analysis.organization,
            actor,
            "quote.updated",
            quote,
            f"{analysis}: edited the quote of {quote.display_name}",
            changes,
        )
    return quote


@transaction.atomic
def delete_quote(principal: Principal, quote: Quote) -> None:
    principal.require_in(quote.organization_id, Role.MANAGER, "Removing a quote")
    actor = principal.user
    analysis = _locked(principal, quote.analysis)
    audit.record(
        analysis.organization,
        actor,
        "quote.deleted",
        quote,
        f"{analysis}: removed the quote of {quote.display_name}",
    )
    quote.delete()


# --- The decision ----------------------------------------------------------------------------
@transaction.atomic
def record_decision(
    principal: Principal,
    analysis: Analysis,
    *,
    chosen_quote_id: int | None,
    reason: str,
    plan_starts_on: date | None = None,
) -> Decision:
    """Record the choice — a quote, or in-house when ``chosen_quote_id`` is None — with who,
    when and why. Its annual cost, and the in-house cost as the baseline, are kept as they
    are now: they are the plan that realised spend is later compared against."""
    principal.require_in(analysis.organization_id, Role.MANAGER, "Recording a decision")
    actor = principal.user
    analysis = _locked(principal, analysis)
    org = analysis.organization
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why you chose this option: the money, and what else weighed."]
    quote = None
    if chosen_quote_id is not None:
        quote = (
            Quote.objects.visible_to(principal)
            .select_related("provider")
            .filter(analysis=analysis, pk=chosen_quote_id)
            .first()
        )
        if quote is None:
            errors["chosen_quote"] = ["Choose one of this analysis's quotes, or in-house."]
    if errors:
        raise ValidationError(errors)
    fresh = selectors.analyses(principal).get(pk=analysis.pk)
    outcome = report.build(fresh, selectors.figures_for(fresh.year))
    if not outcome.complete:
        raise ValidationError(
            "Complete the in-house option first: the plan is measured against its cost."
        )
    if quote is None:
        planned = outcome.in_house.total
    else:
        planned = outcome.quote_line(quote.pk).result.annual_cost
    decision = Decision(
        organization=org,
        analysis=analysis,
        function=analysis.function,
        chosen_option=ChosenOption.IN_HOUSE if quote is None else ChosenOption.QUOTE,
        chosen_quote=quote,
        provider=quote.provider if quote else None,
        option_name=quote.display_name if quote else "In-house",
        planned_annual_cost=cents(planned),
        in_house_annual_cost=cents(outcome.in_house.total),
        transition_cost=quote.transition_cost if quote else Decimal(0),
        plan_starts_on=plan_starts_on or timezone.localdate(),
        reason=reason,
        decided_by=actor,
    )
    decision.full_clean(validate_constraints=False)
    decision.save()
    audit.record(
        org,
        actor,
        "decision.recorded",
        decision,
        f"Decided {analysis.function.name}: {decision.option_name}",
        {"planned_annual_cost": [None, str(decision.planned_annual_cost)]},
    )
    return decision


# --- Shortlists ----------------------------------------------------------------------------
@transaction.atomic
def add_candidate(principal: Principal, function: BusinessFunction, *, provider_id, note: str = ""):
    """Put a provider on the function's shortlist (once)."""
    principal.require_in(function.organization_id, Role.MANAGER, "Shortlisting a provider")
    actor = principal.user
    org = function.organization
    current = Provider.objects.visible_to(principal).filter(archived_at__isnull=True)
    provider = current.filter(pk=provider_id).first()
    if provider is None:
        raise ValidationError({"provider": "Choose a current provider of this organization."})
    if (
        ShortlistCandidate.objects.visible_to(principal)
        .filter(function=function, provider=provider)
        .exists()
    ):
        raise ValidationError({"provider": f"{provider.name} is already on the shortlist."})
    candidate = ShortlistCandidate(organization=org, function=function, provider=provider,
                                   note=note.strip(), added_by=actor)  # fmt: skip
    candidate.full_clean(validate_constraints=False)
    candidate.save()
    audit.record(org, actor, "shortlist.added", candidate,
                 f"Shortlisted {provider.name} for {function.name}")  # fmt: skip
    return candidate


@transaction.atomic
def remove_candidate(principal: Principal, candidate) -> None:
    principal.require_in(
        candidate.organization_id, Role.MANAGER, "Taking a provider off a shortlist"
    )
    actor = principal.user
    audit.record(candidate.organization, actor, "shortlist.removed", candidate,
                 f"Took {candidate.provider} off the {candidate.function} shortlist")  # fmt: skip
    candidate.delete()


@transaction.atomic
def mark_chosen(principal: Principal, candidate):
    """Record the choice; any earlier choice for the same function is withdrawn."""
    principal.require_in(candidate.organization_id, Role.MANAGER, "Choosing a provider")
    actor = principal.user
    org = candidate.organization
    ShortlistCandidate.objects.visible_to(principal).filter(
        function_id=candidate.function_id
    ).exclude(pk=candidate.pk).update(chosen_at=None, chosen_by=None)
    candidate.chosen_at = timezone.now()
    candidate.chosen_by = actor
    candidate.save(update_fields=["chosen_at", "chosen_by"])
    audit.record(org, actor, "shortlist.chosen", candidate,
                 f"Chose {candidate.provider} for {candidate.function}")  # fmt: skip
    return candidate
