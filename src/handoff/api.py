"""The JSON API at /api/v1/: one NinjaAPI that adds a router per app and shapes every error."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.log import log_response
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from handoff.accounts.api import router as organization_router
from handoff.accounts.auth import TokenAuth
from handoff.accounts.portal_api import router as portal_settings_router
from handoff.compliance.api import router as compliance_router
from handoff.core.api import HandoffAPI
from handoff.core.errors import Conflict
from handoff.core.storage import UNAVAILABLE, unavailable_errors
from handoff.decisions.api import router as decisions_router
from handoff.engagements.api import router as engagements_router
from handoff.insights import checkin_api
from handoff.insights.api import router as insights_router
from handoff.insights.dashboard_api import router as dashboard_router
from handoff.insights.scorecard_api import router as scorecard_router
from handoff.notifications.api import router as notifications_router
from handoff.payables.api import router as payables_router
from handoff.providers.api import router as providers_router
from handoff.providers.portal_access_api import router as portal_access_router
from handoff.providers.vetting_api import public as reference_form_router
from handoff.providers.vetting_api import router as vetting_router
from handoff.signatures.api import router as signatures_router
from handoff.work.api import router as work_router
from handoff.work.issue_api import router as issues_router
from handoff.work.schedule_api import router as schedule_router

api = HandoffAPI(
    title="Handoff API",
    version="1",
    description=(
        "Everything Handoff's pages do, as JSON. Authenticate with a personal token from "
        "*API tokens* in the app: `Authorization: Bearer hnd_…`. A token acts for one "
        "organization with its owner's role there."
    ),
    auth=TokenAuth(providers=None),
    urls_namespace="api",
)
api.add_router("/organization", organization_router)
api.add_router("/", providers_router)
api.add_router("/", vetting_router)
api.add_router("/", reference_form_router)
api.add_router("/", decisions_router)
api.add_router("/", engagements_router)
api.add_router("/", signatures_router)
api.add_router("/", compliance_router)
api.add_router("/", work_router)
api.add_router("/", schedule_router)
api.add_router("/", issues_router)
api.add_router("/", payables_router)
api.add_router("/", portal_access_router)
api.add_router("/", portal_settings_router)
api.add_router("/", insights_router)
api.add_router("/", dashboard_router)
api.add_router("/", scorecard_router)
api.add_router("/", checkin_api.router)
api.add_router("/", checkin_api.public)
api.add_router("/", notifications_router)


logger = logging.getLogger(__name__)


def _error(request, status: int, detail: str, errors=()):
    return api.create_response(request, {"detail": detail, "errors": list(errors)}, status=status)


@api.exception_handler(SchemaValidationError)
def schema_invalid(request, exc):
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        if location and location[0] in ("query", "path", "form", "file"):
            location = location[1:]
        message = error.get("msg", "Invalid value.").removeprefix("Value error, ")
        errors.append({"field": ".".join(location) or "body", "message": message})
    return _error(request, 422, "The request has invalid fields.", errors)


@api.exception_handler(ValidationError)
def model_invalid(request, exc):
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": "body" if field == "__all__" else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "body", "message": message} for message in exc.messages]
    return _error(request, 422, "The request has invalid fields.", errors)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error(request, 403, str(exc) or "Your role does not allow this.")


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "Not found.")


@api.exception_handler(Conflict)
def conflict(request, exc):
    return _error(request, 409, str(exc), [{"field": "version", "message": str(exc)}])


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, "Send a valid API token: Authorization: Bearer hnd_…")


@api.exception_handler(HttpError)
def http_error(request, exc):
    if isinstance(exc.__cause__, ValidationError):  # refused by our parser (core.api.Parser)
        return model_invalid(request, exc.__cause__)
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(MultiPartParserError)
def unreadable_upload(request, exc):
    return _error(
        request,
        422,
        "The request has invalid fields.",
        [{"field": "body", "message": "The upload is not valid multipart form data."}],
    )


def _storage_unavailable(request, exc):
    logger.warning("The file store failed on %s: %r", request.path, exc)
    response = _error(request, 503, UNAVAILABLE)
    response["Retry-After"] = "60"
    return response


for _storage_error in unavailable_errors():
    api.add_exception_handler(_storage_error, _storage_unavailable)


@api.exception_handler(Exception)
def server_error(request, exc):
    """Errors are JSON in the API, a fault on our side too; it is logged as Django logs a
    page's (with the traceback, to the admins' mail in production)."""
    log_response(
        "Server error: %s",
        request.path,
        response=HttpResponse(status=500),
        request=request,
        exception=exc,
    )
    return _error(request, 500, "Something went wrong on our side. It has been logged.")
