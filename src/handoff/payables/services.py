"""Pay's operations: invoices (submitted by a provider's contact through the portal, or entered
by a member on the provider's behalf), payments and the payments' CSV import. Each owns its
transaction, checks that every linked row belongs to the organization, and writes the audit
trail. A payment's tax checks (a W-9 on file, backup withholding) are ``compliance``'s,
run through :mod:`handoff.payables.hooks` before the payment is saved."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date

from handoff.accounts.models import Membership, PortalAccess
from handoff.core import audit, csv_import
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.core.uploads import safe_name, sniff_attachment
from handoff.decisions.models import BusinessFunction
from handoff.engagements.models import Engagement
from handoff.notifications.events import Event
from handoff.notifications.services import notify
from handoff.payables import checks, hooks, selectors
from handoff.payables.choices import PERIOD_RELEASED, InvoiceStatus, LineKind, PaymentMethod
from handoff.payables.models import (
    APPROVER_ROLES,
    ApprovalRule,
    ApprovalSettings,
    Invoice,
    InvoiceApproval,
    InvoiceAttachment,
    InvoiceLine,
    Payment,
)
from handoff.providers.models import Contact, Provider

APPROVER_ROLE_VALUES = [value for value, _ in APPROVER_ROLES]

INVOICE_FIELDS = ["number", "issued_on", "due_on", "amount", "description"]
# What a submitted invoice takes besides its engagement, lines and files.
SUBMIT_FIELDS = [
    "number",
    "issued_on",
    "due_on",
    "period_start",
    "period_end",
    "amount",
    "description",
    "note",
]
LINE_FIELDS = ["kind", "description", "quantity", "unit_price", "amount"]
MAX_LINES = 100
MAX_ATTACHMENTS = 10
PAYMENT_FIELDS = ["paid_on", "amount", "method", "reference"]


def _provider(principal: Principal, provider_id) -> Provider:
    provider = (
        Provider.objects.visible_to(principal).filter(pk=provider_id).first()
        if provider_id
        else None
    )
    if provider is None:
        raise ValidationError({"provider": "Choose a provider of this organization."})
    return provider


def _link(principal: Principal, model, pk, field: str):
    if pk in (None, ""):
        return None
    row = model.objects.visible_to(principal).filter(pk=pk).first()
    if row is None:
        raise ValidationError({field: f"Choose a {model._meta.verbose_name} of this organization."})
    return row


def record_invoice(principal: Principal, *, provider_id, engagement_id=None, data: dict) -> Invoice:
    """A member enters an invoice as one amount (one fee line): the shape invoices had before
    they had lines, kept for callers that know only the total."""
    amount = data.get("amount")
    return submit_invoice(
        principal,
        engagement_id,
        {**{k: v for k, v in data.items() if k in SUBMIT_FIELDS}, "provider_id": provider_id},
        [
            {
                "kind": LineKind.FEE,
                "description": data.get("description") or "",
                "quantity": Decimal(1),
                "unit_price": amount,
                "amount": amount,
            }
        ],
    )


def _decimal(value, field: str) -> Decimal:
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = (
                Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
            )
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise ValidationError({field: "Give a number such as 12.50."})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({field: "Give at most two decimal places (cents)."})
    if abs(number) >= Decimal("1e10"):
        raise ValidationError({field: "The number is too large."})
    return number


def _lines(lines) -> list[checks.Line]:
    """``lines`` (dicts of LINE_FIELDS) as checked values; a bad field is refused by name."""
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": f"An invoice has at most {MAX_LINES} lines."})
    parsed, errors = [], {}
    for index, line in enumerate(lines):
        values = {}
        for name in ("quantity", "unit_price", "amount"):
            try:
                values[name] = _decimal(line.get(name), f"lines[{index}].{name}")
            except ValidationError as error:
                errors.update(error.message_dict)
        kind = str(line.get("kind") or "")
        if kind not in LineKind.values:
            errors[f"lines[{index}].kind"] = ["Choose hours, units, fee or expense for each line."]
        description = " ".join(str(line.get("description") or "").split())
        if len(description) > 300:
            errors[f"lines[{index}].description"] = ["Keep a line's description to 300 characters."]
        if len(values) == 3:
            parsed.append(checks.Line(kind=kind, description=description, **values))
    if errors:
        raise ValidationError(errors)
    return parsed


def terms_of(engagement: Engagement) -> checks.Terms:
    """The engagement's terms as the checks read them (its tiers prefetched or read here)."""
    return checks.Terms(
        pricing_model=engagement.pricing_model,
        amount=engagement.amount,
        billing_period=engagement.billing_period,
        tiers=tuple(engagement.tiers()),
        expenses_allowed=engagement.expenses_allowed,
        start=engagement.start_date,
        end=engagement.end_date,
        status=engagement.status,
        unit_name=engagement.unit_name,
    )


