"""The inbox, preferences and webhook pages: who gets in, what they do, and nothing leaks
between organizations or people."""

import socket

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handoff.core.models import AuditEvent
from handoff.core.principal import Principal
from handoff.notifications import egress, services
from handoff.notifications.events import Event
from handoff.notifications.models import (
    DeliveryStatus,
    EventPreference,
    Notification,
    NotificationSettings,
    Webhook,
    WebhookDelivery,
)
from tests.conftest import client_for
from tests.factories import (
    ContactFactory,
    ProviderFactory,
    UserFactory,
    portal_login,
    principal_for,
)
from tests.notifications.conftest import overdue


def _info(address: str, port: int) -> tuple:
    """One ``getaddrinfo`` answer for ``address``."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return (family, socket.SOCK_STREAM, 6, "", (address, port))


pytestmark = pytest.mark.django_db


def url(name, org, *args):
    return reverse(f"notifications:{name}", args=[org.slug, *args])


class TestInbox:
    def test_it_lists_my_notifications_newest_first_with_the_unread_count(self, org, owner, member):
        overdue(org, users=[member], key="a", subject="First")
        overdue(org, users=[member], key="b", subject="Second")
        overdue(org, users=[owner], key="c", subject="Not mine")
        page = client_for(member).get(url("inbox", org)).content.decode()
        assert page.index("Second") < page.index("First")
        assert "Not mine" not in page
        assert 'title="2 unread"' in page

    def test_opening_one_marks_it_read_and_follows_its_link(self, org, member):
        (notification,) = overdue(org, users=[member])
        response = client_for(member).get(url("open", org, notification.pk))
        assert response.status_code == 302
        assert response["Location"] == "/o/acme/work/tasks/12/"
        notification.refresh_from_db()
        assert notification.read_at is not None

    def test_a_link_to_another_site_is_not_followed(self, org, member):
        (notification,) = overdue(org, users=[member], url="https://evil.example/")
        response = client_for(member).get(url("open", org, notification.pk))
        assert response["Location"] == url("inbox", org)

    def test_mark_one_read_unread_and_all_read(self, org, member):
        first, *_ = overdue(org, users=[member], key="a")
        overdue(org, users=[member], key="b")
        client = client_for(member)
        client.post(url("mark", org, first.pk))
        assert services.unread_count(principal_for(member, org)) == 1
        client.post(url("mark", org, first.pk), {"unread": "1"})
        assert services.unread_count(principal_for(member, org)) == 2
        response = client.post(url("mark_all", org), follow=True)
        assert "Marked 2 notifications read." in response.content.decode()
        assert services.unread_count(principal_for(member, org)) == 0

    def test_the_unread_filter_and_pages(self, org, member):
        for index in range(30):
            overdue(org, users=[member], key=f"k{index}", subject=f"Task {index:02d}")
        client = client_for(member)
        client.post(url("mark", org, Notification.objects.get(key="k29").pk))
        first = client.get(url("inbox", org)).content.decode()
        assert "Page 1 of 2" in first and "Task 29" in first and "Task 04" not in first
        unread = client.get(url("inbox", org), {"unread": "1"}).content.decode()
        assert "Task 29" not in unread and "29 notifications" in unread

    def test_someone_elses_notification_is_404(self, org, owner, member):
        (theirs,) = overdue(org, users=[owner])
        client = client_for(member)
        assert client.get(url("open", org, theirs.pk)).status_code == 404
        assert client.post(url("mark", org, theirs.pk)).status_code == 404
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_a_notification_of_another_organization_is_404(self, org, other_org, owner, outsider):
        from handoff.accounts.models import Membership

        Membership.objects.create(organization=other_org, user=owner, role="member")
        (elsewhere,) = overdue(other_org, users=[owner])
        assert client_for(owner).get(url("open", org, elsewhere.pk)).status_code == 404
        assert client_for(owner).post(url("mark", org, elsewhere.pk)).status_code == 404

    def test_the_inbox_query_count_does_not_grow_with_its_length(self, org, member):
        client = client_for(member)
        for index in range(5):
            overdue(org, users=[member], key=f"a{index}")
        client.get(url("inbox", org))
        with CaptureQueriesContext(connection) as few:
            client.get(url("inbox", org))
        for index in range(20):
            overdue(org, users=[member], key=f"b{index}")
        with CaptureQueriesContext(connection) as many:
            client.get(url("inbox", org))
        assert len(few) == len(many)


class TestPreferences:
    def form(self, **overrides):
        data = {"due_soon_hours": "24"}
        for event in Event:
            data[f"{event}__in_app"] = "on"
            data[f"{event}__email"] = "on"
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    def test_a_viewer_turns_e_mail_off_for_one_event_and_chooses_the_digest(self, org, viewer):
        response = client_for(viewer).post(
            url("preferences", org),
            self.form(task_overdue__email=None, daily_digest="on", due_soon_hours="48"),
        )
        assert response.status_code == 302
        assert services.due_soon_hours(Principal.system(org), viewer) == 48
        assert NotificationSettings.objects.get(user=viewer).daily_digest is True
        overdue_choice = EventPreference.objects.get(user=viewer, event=Event.TASK_OVERDUE)
        assert (overdue_choice.in_app, overdue_choice.email) == (True, False)
        page = client_for(viewer).get(url("preferences", org)).content.decode()
        assert 'name="task_overdue__email"' in page and 'value="48"' in page

    @pytest.mark.parametrize("hours", ["0", "721", "soon"])
    def test_bad_hours_are_refused_and_nothing_changes(self, org, viewer, hours):
        response = client_for(viewer).post(url("preferences", org), self.form(due_soon_hours=hours))
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
        assert not NotificationSettings.objects.exists()
        assert not EventPreference.objects.exists()


class TestPortalUsers:
    """Provider contacts with a portal login but no membership."""

    @pytest.fixture
    def portal_user(self, org):
        user = UserFactory(name="Priya Provider")
        portal_login(ContactFactory(provider=ProviderFactory(organization=org)), user)
        return user

    def test_they_use_the_inbox_and_preferences(self, org, portal_user):
        overdue(org, users=[portal_user])
        client = client_for(portal_user)
        page = client.get(url("inbox", org)).content.decode()
        assert "Task 12 is overdue" in page
        assert 'href="/portal/acme/"' in page
        # The organization's own navigation stays closed to them.
        assert reverse("providers:list", args=[org.slug]) not in page
        assert client.get(url("preferences", org)).status_code == 200
        assert client.post(url("mark_all", org)).status_code == 302
        assert services.unread_count(principal_for(portal_user, org)) == 0

    def test_they_get_no_webhook_pages(self, org, portal_user):
        assert client_for(portal_user).get(url("webhooks", org)).status_code == 404

    def test_anyone_else_still_gets_404(self, org, portal_user, outsider):
        assert client_for(outsider).get(url("inbox", org)).status_code == 404


class TestWebhooks:
    def form(self, **overrides):
        data = {
            "name": "#books",
            "url": "https://hooks.slack.example/services/T/B/x",
            "format": "slack",
            "events": [Event.TASK_OVERDUE, Event.ISSUE_ESCALATED],
            "active": "on",
        }
        data.update(overrides)
        return data

    def test_an_admin_adds_one_and_sends_a_test_message(self, org, admin, chat):
        client = client_for(admin)
        response = client.post(url("webhook_create", org), self.form())
        webhook = Webhook.objects.filter(organization=org).get()
        assert response["Location"] == webhook.get_absolute_url()
        assert webhook.events == [Event.ISSUE_ESCALATED, Event.TASK_OVERDUE]
        response = client.post(url("webhook_test", org, webhook.pk), follow=True)
        assert "The test message was delivered" in response.content.decode()
        assert AuditEvent.objects.filter(action="webhook.created").exists()

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"url": "http://hooks.example/x"}, "Use an https:// address"),
            ({"url": "ftp://hooks.example/x"}, "Use an https:// address"),
            ({"url": "not a url"}, "Enter a valid URL."),
            ({"events": []}, "This field is required."),
            ({"events": ["nonsense"]}, "Select a valid choice."),
            ({"format": "irc"}, "Select a valid choice."),
            ({"name": ""}, "This field is required."),
        ],
    )
    def test_bad_input_is_refused_with_the_reason(self, org, admin, overrides, message):
        response = client_for(admin).post(url("webhook_create", org), self.form(**overrides))
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Webhook.objects.exists()

    @pytest.mark.parametrize(
        "address",
        [
            "http://127.0.0.1:9000/hook",
            "https://127.0.0.1/hook",
            "https://localhost/hook",
            "https://[::1]/hook",
            "https://10.1.2.3/hook",
            "https://192.168.1.20/hook",
            "https://172.16.0.9/hook",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::ffff:127.0.0.1]/hook",
            "https://0.0.0.0/hook",
        ],
    )
    def test_a_private_address_is_refused(self, org, admin, address):
        response = client_for(admin).post(url("webhook_create", org), self.form(url=address))
        assert response.status_code == 200
        page = response.content.decode()
        assert "public addresses only" in page or "Use an https:// address" in page
        assert not Webhook.objects.exists()

    def test_a_name_that_resolves_to_a_private_address_is_refused(self, org, admin, monkeypatch):
        monkeypatch.setattr(egress, "_addresses", lambda host, port: [_info("10.0.0.7", port)])
        response = client_for(admin).post(
            url("webhook_create", org), self.form(url="https://chat.office.example/hook")
        )
        assert "chat.office.example (10.0.0.7) is a private address" in response.content.decode()
        assert not Webhook.objects.exists()

    def test_the_installation_may_allow_a_named_private_host(self, org, admin, settings):
        settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
        client_for(admin).post(
            url("webhook_create", org), self.form(url="http://127.0.0.1:9000/hook")
        )
        assert Webhook.objects.filter(organization=org).exists()

    def test_edit_and_remove(self, org, admin, webhook):
        client = client_for(admin)
        client.post(url("webhook_edit", org, webhook.pk), self.form(name="#ops", active=""))
        webhook.refresh_from_db()
        assert (webhook.name, webhook.active) == ("#ops", False)
        client.post(url("webhook_delete", org, webhook.pk))
        assert not Webhook.objects.exists()

    def test_the_page_lists_deliveries_with_their_errors_and_retries_them(
        self, org, admin, owner, webhook, chat
    ):
        import urllib.error

        chat.failures = [urllib.error.URLError("refused")] * 2
        overdue(org, users=[owner])
        row = WebhookDelivery.objects.get()
        client = client_for(admin)
        client.post(url("retry", org, webhook.pk, row.pk))
        page = client.get(url("webhook", org, webhook.pk)).content.decode()
        assert "Could not connect: refused." in page and "Retry now" in page
        response = client.post(url("retry", org, webhook.pk, row.pk), follow=True)
        assert "Still failing: Could not connect: refused." in response.content.decode()
        response = client.post(url("retry", org, webhook.pk, row.pk), follow=True)
        assert "Delivered." in response.content.decode()
        row.refresh_from_db()
        assert row.status == DeliveryStatus.SENT
        failed_only = client.get(url("webhook", org, webhook.pk), {"status": "failed"})
        assert "Nothing posted with this status" in failed_only.content.decode()

    def test_a_delivery_of_another_webhook_is_404(self, org, owner, admin, webhook, chat):
        other = services.create_webhook(
            principal_for(owner, org),
            name="#other",
            url=webhook.url,
            format="teams",
            events=["task_new"],
        )
        overdue(org, users=[owner])
        row = WebhookDelivery.objects.get()
        assert client_for(admin).post(url("retry", org, other.pk, row.pk)).status_code == 404

    def test_list_and_detail_query_counts_do_not_grow(self, org, owner, admin, webhook, chat):
        client = client_for(admin)

        def counts():
            with CaptureQueriesContext(connection) as listing:
                client.get(url("webhooks", org))
            with CaptureQueriesContext(connection) as detail:
                client.get(url("webhook", org, webhook.pk))
            return len(listing), len(detail)

        overdue(org, users=[owner], key="a")
        counts()
        before = counts()
        for index in range(10):
            services.create_webhook(
                principal_for(owner, org),
                name=f"#{index}",
                url=webhook.url,
                format="teams",
                events=[Event.TASK_OVERDUE],
            )
            overdue(org, users=[owner], key=f"b{index}")
        assert counts() == before


# --- Permission matrix ------------------------------------------------------------------------
# (url name, method, least role, what the URL needs)
PAGES = [
    ("inbox", "get", "viewer", ""),
    ("mark_all", "post", "viewer", ""),
    ("preferences", "get", "viewer", ""),
    ("preferences", "post", "viewer", ""),
    ("open", "get", "viewer", "n"),
    ("mark", "post", "viewer", "n"),
    ("webhooks", "get", "admin", ""),
    ("webhook_create", "get", "admin", ""),
    ("webhook_create", "post", "admin", ""),
    ("webhook", "get", "admin", "w"),
    ("webhook_edit", "get", "admin", "w"),
    ("webhook_edit", "post", "admin", "w"),
    ("webhook_test", "post", "admin", "w"),
    ("retry", "post", "admin", "w:d"),
    ("webhook_delete", "post", "admin", "w"),
]
IDS = [f"{method} {name}" for name, method, _, _ in PAGES]


@pytest.fixture
def rows(org, owner, viewer, manager, admin, webhook, chat):
    """A notification for each person (the ``n`` each opens is their own), a delivery."""
    created = {
        user.pk: n for n in overdue(org, users=[owner, viewer, manager, admin]) for user in [n.user]
    }
    return {"n": created, "w": webhook, "d": WebhookDelivery.objects.get()}


def path_for(org, name, needs, rows, user):
    args = []
    for need in needs.split(":") if needs else []:
        row = rows[need]
        args.append(row.get(user.pk, next(iter(row.values()))).pk if need == "n" else row.pk)
    return url(name, org, *args)


def call(user, org, name, method, needs, rows):
    client = client_for(user)
    path = path_for(org, name, needs, rows, user)
    return client.get(path) if method == "get" else client.post(path, {})


@pytest.mark.parametrize(("name", "method", "least", "needs"), PAGES, ids=IDS)
def test_outsiders_get_404(org, outsider, other_org, rows, name, method, least, needs):
    assert call(outsider, org, name, method, needs, rows).status_code == 404


@pytest.mark.parametrize(("name", "method", "least", "needs"), PAGES, ids=IDS)
def test_the_least_role_gets_through(org, viewer, admin, rows, name, method, least, needs):
    user = {"viewer": viewer, "admin": admin}[least]
    assert call(user, org, name, method, needs, rows).status_code in (200, 302)


ADMIN_PAGES = [page for page in PAGES if page[2] == "admin"]


@pytest.mark.parametrize(
    ("name", "method", "least", "needs"),
    ADMIN_PAGES,
    ids=[f"{m} {n}" for n, m, _, _ in ADMIN_PAGES],
)
def test_a_manager_gets_403_on_webhooks(org, manager, rows, name, method, least, needs):
    assert call(manager, org, name, method, needs, rows).status_code == 403


@pytest.mark.parametrize(
    ("name", "method", "least", "needs"),
    [page for page in ADMIN_PAGES if page[3]],
    ids=[f"{m} {n}" for n, m, _, needs in ADMIN_PAGES if needs],
)
def test_another_organizations_webhook_is_404(
    org, other_org, outsider, admin, rows, name, method, least, needs
):
    foreign = services.create_webhook(
        principal_for(outsider, other_org),
        name="x",
        url="https://x.example/",
        format="slack",
        events=[Event.TASK_OVERDUE],
    )
    overdue(other_org, users=[outsider])
    foreign_rows = {"w": foreign, "d": WebhookDelivery.objects.filter(organization=other_org).get()}
    assert call(admin, org, name, method, needs, foreign_rows).status_code == 404
    assert Webhook.objects.filter(organization=other_org).get().name == "x"


def test_the_header_shows_the_unread_count_and_the_links(org, admin, member):
    overdue(org, users=[member])
    page = client_for(member).get(url("inbox", org)).content.decode()
    assert 'title="1 unread"' in page
    assert url("preferences", org) in page
    assert url("webhooks", org) not in page
    assert url("webhooks", org) in client_for(admin).get(url("inbox", org)).content.decode()
    assert mail.outbox == []  # nothing committed in a test: no e-mail job ran


def test_the_webhook_services_require_an_admin_themselves(org, manager, webhook):
    as_manager = principal_for(manager, org)
    for call in (
        lambda: services.create_webhook(as_manager, name="x", url="https://x.example/"),
        lambda: services.update_webhook(as_manager, webhook, name="Renamed"),
        lambda: services.delete_webhook(as_manager, webhook),
        lambda: services.send_test(as_manager, webhook),
    ):
        with pytest.raises(PermissionDenied, match="admin role"):
            call()
    assert list(Webhook.objects.filter(organization=org).values_list("name", flat=True)) == [
        webhook.name
    ]
    assert not WebhookDelivery.objects.exists()
