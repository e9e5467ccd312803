"""Pages of the make-or-buy analysis: the overview of every function, a function's analyses
(the current one and the history), the analysis itself with its chart, the printable page and
the PDF, and the decision."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from handoff.accounts.access import principal_required
from handoff.core.errors import Conflict
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.decisions import printing, report, selectors, services
from handoff.decisions.forms import AnalysisForm, DecisionForm
from handoff.decisions.models import Analysis, BusinessFunction


def analysis_or_404(request, pk) -> Analysis:
    return get_visible_or_404(selectors.analyses(request.principal), request.principal, pk=pk)


def refuse_if_closed(request, analysis: Analysis):
    """A redirect back to the analysis, with the reason, when it can no longer change."""
    if analysis.is_editable:
        return None
    if analysis.decision is not None:
        messages.error(request, "This analysis is decided; start a new analysis to revisit it.")
    else:
        messages.error(request, "This analysis is archived; open the current one to change it.")
    return redirect(analysis.get_absolute_url())


def _report_context(request, pk) -> dict:
    """The analysis, its report and its chart: what the page, the printable page and the PDF
    all show."""
    analysis = analysis_or_404(request, pk)
    result = report.for_analysis(analysis)
    return {"analysis": analysis, "report": result, "chart": printing.chart_for(result)}


@principal_required(Role.VIEWER)
def overview(request):
    """Every business function with its current analysis, the cheapest option and the plan."""
    functions = list(selectors.functions_with_analyses(request.principal))
    book = selectors.FigureBook()
    rows = []
    for function in functions:
        analysis = function.current[0] if function.current else None
        rows.append(
            {
                "function": function,
                "analysis": analysis,
                "report": report.for_analysis(analysis, book) if analysis else None,
                "plan": function.plans[0] if function.plans else None,
            }
        )
    return render(request, "decisions/overview.html", {"rows": rows})


@principal_required(Role.VIEWER)
def function_analyses(request, function_pk):
    """One function's current analysis and the history of past ones."""
    function = get_visible_or_404(BusinessFunction.objects, request.principal, pk=function_pk)
    analyses = selectors.analyses(request.principal).filter(function=function)
    book = selectors.FigureBook()
    rows = [{"analysis": a, "report": report.for_analysis(a, book)} for a in analyses]
    return render(request, "decisions/function_analyses.html", {"function": function, "rows": rows})


@principal_required(Role.MANAGER)
def analysis_start(request, function_pk):
    """Start an analysis of a function; the current one, if any, becomes history."""
    function = get_visible_or_404(BusinessFunction.objects, request.principal, pk=function_pk)
    previous = (
        Analysis.objects.visible_to(request.principal)
        .filter(function=function, archived_at__isnull=True)
        .first()
    )
    initial = {"year": timezone.localdate().year}
    if previous:
        initial.update(volume_unit=previous.volume_unit, monthly_volume=previous.monthly_volume)
    form = AnalysisForm(request.POST or None, initial=initial, has_previous=previous is not None)
    if request.method == "POST" and form.is_valid():
        try:
            analysis = services.start_analysis(
                request.principal,
                function,
                data={field: form.cleaned_data[field] for field in services.ANALYSIS_FIELDS},
                copy_previous=form.cleaned_data.get("copy_previous", False),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The analysis of {function.name} is started.")
            return redirect("decisions:analysis", request.org.slug, analysis.pk)
    return render(
        request,
        "decisions/analysis_form.html",
        {"form": form, "function": function, "previous": previous},
    )


@principal_required(Role.VIEWER)
def analysis_detail(request, pk):
    return render(request, "decisions/analysis.html", _report_context(request, pk))


@principal_required(Role.MANAGER)
def analysis_edit(request, pk):
    analysis = analysis_or_404(request, pk)
    closed = refuse_if_closed(request, analysis)
    if closed:
        return closed
    form = AnalysisForm(request.POST or None, instance=analysis)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_analysis(
                request.principal,
                analysis,
                data={field: form.cleaned_data[field] for field in services.ANALYSIS_FIELDS},
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The analysis was saved.")
            return redirect(analysis.get_absolute_url())
    analysis.refresh_from_db()
    return render(
        request,
        "decisions/analysis_form.html",
        {"form": form, "function": analysis.function, "analysis": analysis},
    )


@principal_required(Role.VIEWER)
def analysis_print(request, pk):
    """The report alone, laid out for paper."""
    context = _report_context(request, pk) | {"today": timezone.localdate()}
    return render(request, "decisions/analysis_print.html", context)


@principal_required(Role.VIEWER)
def analysis_pdf(request, pk):
    analysis = analysis_or_404(request, pk)
    response = HttpResponse(
        printing.render_pdf(report.for_analysis(analysis)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{printing.pdf_filename(analysis)}"'
    return response


@principal_required(Role.MANAGER)
def decide(request, pk):
    """Record the chosen option, with why; it becomes the plan."""
    analysis = analysis_or_404(request, pk)
    closed = refuse_if_closed(request, analysis)
    if closed:
        return closed
    result = report.for_analysis(analysis)
    form = DecisionForm(
        request.POST or None, report=result, initial={"plan_starts_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.record_decision(
                request.principal,
                analysis,
                chosen_quote_id=form.chosen_quote_id(),
                reason=form.cleaned_data["reason"],
                plan_starts_on=form.cleaned_data["plan_starts_on"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "chosen_quote" in error.error_dict:
                error = ValidationError({"option": error.error_dict.pop("chosen_quote")})
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Decided: {decision.option_name}. It is now the plan for {analysis}."
            )
            return redirect(analysis.get_absolute_url())
    return render(
        request, "decisions/decide.html", {"analysis": analysis, "report": result, "form": form}
    )
