"""Accounting systems, the database side: approved invoices out as bills, payments and vendors
in (a dry run first, then all rows or none), and an organization's own column mappings.

The formats and matching rules are pure (:mod:`handoff.payables.accounting`); this module
reads the rows, records payments through :func:`handoff.payables.services.record_payment`
(so the tax checks Comply registers run on each) and providers through
``providers.services.create_provider``, inside ``core.csv_import``'s one transaction."""

import csv
import io

from django.core.exceptions import ValidationError
from django.db import transaction

from handoff.core import audit, csv_export, csv_import
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.payables import accounting, hooks, services
from handoff.payables.accounting import BILLS, PAYMENTS, VENDORS, Mapping
from handoff.payables.models import ColumnMapping, Invoice, Payment
from handoff.providers import services as provider_services
from handoff.providers.choices import ProviderKind, ProviderStatus
from handoff.providers.models import Provider

# The status whose invoices go out as bills (the invoice approval work names it).
APPROVED = "approved"


# --- Mappings ---------------------------------------------------------------------------------


def own_mappings(principal: Principal):
    return ColumnMapping.objects.visible_to(principal)


def _adapt(row: ColumnMapping) -> Mapping | None:
    base = accounting.builtin_mappings().get(row.base)
    if base is None:
        return None
    return accounting.adapted(
        base, key=row.key, name=row.name, roles=row.roles, date_format=row.date_format
    )


def mapping_choices(principal: Principal, kinds=(PAYMENTS, VENDORS)) -> list[Mapping]:
    """The built-in mappings of ``kinds``, then the organization's own (imports only)."""
    found = [m for m in accounting.builtin_mappings().values() if m.kind in kinds]
    if set(kinds) - {BILLS}:
        for row in own_mappings(principal):
            mapping = _adapt(row)
            if mapping is not None and mapping.kind in kinds:
                found.append(mapping)
    return found


def get_mapping(principal: Principal, key: str, kinds=(PAYMENTS, VENDORS)) -> Mapping:
    """A built-in mapping by key, or the organization's own (``mapping-<id>``); any other is a
    field error on ``format``."""
    for mapping in mapping_choices(principal, kinds):
        if mapping.key == key:
            return mapping
    keys = ", ".join(m.key for m in mapping_choices(principal, kinds))
    raise ValidationError({"format": f"Choose one of: {keys}."})


def _check_roles(base: Mapping, roles: dict) -> dict:
    allowed = accounting.ROLES_BY_KIND[base.kind]
    return {role: " ".join(str(roles.get(role) or "").split())[:80] for role in allowed}


@transaction.atomic
def save_mapping(
    principal: Principal,
    *,
    base: str,
    name: str,
    roles: dict,
    date_format: str,
    mapping: ColumnMapping | None = None,
) -> ColumnMapping:
    """Create (or, given ``mapping``, change) the organization's own import mapping: a
    built-in one's copy with its own headers and date format. Admins."""
    principal.require_in(principal.organization_id, Role.ADMIN, "Changing column mappings")
    org, actor = principal.organization, principal.user
    template = accounting.builtin_mappings().get(base)
    if template is None or template.kind == BILLS:
        raise ValidationError({"base": "Choose a built-in import mapping to adapt."})
    row = mapping or ColumnMapping(organization=org, created_by=actor)
    row.base, row.name = base, " ".join((name or "").split())
    row.roles, row.date_format = _check_roles(template, roles), date_format
    row.full_clean(validate_constraints=False)
    duplicate = own_mappings(principal).filter(name__iexact=row.name).exclude(pk=row.pk)
    if duplicate.exists():
        raise ValidationError({"name": f"A mapping is already named {row.name}."})
    created = row.pk is None
    row.save()
    audit.record(
        org,
        actor,
        "column_mapping.created" if created else "column_mapping.changed",
        row,
        f"{'Added' if created else 'Changed'} the column mapping {row.name}",
    )
    return row


@transaction.atomic
def delete_mapping(principal: Principal, mapping: ColumnMapping) -> None:
    principal.require_in(mapping.organization_id, Role.ADMIN, "Changing column mappings")
    audit.record(
        principal.organization,
        principal.user,
        "column_mapping.deleted",
        mapping,
        f"Deleted the column mapping {mapping.name}",
    )
    mapping.delete()


# --- Bills out --------------------------------------------------------------------------------


