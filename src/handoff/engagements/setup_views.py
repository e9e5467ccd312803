"""Pages that set up how an engagement runs: the communication plan and its escalation ladder,
service levels and response targets, the workflow, and the organization's holidays."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements import services
from handoff.engagements.choices import Severity
from handoff.engagements.forms import (
    EscalationLevelForm,
    FederalHolidaysForm,
    HolidayForm,
    PlanForm,
    ResponseTargetsForm,
    ServiceLevelForm,
    WorkflowStepForm,
)
from handoff.engagements.models import (
    EscalationLevel,
    Holiday,
    ServiceLevel,
    WorkflowStep,
)
from handoff.engagements.views import engagement_or_404


def _ladder(request, engagement):
    return (
        EscalationLevel.objects.visible_to(request.principal)
        .filter(engagement=engagement)
        .select_related("our_person", "their_contact")
    )


@principal_required(Role.MANAGER)
def plan_edit(request, pk):
    engagement = engagement_or_404(request, pk)
    plan = engagement.communication_plan
    form = PlanForm(
        request.POST or None, instance=plan, principal=request.principal, engagement=engagement
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_plan(
                request.principal,
                engagement,
                our_point_person_id=data["our_point_person"] and data["our_point_person"].pk,
                their_point_person_id=data["their_point_person"] and data["their_point_person"].pk,
                issue_contact_id=data["issue_contact"] and data["issue_contact"].pk,
                preferred_channel=data["preferred_channel"],
                meeting_cadence=data["meeting_cadence"],
                meeting_notes=data["meeting_notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The communication plan was saved.")
            return redirect("engagements:plan", request.org.slug, engagement.pk)
    context = {
        "engagement": engagement,
        "form": form,
        "ladder": _ladder(request, engagement),
        "level_form": EscalationLevelForm(principal=request.principal, engagement=engagement),
    }
    return render(request, "engagements/plan_form.html", context)


@require_POST
@principal_required(Role.MANAGER)
def escalation_add(request, pk):
    engagement = engagement_or_404(request, pk)
    form = EscalationLevelForm(request.POST, principal=request.principal, engagement=engagement)
    if form.is_valid():
        data = form.cleaned_data
        try:
            level = services.add_escalation_level(
                request.principal,
                engagement,
                our_person_id=data["our_person"].pk,
                their_contact_id=data["their_contact"].pk,
                amount=data["amount"],
                unit=data["unit"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Escalation level {level.level} was added.")
            return redirect("engagements:plan", request.org.slug, engagement.pk)
    context = {
        "engagement": engagement,
        "form": PlanForm(
            instance=engagement.communication_plan,
            principal=request.principal,
            engagement=engagement,
        ),
        "ladder": _ladder(request, engagement),
        "level_form": form,
    }
    return render(request, "engagements/plan_form.html", context)


@require_POST
@principal_required(Role.MANAGER)
def escalation_remove(request, pk, level_pk):
    engagement = engagement_or_404(request, pk)
    level = get_visible_or_404(
        EscalationLevel.objects.filter(engagement=engagement), request.principal, pk=level_pk
    )
    try:
        services.remove_escalation_level(request.principal, level)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The escalation level was removed.")
    return redirect("engagements:plan", request.org.slug, engagement.pk)


@principal_required(Role.VIEWER)
def contact_card(request, pk):
    """The one-page 'who to contact for what' card, made to print."""
    engagement = engagement_or_404(request, pk)
    context = {
        "engagement": engagement,
        "plan": engagement.communication_plan,
        "ladder": _ladder(request, engagement),
        "response_targets": list(engagement.response_targets.all()),
        "service_levels": list(engagement.service_levels.all()),
    }
    return render(request, "engagements/contact_card.html", context)


@principal_required(Role.VIEWER, writes=Role.MANAGER)
def service_levels(request, pk):
    engagement = engagement_or_404(request, pk)
    targets = list(engagement.response_targets.all())
    level_form = ServiceLevelForm(
        request.POST if request.POST.get("form") == "level" else None,
        instance=ServiceLevel(organization=request.org, engagement=engagement),
    )
    targets_form = ResponseTargetsForm(
        request.POST if request.POST.get("form") == "targets" else None, targets=targets
    )
    if request.method == "POST":
        if request.POST.get("form") == "level" and level_form.is_valid():
            try:
                services.save_service_level(
                    request.principal, engagement, data=level_form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(level_form, error)
            else:
                messages.success(request, "The service level was saved.")
                return redirect("engagements:service_levels", request.org.slug, engagement.pk)
        if request.POST.get("form") == "targets" and targets_form.is_valid():
            data = targets_form.cleaned_data
            for severity in Severity:
                services.set_response_target(
                    request.principal,
                    engagement,
                    severity=severity,
                    amount=data[f"{severity}_amount"],
                    unit=data[f"{severity}_unit"],
                )
            messages.success(request, "The response targets were saved.")
            return redirect("engagements:service_levels", request.org.slug, engagement.pk)
    context = {
        "engagement": engagement,
        "levels": engagement.service_levels.all(),
        "level_form": level_form,
        "targets_form": targets_form,
    }
    return render(request, "engagements/service_levels.html", context)


@require_POST
@principal_required(Role.MANAGER)
def service_level_delete(request, pk, level_pk):
    engagement = engagement_or_404(request, pk)
    level = get_visible_or_404(
        ServiceLevel.objects.filter(engagement=engagement), request.principal, pk=level_pk
    )
    try:
        services.delete_service_level(request.principal, level)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{level.task_kind} was removed.")
    return redirect("engagements:service_levels", request.org.slug, engagement.pk)


@principal_required(Role.VIEWER, writes=Role.MANAGER)
def workflow(request, pk):
    engagement = engagement_or_404(request, pk)
    form = WorkflowStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_workflow_step(request.principal, engagement, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The step was added.")
            return redirect("engagements:workflow", request.org.slug, engagement.pk)
    context = {"engagement": engagement, "steps": engagement.workflow_steps.all(), "form": form}
    return render(request, "engagements/workflow.html", context)


@require_POST
@principal_required(Role.MANAGER)
def workflow_step_action(request, pk, step_pk):
    """Move a step up or down, or delete it."""
    engagement = engagement_or_404(request, pk)
    step = get_visible_or_404(
        WorkflowStep.objects.filter(engagement=engagement), request.principal, pk=step_pk
    )
    action = request.POST.get("action")
    try:
        if action in ("up", "down"):
            direction = -1 if action == "up" else 1
            services.move_workflow_step(request.principal, step, direction=direction)
        elif action == "delete":
            services.delete_workflow_step(request.principal, step)
            messages.success(request, "The step was removed.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("engagements:workflow", request.org.slug, engagement.pk)


@principal_required(Role.MANAGER)
def workflow_step_edit(request, pk, step_pk):
    engagement = engagement_or_404(request, pk)
    step = get_visible_or_404(
        WorkflowStep.objects.filter(engagement=engagement), request.principal, pk=step_pk
    )
    form = WorkflowStepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_workflow_step(request.principal, step, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The step was saved.")
            return redirect("engagements:workflow", request.org.slug, engagement.pk)
    return render(
        request, "engagements/workflow_step_form.html", {"engagement": engagement, "form": form}
    )


@principal_required(Role.VIEWER, writes=Role.MANAGER)
def holidays(request):
    """The organization's holiday list: business days skip these."""
    org = request.org
    form = HolidayForm(request.POST if request.POST.get("form") == "holiday" else None)
    federal = FederalHolidaysForm(
        request.POST if request.POST.get("form") == "federal" else None,
        initial={"year": timezone.localdate().year + 1},
    )
    if request.method == "POST":
        if request.POST.get("form") == "holiday" and form.is_valid():
            try:
                services.add_holiday(
                    request.principal,
                    day=form.cleaned_data["date"],
                    name=form.cleaned_data["name"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The holiday was added.")
                return redirect("engagements:holidays", org.slug)
        if request.POST.get("form") == "federal" and federal.is_valid():
            year = federal.cleaned_data["year"]
            added = services.add_federal_holidays(request.principal, year=year)
            messages.success(request, f"Added {added} US federal holidays of {year}.")
            return redirect("engagements:holidays", org.slug)
    year = request.GET.get("year", "")
    listed = Holiday.objects.visible_to(request.principal)
    if year.isdigit():
        listed = listed.filter(date__year=int(year))
    else:
        listed = listed.filter(date__gte=timezone.localdate().replace(month=1, day=1))
    context = {
        "holidays": listed,
        "form": form,
        "federal": federal,
        "years": Holiday.objects.visible_to(request.principal).dates("date", "year"),
    }
    return render(request, "engagements/holidays.html", context)


@require_POST
@principal_required(Role.MANAGER)
def holiday_delete(request, holiday_pk):
    holiday = get_visible_or_404(Holiday.objects, request.principal, pk=holiday_pk)
    services.delete_holiday(request.principal, holiday)
    messages.success(request, f"{holiday.name} is a business day again.")
    return redirect("engagements:holidays", request.org.slug)
