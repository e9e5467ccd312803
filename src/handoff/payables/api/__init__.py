"""Pay as JSON: the same services and selectors as the pages, behind thin handlers.

Least roles: reading for viewers; recording invoices and payments, and the import, for
managers. Importing the handler modules here runs their decorators before the API is built."""

from handoff.payables.api import payments  # noqa: F401
from handoff.payables.api.routing import router

__all__ = ["router"]
