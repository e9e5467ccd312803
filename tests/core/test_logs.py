"""Request ids on responses and log records; JSON lines with HANDOFF_LOG_FORMAT=json."""

import json
import logging
import os
import subprocess
import sys

from django.http import HttpResponse
from django.test import Client, RequestFactory

from handoff.core import logs


def test_every_response_carries_a_request_id_and_a_sane_incoming_one_is_kept(db):
    made = Client().get("/accounts/login/")["X-Request-ID"]
    assert len(made) == 32 and made != Client().get("/accounts/login/")["X-Request-ID"]
    kept = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="lb-7f3a.91_x")
    assert kept["X-Request-ID"] == "lb-7f3a.91_x"


def test_a_hostile_incoming_id_is_replaced(db):
    for hostile in ("a b", "x" * 65, "id\r\nSet-Cookie: a=b", "<script>", "ünï"):
        response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID=hostile)
        assert response["X-Request-ID"] != hostile and len(response["X-Request-ID"]) == 32


def test_records_written_while_serving_carry_the_id(caplog):
    caplog.handler.addFilter(logs.RequestIdFilter())
    logger = logging.getLogger("handoff.test")

    def view(request):
        logger.warning("served")
        return HttpResponse("ok")

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="abc")
    logs.RequestIdMiddleware(view)(request)
    logger.warning("after")
    ids = {record.getMessage(): record.request_id for record in caplog.records}
    assert ids == {"served": "abc", "after": "-"}


def test_json_logs_write_one_access_line_per_request_with_its_id(tmp_path):
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "Client().get('/accounts/login/', HTTP_X_REQUEST_ID='req-42')\n"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HANDOFF_")}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    environment.update(
        DJANGO_SETTINGS_MODULE="handoff.settings",
        HANDOFF_VAR_DIR=str(tmp_path),
        HANDOFF_LOG_FORMAT="json",
        HANDOFF_ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, timeout=60
    )
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    [access] = [line for line in lines if line["logger"] == "handoff.request"]
    assert access["request_id"] == "req-42" and access["status"] == 200
    assert access["method"] == "GET" and access["path"] == "/accounts/login/"
    assert access["level"] == "INFO" and "time" in access and access["user_id"] is None


def test_an_unknown_log_format_is_refused_with_the_choices(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HANDOFF_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="handoff.settings",
        HANDOFF_VAR_DIR=str(tmp_path),
        HANDOFF_LOG_FORMAT="xml",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert result.returncode != 0
    assert "HANDOFF_LOG_FORMAT must be one of text, json, not 'xml'." in result.stderr