def _approvers(invoice: Invoice) -> list:
    """Who hears of a submitted invoice: the organization's managers and above (approval rules
    by role and amount come with the approval step). Read for the organization, whoever
    submitted: a provider's contact sees no memberships."""
    system = Principal.system(invoice.organization)
    return [
        membership.user
        for membership in Membership.objects.visible_to(system)
        .filter(role__in=[Role.OWNER, Role.ADMIN, Role.MANAGER])
        .select_related("user")
        .order_by("user_id")
    ]


def _store_files(invoice: Invoice, checked, actor) -> list:
    rows, saved = [], []
    try:
        for upload, content_type, extension in checked:
            name = safe_name(getattr(upload, "name", "") or "", extension)
            row = InvoiceAttachment(
                organization=invoice.organization,
                invoice=invoice,
                name=name[:200],
                content_type=content_type,
                size=upload.size,
                uploaded_by=actor if actor is not None and actor.is_authenticated else None,
            )
            row.file.save(safe_name(name, extension, limit=64), upload, save=False)
            saved.append(row.file)
            row.save()
            rows.append(row)
    except Exception:
        for stored in saved:  # nothing half-saved: the database rolls back, the files go too
            stored.storage.delete(stored.name)
        raise
    return rows


def _engagement_for(principal: Principal, engagement) -> Engagement | None:
    if engagement in (None, ""):
        return None
    pk = engagement.pk if isinstance(engagement, Engagement) else engagement
    found = (
        Engagement.objects.visible_to(principal)
        .select_related("provider", "organization")
        .prefetch_related("price_tiers")
        .filter(pk=pk)
        .first()
        if str(pk).isdigit()
        else None
    )
    if found is None:
        raise ValidationError(
            {"engagement": "Choose one of the engagements listed (this one is not yours)."}
        )
    return found


