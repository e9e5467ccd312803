"""The notifications API: my inbox and preferences for every member, webhooks for admins;
401 without a token, 403 below the least role, 404 for another organization's or person's
rows, 422 for bad input, with nothing changed."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from handoff.core.principal import Principal
from handoff.notifications import services
from handoff.notifications.events import Event
from handoff.notifications.models import (
    DeliveryStatus,
    EventPreference,
    Notification,
    NotificationSettings,
    Webhook,
    WebhookDelivery,
)
from tests.conftest import api_client_for
from tests.factories import principal_for
from tests.notifications.conftest import overdue

pytestmark = pytest.mark.django_db

API = "/api/v1"


def send(api, method, path, data=None):
    if method == "get":
        return api.get(path)
    if method == "post":
        return api.post(path, data)
    if method == "delete":
        return api.client.delete(path, **api.auth)
    return api.patch(path, data or {})


def error_fields(response) -> list[str]:
    assert response.status_code == 422, (response.status_code, response.content)
    return [error["field"] for error in response.json()["errors"]]


class TestInbox:
    def test_it_lists_mine_newest_first_with_the_unread_count(self, org, owner, viewer):
        overdue(org, users=[viewer], key="a", subject="First")
        overdue(org, users=[viewer], key="b", subject="Second")
        overdue(org, users=[owner], key="c", subject="Not mine")
        body = api_client_for(viewer, org).get(f"{API}/notifications").json()
        assert [n["subject"] for n in body["results"]] == ["Second", "First"]
        assert (body["count"], body["unread"]) == (2, 2)
        first = body["results"][0]
        assert first["event"] == "task_overdue" and first["url"] == "/o/acme/work/tasks/12/"
        assert first["read_at"] is None

    def test_mark_read_unread_all_and_the_unread_filter(self, org, viewer):
        first, *_ = overdue(org, users=[viewer], key="a")
        overdue(org, users=[viewer], key="b")
        api = api_client_for(viewer, org)
        response = api.post(f"{API}/notifications/{first.pk}/read")
        assert response.status_code == 200 and response.json()["read_at"]
        unread = api.get(f"{API}/notifications", unread="true").json()
        assert (unread["count"], unread["unread"]) == (1, 1)
        assert api.post(f"{API}/notifications/{first.pk}/unread").json()["read_at"] is None
        assert api.post(f"{API}/notifications/read-all").json() == {"marked": 2}
        assert api.get(f"{API}/notifications").json()["unread"] == 0

    def test_pages_are_checked(self, org, viewer):
        api = api_client_for(viewer, org)
        assert error_fields(api.get(f"{API}/notifications", page=0)) == ["page"]
        assert error_fields(api.get(f"{API}/notifications", per_page=500)) == ["per_page"]

    def test_someone_elses_and_another_organizations_are_404(
        self, org, owner, viewer, other_org, outsider
    ):
        (theirs,) = overdue(org, users=[owner])
        (foreign,) = overdue(other_org, users=[outsider])
        api = api_client_for(viewer, org)
        for row in (theirs, foreign):
            for action in ("read", "unread"):
                response = api.post(f"{API}/notifications/{row.pk}/{action}")
                assert response.status_code == 404
                assert response.json()["detail"] == "Not found."
        assert not Notification.objects.filter(read_at__isnull=False).exists()

    def test_the_list_costs_the_same_queries_for_3_as_for_30(self, org, viewer):
        api = api_client_for(viewer, org)
        for index in range(3):
            overdue(org, users=[viewer], key=f"a{index}")
        api.get(f"{API}/notifications")
        with CaptureQueriesContext(connection) as few:
            api.get(f"{API}/notifications")
        for index in range(27):
            overdue(org, users=[viewer], key=f"b{index}")
        with CaptureQueriesContext(connection) as many:
            assert api.get(f"{API}/notifications").json()["count"] == 30
        assert len(few) == len(many)

    def test_without_a_token_it_is_401(self):
        response = Client().get(f"{API}/notifications")
        assert response.status_code == 401
        assert response.json()["detail"].startswith("Send a valid API token")


class TestPreferences:
    def test_defaults_then_a_partial_change(self, org, viewer):
        api = api_client_for(viewer, org)
        body = api.get(f"{API}/notifications/preferences").json()
        assert (body["due_soon_hours"], body["daily_digest"]) == (24, False)
        assert len(body["events"]) == len(Event)
        assert all(row["in_app"] and row["email"] for row in body["events"])
        response = api.patch(
            f"{API}/notifications/preferences",
            {"due_soon_hours": 8, "events": [{"event": "task_overdue", "email": False}]},
        )
        assert response.status_code == 200, response.content
        body = response.json()
        choice = next(row for row in body["events"] if row["event"] == "task_overdue")
        assert (choice["in_app"], choice["email"], body["due_soon_hours"]) == (True, False, 8)
        assert services.due_soon_hours(Principal.system(org), viewer) == 8

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"due_soon_hours": 0}, "due_soon_hours"),
            ({"due_soon_hours": 10_000}, "due_soon_hours"),
            ({"events": [{"event": "nonsense", "email": False}]}, "events.0.event"),
            ({"daily_digest": "maybe"}, "daily_digest"),
        ],
    )
    def test_bad_input_is_422_and_changes_nothing(self, org, viewer, body, field):
        api = api_client_for(viewer, org)
        assert field in error_fields(api.patch(f"{API}/notifications/preferences", body))
        assert not NotificationSettings.objects.exists()
        assert not EventPreference.objects.exists()


WEBHOOK = {
    "name": "#books",
    "url": "https://hooks.slack.example/services/T/B/x",
    "format": "slack",
    "events": ["task_overdue"],
}


class TestWebhooks:
    def test_create_read_update_test_and_delete(self, org, admin, chat):
        api = api_client_for(admin, org)
        response = api.post(f"{API}/webhooks", WEBHOOK)
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["events"] == ["task_overdue"] and created["active"] is True
        webhook_id = created["id"]
        assert [w["id"] for w in api.get(f"{API}/webhooks").json()] == [webhook_id]
        response = api.patch(f"{API}/webhooks/{webhook_id}", {"format": "teams"})
        assert response.json()["format"] == "teams" and response.json()["name"] == "#books"
        test = api.post(f"{API}/webhooks/{webhook_id}/test").json()
        assert test["status"] == "sent" and test["event"] == ""
        assert test["payload"]["text"].startswith("**Test message from Handoff**")
        deliveries = api.get(f"{API}/webhooks/{webhook_id}/deliveries").json()
        assert deliveries["count"] == 1
        response = send(api, "delete", f"{API}/webhooks/{webhook_id}")
        assert response.status_code == 204
        assert not Webhook.objects.exists()

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"url": "http://hooks.example/"}, "url"),
            ({"events": []}, "events"),
            ({"events": ["nonsense"]}, "events.0"),
            ({"format": "irc"}, "format"),
            ({"name": ""}, "name"),
        ],
    )
    def test_bad_webhooks_are_422_and_nothing_is_saved(self, org, admin, body, field):
        api = api_client_for(admin, org)
        assert field in error_fields(api.post(f"{API}/webhooks", {**WEBHOOK, **body}))
        assert not Webhook.objects.exists()

    def test_a_bad_edit_is_422_and_changes_nothing(self, org, admin, webhook):
        api = api_client_for(admin, org)
        for body in ({"url": "ftp://x.example/"}, {"name": None}, {"events": []}):
            assert error_fields(api.patch(f"{API}/webhooks/{webhook.pk}", body))
        webhook.refresh_from_db()
        assert webhook.name == "#bookkeeping" and webhook.url.startswith("https://")

    def test_deliveries_filter_and_retry(self, org, owner, admin, webhook, chat):
        chat.failures = [TimeoutError()]
        api = api_client_for(admin, org)
        overdue(org, users=[owner])
        row = WebhookDelivery.objects.get()
        api.post(f"{API}/webhooks/{webhook.pk}/deliveries/{row.pk}/retry")
        pending = api.get(f"{API}/webhooks/{webhook.pk}/deliveries", status="pending").json()
        assert pending["results"][0]["last_error"] == "No answer within 5 seconds."
        assert api.get(f"{API}/webhooks").json()[0]["pending_count"] == 1
        retried = api.post(f"{API}/webhooks/{webhook.pk}/deliveries/{row.pk}/retry").json()
        assert retried["status"] == DeliveryStatus.SENT and retried["attempts"] == 2
        again = api.post(f"{API}/webhooks/{webhook.pk}/deliveries/{row.pk}/retry")
        assert error_fields(again) == ["status"]

    def test_the_lists_cost_the_same_queries_for_few_and_many(self, org, owner, admin, chat):
        api = api_client_for(admin, org)

        def make(count, start):
            for index in range(start, start + count):
                webhook = services.create_webhook(
                    principal_for(owner, org), **{**WEBHOOK, "name": f"#{index}"}
                )
                overdue(org, users=[owner], key=f"k{index}")
            return webhook

        webhook = make(2, 0)
        api.get(f"{API}/webhooks")

        def counts():
            with CaptureQueriesContext(connection) as listing:
                api.get(f"{API}/webhooks")
            with CaptureQueriesContext(connection) as deliveries:
                api.get(f"{API}/webhooks/{webhook.pk}/deliveries")
            return len(listing), len(deliveries)

        before = counts()
        make(10, 2)
        assert counts() == before


# --- Permissions ------------------------------------------------------------------------------
WEBHOOK_ENDPOINTS = [
    ("get", "/webhooks"),
    ("post", "/webhooks"),
    ("get", "/webhooks/{w}"),
    ("patch", "/webhooks/{w}"),
    ("delete", "/webhooks/{w}"),
    ("post", "/webhooks/{w}/test"),
    ("get", "/webhooks/{w}/deliveries"),
    ("post", "/webhooks/{w}/deliveries/{d}/retry"),
]


@pytest.fixture
def rows(org, owner, webhook, chat):
    overdue(org, users=[owner])
    return {"w": webhook.pk, "d": WebhookDelivery.objects.get().pk}


def body_for(method):
    return {"post": WEBHOOK, "patch": {"name": "#renamed"}}.get(method)


@pytest.mark.parametrize(("method", "path"), WEBHOOK_ENDPOINTS)
def test_a_manager_gets_403_and_changes_nothing(org, manager, rows, method, path):
    api = api_client_for(manager, org)
    response = send(api, method, API + path.format(**rows), body_for(method))
    assert response.status_code == 403, response.content
    assert "admin role or higher" in response.json()["detail"]
    assert Webhook.objects.get().name == "#bookkeeping"
    assert WebhookDelivery.objects.get().attempts == 0


@pytest.mark.parametrize(("method", "path"), WEBHOOK_ENDPOINTS)
def test_an_admin_gets_through(org, admin, rows, method, path):
    api = api_client_for(admin, org)
    response = send(api, method, API + path.format(**rows), body_for(method))
    assert response.status_code in (200, 201, 204), response.content


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in WEBHOOK_ENDPOINTS if "{" in p])
def test_another_organizations_webhook_is_404(org, admin, other_org, outsider, chat, method, path):
    foreign = services.create_webhook(principal_for(outsider, other_org), **WEBHOOK)
    overdue(other_org, users=[outsider])
    ids = {"w": foreign.pk, "d": WebhookDelivery.objects.get().pk}
    api = api_client_for(admin, org)
    response = send(api, method, API + path.format(**ids), body_for(method))
    assert response.status_code == 404, response.content
    foreign.refresh_from_db()
    assert foreign.name == "#books"
    assert WebhookDelivery.objects.get().attempts == 0
    assert api.get(f"{API}/webhooks").json() == []


def test_a_delivery_of_another_webhook_is_404(org, owner, admin, rows):
    other = services.create_webhook(principal_for(owner, org), **WEBHOOK)
    api = api_client_for(admin, org)
    response = api.post(f"{API}/webhooks/{other.pk}/deliveries/{rows['d']}/retry")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/notifications"),
        ("post", "/notifications/read-all"),
        ("get", "/notifications/preferences"),
        ("patch", "/notifications/preferences"),
    ],
)
def test_a_viewer_uses_their_own_inbox_and_preferences(org, viewer, method, path):
    api = api_client_for(viewer, org)
    assert send(api, method, API + path, {"daily_digest": True}).status_code == 200
