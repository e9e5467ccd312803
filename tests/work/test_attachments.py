"""Files sent with work: the content decides the kind, the name must agree with it, and a kept
file is stored and downloaded under a safe name with its real kind's media type."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from handoff.core.uploads import safe_name
from handoff.work import services
from handoff.work.models import TaskAttachment
from tests.conftest import api_client_for
from tests.factories import principal_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 x"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("Invoice-2026.hta", b"<script>new ActiveXObject('WScript.Shell')</script>", ".hta"),
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", ".svg"),
        ("report.pdf", HTML, "named .pdf but its content is not"),
        ("totals.xlsx", b"plain text", "named .xlsx but its content is not"),
        ("run.exe", b"MZ\x00\x00", "not a PDF, PNG"),
        ("page.html", HTML, ".html files are not accepted"),
    ],
)
def test_a_file_whose_name_or_content_is_not_allowed_is_refused(task, member, name, content, says):
    with pytest.raises(ValidationError) as error:
        services.add_attachments(
            principal_for(member, task.organization),
            task,
            files=[SimpleUploadedFile(name, content, "application/octet-stream")],
        )
    assert says in " ".join(error.value.message_dict["files"]), error.value.message_dict
    assert not TaskAttachment.objects.exists()


def test_a_kept_file_is_downloaded_under_a_safe_name_and_its_real_type(org, task, member):
    [row] = services.add_attachments(
        principal_for(member, task.organization),
        task,
        files=[SimpleUploadedFile('../../March "close"<1>.PDF', PDF, "text/html")],
    )
    assert row.name == "March _close_1.pdf" and row.content_type == "application/pdf"
    api = api_client_for(member, org)
    download = api.get(f"/api/v1/tasks/{task.pk}/attachments/{row.pk}/file")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="March _close_1.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "extension", "kept"),
    [
        ("notes.txt", "txt", "notes.txt"),
        ("Résumé – final.docx", "docx", "Résumé _ final.docx"),
        ("C:\\Users\\pat\\books.xlsx", "xlsx", "books.xlsx"),
        ("", "csv", "file.csv"),
        (".htaccess", "txt", "htaccess.txt"),
    ],
)
def test_safe_names(name, extension, kept):
    assert safe_name(name, extension) == kept
