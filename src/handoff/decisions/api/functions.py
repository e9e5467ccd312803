"""The organization's business functions: what an analysis is of."""

from ninja import Status

from handoff.core.api import api_access
from handoff.core.roles import Role
from handoff.decisions import services
from handoff.decisions.api.routing import ERRORS, router
from handoff.decisions.api.schemas import BusinessFunctionIn, BusinessFunctionOut
from handoff.decisions.models import BusinessFunction


@router.get(
    "/functions",
    response={200: list[BusinessFunctionOut], **ERRORS},
    summary="The organization's business functions",
)
@api_access()
def list_functions(request):
    return BusinessFunction.objects.visible_to(request.principal)


@router.post(
    "/functions", response={201: BusinessFunctionOut, **ERRORS}, summary="Add a business function"
)
@api_access(Role.MANAGER)
def create_function(request, payload: BusinessFunctionIn):
    function = services.add_business_function(
        request.principal, name=payload.name, description=payload.description
    )
    return Status(201, function)
