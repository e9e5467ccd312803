"""The one router every payables handler module registers on, and the error responses they
share (outside ``__init__`` so the handler modules can import it while ``__init__`` runs)."""

from ninja import Router

from handoff.core.api import ErrorOut

router = Router(tags=["pay"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
