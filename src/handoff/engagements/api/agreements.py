"""The agreement: generated versions, signed copies and the organization's clauses."""

import os

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from ninja import File, Form, Status, UploadedFile

from handoff.accounts.models import Membership
from handoff.core.api import STORAGE_DOWN, api_access, downloads, fields_named
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.core.uploads import DOCUMENT_TYPES
from handoff.engagements import agreements
from handoff.engagements.api.lookups import _child, _engagement, _merged, _of
from handoff.engagements.api.routing import ERRORS, router
from handoff.engagements.api.schemas import (
    AgreementOut,
    AgreementSignatureIn,
    AgreementVersionOut,
    ClauseOut,
    ClausePatch,
    SignedAgreementIn,
    SignedAgreementOut,
)
from handoff.engagements.models import AgreementClause, AgreementVersion, SignedAgreement
from handoff.signatures.api import SignatureRequestOut


def _file_response(field_file, content_type: str) -> FileResponse:
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(field_file.name),
        content_type=content_type,
    )


@router.get(
    "/engagements/{engagement_id}/agreement",
    response={200: AgreementOut, **ERRORS},
    summary="The agreement's state, its generated versions and the signed copies",
)
@api_access()
def get_agreement(request, engagement_id: int):
    engagement = _engagement(request, engagement_id)
    return {
        "state": agreements.state(engagement),
        "versions": _of(request.principal, AgreementVersion, engagement),
        "signed": _of(request.principal, SignedAgreement, engagement),
    }


@router.post(
    "/engagements/{engagement_id}/agreement/versions",
    response={201: AgreementVersionOut, **ERRORS},
    summary="Generate a new PDF version of the agreement",
)
@api_access(Role.MANAGER)
def generate_agreement(request, engagement_id: int):
    version = agreements.generate(request.principal, _engagement(request, engagement_id))
    return Status(201, version)


@router.post(
    "/engagements/{engagement_id}/agreement/versions/{version_id}/sent",
    response={200: AgreementVersionOut, **ERRORS},
    summary="Record that a version was sent for signature",
)
@api_access(Role.MANAGER)
def mark_agreement_sent(request, engagement_id: int, version_id: int):
    version = _child(
        request.principal, AgreementVersion.objects, _engagement(request, engagement_id), version_id
    )
    return agreements.mark_sent(request.principal, version)


@router.post(
    "/engagements/{engagement_id}/agreement/versions/{version_id}/signature-request",
    response={201: SignatureRequestOut, **ERRORS},
    summary="Send a version for signature: the provider's signer and ours, in the order chosen",
)
@api_access(Role.MANAGER)
@fields_named(our_signer="our_signer_id")
def send_agreement_for_signature(
    request, engagement_id: int, version_id: int, payload: AgreementSignatureIn
):
    version = _child(
        request.principal, AgreementVersion.objects, _engagement(request, engagement_id), version_id
    )
    member = (
        Membership.objects.visible_to(request.principal)
        .select_related("user")
        .filter(user_id=payload.our_signer_id)
        .first()
    )
    if member is None:
        raise ValidationError({"our_signer_id": "Choose a member of this organization."})
    signature_request = agreements.send_for_signature(
        request.principal,
        version,
        provider_name=payload.provider_name,
        provider_email=payload.provider_email,
        our_signer=member.user,
        provider_first=payload.provider_first,
        valid_days=payload.valid_days,
    )
    return Status(201, signature_request)


@router.get(
    "/engagements/{engagement_id}/agreement/versions/{version_id}/file",
    response={**ERRORS, **STORAGE_DOWN},
    url_name="agreement_version_file",
    summary="Download a generated version (PDF)",
)
@api_access()
@downloads("application/pdf")
def agreement_version_file(request, engagement_id: int, version_id: int):
    version = _child(
        request.principal, AgreementVersion.objects, _engagement(request, engagement_id), version_id
    )
    return _file_response(version.file, "application/pdf")


@router.post(
    "/engagements/{engagement_id}/agreement/signed",
    response={201: SignedAgreementOut, **ERRORS, **STORAGE_DOWN},
    summary="Upload the signed copy (multipart: a PDF, PNG or JPEG file and the form fields)",
)
@api_access(Role.MANAGER)
@fields_named(version="version_id")
def upload_signed_agreement(
    request, engagement_id: int, file: File[UploadedFile], form: Form[SignedAgreementIn]
):
    signed = agreements.upload_signed(
        request.principal,
        _engagement(request, engagement_id),
        upload=file,
        signed_on=form.signed_on,
        signers=form.signers,
        version_id=form.version_id,
    )
    return Status(201, signed)


@router.get(
    "/engagements/{engagement_id}/agreement/signed/{signed_id}/file",
    response={**ERRORS, **STORAGE_DOWN},
    url_name="signed_agreement_file",
    summary="Download a signed copy",
)
@api_access()
@downloads(*DOCUMENT_TYPES)
def signed_agreement_file(request, engagement_id: int, signed_id: int):
    signed = _child(
        request.principal, SignedAgreement.objects, _engagement(request, engagement_id), signed_id
    )
    return _file_response(signed.file, signed.content_type)


@router.get(
    "/agreement-clauses",
    response={200: list[ClauseOut], **ERRORS},
    summary="The standard clauses of the organization's agreement",
)
@api_access()
def list_clauses(request):
    return agreements.clauses(request.principal)


@router.patch(
    "/agreement-clauses/{clause_id}",
    response={200: ClauseOut, **ERRORS},
    summary="Edit a standard clause (admins; only the fields sent)",
)
@api_access(Role.ADMIN)
def update_clause(request, clause_id: int, payload: ClausePatch):
    clause = get_visible_or_404(AgreementClause.objects, request.principal, pk=clause_id)
    data = _merged(clause, payload, ("title", "body"))
    return agreements.update_clause(
        request.principal, clause, title=data["title"] or "", body=data["body"] or ""
    )
