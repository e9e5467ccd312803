"""The ``handoff`` command, run as a newcomer would: in a fresh process."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SUBCOMMANDS = [
    "demo",
    "serve",
    "migrate",
    "createuser",
    "check",
    "manage",
    "worker",
    "backup",
    "restore",
]


def handoff(*args, env=None, tmp_path=None):
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("HANDOFF_")
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    # Set by the browser tests' Playwright in this process; never by an operator.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if tmp_path is not None:
        environment["HANDOFF_VAR_DIR"] = str(tmp_path / "var")
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "handoff.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )


def test_help_lists_every_subcommand(tmp_path):
    result = handoff("--help", tmp_path=tmp_path)
    assert result.returncode == 0
    for name in SUBCOMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_help(tmp_path, name):
    result = handoff(name, "--help", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "usage" in result.stdout.lower() or "subcommands" in result.stdout.lower()
    assert "not implemented" not in result.stdout.lower()


def test_serve_refuses_without_a_secret_key_and_hosts(tmp_path):
    result = handoff("serve", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "HANDOFF_SECRET_KEY, HANDOFF_ALLOWED_HOSTS and HANDOFF_SITE_URL" in result.stderr
    result = handoff("serve", tmp_path=tmp_path, env={"HANDOFF_SECRET_KEY": "x" * 60})
    assert "HANDOFF_ALLOWED_HOSTS and HANDOFF_SITE_URL" in result.stderr
    assert result.returncode != 0


def test_serve_refuses_without_a_site_url(tmp_path):
    result = handoff(
        "serve",
        tmp_path=tmp_path,
        env={"HANDOFF_SECRET_KEY": "x" * 60, "HANDOFF_ALLOWED_HOSTS": "handoff.example.com"},
    )
    assert result.returncode != 0
    assert "Production needs HANDOFF_SITE_URL set" in result.stderr


def test_a_site_url_that_is_not_an_address_is_refused(tmp_path):
    result = handoff("check", tmp_path=tmp_path, env={"HANDOFF_SITE_URL": "handoff.example.com"})
    assert result.returncode != 0
    assert "HANDOFF_SITE_URL must be an address" in result.stderr


def test_serve_refuses_a_worker_count_that_is_not_a_number(tmp_path):
    production = {
        "HANDOFF_SECRET_KEY": "x" * 60,
        "HANDOFF_ALLOWED_HOSTS": "handoff.example.com",
        "HANDOFF_SITE_URL": "https://handoff.example.com",
    }
    result = handoff("serve", tmp_path=tmp_path, env={**production, "HANDOFF_WORKERS": "two"})
    assert result.returncode != 0
    assert "handoff: HANDOFF_WORKERS must be a whole number, not 'two'." in result.stderr


def test_the_command_reads_no_setting_from_the_environment():
    """Settings own every HANDOFF_ variable; the command only passes its choices on (the
    demo's address, production mode) before the settings load."""
    from handoff import cli

    source = Path(cli.__file__).read_text()
    for reading in ("environ.get(", "getenv(", "in os.environ"):
        assert reading not in source


def test_serve_never_uses_the_demos_generated_key(tmp_path):
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret_key").write_text("generated-by-the-demo")
    result = handoff("serve", tmp_path=tmp_path, env={"HANDOFF_ALLOWED_HOSTS": "example.com"})
    assert result.returncode != 0 and "HANDOFF_SECRET_KEY" in result.stderr


def test_check_lists_what_production_lacks(tmp_path):
    result = handoff("check", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "HANDOFF_SECRET_KEY is not set" in result.stdout
    assert "HANDOFF_DATABASE_URL is not set" in result.stdout
    assert "HANDOFF_EMAIL_HOST is not set" in result.stdout
    assert "HANDOFF_SITE_URL is not set; 'handoff serve' refuses to start without it." in (
        result.stdout
    )


def test_check_is_satisfied_about_the_site_url_once_it_is_set(tmp_path):
    result = handoff(
        "check", tmp_path=tmp_path, env={"HANDOFF_SITE_URL": "https://handoff.example.com"}
    )
    assert result.returncode == 1  # other things are still missing
    assert "HANDOFF_SITE_URL" not in result.stdout


POSTGRES_URL = os.environ.get("HANDOFF_DATABASE_URL", "")


@pytest.mark.skipif(
    not POSTGRES_URL.startswith("postgres"), reason="a production database answers: PostgreSQL"
)
def test_check_is_ready_with_a_complete_configuration(tmp_path):
    """The configuration docs/deployment.md lists passes, Django's deployment checks and a
    database that answers included (the server's own ``postgres`` database); an unreachable
    database is named with the reason."""
    complete = {
        "HANDOFF_SECRET_KEY": "k" * 20 + "-Not-A-Real-Key-But-Long-And-Varied-1234567890",
        "HANDOFF_ALLOWED_HOSTS": "handoff.example.com",
        "HANDOFF_SITE_URL": "https://handoff.example.com",
        "HANDOFF_DATABASE_URL": POSTGRES_URL.rsplit("/", 1)[0] + "/postgres",
        "HANDOFF_EMAIL_HOST": "smtp.example.com",
        "HANDOFF_TIN_KEYS": "Yk1vQ2V6cVdHS3J3dE5SQzR6b0ZtS3l1b0pQZ2FZbVE=",
        "HANDOFF_TIN_HASH_KEY": "a-long-random-key-for-the-keyed-tin-hash",
        "HANDOFF_SIGNING_KEY_PASSPHRASE": "a-long-random-passphrase-for-the-seal-key",
        "HANDOFF_HSTS_SECONDS": "31536000",
    }
    result = handoff("check", tmp_path=tmp_path, env=complete)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Ready for production." in result.stdout
    without_hsts = handoff(
        "check", tmp_path=tmp_path, env={**complete, "HANDOFF_HSTS_SECONDS": "0"}
    )
    assert without_hsts.returncode == 1 and "SECURE_HSTS_SECONDS" in without_hsts.stdout
    unreachable = handoff(
        "check",
        tmp_path=tmp_path,
        env={**complete, "HANDOFF_DATABASE_URL": "postgres://handoff@db.invalid:5432/handoff"},
    )
    assert unreachable.returncode == 1
    assert "The database does not answer: OperationalError" in unreachable.stdout


def test_check_names_an_unreachable_database_and_an_unusable_file_folder(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    media = tmp_path / "a-file" / "media"
    result = handoff(
        "check",
        tmp_path=tmp_path,
        env={
            "HANDOFF_DATABASE_URL": "postgres://handoff@db.invalid:5432/handoff",
            "HANDOFF_MEDIA_ROOT": str(media),
        },
    )
    assert result.returncode == 1
    assert "The database does not answer: OperationalError" in result.stdout
    assert f"{tmp_path / 'a-file'} is not a writable folder" in result.stdout


def test_demo_loads_once_and_prints_a_login(tmp_path):
    first = handoff("demo", "--no-serve", tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Demo organization loaded." in first.stdout
    assert "http://127.0.0.1:8000/" in first.stdout
    assert "Links in e-mails point at http://127.0.0.1:8000/" in first.stdout
    assert "maria@maplestreetdental.example / handoff-demo" in first.stdout
    assert (tmp_path / "var" / "handoff.sqlite3").exists()
    second = handoff("demo", "--no-serve", tmp_path=tmp_path)
    assert "already there; nothing duplicated" in second.stdout
    count = handoff(
        "manage",
        "shell",
        "--no-imports",
        "-c",
        "from handoff.providers.models import Provider; print(Provider.objects.count())",
        tmp_path=tmp_path,
    )
    assert count.stdout.strip() == "10"


def test_createuser_makes_the_first_owner_and_refuses_bad_input(tmp_path):
    handoff("migrate", "--verbosity", "0", tmp_path=tmp_path)
    result = handoff(
        "createuser",
        "--email",
        "boss@example.com",
        "--name",
        "Bo Ss",
        "--password",
        "Long-enough-pw-42",
        "--organization",
        "Bo's Bakery",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "owner of Bo's Bakery (/o/bos-bakery/)" in result.stdout
    again = handoff(
        "createuser",
        "--email",
        "boss@example.com",
        "--name",
        "Bo",
        "--password",
        "Long-enough-pw-42",
        tmp_path=tmp_path,
    )
    assert again.returncode == 2
    assert "email: An account with this e-mail address already exists." in again.stderr
    weak = handoff(
        "createuser",
        "--email",
        "w@example.com",
        "--name",
        "W",
        "--password",
        "123",
        "--organization",
        "Weak Co",
        tmp_path=tmp_path,
    )
    assert weak.returncode == 2 and "too short" in weak.stderr
    assert "nothing was created" in weak.stderr
    scripted = handoff(
        "createuser",
        "--email",
        "script@example.com",
        "--name",
        "Scripted",
        tmp_path=tmp_path,
        env={"HANDOFF_NEW_USER_PASSWORD": "Long-enough-pw-42"},
    )
    assert scripted.returncode == 0, scripted.stderr


def test_worker_batch_runs_the_due_sweeps_and_stops(tmp_path):
    handoff("migrate", "--verbosity", "0", tmp_path=tmp_path)
    result = handoff("worker", "--batch", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    runs = handoff(
        "manage",
        "shell",
        "--no-imports",
        "-c",
        "from handoff.notifications.models import SweepRun; "
        "print(sorted(SweepRun.objects.exclude(last_finished_at=None)"
        ".values_list('name', flat=True)))",
        tmp_path=tmp_path,
    )
    assert "engagements.renewal_reminders" in runs.stdout
    assert "notifications.webhook_retries" in runs.stdout
    again = handoff("worker", "--batch", tmp_path=tmp_path)
    assert "none due" in again.stderr + again.stdout


def test_worker_stops_cleanly_on_sigterm(tmp_path):
    handoff("migrate", "--verbosity", "0", tmp_path=tmp_path)
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("HANDOFF_")
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment["HANDOFF_VAR_DIR"] = str(tmp_path / "var")
    worker = subprocess.Popen(
        [sys.executable, "-m", "handoff.cli", "worker", "--interval", "0.2"],
        env=environment,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        line = ""
        while "polling every" not in line and time.monotonic() < deadline:
            line = worker.stdout.readline()
        assert "polling every" in line
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def test_worker_refuses_a_bad_interval(tmp_path):
    result = handoff("worker", "--interval", "0", tmp_path=tmp_path)
    assert result.returncode == 2 and "above 0" in result.stderr


class FakeProcess:
    def __init__(self, command, **kwargs):
        self.command = command
        self.kwargs = kwargs
        self.stopped = False
        self.pid = 2**22 + 1  # no such process group: killing it is a no-op

    def poll(self):
        return 0 if self.stopped else None

    def terminate(self):
        self.stopped = True

    def wait(self, timeout=None):
        return 0


def test_demo_runs_a_worker_beside_the_server_and_stops_it(monkeypatch):
    monkeypatch.setenv("HANDOFF_DEMO_ADDRESS", "127.0.0.1:8000")  # restored afterwards
    import argparse

    import django.core.management

    from handoff import cli, demo

    started, commands = [], []

    def fake_popen(command, **kwargs):
        started.append(FakeProcess(command, **kwargs))
        return started[-1]

    def fake_call_command(name, *args, **kwargs):
        commands.append(name)
        if name == "runserver":
            assert started and not started[0].stopped
            raise KeyboardInterrupt

    monkeypatch.setattr(cli.subprocess, "Popen", fake_popen)
    monkeypatch.setattr(django.core.management, "call_command", fake_call_command)
    monkeypatch.setattr(demo, "load", lambda: False)
    args = argparse.Namespace(addrport="127.0.0.1:8000", no_serve=False)
    with pytest.raises(KeyboardInterrupt):
        cli.cmd_demo(args)
    assert commands == ["migrate", "runserver"]
    assert started[0].command[-2:] == ["handoff.cli", "worker"]
    assert started[0].kwargs == {"start_new_session": True}
    assert started[0].stopped

    started.clear()
    cli.cmd_demo(argparse.Namespace(addrport="127.0.0.1:8000", no_serve=True))
    assert started == []


# --- The demo serves and links at its address, and stops cleanly -------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(tmp_path, **extra):
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("HANDOFF_")
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment["HANDOFF_VAR_DIR"] = str(tmp_path / "var")
    environment.update(extra)
    return environment


def _descendants(pid: int) -> set[int]:
    """Every living process below ``pid`` (read from /proc; psutil is not a dependency)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] == "Z":  # a zombie has ended; only its parent's wait is missing
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _wait_until_it_answers(url: str, process, deadline: float) -> None:
    import urllib.error
    import urllib.request

    while time.monotonic() < deadline:
        assert process.poll() is None, "the demo stopped before it served"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status < 500:
                    return
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the demo did not answer at {url}")


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_demo_stops_with_its_worker_and_leaves_nothing_behind(tmp_path, stop):
    handoff("demo", "--no-serve", tmp_path=tmp_path)  # the data, loaded once
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "handoff.cli", "demo", "--addrport", f"127.0.0.1:{port}"],
        env=_environment(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # As at a terminal: a test run started in the background (``pytest &``) hands its
        # children an ignored SIGINT, and a process that inherits it rightly keeps ignoring it.
        preexec_fn=_default_sigint,
    )
    try:
        deadline = time.monotonic() + 90
        _wait_until_it_answers(f"http://127.0.0.1:{port}/accounts/login/", process, deadline)
        while not _descendants(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        below = _descendants(process.pid)
        assert below, "the demo started no worker"
        for pid in below:  # the worker's e-mails link where the demo serves
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            assert f"HANDOFF_DEMO_ADDRESS=127.0.0.1:{port}".encode() in environ
        process.send_signal(stop)
        # A bound on a hang, not a speed: the worker gets 10 s to finish its job in hand, and a
        # loaded 2-core machine stretches the rest.
        assert process.wait(timeout=60) == 0
        time.sleep(0.5)
        assert [pid for pid in below if _alive(pid)] == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid in _descendants(process.pid) | locals().get("below", set()):
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_the_demo_links_at_the_address_it_serves(tmp_path):
    port = _free_port()
    result = handoff("demo", "--no-serve", "--addrport", f"localhost:{port}", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Handoff is at  http://localhost:{port}/" in result.stdout
    assert f"Links in e-mails point at http://localhost:{port}/" in result.stdout
    link = handoff(
        "manage",
        "shell",
        "--no-imports",
        "-c",
        "from handoff.accounts.services import invitation_url; print(invitation_url('t'))",
        tmp_path=tmp_path,
    )
    # Outside the demo the default stays; the demo's own server and worker get its address:
    assert link.stdout.strip().startswith("http://127.0.0.1:8000/")
    explicit = handoff(
        "demo",
        "--no-serve",
        "--addrport",
        f"localhost:{port}",
        tmp_path=tmp_path,
        env={"HANDOFF_SITE_URL": "https://handoff.example.com"},
    )
    assert "Links in e-mails point at https://handoff.example.com/" in explicit.stdout
    everywhere = handoff("demo", "--no-serve", "--addrport", f"0.0.0.0:{port}", tmp_path=tmp_path)
    assert "Serving on every address: set HANDOFF_SITE_URL" in everywhere.stdout


def test_the_demos_address_is_an_allowed_host_and_the_default_site_url(tmp_path):
    shown = handoff(
        "manage",
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.ALLOWED_HOSTS, settings.SITE_URL)",
        tmp_path=tmp_path,
        env={"HANDOFF_DEMO_ADDRESS": "192.0.2.5:8080"},
    )
    assert shown.stdout.strip() == (
        "['127.0.0.1', 'localhost', '[::1]', '192.0.2.5'] http://192.0.2.5:8080"
    )


def test_the_demo_starts_its_worker_again_when_it_exits():
    """A worker that exits on its own (a fault it could not ride out) is started again after
    a pause; stopping the demo stops it for good."""
    from handoff.cli import Supervised

    worker = Supervised(
        [sys.executable, "-c", "import time; time.sleep(60)"], name="worker", pause=0.2
    )
    worker.start()
    try:
        first = worker.process
        first.kill()
        deadline = time.monotonic() + 20
        while worker.process is first and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker.process is not first and worker.restarts == 1
        assert worker.process.poll() is None
    finally:
        worker.stop()
    assert worker.process.poll() is not None
    time.sleep(0.5)
    assert worker.restarts == 1  # nothing started after the stop


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_with_two_workers_answers_health_and_metrics_for_both(tmp_path):
    """`handoff serve` as docs/deployment.md runs it: gunicorn with two workers, whose
    Prometheus counts /metrics adds up whichever worker a scrape reaches."""
    import urllib.request

    port = _free_port()
    production = {
        "HANDOFF_SECRET_KEY": "k" * 20 + "-Not-A-Real-Key-But-Long-And-Varied-1234567890",
        "HANDOFF_ALLOWED_HOSTS": "127.0.0.1",
        "HANDOFF_SITE_URL": f"http://127.0.0.1:{port}",
        "HANDOFF_HTTPS": "false",
        "HANDOFF_METRICS_TOKEN": "scrape-token",
        "HANDOFF_LOG_FORMAT": "json",
    }
    assert handoff("migrate", tmp_path=tmp_path, env=production).returncode == 0
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HANDOFF_")}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    environment.update(production, HANDOFF_VAR_DIR=str(tmp_path / "var"))
    server = subprocess.Popen(
        [sys.executable, "-m", "handoff.cli", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "2"],
        env=environment, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        # The first start collects and compresses the static files (20 s and more on a busy
        # 2-core machine) before gunicorn listens; wait for it, not for a fixed count of tries.
        deadline = time.monotonic() + 120
        while True:
            try:
                health = urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"handoff serve stopped: {server.stderr.read().decode()[-2000:]}")
                if time.monotonic() > deadline:
                    pytest.fail("handoff serve did not answer /healthz within 120 seconds")
                time.sleep(0.2)
        assert json.loads(health.read())["status"] == "ok"
        for _ in range(12):
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=5)  # noqa: S310
        scrape = urllib.request.Request(  # noqa: S310
            f"{base}/metrics", headers={"Authorization": "Bearer scrape-token"}
        )
        counted = []
        for _ in range(6):
            text = urllib.request.urlopen(scrape, timeout=5).read().decode()  # noqa: S310
            line = next(
                line
                for line in text.splitlines()
                if line.startswith('django_http_responses_total_by_status_total{status="200"}')
            )
            counted.append(float(line.split()[-1]))
        assert min(counted) >= 12, counted
        assert list((tmp_path / "var" / "prometheus").glob("*.db"))
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_collects_static_files_only_when_they_changed(settings, tmp_path):
    """A restart with nothing changed skips collectstatic (it took 20 s and more); a changed
    file, or another storage, collects again."""
    from handoff.cli import _collect_static

    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "site.css").write_text("body { color: black }")
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, extra]
    runs = []

    def collectstatic(*args, **kwargs):
        runs.append(args)
        (settings.STATIC_ROOT / "staticfiles.json").write_text("{}")

    assert _collect_static(settings, collectstatic) is True
    assert _collect_static(settings, collectstatic) is False
    (extra / "site.css").write_text("body { color: navy }")
    assert _collect_static(settings, collectstatic) is True
    assert _collect_static(settings, collectstatic) is False
    (settings.STATIC_ROOT / "staticfiles.json").unlink()  # collected files gone: collect
    assert _collect_static(settings, collectstatic) is True
    assert len(runs) == 3


def test_an_archive_restores_into_a_new_installation_only_with_its_tin_keys(tmp_path):
    """A fresh installation (its own database and generated keys) refuses the archive of
    tests/core/fixtures, whose TINs are under other keys, and changes nothing; given those
    keys, it restores the organization and its people log in."""
    from django.conf import settings

    from handoff import settings_test  # noqa: F401 - the keys the fixture's TINs are under

    archive = Path(__file__).parent / "core" / "fixtures" / "backup-0.1.0.zip"
    assert handoff("migrate", tmp_path=tmp_path).returncode == 0

    refused = handoff("restore", str(archive), tmp_path=tmp_path)
    assert refused.returncode == 1
    assert "key this installation does not hold" in refused.stderr
    assert "Nothing was restored." in refused.stderr

    keys = {"HANDOFF_TIN_KEYS": settings.TIN_KEYS[0], "HANDOFF_TIN_HASH_KEY": settings.TIN_HASH_KEY}
    restored = handoff("restore", str(archive), tmp_path=tmp_path, env=keys)
    assert restored.returncode == 0, restored.stderr
    assert "Restored maple-street-dental as maple-street-dental." in restored.stdout
    login = handoff(
        "manage",
        "shell",
        "-c",
        "from handoff.accounts.models import User; "
        "maria = User.objects.get(email='maria@maplestreetdental.example'); "
        "print(maria.name, maria.check_password('handoff-demo'))",
        tmp_path=tmp_path,
        env=keys,
    )
    assert login.stdout.strip().endswith("Maria Chen True"), login.stderr
