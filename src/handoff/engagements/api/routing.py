"""The one router every handler module of the engagements API adds its operations to."""

from ninja import Router

from handoff.core.api import ErrorOut

router = Router(tags=["engagements"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
