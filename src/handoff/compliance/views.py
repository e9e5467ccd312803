"""Comply's overview, settings, classification assessments and the fragments other apps'
pages include (the provider page, the engagement page's agreement section).

Least roles: reading is for viewers; assessing for managers; the settings for admins."""

import contextlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from handoff.accounts.access import principal_required
from handoff.compliance import onboarding, selectors, services, tin_matching
from handoff.compliance.choices import Outcome
from handoff.compliance.forms import AssessmentForm, SettingsForm
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements.models import Engagement
from handoff.payables import selectors as payables
from handoff.providers.models import Provider

PAGE_SIZE = 50


@principal_required(Role.VIEWER)
def overview(request):
    """What needs doing: payees without a W-9, stale assessments, this and last year's 1099s."""
    year = timezone.localdate().year
    reports = []
    for report_year in (year, year - 1):
        with contextlib.suppress(selectors.MissingRules):
            reports.append(selectors.nec_report(request.principal, report_year))
    filing = None
    with contextlib.suppress(selectors.MissingRules):
        filing = selectors.filing_status(request.principal)
    context = {
        "missing_w9": list(selectors.payees_without_w9(request.principal)[:PAGE_SIZE]),
        "open_b_notices": list(tin_matching.cases(request.principal).filter(resolved_on=None)),
        "stale": selectors.stale_assessments(request.principal),
        "reports": reports,
        "filing": filing,
        "settings": selectors.settings_for(request.principal),
        "any_assessment": selectors.assessments(request.principal).exists(),
        "any_provider": Provider.objects.visible_to(request.principal).exists(),
    }
    return render(request, "compliance/overview.html", context)


@principal_required(Role.ADMIN)
def settings_edit(request):
    current = selectors.settings_for(request.principal)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(request.principal, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The Comply settings were saved.")
            return redirect("compliance:overview", request.org.slug)
    return render(request, "compliance/settings.html", {"form": form})


# --- Assessments -----------------------------------------------------------------------------
@principal_required(Role.VIEWER)
def assessment_list(request):
    rows = list(
        selectors.assessment_list(request.principal, provider=request.GET.get("provider", ""))
    )
    context = {"rows": [(a, selectors.staleness(a)) for a in rows]}
    return render(request, "compliance/assessment_list.html", context)


@principal_required(Role.MANAGER)
def assessment_create(request, provider_pk):
    """Walk the factors one by one, each with its evidence; the result page follows."""
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    today = timezone.localdate()
    try:
        rule_set = selectors.rule_set_on(today)
    except selectors.MissingRules as error:
        return render(request, "errors/500.html", {"reason": str(error)}, status=503)
    tests = selectors.state_tests_on(today, request.org.states)
    rules = selectors.rules_for(rule_set, tests)
    engagements = selectors.open_engagements(request.principal, provider)
    form = AssessmentForm(
        request.POST or None,
        rules=rules,
        engagements=engagements,
        initial={"engagements": list(engagements)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.create_assessment(
                request.principal,
                provider,
                answers=form.answers(),
                state_answers=form.state_answers(),
                engagement_ids=[e.pk for e in form.cleaned_data["engagements"]],
                annual_payments=form.cleaned_data["annual_payments"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_service_error(field, field_messages)
        else:
            messages.success(request, f"The assessment of {provider.name} is saved.")
            return redirect(assessment.get_absolute_url())
    suggested, basis = selectors.suggested_annual_payments(request.principal, provider)
    context = {
        "provider": provider,
        "form": form,
        "rule_set": rule_set,
        "tests": tests,
        "suggested": suggested,
        "basis": basis,
        "individual": provider.kind == "individual",
    }
    return render(request, "compliance/assessment_form.html", context)


@principal_required(Role.VIEWER)
def assessment_detail(request, pk):
    assessment = get_visible_or_404(
        selectors.assessments(request.principal), request.principal, pk=pk
    )
    tax_year, year_error = None, ""
    if request.GET.get("tax_year"):
        try:
            tax_year = selectors.check_tax_year(request.GET["tax_year"])
        except ValidationError as error:
            year_error = " ".join(error.message_dict["tax_year"])
    view = selectors.view_of(request.principal, assessment, tax_year=tax_year)
    versions = selectors.assessment_versions(request.principal, assessment.provider)
    statement = onboarding.latest_statement(request.principal, assessment.provider)
    theirs = []
    if statement is not None:
        ours = {key: value.get("answer", "") for key, value in assessment.answers.items()}
        theirs = onboarding.side_by_side(statement, ours)
    context = {
        "statement": statement,
        "their_answers": theirs,
        "disagreements": [row for row in theirs if row["disagrees"]],
        "assessment": assessment,
        "view": view,
        "result": view.result,
        "versions": [dict(v, outcome_label=Outcome(v["outcome"]).label) for v in versions],
        "rule_set": assessment.rule_set,
        "tax_years": selectors.exposure_years(),
        "year_error": year_error,
    }
    return render(request, "compliance/assessment_detail.html", context)


# --- Fragments for other apps' pages ----------------------------------------------------------
@principal_required(Role.VIEWER)
def provider_card(request, provider_pk):
    """The Comply card on a provider's page: status assessment, W-9, payments this year."""
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    latest = selectors.latest_assessments(request.principal, [provider.pk]).get(provider.pk)
    w9 = selectors.current_w9s(request.principal, [provider.pk]).get(provider.pk)
    w8 = selectors.foreign_form(
        w9, selectors.current_w8s(request.principal, [provider.pk]).get(provider.pk)
    )
    year = timezone.localdate().year
    paid = (
        payables.payments(request.principal)
        .filter(provider=provider, paid_on__year=year)
        .values_list("amount", flat=True)
    )
    context = {
        "provider": provider,
        "latest": latest,
        "stale": selectors.staleness(latest) if latest else [],
        "w9": w9,
        "w8": w8,
        "today": request.org.today(),
        "year": year,
        "paid_this_year": sum(paid),
        "threshold": _threshold(year),
    }
    return render(request, "compliance/_provider_card.html", context)


def _threshold(year):
    try:
        return selectors.threshold_for(year)
    except selectors.MissingRules:
        return None


@principal_required(Role.VIEWER)
def engagement_status(request, engagement_pk):
    """The contractor-status line of the engagement's written agreement: the latest
    assessment, whether it is stale, and the agreement version it was made against."""
    engagement = get_visible_or_404(
        Engagement.objects.select_related("provider"), request.principal, pk=engagement_pk
    )
    assessment = selectors.assessment_for_engagement(request.principal, engagement)
    link = None
    if assessment is not None:
        link = next(
            (x for x in assessment.engagement_links.all() if x.engagement_id == engagement.pk),
            None,
        )
    context = {
        "engagement": engagement,
        "assessment": assessment,
        "link": link,
        "stale": selectors.staleness(assessment) if assessment else [],
    }
    return render(request, "compliance/_engagement_status.html", context)
