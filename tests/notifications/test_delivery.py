"""Sending: e-mails and webhook posts are claimed before they go, so they go once; failures
are kept, retried on a schedule, and finally shown as failed."""

import http.server
import json
import socket
import threading
import urllib.error
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from handoff.notifications import delivery, egress, jobs, services
from handoff.notifications.models import (
    DeliveryStatus,
    EmailState,
    Notification,
    WebhookDelivery,
)
from tests.factories import principal_for
from tests.notifications.conftest import overdue

pytestmark = pytest.mark.django_db


def at(moment: str) -> datetime:
    """A moment in UTC."""
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


class TestEmail:
    def test_the_job_sends_once_when_run_twice(self, org, owner):
        (notification,) = overdue(org, users=[owner])
        assert jobs.send_emails.call([notification.pk]) == 1
        assert jobs.send_emails.call([notification.pk]) == 0
        assert len(mail.outbox) == 1

    def test_a_claimed_e_mail_is_not_sent_by_a_second_worker(self, org, owner):
        (notification,) = overdue(org, users=[owner])
        Notification.objects.filter(pk=notification.pk).update(
            email_state=EmailState.SENDING, email_claimed_at=timezone.now()
        )
        assert delivery.send_notification_email(notification.pk) is False
        assert mail.outbox == []

    def test_a_failure_is_kept_and_retried_then_given_up(self, org, owner, monkeypatch):
        def broken(**kwargs):
            raise OSError("SMTP server unreachable")

        monkeypatch.setattr(delivery, "send_mail", broken)
        (notification,) = overdue(org, users=[owner])
        start = timezone.now()
        for attempt in range(1, delivery.EMAIL_MAX_ATTEMPTS + 1):
            jobs.retry_emails(start + timedelta(minutes=10 * attempt))
            notification.refresh_from_db()
            assert notification.email_attempts == attempt
            assert notification.email_error == "SMTP server unreachable"
        assert notification.email_state == EmailState.FAILED
        jobs.retry_emails(start + timedelta(hours=5))
        notification.refresh_from_db()
        assert notification.email_attempts == delivery.EMAIL_MAX_ATTEMPTS

    def test_an_e_mail_held_by_a_dead_worker_is_handed_back(self, org, owner):
        (notification,) = overdue(org, users=[owner])
        claimed = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(
            email_state=EmailState.SENDING, email_claimed_at=claimed
        )
        jobs.retry_emails(claimed + timedelta(minutes=5))
        assert mail.outbox == []
        jobs.retry_emails(claimed + jobs.EMAIL_CLAIM_TIMEOUT + timedelta(minutes=1))
        assert len(mail.outbox) == 1
        notification.refresh_from_db()
        assert notification.email_state == EmailState.SENT

    def test_a_fresh_pending_e_mail_is_left_to_its_own_job(self, org, owner):
        overdue(org, users=[owner])
        assert jobs.retry_emails(timezone.now()) == 0


