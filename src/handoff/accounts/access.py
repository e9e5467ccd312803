"""The one page decorator: resolve the principal, check the route's least role, set the zone.

Every page that reads organization data declares its least role here, where the route's view
is defined::

    @principal_required(Role.MEMBER)                  # members from member up
    @principal_required(Role.VIEWER, providers=True)  # and provider contacts (their rows only)

Someone who is neither a member nor a portal contact of the organization in the URL gets 404,
never a 403 that would confirm it exists, and so does a provider contact on a page not open to
providers; a member below the least role gets 403. The generated permission matrix
(``tests/core/test_permission_matrix.py``) reads ``least_role`` and ``providers`` off every view.
"""

import functools
import zoneinfo

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import timezone

from handoff.accounts.principal import for_session
from handoff.core.roles import Role

LAST_ORG_SESSION_KEY = "handoff_last_org"


def enter(request, principal) -> None:
    """Make ``principal`` the request's: its organization's zone, and for a member the layout's
    organization, membership and switcher."""
    request.principal = principal
    if principal.is_member:
        request.org = principal.organization
        request.membership = principal.membership
        request.memberships = list(principal.memberships)
    else:  # the portal's pages until they are the members' pages too
        request.portal_org = principal.organization
        request.contact = principal.contact
    timezone.activate(zoneinfo.ZoneInfo(principal.organization.time_zone))


def principal_required(
    least_role: str = Role.VIEWER, *, providers: bool = False, writes: str | None = None
):
    """Decorate a view taking ``org_slug``; it gets ``request.principal``. ``writes`` is the
    least role for a POST when it is higher than reading the page needs (a list anyone reads,
    with a form managers submit)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, org_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            principal = for_session(request.user, org_slug)
            if principal is None:
                raise Http404("No such organization.")
            enter(request, principal)
            if principal.is_member and request.session.get(LAST_ORG_SESSION_KEY) != org_slug:
                request.session[LAST_ORG_SESSION_KEY] = org_slug
            if principal.is_provider and not providers:
                raise Http404("No such page in this portal.")
            if principal.is_member:
                principal.require(least_role, "This page")
                if writes and request.method not in ("GET", "HEAD", "OPTIONS"):
                    principal.require(writes, "Changing this")
            return view(request, *args, **kwargs)

        wrapper.least_role = least_role
        wrapper.providers = providers
        wrapper.writes = writes or least_role
        return wrapper

    return decorator
