"""What apps above ``signatures`` do when a request they sent is signed by everyone, where
its page is, and whose it is in the provider portal.

``signatures`` may not import them (an agreement lives in ``engagements``), and a model signal
would hide the flow; so such an app registers a receiver for its ``kind`` of request from its
``AppConfig.ready()``, and :func:`handoff.signatures.services` calls :func:`completed` inside
the transaction that seals the document.
"""

from collections.abc import Callable

from django.db.models import Q

Receiver = Callable[..., None]

_receivers: dict[str, list[Receiver]] = {}
_pages: dict[str, Callable[..., str]] = {}
_portal_requests: dict[str, Callable[..., object]] = {}


def on_completed(kind: str, receiver: Receiver) -> Receiver:
    """Register ``receiver(request)`` for requests of ``kind``; registering it again changes
    nothing."""
    registered = _receivers.setdefault(kind, [])
    if receiver not in registered:
        registered.append(receiver)
    return receiver


def completed(request) -> None:
    """Tell the receivers of ``request.kind`` that everyone signed and the PDF is sealed."""
    for receiver in _receivers.get(request.kind, []):
        receiver(request)


def on_subject_url(kind: str, page: Callable[..., str]) -> None:
    """Register ``page(request) -> str``: the address of what a request of ``kind`` signs."""
    _pages[kind] = page


def subject_url(request) -> str:
    page = _pages.get(request.kind)
    return page(request) if page else ""


def on_portal_requests(kind: str, requests: Callable[..., object]) -> None:
    """Register ``requests(principal)``: the ids of the requests of ``kind`` whose subject is
    a provider contact's own provider's (a queryset of ``SignatureRequest`` ids, e.g.
    ``.values("signature_request_id")``). Only such requests reach the portal."""
    _portal_requests[kind] = requests


def portal_requests(principal, through: str = "") -> Q:
    """A filter for the requests (or, ``through`` a foreign key such as ``"request"``, the
    rows pointing at them) whose sending app says they are ``principal``'s provider's. A kind
    whose app registered nothing is never shown in the portal (its e-mailed link still works)."""
    kind, pk = (f"{through}__kind", f"{through}_id") if through else ("kind", "pk")
    shown = Q(pk__in=[])
    for registered, requests in _portal_requests.items():
        shown |= Q(**{kind: registered, f"{pk}__in": requests(principal)})
    return shown