def approved_invoices(principal: Principal, *, date_from=None, date_to=None, provider_id=None):
    """The invoices that go out as bills: approved ones, by invoice date and provider."""
    rows = (
        Invoice.objects.visible_to(principal)
        .filter(status=APPROVED)
        .select_related("provider")
        .prefetch_related("lines")
    )
    if date_from:
        rows = rows.filter(issued_on__gte=date_from)
    if date_to:
        rows = rows.filter(issued_on__lte=date_to)
    if provider_id:
        rows = rows.filter(provider_id=provider_id)
    return rows.order_by("issued_on", "id")


def as_bill(invoice: Invoice) -> accounting.Bill:
    fallback = invoice.description or f"Invoice {invoice.number}"
    bill_lines = tuple(
        accounting.BillLine(
            description=line.description or fallback,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
        )
        for line in invoice.lines.all()
    ) or (accounting.BillLine(fallback, 1, invoice.amount, invoice.amount),)
    return accounting.Bill(
        number=invoice.number,
        payee=invoice.provider.name,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        memo=invoice.description,
        lines=bill_lines,
    )


def export_bills(
    principal: Principal, *, format_key: str, date_from=None, date_to=None, provider_id=None
) -> tuple[str, str, int]:
    """The approved invoices as the chosen system's bill import file: (file name, CSV text,
    number of bills). Every cell goes through the formula-safe writer."""
    principal.require_in(principal.organization_id, Role.VIEWER, "Exporting bills")
    if date_from and date_to and date_to < date_from:
        raise ValidationError({"date_to": "The end date is before the start date."})
    mapping = get_mapping(principal, format_key, kinds=(BILLS,))
    invoices = approved_invoices(
        principal, date_from=date_from, date_to=date_to, provider_id=provider_id
    )
    bills = [as_bill(invoice) for invoice in invoices]
    buffer = io.StringIO()
    csv_export.writer(buffer).writerows(accounting.bill_table(mapping, bills))
    today = principal.organization.today()
    return f"bills-{mapping.key}-{today:%Y-%m-%d}.csv", buffer.getvalue(), len(bills)


# --- Payments and vendors in ------------------------------------------------------------------


def read_rows(mapping: Mapping, content: str) -> list[dict]:
    """The rows of a file to import by ``mapping``; a header without a required column is a
    field error on ``csv`` naming the missing columns."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    missing = accounting.missing_headers(mapping, reader.fieldnames or [])
    if missing:
        raise ValidationError(
            {
                "csv": f"The first row must name the columns of {mapping.name}; missing: "
                + ", ".join(missing)
                + "."
            }
        )
    return list(reader)


def _errors_by_column(mapping: Mapping, error: ValidationError) -> list[str]:
    """A service's refusal, each reason led by the file's column it concerns."""
    columns = {
        "paid_on": mapping.header_of("date"),
        "amount": mapping.header_of("amount"),
        "provider": mapping.header_of("payee"),
        "name": mapping.header_of("payee"),
        "legal_name": mapping.header_of("legal_name"),
        "reference": mapping.header_of("reference"),
    }
    return [
        f"{columns.get(name) or name}: {message}" if name != "__all__" else message
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def _attempt(mapping: Mapping, action):
    try:
        with transaction.atomic():
            return action(), []
    except ValidationError as error:
        return None, _errors_by_column(mapping, error)


class _Payees:
    """The organization's providers, looked up by TIN (through the hook) and by name."""

    def __init__(self, principal: Principal):
        self.principal = principal
        self.names: dict[int, str] = {}
        self.by_name: dict[str, set[int]] = {}
        self.by_tin: dict[str, set[int]] = {}
        for pk, name, legal_name in Provider.objects.visible_to(principal).values_list(
            "pk", "name", "legal_name"
        ):
            self.add(pk, name, legal_name)

    def add(self, pk: int, name: str, legal_name: str = "") -> None:
        self.names[pk] = name
        for each in (name, legal_name):
            if accounting.name_key(each):
                self.by_name.setdefault(accounting.name_key(each), set()).add(pk)

    def match(self, entry: accounting.Entry) -> accounting.Match:
        if entry.tin and entry.tin not in self.by_tin:
            self.by_tin[entry.tin] = hooks.payee_by_tin(self.principal, entry.tin)
        return accounting.match_payee(
            entry, by_tin=self.by_tin, by_name=self.by_name, names=self.names
        )


def _report(entry: accounting.Entry, **extra) -> dict:
    report = {
        "line": entry.line,
        "payee": entry.payee,
        "paid_on": entry.paid_on.isoformat() if entry.paid_on else "",
        "amount": accounting.money_text(entry.amount) if entry.amount is not None else "",
        "reference": entry.reference,
        "match": "",
        "status": "refused" if entry.errors else ("skipped" if entry.skip else "ready"),
        "skipped": entry.skip,
        "errors": list(entry.errors),
        "warnings": [],
        **extra,
    }
    if report["errors"]:
        report["status"] = "refused"
    return report


