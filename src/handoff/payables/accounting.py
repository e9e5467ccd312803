"""Accounting systems' CSV files, in and out: pure rules over plain values (no database).

The formats are data, not code: each built-in mapping is a JSON file in ``payables/formats/``
naming its columns (in order, for a file Handoff writes), which column means the date, amount,
payee, reference or TIN (for a file Handoff reads), the date format and the published page it
follows. An organization's own mapping (``ColumnMapping``) is a copy of a built-in one with
other headers or another date format; :func:`adapted` applies it.

- Bills out: :func:`bill_table` writes approved invoices as QuickBooks Online's or Xero's bill
  import file, one row per invoice line; :func:`parse_bills` reads such a file back (the
  round trip the tests check).
- Payments and vendors in: :func:`read_entry` turns one row into an :class:`Entry` (or the
  reasons it cannot be, each naming its column); :func:`match_payee` finds the provider by
  TIN, then by name.
"""

import json
import re
import string
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

FORMATS_DIR = Path(__file__).parent / "formats"

BILLS, PAYMENTS, VENDORS = "bills", "payments", "vendors"
KINDS = (BILLS, PAYMENTS, VENDORS)

# What a column of a file Handoff reads may mean, and how the pages name each meaning.
ROLE_LABELS = {
    "date": "Date paid",
    "payee": "Payee (name)",
    "amount": "Amount",
    "reference": "Reference",
    "tin": "TIN (tax ID)",
    "type": "Transaction type",
    "memo": "Memo",
    "legal_name": "Legal name",
    "email": "E-mail",
}
ROLES_BY_KIND = {
    PAYMENTS: ("date", "payee", "amount", "reference", "tin", "type", "memo"),
    VENDORS: ("payee", "legal_name", "tin", "email"),
}
# Date formats a user may choose for their own mapping (strftime codes, as the data holds).
DATE_FORMATS = {
    "%Y-%m-%d": "2025-03-31",
    "%m/%d/%Y": "03/31/2025",
    "%m/%d/%y": "03/31/25",
    "%d/%m/%Y": "31/03/2025",
    "%d %b %Y": "31 Mar 2025",
}
# Cents: what every amount is rounded to, as everywhere in Handoff.
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # what Handoff writes into it ("" : left empty)
    required: bool


@dataclass(frozen=True)
class Mapping:
    key: str
    name: str
    system: str
    kind: str
    date_format: str
    source: dict
    verified: bool
    columns: tuple[Column, ...] = ()  # a file written: every column, in order
    defaults: dict = field(default_factory=dict)  # bills: fixed values (account, tax type)
    roles: dict = field(default_factory=dict)  # a file read: role -> header
    required_roles: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ()
    money_out: str = "any"  # "negative": only a negative amount is a payment
    unknown_payee: str = "refuse"  # "skip": a row naming no provider is left out, not an error
    payment_types: dict = field(default_factory=dict)  # type column's value -> method
    default_method: str = "ach"

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def header_of(self, role: str) -> str:
        return self.roles.get(role, "") or ""

    def required_headers(self) -> list[str]:
        return [self.header_of(role) for role in self.required_roles if self.header_of(role)]

    def accepted_date_formats(self) -> tuple[str, ...]:
        return (self.date_format,) + tuple(f for f in self.date_formats if f != self.date_format)


def mapping_from_data(data: dict) -> Mapping:
    """A mapping from its JSON data; a malformed one is a ValueError naming what is wrong."""
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    columns = tuple(
        Column(str(c["header"]), str(c.get("field", "")), bool(c.get("required")))
        for c in data.get("columns", [])
    )
    if kind == BILLS and not columns:
        raise ValueError("a bills mapping lists its columns")
    roles = {str(k): str(v) for k, v in (data.get("roles") or {}).items()}
    unknown = set(roles) - set(ROLES_BY_KIND.get(kind, ()))
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
    return Mapping(
        key=str(data["key"]),
        name=str(data["name"]),
        system=str(data.get("system", "")),
        kind=kind,
        date_format=str(data.get("date_format", "%Y-%m-%d")),
        source=dict(data.get("source") or {}),
        verified=bool(data.get("verified")),
        columns=columns,
        defaults=dict(data.get("defaults") or {}),
        roles=roles,
        required_roles=tuple(data.get("required_roles") or ()),
        date_formats=tuple(data.get("date_formats") or ()),
        money_out=str(data.get("money_out", "any")),
        unknown_payee=str(data.get("unknown_payee", "refuse")),
        payment_types=dict(data.get("payment_types") or {}),
        default_method=str(data.get("default_method", "ach")),
    )


@cache
def builtin_mappings() -> dict[str, Mapping]:
    """Every built-in mapping (``formats/*.json``), by key."""
    found = {}
    for path in sorted(FORMATS_DIR.glob("*.json")):
        mapping = mapping_from_data(json.loads(path.read_text(encoding="utf-8")))
        found[mapping.key] = mapping
    return found


