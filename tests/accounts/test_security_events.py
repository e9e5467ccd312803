"""Log-ins, log-outs, failed log-ins and lock-outs land in the audit trail of each organization
the person belongs to, with the client's address; an admin reads them and downloads the trail."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from handoff.core.models import AuditEvent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PASSWORD = "a-Strong-passw0rd"


def events(org, action):
    return list(AuditEvent.objects.filter(organization=org).filter(action=action).order_by("id"))


def test_a_log_in_a_failure_and_a_log_out_are_recorded_with_the_address(org, other_org, owner):
    client = Client(REMOTE_ADDR="198.51.100.23")
    client.post(reverse("accounts:login"), {"username": owner.email.upper(), "password": "no"})
    assert (
        client.post(
            reverse("accounts:login"), {"username": owner.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    client.post(reverse("accounts:logout"))
    [failed] = events(org, "session.login_failed")
    assert failed.actor is None and failed.address == "198.51.100.23"
    assert owner.email in failed.summary
    [login] = events(org, "session.logged_in")
    assert login.actor == owner and login.address == "198.51.100.23"
    assert len(events(org, "session.logged_out")) == 1
    # Olivia is not a member of the other organization: nothing of hers lands there.
    assert (
        not AuditEvent.objects.filter(organization=other_org)
        .filter(action__startswith="session.")
        .exists()
    )


def test_a_guess_at_an_unknown_address_belongs_to_no_organization(org):
    Client().post(reverse("accounts:login"), {"username": "nobody@x.example", "password": "x"})
    assert not AuditEvent.objects.filter(action__startswith="session.").exists()


def test_a_lock_out_is_recorded_for_the_account_tried(org, owner, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="203.0.113.77")
    for _ in range(4):
        client.post(reverse("accounts:login"), {"username": owner.email, "password": "no"})
    locked = events(org, "session.locked_out")
    assert locked and all(event.address == "203.0.113.77" for event in locked)
    assert "203.0.113.77" in locked[0].summary and owner.email in locked[0].summary


def test_an_account_made_to_wait_is_recorded_once_per_failure_that_causes_it(org, owner):
    client = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(6):
        client.post(reverse("accounts:login"), {"username": owner.email, "password": "no"})
    # The fifth failure starts the wait; the sixth try is refused before any password check.
    [waiting] = events(org, "session.account_waiting")
    assert waiting.actor is None and waiting.address == "203.0.113.5"
    assert owner.email in waiting.summary and "15 seconds" in waiting.summary


def test_an_admin_reads_and_downloads_the_trail_and_a_manager_may_not(org, owner, admin, manager):
    Client(REMOTE_ADDR="198.51.100.9").post(
        reverse("accounts:login"), {"username": owner.email, "password": PASSWORD}
    )
    page = client_for(admin).get(reverse("accounts:audit_log", args=[org.slug]))
    assert "198.51.100.9" in page.content.decode()
    download = client_for(admin).get(reverse("accounts:audit_log_csv", args=[org.slug]))
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))
    login = next(row for row in rows if row["action"] == "session.logged_in"
                 and row["address"] == "198.51.100.9")  # fmt: skip
    assert login["who"] == str(owner)
    refused = client_for(manager).get(reverse("accounts:audit_log_csv", args=[org.slug]))
    assert refused.status_code == 403
