"""An engagement's communication plan, escalation ladder, service levels, response targets
and workflow."""

from ninja import Status

from handoff.core.api import api_access, fields_named
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements import services
from handoff.engagements.api.lookups import _child, _engagement, _merged, _of
from handoff.engagements.api.routing import ERRORS, router
from handoff.engagements.api.setup_schemas import (
    EscalationLevelIn,
    EscalationLevelOut,
    PlanIn,
    PlanOut,
    ResponseTargetIn,
    ResponseTargetOut,
    ServiceLevelIn,
    ServiceLevelOut,
    ServiceLevelPatch,
    WorkflowMoveIn,
    WorkflowStepIn,
    WorkflowStepOut,
    WorkflowStepPatch,
)
from handoff.engagements.choices import Severity
from handoff.engagements.models import (
    CommunicationPlan,
    Engagement,
    EscalationLevel,
    ResponseTarget,
    ServiceLevel,
    WorkflowStep,
)


# --- Communication plan and escalation ladder -----------------------------------------------
def _plan(principal, engagement: Engagement) -> CommunicationPlan:
    return get_visible_or_404(
        CommunicationPlan.objects.select_related(
            "our_point_person", "their_point_person", "issue_contact"
        ),
        principal,
        engagement=engagement,
    )


@router.get("/engagements/{engagement_id}/plan", response={200: PlanOut, **ERRORS})
@api_access()
def get_plan(request, engagement_id: int):
    return _plan(request.principal, _engagement(request, engagement_id))


@router.put(
    "/engagements/{engagement_id}/plan",
    response={200: PlanOut, **ERRORS},
    summary="Replace the communication plan",
)
@api_access(Role.MANAGER)
@fields_named(
    our_point_person="our_point_person_id",
    their_point_person="their_point_person_id",
    issue_contact="issue_contact_id",
)
def update_plan(request, engagement_id: int, payload: PlanIn):
    engagement = _engagement(request, engagement_id)
    services.update_plan(request.principal, engagement, **payload.dict())
    return _plan(request.principal, engagement)


def _ladder(principal, engagement: Engagement):
    return _of(principal, EscalationLevel, engagement).select_related("our_person", "their_contact")


@router.get(
    "/engagements/{engagement_id}/escalation-levels",
    response={200: list[EscalationLevelOut], **ERRORS},
    summary="The escalation ladder, level 1 first",
)
@api_access()
def list_escalation_levels(request, engagement_id: int):
    return _ladder(request.principal, _engagement(request, engagement_id))


@router.post(
    "/engagements/{engagement_id}/escalation-levels",
    response={201: EscalationLevelOut, **ERRORS},
    summary="Add the next level of the ladder",
)
@api_access(Role.MANAGER)
@fields_named(our_person="our_person_id", their_contact="their_contact_id")
def add_escalation_level(request, engagement_id: int, payload: EscalationLevelIn):
    engagement = _engagement(request, engagement_id)
    level = services.add_escalation_level(request.principal, engagement, **payload.dict())
    return Status(201, _ladder(request.principal, engagement).get(pk=level.pk))


@router.delete(
    "/engagements/{engagement_id}/escalation-levels/{level_id}",
    response={204: None, **ERRORS},
    summary="Remove a level; the ones above move down",
)
@api_access(Role.MANAGER)
def remove_escalation_level(request, engagement_id: int, level_id: int):
    engagement = _engagement(request, engagement_id)
    services.remove_escalation_level(
        request.principal, _child(request.principal, EscalationLevel.objects, engagement, level_id)
    )
    return Status(204, None)


# --- Service levels and response targets ------------------------------------------------------
@router.get(
    "/engagements/{engagement_id}/service-levels",
    response={200: list[ServiceLevelOut], **ERRORS},
)
@api_access()
def list_service_levels(request, engagement_id: int):
    return _of(request.principal, ServiceLevel, _engagement(request, engagement_id))


@router.post(
    "/engagements/{engagement_id}/service-levels",
    response={201: ServiceLevelOut, **ERRORS},
    summary="Promise a turnaround for a kind of task",
)
@api_access(Role.MANAGER)
def add_service_level(request, engagement_id: int, payload: ServiceLevelIn):
    level = services.save_service_level(
        request.principal, _engagement(request, engagement_id), data=payload.dict()
    )
    return Status(201, level)


@router.patch(
    "/engagements/{engagement_id}/service-levels/{service_level_id}",
    response={200: ServiceLevelOut, **ERRORS},
    summary="Change a service level (only the fields sent)",
)
@api_access(Role.MANAGER)
def update_service_level(
    request, engagement_id: int, service_level_id: int, payload: ServiceLevelPatch
):
    engagement = _engagement(request, engagement_id)
    level = _child(request.principal, ServiceLevel.objects, engagement, service_level_id)
    data = _merged(level, payload, ("task_kind", "rule", "business_days", "day_of_month"))
    return services.save_service_level(
        request.principal, engagement, data=data, service_level=level
    )


