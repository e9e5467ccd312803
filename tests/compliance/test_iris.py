"""The pure IRIS module: the dated layout column by column, validation, splitting at the limit,
the corrected marker, formula-like names, and an uploaded template's headers."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal as D

import pytest

from handoff.compliance import iris, iris_layouts

LAYOUT = iris_layouts.layout_for("1099-NEC", 2025)

PAYER = iris.Payer(
    tin_type="ein",
    tin="001234567",
    name="Acme Dental",
    address="1 Main St",
    city="Chicago",
    state="IL",
    postal_code="60601",
    phone="(312) 555-0100",
)


def ret(pk=1, **over):
    data = {
        "provider_id": pk,
        "provider_name": f"Payee {pk}",
        "has_w9": True,
        "tin_type": "ssn",
        "tin": "900001234",
        "name": "Jordan Lee",
        "name_2": "Jordan Lee IT",
        "address": "12 Elm St",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "box1": D("2500.5"),
        "box4": D("0"),
    }
    return iris.Return(**{**data, **over})


def parse(text):
    return list(csv.reader(io.StringIO(text)))


# --- The dated layout -----------------------------------------------------------------------
def test_every_layout_is_dated_sourced_and_honest_about_verification():
    for layout in iris_layouts.LAYOUTS:
        assert layout.source and layout.note and layout.valid_from
        assert layout.row_limit >= 1
        keys = [column.key for column in layout.columns]
        assert len(keys) == len(set(keys)), "one column per field"
        assert set(keys) <= set(iris.FIELD_KEYS)
        if not layout.verified:
            assert "verbatim" in layout.note or "unverified" in layout.note.lower()


@pytest.mark.parametrize(("year", "first"), [(2024, 2024), (2025, 2025), (2026, 2025)])
def test_the_layout_in_force_is_the_latest_not_after_the_year(year, first):
    assert iris_layouts.layout_for("1099-NEC", year).tax_year == first


def test_no_layout_before_the_first():
    assert iris_layouts.layout_for("1099-NEC", 2020) is None
    assert iris_layouts.layout_for("1099-MISC", 2025) is None


def test_the_file_follows_the_layout_column_by_column():
    body = iris.rows(LAYOUT, 2025, PAYER, [ret(box4=D("600"))])
    assert len(body[0]) == len(LAYOUT.columns)
    cells = dict(zip(LAYOUT.headers, body[0], strict=True))
    expected = {
        "tax_year": "2025",
        "corrected": "",
        "payer_tin_type": "EIN",
        "payer_tin": "001234567",
        "payer_name": "Acme Dental",
        "payer_name_2": "",
        "payer_address": "1 Main St",
        "payer_address_2": "",
        "payer_city": "Chicago",
        "payer_state": "IL",
        "payer_zip": "60601",
        "payer_country": "US",
        "payer_phone": "3125550100",
        "recipient_tin_type": "SSN",
        "recipient_tin": "900001234",
        "recipient_name": "Jordan Lee",
        "recipient_name_2": "Jordan Lee IT",
        "recipient_address": "12 Elm St",
        "recipient_address_2": "",
        "recipient_city": "Springfield",
        "recipient_state": "IL",
        "recipient_zip": "62701",
        "recipient_country": "US",
        "account_number": "HO-1",
        "second_tin_notice": "",
        "box1": "2500.50",
        "box2": "",
        "box4": "600.00",
        "state_tax_withheld": "",
        "state_code": "",
        "state_payer_id": "",
        "state_income": "",
    }
    for column in LAYOUT.columns:
        assert cells[column.header] == expected[column.key], column.header


def test_amounts_are_to_the_cent_and_state_boxes_fill_only_with_a_state_id():
    values = iris.row_values(
        LAYOUT, 2025, PAYER, ret(box1=D("1999.999"), state_code="IL", state_income=D("10"))
    )
    assert values["box1"] == "2000.00"
    assert values["state_code"] == values["state_income"] == ""
    values = iris.row_values(
        LAYOUT,
        2025,
        PAYER,
        ret(state_code="IL", state_payer_id="1234-5678", state_income=D("2500.5")),
    )
    assert (values["state_code"], values["state_payer_id"], values["state_income"]) == (
        "IL",
        "1234-5678",
        "2500.50",
    )


def test_corrected_returns_carry_the_marker_and_second_notices_their_box():
    values = iris.row_values(LAYOUT, 2025, PAYER, ret(second_tin_notice=True), corrected=True)
    assert values["corrected"] == LAYOUT.corrected_marker == "X"
    assert values["second_tin_notice"] == "X"


def test_formula_like_names_are_neutralised_in_the_file():
    body = iris.rows(LAYOUT, 2025, PAYER, [ret(name='=HYPERLINK("x")', address="+1 St")])
    ((_, text),) = iris.build_files(LAYOUT.headers, body, LAYOUT.row_limit, "f")
    row = parse(text)[1]
    assert row[LAYOUT.headers.index("Recipient Name Line 1")] == '\'=HYPERLINK("x")'
    assert row[LAYOUT.headers.index("Recipient Address Line 1")] == "'+1 St"
    assert row[LAYOUT.headers.index("Box 1 - Nonemployee Compensation")] == "2500.50"


# --- Splitting -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("count", "files"), [(0, 1), (1, 1), (100, 1), (101, 2), (200, 2), (201, 3)]
)
def test_files_hold_at_most_the_limit(count, files):
    returns = [ret(pk) for pk in range(1, count + 1)]
    built = iris.build_files(LAYOUT.headers, iris.rows(LAYOUT, 2025, PAYER, returns), 100, "b")
    assert len(built) == files
    sizes = [len(parse(text)) - 1 for _, text in built]
    assert sum(sizes) == count and all(size <= 100 for size in sizes)
    assert all(parse(text)[0] == LAYOUT.headers for _, text in built)


def test_one_file_is_a_csv_and_several_a_zip():
    name, content, kind = iris.package([("a.csv", "h\n")], "base")
    assert (name, content, kind) == ("a.csv", b"h\n", "text/csv; charset=utf-8")
    files = iris.build_files(["h"], [["1"]] * 3, 2, "base")
    assert [n for n, _ in files] == ["base-part01-of-02.csv", "base-part02-of-02.csv"]
    name, content, kind = iris.package(files, "base")
    assert name == "base.zip" and kind == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(content)).namelist() == [n for n, _ in files]


def test_split_refuses_a_limit_below_one():
    with pytest.raises(ValueError):
        iris.split([1], 0)


# --- Validation ------------------------------------------------------------------------------
def codes(checked):
    return [p.code for p in checked.problems]


def test_a_complete_return_is_ready():
    assert iris.check_return(LAYOUT, ret(), accept_test_numbers=True).ok


def test_test_numbers_are_refused_unless_accepted():
    assert codes(iris.check_return(LAYOUT, ret())) == ["tin_invalid"]


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"has_w9": False}, "no_w9", "w9"),
        ({"tin": ""}, "no_tin", "recipient_tin"),
        ({"tin": "12345"}, "tin_invalid", "recipient_tin"),
        ({"tin": "078051120", "tin_type": "ein"}, "tin_invalid", "recipient_tin"),
        ({"tin_type": "atin"}, "tin_type", "recipient_tin_type"),
        ({"tin_mismatch": True}, "tin_mismatch", "recipient_tin"),
        ({"address": ""}, "no_address", "recipient_address"),
        ({"city": "", "postal_code": " "}, "no_address", "recipient_address"),
        ({"name": ""}, "no_name", "recipient_name"),
        ({"name": "N" * 41}, "too_long", "recipient_name"),
        ({"name_2": "B" * 41}, "too_long", "recipient_name_2"),
        ({"address": "A" * 41}, "too_long", "recipient_address"),
    ],
)
def test_each_blocker_names_its_field_and_sends_to_the_tax_form(over, code, field):
    checked = iris.check_return(LAYOUT, ret(**over), accept_test_numbers=True)
    assert not checked.ok
    problem = next(p for p in checked.problems if p.code == code)
    assert problem.field == field and problem.fix == "w9"


def test_a_name_of_exactly_the_limit_passes():
    assert iris.check_return(LAYOUT, ret(name="N" * 40), accept_test_numbers=True).ok


def test_too_long_says_how_long_and_the_limit():
    (problem,) = iris.check_return(LAYOUT, ret(name="N" * 45), accept_test_numbers=True).problems
    assert "45 characters" in problem.message and "takes 40" in problem.message


def test_payer_problems_send_to_settings():
    assert iris.check_payer(LAYOUT, PAYER, accept_test_numbers=True) == []
    empty = iris.check_payer(LAYOUT, iris.Payer(), accept_test_numbers=True)
    fields = {p.field for p in empty}
    assert {"payer_tin_type", "payer_tin", "payer_name", "payer_address", "payer_phone"} <= fields
    assert {p.fix for p in empty} == {"settings"}
    long = iris.Payer(**{**PAYER.__dict__, "name": "P" * 41})
    assert [p.code for p in iris.check_payer(LAYOUT, long, accept_test_numbers=True)] == [
        "too_long"
    ]
    itin = iris.Payer(**{**PAYER.__dict__, "tin_type": "itin"})
    assert [p.field for p in iris.check_payer(LAYOUT, itin, accept_test_numbers=True)] == [
        "payer_tin_type"
    ]


# --- The official template ----------------------------------------------------------------------
def test_template_headers_are_matched_normalised_and_unknown_ones_reported():
    headers = [
        "PAYER TIN",
        "payer_name",
        "Recipient's TIN",
        "Nonemployee compensation",
        "FATCA Filing Requirement",
        "Box 4",
        "Payer TIN",  # a second column for the same field stays empty
    ]
    mapped = iris.map_template(LAYOUT, headers)
    assert mapped.keys == ["payer_tin", "payer_name", "recipient_tin", "box1", None, "box4", None]
    assert mapped.unknown == ["FATCA Filing Requirement", "Payer TIN"]
    assert mapped.filled == 5
    assert "Recipient Name Line 1" in mapped.missing_required
    assert "Payer TIN" not in mapped.missing_required
    body = iris.rows(LAYOUT, 2025, PAYER, [ret()], keys=mapped.keys)
    assert body == [["001234567", "Acme Dental", "900001234", "2500.50", "", "", ""]]


def test_the_layouts_own_headers_map_every_column():
    mapped = iris.map_template(LAYOUT, LAYOUT.headers)
    assert mapped.unknown == [] and mapped.missing_required == []
    assert mapped.keys == [column.key for column in LAYOUT.columns]


def test_a_template_is_read_by_its_header_row_only():
    raw = "\ufeffTax Year;Payer TIN;Recipient TIN\r\n2025;1;2\r\n".encode()
    assert iris.read_template_headers(raw) == ["Tax Year", "Payer TIN", "Recipient TIN"]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"x" * (iris.TEMPLATE_MAX_BYTES + 1), "larger"),
        (b"\xff\xfe\x00binary", "not a CSV"),
        (b"%PDF-1.7\x00\x01", "not a CSV"),
        (b"only-one-column\n", "no header row"),
        (b"2025,123456789,2500.00\n", "values, not column names"),
    ],
)
def test_a_hostile_or_headerless_template_is_refused(raw, words):
    with pytest.raises(iris.TemplateError) as raised:
        iris.read_template_headers(raw)
    assert words in str(raised.value)


# --- The state table ------------------------------------------------------------------------------
def test_the_state_table_is_sourced_and_unknown_is_check_with_the_state():
    on = date(2026, 6, 1)
    ca = iris_layouts.state_filing("CA", on)
    assert ca.cfsf is True and ca.own_filing == "check" and "Publication 1220" in ca.source
    assert iris_layouts.state_filing("TX", on).own_filing == "no"
    assert iris_layouts.state_filing("IL", on).cfsf is False
    assert iris_layouts.state_filing("PA", on).cfsf is None
    unknown = iris_layouts.state_filing("ZZ", on)
    assert unknown.own_filing == "check" and "Check with the state" in unknown.note
    assert iris_layouts.state_filing("ca", date(2020, 1, 1)).state == "CA"
