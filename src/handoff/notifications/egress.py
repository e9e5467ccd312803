"""Where a webhook may post: public addresses only, checked when it is saved and again on the
socket that sends it.

An organization's admin types the webhook's address, and the app posts to it from inside the
installation's network. Left open, that is a way to reach what only the server can reach (the
cloud's metadata service at 169.254.169.254, a database port on localhost) and, through the
test button's answer, a port scanner. So:

- on saving, the host is resolved and refused if any of its addresses is loopback, link-local,
  private, multicast, reserved or otherwise not public (``check_destination``);
- on posting, the connection resolves the host once, checks every address the same way and
  connects to those very addresses (``create_connection``): a name that resolved to a public
  address when saved and to 127.0.0.1 now (DNS rebinding) is refused, never connected to;
- redirects are not followed (``delivery._NoRedirects``).

``HANDOFF_WEBHOOK_ALLOWED_HOSTS`` names hosts that may be private on purpose (a chat server on
the office network); only those names, exactly, are let through — and they may use http://.
"""

import http.client
import ipaddress
import socket
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings


class ForbiddenDestination(OSError):
    """The address is not a public one, and its host is not allowed by name."""


def _kind(address: str) -> str | None:
    """Why ``address`` is not a public one ("a loopback address"), or None when it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for test, kind in (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_private, "a private address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_reserved, "a reserved address"),
    ):
        if test:
            return kind
    return None if ip.is_global else "not a public address"


def allowed_by_name(host: str) -> bool:
    """True for a host the installation allows by name (``HANDOFF_WEBHOOK_ALLOWED_HOSTS``)."""
    wanted = host.strip("[]").lower()
    return any(wanted == name.strip("[]").lower() for name in settings.WEBHOOK_ALLOWED_HOSTS)


def _addresses(host: str, port: int) -> list[tuple]:
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def _refusal(host: str, infos) -> str | None:
    for *_, sockaddr in infos:
        kind = _kind(sockaddr[0])
        if kind:
            shown = host if host == sockaddr[0] else f"{host} ({sockaddr[0]})"
            return f"{shown} is {kind}: webhooks go to public addresses only"
    return None


def check_destination(url: str) -> str | None:
    """What is wrong with posting to ``url`` (for the form's ``url`` field), or None.

    A name that does not resolve now is let through: it is checked again, address by address,
    each time a message is posted."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        return "Give the address's host."
    if allowed_by_name(host):
        return None
    if parts.scheme != "https":
        return "Use an https:// address."
    try:
        infos = _addresses(host, parts.port or 443)
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    refusal = _refusal(host, infos)
    if refusal:
        return (
            f"{refusal}. An administrator of this installation can allow a named host with "
            "HANDOFF_WEBHOOK_ALLOWED_HOSTS."
        )
    return None


def create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
    """``socket.create_connection`` that connects only to the public addresses it checked."""
    host, port = address
    if allowed_by_name(host):
        return socket.create_connection(address, timeout, source_address)
    infos = _addresses(host, port)
    refusal = _refusal(host, infos)
    if refusal:
        raise ForbiddenDestination(refusal)
    error = OSError(f"{host} has no address")
    for family, kind, proto, _, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as failure:
            error = failure
            sock.close()
    raise error


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = create_connection


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = create_connection


class CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_CheckedHTTPConnection, req)


class CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(
            _CheckedHTTPSConnection, req, context=self._context, check_hostname=self._check_hostname
        )
