"""``/metrics``: Prometheus' text, behind the operator's token, off without one."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

pytestmark = pytest.mark.django_db

TOKEN = "a-long-random-metrics-token"


def scrape(**headers):
    return Client().get("/metrics", HTTP_HOST="10.0.0.5:8000", **headers)


def sample(text: str, name: str) -> float:
    """The value of the sample ``name`` (labels included) in the exposition; 0 if absent."""
    lines = [line for line in text.splitlines() if line.startswith(name + " ")]
    return float(lines[0].split()[-1]) if lines else 0.0


def test_metrics_are_off_without_a_token(settings):
    settings.METRICS_TOKEN = ""
    assert scrape(HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_a_scrape_without_the_token_is_refused(settings):
    settings.METRICS_TOKEN = TOKEN
    assert scrape().status_code == 401
    assert scrape(HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert scrape(HTTP_AUTHORIZATION=TOKEN).status_code == 401


def test_requests_queries_and_the_job_queue_are_counted(settings, org, owner):
    settings.METRICS_TOKEN = TOKEN
    job = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="handoff.notifications.jobs.send_emails",
        backend_name="default",
        run_after=get_date_max(),
    )
    DBTaskResult.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - timedelta(minutes=2))
    DBTaskResult.objects.create(
        args_kwargs={}, task_path="x", backend_name="default", run_after=get_date_max(),
        status="FAILED",
    )  # fmt: skip
    before = scrape(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    Client().get("/accounts/login/")
    response = scrape(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    ok = 'django_http_responses_total_by_status_total{status="200"}'
    assert sample(text, ok) >= sample(before, ok) + 1  # the log-in page (and the scrape)
    assert 'django_db_execute_total{alias="default",vendor=' in text
    assert sample(text, "handoff_jobs_waiting") == 1
    assert 110 <= sample(text, "handoff_jobs_oldest_waiting_seconds") <= 130
    assert sample(text, "handoff_jobs_failed") == 1


def test_a_gunicorn_worker_that_exits_leaves_no_live_gauge(tmp_path, monkeypatch):
    """handoff serve's gunicorn hook: a dead worker's live gauges leave /metrics."""
    from types import SimpleNamespace

    from handoff.core import gunicorn_conf

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    dead, alive = tmp_path / "gauge_livesum_4242.db", tmp_path / "gauge_livesum_4343.db"
    dead.write_bytes(b"")
    alive.write_bytes(b"")
    gunicorn_conf.child_exit(server=None, worker=SimpleNamespace(pid=4242))
    assert not dead.exists() and alive.exists()
