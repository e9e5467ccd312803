"""docs/deployment.md's "Two machines", run: two `handoff serve` and two `handoff worker`
processes, each with a var folder of its own (nothing shared on disk), on one PostgreSQL
database and one bucket (moto's S3 server). A W-9 uploaded through one web process downloads
through the other, both answer /healthz, and the two workers drain the one queue.

PostgreSQL only (the run with HANDOFF_DATABASE_URL set): SQLite is one machine's file."""

import json
import os
import socket
import subprocess
import sys
import time
import uuid

import boto3
import psycopg
import pytest
import requests
from cryptography.fernet import Fernet
from moto.server import ThreadedMotoServer

DATABASE_URL = os.environ.get("HANDOFF_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL (HANDOFF_DATABASE_URL)"
)

S3_KEYS = {"HANDOFF_S3_ACCESS_KEY_ID": "two-machines", "HANDOFF_S3_SECRET_ACCESS_KEY": "secret"}
PDF = b"%PDF-1.4 a W-9 signed on machine A"

SETUP = """
import json
from handoff.accounts import services as accounts
from handoff.accounts.principal import for_session
from handoff.providers import services as providers
user = accounts.create_user(email="olivia@acme.example", name="Olivia", password="x-Long-pass-9")
org = accounts.create_organization(user=user, name="Acme", slug="acme", time_zone="UTC",
                                   currency="USD", states=[])
principal = for_session(user, "acme")
provider = providers.create_provider(principal, data={"name": "Jordan Lee IT",
                                                      "kind": "individual", "status": "active"})
token, raw = accounts.create_api_token(principal, name="two machines")
print(json.dumps({"token": raw, "provider": provider.pk}))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(name: str) -> str:
    base, _, _ = DATABASE_URL.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture
def database():
    name = f"handoff_two_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield _database_url(name)
    with psycopg.connect(_database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def bucket():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_KEYS["HANDOFF_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_KEYS["HANDOFF_S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    ).create_bucket(Bucket="handoff-files")
    yield endpoint
    server.stop()


def _environment(machine_var, database, endpoint, site) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HANDOFF_")}
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        environment.pop(name, None)
    return (
        environment
        | S3_KEYS
        | {
            "HANDOFF_VAR_DIR": str(machine_var),
            "HANDOFF_DATABASE_URL": database,
            "HANDOFF_STORAGE_URL": "s3://handoff-files/production",
            "HANDOFF_S3_ENDPOINT_URL": endpoint,
            "HANDOFF_S3_REGION": "us-east-1",
            "HANDOFF_SECRET_KEY": "two-machines-" + "k" * 20 + "-Not-A-Real-Key-1234567890",
            "HANDOFF_ALLOWED_HOSTS": "127.0.0.1",
            "HANDOFF_SITE_URL": site,
            "HANDOFF_HTTPS": "false",
            "HANDOFF_TIN_KEYS": TIN_KEY,
            "HANDOFF_TIN_HASH_KEY": "two-machines-tin-hash-key",
            # Production refuses the never-issued test TINs unless told to accept them;
            # this test stores one rather than a number that could be someone's.
            "HANDOFF_TIN_ACCEPT_TEST_NUMBERS": "true",
        }
    )


TIN_KEY = Fernet.generate_key().decode()


def _handoff(args, environment, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "handoff.cli", *args],
        env=environment,
        cwd=environment["HANDOFF_VAR_DIR"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def _wait_healthy(base: str, process) -> dict:
    deadline = time.monotonic() + 180  # each first start collects the static files
    while True:
        try:
            return requests.get(f"{base}/healthz", timeout=2).json()
        except requests.RequestException:
            if process.poll() is not None:
                pytest.fail(f"a web process stopped: {process.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"{base} did not answer /healthz within 180 seconds")
            time.sleep(0.5)


def test_two_web_processes_and_two_workers_share_one_database_and_one_bucket(
    tmp_path, database, bucket
):
    ports = [_free_port(), _free_port()]
    sites = [f"http://127.0.0.1:{port}" for port in ports]
    machines = []
    for n in range(2):
        var = tmp_path / f"machine-{n}"
        var.mkdir()
        machines.append(_environment(var, database, bucket, sites[n]))

    migrate = subprocess.run(
        [sys.executable, "-m", "handoff.cli", "migrate", "--verbosity", "0"],
        env=machines[0], cwd=machines[0]["HANDOFF_VAR_DIR"], capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr
    setup = subprocess.run(
        [sys.executable, "-m", "handoff.cli", "manage", "shell", "-c", SETUP],
        env=machines[0], cwd=machines[0]["HANDOFF_VAR_DIR"], capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr
    made = json.loads(setup.stdout.strip().splitlines()[-1])
    auth = {"Authorization": f"Bearer {made['token']}"}

    processes = []
    try:
        for n in range(2):
            serve = ["serve", "--bind", f"127.0.0.1:{ports[n]}", "--workers", "1"]
            processes.append(_handoff(serve, machines[n]))
            processes.append(_handoff(["worker", "--interval", "0.5"], machines[n]))
        for n in range(2):
            health = _wait_healthy(sites[n], processes[2 * n])
            assert health["status"] == "ok", health
            assert health["checks"]["storage"]["ok"], health

        # A W-9 signed form uploaded through machine A ...
        fields = {
            "provider_id": made["provider"], "legal_name": "Jordan Lee",
            "tax_classification": "individual", "tin_type": "ssn", "tin": "900-00-1234",
            "street": "12 Elm St", "city": "Springfield", "state": "IL",
            "postal_code": "62701", "signed_on": "2025-01-10",
        }  # fmt: skip
        created = requests.post(
            f"{sites[0]}/api/v1/compliance/w9s",
            headers=auth,
            data=fields,
            files={"file": ("w9.pdf", PDF, "application/pdf")},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        # ... is read through machine B, which never had it on its disk.
        w9_id = created.json()["id"]
        downloaded = requests.get(
            f"{sites[1]}/api/v1/compliance/w9s/{w9_id}/file", headers=auth, timeout=30
        )
        assert downloaded.status_code == 200, downloaded.text
        assert downloaded.content == PDF
        assert not list((tmp_path / "machine-1").rglob("w9*"))

        # The two workers share the one queue: the sweeps each enqueued run, none fails.
        deadline = time.monotonic() + 120
        with psycopg.connect(database) as db:
            while True:
                states = dict(
                    db.execute(
                        "SELECT status, count(*) FROM django_tasks_database_dbtaskresult "
                        "GROUP BY status"
                    ).fetchall()
                )
                if states and set(states) <= {"SUCCESSFUL"}:
                    break
                assert "FAILED" not in states, states
                if time.monotonic() > deadline:
                    pytest.fail(f"the queue did not drain: {states}")
                time.sleep(1)
        for process in processes:
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
