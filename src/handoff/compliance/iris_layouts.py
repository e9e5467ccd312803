"""Dated data for filing Form 1099-NEC through the IRS's IRIS Taxpayer Portal: the CSV layout per
tax year (column headers in order, each mapped to a field Handoff fills), the number of returns
one upload takes, the field length limits, and the Combined Federal/State Filing table.

Read ``verified`` before trusting a layout: the IRS publishes the CSV template and its
"Template Formatting Guidelines" per form and tax year inside the IRIS Taxpayer Portal and on
irs.gov ("E-file information returns with IRIS", "Upload CSV with form data"; IRS Publication
5717, IRIS Taxpayer Portal User Guide). The verbatim header row of the 1099-NEC template could not
be read while this table was written, so the headers below follow the form's own box titles in
the template's order as described by secondary sources, and ``verified`` is False. A user who has
the official blank template uploads it on the IRIS page: Handoff then fills exactly its columns.
When the IRS's template is checked, correct the headers, set ``verified`` and cite the file.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Column:
    header: str  # the header as the layout writes it
    key: str  # the field Handoff fills (see iris.FIELD_KEYS)
    aliases: tuple[str, ...] = ()  # other spellings seen in templates, matched when uploaded
    required: bool = False  # a return cannot be filed without it


@dataclass(frozen=True)
class Layout:
    form: str
    tax_year: int  # the first tax year this layout is for; it holds until a later one
    valid_from: date  # when the layout was published / took effect for filing
    row_limit: int  # returns per uploaded CSV file
    limits: dict  # field key -> most characters the portal takes
    columns: tuple[Column, ...]
    source: str
    verified: bool
    note: str
    corrected_marker: str = "X"  # what the "corrected" column holds for a corrected return
    checked_marker: str = "X"  # what a ticked check box column holds
    tin_types: tuple[str, ...] = ("ssn", "itin", "ein")  # recipient TIN types the form takes
    payer_tin_types: tuple[str, ...] = ("ein", "ssn")

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


# Field lengths: Publication 1220 (the FIRE format IRIS replaces) gives 40 positions to each
# name line, the address line and the city; secondary IRIS CSV guides repeat 40 for names.
# Unverified against the IRIS template guidelines (see the module's note).
LIMITS_2024 = {
    "payer_name": 40,
    "payer_name_2": 40,
    "payer_address": 40,
    "payer_address_2": 40,
    "payer_city": 40,
    "recipient_name": 40,
    "recipient_name_2": 40,
    "recipient_address": 40,
    "recipient_address_2": 40,
    "recipient_city": 40,
    "account_number": 20,
}

NEC_COLUMNS_2024 = (
    Column("Tax Year", "tax_year", ("Reporting Year", "Payment Year"), required=True),
    Column("Corrected", "corrected", ("Corrected Return", "Correction Indicator")),
    Column("Payer TIN Type", "payer_tin_type", ("Issuer TIN Type",), required=True),
    Column("Payer TIN", "payer_tin", ("Issuer TIN", "Payer EIN"), required=True),
    Column(
        "Payer Name Line 1",
        "payer_name",
        ("Payer Name", "Issuer Name", "Issuer Business Name Line 1"),
        required=True,
    ),
    Column("Payer Name Line 2", "payer_name_2", ("Issuer Name Line 2",)),
    Column(
        "Payer Address Line 1",
        "payer_address",
        ("Payer Address", "Issuer Address Line 1", "Payer Street Address"),
        required=True,
    ),
    Column("Payer Address Line 2", "payer_address_2", ("Issuer Address Line 2",)),
    Column("Payer City", "payer_city", ("Issuer City",), required=True),
    Column("Payer State", "payer_state", ("Issuer State",), required=True),
    Column("Payer ZIP Code", "payer_zip", ("Payer ZIP", "Payer Zip Code", "Issuer ZIP Code")),
    Column("Payer Country", "payer_country", ("Issuer Country", "Payer Country Code")),
    Column("Payer Phone Number", "payer_phone", ("Payer Phone", "Issuer Phone Number")),
    Column("Recipient TIN Type", "recipient_tin_type", ("Payee TIN Type",), required=True),
    Column("Recipient TIN", "recipient_tin", ("Payee TIN", "Recipient's TIN"), required=True),
    Column(
        "Recipient Name Line 1",
        "recipient_name",
        ("Recipient Name", "Payee Name", "Recipient First Name Line"),
        required=True,
    ),
    Column("Recipient Name Line 2", "recipient_name_2", ("Payee Name Line 2",)),
    Column(
        "Recipient Address Line 1",
        "recipient_address",
        ("Recipient Address", "Payee Address", "Recipient Street Address"),
        required=True,
    ),
    Column("Recipient Address Line 2", "recipient_address_2", ("Payee Address Line 2",)),
    Column("Recipient City", "recipient_city", ("Payee City",), required=True),
    Column("Recipient State", "recipient_state", ("Payee State",), required=True),
    Column(
        "Recipient ZIP Code",
        "recipient_zip",
        ("Recipient ZIP", "Recipient Zip Code", "Payee ZIP Code"),
        required=True,
    ),
    Column("Recipient Country", "recipient_country", ("Payee Country", "Recipient Country Code")),
    Column("Account Number", "account_number", ("Recipient Account Number",)),
    Column("2nd TIN Notice", "second_tin_notice", ("Second TIN Notice", "2nd TIN Not.")),
    Column(
        "Box 1 - Nonemployee Compensation",
        "box1",
        ("Nonemployee Compensation", "Box 1", "Box 1 Nonemployee Compensation"),
        required=True,
    ),
    Column(
        "Box 2 - Direct Sales Indicator",
        "box2",
        (
            "Direct Sales Indicator",
            "Box 2",
            "Payer made direct sales totaling $5,000 or more of consumer products to "
            "recipient for resale",
        ),
    ),
    Column(
        "Box 4 - Federal Income Tax Withheld",
        "box4",
        ("Federal Income Tax Withheld", "Box 4"),
    ),
    Column("Box 5 - State Tax Withheld", "state_tax_withheld", ("State Tax Withheld", "Box 5")),
    Column("Box 6 - State", "state_code", ("State", "State Code", "Box 6 State")),
    Column(
        "Box 6 - Payer's State Number",
        "state_payer_id",
        ("Payer's State No.", "Payer State Number", "State ID Number", "Box 6"),
    ),
    Column("Box 7 - State Income", "state_income", ("State Income", "Box 7")),
)

SOURCE_2024 = (
    "IRS, 'E-file information returns with IRIS' and 'IRIS Taxpayer Portal: Upload CSV with "
    "form data' (irs.gov), IRS Publication 5717 (IRIS Taxpayer Portal User Guide), Form 1099-NEC "
    "(Rev. April 2025) box titles, Publication 1220 (field lengths); per-upload limit of 100 as "
    "reported by 1099fire.com, 'IRS IRIS Record Limits' (2025)."
)

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        form="1099-NEC",
        tax_year=2024,
        valid_from=date(2025, 1, 1),
        row_limit=100,
        limits=LIMITS_2024,
        columns=NEC_COLUMNS_2024,
        source=SOURCE_2024,
        verified=False,
        note=(
            "Headers follow the form's box titles in the template's order, not the IRS file "
            "verbatim (not available to check): upload the official blank template for the "
            "year to get a file in its exact columns. 100 returns per CSV upload."
        ),
    ),
    Layout(
        form="1099-NEC",
        tax_year=2025,
        valid_from=date(2026, 1, 1),
        # 1099fire.com reports the portal's limit rising to 250 per file from tax year 2025;
        # a summary of Publication 5717 (Rev. 1-2026) still says 100 forms per submission.
        # Until the IRS text is checked, files keep to 100: a portal taking 250 takes them too.
        row_limit=100,
        limits=LIMITS_2024,
        columns=NEC_COLUMNS_2024,
        source=SOURCE_2024
        + " Tax year 2025: 1099fire.com reports a limit of 250 per file; not confirmed by the "
        "IRS text, so 100 is kept.",
        verified=False,
        note=(
            "Same columns as tax year 2024 (unverified). The per-upload limit may be 250 from "
            "tax year 2025; Handoff keeps 100 until the IRS's guidelines confirm it."
        ),
    ),
)


def layout_for(form: str, tax_year: int) -> Layout | None:
    """The layout in force for ``tax_year``: the latest whose first tax year is not after it.
    None before the first (no layout is known for that year)."""
    found = [layout for layout in LAYOUTS if layout.form == form and layout.tax_year <= tax_year]
    return max(found, key=lambda layout: layout.tax_year) if found else None


# --- Combined Federal/State Filing ---------------------------------------------------------------
@dataclass(frozen=True)
class StateFiling:
    state: str
    cfsf: bool | None  # takes 1099-NEC data the IRS forwards; None: not known
    own_filing: str  # "yes", "no" or "check": does the state want its own 1099-NEC filing
    note: str
    source: str


CFSF_SOURCE = (
    "IRS Publication 1220 (Part A, Combined Federal/State Filing Program, participating states) "
    "and IRS Topic No. 804, as listed by legalclarity.org 'Which States Use the Combined "
    "Federal/State Filing Program?' (2026) and efile360 'State filing' (1099-NEC in CF/SF from "
    "tax year 2021)."
)
NO_INCOME_TAX_SOURCE = (
    "The state levies no individual income tax on wages or business income (state revenue "
    "department pages); no 1099-NEC filing with the state is expected."
)
CFSF_NOTE = (
    "Takes returns the IRS forwards through the Combined Federal/State Filing program when the "
    "return carries this state's data (boxes 5–7). Some participants still want their own "
    "filing (for example when state tax was withheld, or above their own amount): check with "
    "the state."
)

CFSF_PARTICIPANTS = [
    "AL",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "GA",
    "HI",
    "ID",
    "IN",
    "KS",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NJ",
    "NM",
    "NC",
    "ND",
    "OH",
    "OK",
    "SC",
    "WI",
]
NO_INCOME_TAX = ["AK", "FL", "NV", "NH", "SD", "TN", "TX", "WA", "WY"]
ALL_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
]


DC_PA_NOTE = " One secondary source lists DC and PA as participants."


def _state_row(state: str) -> StateFiling:
    if state in CFSF_PARTICIPANTS:
        return StateFiling(state, True, "check", CFSF_NOTE, CFSF_SOURCE)
    if state in NO_INCOME_TAX:
        return StateFiling(state, False, "no", "No state income tax.", NO_INCOME_TAX_SOURCE)
    return StateFiling(
        state,
        None if state in ("DC", "PA") else False,
        "check",
        "Not known to take 1099-NEC data through the Combined Federal/State Filing program: "
        "check with the state whether it wants its own 1099-NEC filing.",
        CFSF_SOURCE
        + (
            " One secondary source lists DC and PA as participants."
            if state in ("DC", "PA")
            else ""
        ),
    )


# (as of, the table): the table as it stood on that date; ``state_filing`` reads the latest.
STATE_TABLES: tuple[tuple[date, dict[str, StateFiling]], ...] = (
    (date(2026, 1, 1), {state: _state_row(state) for state in ALL_STATES}),
)


def state_filing(state: str, on: date) -> StateFiling:
    """What the table in force ``on`` says of ``state``; a state it does not hold is 'check'."""
    tables = [table for as_of, table in STATE_TABLES if as_of <= on] or [STATE_TABLES[0][1]]
    found = tables[-1].get(state.upper())
    if found is None:
        return StateFiling(state.upper(), None, "check", "Check with the state.", "")
    return found