class TestDigest:
    def test_held_e_mails_go_as_one_summary_once_a_day_after_seven(self, org, owner, member):
        services.update_preferences(principal_for(owner, org), daily_digest=True)
        # Acme is in Chicago: 11:00 UTC on Jun 2 is 6:00 there, 13:00 UTC is 8:00.
        with time_machine.travel(at("2026-06-01T15:00"), tick=False):
            overdue(org, users=[owner, member], key="a")
            overdue(org, users=[owner], key="b", subject="Task 13 is overdue")
        mail.outbox.clear()
        assert jobs.daily_digest(at("2026-06-02T11:00")) == 0
        assert jobs.daily_digest(at("2026-06-02T13:00")) == 1
        assert jobs.daily_digest(at("2026-06-02T13:15")) == 0
        (digest,) = mail.outbox
        assert digest.to == [owner.email]
        assert digest.subject == "[Acme Dental] Your daily summary: 2 notifications"
        assert "Task 12 is overdue" in digest.body and "Task 13 is overdue" in digest.body
        assert "Jun 1, 10:00" in digest.body  # in the organization's time zone
        assert not Notification.objects.filter(email_state=EmailState.DIGEST).exists()

    def test_the_next_day_brings_the_next_summary(self, org, owner):
        services.update_preferences(principal_for(owner, org), daily_digest=True)
        with time_machine.travel(at("2026-06-01T15:00"), tick=False):
            overdue(org, users=[owner], key="a")
        jobs.daily_digest(at("2026-06-02T13:00"))
        with time_machine.travel(at("2026-06-02T15:00"), tick=False):
            overdue(org, users=[owner], key="b")
        jobs.daily_digest(at("2026-06-02T20:00"))
        assert len(mail.outbox) == 1
        jobs.daily_digest(at("2026-06-03T13:00"))
        assert len(mail.outbox) == 2

    def test_a_failed_summary_is_tried_again(self, org, owner, monkeypatch):
        services.update_preferences(principal_for(owner, org), daily_digest=True)
        with time_machine.travel(at("2026-06-01T15:00"), tick=False):
            overdue(org, users=[owner])

        def broken(**kwargs):
            raise OSError("SMTP down")

        with monkeypatch.context() as patch:
            patch.setattr(delivery, "send_mail", broken)
            assert jobs.daily_digest(at("2026-06-02T13:00")) == 0
        assert jobs.daily_digest(at("2026-06-02T13:15")) == 1


class TestWebhookPayload:
    def test_slack_gets_bold_subject_escaped_text_and_a_link(self):
        text = delivery.webhook_text("slack", "Fees <up> & due", "Body", "/o/acme/inbox/")
        assert text == (
            "*Fees &lt;up&gt; &amp; due*\nBody\n"
            "<http://127.0.0.1:8000/o/acme/inbox/|Open in Handoff>"
        )

    def test_teams_gets_markdown(self):
        payload = delivery.webhook_payload("teams", "Issue escalated", "", "/o/acme/issues/3/")
        assert payload == {
            "text": "**Issue escalated**\n\n"
            "[Open in Handoff](http://127.0.0.1:8000/o/acme/issues/3/)"
        }

    def test_links_follow_the_site_url(self, settings):
        settings.SITE_URL = "https://handoff.example.com"
        assert delivery.webhook_payload("teams", "S", "", "/x/")["text"].endswith(
            "(https://handoff.example.com/x/)"
        )


class TestWebhookRetries:
    def test_failures_back_off_then_fail_for_good(self, org, owner, webhook, chat):
        chat.failures = [urllib.error.URLError("connection refused")] * 5
        overdue(org, users=[owner])
        start = timezone.now()
        (row,) = WebhookDelivery.objects.filter(organization=org)
        assert delivery.deliver_webhook(row.pk, start) is False
        row.refresh_from_db()
        assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 1)
        assert row.next_attempt_at == start + timedelta(minutes=1)
        assert row.last_error == "Could not connect: connection refused."

        # Not due yet: nothing is posted.
        assert jobs.retry_webhooks(start + timedelta(seconds=59)) == 0
        assert len(chat.posts) == 1
        moment = start
        for attempt, wait in enumerate(delivery.WEBHOOK_BACKOFF, start=2):
            moment += wait
            jobs.retry_webhooks(moment)
            row.refresh_from_db()
            assert row.attempts == attempt
        assert row.status == DeliveryStatus.FAILED and row.next_attempt_at is None
        jobs.retry_webhooks(moment + timedelta(days=1))
        assert len(chat.posts) == delivery.WEBHOOK_MAX_ATTEMPTS

    def test_a_later_attempt_can_succeed(self, org, owner, webhook, chat):
        chat.failures = [
            urllib.error.HTTPError(webhook.url, 500, "Server Error", {}, None),
        ]
        overdue(org, users=[owner])
        start = timezone.now()
        (row,) = WebhookDelivery.objects.filter(organization=org)
        delivery.deliver_webhook(row.pk, start)
        row.refresh_from_db()
        assert row.last_error == "The server answered 500 Server Error."
        assert row.response_status == 500
        jobs.retry_webhooks(start + timedelta(minutes=1))
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 2, "")

    def test_the_same_delivery_run_twice_posts_once(self, org, owner, webhook, chat):
        overdue(org, users=[owner])
        (row,) = WebhookDelivery.objects.filter(organization=org)
        assert jobs.deliver_webhooks.call([row.pk]) == 1
        assert jobs.deliver_webhooks.call([row.pk]) == 0
        assert len(chat.posts) == 1

    def test_a_test_message_reports_its_outcome_at_once(self, org, owner, webhook, chat):
        row = services.send_test(principal_for(owner, webhook.organization), webhook)
        assert row.status == DeliveryStatus.SENT
        assert "Test message from Handoff" in chat.posts[0][1]["text"]
        chat.failures = [TimeoutError()]
        row = services.send_test(principal_for(owner, webhook.organization), webhook)
        assert row.status == DeliveryStatus.FAILED
        assert row.last_error == "No answer within 5 seconds."

    def test_retry_now_tries_a_failed_delivery_once_more(self, org, owner, webhook, chat):
        chat.failures = [TimeoutError()] * 6
        overdue(org, users=[owner])
        (row,) = WebhookDelivery.objects.filter(organization=org)
        WebhookDelivery.objects.filter(pk=row.pk).update(
            status=DeliveryStatus.FAILED, attempts=5, next_attempt_at=None
        )
        row.refresh_from_db()
        row = services.retry_delivery(principal_for(owner, row.organization), row)
        assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 5)
        chat.failures = []
        row = services.retry_delivery(principal_for(owner, row.organization), row)
        assert row.status == DeliveryStatus.SENT
        with pytest.raises(Exception, match="already delivered"):
            services.retry_delivery(principal_for(owner, row.organization), row)


