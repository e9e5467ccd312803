"""Decisions: the option chosen for an analysis and the plan it sets."""

from ninja import Query, Status

from handoff.core.api import api_access, fields_named, paginate
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.decisions import services
from handoff.decisions.api.routing import DECIDE, ERRORS, router
from handoff.decisions.api.schemas import DecisionFilters, DecisionIn, DecisionOut, DecisionPage
from handoff.decisions.api.shaping import _analysis
from handoff.decisions.models import Decision


def _decisions(principal):
    return Decision.objects.visible_to(principal).select_related(
        "function", "provider", "decided_by"
    )


@router.post(
    "/analyses/{analysis_id}/decision",
    response={201: DecisionOut, **ERRORS},
    tags=DECIDE,
    summary="Record the decision: the chosen option, why, and the plan it sets",
)
@api_access(Role.MANAGER)
@fields_named(chosen_quote="chosen_quote_id")
def record_decision(request, analysis_id: int, payload: DecisionIn):
    decision = services.record_decision(
        request.principal, _analysis(request, analysis_id), **payload.dict()
    )
    return Status(201, _decisions(request.principal).get(pk=decision.pk))


@router.get(
    "/analyses/{analysis_id}/decision",
    response={200: DecisionOut, **ERRORS},
    tags=DECIDE,
    summary="The analysis's decision (404 while undecided)",
)
@api_access()
def get_decision(request, analysis_id: int):
    analysis = _analysis(request, analysis_id)
    return get_visible_or_404(_decisions(request.principal), request.principal, analysis=analysis)


@router.get(
    "/decisions",
    response={200: DecisionPage, **ERRORS},
    tags=DECIDE,
    summary="Decisions, newest first: the plans that realised spend is compared against",
)
@api_access()
def list_decisions(request, filters: Query[DecisionFilters]):
    decisions = _decisions(request.principal)
    if filters.function is not None:
        decisions = decisions.filter(function_id=filters.function)
    if filters.provider is not None:
        decisions = decisions.filter(provider_id=filters.provider)
    return paginate(decisions, filters.page, filters.per_page)
