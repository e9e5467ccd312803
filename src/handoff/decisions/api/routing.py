"""The one router every handler module of the decisions API registers on.

It lives apart from ``__init__`` so the handler modules can import it while the package is
still being built.
"""

from ninja import Router

from handoff.core.api import ErrorOut

router = Router(tags=["business functions"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

# The make-or-buy analysis: reading is for viewers, every write for managers.
DECIDE = ["make or buy"]
