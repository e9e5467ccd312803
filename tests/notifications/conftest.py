import pytest

from handoff.notifications import delivery, services
from handoff.notifications.events import Event
from tests.factories import principal_for


class FakeChat:
    """Stands in for ``delivery.post_json``: records each post, answers or fails as told."""

    def __init__(self):
        self.posts = []
        self.failures = []  # exceptions to raise, one per call, before succeeding

    def __call__(self, url, payload, timeout=delivery.WEBHOOK_TIMEOUT_SECONDS):
        self.posts.append((url, payload))
        if self.failures:
            raise self.failures.pop(0)
        return 200


@pytest.fixture
def chat(monkeypatch):
    fake = FakeChat()
    monkeypatch.setattr(delivery, "post_json", fake)
    return fake


@pytest.fixture
def webhook(org, owner):
    return services.create_webhook(
        principal_for(owner, org),
        name="#bookkeeping",
        url="https://hooks.slack.example/services/T0/B0/secret",
        format="slack",
        events=[Event.TASK_OVERDUE, Event.RENEWAL_DUE],
    )


def overdue(org, **overrides):
    """notify() about an overdue task, as the work app would."""
    arguments = {
        "organization": org,
        "event": Event.TASK_OVERDUE,
        "subject": "Task 12 is overdue",
        "body": "Monthly close was due yesterday.",
        "url": f"/o/{org.slug}/work/tasks/12/",
        "key": "task:12:overdue",
    }
    arguments.update(overrides)
    return services.notify(**arguments)
