"""Engagement pages: the list, the terms, the status moves and the detail page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from handoff.accounts import portal
from handoff.accounts.access import principal_required
from handoff.core.errors import Conflict
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.decisions.models import BusinessFunction
from handoff.engagements import agreements, selectors, services
from handoff.engagements.choices import EngagementStatus
from handoff.engagements.forms import EngagementForm, StatusForm, status_actions
from handoff.engagements.models import Engagement, ExitItem, SignedAgreement
from handoff.providers.models import Provider


def engagement_or_404(request, pk) -> Engagement:
    return get_visible_or_404(
        Engagement.objects.select_related(
            "provider",
            "communication_plan__our_point_person",
            "communication_plan__their_point_person",
            "communication_plan__issue_contact",
        ),
        request.principal,
        pk=pk,
    )


@principal_required(Role.VIEWER)
def engagement_list(request):
    status = request.GET.get("status", "")
    function = request.GET.get("function", "")
    engagements = selectors.engagement_list(
        request.principal,
        status=status,
        function=function,
        provider=request.GET.get("provider", ""),
    )
    page = Paginator(engagements, 50).get_page(request.GET.get("page"))
    for engagement in page.object_list:
        engagement.agreement_state = agreements.state(engagement)
    context = {
        "page": page,
        "statuses": EngagementStatus.choices,
        "status": status,
        "functions": BusinessFunction.objects.visible_to(request.principal),
        "function": function,
    }
    return render(request, "engagements/list.html", context)


def _save(request, form, engagement=None):
    try:
        if engagement is None:
            return services.create_engagement(
                request.principal,
                provider_id=form.cleaned_data["provider"].pk,
                function_ids=[f.pk for f in form.cleaned_data["functions"]],
                data=form.engagement_data(),
                tiers=form.cleaned_data["tiers"],
            )
        return services.update_engagement(
            request.principal,
            engagement,
            data=form.engagement_data(),
            function_ids=[f.pk for f in form.cleaned_data["functions"]],
            tiers=form.cleaned_data["tiers"],
            expected_version=form.cleaned_data.get("version"),
        )
    except ValidationError as error:
        add_service_errors(form, error)
    except Conflict as error:
        form.add_error(None, str(error))
    return None


@principal_required(Role.MANAGER)
def engagement_create(request):
    initial = {}
    provider_id = request.GET.get("provider", "")
    if provider_id.isdigit():
        initial["provider"] = (
            Provider.objects.visible_to(request.principal).filter(pk=int(provider_id)).first()
        )
    form = EngagementForm(request.POST or None, principal=request.principal, initial=initial)
    if request.method == "POST" and form.is_valid():
        engagement = _save(request, form)
        if engagement:
            messages.success(
                request, "The engagement is drafted. Fill in the communication plan to activate it."
            )
            return redirect(engagement.get_absolute_url())
    return render(request, "engagements/form.html", {"form": form})


@principal_required(Role.MANAGER)
def engagement_edit(request, pk):
    engagement = engagement_or_404(request, pk)
    form = EngagementForm(request.POST or None, instance=engagement, principal=request.principal)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, engagement)
        if saved:
            messages.success(request, "The terms were saved.")
            return redirect(saved.get_absolute_url())
    engagement.refresh_from_db()
    return render(request, "engagements/form.html", {"form": form, "engagement": engagement})


@require_POST
@principal_required(Role.MANAGER)
def engagement_status(request, pk):
    engagement = engagement_or_404(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the offered moves.")
        return redirect(engagement.get_absolute_url())
    try:
        engagement = services.move_status(
            request.principal,
            engagement,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
            confirm_before_start=form.cleaned_data["confirm_before_start"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The engagement is now {engagement.get_status_display()}.")
    return redirect(engagement.get_absolute_url())


@principal_required(Role.VIEWER, providers=True)
def engagement_detail(request, pk):
    """One page for both sides. A member sees the terms, the agreement, access and the exit; a
    provider's contact (their own provider's engagements only) sees what the work needs: the
    scope, service levels, workflow and who to contact, and the price only where the
    organization shows it in the portal."""
    principal = request.principal
    engagement = engagement_or_404(request, pk)
    context = {
        "engagement": engagement,
        "plan": getattr(engagement, "communication_plan", None),
        "service_levels": list(engagement.service_levels.all()),
        "response_targets": list(engagement.response_targets.all()),
        "steps": list(engagement.workflow_steps.all()),
        "ladder": engagement.escalation_levels.select_related("our_person", "their_contact"),
    }
    if principal.is_provider:
        context["show_prices"] = portal.settings_for(principal.organization).show_prices
        context["signed"] = SignedAgreement.objects.visible_to(principal).filter(
            engagement=engagement
        )
        return render(request, "engagements/detail.html", context)
    context |= {
        "missing": services.activation_blockers(engagement),
        "actions": status_actions(engagement),
        # The start date, when "Activate" is offered before it: the page asks to confirm.
        "starts_later": "active" in dict(status_actions(engagement))
        and services.activation_before_start(engagement),
        "functions": list(engagement.functions.all()),
        "tiers": list(engagement.price_tiers.all()),
        "agreement_state": agreements.state(engagement),
        "versions": engagement.agreement_versions.select_related(
            "generated_by", "signature_request"
        ),
        "signed": engagement.signed_agreements.select_related("uploaded_by"),
        "grants": engagement.access_grants.select_related("granted_by", "revoked_by"),
        "exit_items": ExitItem.objects.visible_to(principal)
        .filter(engagement=engagement)
        .select_related("done_by"),
        "history": engagement.status_changes.select_related("changed_by"),
    }
    return render(request, "engagements/detail.html", context)


@principal_required(Role.VIEWER)
def provider_engagements(request, provider_pk):
    """The engagements with one provider, as a fragment for the provider's page."""
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    engagements = (
        Engagement.objects.visible_to(request.principal)
        .filter(provider=provider)
        .prefetch_related("functions")
    )
    return render(
        request,
        "engagements/_provider_engagements.html",
        {"provider": provider, "engagements": engagements},
    )
