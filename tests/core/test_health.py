"""``/healthz``: what a load balancer and a monitor ask, answered before the host check."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from handoff.core import health

pytestmark = pytest.mark.django_db


def waiting_job(minutes_ago: int, run_after=None) -> DBTaskResult:
    job = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="handoff.notifications.jobs.send_emails",
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=job.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return job


def test_a_healthy_installation_answers_200_with_every_check():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["storage"]["ok"]
    assert body["checks"]["queue"] == {
        "ok": True,
        "waiting": 0,
        "oldest_waiting_seconds": 0,
        "late": False,
    }


def test_it_answers_a_load_balancer_asking_by_address_over_plain_http(settings):
    settings.ALLOWED_HOSTS = ["handoff.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    # Every other page still checks the host.
    assert Client().get("/accounts/login/", HTTP_HOST="10.0.0.5:8000").status_code == 400


def test_the_oldest_due_job_sets_the_queue_age_and_a_late_queue_stays_200(settings):
    settings.HEALTH_QUEUE_LATE_MINUTES = 15
    waiting_job(minutes_ago=3)
    waiting_job(minutes_ago=40, run_after=timezone.now() + timedelta(hours=1))  # not due yet
    queue = Client().get("/healthz").json()["checks"]["queue"]
    assert queue["waiting"] == 1 and 170 <= queue["oldest_waiting_seconds"] <= 190
    assert queue["late"] is False
    waiting_job(minutes_ago=20)
    response = Client().get("/healthz")
    assert response.status_code == 200
    queue = response.json()["checks"]["queue"]
    assert queue["waiting"] == 2 and queue["late"] is True


def test_a_database_that_does_not_answer_is_503_with_the_reason():
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at db (10.0.0.9), port 5432 failed")

    with mock.patch.object(health, "connection") as connection:
        connection.cursor.side_effect = refuse
        response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["database"] == {
        "ok": False,
        "reason": "OperationalError: connection to server at db (10.0.0.9), port 5432 failed",
    }


def test_an_unusable_file_folder_is_503(settings, tmp_path):
    (tmp_path / "a-file").write_text("")
    settings.MEDIA_ROOT = str(tmp_path / "a-file" / "media")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert "is not a writable folder" in response.json()["checks"]["storage"]["reason"]


def test_a_storage_that_raises_is_reported_not_raised():
    class Unreachable:
        def exists(self, name):
            raise ConnectionError("Could not connect to the endpoint URL")

    result = health.check_storage(Unreachable())
    assert result == {
        "ok": False,
        "reason": "ConnectionError: Could not connect to the endpoint URL",
    }


def test_only_get_and_head():
    assert Client().post("/healthz").status_code == 405
    assert Client().head("/healthz").status_code == 200
