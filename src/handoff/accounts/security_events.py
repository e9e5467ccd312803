"""Log-ins, log-outs, failed log-ins, lock-outs and accounts made to wait, in the audit trail of
every organization the person belongs to (as a member or a provider's contact), with the
client's address.

A failure or a lock-out is recorded when the address tried is a known account's; a guess at an
unknown address belongs to no organization and is left to django-axes' own records.
"""

import ipaddress

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from handoff.accounts.models import Organization, User
from handoff.accounts.throttle import client_address
from handoff.core import audit


def _address(request) -> str | None:
    if request is None:
        return None
    raw = client_address(request)
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def _organizations(user: User):
    """Where ``user`` works: the organizations of their memberships and live portal accesses."""
    return Organization.objects.filter(
        id__in=[
            *user.memberships.values_list("organization_id", flat=True),
            *user.portal_accesses.filter(revoked_at__isnull=True).values_list(
                "organization_id", flat=True
            ),
        ]
    )


def _account(username) -> User | None:
    if not username:
        return None
    return User.objects.filter(email__iexact=str(username).strip()).first()


def _record(user: User, actor, action: str, summary: str, request) -> None:
    address = _address(request)
    for organization in _organizations(user):
        audit.record(organization, actor, action, user, summary, address=address)


@receiver(user_logged_in, dispatch_uid="handoff.audit.logged_in")
def logged_in(sender, request, user, **kwargs):
    _record(user, user, "session.logged_in", f"{user} logged in", request)


@receiver(user_logged_out, dispatch_uid="handoff.audit.logged_out")
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        _record(user, user, "session.logged_out", f"{user} logged out", request)


@receiver(user_login_failed, dispatch_uid="handoff.audit.login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    user = _account(credentials.get("username"))
    if user is not None:
        _record(user, None, "session.login_failed", f"A failed log-in as {user.email}", request)


@receiver(user_locked_out, dispatch_uid="handoff.audit.locked_out")
def locked_out(sender, request, username=None, ip_address=None, **kwargs):
    user = _account(username)
    if user is not None:
        _record(
            user,
            None,
            "session.locked_out",
            f"Log-ins from {ip_address or 'an address'} are paused after repeated failures "
            f"(the last tried {user.email})",
            request,
        )


def account_waits(request, username: str, seconds: int) -> None:
    """A failed log-in made ``username``'s account wait before its next try (not a signal: the
    log-in form calls this once the failure is counted)."""
    user = _account(username)
    if user is not None:
        _record(
            user,
            None,
            "session.account_waiting",
            f"After repeated failures, the next log-in as {user.email} waits {seconds} seconds",
            request,
        )
