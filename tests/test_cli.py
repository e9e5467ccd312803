"""The ``handoff`` command, run as a newcomer would: in a fresh process."""

import os
import signal
import subprocess
import sys
import time

import pytest

SUBCOMMANDS = ["demo", "serve", "migrate", "createuser", "check", "manage", "worker"]


def handoff(*args, env=None, tmp_path=None):
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("HANDOFF_")
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
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
    assert "HANDOFF_SECRET_KEY and HANDOFF_ALLOWED_HOSTS" in result.stderr
    result = handoff("serve", tmp_path=tmp_path, env={"HANDOFF_SECRET_KEY": "x" * 60})
    assert "HANDOFF_ALLOWED_HOSTS" in result.stderr and result.returncode != 0


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


def test_demo_loads_once_and_prints_a_login(tmp_path):
    first = handoff("demo", "--no-serve", tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Demo organization loaded." in first.stdout
    assert "http://127.0.0.1:8000/" in first.stdout
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
    assert count.stdout.strip() == "9"


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
        self.stopped = False

    def poll(self):
        return 0 if self.stopped else None

    def terminate(self):
        self.stopped = True

    def wait(self, timeout=None):
        return 0


def test_demo_runs_a_worker_beside_the_server_and_stops_it(monkeypatch):
    import argparse

    import django.core.management

    from handoff import cli, demo

    started, commands = [], []

    def fake_popen(command, **kwargs):
        started.append(FakeProcess(command))
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
    assert started[0].stopped

    started.clear()
    cli.cmd_demo(argparse.Namespace(addrport="127.0.0.1:8000", no_serve=True))
    assert started == []