def import_file(
    principal: Principal, *, format_key: str, rows: list[dict], commit: bool
) -> list[dict]:
    """Check (and with ``commit``, carry out) an import of payments or vendors, all rows or
    none. Each row's entry says its payee match (by TIN or name), its status (ready, new,
    exists, skipped with the reason, refused) and its problems, each naming the column.
    Skipped rows (money in, a bank line naming no provider, a row already recorded, a
    transaction that is not a payment) are left out and do not stop the import."""
    principal.require_in(principal.organization_id, Role.MANAGER, "Importing from accounting")
    mapping = get_mapping(principal, format_key)
    entries = {
        line: accounting.read_entry(mapping, line, row) for line, row in enumerate(rows, start=2)
    }
    payees = _Payees(principal)
    if mapping.kind == VENDORS:
        run = _vendor_row(principal, mapping, payees, entries)
    else:
        run = _payment_row(principal, mapping, payees, entries)
    report = csv_import.import_rows(rows, run, commit=commit)
    if commit and report and not csv_import.refused(report):
        done = sum(1 for entry in report if entry["status"] in ("ready", "new"))
        audit.record(
            principal.organization,
            principal.user,
            f"accounting.imported_{mapping.kind}",
            principal.organization,
            f"Imported {done} {mapping.kind} from {mapping.name}",
        )
    return report


def _payment_row(principal, mapping, payees, entries):
    days = [e.paid_on for e in entries.values() if e.paid_on]
    recorded: set[tuple] = set()
    if days:
        recorded = set(
            Payment.objects.visible_to(principal)
            .filter(paid_on__gte=min(days), paid_on__lte=max(days))
            .values_list("provider_id", "paid_on", "amount")
        )

    def run(line: int, row: dict) -> dict:
        entry = entries[line]
        if entry.skip or entry.errors and not entry.payee:
            return _report(entry)
        found = payees.match(entry)
        if found.provider_id is None:
            if mapping.unknown_payee == "skip" and "No provider" in found.problem:
                return _report(entry, status="skipped", skipped=found.problem)
            entry.errors.insert(0, f"{mapping.header_of('payee')}: {found.problem}")
            return _report(entry)
        match = f"{payees.names[found.provider_id]} (by {found.how})"
        if entry.errors:
            return _report(entry, match=match)
        key = (found.provider_id, entry.paid_on, entry.amount)
        if key in recorded:
            reason = "Already recorded: a payment of this amount to this provider on this day."
            return _report(entry, match=match, status="skipped", skipped=reason)
        result, errors = _attempt(
            mapping,
            lambda: services.record_payment(
                principal,
                provider_id=found.provider_id,
                data={
                    "paid_on": entry.paid_on,
                    "amount": entry.amount,
                    "method": entry.method,
                    "reference": entry.reference,
                },
            ),
        )
        entry.errors.extend(errors)
        report = _report(entry, match=match)
        if result:
            report["warnings"] = result[1]
        return report

    return run


def _vendor_row(principal, mapping, payees, entries):
    def run(line: int, row: dict) -> dict:
        entry = entries[line]
        if entry.errors:
            return _report(entry)
        found = payees.match(entry)
        if found.provider_id is not None:
            match = f"{payees.names[found.provider_id]} (by {found.how})"
            return _report(entry, match=match, status="exists", skipped="Already a provider.")
        if "could be any of" in found.problem or "several providers" in found.problem:
            entry.errors.append(f"{mapping.header_of('payee')}: {found.problem}")
            return _report(entry)
        created, errors = _attempt(
            mapping,
            lambda: provider_services.create_provider(
                principal,
                data={
                    "name": entry.payee,
                    "legal_name": entry.legal_name,
                    "kind": ProviderKind.FIRM,
                    "status": ProviderStatus.ACTIVE,
                },
            ),
        )
        entry.errors.extend(errors)
        if created:
            payees.add(created.pk, created.name, created.legal_name)
        return _report(entry, match="new provider" if created else "", status="new")

    return run


def summary(report: list[dict]) -> dict:
    """How many rows of a report are ready, new, already there, skipped and refused."""
    counts = {"ready": 0, "new": 0, "exists": 0, "skipped": 0, "refused": 0}
    for entry in report:
        status = "refused" if entry["errors"] else entry["status"]
        counts[status] = counts.get(status, 0) + 1
    return counts
