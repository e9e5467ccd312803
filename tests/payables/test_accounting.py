"""The accounting formats as data, and the pure rules: bills out, rows in, payee matching."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest

from handoff.core import csv_export
from handoff.payables import accounting
from handoff.payables.accounting import Bill, BillLine, Entry

BILLS = [
    Bill(
        number="INV-7",
        payee="Sam Rivera Design",
        issued_on=date(2025, 3, 1),
        due_on=date(2025, 3, 31),
        memo="March retainer",
        lines=(
            BillLine("Design hours", Decimal("10"), Decimal("85.00"), Decimal("850.00")),
            BillLine("Stock photos", Decimal("1"), Decimal("49.99"), Decimal("49.99")),
        ),
    ),
    Bill(
        number="=HYPERLINK(1)",
        payee="@Evil Co",
        issued_on=date(2025, 4, 2),
        due_on=None,
        memo="",
        lines=(BillLine("Audit", Decimal("1"), Decimal("1200.00"), Decimal("1200.00")),),
    ),
]


def written(mapping, bills) -> str:
    buffer = io.StringIO()
    csv_export.writer(buffer).writerows(accounting.bill_table(mapping, bills))
    return buffer.getvalue()


@pytest.mark.parametrize("key", ["quickbooks", "xero"])
def test_every_format_file_names_its_source_and_columns(key):
    data = json.loads((accounting.FORMATS_DIR / f"{key}.json").read_text())
    assert data["source"]["url"].startswith("https://")
    assert data["source"]["title"]
    assert data["verified"] is False  # the vendors' pages could not be read to check them
    assert [c["header"] for c in data["columns"]]


@pytest.mark.parametrize("key", ["quickbooks", "xero"])
def test_the_header_is_the_mappings_columns_one_by_one_in_order(key):
    mapping = accounting.builtin_mappings()[key]
    data = json.loads((accounting.FORMATS_DIR / f"{key}.json").read_text())
    header = next(csv.reader(io.StringIO(written(mapping, BILLS))))
    assert len(header) == len(data["columns"])
    for position, column in enumerate(data["columns"]):
        assert header[position] == column["header"], position


@pytest.mark.parametrize("key", ["quickbooks", "xero"])
def test_every_required_column_is_filled_on_every_row(key):
    mapping = accounting.builtin_mappings()[key]
    rows = list(csv.DictReader(io.StringIO(written(mapping, BILLS))))
    assert len(rows) == 3  # one row per invoice line
    for row in rows:
        for column in mapping.columns:
            if column.required:
                assert row[column.header], (column.header, row)


@pytest.mark.parametrize("key", ["quickbooks", "xero"])
def test_round_trip_export_then_parse_back_gives_the_same_bills(key):
    mapping = accounting.builtin_mappings()[key]
    rows = list(csv.DictReader(io.StringIO(written(mapping, BILLS))))
    back = accounting.parse_bills(mapping, rows)
    expected = [BILLS[0], Bill(**{**BILLS[1].__dict__, "due_on": BILLS[1].issued_on})]
    assert [(b.number, b.payee, b.issued_on, b.due_on, b.memo) for b in back] == [
        (b.number, b.payee, b.issued_on, b.due_on, b.memo) for b in expected
    ]
    for got, want in zip(back, expected, strict=True):
        assert [(line.description, line.amount) for line in got.lines] == [
            (line.description, line.amount) for line in want.lines
        ]
        assert got.total == want.total


def test_formula_like_cells_are_neutralised_on_export():
    text = written(accounting.builtin_mappings()["quickbooks"], BILLS)
    assert "'=HYPERLINK(1)" in text
    assert "'@Evil Co" in text
    assert ",1200.00" in text  # numbers stay numbers


def test_quickbooks_writes_us_dates_and_xero_quantity_and_unit_price():
    mapping = accounting.builtin_mappings()["quickbooks"]
    qbo = list(csv.DictReader(io.StringIO(written(mapping, BILLS))))
    assert qbo[0]["Bill Date"] == "03/01/2025"
    assert qbo[0]["Line Amount"] == "850.00"
    xero = list(csv.DictReader(io.StringIO(written(accounting.builtin_mappings()["xero"], BILLS))))
    assert (xero[0]["*Quantity"], xero[0]["*UnitAmount"]) == ("10", "85.00")
    assert xero[0]["*AccountCode"] and xero[0]["*TaxType"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,250.00", Decimal("1250.00")),
        ("$1,250.5", Decimal("1250.50")),
        ("-75", Decimal("-75.00")),
        ("(1,000.00)", Decimal("-1000.00")),
        ("abc", None),
        ("", None),
        ("NaN", None),
    ],
)
def test_amounts_are_read_to_the_cent(raw, expected):
    assert accounting.parse_amount(raw) == expected


def test_names_match_ignoring_case_spaces_and_punctuation():
    assert accounting.name_key("Sam  Rivera-Design, LLC.") == accounting.name_key(
        "sam rivera design llc"
    )


def bank(**row):
    base = {"Date": "2025-03-05", "Description": "Sam Rivera Design", "Amount": "-850.00"}
    return {**base, **row}


def test_a_bank_row_paid_out_is_a_payment():
    entry = accounting.read_entry(accounting.builtin_mappings()["bank_statement"], 2, bank())
    assert (entry.amount, entry.paid_on, entry.errors, entry.skip) == (
        Decimal("850.00"),
        date(2025, 3, 5),
        [],
        "",
    )


def test_a_deposit_is_skipped_not_refused():
    entry = accounting.read_entry(
        accounting.builtin_mappings()["bank_statement"], 2, bank(Amount="120.00")
    )
    assert entry.skip and not entry.errors


def test_a_broken_row_names_its_column_and_the_reason():
    entry = accounting.read_entry(
        accounting.builtin_mappings()["bank_statement"], 2, bank(Date="31/31/2025")
    )
    assert entry.errors == ["Date: “31/31/2025” is not a date such as 2025-03-31."]


def test_a_quickbooks_row_that_is_not_a_payment_is_skipped():
    mapping = accounting.builtin_mappings()["quickbooks_payments"]
    row = {"Date": "03/05/2025", "Transaction Type": "Bill", "Name": "Sam", "Amount": "850"}
    assert "not a payment" in accounting.read_entry(mapping, 2, row).skip
    row["Transaction Type"] = "Bill Payment (Check)"
    entry = accounting.read_entry(mapping, 2, row)
    assert (entry.method, entry.amount, entry.skip) == ("check", Decimal("850.00"), "")


def test_headers_are_found_whatever_their_case_or_asterisks():
    mapping = accounting.builtin_mappings()["quickbooks_payments"]
    headers = ["date", "TRANSACTION TYPE", "name", "*Amount"]
    assert accounting.missing_headers(mapping, headers) == []
    assert accounting.missing_headers(mapping, ["Date", "Name", "Amount"]) == ["Transaction Type"]


def test_matching_by_tin_comes_before_the_name():
    entry = Entry(line=2, payee="Someone Else", tin="900001234")
    names = {1: "Sam Rivera Design", 2: "Someone Else"}
    found = accounting.match_payee(
        entry, by_tin={"900001234": {1}}, by_name={"someoneelse": {2}}, names=names
    )
    assert (found.provider_id, found.how) == (1, "TIN")


def test_two_providers_of_one_name_are_a_problem_not_a_guess():
    entry = Entry(line=2, payee="ACME")
    found = accounting.match_payee(
        entry, by_tin={}, by_name={"acme": {1, 2}}, names={1: "Acme", 2: "ACME"}
    )
    assert found.provider_id is None and "could be any of" in found.problem


def test_an_adapted_mapping_reads_other_headers():
    base = accounting.builtin_mappings()["bank_statement"]
    mine = accounting.adapted(
        base,
        key="mapping-1",
        name="Our bank",
        roles={"date": "Posted", "payee": "Payee", "amount": "Value"},
        date_format="%m/%d/%Y",
    )
    entry = accounting.read_entry(mine, 2, {"Posted": "03/05/2025", "Payee": "Sam", "Value": "-10"})
    assert (entry.paid_on, entry.amount, entry.payee) == (date(2025, 3, 5), Decimal("10.00"), "Sam")


def test_a_malformed_mapping_is_refused():
    with pytest.raises(ValueError, match="kind"):
        accounting.mapping_from_data({"key": "x", "name": "x", "kind": "other"})
    with pytest.raises(ValueError, match="unknown roles"):
        accounting.mapping_from_data(
            {"key": "x", "name": "x", "kind": "payments", "roles": {"colour": "C"}}
        )