@transaction.atomic
def submit_invoice(
    principal: Principal, engagement, data: dict, lines: list[dict], attachments=()
) -> Invoice:
    """Submit an invoice under ``engagement`` (an id or row) with its ``lines`` (dicts of
    ``LINE_FIELDS``) and ``attachments`` (uploaded files): all of it, or nothing.

    A provider's contact submits for their own provider's engagements only (any other is
    refused on ``engagement``, as if it did not exist). A member (manager or above) enters one
    on the provider's behalf, recorded as such; a member may name no engagement (``data``'s
    ``provider_id`` then says whose invoice it is), and the lines are then checked for their
    arithmetic only. Refusals (:mod:`handoff.payables.checks`) raise ``ValidationError`` naming
    each field (``lines[2].amount``); what differs from the terms is kept in ``flags`` for the
    approver. ``data["replaces_id"]`` names an invoice this one corrects: it is kept, marked
    superseded. The organization's managers and above are notified."""
    if principal.is_link or principal.organization is None:
        raise PermissionDenied("Submitting an invoice needs a log-in.")
    if not principal.is_provider:
        principal.require(Role.MANAGER, "Entering an invoice for a provider")
    org, actor = principal.organization, principal.user
    found = _engagement_for(principal, engagement)
    if found is not None:
        provider = found.provider
    elif principal.is_provider:
        raise ValidationError({"engagement": "Choose the engagement the invoice is for."})
    else:
        provider = _provider(principal, data.get("provider_id"))
    if principal.is_provider:
        principal.require_in(found.organization_id, Role.MANAGER, or_provider=provider.pk)

    values = {key: data.get(key) for key in SUBMIT_FIELDS if key in data}
    for key in ("number", "description", "note"):
        values[key] = (
            " ".join(str(values.get(key) or "").split())
            if key != "note"
            else (str(values.get(key) or "").strip())
        )
    errors: dict[str, list[str]] = {}
    try:
        total = _decimal(values.get("amount"), "amount")
    except ValidationError as error:
        errors.update(error.message_dict)
        total = None
    try:
        parsed = _lines(lines)
    except ValidationError as error:
        errors.update(error.message_dict)
        parsed = None

    replaces = None
    if data.get("replaces_id"):
        replaces = (
            Invoice.objects.visible_to(principal)
            .filter(pk=data["replaces_id"], provider=provider)
            .first()
            if str(data["replaces_id"]).isdigit()
            else None
        )
        if replaces is None:
            errors["replaces_id"] = ["Choose an invoice of this provider to correct."]
        elif replaces.status not in (InvoiceStatus.SUBMITTED, InvoiceStatus.REJECTED):
            errors["replaces_id"] = [
                f"Invoice {replaces.number} is {replaces.get_status_display().lower()}; only a "
                "submitted or rejected invoice can be corrected."
            ]

    invoice = Invoice(
        organization=org,
        provider=provider,
        engagement=found,
        status=InvoiceStatus.SUBMITTED,
        submitted_by=actor,
        created_by=actor,
        entered_by_member=not principal.is_provider,
        replaces=replaces,
        **{k: v for k, v in values.items() if k != "amount"},
        amount=total if total is not None else Decimal(0),
    )
    try:
        invoice.full_clean(exclude=["amount", "flags"], validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)

    if parsed is not None and total is not None:
        billed = []
        if found is not None:
            earlier = (
                Invoice.objects.visible_to(principal)
                .filter(engagement=found, period_start__isnull=False, period_end__isnull=False)
                .exclude(status__in=PERIOD_RELEASED)
            )
            if replaces is not None:
                earlier = earlier.exclude(pk=replaces.pk)
            billed = [
                checks.Billed(number, start, end)
                for number, start, end in earlier.values_list(
                    "number", "period_start", "period_end"
                )
            ]
        outcome = checks.check_invoice(
            terms_of(found) if found is not None else None,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            lines=parsed,
            total=total,
            billed=billed,
        )
        for field, messages in outcome.refusal_dict().items():
            if field == "period_end" and "period_end" in errors:
                continue  # the model said it already
            errors.setdefault(field, []).extend(messages)
        invoice.flags = [finding.as_json() for finding in outcome.flags]

    if (
        invoice.number
        and (
            Invoice.objects.visible_to(principal).filter(provider=provider, number=invoice.number)
        ).exists()
    ):
        errors.setdefault("number", []).append(
            f"{provider.name} already has an invoice {invoice.number}; give this one its own "
            f"number (a correction too, e.g. {invoice.number}-2)."
        )
    files = [f for f in attachments or () if f]
    if len(files) > MAX_ATTACHMENTS:
        errors["attachments"] = [f"Attach at most {MAX_ATTACHMENTS} files."]
    else:
        for upload in files:
            try:
                sniff_attachment(upload, "attachments")
            except ValidationError as error:
                errors.setdefault("attachments", []).extend(error.message_dict["attachments"])
    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:  # submitted twice at once: the constraint has the last word
        raise ValidationError(
            {"number": f"{provider.name} already has an invoice {invoice.number}."}
        ) from None
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            organization=org,
            invoice=invoice,
            position=index,
            kind=line.kind,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
        )
        for index, line in enumerate(parsed)
    )
    _store_files(invoice, [(f, *sniff_attachment(f, "attachments")) for f in files], actor)
    if replaces is not None:
        replaces.status = InvoiceStatus.SUPERSEDED
        replaces.save(update_fields=["status"])
    who = "entered for the provider by a member" if invoice.entered_by_member else "submitted"
    audit.record(
        org,
        actor,
        "invoice.submitted",
        invoice,
        f"Invoice {invoice.number} from {provider.name} for {invoice.amount} {who}"
        + (f", correcting {replaces.number}" if replaces else "")
        + (f"; {len(invoice.flags)} flagged" if invoice.flags else ""),
        {"flags": [flag["code"] for flag in invoice.flags]},
    )
    flagged = f" ({len(invoice.flags)} flagged against the terms)" if invoice.flags else ""
    notify(
        organization=org,
        event=Event.INVOICE_SUBMITTED,
        subject=f"Invoice {invoice.number} from {provider.name}: {invoice.amount:,.2f}{flagged}",
        body=(
            f"{provider.name} submitted invoice {invoice.number}"
            if not invoice.entered_by_member
            else f"Invoice {invoice.number} was entered on {provider.name}'s behalf"
        )
        + (f" under “{found.title}”" if found else "")
        + ". It waits for approval.",
        url=reverse("payables:invoice", args=[org.slug, invoice.pk]),
        users=_approvers(invoice),
        key=f"invoice-submitted-{invoice.pk}",
        actor=actor,
    )
    return invoice


