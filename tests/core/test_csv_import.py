"""The parts every CSV import shares: the upload, the header, and all rows or none."""

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from handoff.core.csv_import import CsvImportForm, attempt, import_rows, read_rows


class PeopleImportForm(CsvImportForm):
    help_text = "UTF-8, a name column."
    required_columns = ("name", "email")


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", data, "text/csv")


def test_the_form_reads_utf8_with_a_bom_and_gives_the_rows():
    form = PeopleImportForm(
        files={"file": upload("\ufeffname,email\nAda,a@example.com\n".encode())}
    )
    assert form.is_valid(), form.errors
    assert form.fields["file"].help_text == "UTF-8, a name column."
    assert form.rows() == [{"name": "Ada", "email": "a@example.com"}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name\n\xff\xfe\n", "Save the file as UTF-8 CSV."),
        (b"x" * (1024 * 1024 + 1), "The file is larger than 1 MB."),
        (None, "Choose a CSV file."),
    ],
)
def test_the_form_refuses_what_it_cannot_read(data, message):
    form = PeopleImportForm(files={"file": upload(data)} if data else {})
    assert not form.is_valid()
    assert form.errors["file"] == [message]


def test_the_checked_text_comes_back_without_the_file():
    form = PeopleImportForm(data={"content": "name,email\nAda,a@example.com\n"})
    assert form.is_valid() and len(form.rows()) == 1


def test_a_header_without_the_needed_columns_names_them():
    with pytest.raises(forms.ValidationError) as refused:
        read_rows("name,city\nAda,Paris\n", required=("name", "email"), message="No {missing}.")
    assert refused.value.messages == ["No email."]


def add_group(line: int, row: dict) -> dict:
    def create():
        group = Group(name=row["name"])
        group.full_clean()
        group.save()
        return group

    _, errors = attempt(create)
    return {"line": line, "errors": errors}


@pytest.mark.django_db
def test_one_bad_row_undoes_the_good_ones_and_every_reason_is_given():
    report = import_rows([{"name": "Ops"}, {"name": ""}], add_group, commit=True)
    assert [entry["line"] for entry in report] == [2, 3]
    assert report[0]["errors"] == [] and report[1]["errors"] == [
        "name: This field cannot be blank."
    ]
    assert not Group.objects.exists()


@pytest.mark.django_db
def test_a_check_keeps_nothing_and_an_import_keeps_every_row():
    assert import_rows([{"name": "Ops"}], add_group, commit=False)[0]["errors"] == []
    assert not Group.objects.exists()
    import_rows([{"name": "Ops"}, {"name": "Sales"}], add_group, commit=True)
    assert sorted(Group.objects.values_list("name", flat=True)) == ["Ops", "Sales"]
