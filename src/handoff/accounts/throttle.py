"""Failed log-ins, throttled by who sends them and, gently, by whose account they try.

- **Per client address, across accounts** (django-axes, ``AXES_LOCKOUT_PARAMETERS``): one
  address that fails ``HANDOFF_LOGIN_ADDRESS_FAILURE_LIMIT`` times, whatever the accounts,
  is locked out for ``HANDOFF_LOGIN_COOLOFF_MINUTES`` — password spraying stops there.
- **Per account, from anywhere** (:func:`account_wait`): after ``HANDOFF_LOGIN_FAILURE_LIMIT``
  failures an account's next try must wait, 15 seconds doubling with each further failure up
  to 5 minutes. Nothing is locked and no process sleeps: the form answers at once with how
  long to wait, so a stranger can slow an account down but not shut its owner out.

The client address is the connection's, or — when the connection comes from a proxy named in
``HANDOFF_TRUSTED_PROXIES`` — the last address in ``X-Forwarded-For`` that is not one of those
proxies (:func:`client_address`). Without the setting the header is ignored: a client cannot
choose its own address by sending one.
"""

import ipaddress
import math
from datetime import timedelta
from functools import lru_cache

from axes.models import AccessFailureLog
from django.conf import settings
from django.utils import timezone

from handoff.accounts.models import User


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request) -> str:
    """The address of whoever sent ``request`` (``AXES_CLIENT_IP_CALLABLE``)."""
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = [
        hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop
    ]
    while _trusted(address) and forwarded:
        address = forwarded.pop()
    return address


def account_wait(username: str, now=None) -> int:
    """Seconds the next log-in to ``username`` must wait (0: go ahead).

    Counts the account's failures since its last successful log-in and within the cool-off
    window; the wait runs from the latest failure."""
    if not username:
        return 0
    now = now or timezone.now()
    since = now - settings.AXES_COOLOFF_TIME
    last_login = User.objects.filter(email__iexact=username).values_list("last_login", flat=True)
    last_login = last_login.first()
    if last_login and last_login > since:
        since = last_login
    failures = AccessFailureLog.objects.filter(username__iexact=username, attempt_time__gt=since)
    count = failures.count()
    if count < settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
        return 0
    over = count - settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    delay = min(settings.LOGIN_ACCOUNT_DELAY * 2 ** min(over, 16), settings.LOGIN_ACCOUNT_MAX_DELAY)
    latest = failures.order_by("-attempt_time").values_list("attempt_time", flat=True).first()
    left = (latest + timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(left))