# A payment date needs the "the date is right" confirmation when it is after today (a payment
# scheduled ahead), before the start of the engagement it pays for, or before January 1 two
# years back. That floor keeps the current year, the
# year whose 1099s are being filed and the one before (late corrections) open without a
# question, while a date older than that is most often a typo (2052 for 2025, a wrong
# century); older history can still be entered by confirming it.
PAST_YEARS_OPEN = 2
FUTURE_LIMIT = timedelta(days=366)  # even confirmed, a payment is not scheduled further ahead
EARLIEST = date(2000, 1, 1)  # before this a date is refused outright


def payment_date_problem(org, payment: Payment, today: date | None = None) -> tuple[str, bool]:
    """What is odd about ``payment.paid_on``: (the sentence naming the date and the reason,
    whether confirming it allows the payment). Empty when the date is plausible."""
    paid_on = payment.paid_on
    if paid_on is None:
        return "", True
    today = today or org.today()
    day = f"{paid_on:%b %-d, %Y}"
    if paid_on < EARLIEST:
        return f"{day} is before 2000: enter the date the payment was made.", False
    if paid_on > today + FUTURE_LIMIT:
        return (
            f"{day} is more than a year after today ({today:%b %-d, %Y}): a payment cannot "
            "be scheduled that far ahead. Enter the date it was paid.",
            False,
        )
    if paid_on > today:
        return (
            f"{day} is after today ({today:%b %-d, %Y} in {org.time_zone}): a payment not yet "
            "made is refused. If it is scheduled for that day, confirm the date.",
            True,
        )
    floor = date(today.year - PAST_YEARS_OPEN, 1, 1)
    if paid_on < floor:
        return (
            f"{day} is before {floor:%b %-d, %Y}, more than {PAST_YEARS_OPEN} tax years back: "
            "check the year, or confirm the date if it is right.",
            True,
        )
    # Only the engagement the payment is for: work paid ad hoc before any engagement was
    # drafted is ordinary, and such a payment names no engagement.
    engagement = payment.engagement
    if engagement is not None and engagement.start_date and paid_on < engagement.start_date:
        return (
            f"{day} is before “{engagement.title}” starts ({engagement.start_date:%b %-d, %Y}): "
            "check the date, or confirm it if the payment came first (a deposit, a retainer).",
            True,
        )
    return "", True


def check_payment_date(org, payment: Payment, *, confirm_date: bool) -> None:
    problem, confirmable = payment_date_problem(org, payment)
    if problem and not (confirmable and confirm_date):
        raise ValidationError({"paid_on": problem})


@transaction.atomic
def record_payment(
    principal: Principal,
    *,
    provider_id,
    engagement_id=None,
    invoice_id=None,
    data: dict,
    confirm_date: bool = False,
) -> tuple[Payment, list[str]]:
    """Record a payment to a provider; returns it and any warnings. The registered checks
    (:mod:`handoff.payables.hooks`) may warn or refuse: a payee with no W-9 on file, backup
    withholding. A date in the future, before the engagement or long ago is refused unless
    ``confirm_date``."""
    principal.require_in(principal.organization_id, Role.MANAGER, "Recording a payment")
    org, actor = principal.organization, principal.user
    payment = Payment(
        organization=org,
        provider=_provider(principal, provider_id),
        engagement=_link(principal, Engagement, engagement_id, "engagement"),
        invoice=_link(principal, Invoice, invoice_id, "invoice"),
        created_by=actor,
        **{key: value for key, value in data.items() if key in PAYMENT_FIELDS},
    )
    payment.full_clean(validate_constraints=False)
    check_payment_date(org, payment, confirm_date=confirm_date)
    if payment.invoice_id:
        _check_against_invoice(principal, payment)
    warnings = hooks.check_payment(principal, payment)
    payment.save()
    if payment.processor_reported:
        warnings.append(
            f"Paid by {payment.get_method_display().lower()}: the processor reports it on "
            "Form 1099-K, so it is left out of your 1099-NEC totals."
        )
    audit.record(
        org,
        actor,
        "payment.recorded",
        payment,
        f"Recorded a payment of {payment.amount} to {payment.provider.name}",
    )
    return payment, warnings


