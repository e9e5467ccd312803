"""The IRIS Taxpayer Portal CSV for Form 1099-NEC, without the database: the payer and each
return as plain data in, problems, rows, files and the filled template out.

- ``check_payer`` / ``check_return``: what blocks the file or one return (missing or impossible
  TIN, a TIN the IRS said does not match, missing address, a name or address longer than the
  layout's field, a TIN type the form does not take). A blocked return is left out of the file.
- ``row_values``: one return as {field key: text} — amounts to the cent, TINs as nine digits.
- ``split`` / ``build_files`` / ``package``: files of at most the layout's row limit, one CSV or
  a ZIP of several, every cell through ``csv_export.writer`` (formula-safe).
- ``map_template``: the headers of an uploaded official blank template matched to field keys
  (normalised: case, spaces and punctuation ignored), the ones it cannot fill reported.
Layouts and their sources: ``iris_layouts``.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from handoff.compliance import tins
from handoff.compliance.iris_layouts import Layout
from handoff.core import csv_export
from handoff.core.money import cents

FORM = "1099-NEC"

# Every key a layout column may name, and what it is.
FIELD_KEYS = {
    "tax_year": "The tax year",
    "corrected": "Corrected return marker",
    "payer_tin_type": "Payer's TIN type (EIN or SSN)",
    "payer_tin": "Payer's TIN, nine digits",
    "payer_name": "Payer's name",
    "payer_name_2": "Payer's second name line",
    "payer_address": "Payer's address",
    "payer_address_2": "Payer's second address line",
    "payer_city": "Payer's city",
    "payer_state": "Payer's state",
    "payer_zip": "Payer's ZIP code",
    "payer_country": "Payer's country",
    "payer_phone": "Payer's phone",
    "recipient_tin_type": "Recipient's TIN type",
    "recipient_tin": "Recipient's TIN, nine digits",
    "recipient_name": "Recipient's name (W-9 line 1)",
    "recipient_name_2": "Recipient's business name (W-9 line 2)",
    "recipient_address": "Recipient's street address",
    "recipient_address_2": "Recipient's second address line",
    "recipient_city": "Recipient's city",
    "recipient_state": "Recipient's state",
    "recipient_zip": "Recipient's ZIP code",
    "recipient_country": "Recipient's country",
    "account_number": "Account number (Handoff's payee reference)",
    "second_tin_notice": "2nd TIN notice",
    "box1": "Box 1, nonemployee compensation",
    "box2": "Box 2, direct sales of $5,000 or more (Handoff holds no such data: unchecked)",
    "box4": "Box 4, federal income tax withheld",
    "state_tax_withheld": "Box 5, state tax withheld",
    "state_code": "Box 6, state",
    "state_payer_id": "Box 6, payer's state number",
    "state_income": "Box 7, state income",
}

TIN_TYPE_LABELS = {"ssn": "SSN", "itin": "ITIN", "ein": "EIN", "atin": "ATIN"}


@dataclass
class Payer:
    tin_type: str = ""
    tin: str = ""  # nine digits, decrypted
    name: str = ""
    name_2: str = ""
    address: str = ""
    address_2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"
    phone: str = ""


@dataclass
class Return:
    """One recipient's return as Handoff knows it."""

    provider_id: int
    provider_name: str
    has_w9: bool
    tin_type: str = ""
    tin: str = ""  # nine digits, decrypted
    name: str = ""
    name_2: str = ""
    address: str = ""
    address_2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = "US"
    box1: Decimal = Decimal(0)
    box4: Decimal = Decimal(0)
    tin_mismatch: bool = False  # the latest TIN Matching result says the name and TIN differ
    second_tin_notice: bool = False
    state_code: str = ""
    state_payer_id: str = ""
    state_income: Decimal | None = None
    state_tax_withheld: Decimal | None = None


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    message: str
    fix: str  # "w9" (the payee's tax-form page), "tin_matching" or "settings"


@dataclass
class Checked:
    ret: Return
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Validation ---------------------------------------------------------------------------
def _too_long(layout: Layout, key: str, value: str, label: str, fix: str) -> Problem | None:
    limit = layout.limits.get(key)
    if limit and len(value or "") > limit:
        return Problem(
            "too_long",
            key,
            f"{label} has {len(value)} characters; the IRIS field takes {limit}. Shorten it.",
            fix,
        )
    return None


def _tin_problem(tin_type: str, digits: str, accept_test_numbers: bool) -> str | None:
    if not re.fullmatch(r"\d{9}", digits or ""):
        return "The TIN is not nine digits."
    if tins.is_test_number(tin_type, digits):
        return None if accept_test_numbers else "The TIN is from a range that is never issued."
    return tins.why_impossible(tin_type, digits)


