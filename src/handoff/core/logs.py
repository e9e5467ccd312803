"""Logs: plain text by default, JSON lines with ``HANDOFF_LOG_FORMAT=json``; a request id on each.

Every request gets an id — the proxy's ``X-Request-ID`` when it sends a sane one, else a new
one — sent back in the response's ``X-Request-ID`` and put on every log record written while
the request is served (``request_id``; ``-`` outside a request, e.g. in the worker). In JSON,
each request also writes one access line (``handoff.request``: method, path, status,
milliseconds, the user's id) in place of gunicorn's own access log; in text, gunicorn's stays.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

FORMATS = ("text", "json")

request_id: ContextVar[str] = ContextVar("request_id", default="-")

# An incoming id is the sender's to choose: letters, digits and . _ - only, 64 at most.
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

access_log = logging.getLogger("handoff.request")


class RequestIdFilter(logging.Filter):
    """Puts the id of the request being served on each record."""

    def filter(self, record):
        record.request_id = request_id.get()
        return True


def logging_config(level: str, log_format: str) -> dict:
    """The ``LOGGING`` setting for ``level`` and ``log_format`` (one of FORMATS)."""
    formatters = {
        "text": {"format": "%(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "axes": {"level": "WARNING"},
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            # The access line, in JSON only (gunicorn writes its own in text).
            "handoff.request": {"level": "INFO" if log_format == "json" else "WARNING"},
        },
    }


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        current = incoming if SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = request_id.set(current)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = current
            if not access_log.isEnabledFor(logging.INFO):
                return response
            user = getattr(request, "user", None)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "milliseconds": round((time.monotonic() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            request_id.reset(token)
