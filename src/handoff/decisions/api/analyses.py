"""Make-or-buy analyses: listing, starting, reading and changing one, its report and its PDF."""

from django.http import HttpResponse
from ninja import Query, Status

from handoff.core.api import ErrorOut, api_access, downloads, paginate, patch_data
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.decisions import printing, report, selectors, services
from handoff.decisions.api.report_schemas import AnalysisOut, ReportOut
from handoff.decisions.api.routing import DECIDE, ERRORS, router
from handoff.decisions.api.schemas import AnalysisFilters, AnalysisIn, AnalysisPage, AnalysisPatch
from handoff.decisions.api.shaping import _analysis, _analysis_out, _report, _summary
from handoff.decisions.models import Analysis, BusinessFunction


@router.get(
    "/analyses",
    response={200: AnalysisPage, **ERRORS},
    tags=DECIDE,
    summary="Make-or-buy analyses, newest first (current and history)",
)
@api_access()
def list_analyses(request, filters: Query[AnalysisFilters]):
    analyses = selectors.analyses(request.principal)
    if filters.function is not None:
        analyses = analyses.filter(function_id=filters.function)
    if filters.current is not None:
        analyses = analyses.filter(archived_at__isnull=filters.current)
    page = paginate(analyses, filters.page, filters.per_page)
    book = selectors.FigureBook()
    page["results"] = [_summary(a, report.for_analysis(a, book)) for a in page["results"]]
    return page


@router.post(
    "/functions/{function_id}/analyses",
    response={201: AnalysisOut, **ERRORS},
    tags=DECIDE,
    summary="Start an analysis of a function; its current analysis becomes history",
)
@api_access(Role.MANAGER)
def start_analysis(request, function_id: int, payload: AnalysisIn):
    function = get_visible_or_404(BusinessFunction.objects, request.principal, pk=function_id)
    analysis = services.start_analysis(
        request.principal,
        function,
        data=payload.dict(exclude={"copy_previous"}),
        copy_previous=payload.copy_previous,
    )
    return Status(201, _analysis_out(request, analysis.pk))


@router.get(
    "/analyses/{analysis_id}",
    response={200: AnalysisOut, **ERRORS},
    tags=DECIDE,
    summary="An analysis: its options, its decision and the comparison",
)
@api_access()
def get_analysis(request, analysis_id: int):
    return _analysis_out(request, analysis_id)


@router.patch(
    "/analyses/{analysis_id}",
    response={200: AnalysisOut, **ERRORS, 409: ErrorOut},
    tags=DECIDE,
    summary="Change the year, the volume or the notes (only the fields sent)",
)
@api_access(Role.MANAGER)
def update_analysis(request, analysis_id: int, payload: AnalysisPatch):
    services.update_analysis(
        request.principal,
        _analysis(request, analysis_id),
        data=patch_data(payload, Analysis, exclude={"version"}),
        expected_version=payload.version,
    )
    return _analysis_out(request, analysis_id)


@router.get(
    "/analyses/{analysis_id}/report",
    response={200: ReportOut, **ERRORS},
    tags=DECIDE,
    summary="The comparison: costs, savings, break-even, payback, hours freed, sensitivity",
)
@api_access()
def get_report(request, analysis_id: int):
    return _report(report.for_analysis(_analysis(request, analysis_id)))


@router.get(
    "/analyses/{analysis_id}/pdf",
    response=ERRORS,
    tags=DECIDE,
    url_name="analysis_pdf",
    summary="The printable report as a PDF, with the chart",
)
@api_access()
@downloads("application/pdf")
def analysis_pdf(request, analysis_id: int):
    analysis = _analysis(request, analysis_id)
    response = HttpResponse(
        printing.render_pdf(report.for_analysis(analysis)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{printing.pdf_filename(analysis)}"'
    return response
