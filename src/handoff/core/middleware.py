"""Requests refused before their body is read, and a file store that does not answer.

Django reads an upload in full (to memory or a temporary file) before any view can look at its
size, and ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not count files. So the declared length is
checked first: a request over ``settings.MAX_REQUEST_BYTES`` is answered 413 without reading a
byte of it. The services still check each file against its own limit (10 MB,
``handoff.core.uploads``). Under the WSGI server a body is never read past its declared length.
"""

import logging

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from handoff.core.storage import UNAVAILABLE, unavailable_errors


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = _declared_length(request)
        if length > settings.MAX_REQUEST_BYTES:
            return self.too_large(request, length)
        return self.get_response(request)

    @staticmethod
    def too_large(request, length: int):
        limit = settings.MAX_REQUEST_BYTES // (1024 * 1024)
        message = (
            f"This request is {length / 1024 / 1024:.1f} MB; Handoff takes at most {limit} MB "
            f"in one request and 10 MB per file. Send large files a few at a time."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return render(request, "errors/413.html", {"message": message}, status=413)


logger = logging.getLogger(__name__)


class StorageUnavailableMiddleware:
    """A page whose file store (the bucket) fails answers 503 with a plain message, not a
    server error: the service's transaction has rolled back, so nothing was half-saved."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.errors = unavailable_errors()

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, self.errors):
            return None
        logger.warning("The file store failed on %s: %r", request.path, exception)
        response = render(request, "errors/503_storage.html", {"message": UNAVAILABLE}, status=503)
        response["Retry-After"] = "60"
        return response
