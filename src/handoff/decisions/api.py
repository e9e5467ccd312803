from ninja import Router, Schema, Status

from handoff.core.api import ErrorOut, require_api_role
from handoff.core.roles import Role
from handoff.decisions import services
from handoff.decisions.models import BusinessFunction

router = Router(tags=["business functions"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class BusinessFunctionOut(Schema):
    id: int
    name: str
    description: str


class BusinessFunctionIn(Schema):
    name: str
    description: str = ""


@router.get(
    "/functions",
    response={200: list[BusinessFunctionOut], **ERRORS},
    summary="The organization's business functions",
)
def list_functions(request):
    return BusinessFunction.objects.for_org(request.org)


@router.post(
    "/functions", response={201: BusinessFunctionOut, **ERRORS}, summary="Add a business function"
)
def create_function(request, payload: BusinessFunctionIn):
    require_api_role(request, Role.MANAGER)
    function = services.add_business_function(
        request.org, actor=request.user, name=payload.name, description=payload.description
    )
    return Status(201, function)
