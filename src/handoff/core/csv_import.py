"""Importing rows from a CSV file, all or nothing: the parts every import shares.

An import is checked first and carried out second. The page takes the upload, shows every
row's verdict (``templates/includes/csv_import.html``) and carries the checked text to the
second step in a hidden field, so the file is not uploaded twice; the service runs every row
in one transaction that is kept only when each row passed, so a dry run gives exactly the
verdicts the real import would.
"""

import csv
import io
from collections.abc import Callable, Sequence

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

# The largest file accepted; far above a small business's providers or a year's payments.
MAX_BYTES = 1024 * 1024


class ImportRefused(Exception):
    """Raised inside the import's transaction to undo every row when one is bad."""


class CsvImportForm(forms.Form):
    """A UTF-8 CSV file with a header row, or, on the import step, the text already checked.

    Subclasses say which columns are needed and how to say so when they are not."""

    help_text = ""
    required_columns: Sequence[str] = ()
    missing_columns_message = "The first row must name the columns; missing: {missing}."

    file = forms.FileField(label="CSV file", required=False)
    content = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.help_text

    def clean(self):
        upload = self.cleaned_data.get("file")
        if upload:
            if upload.size > MAX_BYTES:
                raise forms.ValidationError({"file": "The file is larger than 1 MB."})
            try:
                self.cleaned_data["content"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError({"file": "Save the file as UTF-8 CSV."}) from None
        if not self.cleaned_data.get("content"):
            raise forms.ValidationError({"file": "Choose a CSV file."})
        return self.cleaned_data

    def rows(self) -> list[dict]:
        return read_rows(
            self.cleaned_data["content"],
            required=self.required_columns,
            message=self.missing_columns_message,
        )


def read_rows(content: str, *, required: Sequence[str], message: str) -> list[dict]:
    """The rows of ``content`` as dicts keyed by its header; a header without every
    ``required`` column is refused with ``message`` (``{missing}`` names those absent)."""
    reader = csv.DictReader(io.StringIO(content))
    missing = [name for name in required if name not in (reader.fieldnames or [])]
    if missing:
        raise forms.ValidationError(message.format(missing=", ".join(missing)))
    return list(reader)


def error_messages(error: ValidationError) -> list[str]:
    """A refusal as one line per reason, each led by its field (as a row's verdict shows it)."""
    return [
        f"{field}: {message}" if field != "__all__" else message
        for field, found in error.message_dict.items()
        for message in found
    ]


def attempt(action: Callable[[], object]) -> tuple[object, list[str]]:
    """Run ``action`` in a savepoint, so a refused row leaves nothing behind while the others
    go on: its result and no errors, or None and the reasons it was refused."""
    try:
        with transaction.atomic():
            return action(), []
    except ValidationError as error:
        return None, error_messages(error)


def import_rows(
    rows: list[dict], import_row: Callable[[int, dict], dict], *, commit: bool
) -> list[dict]:
    """``import_row(line, row)`` for every row, each returning its report entry (with its
    ``errors``, empty when fine), all in one transaction kept only with ``commit``, at least
    one row and no errors. Lines are numbered as in the file, the header being line 1."""
    report = []
    try:
        with transaction.atomic():
            for line, row in enumerate(rows, start=2):
                report.append(import_row(line, row))
            if not commit or not report or refused(report):
                raise ImportRefused
    except ImportRefused:
        pass
    return report


def refused(report: list[dict]) -> int:
    return sum(1 for entry in report if entry["errors"])


def import_page(
    request,
    form: CsvImportForm,
    run: Callable[[list[dict], bool], list[dict]],
    *,
    template: str,
    columns: list[tuple[str, str]],
    done: Callable[[int], str],
    done_url: str,
):
    """The check-then-import page: ``run(rows, commit)`` returns the report; once every row
    is imported, ``done(count)`` is the message shown at ``done_url``. ``columns`` are the
    (label, key) pairs of the report shown before each row's verdict."""
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = form.rows()
        except forms.ValidationError as error:
            form.add_error("file", error)
        else:
            commit = request.POST.get("action") == "import"
            report = run(rows, commit)
            bad = refused(report)
            if commit and not bad and report:
                messages.success(request, done(len(report)))
                return redirect(done_url)
            if commit and bad:
                messages.error(request, "Nothing was imported: fix the rows below first.")
    context = {
        "form": form,
        "report": report,
        "bad": report and refused(report),
        "columns": columns,
        "content": form.cleaned_data.get("content", "")
        if form.is_bound and form.is_valid()
        else "",
    }
    return render(request, template, context)
