"""Prometheus metrics at ``/metrics``, for the operator's monitoring, behind a token.

``django-prometheus`` counts the requests (by view, method and status, with their latency) and
the database queries (its database wrappers, chosen in settings); :class:`JobsCollector` adds
the job queue, read from the database at each scrape: jobs due to run, the oldest one's age,
jobs failed. Under ``handoff serve`` the gunicorn workers share their counts through
``PROMETHEUS_MULTIPROC_DIR`` (set by ``serve``), so any worker answers for all of them.

The endpoint is off unless ``HANDOFF_METRICS_TOKEN`` is set; then a scrape must send
``Authorization: Bearer <token>``. Like ``/healthz`` it is answered before the host check and
the HTTPS redirect (Prometheus scrapes each process by address).
"""

import hmac
import os

import prometheus_client
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

PATH = "/metrics"


class JobsCollector:
    """The job queue as gauges, counted when scraped (the queue lives in the database)."""

    def collect(self):
        from handoff.core.health import check_queue

        queue = check_queue()
        if not queue["ok"]:
            return
        yield GaugeMetricFamily(
            "handoff_jobs_waiting", "Jobs due to run, not yet started.", value=queue["waiting"]
        )
        yield GaugeMetricFamily(
            "handoff_jobs_oldest_waiting_seconds",
            "How long the oldest job due to run has waited.",
            value=queue["oldest_waiting_seconds"],
        )
        try:
            from django_tasks_db.models import DBTaskResult

            failed = DBTaskResult.objects.failed().count()
        except DatabaseError:
            return
        yield GaugeMetricFamily(
            "handoff_jobs_failed", "Jobs that failed and are kept for inspection.", value=failed
        )


def exposition() -> bytes:
    """Every metric in Prometheus' text format: this process's (or, under gunicorn, all its
    workers') and the job queue's."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    jobs = prometheus_client.CollectorRegistry()
    jobs.register(JobsCollector())
    return prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(jobs)


def _authorized(request) -> bool:
    sent = request.META.get("HTTP_AUTHORIZATION", "")
    expected = f"Bearer {settings.METRICS_TOKEN}"
    return hmac.compare_digest(sent.encode(), expected.encode())


class MetricsMiddleware:
    """Answers ``GET /metrics``; every other request passes by."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PATH:
            return self.get_response(request)
        if not settings.METRICS_TOKEN:
            return JsonResponse({"detail": "Metrics are off (HANDOFF_METRICS_TOKEN)."}, status=404)
        if not _authorized(request):
            response = JsonResponse({"detail": "Send Authorization: Bearer <token>."}, status=401)
            response["WWW-Authenticate"] = "Bearer"
            return response
        response = HttpResponse(exposition(), content_type=prometheus_client.CONTENT_TYPE_LATEST)
        response["Cache-Control"] = "no-store"
        return response
