"""Is this Handoff up? ``/healthz`` for load balancers and monitors, and ``handoff check``.

Three checks, each answering ``{"ok": bool, ...}`` with the reason when not:

- **database**: one ``SELECT 1`` over the default connection;
- **storage**: the file storage answers (its folder, or what exists of it, is writable);
- **queue**: how long the oldest job due to run has waited (e-mails, webhooks, reminders).

The answer is 200 while the database and the storage work and 503 when either fails: a web
process without them cannot serve pages, so a load balancer should send traffic elsewhere. A
queue that is late (older than ``HANDOFF_HEALTH_QUEUE_LATE_MINUTES``) does not stop this
process serving pages, so it stays 200 and says ``"late": true`` for a monitor to alert on —
the workers are what need looking at.

The endpoint is answered by :class:`HealthMiddleware`, first in the chain: before the host
check (a load balancer asks by address), the HTTPS redirect and the session. It reveals no
organization's data: only the checks' results.
"""

import os
import time

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone

PATH = "/healthz"


def _failed(error: Exception) -> dict:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return {"ok": False, "reason": f"{type(error).__name__}: {reason}"[:300]}


def check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return _failed(error)
    return {"ok": True, "milliseconds": round((time.monotonic() - started) * 1000, 1)}


def check_storage(storage=None) -> dict:
    storage = storage or default_storage
    try:
        if isinstance(storage, FileSystemStorage):
            # The folder is made on the first upload: what exists of it must be writable.
            folder = storage.location
            while not os.path.exists(folder) and os.path.dirname(folder) != folder:
                folder = os.path.dirname(folder)
            if not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK):
                return {
                    "ok": False,
                    "reason": f"{folder} is not a writable folder (HANDOFF_MEDIA_ROOT).",
                }
        elif hasattr(storage, "bucket_name"):  # S3: the bucket exists and the keys reach it
            storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
        else:
            storage.exists("healthz-probe")  # answers only with a reachable store and its keys
    except Exception as error:  # noqa: BLE001 - any storage failure is reported, not raised
        return _failed(error)
    return {"ok": True}


def check_queue(now=None) -> dict:
    """The jobs due to run (not scheduled for later) and the age of the oldest of them."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    try:
        due = DBTaskResult.objects.ready()
        oldest = due.order_by("enqueued_at").values_list("enqueued_at", "run_after").first()
        waiting = due.count()
    except DatabaseError as error:
        return _failed(error)
    age = 0
    if oldest:
        enqueued_at, run_after = oldest
        since = max(enqueued_at, run_after) if run_after and run_after <= now else enqueued_at
        age = max(0, int((now - since).total_seconds()))
    return {
        "ok": True,
        "waiting": waiting,
        "oldest_waiting_seconds": age,
        "late": age > settings.HEALTH_QUEUE_LATE_MINUTES * 60,
    }


def report() -> tuple[bool, dict]:
    """Whether this process can serve, and every check's result."""
    checks = {
        "database": check_database(),
        "storage": check_storage(),
        "queue": check_queue(),
    }
    healthy = checks["database"]["ok"] and checks["storage"]["ok"]
    return healthy, checks


class HealthMiddleware:
    """Answers ``GET /healthz`` before anything else runs; every other request passes by."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"detail": "Use GET."}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        healthy, checks = report()
        response = JsonResponse(
            {"status": "ok" if healthy else "failing", "checks": checks},
            status=200 if healthy else 503,
        )
        response["Cache-Control"] = "no-store"
        return response