def _check_against_invoice(principal: Principal, payment: Payment) -> None:
    """A payment against an invoice: the invoice approved, the amount within its balance.
    The invoice's row is locked, so two payments at once cannot both pass the balance."""
    invoice = _locked(principal, payment.invoice_id)
    if invoice.status != InvoiceStatus.APPROVED:
        raise ValidationError(
            {
                "invoice": f"Invoice {invoice.number} is {invoice.get_status_display().lower()}"
                ": only an approved invoice is paid against."
            }
        )
    paid = sum(
        Payment.objects.visible_to(principal)
        .filter(invoice_id=invoice.pk)
        .values_list("amount", flat=True),
        Decimal(0),
    )
    balance = invoice.amount - paid
    if payment.amount > balance:
        raise ValidationError(
            {
                "amount": f"{payment.amount:,.2f} is more than the balance of invoice "
                f"{invoice.number}: {balance:,.2f} (total {invoice.amount:,.2f}, paid so far "
                f"{paid:,.2f})."
            }
        )


IMPORT_COLUMNS = [
    "provider",
    "paid_on",
    "amount",
    "method",
    "reference",
    "engagement",
    "invoice",
    "confirm_date",
]
REQUIRED_COLUMNS = ["provider", "paid_on", "amount", "method"]


def _import_row(
    principal: Principal, row: dict, providers: dict, engagements: dict
) -> tuple[dict, list]:
    """Turn one CSV row into ``record_payment``'s arguments, or the reasons it cannot be."""
    errors = []
    name = " ".join((row.get("provider") or "").split())
    matches = providers.get(name.lower(), [])
    provider = matches[0] if len(matches) == 1 else None
    if not name:
        errors.append("provider: give the provider's name.")
    elif not matches:
        errors.append(f"provider: no provider is named {name}.")
    elif len(matches) > 1:
        errors.append(f"provider: {len(matches)} providers are named {name}; rename one first.")
    raw_date = (row.get("paid_on") or "").strip()
    try:
        paid_on = parse_date(raw_date)
    except ValueError:
        paid_on = None
    if paid_on is None:
        errors.append("paid_on: give the date as YYYY-MM-DD.")
    raw_amount = (row.get("amount") or "").strip().replace(",", "").removeprefix("$")
    try:
        amount = Decimal(raw_amount)
        if not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        amount = None
        errors.append("amount: give an amount such as 1250.00.")
    method = (row.get("method") or "").strip().lower()
    if method not in PaymentMethod.values:
        errors.append("method: use one of " + ", ".join(PaymentMethod.values) + ".")
    engagement_id = None
    title = " ".join((row.get("engagement") or "").split())
    if title and provider is not None:
        found = engagements.get((provider.pk, title.lower()), [])
        if len(found) != 1:
            errors.append(f"engagement: {provider.name} has no single engagement titled {title}.")
        else:
            engagement_id = found[0]
    invoice_id = None
    number = (row.get("invoice") or "").strip()
    if number and provider is not None:
        invoice = (
            Invoice.objects.visible_to(principal).filter(provider=provider, number=number).first()
        )
        if invoice is None:
            errors.append(f"invoice: {provider.name} has no invoice {number}.")
        else:
            invoice_id = invoice.pk
    confirm = (row.get("confirm_date") or "").strip().lower()
    if confirm not in {"", "yes", "no"}:
        errors.append("confirm_date: write yes (the date is right) or leave it empty.")
    arguments = {
        "provider_id": provider.pk if provider else None,
        "engagement_id": engagement_id,
        "invoice_id": invoice_id,
        "confirm_date": confirm == "yes",
        "data": {
            "paid_on": paid_on,
            "amount": amount,
            "method": method,
            "reference": (row.get("reference") or "").strip(),
        },
    }
    return arguments, errors


