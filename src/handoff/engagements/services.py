"""Operations on engagements: terms, status moves, service levels, workflow, communication plan.

Each function owns its transaction, checks that every linked row belongs to the organization
(and a contact to the engagement's provider), and writes the audit trail.
"""

import zoneinfo
from datetime import date
from decimal import Decimal

import holidays as holiday_calendars
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from handoff.accounts.models import Membership
from handoff.core import audit
from handoff.core.errors import Conflict
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.decisions.models import BusinessFunction
from handoff.engagements import terms
from handoff.engagements.choices import (
    STATUS_MOVES,
    EngagementStatus,
    ExitItemKind,
    PricingModel,
)
from handoff.engagements.models import (
    AccessGrant,
    CommunicationPlan,
    Engagement,
    EngagementFunction,
    EscalationLevel,
    ExitItem,
    Holiday,
    PriceTier,
    ResponseTarget,
    ServiceLevel,
    StatusChange,
    WorkflowStep,
)
from handoff.providers.models import Contact, Provider

ENGAGEMENT_FIELDS = [
    "title",
    "scope",
    "pricing_model",
    "amount",
    "billing_period",
    "unit_name",
    "monthly_quantity",
    "payment_terms_days",
    "expenses_allowed",
    "start_date",
    "end_date",
    "auto_renew",
    "renewal_months",
    "notice_days",
]
# Changes to these bear on a contractor's classification (hours, pay basis, length).
CLASSIFICATION_FIELDS = {"pricing_model", "monthly_quantity", "start_date", "end_date", "scope"}


# --- Lookups that validate -----------------------------------------------------------------
def _functions(principal, function_ids) -> list[BusinessFunction]:
    ids = {int(pk) for pk in function_ids}
    if not ids:
        raise ValidationError({"functions": "Choose at least one business function."})
    found = list(BusinessFunction.objects.visible_to(principal).filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"functions": "Choose business functions from this organization."})
    return found


def _provider(principal, provider_id) -> Provider:
    provider = Provider.objects.visible_to(principal).filter(pk=provider_id).first()
    if provider is None:
        raise ValidationError({"provider": "Choose a provider of this organization."})
    if provider.archived_at is not None:
        raise ValidationError({"provider": f"{provider.name} is archived; restore it first."})
    return provider


def member_of(principal, user_id, field: str):
    """The user behind ``user_id`` if they are a member of the principal's organization; else
    a field error."""
    if user_id is None:
        return None
    membership = (
        Membership.objects.visible_to(principal)
        .select_related("user")
        .filter(user_id=user_id)
        .first()
    )
    if membership is None:
        raise ValidationError({field: "Choose a member of this organization."})
    return membership.user


def contact_of(principal: Principal, engagement: Engagement, contact_id, field: str):
    """The contact behind ``contact_id`` if it works for the engagement's provider."""
    if contact_id is None:
        return None
    contact = (
        Contact.objects.visible_to(principal)
        .filter(pk=contact_id, provider_id=engagement.provider_id, archived_at__isnull=True)
        .first()
    )
    if contact is None:
        raise ValidationError({field: f"Choose a current contact at {engagement.provider}."})
    return contact


def _locked(
    principal: Principal, engagement: Engagement, expected_version: int | None = None
) -> Engagement:
    current = (
        Engagement.objects.select_for_update()
        .visible_to(principal)
        .select_related("provider")
        .get(pk=engagement.pk)
    )
    if expected_version is not None and expected_version != current.version:
        raise Conflict(current.version)
    return current


def _tier_rows(org, engagement: Engagement | None, tiers) -> list[PriceTier]:
    """``tiers`` ((above, unit_price) pairs) as checked rows, unsaved."""
    seen = set()
    for above, _price in tiers:
        if above in seen:
            raise ValidationError({"tiers": f"Two tiers start above {above} units."})
        seen.add(above)
    rows = [
        PriceTier(organization=org, engagement=engagement, above=above, unit_price=price)
        for above, price in tiers
    ]
    for row in rows:
        row.full_clean(exclude=["engagement", "organization"], validate_constraints=False)
    return rows