def check_payer(layout: Layout, payer: Payer, *, accept_test_numbers: bool = False) -> list:
    """What in the payer's details blocks every return (fix: the Comply settings)."""
    problems = []
    if payer.tin_type not in layout.payer_tin_types:
        problems.append(
            Problem(
                "payer_tin_type",
                "payer_tin_type",
                "Choose the payer's TIN type: EIN or SSN.",
                "settings",
            )
        )
    if not payer.tin:
        problems.append(Problem("payer_tin", "payer_tin", "Enter the payer's TIN.", "settings"))
    elif payer.tin_type in layout.payer_tin_types:
        reason = _tin_problem(payer.tin_type, payer.tin, accept_test_numbers)
        if reason:
            problems.append(Problem("payer_tin", "payer_tin", reason, "settings"))
    required = [
        ("payer_name", payer.name, "the payer's name"),
        ("payer_address", payer.address, "the payer's address"),
        ("payer_city", payer.city, "the payer's city"),
        ("payer_state", payer.state, "the payer's state"),
        ("payer_zip", payer.postal_code, "the payer's ZIP code"),
        ("payer_phone", payer.phone, "the payer's phone"),
    ]
    for key, value, label in required:
        if not (value or "").strip():
            problems.append(Problem("payer_missing", key, f"Enter {label}.", "settings"))
    for key, value, label in [
        ("payer_name", payer.name, "The payer's name"),
        ("payer_name_2", payer.name_2, "The payer's second name line"),
        ("payer_address", payer.address, "The payer's address"),
        ("payer_address_2", payer.address_2, "The payer's second address line"),
        ("payer_city", payer.city, "The payer's city"),
    ]:
        problem = _too_long(layout, key, value, label, "settings")
        if problem:
            problems.append(problem)
    return problems


def check_return(layout: Layout, ret: Return, *, accept_test_numbers: bool = False) -> Checked:
    """Every problem that keeps one return out of the file."""
    checked = Checked(ret)
    add = checked.problems.append
    if not ret.has_w9:
        add(Problem("no_w9", "w9", "No W-9 on file: no TIN, name or address to report.", "w9"))
        return checked
    if ret.tin_type not in layout.tin_types:
        add(
            Problem(
                "tin_type",
                "recipient_tin_type",
                f"The W-9's TIN type is not one Form {layout.form} takes (SSN, ITIN, EIN).",
                "w9",
            )
        )
    elif not ret.tin:
        add(Problem("no_tin", "recipient_tin", "The W-9 has no TIN.", "w9"))
    else:
        reason = _tin_problem(ret.tin_type, ret.tin, accept_test_numbers)
        if reason:
            add(Problem("tin_invalid", "recipient_tin", reason + " Get a corrected W-9.", "w9"))
    if ret.tin_mismatch:
        add(
            Problem(
                "tin_mismatch",
                "recipient_tin",
                "IRS TIN Matching said this name and TIN "
                "do not match. Get a corrected W-9 or check the name.",
                "w9",
            )
        )
    if not (ret.name or "").strip():
        add(Problem("no_name", "recipient_name", "The W-9 has no name (line 1).", "w9"))
    missing = [
        label
        for value, label in [
            (ret.address, "street"),
            (ret.city, "city"),
            (ret.state, "state"),
            (ret.postal_code, "ZIP code"),
        ]
        if not (value or "").strip()
    ]
    if missing:
        add(
            Problem(
                "no_address",
                "recipient_address",
                "The address has no " + ", ".join(missing) + ".",
                "w9",
            )
        )
    for key, value, label in [
        ("recipient_name", ret.name, "The name (W-9 line 1)"),
        ("recipient_name_2", ret.name_2, "The business name (W-9 line 2)"),
        ("recipient_address", ret.address, "The street address"),
        ("recipient_address_2", ret.address_2, "The second address line"),
        ("recipient_city", ret.city, "The city"),
    ]:
        problem = _too_long(layout, key, value, label, "w9")
        if problem:
            add(problem)
    return checked


# --- Rows -----------------------------------------------------------------------------------
def money(amount: Decimal | None) -> str:
    return "" if amount is None else f"{cents(amount):.2f}"


def row_values(
    layout: Layout, tax_year: int, payer: Payer, ret: Return, *, corrected: bool = False
) -> dict[str, str]:
    """One return as {field key: cell text}; every key of FIELD_KEYS is present."""
    values = {
        "tax_year": str(tax_year),
        "corrected": layout.corrected_marker if corrected else "",
        "payer_tin_type": TIN_TYPE_LABELS.get(payer.tin_type, ""),
        "payer_tin": payer.tin,
        "payer_name": payer.name,
        "payer_name_2": payer.name_2,
        "payer_address": payer.address,
        "payer_address_2": payer.address_2,
        "payer_city": payer.city,
        "payer_state": payer.state,
        "payer_zip": payer.postal_code,
        "payer_country": payer.country,
        "payer_phone": re.sub(r"\D", "", payer.phone or ""),
        "recipient_tin_type": TIN_TYPE_LABELS.get(ret.tin_type, ""),
        "recipient_tin": ret.tin,
        "recipient_name": ret.name,
        "recipient_name_2": ret.name_2,
        "recipient_address": ret.address,
        "recipient_address_2": ret.address_2,
        "recipient_city": ret.city,
        "recipient_state": ret.state,
        "recipient_zip": ret.postal_code,
        "recipient_country": ret.country,
        "account_number": f"HO-{ret.provider_id}",
        "second_tin_notice": layout.checked_marker if ret.second_tin_notice else "",
        "box1": money(ret.box1),
        "box2": "",  # direct sales: Handoff records none, so the box stays unchecked
        "box4": money(ret.box4) if ret.box4 else "",
        "state_tax_withheld": money(ret.state_tax_withheld),
        "state_code": ret.state_code if ret.state_payer_id else "",
        "state_payer_id": ret.state_payer_id,
        "state_income": money(ret.state_income) if ret.state_payer_id else "",
    }
    assert set(values) == set(FIELD_KEYS)
    return values