class TestPostJson:
    """The real sender against a local server the test starts (never the network)."""

    @pytest.fixture
    def server(self, settings):
        settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # the test's own server, allowed by name
        received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.path, self.headers["Content-Type"], json.loads(body)))
                if self.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", "http://127.0.0.1:1/internal")
                else:
                    self.send_response(500 if self.path == "/broken" else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{httpd.server_port}", received
        httpd.shutdown()
        httpd.server_close()

    def test_it_posts_json_and_reports_errors_and_redirects(self, server):
        base, received = server
        assert delivery.post_json(base + "/hook", {"text": "hi"}) == 200
        assert received == [("/hook", "application/json", {"text": "hi"})]
        with pytest.raises(urllib.error.HTTPError) as error:
            delivery.post_json(base + "/broken", {"text": "hi"})
        assert error.value.code == 500
        with pytest.raises(urllib.error.HTTPError) as error:
            delivery.post_json(base + "/moved", {"text": "hi"})
        assert error.value.code == 302
        assert len(received) == 3

    def test_a_private_address_is_never_connected_to(self, server, settings):
        base, received = server
        settings.WEBHOOK_ALLOWED_HOSTS = []
        with pytest.raises(urllib.error.URLError) as error:
            delivery.post_json(base + "/hook", {"text": "hi"})
        assert isinstance(error.value.reason, egress.ForbiddenDestination)
        assert "127.0.0.1 is a loopback address" in str(error.value.reason)
        assert received == []

    def test_a_name_rebound_to_a_private_address_is_refused_at_connection_time(
        self, org, owner, server, settings, monkeypatch
    ):
        """Saved while the name resolved to a public address; by the time the message goes, it
        resolves to the server's own loopback. The check runs on the socket's addresses."""
        base, received = server
        settings.WEBHOOK_ALLOWED_HOSTS = []
        port = int(base.rsplit(":", 1)[1])
        answers = iter([("93.184.216.34", port), ("127.0.0.1", port)])

        def resolve(host, port):
            address = next(answers)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", address)]

        monkeypatch.setattr(egress, "_addresses", resolve)
        webhook = services.create_webhook(
            principal_for(owner, org),
            name="#ops",
            url=f"https://rebind.example:{port}/hook",
            format="slack",
            events=["task_overdue"],
        )
        row = services.send_test(principal_for(owner, org), webhook)
        assert row.status == DeliveryStatus.FAILED
        assert "rebind.example (127.0.0.1) is a loopback address" in row.last_error
        assert received == []
