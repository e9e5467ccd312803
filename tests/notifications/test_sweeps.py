"""The sweep registry: each sweep starts once per interval, however many workers ask."""

import ast
import inspect
from datetime import UTC, datetime, timedelta

import pytest

from handoff.notifications import jobs, sweeps
from handoff.notifications.models import SweepRun

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def registry(monkeypatch):
    """An empty registry with one counting sweep, so the apps' real sweeps stay out of it."""
    monkeypatch.setattr(sweeps, "_registry", {})
    calls = []

    @sweep_every(minutes=5, name="tests.counting")
    def counting(now):
        calls.append(now)
        return len(calls)

    return calls


def sweep_every(**interval):
    name = interval.pop("name")
    return sweeps.sweep(every=timedelta(**interval), name=name)


def test_a_sweep_runs_when_due_and_not_again_within_its_interval(registry):
    assert jobs.run_due_sweeps(T0, enqueue=False) == ["tests.counting"]
    assert jobs.run_due_sweeps(T0 + timedelta(minutes=4), enqueue=False) == []
    assert jobs.run_due_sweeps(T0 + timedelta(minutes=5), enqueue=False) == ["tests.counting"]
    assert registry == [T0, T0 + timedelta(minutes=5)]
    run = SweepRun.objects.get(name="tests.counting")
    assert run.last_started_at == T0 + timedelta(minutes=5)
    assert run.last_result == 2 and run.last_error == ""


def test_two_workers_asking_at_once_start_it_once(registry):
    first = jobs.run_due_sweeps(T0, enqueue=False)
    second = jobs.run_due_sweeps(T0, enqueue=False)
    assert (first, second) == (["tests.counting"], [])
    assert len(registry) == 1


def test_enqueued_sweeps_run_after_the_commit_with_the_time_they_were_due(
    registry, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.run_due_sweeps(T0)
    assert registry == [] and len(callbacks) == 1
    callbacks[0]()
    assert registry == [T0]


def test_a_failing_sweep_is_recorded_and_the_others_still_run(registry):
    @sweep_every(minutes=1, name="tests.broken")
    def broken(now):
        raise RuntimeError("the database went away")

    assert jobs.run_due_sweeps(T0, enqueue=False) == ["tests.broken", "tests.counting"]
    assert SweepRun.objects.get(name="tests.broken").last_error == "the database went away"
    assert registry == [T0]
    # As a job (the worker's way) the failure marks that job failed, and only that one.
    failed = jobs.run_sweep.enqueue("tests.broken", (T0 + timedelta(minutes=1)).isoformat())
    jobs.run_sweep.enqueue("tests.counting", (T0 + timedelta(minutes=5)).isoformat())
    assert failed.status == "FAILED"
    assert len(registry) == 2


def test_a_sweep_unregistered_since_it_was_enqueued_does_nothing(registry):
    assert jobs.run_sweep.call("tests.gone", T0.isoformat()) == 0


def test_an_interval_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        sweeps.sweep(every=timedelta(0))


def test_the_apps_register_their_sweeps():
    names = {item.name for item in sweeps.registered()}
    assert {
        "notifications.webhook_retries",
        "notifications.email_retries",
        "notifications.daily_digest",
        "engagements.renewal_reminders",
        "providers.document_reminders",
    } <= names


def imported_modules(module) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.ImportFrom):
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_registry_does_not_import_the_jobs():
    """Jobs register sweeps and enqueue them; the registry stays below, so the two never
    import each other (not even inside a function)."""
    assert "handoff.notifications.jobs" not in imported_modules(sweeps)
    assert "handoff.notifications.sweeps" in imported_modules(jobs)
