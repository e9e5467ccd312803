"""Absolute links: the one place that turns a site path or a route name into a full address.

Every link that leaves a page — invitations, reference-check and check-in links, the password
reset, calendar feeds, e-mails, chat messages, the portal — is built here from
``settings.SITE_URL`` (``HANDOFF_SITE_URL``), never from the request's host, so that a link in
an e-mail or a calendar works wherever it is opened and points where the app is served.
``tests/core/test_links.py`` fails if another module reads ``settings.SITE_URL`` or calls
``build_absolute_uri``.
"""

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def site_url() -> str:
    """The address the app is served at, without a trailing slash."""
    return settings.SITE_URL.rstrip("/")


def absolute_url(path_or_name: str, *args, **kwargs) -> str:
    """``path_or_name`` as a full address on ``SITE_URL``.

    A path (``/o/acme/tasks/7/``, or ``o/acme/…``) is joined to the site URL; a route name
    (``"accounts:invitation"``) is reversed with ``args`` or ``kwargs`` first. An address that is
    already absolute is returned as it is, and an empty one stays empty (no link).
    """
    if not path_or_name:
        return ""
    if path_or_name.startswith(("http://", "https://")):
        return path_or_name
    if args or kwargs or not _looks_like_path(path_or_name):
        try:
            path_or_name = reverse(path_or_name, args=args or None, kwargs=kwargs or None)
        except NoReverseMatch:
            if args or kwargs:
                raise
    return site_url() + ("" if path_or_name.startswith("/") else "/") + path_or_name


def _looks_like_path(value: str) -> bool:
    return "/" in value or "?" in value or "#" in value
