"""IRS TIN Matching (the bulk request file and its result file, IRS Pub. 2108-A) and the
B-notice path that a mismatch or an IRS notice opens (IRS Pub. 1281).

The request file holds full TINs, so preparing it is an admin's (recorded in the audit trail);
so are recording results and notices and closing a case. Reading the cases and a W-9's checks,
which show no TIN, is anyone's."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, File, Form, Schema, Status, UploadedFile

from handoff.compliance import onboarding, selectors, tin_matching
from handoff.compliance.api.routing import ERRORS, router
from handoff.compliance.choices import MismatchSource, TinMatchResult
from handoff.compliance.models import TinCheck
from handoff.core.api import ResponseSchema, api_access, downloads, fields_named
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.core.uploads import MAX_DOCUMENT_BYTES


# --- Shapes ------------------------------------------------------------------------------------
class TinResultsIn(Schema):
    checked_on: date = Field(description="The date of the IRS's result file.")


class TinResultsOut(Schema):
    matched: int
    mismatched: int
    ask_again: int = Field(description="Lines the IRS found missing, invalid or duplicate.")
    opened: list[int] = Field(description="The B-notice cases the mismatches opened.")


class TinCheckOut(Schema):
    id: int
    w9_id: int
    result: TinMatchResult = Field(description="The IRS's indicator, 0 to 8 (Pub. 2108-A).")
    meaning: str
    matched: bool
    mismatched: bool
    checked_on: date
    recorded_at: datetime

    @staticmethod
    def resolve_meaning(check):
        return check.get_result_display()


class BNoticeOut(ResponseSchema):
    id: int
    provider_id: int
    provider_name: str = Field(alias="provider.name")
    w9_id: int
    source: MismatchSource
    received_on: date
    second: bool = Field(description="A second notice for this payee within three years.")
    send_by: date = Field(description="Send the B notice by this date (15 business days).")
    b_notice_sent_on: date | None
    withholding_from: date | None = Field(
        description="Backup withholding applies from this date unless a new W-9 arrives "
        "first; empty when only IRS TIN Matching found the mismatch (no IRS notice yet)."
    )
    from_irs_notice: bool = Field(
        description="Opened or confirmed by an IRS notice (CP2100, 972CG), not TIN Matching alone."
    )
    resolved_on: date | None
    resolution: str
    is_open: bool


class BNoticeIn(Schema):
    w9: int = Field(description="The id of the payee's W-9 the notice names.")
    source: MismatchSource = Field(description="cp2100 or 972cg: the IRS notice received.")
    received_on: date
    second: bool = False


class BNoticeSentIn(Schema):
    sent_on: date


class BNoticeResolveIn(Schema):
    resolved_on: date
    resolution: str = Field(description="What ended it (e.g. the SSA's validation letter).")


# --- TIN Matching ------------------------------------------------------------------------------
@router.get(
    "/compliance/tin-matching/request",
    response=ERRORS,
    summary="The bulk TIN Matching request file, with full TINs (owners and admins; recorded)",
)
@api_access(Role.ADMIN)
@downloads("text/plain")
def tin_matching_request(request):
    content, _count = tin_matching.request_file(request.principal)
    response = HttpResponse(content, content_type="text/plain; charset=us-ascii")
    name = f"tin-matching-{request.org.slug}.txt"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/compliance/tin-matching/results",
    response={200: TinResultsOut, **ERRORS},
    summary="Record the IRS's result file (multipart: 'file', 'checked_on'): all lines or none",
)
@api_access(Role.ADMIN)
def tin_matching_results(request, file: File[UploadedFile], form: Form[TinResultsIn]):
    if file.size is not None and file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": "A result file is at most 10 MB."})
    counts = tin_matching.import_results(request.principal, file.read(), form.checked_on)
    return {**counts, "opened": [case.pk for case in counts["opened"]]}


@router.get(
    "/compliance/w9s/{w9_id}/tin-checks",
    response={200: list[TinCheckOut], **ERRORS},
    summary="What the IRS answered for a W-9's name and TIN, newest first",
)
@api_access()
def w9_tin_checks(request, w9_id: int):
    w9 = get_visible_or_404(selectors.w9s(request.principal), request.principal, pk=w9_id)
    return TinCheck.objects.visible_to(request.principal).filter(w9=w9)


# --- B notices ---------------------------------------------------------------------------------
def _case(request, pk):
    return get_visible_or_404(tin_matching.cases(request.principal), request.principal, pk=pk)


@router.get(
    "/compliance/b-notices",
    response={200: list[BNoticeOut], **ERRORS},
    summary="The B-notice cases, open and closed, newest notice first",
)
@api_access()
def list_b_notices(request):
    return tin_matching.cases(request.principal)


@router.post(
    "/compliance/b-notices",
    response={201: BNoticeOut, **ERRORS},
    summary="Record an IRS notice (CP2100/CP2100A or Letter 972CG): opens the B-notice path",
)
@api_access(Role.ADMIN)
def create_b_notice(request, payload: BNoticeIn):
    w9 = selectors.w9s(request.principal).filter(pk=payload.w9).first()
    if w9 is None:
        raise ValidationError({"w9": "Choose a W-9 of this organization."})
    case = tin_matching.record_notice(
        request.principal,
        w9=w9,
        source=payload.source,
        received_on=payload.received_on,
        second=payload.second,
    )
    return Status(201, _case(request, case.pk))


@router.post(
    "/compliance/b-notices/{b_notice_id}/sent",
    response={200: BNoticeOut, **ERRORS},
    summary="Record the date the B notice was sent to the payee",
)
@api_access(Role.ADMIN)
@fields_named(b_notice_sent_on="sent_on")
def b_notice_sent(request, b_notice_id: int, payload: BNoticeSentIn):
    case = tin_matching.mark_sent(request.principal, _case(request, b_notice_id), payload.sent_on)
    return _case(request, case.pk)


@router.post(
    "/compliance/b-notices/{b_notice_id}/w9-link",
    response={200: BNoticeOut, **ERRORS},
    summary="E-mail the payee a W-9 link asking for a corrected W-9 (after a TIN Matching "
    "mismatch, records the request sent)",
)
@api_access(Role.ADMIN)
def b_notice_w9_link(request, b_notice_id: int):
    case = _case(request, b_notice_id)
    onboarding.solicit_corrected_w9(request.principal, case)
    return _case(request, case.pk)


@router.post(
    "/compliance/b-notices/{b_notice_id}/resolve",
    response={200: BNoticeOut, **ERRORS},
    summary="Close a case by hand (after a second notice: the IRS's or SSA's validation)",
)
@api_access(Role.ADMIN)
def resolve_b_notice(request, b_notice_id: int, payload: BNoticeResolveIn):
    case = tin_matching.resolve(
        request.principal,
        _case(request, b_notice_id),
        on=payload.resolved_on,
        note=payload.resolution,
    )
    return _case(request, case.pk)
