"""Engagements as JSON: the same services as the pages, behind thin handlers.

Least roles: reading is for viewers, every write for managers, the agreement's clauses (the
organization's template) for admins.

The handlers live in one module per resource and add their operations to the one ``router``
of ``routing.py``; the schemas are in ``schemas.py`` and ``setup_schemas.py``, the scoped
reads they share in ``lookups.py``. Importing a handler module is what registers its
operations, so every one is imported here.
"""

from handoff.engagements.api.routing import router

# isort: off
# Imported for the operations they add, in this order: Ninja matches and documents paths in the
# order they were added.
from handoff.engagements.api import engagements, setup, holidays, access, exit  # noqa: F401
from handoff.engagements.api import agreements, renewals  # noqa: F401

# isort: on

__all__ = ["router"]
