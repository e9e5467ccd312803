"""State new-hire reports of contractors: who each of the organization's states wants reported,
by when, with what the report asks, and the report recorded. Reading for viewers; recording a
report for managers (who record payments and W-9s too)."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.compliance import state_reports
from handoff.compliance.forms import StateReportForm
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.payables import selectors as payables
from handoff.providers.models import Provider


def _year(request, years: list[int], today) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today.year
    return year if year in years else today.year


@principal_required(Role.VIEWER)
def state_report_list(request):
    principal = request.principal
    today = principal.organization.today()
    years = sorted({today.year, *payables.payment_years(principal)}, reverse=True)
    year = _year(request, years, today)
    rules = state_reports.rules_for(request.org.states, min(today, date(year, 12, 31)))
    context = {
        "year": year,
        "years": years,
        "rows": state_reports.dues(principal, year),
        "rules": [rules[state] for state in sorted(rules)],
        "states_without_rule": sorted(set(request.org.states) - set(rules)),
        "today": today,
    }
    return render(request, "compliance/state_reports.html", context)


@require_POST
@principal_required(Role.MANAGER)
def state_report_file(request):
    form = StateReportForm(request.POST)
    year = ""
    if form.is_valid():
        data = form.cleaned_data
        year = data["year"]
        provider = get_visible_or_404(Provider.objects, request.principal, pk=data["provider"])
        try:
            state_reports.mark_reported(
                request.principal,
                provider=provider,
                state=data["state"],
                year=data["year"],
                filed_on=data["filed_on"],
                reference=data["reference"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, f"Recorded {provider.name} as reported to {data['state']} for {year}."
            )
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}: {' '.join(errors)}")
    url = f"{redirect('compliance:state_reports', request.org.slug).url}?year={year}"
    return redirect(url)