def import_payments(principal: Principal, *, rows: list[dict], commit: bool) -> list[dict]:
    """Check (and with ``commit``, record) payments from CSV rows, all or nothing.

    Returns one entry per row: its line, provider, amount, the reasons it is refused (empty
    when fine) and its warnings (no W-9, paid by card). Nothing is saved unless ``commit`` and
    every row passes; a dry run gives the same verdicts without saving."""
    principal.require_in(principal.organization_id, Role.MANAGER, "Importing payments")
    providers: dict[str, list[Provider]] = {}
    for provider in Provider.objects.visible_to(principal):
        providers.setdefault(provider.name.lower(), []).append(provider)
    engagements: dict[tuple, list[int]] = {}
    for pk, provider_id, title in Engagement.objects.visible_to(principal).values_list(
        "pk", "provider_id", "title"
    ):
        engagements.setdefault((provider_id, title.lower()), []).append(pk)

    def import_row(line: int, row: dict) -> dict:
        arguments, errors = _import_row(principal, row, providers, engagements)
        warnings = []
        if not errors:
            recorded, errors = csv_import.attempt(lambda: record_payment(principal, **arguments))
            if recorded:
                _, warnings = recorded
        return {
            "line": line,
            "provider": (row.get("provider") or "").strip(),
            "amount": (row.get("amount") or "").strip(),
            "paid_on": (row.get("paid_on") or "").strip(),
            "errors": errors,
            "warnings": warnings,
        }

    return csv_import.import_rows(rows, import_row, commit=commit)


# --- Approval ---------------------------------------------------------------------------------
APPROVAL_SETTINGS_FIELDS = ["least_role", "manager_limit", "admin_limit", "second_approver_above"]


