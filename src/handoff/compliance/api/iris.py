"""Filing 1099-NEC through IRIS: a year's returns checked against the year's layout, and the
IRIS CSV file (or a ZIP of several) — owners and admins only; the file carries full TINs and
each one is recorded in the audit trail."""

from dataclasses import asdict

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Schema

from handoff.compliance import iris_returns
from handoff.compliance.api.routing import ERRORS, router
from handoff.core.api import api_access, downloads
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.providers.models import Provider


class IrisProblemOut(Schema):
    code: str
    field: str
    message: str
    fix_url: str


class IrisReturnOut(Schema):
    provider_id: int
    provider_name: str
    ready: bool
    problems: list[IrisProblemOut]


class IrisLayoutOut(Schema):
    form: str
    tax_year: int
    row_limit: int
    headers: list[str]
    verified: bool
    note: str
    source: str


class IrisStateOut(Schema):
    state: str
    cfsf: bool | None
    own_filing: str
    note: str
    source: str


class IrisYearOut(Schema):
    year: int
    filed: bool
    layout: IrisLayoutOut
    payer_problems: list[IrisProblemOut]
    ready: int
    blocked: int
    files: int
    returns: list[IrisReturnOut]
    states: list[IrisStateOut]


def _problem(org, problem, provider_id=None):
    return {
        "code": problem.code,
        "field": problem.field,
        "message": problem.message,
        "fix_url": iris_returns.fix_url(org, problem, provider_id),
    }


@router.get(
    "/compliance/1099/{year}/iris",
    response={200: IrisYearOut, **ERRORS},
    summary="A tax year's 1099-NEC returns checked for IRIS: what blocks each, with a link to fix",
)
@api_access(Role.ADMIN)
def iris_year(request, year: int):
    state = iris_returns.iris_year(request.principal, year)
    org = request.org
    layout = state.layout
    return {
        "year": state.year,
        "filed": state.report.filing is not None,
        "layout": {
            "form": layout.form,
            "tax_year": layout.tax_year,
            "row_limit": layout.row_limit,
            "headers": layout.headers,
            "verified": layout.verified,
            "note": layout.note,
            "source": layout.source,
        },
        "payer_problems": [_problem(org, p) for p in state.payer_problems],
        "ready": len(state.ready),
        "blocked": len(state.blocked),
        "files": state.files,
        "returns": [
            {
                "provider_id": c.ret.provider_id,
                "provider_name": c.ret.provider_name,
                "ready": c.ok,
                "problems": [_problem(org, p, c.ret.provider_id) for p in c.problems],
            }
            for c in state.checked
        ],
        "states": [asdict(note) for note in iris_returns.state_notes(org, timezone.localdate())],
    }


class IrisFileQuery(Schema):
    corrected_provider: list[int] = []


@router.get(
    "/compliance/1099/{year}/iris/file",
    response=ERRORS,
    summary="The year's IRIS CSV (a ZIP when over the per-upload limit); with corrected_provider, "
    "those payees' returns marked corrected (admins; recorded)",
)
@api_access(Role.ADMIN)
@downloads("text/csv", "application/zip")
def iris_file(request, year: int, query: Query[IrisFileQuery]):
    iris_returns.tax_year(year)
    ids = None
    if query.corrected_provider:
        for pk in query.corrected_provider:
            get_visible_or_404(Provider.objects, request.principal, pk=pk)
        ids = query.corrected_provider
    name, content, content_type, _ = iris_returns.produce_file(
        request.principal, year, provider_ids=ids
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