def _set_tiers(principal: Principal, engagement: Engagement, tiers) -> None:
    """Replace the volume tiers with ``tiers``: (above, unit_price) pairs."""
    rows = _tier_rows(engagement.organization, engagement, tiers)
    PriceTier.objects.visible_to(principal).filter(engagement=engagement).delete()
    PriceTier.objects.bulk_create(rows)


def _price_terms_in_use(org, data: dict, pricing_model: str, tiers):
    """``data`` and ``tiers`` with the price terms ``pricing_model`` does not read emptied: a
    flat fee keeps no volume or tiers, hourly pricing no unit or tiers, and neither per-unit nor
    hourly pricing a billing period (whatever a form or an API call sent for them). Tiers sent
    are still checked: a negative one is refused even where it would be dropped."""
    unused = terms.unused_terms(pricing_model)
    if "tiers" in unused:
        _tier_rows(org, None, tiers or [])
        tiers = []
    return {**data, **{key: value for key, value in unused.items() if key != "tiers"}}, tiers


# --- Engagements ---------------------------------------------------------------------------
@transaction.atomic
def create_engagement(
    principal: Principal, *, provider_id, function_ids, data: dict, tiers=()
) -> Engagement:
    """A draft engagement with an empty communication plan, ready to be filled in."""
    principal.require_in(principal.organization_id, Role.MANAGER, "Drafting an engagement")
    org, actor = principal.organization, principal.user
    data, tiers = _price_terms_in_use(
        org,
        {key: value for key, value in data.items() if key in ENGAGEMENT_FIELDS},
        data.get("pricing_model") or PricingModel.FLAT,
        tiers,
    )
    engagement = Engagement(
        organization=org,
        provider=_provider(principal, provider_id),
        created_by=actor,
        **data,
    )
    engagement.full_clean()
    functions = _functions(principal, function_ids)
    engagement.save()
    EngagementFunction.objects.bulk_create(
        [EngagementFunction(organization=org, engagement=engagement, function=f) for f in functions]
    )
    _set_tiers(principal, engagement, tiers)
    CommunicationPlan.objects.create(organization=org, engagement=engagement)
    audit.record(
        org,
        actor,
        "engagement.created",
        engagement,
        f"Drafted engagement {engagement.title} with {engagement.provider}",
    )
    return engagement


@transaction.atomic
def update_engagement(
    principal: Principal,
    engagement: Engagement,
    *,
    data: dict,
    function_ids=None,
    tiers=None,
    expected_version: int | None = None,
) -> Engagement:
    """Change the terms; functions and tiers change only when given."""
    principal.require_in(engagement.organization_id, Role.MANAGER, "Changing an engagement's terms")
    actor = principal.user
    engagement = _locked(principal, engagement, expected_version)
    ensure_open(engagement)
    data, tiers = _price_terms_in_use(
        engagement.organization,
        {key: value for key, value in data.items() if key in ENGAGEMENT_FIELDS},
        data.get("pricing_model") or engagement.pricing_model,
        tiers,
    )
    before = {key: getattr(engagement, key) for key in data}
    for key, value in data.items():
        setattr(engagement, key, value)
    engagement.full_clean()
    changes = audit.diff(before, data)
    org = engagement.organization
    if function_ids is not None:
        functions = _functions(principal, function_ids)
        links = EngagementFunction.objects.visible_to(principal).filter(engagement=engagement)
        old = sorted(links.values_list("function__name", flat=True))
        if old != sorted(f.name for f in functions):
            changes["functions"] = [old, sorted(f.name for f in functions)]
            links.delete()
            EngagementFunction.objects.bulk_create(
                [
                    EngagementFunction(organization=org, engagement=engagement, function=f)
                    for f in functions
                ]
            )
    if tiers is not None:
        old = [(t.above, t.unit_price) for t in engagement.price_tiers.all()]
        new = sorted((Decimal(above), Decimal(price)) for above, price in tiers)
        if old != new:  # Decimal equality: 10 == 10.00, so re-sending the same tiers is no change
            changes["tiers"] = [
                [[str(a), str(p)] for a, p in old],
                [[str(a), str(p)] for a, p in new],
            ]
            _set_tiers(principal, engagement, tiers)
    if changes:
        engagement.version += 1
        engagement.save()
        audit.record(
            org,
            actor,
            "engagement.updated",
            engagement,
            f"Edited engagement {engagement.title}",
            changes,
        )
    return engagement


