"""Pages that edit an analysis's options: the in-house option and its roles, and the quotes.
Each refuses, with the reason, once the analysis is decided or archived."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.decisions import selectors, services
from handoff.decisions.analysis_views import analysis_or_404, refuse_if_closed
from handoff.decisions.forms import InHouseForm, QuoteForm, RoleForm
from handoff.decisions.models import InHouseRole, Quote


def _back(analysis, anchor=""):
    return redirect(analysis.get_absolute_url() + anchor)


@principal_required(Role.MANAGER)
def in_house_edit(request, pk):
    analysis = analysis_or_404(request, pk)
    closed = refuse_if_closed(request, analysis)
    if closed:
        return closed
    figures = selectors.figures_for(analysis.year)
    form = InHouseForm(request.POST or None, instance=analysis.in_house, figures=figures)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_in_house(request.principal, analysis, data=form.option_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The in-house option was saved.")
            return _back(analysis, "#in-house")
    return render(
        request,
        "decisions/in_house_form.html",
        {"analysis": analysis, "form": form, "figures": figures},
    )


def _role_form(request, analysis, role=None):
    closed = refuse_if_closed(request, analysis)
    if closed:
        return closed
    figures = selectors.figures_for(analysis.year)
    form = RoleForm(
        request.POST or None,
        instance=role,
        figures=figures,
        payroll_taxes_in_load=analysis.in_house.payroll_taxes_in_load,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if role is None:
                role = services.add_role(request.principal, analysis, data=form.role_data())
            else:
                services.update_role(request.principal, role, data=form.role_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The role {role.title} was saved.")
            return _back(analysis, "#in-house")
    return render(
        request,
        "decisions/role_form.html",
        {"analysis": analysis, "form": form, "role": role, "figures": figures},
    )


@principal_required(Role.MANAGER)
def role_create(request, pk):
    return _role_form(request, analysis_or_404(request, pk))


@principal_required(Role.MANAGER)
def role_edit(request, pk, role_pk):
    analysis = analysis_or_404(request, pk)
    return _role_form(
        request, analysis, selectors.row_of(request.principal, InHouseRole, analysis, role_pk)
    )


@require_POST
@principal_required(Role.MANAGER)
def role_delete(request, pk, role_pk):
    analysis = analysis_or_404(request, pk)
    role = selectors.row_of(request.principal, InHouseRole, analysis, role_pk)
    try:
        services.delete_role(request.principal, role)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The role {role.title} was removed.")
    return _back(analysis, "#in-house")


def _quote_form(request, analysis, quote=None):
    closed = refuse_if_closed(request, analysis)
    if closed:
        return closed
    form = QuoteForm(
        request.POST or None, instance=quote, principal=request.principal, analysis=analysis
    )
    if request.method == "POST" and form.is_valid():
        try:
            if quote is None:
                quote = services.add_quote(
                    request.principal,
                    analysis,
                    data=form.quote_data(),
                    tiers=form.cleaned_data["tiers"],
                )
            else:
                services.update_quote(
                    request.principal,
                    quote,
                    data=form.quote_data(),
                    tiers=form.cleaned_data["tiers"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The quote of {quote.display_name} was saved.")
            return _back(analysis, "#quotes")
    return render(
        request, "decisions/quote_form.html", {"analysis": analysis, "form": form, "quote": quote}
    )


@principal_required(Role.MANAGER)
def quote_create(request, pk):
    return _quote_form(request, analysis_or_404(request, pk))


@principal_required(Role.MANAGER)
def quote_edit(request, pk, quote_pk):
    analysis = analysis_or_404(request, pk)
    quote = selectors.row_of(request.principal, Quote, analysis, quote_pk)
    return _quote_form(request, analysis, quote)


@require_POST
@principal_required(Role.MANAGER)
def quote_delete(request, pk, quote_pk):
    analysis = analysis_or_404(request, pk)
    quote = selectors.row_of(request.principal, Quote, analysis, quote_pk)
    try:
        services.delete_quote(request.principal, quote)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The quote of {quote.display_name} was removed.")
    return _back(analysis, "#quotes")
