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
