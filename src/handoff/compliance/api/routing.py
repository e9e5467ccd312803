"""The one router every compliance handler module registers on, and the error responses they
share. It lives outside ``__init__`` so the handler modules can import it while ``__init__`` is
still importing them."""

from ninja import Router

from handoff.core.api import ErrorOut

router = Router(tags=["comply"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
