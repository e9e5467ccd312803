"""Pay as JSON: the same services and selectors as the pages, behind thin handlers.

Least roles: reading for viewers; entering invoices for a provider, recording payments and
the import, for managers; a provider's contact reads and submits their own provider's
invoices. Importing the handler modules here runs their decorators before the API is built."""

from handoff.payables.api import accounting, approvals, invoices, payments  # noqa: F401
from handoff.payables.api.routing import router

__all__ = ["router"]
