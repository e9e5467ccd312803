"""Pay's operations: invoices, payments and the payments' CSV import. Each owns its
transaction, checks that every linked row belongs to the organization, and writes the audit
trail. A payment's tax checks (a W-9 on file, backup withholding) are ``compliance``'s,
run through :mod:`handoff.payables.hooks` before the payment is saved."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date

from handoff.core import audit, csv_import
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.engagements.models import Engagement
from handoff.payables import hooks
from handoff.payables.choices import PaymentMethod
from handoff.payables.models import Invoice, Payment
from handoff.providers.models import Provider

INVOICE_FIELDS = ["number", "issued_on", "due_on", "amount", "description"]
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


@transaction.atomic
def record_invoice(principal: Principal, *, provider_id, engagement_id=None, data: dict) -> Invoice:
    principal.require_in(principal.organization_id, Role.MANAGER, "Recording an invoice")
    org, actor = principal.organization, principal.user
    invoice = Invoice(
        organization=org,
        provider=_provider(principal, provider_id),
        engagement=_link(principal, Engagement, engagement_id, "engagement"),
        created_by=actor,
        **{key: value for key, value in data.items() if key in INVOICE_FIELDS},
    )
    invoice.full_clean(validate_constraints=False)
    if (
        Invoice.objects.visible_to(principal)
        .filter(provider=invoice.provider, number=invoice.number)
        .exists()
    ):
        raise ValidationError(
            {"number": f"{invoice.provider} already has an invoice {invoice.number}."}
        )
    invoice.save()
    audit.record(
        org,
        actor,
        "invoice.recorded",
        invoice,
        f"Recorded invoice {invoice.number} from {invoice.provider}",
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