def _limit(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    number = _decimal(value, field)
    if number <= 0:
        raise ValidationError({field: "Enter an amount above zero, or leave it empty."})
    return number


@transaction.atomic
def update_approval_settings(principal: Principal, data: dict) -> ApprovalSettings:
    """An admin sets who approves: the least role, each role's limit, the second-approver
    amount (empty limits: none). Audited with what changed."""
    principal.require(Role.ADMIN, "Changing who approves invoices")
    org = principal.organization
    row = ApprovalSettings.objects.visible_to(
        principal
    ).select_for_update().first() or ApprovalSettings(organization=org)
    before = {name: str(getattr(row, name) or "") for name in APPROVAL_SETTINGS_FIELDS}
    errors = {}
    role = str(data.get("least_role") or row.least_role)
    if role not in APPROVER_ROLE_VALUES:
        errors["least_role"] = ["Choose manager, admin or owner."]
    else:
        row.least_role = role
    for name in ("manager_limit", "admin_limit", "second_approver_above"):
        if name in data:
            try:
                setattr(row, name, _limit(data.get(name), name))
            except ValidationError as error:
                errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    row.updated_by = principal.user
    row.save()
    after = {name: str(getattr(row, name) or "") for name in APPROVAL_SETTINGS_FIELDS}
    changed = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    audit.record(
        org,
        principal.user,
        "approval.settings_changed",
        row,
        "Changed who approves invoices: "
        + (", ".join(f"{k} {v[0] or '—'} → {v[1] or '—'}" for k, v in changed.items()) or "—"),
        {"changed": changed},
    )
    return row


@transaction.atomic
def add_approval_rule(
    principal: Principal, *, engagement_id=None, function_id=None, least_role: str
) -> ApprovalRule:
    """An admin raises the least approving role for one engagement or one business function."""
    principal.require(Role.ADMIN, "Changing who approves invoices")
    errors = {}
    if bool(engagement_id) == bool(function_id):
        errors["engagement"] = ["Choose an engagement or a business function (one of them)."]
    if least_role not in APPROVER_ROLE_VALUES:
        errors["least_role"] = ["Choose manager, admin or owner."]
    if errors:
        raise ValidationError(errors)
    engagement = _link(principal, Engagement, engagement_id, "engagement")
    function = _link(principal, BusinessFunction, function_id, "function")
    exists = ApprovalRule.objects.visible_to(principal).filter(
        engagement=engagement, function=function
    )
    if exists.exists():
        field = "engagement" if engagement else "function"
        raise ValidationError({field: "It has a rule already: delete that one first."})
    rule = ApprovalRule(
        organization=principal.organization,
        engagement=engagement,
        function=function,
        least_role=least_role,
        created_by=principal.user,
    )
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise ValidationError({"engagement": "It has a rule already."}) from None
    audit.record(
        principal.organization,
        principal.user,
        "approval.rule_added",
        rule,
        f"{rule.subject}: invoices approved by {rule.get_least_role_display().lower()} or above",
    )
    return rule


@transaction.atomic
def delete_approval_rule(principal: Principal, rule: ApprovalRule) -> None:
    principal.require(Role.ADMIN, "Changing who approves invoices")
    text = f"{rule.subject}: rule removed (was {rule.get_least_role_display().lower()})"
    audit.record(principal.organization, principal.user, "approval.rule_deleted", rule, text)
    rule.delete()


def _contacts_of(invoice: Invoice) -> tuple[list, list[str]]:
    """The provider's contacts: logins of those with live portal access (told as each
    prefers), and the e-mail addresses of the others."""
    system = Principal.system(invoice.organization)
    users, emails = [], []
    contacts = Contact.objects.visible_to(system).filter(provider_id=invoice.provider_id)
    live = {
        access.contact_id: access.user
        for access in PortalAccess.objects.visible_to(system)
        .live()
        .filter(contact__in=contacts)
        .select_related("user")
    }
    for contact in contacts.order_by("pk"):
        if contact.pk in live:
            users.append(live[contact.pk])
        elif contact.email:
            emails.append(contact.email)
    return users, emails


def _tell_contacts(invoice: Invoice, event, subject: str, body: str, actor) -> None:
    users, emails = _contacts_of(invoice)
    notify(
        organization=invoice.organization,
        event=event,
        subject=subject,
        body=body,
        url=reverse("payables:portal_invoice", args=[invoice.organization.slug, invoice.pk]),
        users=users,
        emails=emails,
        key=f"{event}-{invoice.pk}",
        actor=actor,
    )


def _locked(principal: Principal, invoice_id) -> Invoice:
    """The invoice, its row locked for the rest of the transaction. No join: PostgreSQL
    refuses FOR UPDATE across a nullable outer join (the engagement is nullable)."""
    found = (
        Invoice.objects.visible_to(principal).select_for_update().filter(pk=invoice_id).first()
        if str(invoice_id).isdigit()
        else None
    )
    if found is None:
        raise Invoice.DoesNotExist(f"No invoice {invoice_id}.")
    return found


@transaction.atomic
def approve_invoice(principal: Principal, invoice_id) -> tuple[Invoice, list[str]]:
    """``principal`` approves the invoice: returns it and any warnings (no W-9 on file).

    Refused (``ValidationError`` naming the reason) unless it is submitted; when they
    submitted or entered it; below the least role that approves it or above their role's
    limit (:func:`selectors.approval_rule_for`); when they approved it already. Above the
    second-approver amount its first approval leaves it submitted (1 of 2). The row lock
    makes two approvers acting at once take turns, and the one-approval-per-person
    constraint has the last word."""
    principal.require(Role.MANAGER, "Approving an invoice")
    invoice = _locked(principal, invoice_id)
    actor = principal.user
    decision = selectors.who_may_approve(principal, invoice)
    refusal = decision.refusal_for(principal, invoice)
    if refusal:
        raise ValidationError({refusal[0]: refusal[1]})
    warnings = hooks.check_approval(principal, invoice)
    try:
        with transaction.atomic():
            InvoiceApproval.objects.create(
                organization=invoice.organization,
                invoice=invoice,
                approver=actor,
                role=principal.role,
            )
    except IntegrityError:
        raise ValidationError({"invoice": "You have approved this invoice already."}) from None
    count = InvoiceApproval.objects.visible_to(principal).filter(invoice=invoice).count()
    org, provider = invoice.organization, invoice.provider
    if count < decision.approvals_needed:
        audit.record(
            org,
            actor,
            "invoice.approval_added",
            invoice,
            f"Invoice {invoice.number}: approval {count} of {decision.approvals_needed}",
        )
        return invoice, [
            *warnings,
            f"Approval {count} of {decision.approvals_needed}: someone else must approve it too.",
        ]
    invoice.status = InvoiceStatus.APPROVED
    invoice.decided_at = timezone.now()
    invoice.decided_by = actor
    invoice.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(
        org,
        actor,
        "invoice.approved",
        invoice,
        f"Approved invoice {invoice.number} from {provider.name} for {invoice.amount}"
        + (f" ({count} approvals)" if count > 1 else ""),
        {"warnings": warnings},
    )
    _tell_contacts(
        invoice,
        Event.INVOICE_APPROVED,
        f"Invoice {invoice.number} approved",
        f"{org.name} approved your invoice {invoice.number} for {invoice.amount:,.2f}.",
        actor,
    )
    return invoice, warnings


@transaction.atomic
def reject_invoice(principal: Principal, invoice_id, reason: str) -> Invoice:
    """Reject a submitted invoice with a reason its provider's contacts see (and may answer
    with a corrected invoice). The same people may reject as may approve it, limits aside."""
    principal.require(Role.MANAGER, "Rejecting an invoice")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why it is rejected: the provider sees it."})
    if len(reason) > 2000:
        raise ValidationError({"reason": "Keep the reason to 2,000 characters."})
    invoice = _locked(principal, invoice_id)
    decision = selectors.who_may_approve(principal, invoice)
    refusal = decision.refusal_for(principal, invoice, rejecting=True)
    if refusal:
        raise ValidationError({refusal[0]: refusal[1]})
    actor = principal.user
    invoice.status = InvoiceStatus.REJECTED
    invoice.rejection_reason = reason
    invoice.decided_at = timezone.now()
    invoice.decided_by = actor
    invoice.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
    audit.record(
        invoice.organization,
        actor,
        "invoice.rejected",
        invoice,
        f"Rejected invoice {invoice.number} from {invoice.provider.name}: {reason}",
    )
    _tell_contacts(
        invoice,
        Event.INVOICE_REJECTED,
        f"Invoice {invoice.number} rejected",
        f"{invoice.organization.name} rejected your invoice {invoice.number}: {reason}\n"
        "You can submit a corrected invoice from its page.",
        actor,
    )
    return invoice


@transaction.atomic
def add_attachments(principal: Principal, invoice_id, files) -> list[InvoiceAttachment]:
    """Add files (a timesheet, a receipt) to an invoice while it waits for approval: its
    provider's contact or a manager may, up to ``MAX_ATTACHMENTS`` in all. Once it is decided,
    its files are part of the record and stay as they were. All the files, or none."""
    if principal.is_link or principal.organization is None:
        raise PermissionDenied("Adding files to an invoice needs a log-in.")
    if not principal.is_provider:
        principal.require(Role.MANAGER, "Adding files to an invoice")
    invoice = _locked(principal, invoice_id)
    files = [f for f in files or () if f]
    if not files:
        raise ValidationError({"attachments": "Choose at least one file."})
    if invoice.status != InvoiceStatus.SUBMITTED:
        raise ValidationError(
            {
                "attachments": f"Invoice {invoice.number} is {invoice.get_status_display().lower()}"
                ": files are added only while it waits for approval."
            }
        )
    room = MAX_ATTACHMENTS - invoice.attachments.count()
    if len(files) > room:
        raise ValidationError(
            {
                "attachments": f"An invoice takes at most {MAX_ATTACHMENTS} files; "
                f"this one has room for {max(room, 0)} more."
            }
        )
    checked, errors = [], []
    for upload in files:
        try:
            checked.append((upload, *sniff_attachment(upload, "attachments")))
        except ValidationError as error:
            errors.extend(error.message_dict["attachments"])
    if errors:
        raise ValidationError({"attachments": errors})
    rows = _store_files(invoice, checked, principal.user)
    audit.record(
        invoice.organization,
        principal.user,
        "invoice.files_added",
        invoice,
        f"Added {len(rows)} file(s) to invoice {invoice.number}: "
        + ", ".join(row.name for row in rows),
    )
    return rows
