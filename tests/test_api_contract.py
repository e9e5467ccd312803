"""The API's contract, checked by a tool nobody here wrote: schemathesis reads the live OpenAPI
document and calls every operation as the demo organization's owner, with the examples it
derives from the schemas (boundaries, wrong types, NUL characters, missing fields) and a
bounded number of generated ones. It fails on any 5xx, any response that does not match its
documented schema, any status code or media type the document does not list.

On PostgreSQL (the CI's second run) this also proves input the database cannot store is
refused with 422 rather than reaching it."""

import subprocess
import sys
from pathlib import Path

import pytest

from handoff import demo
from handoff.accounts import services as accounts
from handoff.accounts.models import Organization, User
from tests.factories import principal_for

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "content_type_conformance",
)


@pytest.mark.django_db(transaction=True)
def test_every_operation_keeps_its_documented_contract(live_server, tmp_path):
    assert demo.load() is True
    org = Organization.objects.get(slug=demo.ORG_SLUG)
    owner = User.objects.get(email=demo.LOGIN_EMAIL)
    _, token = accounts.create_api_token(principal_for(owner, org), name="contract")
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "2",
        "--seed",
        "1",
        "--workers",
        "1",
        "--checks",
        ",".join(CHECKS),
        "--no-color",
    ]
    # In a directory of its own: schemathesis keeps a replay cache where it runs.
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=1200, check=False, cwd=tmp_path
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-30_000:]
