"""Signature requests: follow them, cancel one, download what was sent and what was signed,
and verify a PDF. Reading and verifying for viewers; cancelling for managers. Sending is done by
the app whose document it is (an agreement: ``POST /engagements/{id}/agreement/versions/{id}/
signature-request``); signing is the signer's link, not the API (its token is the credential)."""

import os
from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from ninja import Field, File, Query, Router, Schema, UploadedFile

from handoff.core.api import STORAGE_DOWN, ErrorOut, api_access, downloads, paginate
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.signatures import services

router = Router(tags=["signatures"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

RequestStatus = Literal["out", "signed", "declined", "expired", "cancelled"]


class SignerOut(Schema):
    position: int
    side: Literal["provider", "us"]
    name: str
    email: str
    status: Literal["waiting", "sent", "opened", "consented", "signed", "declined"]
    sent_at: datetime | None
    reminded_at: datetime | None
    opened_at: datetime | None
    consented_at: datetime | None
    signed_at: datetime | None
    typed_name: str = Field(description="The name they typed to sign.")
    signed_address: str | None = Field(description="Their internet address when signing.")
    signed_user_agent: str
    document_sha256: str = Field(description="SHA-256 of the document shown to them.")
    declined_at: datetime | None
    decline_reason: str


class SignatureRequestOut(Schema):
    id: int
    kind: str = Field(description="What is signed: 'agreement'.")
    title: str
    status: RequestStatus = Field(
        description="out (for signature) → signed (by all); or declined, expired, cancelled."
    )
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None
    declined_at: datetime | None
    cancelled_at: datetime | None
    document_sha256: str = Field(description="SHA-256 of the PDF as sent.")
    sealed_sha256: str = Field(description="SHA-256 of the signed, sealed PDF; empty until then.")
    signers: list[SignerOut]


class SignatureRequestPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[SignatureRequestOut]


class SignatureRequestFilters(Schema):
    status: RequestStatus | None = None
    page: int = 1
    per_page: int = 50


class VerifiedSignerOut(Schema):
    side: str
    typed_name: str
    email: str
    signed_at: datetime


class VerificationOut(Schema):
    verified: bool = Field(description="One of ours, intact, nothing added since it was sealed.")
    problem: str = Field(description="Why not, when not verified.")
    is_pdf: bool
    signed: bool = Field(description="The file carries a digital signature.")
    intact: bool = Field(description="The signature matches the bytes it covers.")
    ours: bool = Field(description="Made with one of this installation's certificates.")
    whole_file: bool = Field(description="The signature covers the whole file.")
    sealed_at: datetime | None
    certificate_fingerprint: str = Field(description="SHA-256 of the sealing certificate.")
    title: str = Field(description="What was signed, when the file is exactly as sealed here.")
    organization: str
    signers: list[VerifiedSignerOut]


def _request(request, request_id: int):
    return get_visible_or_404(
        services.requests(request.principal), request.principal, pk=request_id
    )


def _pdf(field_file) -> FileResponse:
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(field_file.name),
        content_type="application/pdf",
    )


@router.get(
    "/signature-requests",
    response={200: SignatureRequestPage, **ERRORS},
    summary="Documents sent for signature and where each signer stands",
)
@api_access()
def list_signature_requests(request, filters: Query[SignatureRequestFilters]):
    rows = services.requests(request.principal)
    if filters.status:
        rows = services.with_status(rows, filters.status)
    return paginate(rows, filters.page, filters.per_page)


@router.get(
    "/signature-requests/{request_id}",
    response={200: SignatureRequestOut, **ERRORS},
    summary="One signature request with each signer's record",
)
@api_access()
def get_signature_request(request, request_id: int):
    return _request(request, request_id)


@router.post(
    "/signature-requests/{request_id}/cancel",
    response={200: SignatureRequestOut, **ERRORS},
    summary="Cancel a request still out for signature (its links stop working)",
)
@api_access(Role.MANAGER)
def cancel_signature_request(request, request_id: int):
    return services.cancel(request.principal, _request(request, request_id))


@router.get(
    "/signature-requests/{request_id}/document",
    response={**ERRORS, **STORAGE_DOWN},
    summary="Download the PDF as sent for signature",
)
@api_access()
@downloads("application/pdf")
def signature_request_document(request, request_id: int):
    return _pdf(_request(request, request_id).document)


@router.get(
    "/signature-requests/{request_id}/signed",
    response={**ERRORS, **STORAGE_DOWN},
    summary="Download the signed, sealed PDF (404 until everyone has signed)",
)
@api_access()
@downloads("application/pdf")
def signature_request_signed(request, request_id: int):
    row = _request(request, request_id)
    if not row.completed_at:
        raise Http404("It is not signed by everyone yet.")
    return _pdf(row.sealed)


@router.post(
    "/signatures/verify",
    response={200: VerificationOut, **ERRORS},
    summary="Check a PDF: sealed by this installation, intact, who signed it and when",
)
@api_access()
def verify_signature(request, file: File[UploadedFile]):
    if file.size > services.MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": "Send a PDF of at most 10 MB."})
    result, record = services.verify(file.read())
    signers = list(record.signers.all()) if record else []
    return {
        "verified": result.ok,
        "problem": result.problem,
        "is_pdf": result.readable,
        "signed": result.signed,
        "intact": result.intact,
        "ours": result.ours,
        "whole_file": result.whole_file,
        "sealed_at": result.signed_at,
        "certificate_fingerprint": result.certificate.fingerprint if result.certificate else "",
        "title": record.title if record else "",
        "organization": record.organization.name if record else "",
        "signers": [
            {
                "side": s.side,
                "typed_name": s.typed_name,
                "email": s.email,
                "signed_at": s.signed_at,
            }
            for s in signers
        ],
    }
