"""A payee's own tax statements through their contact's portal token: the consent to receive
them electronically (shown the sample PDF's code, as the portal page asks), its withdrawal, a
request for a paper copy, and the copies posted to them. The same services as the portal's
"Tax statements" page (``statements``); a member's token answers 401 here."""

from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Schema, Status

from handoff.accounts.throttle import client_address
from handoff.compliance import statements
from handoff.compliance.api.routing import ERRORS, router
from handoff.compliance.api.statements import RecipientCopyOut, StatementConsentOut
from handoff.core.api import downloads, portal_operation
from handoff.core.tenancy import get_visible_or_404


class PortalStatementsOut(Schema):
    consent: StatementConsentOut | None = Field(
        description="The provider's consent in force; none: copies come on paper."
    )
    disclosure_version: str
    copies: list[RecipientCopyOut] = Field(description="Copies posted to the portal, newest first.")


class ConsentIn(Schema):
    agree: bool = Field(description="The contact consents after reading the disclosure.")
    code: str = Field(
        "", max_length=20, description="The code printed in the sample PDF (GET …/sample)."
    )


class WithdrawnOut(Schema):
    withdrawn: int = Field(description="Consents withdrawn (every contact's of the provider).")


class PaperIn(Schema):
    tax_year: int


class PaperRequestOut(Schema):
    id: int
    tax_year: int
    requested_at: datetime


def _browser(request) -> dict:
    return {
        "address": client_address(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
    }


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@router.get(
    "/portal/tax-statements",
    response={200: PortalStatementsOut, **ERRORS},
    summary="The payee's consent in force and the copies posted to them",
)
@portal_operation
def my_statements(request):
    principal = request.principal
    return {
        "consent": statements.consent_in_force(principal, principal.provider_id),
        "disclosure_version": statements.DISCLOSURE_VERSION,
        "copies": list(statements.portal_copies(principal)),
    }


@router.get(
    "/portal/tax-statements/sample",
    response=ERRORS,
    summary="The sample PDF: open it to read the code that consenting asks for",
)
@portal_operation
@downloads("application/pdf")
def sample(request):
    return _pdf(statements.sample_pdf(request.principal), "sample-tax-statement.pdf")


@router.post(
    "/portal/tax-statements/consent",
    response={201: StatementConsentOut, **ERRORS},
    summary="Consent to receive tax statements in the portal (recorded with time and address)",
)
@portal_operation
def consent(request, payload: ConsentIn):
    given = statements.give_consent(
        request.principal, agreed=payload.agree, code=payload.code, **_browser(request)
    )
    return Status(201, given)


@router.post(
    "/portal/tax-statements/withdraw",
    response={200: WithdrawnOut, **ERRORS},
    summary="Withdraw the consent: later statements come on paper (confirmed by e-mail)",
)
@portal_operation
def withdraw(request):
    count = statements.withdraw_consent(request.principal, address=client_address(request))
    return {"withdrawn": count}


@router.post(
    "/portal/tax-statements/paper",
    response={201: PaperRequestOut, **ERRORS},
    summary="Ask for a paper copy of a year's statement (the consent stays in force)",
)
@portal_operation
def paper(request, payload: PaperIn):
    row = statements.request_paper_copy(
        request.principal, tax_year=payload.tax_year, **_browser(request)
    )
    return Status(201, row)


@router.get(
    "/portal/tax-statements/{statement_id}/file",
    response=ERRORS,
    summary="A posted copy (Copy B) as a PDF; opening it is recorded",
)
@portal_operation
@downloads("application/pdf")
def statement_file(request, statement_id: int):
    principal = request.principal
    copy = get_visible_or_404(statements.portal_copies(principal), principal, pk=statement_id)
    return _pdf(statements.open_copy(principal, copy), copy.download_name)