def adapted(base: Mapping, *, key: str, name: str, roles: dict, date_format: str) -> Mapping:
    """``base`` with an organization's own headers and date format (a user's mapping)."""
    merged = {role: base.roles.get(role, "") for role in ROLES_BY_KIND.get(base.kind, ())}
    merged.update({role: (header or "").strip() for role, header in roles.items()})
    return replace(base, key=key, name=name, roles=merged, date_format=date_format)


# --- Bills out --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BillLine:
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Bill:
    number: str
    payee: str
    issued_on: date
    due_on: date | None
    memo: str
    lines: tuple[BillLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def money_text(value: Decimal) -> str:
    return f"{Decimal(value).quantize(CENT):f}"


def quantity_text(value: Decimal) -> str:
    text = f"{Decimal(value).normalize():f}"
    return text


def _cell(mapping: Mapping, column: Column, bill: Bill, line: BillLine) -> str:
    due = bill.due_on or bill.issued_on  # both formats require a due date; none: due on receipt
    values = {
        "number": bill.number,
        "payee": bill.payee,
        "issued_on": bill.issued_on.strftime(mapping.date_format),
        "due_on": due.strftime(mapping.date_format),
        "memo": bill.memo,
        "line_description": line.description,
        "line_amount": money_text(line.amount),
        "line_quantity": quantity_text(line.quantity),
        "line_unit_price": money_text(line.unit_price),
    }
    if column.field in values:
        return values[column.field]
    return str(mapping.defaults.get(column.field, "")) if column.field else ""


def bill_table(mapping: Mapping, bills: list[Bill]) -> list[list[str]]:
    """The header and one row per bill line, every cell in the mapping's column order (the
    caller writes them through ``core.csv_export.writer``)."""
    if mapping.kind != BILLS:
        raise ValueError(f"{mapping.name} is not a bill format")
    rows = [mapping.headers]
    for bill in bills:
        for line in bill.lines:
            rows.append([_cell(mapping, column, bill, line) for column in mapping.columns])
    return rows


def parse_bills(mapping: Mapping, rows: list[dict]) -> list[Bill]:
    """Bills from a file in ``mapping``'s format (rows keyed by header): the lines of one bill
    share its number and payee. A cell written as text with a leading apostrophe (a formula
    neutralised on export) is read back without it."""
    by_field = {column.field: column.header for column in mapping.columns if column.field}

    def value(row, name):
        raw = row.get(by_field.get(name, ""), "") or ""
        return raw[1:] if raw.startswith("'") else raw

    bills: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (value(row, "payee"), value(row, "number"))
        fmt = mapping.date_format
        bill = bills.setdefault(
            key,
            {
                "number": key[1],
                "payee": key[0],
                "issued_on": datetime.strptime(value(row, "issued_on"), fmt).date(),
                "due_on": datetime.strptime(value(row, "due_on"), fmt).date()
                if value(row, "due_on")
                else None,
                "memo": value(row, "memo"),
                "lines": [],
            },
        )
        if "line_amount" in by_field:
            amount = Decimal(value(row, "line_amount"))
            quantity = Decimal(value(row, "line_quantity") or 1)
            unit_price = Decimal(value(row, "line_unit_price") or amount)
        else:
            quantity = Decimal(value(row, "line_quantity"))
            unit_price = Decimal(value(row, "line_unit_price"))
            amount = (quantity * unit_price).quantize(CENT)
        bill["lines"].append(BillLine(value(row, "line_description"), quantity, unit_price, amount))
    return [Bill(**{**data, "lines": tuple(data["lines"])}) for data in bills.values()]


# --- Payments and vendors in ------------------------------------------------------------------

_PUNCTUATION = str.maketrans("", "", string.punctuation + "’‘“”")


def name_key(name: str) -> str:
    """A name as matching compares it: case, spaces and punctuation ignored."""
    return "".join((name or "").translate(_PUNCTUATION).casefold().split())


def tin_digits(raw: str) -> str:
    """The nine digits of a TIN as a file writes it (``12-3456789``, ``123 45 6789``), or ''."""
    digits = re.sub(r"[\s-]", "", raw or "")
    return digits if re.fullmatch(r"\d{9}", digits) else ""


def parse_amount(raw: str) -> Decimal | None:
    """``1,250.00``, ``$1,250.00``, ``-1250``, ``(1,250.00)`` (negative), to the cent; None
    when it is not an amount."""
    text = (raw or "").strip().replace(",", "").replace("$", "").replace(" ", "")
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    value = value.quantize(CENT)
    return -value if negative else value


def parse_day(raw: str, formats: tuple[str, ...]) -> date | None:
    for fmt in formats:
        try:
            return datetime.strptime((raw or "").strip(), fmt).date()
        except ValueError:
            continue
    return None


@dataclass
class Entry:
    """One row of a payments or vendors file, read: what it says, or why it cannot be used
    (``errors``: each names the column) or why it is left out (``skip``)."""

    line: int
    payee: str = ""
    paid_on: date | None = None
    amount: Decimal | None = None
    reference: str = ""
    tin: str = ""
    method: str = ""
    legal_name: str = ""
    email: str = ""
    errors: list[str] = field(default_factory=list)
    skip: str = ""


def missing_headers(mapping: Mapping, headers: list[str]) -> list[str]:
    """The required headers of ``mapping`` the file's header row lacks (case, spaces and
    punctuation ignored, so ``*ContactName`` is ``ContactName``)."""
    present = {name_key(h) for h in headers}
    return [h for h in mapping.required_headers() if name_key(h) not in present]


def _getter(row: dict):
    keyed = {name_key(k): v for k, v in row.items() if k is not None}
    return lambda header: (keyed.get(name_key(header)) or "").strip() if header else ""


def read_entry(mapping: Mapping, line: int, row: dict) -> Entry:
    """Read one row of a payments or vendors file by ``mapping``."""
    get = _getter(row)
    entry = Entry(line=line, payee=" ".join(get(mapping.header_of("payee")).split()))
    entry.reference = get(mapping.header_of("reference"))[:100]
    raw_tin = get(mapping.header_of("tin"))
    entry.tin = tin_digits(raw_tin)
    payee_header = mapping.header_of("payee")
    if raw_tin and not entry.tin:
        entry.errors.append(
            f"{mapping.header_of('tin')}: {raw_tin} is not a nine-digit TIN (EIN or SSN)."
        )
    if mapping.kind == VENDORS:
        entry.legal_name = get(mapping.header_of("legal_name"))[:200]
        entry.email = get(mapping.header_of("email"))
        if not entry.payee:
            entry.errors.append(f"{payee_header}: give the vendor's name.")
        elif len(entry.payee) > 150:
            entry.errors.append(f"{payee_header}: a name is at most 150 characters.")
        return entry
    type_header = mapping.header_of("type")
    if mapping.payment_types and type_header:
        kind = get(type_header)
        if kind not in mapping.payment_types:
            entry.skip = f"{type_header} “{kind or 'empty'}” is not a payment."
            return entry
        entry.method = mapping.payment_types[kind]
    else:
        entry.method = mapping.default_method
    amount_header, date_header = mapping.header_of("amount"), mapping.header_of("date")
    raw_amount = get(amount_header)
    amount = parse_amount(raw_amount)
    if raw_amount == "" and mapping.money_out == "any":
        entry.skip = f"{amount_header} is empty: no money paid out."
        return entry
    if amount is None:
        entry.errors.append(f"{amount_header}: “{raw_amount}” is not an amount such as 1250.00.")
    elif mapping.money_out == "negative":
        if amount >= 0:
            entry.skip = "Money in (a deposit or a refund), not a payment."
            return entry
        amount = -amount
    else:
        amount = abs(amount)
    if amount == 0:
        entry.skip = f"{amount_header} is zero."
        return entry
    entry.amount = amount
    raw_date = get(date_header)
    entry.paid_on = parse_day(raw_date, mapping.accepted_date_formats())
    if entry.paid_on is None:
        example = date(2025, 3, 31).strftime(mapping.date_format)
        entry.errors.append(f"{date_header}: “{raw_date}” is not a date such as {example}.")
    if not entry.payee:
        entry.errors.append(f"{payee_header}: the payee is empty.")
    return entry


@dataclass(frozen=True)
class Match:
    provider_id: int | None
    how: str = ""  # "TIN" or "name"
    problem: str = ""  # ambiguous or not found; empty when matched


def match_payee(
    entry: Entry, *, by_tin: dict[str, set[int]], by_name: dict[str, set[int]], names: dict
) -> Match:
    """The provider a row pays: by TIN first (a W-9's), then by name (case, spaces and
    punctuation ignored). Two providers with that TIN or name is a problem, never a guess."""
    if entry.tin:
        found = by_tin.get(entry.tin, set())
        if len(found) == 1:
            return Match(next(iter(found)), "TIN")
        if len(found) > 1:
            listed = ", ".join(sorted(names[pk] for pk in found))
            return Match(None, problem=f"The TIN is on the W-9s of several providers: {listed}.")
    found = by_name.get(name_key(entry.payee), set())
    if len(found) == 1:
        return Match(next(iter(found)), "name")
    if len(found) > 1:
        listed = ", ".join(sorted(names[pk] for pk in found))
        return Match(None, problem=f"“{entry.payee}” could be any of {listed}: rename one first.")
    return Match(None, problem=f"No provider is named “{entry.payee}”.")
