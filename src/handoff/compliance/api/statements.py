"""Recipient copies (Copy B) of Form 1099-NEC: a year's copies with each payee's consent and
status (viewers), posting to the portal, printing for mailing and marking mailed, furnishing
all (owners and admins), and the consents to electronic statements (``statements``)."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from ninja import Field, Query, Schema, Status

from handoff.compliance import statements
from handoff.compliance.api.routing import ERRORS, router
from handoff.compliance.models import StatementDelivery
from handoff.core.api import api_access, downloads, paginate
from handoff.core.roles import Role
from handoff.providers.models import Provider


class RecipientCopyOut(Schema):
    id: int
    provider_id: int
    tax_year: int
    version: int
    nonemployee_compensation: Decimal = Field(description="Box 1 as furnished.")
    federal_tax_withheld: Decimal = Field(description="Box 4 as furnished.")
    corrected: bool
    how: StatementDelivery
    printed_on: date | None
    furnished_on: date | None = Field(description="Posted, or mailed; empty until mailed.")
    recipient_tin_masked: str = Field(alias="truncated_tin")


class StatementConsentOut(Schema):
    id: int
    provider_id: int
    contact_id: int
    contact_name: str = Field(alias="contact.name")
    given_at: datetime
    disclosure_version: str
    withdrawn_at: datetime | None
    in_force: bool


class RecipientCopyRowOut(Schema):
    provider_id: int
    provider_name: str
    box_1: Decimal = Field(description="Nonemployee compensation reportable now.")
    box_4: Decimal = Field(description="Federal income tax (backup) withheld now.")
    consent: StatementConsentOut | None = Field(description="The consent in force, if any.")
    status: str = Field(description="not_furnished, posted, printed or mailed (newest copy).")
    status_on: date | None
    needs_correction: bool = Field(description="The amounts changed since the copy furnished.")
    paper_requested_at: datetime | None
    blocker: str = Field(description="Why no copy can be made yet; empty when it can.")
    copies: list[RecipientCopyOut]


class RecipientCopiesOut(Schema):
    year: int
    deadline: date
    payer_details_missing: bool
    not_furnished: int
    results: list[RecipientCopyRowOut]


class FurnishAllOut(Schema):
    posted: list[RecipientCopyOut]
    to_print: list[int] = Field(description="Payees without consent: print and mail theirs.")


class MailedIn(Schema):
    mailed_on: date


class ConsentFilters(Schema):
    provider: int | None = None
    page: int = 1
    per_page: int = 50


class StatementConsentPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[StatementConsentOut]


def _check(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Choose a year from 2000 to 2100."})
    return year


def _row(row) -> dict:
    return {
        "provider_id": row.provider.pk,
        "provider_name": row.provider.name,
        "box_1": row.amounts[0],
        "box_4": row.amounts[1],
        "consent": row.consent,
        "status": row.status,
        "status_on": row.status_on,
        "needs_correction": row.needs_correction,
        "paper_requested_at": row.paper_requested.requested_at if row.paper_requested else None,
        "blocker": row.blocker,
        "copies": row.copies,
    }


@router.get(
    "/compliance/1099/{year}/copies",
    response={200: RecipientCopiesOut, **ERRORS},
    summary="Recipient copies (Copy B) of a tax year: each payee's consent and copy status",
)
@api_access()
def list_copies(request, year: int):
    report = statements.copies(request.principal, _check(year))
    return {
        "year": report.year,
        "deadline": report.deadline,
        "payer_details_missing": report.payer["missing"],
        "not_furnished": len(report.not_furnished),
        "results": [_row(row) for row in report.rows],
    }


@router.post(
    "/compliance/1099/{year}/copies/furnish-all",
    response={200: FurnishAllOut, **ERRORS},
    summary="Post every consenting payee's copy; list the payees whose copy is to print",
)
@api_access(Role.ADMIN)
def furnish_all(request, year: int):
    posted, to_print = statements.furnish_all(request.principal, _check(year))
    return {"posted": posted, "to_print": [row.provider.pk for row in to_print]}


@router.post(
    "/compliance/1099/{year}/copies/providers/{provider_id}/post",
    response={201: RecipientCopyOut, **ERRORS},
    summary="Post a payee's copy in the portal (consent in force) and tell them by e-mail",
)
@api_access(Role.ADMIN)
def post_copy(request, year: int, provider_id: int):
    _provider(request, provider_id)
    return Status(201, statements.post_to_portal(request.principal, _check(year), provider_id))


@router.post(
    "/compliance/1099/{year}/copies/providers/{provider_id}/print",
    response=ERRORS,
    summary="The payee's copy to print for mailing (PDF), recorded as printed today",
)
@api_access(Role.ADMIN)
@downloads("application/pdf")
def print_copy(request, year: int, provider_id: int):
    _provider(request, provider_id)
    copy, content = statements.print_for_mailing(request.principal, _check(year), provider_id)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{copy.download_name}"'
    return response


@router.post(
    "/compliance/1099/{year}/copies/providers/{provider_id}/mailed",
    response={200: RecipientCopyOut, **ERRORS},
    summary="Mark the printed copy mailed on a day: it is furnished that day",
)
@api_access(Role.ADMIN)
def mark_mailed(request, year: int, provider_id: int, payload: MailedIn):
    _provider(request, provider_id)
    return statements.mark_mailed(
        request.principal, _check(year), provider_id, mailed_on=payload.mailed_on
    )


@router.get(
    "/compliance/statement-consents",
    response={200: StatementConsentPage, **ERRORS},
    summary="Payees' consents to electronic recipient statements, given and withdrawn",
)
@api_access()
def list_consents(request, filters: Query[ConsentFilters]):
    rows = statements.consents(request.principal)
    if filters.provider is not None:
        rows = rows.filter(provider_id=filters.provider)
    return paginate(rows, filters.page, filters.per_page)


def _provider(request, provider_id: int) -> None:
    """Another organization's payee, or none, is a 404."""
    if not Provider.objects.visible_to(request.principal).filter(pk=provider_id).exists():
        raise Http404("No such provider.")
