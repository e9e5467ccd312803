"""Uploaded documents: recognised by their first bytes, not their name, and size-limited."""

from django.core.exceptions import ValidationError

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

SIGNATURES = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}


def sniff_document(upload, field: str = "document") -> tuple[str, str]:
    """The content type and extension of a PDF, PNG or JPEG upload; anything else, or anything
    over 10 MB, is refused on ``field``."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            {field: f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is 10 MB."}
        )
    head = upload.read(16)
    upload.seek(0)
    for magic, kind in SIGNATURES.items():
        if head.startswith(magic):
            return kind
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
            return kind
    kind = _office_kind(upload) if head.startswith(ZIP_MAGIC) else _text_kind(upload, name)
    if kind is None:
        raise ValidationError(
            {field: f"{name} is not a {ATTACHMENT_TYPES_TEXT} file; upload one of those."}
        )
    return kind