def ensure_open(engagement: Engagement) -> None:
    """An ended engagement is a record: its terms, plan and set-up no longer change."""
    if engagement.status == EngagementStatus.ENDED:
        raise ValidationError("This engagement has ended; its record can no longer be changed.")


def activation_blockers(engagement: Engagement) -> list[str]:
    """What keeps a draft or paused engagement from becoming active, in plain words."""
    return engagement.communication_plan.missing_for_activation()


def _today(org) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(org.time_zone)).date()


def activation_before_start(engagement: Engagement, today: date | None = None) -> date | None:
    """The start date when activating today would be before it (the page then offers the
    confirmation), else None."""
    today = today or _today(engagement.organization)
    return engagement.start_date if engagement.start_date > today else None


def _day(value: date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


@transaction.atomic
def move_status(
    principal: Principal,
    engagement: Engagement,
    *,
    to_status: str,
    reason: str = "",
    confirm_before_start: bool = False,
) -> Engagement:
    """Move the engagement along draft → active → paused → ended; each move is kept.

    Becoming active before the start date is refused unless ``confirm_before_start`` says it
    is meant: an active engagement's service levels, reminders and work run from the day it
    becomes active, not from the start date in its terms."""
    principal.require_in(engagement.organization_id, Role.MANAGER, "Moving an engagement's status")
    actor = principal.user
    engagement = _locked(principal, engagement)
    current = EngagementStatus(engagement.status)
    if to_status not in EngagementStatus.values:
        raise ValidationError({"to_status": f"{to_status!r} is not a status."})
    target = EngagementStatus(to_status)
    if target not in STATUS_MOVES[current]:
        allowed = ", ".join(sorted(s.label.lower() for s in STATUS_MOVES[current])) or "nothing"
        raise ValidationError(
            {
                "to_status": f"A {current.label.lower()} engagement cannot become "
                f"{target.label.lower()}; it can become: {allowed}."
            }
        )
    reason = reason.strip()
    if target in (EngagementStatus.PAUSED, EngagementStatus.ENDED) and not reason:
        raise ValidationError({"reason": f"Say why the engagement is {target.label.lower()}."})
    if target == EngagementStatus.ENDED and current != EngagementStatus.DRAFT:
        if engagement.exit_started_at is None:
            raise ValidationError(
                {"to_status": "Start the exit checklist first, so that ending leaves nothing open."}
            )
        still_open = open_exit_items(principal, engagement)
        if still_open:
            raise ValidationError(
                {"to_status": "Finish the exit checklist first: " + "; ".join(still_open) + "."}
            )
    if target == EngagementStatus.ACTIVE:
        missing = activation_blockers(engagement)
        if missing:
            raise ValidationError(
                {
                    "to_status": "It cannot become active until the communication plan names "
                    + "; ".join(missing)
                    + "."
                }
            )
        today = _today(engagement.organization)
        early = activation_before_start(engagement, today)
        if early and not confirm_before_start:
            raise ValidationError(
                {
                    "confirm_before_start": f"The engagement starts on {_day(early)}, after "
                    f"today ({_day(today)}): once active, its service levels, reminders and "
                    "work run from today, before the provider has started. Activate it on the "
                    "start date, or confirm that it starts early."
                }
            )
        if early:
            note = f"Activated before the start date ({_day(early)}), as confirmed."
            reason = f"{reason[: 500 - len(note) - 3]} — {note}" if reason else note
    engagement.status = target
    engagement.version += 1
    engagement.save(update_fields=["status", "version", "updated_at"])
    StatusChange.objects.create(
        organization=engagement.organization,
        engagement=engagement,
        from_status=current,
        to_status=target,
        reason=reason,
        changed_by=actor,
    )
    audit.record(
        engagement.organization,
        actor,
        "engagement.status_changed",
        engagement,
        f"{engagement.title}: {current.label} → {target.label}",
        {"status": [current.value, target.value]},
    )
    return engagement


# --- Communication plan --------------------------------------------------------------------
@transaction.atomic
def update_plan(
    principal: Principal,
    engagement: Engagement,
    *,
    our_point_person_id=None,
    their_point_person_id=None,
    issue_contact_id=None,
    preferred_channel: str,
    meeting_cadence: str,
    meeting_notes: str = "",
) -> CommunicationPlan:
    principal.require_in(
        engagement.organization_id, Role.MANAGER, "Changing the communication plan"
    )
    actor = principal.user
    ensure_open(engagement)
    org = engagement.organization
    plans = CommunicationPlan.objects.select_for_update().visible_to(principal)
    plan = plans.get(engagement=engagement)
    plan.our_point_person = member_of(principal, our_point_person_id, "our_point_person")
    plan.their_point_person = contact_of(
        principal, engagement, their_point_person_id, "their_point_person"
    )
    plan.issue_contact = contact_of(principal, engagement, issue_contact_id, "issue_contact")
    plan.preferred_channel = preferred_channel
    plan.meeting_cadence = meeting_cadence
    plan.meeting_notes = meeting_notes.strip()
    plan.full_clean()
    plan.save()
    audit.record(
        org,
        actor,
        "communication_plan.updated",
        engagement,
        f"Updated the communication plan of {engagement.title}",
    )
    return plan


@transaction.atomic
def add_escalation_level(
    principal: Principal, engagement: Engagement, *, our_person_id, their_contact_id, amount, unit
) -> EscalationLevel:
    """Add the next rung of the ladder (level 1 is asked first)."""
    principal.require_in(engagement.organization_id, Role.MANAGER, "Changing the escalation ladder")
    actor = principal.user
    ensure_open(engagement)
    org = engagement.organization
    our_person = member_of(principal, our_person_id, "our_person")
    if our_person is None:
        raise ValidationError({"our_person": "Choose a member of this organization."})
    their_contact = contact_of(principal, engagement, their_contact_id, "their_contact")
    if their_contact is None:
        raise ValidationError({"their_contact": f"Choose a contact at {engagement.provider}."})
    top = (
        EscalationLevel.objects.visible_to(principal)
        .filter(engagement=engagement)
        .aggregate(top=Max("level"))["top"]
    )
    level = EscalationLevel(
        organization=org,
        engagement=engagement,
        level=(top or 0) + 1,
        our_person=our_person,
        their_contact=their_contact,
        amount=amount,
        unit=unit,
    )
    level.full_clean(validate_constraints=False)
    level.save()
    audit.record(
        org,
        actor,
        "escalation_level.created",
        engagement,
        f"Added escalation level {level.level} to {engagement.title}",
    )
    return level


@transaction.atomic
def remove_escalation_level(principal: Principal, level: EscalationLevel) -> None:
    """Remove a rung; the rungs above move down so the ladder has no gap."""
    principal.require_in(level.organization_id, Role.MANAGER, "Changing the escalation ladder")
    actor = principal.user
    org, engagement = level.organization, level.engagement
    ensure_open(engagement)
    level.delete()
    rungs = EscalationLevel.objects.visible_to(principal).filter(engagement=engagement)
    for position, rung in enumerate(rungs.order_by("level"), 1):
        if rung.level != position:
            rung.level = position
            rung.save(update_fields=["level"])
    audit.record(
        org,
        actor,
        "escalation_level.removed",
        engagement,
        f"Removed an escalation level from {engagement.title}",
    )


# --- Service levels and response targets ---------------------------------------------------
@transaction.atomic
def save_service_level(
    principal: Principal, engagement: Engagement, *, data: dict, service_level=None
):
    principal.require_in(engagement.organization_id, Role.MANAGER, "Changing service levels")
    actor = principal.user
    ensure_open(engagement)
    org = engagement.organization
    level = service_level or ServiceLevel(organization=org, engagement=engagement)
    for key in ("task_kind", "rule", "business_days", "day_of_month"):
        setattr(level, key, data.get(key))
    level.task_kind = " ".join((level.task_kind or "").split())
    level.full_clean(validate_constraints=False)
    clash = ServiceLevel.objects.visible_to(principal).filter(
        engagement=engagement, task_kind__iexact=level.task_kind
    )
    if clash.exclude(pk=level.pk).exists():
        raise ValidationError({"task_kind": f"{level.task_kind} already has a service level."})
    level.save()
    audit.record(org, actor, "service_level.saved", engagement, f"{engagement.title}: {level}")
    return level


@transaction.atomic
def delete_service_level(principal: Principal, level: ServiceLevel) -> None:
    principal.require_in(level.organization_id, Role.MANAGER, "Changing service levels")
    actor = principal.user
    ensure_open(level.engagement)
    audit.record(
        level.organization,
        actor,
        "service_level.deleted",
        level.engagement,
        f"{level.engagement.title}: removed {level.task_kind}",
    )
    level.delete()


@transaction.atomic
def set_response_target(principal: Principal, engagement: Engagement, *, severity, amount, unit):
    """Set (or clear, with amount None) the first-response target for one severity."""
    principal.require_in(engagement.organization_id, Role.MANAGER, "Changing response targets")
    actor = principal.user
    ensure_open(engagement)
    org = engagement.organization
    targets = ResponseTarget.objects.visible_to(principal).filter(engagement=engagement)
    existing = targets.filter(severity=severity)
    if amount in (None, ""):
        if existing.exists():
            existing.delete()
            audit.record(
                org,
                actor,
                "response_target.cleared",
                engagement,
                f"{engagement.title}: no target for {severity} issues",
            )
        return None
    target = existing.first() or ResponseTarget(
        organization=org, engagement=engagement, severity=severity
    )
    target.amount, target.unit = amount, unit
    target.full_clean(validate_constraints=False)
    target.save()
    audit.record(
        org,
        actor,
        "response_target.saved",
        engagement,
        f"{engagement.title}: {target.get_severity_display()} issues answered within "
        f"{target.target_display}",
    )
    return target


# --- Workflow ------------------------------------------------------------------------------
@transaction.atomic
def add_workflow_step(principal: Principal, engagement: Engagement, *, data: dict) -> WorkflowStep:
    principal.require_in(engagement.organization_id, Role.MANAGER, "Changing the workflow")
    actor = principal.user
    ensure_open(engagement)
    org = engagement.organization
    top = (
        WorkflowStep.objects.visible_to(principal)
        .filter(engagement=engagement)
        .aggregate(top=Max("position"))["top"]
    )
    step = WorkflowStep(
        organization=org,
        engagement=engagement,
        position=(top or 0) + 1,
        **{k: data.get(k, "") for k in ("actor", "action", "recipient", "due")},
    )
    step.full_clean()
    step.save()
    audit.record(
        org,
        actor,
        "workflow.step_added",
        engagement,
        f"{engagement.title}: step {step.position}: {step.sentence}",
    )
    return step


@transaction.atomic
def update_workflow_step(principal: Principal, step: WorkflowStep, *, data: dict) -> WorkflowStep:
    principal.require_in(step.organization_id, Role.MANAGER, "Changing the workflow")
    actor = principal.user
    ensure_open(step.engagement)
    for key in ("actor", "action", "recipient", "due"):
        setattr(step, key, data.get(key, ""))
    step.full_clean()
    step.save()
    audit.record(
        step.organization,
        actor,
        "workflow.step_changed",
        step.engagement,
        f"{step.engagement.title}: step {step.position}: {step.sentence}",
    )
    return step


@transaction.atomic
def move_workflow_step(principal: Principal, step: WorkflowStep, *, direction: int) -> None:
    """Swap a step with its neighbour above (-1) or below (+1); the ends stay put."""
    principal.require_in(step.organization_id, Role.MANAGER, "Changing the workflow")
    actor = principal.user
    ensure_open(step.engagement)
    steps = list(
        WorkflowStep.objects.select_for_update()
        .visible_to(principal)
        .filter(engagement_id=step.engagement_id)
        .order_by("position", "id")
    )
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    other = index + direction
    if not 0 <= other < len(steps):
        return
    steps[index], steps[other] = steps[other], steps[index]
    for position, row in enumerate(steps, 1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    audit.record(
        step.organization,
        actor,
        "workflow.step_moved",
        step.engagement,
        f"{step.engagement.title}: moved “{step.sentence}” {'up' if direction < 0 else 'down'}",
    )


@transaction.atomic
def delete_workflow_step(principal: Principal, step: WorkflowStep) -> None:
    principal.require_in(step.organization_id, Role.MANAGER, "Changing the workflow")
    actor = principal.user
    ensure_open(step.engagement)
    org, engagement_id = step.organization, step.engagement_id
    audit.record(
        org,
        actor,
        "workflow.step_removed",
        step.engagement,
        f"{step.engagement.title}: removed “{step.sentence}”",
    )
    step.delete()
    rest = WorkflowStep.objects.visible_to(principal).filter(engagement_id=engagement_id)
    for position, row in enumerate(rest.order_by("position", "id"), 1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


# --- Holidays ------------------------------------------------------------------------------
def holiday_dates(principal) -> set[date]:
    return set(Holiday.objects.visible_to(principal).values_list("date", flat=True))


@transaction.atomic
def add_holiday(principal: Principal, *, day: date, name: str) -> Holiday:
    principal.require_in(principal.organization_id, Role.MANAGER, "Changing the holidays")
    org, actor = principal.organization, principal.user
    holiday = Holiday(organization=org, date=day, name=name.strip())
    holiday.full_clean(validate_constraints=False)
    if Holiday.objects.visible_to(principal).filter(date=day).exists():
        raise ValidationError({"date": f"{day:%b %d, %Y} is already a holiday."})
    holiday.save()
    audit.record(org, actor, "holiday.added", holiday, f"Holiday {holiday}")
    return holiday


@transaction.atomic
def add_federal_holidays(principal: Principal, *, year: int) -> int:
    """Add the US federal holidays of ``year`` (from the ``holidays`` package) not yet listed."""
    principal.require_in(principal.organization_id, Role.MANAGER, "Changing the holidays")
    org, actor = principal.organization, principal.user
    have = holiday_dates(principal)
    rows = [
        Holiday(organization=org, date=day, name=name)
        for day, name in sorted(holiday_calendars.US(years=year).items())
        if day not in have
    ]
    Holiday.objects.bulk_create(rows)
    if rows:
        audit.record(
            org,
            actor,
            "holiday.federal_added",
            rows[0],
            f"Added {len(rows)} US federal holidays of {year}",
        )
    return len(rows)


@transaction.atomic
def delete_holiday(principal: Principal, holiday: Holiday) -> None:
    principal.require_in(holiday.organization_id, Role.MANAGER, "Changing the holidays")
    actor = principal.user
    audit.record(holiday.organization, actor, "holiday.deleted", holiday, f"Removed {holiday}")
    holiday.delete()


def seed_holidays(sender=None, *, organization, **kwargs) -> None:
    """Start a new organization's holiday list with this year's and next year's US federal
    holidays; the organization edits it from there."""
    year = timezone.now().year
    for each in (year, year + 1):
        add_federal_holidays(Principal.system(organization), year=each)


# --- Access register and exit --------------------------------------------------------------
@transaction.atomic
def grant_access(principal: Principal, engagement: Engagement, *, data: dict) -> AccessGrant:
    principal.require_in(engagement.organization_id, Role.MANAGER, "Recording access")
    actor = principal.user
    ensure_open(engagement)
    org = engagement.organization
    grant = AccessGrant(
        organization=org,
        engagement=engagement,
        system=data.get("system", "").strip(),
        account=data.get("account", "").strip(),
        level=data.get("level", "").strip(),
        granted_by=member_of(principal, data.get("granted_by_id"), "granted_by") or actor,
        granted_on=data.get("granted_on") or timezone.localdate(),
    )
    grant.full_clean()
    grant.save()
    if engagement.exit_started_at:
        _exit_item_for(grant)
    audit.record(
        org, actor, "access.granted", engagement, f"{engagement.provider} can reach {grant}"
    )
    return grant


@transaction.atomic
def revoke_access(principal: Principal, grant: AccessGrant) -> AccessGrant:
    """Record that the provider can no longer reach the system; ticks its exit item."""
    principal.require_in(grant.organization_id, Role.MANAGER, "Recording access")
    actor = principal.user
    if grant.revoked_on is None:
        grant.revoked_on = timezone.localdate()
        grant.revoked_by = actor
        grant.save(update_fields=["revoked_on", "revoked_by"])
        ExitItem.objects.visible_to(principal).filter(
            access_grant=grant, done_at__isnull=True
        ).update(done_at=timezone.now(), done_by=actor)
        audit.record(
            grant.organization, actor, "access.revoked", grant.engagement, f"Revoked {grant}"
        )
    return grant


EXIT_STANDARD_ITEMS = [
    (ExitItemKind.COLLECT_DATA, "Collect our documents and data from them"),
    (ExitItemKind.FINAL_INVOICE, "Receive and settle the final invoice"),
    (ExitItemKind.HAND_BACK, "Get the work in progress handed back or over"),
]


def _exit_item_for(grant: AccessGrant) -> ExitItem:
    return ExitItem.objects.create(
        organization=grant.organization,
        engagement=grant.engagement,
        kind=ExitItemKind.REVOKE_ACCESS,
        text=f"Revoke access to {grant}",
        access_grant=grant,
    )


@transaction.atomic
def start_exit(principal: Principal, engagement: Engagement) -> list[ExitItem]:
    """Open the exit checklist: one item per access still open, and the standard items."""
    principal.require_in(engagement.organization_id, Role.MANAGER, "Working the exit checklist")
    actor = principal.user
    engagement = _locked(principal, engagement)
    if engagement.status == EngagementStatus.ENDED:
        raise ValidationError("This engagement has ended already.")
    if engagement.exit_started_at is None:
        org = engagement.organization
        engagement.exit_started_at = timezone.now()
        engagement.save(update_fields=["exit_started_at", "updated_at"])
        for grant in AccessGrant.objects.visible_to(principal).filter(
            engagement=engagement, revoked_on__isnull=True
        ):
            _exit_item_for(grant)
        ExitItem.objects.bulk_create(
            [
                ExitItem(organization=org, engagement=engagement, kind=kind, text=text)
                for kind, text in EXIT_STANDARD_ITEMS
            ]
        )
        audit.record(
            org,
            actor,
            "engagement.exit_started",
            engagement,
            f"Started the exit checklist of {engagement.title}",
        )
    return list(ExitItem.objects.visible_to(principal).filter(engagement=engagement))


@transaction.atomic
def add_exit_item(principal: Principal, engagement: Engagement, *, text: str) -> ExitItem:
    principal.require_in(engagement.organization_id, Role.MANAGER, "Working the exit checklist")
    actor = principal.user
    if engagement.exit_started_at is None:
        raise ValidationError("Start the exit checklist first.")
    item = ExitItem(
        organization=engagement.organization,
        engagement=engagement,
        kind=ExitItemKind.OTHER,
        text=text.strip(),
    )
    item.full_clean()
    item.save()
    audit.record(
        engagement.organization,
        actor,
        "exit.item_added",
        engagement,
        f"{engagement.title}: exit item “{item.text}”",
    )
    return item


@transaction.atomic
def complete_exit_item(principal: Principal, item: ExitItem, *, done: bool = True) -> ExitItem:
    """Tick (or untick) an item; ticking an access item revokes that access, and a revoked
    access cannot be unticked (grant it again instead)."""
    principal.require_in(item.organization_id, Role.MANAGER, "Working the exit checklist")
    actor = principal.user
    if item.access_grant_id:
        if not done:
            raise ValidationError(
                "The access was revoked; record a new grant if it is needed again."
            )
        if item.access_grant.revoked_on is None:
            revoke_access(principal, item.access_grant)
        item.refresh_from_db()
        return item
    item.done_at = timezone.now() if done else None
    item.done_by = actor if done else None
    item.save(update_fields=["done_at", "done_by"])
    audit.record(
        item.organization,
        actor,
        "exit.item_done" if done else "exit.item_reopened",
        item.engagement,
        f"{item.engagement.title}: {'done' if done else 'reopened'}: {item.text}",
    )
    return item


def open_exit_items(principal: Principal, engagement: Engagement) -> list[str]:
    return list(
        ExitItem.objects.visible_to(principal)
        .filter(engagement=engagement, done_at__isnull=True)
        .values_list("text", flat=True)
    )
