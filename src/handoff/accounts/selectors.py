"""Reads of the organization's people shared by the account pages."""

from handoff.accounts.models import Invitation, Membership
from handoff.core.models import AuditEvent

AUDIT_LOG_ROWS = 200


def members(principal):
    """The members page: everyone in the organization, by name, with their login."""
    return Membership.objects.visible_to(principal).select_related("user").order_by("user__name")


def pending_invitations(principal):
    """Invitations not yet accepted, revoked or expired, with who sent them."""
    return Invitation.objects.visible_to(principal).pending().select_related("invited_by")


def audit_log(principal, *, rows: int | None = AUDIT_LOG_ROWS):
    """The latest audit events, with who did each (all of them with ``rows=None``)."""
    events = AuditEvent.objects.visible_to(principal).select_related("actor")
    return events if rows is None else events[:rows]
