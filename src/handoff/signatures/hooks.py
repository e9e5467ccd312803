"""What apps above ``signatures`` do when a request they sent is signed by everyone, and
where its page is.

``signatures`` may not import them (an agreement lives in ``engagements``), and a model signal
would hide the flow; so such an app registers a receiver for its ``kind`` of request from its
``AppConfig.ready()``, and :func:`handoff.signatures.services` calls :func:`completed` inside
the transaction that seals the document.
"""

from collections.abc import Callable

Receiver = Callable[..., None]

_receivers: dict[str, list[Receiver]] = {}
_pages: dict[str, Callable[..., str]] = {}


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
