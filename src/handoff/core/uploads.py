"""Uploaded documents: recognised by their first bytes, named as what they are, size-limited.

A file's content decides its kind; its name must agree with it. ``Invoice-2026.hta`` (text),
``drawing.svg`` or an HTML page named ``report.pdf`` are refused naming the file, and a file
kept is stored and served under a safe name ending in its real kind's extension
(:func:`safe_name`), with that kind's media type, as a download.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}


# The extension a document of each media type is served under.
DOCUMENT_EXTENSIONS = {media_type: extension for media_type, extension in SIGNATURES.values()}

# The names a file of each kind may have (its extension, lower case); none is also fine.
NAME_EXTENSIONS = {
    "pdf": {"pdf"},
    "png": {"png"},
    "jpg": {"jpg", "jpeg"},
    "xlsx": {"xlsx"},
    "docx": {"docx"},
    "csv": {"csv"},
    "txt": {"txt", "text", "log"},
}


def _extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def _check_name(upload, kind: tuple[str, str], field: str, accepted: str) -> tuple[str, str]:
    """``kind`` when the upload's name agrees with it; otherwise refused naming the file."""
    name = getattr(upload, "name", "") or ""
    extension = _extension(name)
    if extension and extension not in NAME_EXTENSIONS[kind[1]]:
        known = any(extension in names for names in NAME_EXTENSIONS.values())
        reason = (
            f"{name} is named .{extension} but its content is not that kind of file"
            if known
            else f"{name}: .{extension} files are not accepted"
        )
        raise ValidationError({field: f"{reason}; upload a {accepted} file."})
    return kind


def safe_name(name: str, extension: str, limit: int = 100) -> str:
    """A name to store and serve a file under: letters, digits and ``-_.,() `` only, ending
    in ``extension`` (the kind its content showed)."""
    name = unicodedata.normalize("NFKC", (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    stem = name[: -len(_extension(name)) - 1] if _extension(name) else name
    stem = re.sub(r"[^\w\-.,() ]+", "_", stem).strip(" ._") or "file"
    return f"{stem[: limit - len(extension) - 1]}.{extension}"


def sniff_document(upload, field: str = "document") -> tuple[str, str]:
    """The content type and extension of a PDF, PNG or JPEG upload; anything else, a name that
    says otherwise, or anything over 10 MB, is refused on ``field``."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            {field: f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is 10 MB."}
        )
    head = upload.read(16)
    upload.seek(0)
    for magic, kind in SIGNATURES.items():
        if head.startswith(magic):
            return _check_name(upload, kind, field, "PDF, PNG or JPEG")
    raise ValidationError({field: "Upload a PDF, PNG or JPEG file (this one is none of these)."})


# Files sent with work (tasks, deliveries, comments): documents plus the office formats and
# plain text that bookkeeping and payroll deliveries come in.
ZIP_MAGIC = b"PK\x03\x04"
OFFICE_KINDS = {
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}
# The media types a stored document or attachment is served with (the API declares them).
DOCUMENT_TYPES = tuple(media_type for media_type, _ in SIGNATURES.values())
ATTACHMENT_TYPES = (
    *DOCUMENT_TYPES,
    *(t for t, _ in OFFICE_KINDS.values()),
    "text/csv",
    "text/plain",
)
ATTACHMENT_TYPES_TEXT = "PDF, PNG, JPEG, XLSX, DOCX, CSV or plain-text"


def _office_kind(upload) -> tuple[str, str] | None:
    """XLSX or DOCX by the parts inside the ZIP (a renamed ZIP of anything else is refused)."""
    import zipfile

    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in OFFICE_KINDS.items():
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def _text_kind(upload, name: str) -> tuple[str, str] | None:
    """CSV or plain text: UTF-8 (a BOM allowed) without NUL bytes in its first 64 KB."""
    head = upload.read(64 * 1024)
    upload.seek(0)
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the 64 KB boundary is still text.
        if error.start < len(head) - 3:
            return None
    if name.lower().endswith(".csv"):
        return ("text/csv", "csv")
    return ("text/plain", "txt")


def sniff_attachment(upload, field: str = "files") -> tuple[str, str]:
    """The content type and extension of a file sent with work: what ``sniff_document``
    accepts, XLSX and DOCX (recognised by the parts inside the ZIP) and UTF-8 CSV or text.
    Anything else, or anything over 10 MB, is refused on ``field`` naming the file."""
    name = getattr(upload, "name", "") or "file"
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            {field: f"{name} is {upload.size / 1024 / 1024:.1f} MB; the limit is 10 MB."}
        )
    if upload.size == 0:
        raise ValidationError({field: f"{name} is empty."})
    head = upload.read(16)
    upload.seek(0)
    for magic, kind in SIGNATURES.items():
        if head.startswith(magic):
            return _check_name(upload, kind, field, ATTACHMENT_TYPES_TEXT)
    kind = _office_kind(upload) if head.startswith(ZIP_MAGIC) else _text_kind(upload, name)
    if kind is None:
        raise ValidationError(
            {field: f"{name} is not a {ATTACHMENT_TYPES_TEXT} file; upload one of those."}
        )
    return _check_name(upload, kind, field, ATTACHMENT_TYPES_TEXT)
