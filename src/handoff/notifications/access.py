"""Who may open an organization's inbox and preferences: its members, and anyone a later app
vouches for (the provider portal's users, who have a login but no membership).

Apps after this one in the dependency order register a hook from their ``AppConfig.ready``::

    from handoff.notifications.access import register_inbox_access
    register_inbox_access(is_portal_user, home=lambda org: f"/portal/{org.slug}/")

Without a registration, ``handoff.work.portal.is_portal_user`` is used when it exists.

Non-members see the inbox without the organization's navigation (which is closed to them):
the pages get the organization as ``inbox_org``, and ``request.org`` stays unset.
"""

import functools
import zoneinfo
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import timezone

from handoff.accounts.models import Membership, Organization
from handoff.core.access import LAST_ORG_SESSION_KEY

_hooks: list[tuple[Callable, Callable | None]] = []


def register_inbox_access(hook: Callable, *, home: Callable | None = None) -> Callable:
    """Let ``hook(user, organization) -> bool`` admit people who are not members;
    ``home(organization) -> str`` is where the inbox links back to for them."""
    if all(existing is not hook for existing, _ in _hooks):
        _hooks.append((hook, home))
    return hook


def _portal_hook():
    """``handoff.work.portal.is_portal_user`` when the work app provides it (a late import:
    work comes after notifications, so it is never imported at module level)."""
    try:
        from handoff.work.portal import is_portal_user  # noqa: PLC0415
    except ImportError:
        return None
    return is_portal_user


def _all_hooks() -> list[tuple[Callable, Callable | None]]:
    hooks = list(_hooks)
    portal = _portal_hook()
    if portal is not None and all(hook is not portal for hook, _ in hooks):
        hooks.append((portal, None))
    return hooks


def _admitted_by(user, organization):
    """The first hook admitting a non-member, as (hook, home), or None."""
    for hook, home in _all_hooks():
        if hook(user, organization):
            return hook, home
    return None


def inbox_user_allowed(user, organization) -> bool:
    """True for the organization's members and, through the hooks, its portal users."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if Membership.objects.for_org(organization).filter(user=user).exists():
        return True
    return _admitted_by(user, organization) is not None


def inbox_user_required(view):
    """Decorate a view taking ``org_slug``: members and portal users get in, anyone else gets
    a 404. Sets ``request.inbox_org``, ``request.membership`` (None for a non-member),
    ``request.inbox_home`` (where a non-member goes back to) and, for members only,
    ``request.org`` (which turns on the organization's navigation)."""

    @functools.wraps(view)
    def wrapper(request, org_slug, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = (
            request.user.memberships.select_related("organization")
            .filter(organization__slug=org_slug)
            .first()
        )
        request.inbox_home = ""
        if membership is not None:
            org = membership.organization
            request.org = org
            if request.session.get(LAST_ORG_SESSION_KEY) != org_slug:
                request.session[LAST_ORG_SESSION_KEY] = org_slug
        else:
            org = Organization.objects.filter(slug=org_slug).first()
            admitted = _admitted_by(request.user, org) if org and request.user.is_active else None
            if admitted is None:
                raise Http404("No such organization.")
            home = admitted[1]
            request.inbox_home = home(org) if home else ""
        request.inbox_org = org
        request.membership = membership
        timezone.activate(zoneinfo.ZoneInfo(org.time_zone))
        return view(request, *args, **kwargs)

    return wrapper