@router.delete(
    "/engagements/{engagement_id}/service-levels/{service_level_id}",
    response={204: None, **ERRORS},
)
@api_access(Role.MANAGER)
def delete_service_level(request, engagement_id: int, service_level_id: int):
    engagement = _engagement(request, engagement_id)
    services.delete_service_level(
        request.principal,
        _child(request.principal, ServiceLevel.objects, engagement, service_level_id),
    )
    return Status(204, None)


def _response_target_row(severity: Severity, target: ResponseTarget | None) -> dict:
    return {
        "severity": severity,
        "amount": target.amount if target else None,
        "unit": target.unit if target else None,
        "target_display": target.target_display if target else None,
    }


@router.get(
    "/engagements/{engagement_id}/response-targets",
    response={200: list[ResponseTargetOut], **ERRORS},
    summary="First-response targets, one row per severity (amount null: none set)",
)
@api_access()
def list_response_targets(request, engagement_id: int):
    targets = {
        t.severity: t
        for t in _of(request.principal, ResponseTarget, _engagement(request, engagement_id))
    }
    return [_response_target_row(severity, targets.get(severity)) for severity in Severity]


@router.put(
    "/engagements/{engagement_id}/response-targets/{severity}",
    response={200: ResponseTargetOut, **ERRORS},
    summary="Set the first-response target of one severity (amount null clears it)",
)
@api_access(Role.MANAGER)
def set_response_target(request, engagement_id: int, severity: Severity, payload: ResponseTargetIn):
    target = services.set_response_target(
        request.principal,
        _engagement(request, engagement_id),
        severity=severity,
        amount=payload.amount,
        unit=payload.unit,
    )
    return _response_target_row(severity, target)


# --- Workflow -------------------------------------------------------------------------------
WORKFLOW_FIELDS = ("actor", "action", "recipient", "due")


def _step_data(data: dict) -> dict:
    return data | {"recipient": data.get("recipient") or "", "due": data.get("due") or ""}


@router.get(
    "/engagements/{engagement_id}/workflow-steps",
    response={200: list[WorkflowStepOut], **ERRORS},
    summary="The provider's process, in order",
)
@api_access()
def list_workflow_steps(request, engagement_id: int):
    return _of(request.principal, WorkflowStep, _engagement(request, engagement_id))


@router.post(
    "/engagements/{engagement_id}/workflow-steps",
    response={201: WorkflowStepOut, **ERRORS},
    summary="Add a step at the end",
)
@api_access(Role.MANAGER)
def add_workflow_step(request, engagement_id: int, payload: WorkflowStepIn):
    step = services.add_workflow_step(
        request.principal, _engagement(request, engagement_id), data=_step_data(payload.dict())
    )
    return Status(201, step)


@router.patch(
    "/engagements/{engagement_id}/workflow-steps/{step_id}",
    response={200: WorkflowStepOut, **ERRORS},
    summary="Change a step (only the fields sent)",
)
@api_access(Role.MANAGER)
def update_workflow_step(request, engagement_id: int, step_id: int, payload: WorkflowStepPatch):
    step = _child(
        request.principal, WorkflowStep.objects, _engagement(request, engagement_id), step_id
    )
    data = _step_data(_merged(step, payload, WORKFLOW_FIELDS))
    return services.update_workflow_step(request.principal, step, data=data)


@router.delete(
    "/engagements/{engagement_id}/workflow-steps/{step_id}",
    response={204: None, **ERRORS},
    summary="Remove a step; the ones after it move up",
)
@api_access(Role.MANAGER)
def delete_workflow_step(request, engagement_id: int, step_id: int):
    step = _child(
        request.principal, WorkflowStep.objects, _engagement(request, engagement_id), step_id
    )
    services.delete_workflow_step(request.principal, step)
    return Status(204, None)


@router.post(
    "/engagements/{engagement_id}/workflow-steps/{step_id}/move",
    response={200: list[WorkflowStepOut], **ERRORS},
    summary="Swap a step with the one above (-1) or below (1); answers the new order",
)
@api_access(Role.MANAGER)
def move_workflow_step(request, engagement_id: int, step_id: int, payload: WorkflowMoveIn):
    engagement = _engagement(request, engagement_id)
    step = _child(request.principal, WorkflowStep.objects, engagement, step_id)
    services.move_workflow_step(request.principal, step, direction=payload.direction)
    return _of(request.principal, WorkflowStep, engagement)
