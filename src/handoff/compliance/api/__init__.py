"""Comply as JSON: the same services and selectors as the pages, behind thin handlers.

Least roles: reading for viewers (TINs masked); assessments and W-9 entry
for managers; revealing a TIN, the signed W-9 file, the 1099-NEC export (with full
TINs), IRS TIN Matching and the B-notice cases, and the settings for admins and owners. A TIN
appears in a response only from the reveal endpoint, the export and the TIN Matching request
file, each recorded in the audit trail.

One module per resource registers its handlers on the shared ``router``. Importing them here
runs their decorators before the API is built, in the order the resources are listed in the
API's document.
"""

from handoff.compliance.api.routing import router

# isort: off
from handoff.compliance.api import (  # noqa: F401
    rules,
    assessments,
    w9s,
    w8s,
    nec,
    statements,
    portal_statements,
    iris,
    tin_matching,
    state_reports,
    w9_links,
)
# isort: on

__all__ = ["router"]
