"""Who may open an organization's page: the member's role against the least role a view needs.

A person who is not a member of the organization in the URL gets 404, never a 403 that would
confirm the organization exists; a member whose role is too low gets 403.
"""

import functools
import zoneinfo

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from handoff.core.roles import Role, role_at_least

LAST_ORG_SESSION_KEY = "handoff_last_org"


def org_member_required(min_role: str = Role.VIEWER):
    """Decorate a view taking ``org_slug``: sets ``request.org``, ``request.membership`` and
    ``request.memberships`` (all of the user's, for the organization switcher)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, org_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            # Every membership of the user at once: the one of this organization, and the
            # organization switcher's list, in one query.
            memberships = list(request.user.memberships.select_related("organization"))
            membership = next((m for m in memberships if m.organization.slug == org_slug), None)
            if membership is None:
                raise Http404("No such organization.")
            request.org = membership.organization
            request.membership = membership
            request.memberships = memberships
            timezone.activate(zoneinfo.ZoneInfo(request.org.time_zone))
            if request.session.get(LAST_ORG_SESSION_KEY) != org_slug:
                request.session[LAST_ORG_SESSION_KEY] = org_slug
            if not role_at_least(membership.role, min_role):
                raise PermissionDenied(
                    f"This needs the {Role(min_role).label.lower()} role or higher; "
                    f"you are {Role(membership.role).label.lower()} here."
                )
            return view(request, *args, **kwargs)

        wrapper.min_role = min_role
        return wrapper

    return decorator


def require_role(membership, min_role: str) -> None:
    """For a view that allows reading to many but a button to few."""
    if not role_at_least(membership.role, min_role):
        raise PermissionDenied(f"This needs the {Role(min_role).label.lower()} role or higher.")