def rows(layout, tax_year, payer, returns, *, keys=None, corrected=False) -> list[list[str]]:
    """The rows in the order of ``keys`` (default: the layout's columns); a key of None is an
    empty cell (a template column Handoff cannot fill)."""
    keys = keys if keys is not None else [column.key for column in layout.columns]
    out = []
    for ret in returns:
        values = row_values(layout, tax_year, payer, ret, corrected=corrected)
        out.append([values[key] if key else "" for key in keys])
    return out


def split(items: list, limit: int) -> list[list]:
    """``items`` in chunks of at most ``limit`` (none for no items)."""
    if limit < 1:
        raise ValueError("The row limit must be at least 1.")
    return [items[start : start + limit] for start in range(0, len(items), limit)]


def csv_text(header: list[str], body: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv_export.writer(buffer)
    writer.writerow(header)
    writer.writerows(body)
    return buffer.getvalue()


def build_files(header, body, limit, base_name) -> list[tuple[str, str]]:
    """(file name, CSV text) per chunk of at most ``limit`` rows; names numbered when several."""
    chunks = split(body, limit) or [[]]
    if len(chunks) == 1:
        return [(f"{base_name}.csv", csv_text(header, chunks[0]))]
    return [
        (f"{base_name}-part{number:02d}-of-{len(chunks):02d}.csv", csv_text(header, chunk))
        for number, chunk in enumerate(chunks, start=1)
    ]


def package(files: list[tuple[str, str]], base_name: str) -> tuple[str, bytes, str]:
    """One file as itself; several as a ZIP. (file name, content, content type)."""
    if len(files) == 1:
        name, text = files[0]
        return name, text.encode("utf-8"), "text/csv; charset=utf-8"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files:
            archive.writestr(name, text)
    return f"{base_name}.zip", buffer.getvalue(), "application/zip"


# --- The official template ------------------------------------------------------------------
TEMPLATE_MAX_BYTES = 256 * 1024


class TemplateError(ValueError):
    pass


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (header or "").lower().replace("'s", ""))


@dataclass
class TemplateMap:
    headers: list[str]  # as uploaded, in order
    keys: list[str | None]  # the field each fills, None for one Handoff cannot fill
    unknown: list[str]  # headers Handoff cannot fill (left empty)
    missing_required: list[str]  # required fields the template has no column for

    @property
    def filled(self) -> int:
        return sum(1 for key in self.keys if key)


def read_template_headers(raw: bytes) -> list[str]:
    """The header row of an uploaded CSV template. Refuses anything too big, not text, not CSV,
    or without a header row; only the header is read."""
    if len(raw) > TEMPLATE_MAX_BYTES:
        raise TemplateError(f"The template is larger than {TEMPLATE_MAX_BYTES // 1024} KB.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError("The template is not a CSV text file (UTF-8).") from None
    if "\0" in text:
        raise TemplateError("The template is not a CSV text file.")
    sample = text[:8192]
    if not sample.strip():
        raise TemplateError("The template is empty: it needs its header row.")
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        first = next(reader)
    except (csv.Error, StopIteration):
        raise TemplateError("The template's first row could not be read as CSV.") from None
    headers = [cell.strip() for cell in first]
    while headers and not headers[-1]:
        headers.pop()
    if len([h for h in headers if h]) < 2:
        raise TemplateError("The template has no header row (its first row names no columns).")
    if any(re.fullmatch(r"[\d.,$ -]*", h) for h in headers if h):
        raise TemplateError("The template's first row holds values, not column names.")
    if len(headers) > 300:
        raise TemplateError("The template has more than 300 columns.")
    return headers


def map_template(layout: Layout, headers: list[str]) -> TemplateMap:
    """Each header matched to the layout's column by its header or an alias, normalised."""
    known = {}
    for column in layout.columns:
        for name in (column.header, *column.aliases):
            known.setdefault(normalise(name), column.key)
    keys, unknown, used = [], [], set()
    for header in headers:
        key = known.get(normalise(header))
        if key in used:
            key = None  # a second column for the same field is left empty
        keys.append(key)
        if key is None:
            unknown.append(header or "(no name)")
        else:
            used.add(key)
    missing = [c.header for c in layout.columns if c.required and c.key not in used]
    return TemplateMap(headers, keys, unknown, missing)
