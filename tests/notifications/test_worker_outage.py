"""``handoff worker`` rides out a database restart: a PostgreSQL cluster of the test's own (never
the shared server) is stopped under a running worker and started again; the worker stays up,
backs off, reconnects and runs the job enqueued after the restart.

It needs PostgreSQL's server programs (``initdb``, ``pg_ctl``); it runs in the PostgreSQL pass
of the suite (``HANDOFF_DATABASE_URL=postgres://…``) and is skipped on SQLite's.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.skipif(
    not os.environ.get("HANDOFF_DATABASE_URL", "").startswith("postgres"),
    reason="the PostgreSQL pass of the suite runs it",
)


def _server_program(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        pytest.fail(f"PostgreSQL's {name} is needed for this test (apt-get install postgresql)")
    return str(found)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL cluster in ``directory``, run by the ``postgres`` system user
    when the test runs as root (initdb refuses root)."""

    def __init__(self, directory: Path):
        self.directory = directory / "cluster"
        self.port = _free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.directory.mkdir()
        if self.as_owner:
            shutil.chown(self.directory, "postgres", "postgres")
        self.run(_server_program("initdb"), "-D", str(self.directory), "-A", "trust",
                 "-U", "postgres", "--no-sync")  # fmt: skip

    def run(self, *command: str) -> None:
        subprocess.run([*self.as_owner, *command], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(_server_program("pg_ctl"), "-D", str(self.directory), "-o", options,
                 "-l", str(self.directory / "log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self.run(_server_program("pg_ctl"), "-D", str(self.directory), "-m", "fast", "-w",
                 "stop")  # fmt: skip

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def cluster():
    # Outside pytest's own temporary folders, which only root may enter.
    home = Path(tempfile.mkdtemp(prefix="handoff-outage-"))
    home.chmod(0o755)
    made = Cluster(home)
    made.start()
    with psycopg.connect(made.url("postgres"), autocommit=True) as connection:
        connection.execute("CREATE DATABASE outage")
    yield made
    subprocess.run([*made.as_owner, _server_program("pg_ctl"), "-D", str(made.directory),
                    "-m", "immediate", "stop"], capture_output=True, check=False)  # fmt: skip
    shutil.rmtree(home, ignore_errors=True)


def _handoff(environment, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "handoff.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        **kwargs,
    )


ENQUEUE = "from handoff.notifications.jobs import send_emails; print(send_emails.enqueue([]).id)"


def _status(url: str, job_id: str) -> str | None:
    try:
        with psycopg.connect(url, connect_timeout=2) as connection:
            row = connection.execute(
                "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", [job_id]
            ).fetchone()
    except psycopg.OperationalError:
        return None
    return row[0] if row else None


def _wait_for(url: str, job_id: str, worker, seconds: float) -> str | None:
    deadline = time.monotonic() + seconds
    status = None
    while time.monotonic() < deadline and worker.poll() is None:
        status = _status(url, job_id)
        if status == "SUCCESSFUL":
            return status
        time.sleep(0.3)
    return status


def test_the_worker_rides_out_a_database_restart(cluster, tmp_path):
    url = cluster.url("outage")
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("HANDOFF_")
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.update(HANDOFF_DATABASE_URL=url, HANDOFF_VAR_DIR=str(tmp_path / "var"))
    migrated = _handoff(environment, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "handoff.cli", "worker", "--interval", "0.2"],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        before = _handoff(environment, "manage", "shell", "--no-imports", "-c", ENQUEUE)
        assert before.returncode == 0, before.stderr
        assert _wait_for(url, before.stdout.strip(), worker, 60) == "SUCCESSFUL"

        cluster.stop()
        time.sleep(4)  # the worker polls a database that is not there, several times
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        cluster.start()

        after = _handoff(environment, "manage", "shell", "--no-imports", "-c", ENQUEUE)
        assert after.returncode == 0, after.stderr
        assert _wait_for(url, after.stdout.strip(), worker, 90) == "SUCCESSFUL", (
            tmp_path / "worker.log"
        ).read_text()
        assert worker.poll() is None
        assert "the database is unreachable" in (tmp_path / "worker.log").read_text()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
