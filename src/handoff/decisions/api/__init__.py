"""The decisions API: business functions and their make-or-buy analyses.

One router for the app. Each resource's handlers register on it from their own module; they are
imported here, in the order their paths were always registered, so the OpenAPI document lists
them as before.
"""

from handoff.decisions.api.routing import router

# isort: off
from handoff.decisions.api import functions  # noqa: F401
from handoff.decisions.api import analyses  # noqa: F401
from handoff.decisions.api import in_house  # noqa: F401
from handoff.decisions.api import quotes  # noqa: F401
from handoff.decisions.api import decisions  # noqa: F401
from handoff.decisions.api import figures  # noqa: F401
# isort: on

__all__ = ["router"]
