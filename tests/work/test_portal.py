"""The provider portal's pages: invitations, isolation between providers, what a provider never
sees, the task buttons, and the organization's pages that manage access."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from handoff.accounts import portal
from handoff.accounts.models import ApiToken, Membership, PortalAccess, PortalSettings
from handoff.core.roles import Role
from handoff.work import issues, services
from handoff.work.choices import Side, TaskStatus
from handoff.work.models import Issue, TaskMove
from tests.conftest import client_for
from tests.factories import UserFactory, principal_for
from tests.work.test_issues import grant_portal


def make_task(engagement, actor, title="March close", **data):
    return services.create_task(
        principal_for(actor, engagement.organization),
        engagement,
        data={"title": title, "due_at": timezone.now() + timedelta(days=3), **data},
    )


@pytest.fixture
def priya(org, point_contact, portal_user):
    grant_portal(org, point_contact, portal_user)
    return portal_user


@pytest.fixture
def priya_client(priya):
    return client_for(priya)


@pytest.fixture
def rival_work(rival_engagement, manager, member):
    task = make_task(rival_engagement, manager, title="Northwind invoices")
    issue = issues.raise_issue(
        principal_for(member, rival_engagement.organization),
        rival_engagement,
        data={"title": "Northwind problem"},
    )
    return task, issue


def invitation_link(message) -> str:
    return re.search(r"http://[^\s]+/portal/invite/[^\s/]+/", message.body).group(0)


# --- Invitations ------------------------------------------------------------------------------
def test_a_manager_invites_a_contact_who_creates_a_login_and_lands_in_the_portal(
    org, engagement, manager, issue_contact, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/o/acme/portal/invite/", {"contact": issue_contact.pk})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["tom@ledgerline.example"]]
    link = invitation_link(mail.outbox[0]).replace("http://127.0.0.1:8000", "")
    tom = Client()
    page = tom.get(link)
    assert page.status_code == 200 and b"Choose a password" in page.content
    response = tom.post(link, {"name": "Tom Ortiz", "password": "a-Strong-passw0rd"})
    assert response.status_code == 302 and response.url == "/portal/acme/"
    access = PortalAccess.objects.filter(organization=org).get(contact=issue_contact)
    assert access.state == "active" and access.user.email == "tom@ledgerline.example"
    assert portal.portal_user_for(issue_contact) == access.user
    assert tom.get("/portal/acme/").status_code == 200
    # The link worked once.
    assert Client().get(link).status_code == 410


def test_an_existing_account_is_linked_when_logged_in_as_that_address(
    org, engagement, owner, point_contact, portal_user
):
    access, raw = portal.invite(principal_for(owner, org), point_contact)
    link = f"/portal/invite/{raw}/"
    anonymous = Client().get(link)
    assert b"Log in to accept" in anonymous.content
    stranger = client_for(UserFactory(email="someone@else.example"))
    refused = stranger.post(link)
    assert refused.status_code == 422 and b"priya@ledgerline.example" in refused.content
    assert PortalAccess.objects.get(pk=access.pk).user is None
    response = client_for(portal_user).post(link)
    assert response.status_code == 302
    assert portal.contact_for(portal_user, org) == point_contact


def test_expired_revoked_replaced_and_unknown_links_do_not_work(
    org, engagement, owner, point_contact
):
    inviter = principal_for(owner, org)
    _, first = portal.invite(inviter, point_contact)
    _, second = portal.invite(inviter, point_contact)
    assert Client().get(f"/portal/invite/{first}/").status_code == 410  # replaced
    assert Client().get(f"/portal/invite/{second}/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert Client().get(f"/portal/invite/{second}/").status_code == 410
    access = PortalAccess.objects.filter(organization=org).get(
        contact=point_contact, revoked_at=None
    )
    portal.revoke(inviter, access)
    assert Client().get(f"/portal/invite/{second}/").status_code == 410
    assert Client().get("/portal/invite/not-a-token/").status_code == 404


def test_a_contact_without_an_e_mail_address_cannot_be_invited(org, engagement, manager, provider):
    from tests.factories import ContactFactory

    silent = ContactFactory(
        provider=provider, name="No Mail", email="", preferred_channel="phone", phone="555-0100"
    )
    response = client_for(manager).post("/o/acme/portal/invite/", {"contact": silent.pk})
    assert response.status_code == 302
    assert not PortalAccess.objects.filter(organization=org).exists()


def test_inviting_needs_a_manager_and_the_organization(
    org, engagement, member, viewer, outsider, issue_contact
):
    assert (
        client_for(member).post("/o/acme/portal/invite/", {"contact": issue_contact.pk}).status_code
        == 403
    )
    assert client_for(viewer).get("/o/acme/portal/").status_code == 200
    assert client_for(outsider).get("/o/acme/portal/").status_code == 404
    assert not PortalAccess.objects.filter(organization=org).exists()


def test_revoked_access_closes_the_portal(org, engagement, manager, priya, priya_client):
    access = PortalAccess.objects.filter(organization=org).get(user=priya)
    response = client_for(manager).post(f"/o/acme/portal/{access.pk}/revoke/")
    assert response.status_code == 302
    assert priya_client.get("/portal/acme/").status_code == 404
    assert Client().get("/portal/acme/").status_code == 302  # anonymous: to the login page


# --- Isolation --------------------------------------------------------------------------------
def test_priya_sees_only_her_own_providers_work(
    org, engagement, rival_engagement, manager, priya_client, rival_work
):
    task = make_task(engagement, manager)
    rival_task, rival_issue = rival_work
    home = priya_client.get("/portal/acme/")
    assert engagement.title.encode() in home.content
    assert rival_engagement.title.encode() not in home.content
    tasks = priya_client.get("/portal/acme/tasks/")
    assert b"March close" in tasks.content and b"Northwind invoices" not in tasks.content
    assert priya_client.get(f"/portal/acme/tasks/{task.pk}/").status_code == 200
    for path in (
        f"/portal/acme/engagements/{rival_engagement.pk}/",
        f"/portal/acme/tasks/{rival_task.pk}/",
        f"/portal/acme/issues/{rival_issue.pk}/",
    ):
        assert priya_client.get(path).status_code == 404, path
    assert (
        priya_client.post(
            f"/portal/acme/tasks/{rival_task.pk}/move/", {"to_status": "acknowledged"}
        ).status_code
        == 404
    )
    assert (
        priya_client.post(
            f"/portal/acme/issues/{rival_issue.pk}/respond/", {"body": "hi"}
        ).status_code
        == 404
    )
    assert b"Northwind problem" not in priya_client.get("/portal/acme/issues/").content


def test_a_portal_user_gets_404_on_the_organizations_own_pages(org, engagement, priya_client):
    for path in ("/o/acme/providers/", "/o/acme/engagements/"):
        assert priya_client.get(path).status_code == 404, path
    # An engagement's page is one page for both sides: at the members' address too, a contact
    # gets the part written for them, in the portal's frame.
    page = priya_client.get(f"/o/acme/engagements/{engagement.pk}/").content.decode()
    assert 'aria-label="Portal"' in page and "Who to contact" in page
    assert "Written agreement" not in page and "Status history" not in page
    # The issue list is one page for both sides: at the members' address too, a contact gets
    # the portal's page (their provider's issues, the portal's frame), never the members'.
    page = priya_client.get("/o/acme/issues/").content.decode()
    assert "/o/acme/providers/" not in page and "Filters" not in page
    assert "/portal/acme/issues/new/" in page
    # So is the task list: the portal's frame, no filter on the organization's people.
    page = priya_client.get("/o/acme/tasks/").content.decode()
    assert "/o/acme/providers/" not in page and "Our assignee" not in page
    assert "/portal/acme/calendar-feeds/" in page


def test_members_and_strangers_get_404_in_the_portal(org, engagement, owner, outsider):
    assert client_for(owner).get("/portal/acme/").status_code == 404
    assert client_for(outsider).get("/portal/acme/").status_code == 404
    assert client_for(owner).get("/portal/nowhere/").status_code == 404


def test_after_login_a_portal_user_lands_on_the_portal(org, engagement, priya, priya_client):
    response = priya_client.get("/")
    assert response.status_code == 302 and response.url == "/portal/acme/"


def test_a_portal_user_who_is_a_member_elsewhere_works_there_normally(
    org, other_org, engagement, priya, priya_client
):
    Membership.objects.create(organization=other_org, user=priya, role=Role.MEMBER)
    assert priya_client.get("/o/elsewhere/providers/").status_code == 200
    assert priya_client.get("/portal/acme/").status_code == 200
    assert priya_client.get("/o/acme/providers/").status_code == 404


def test_the_portal_hides_the_organizations_navigation(engagement, priya_client):
    page = priya_client.get("/portal/acme/").content.decode()
    for section in ("providers", "engagements", "tasks", "issues", "members", "settings"):
        assert f"/o/acme/{section}/" not in page
    assert "/o/acme/inbox/" in page  # the inbox admits portal users


# --- What a provider never sees ---------------------------------------------------------------
def test_internal_notes_never_reach_the_portal(org, engagement, manager, priya_client):
    task = make_task(engagement, manager)
    services.add_comment(
        principal_for(manager, task.organization), task, body="Shared: please hurry"
    )
    services.add_comment(
        principal_for(manager, task.organization),
        task,
        body="Internal: they are slow",
        internal=True,
    )
    page = priya_client.get(f"/portal/acme/tasks/{task.pk}/").content
    assert b"Shared: please hurry" in page and b"Internal: they are slow" not in page


def test_prices_show_only_when_the_organization_allows(org, engagement, admin, priya_client):
    path = f"/portal/acme/engagements/{engagement.pk}/"
    assert b"1,250" not in priya_client.get(path).content
    response = client_for(admin).post("/o/acme/settings/portal/", {"show_prices": "on"})
    assert response.status_code == 302
    assert PortalSettings.objects.filter(organization=org).get().show_prices
    assert b"$1,250.00" in priya_client.get(path).content


def test_portal_settings_need_an_admin(org, manager, outsider):
    assert client_for(manager).get("/o/acme/settings/portal/").status_code == 403
    assert client_for(outsider).get("/o/acme/settings/portal/").status_code == 404


# --- Working in the portal --------------------------------------------------------------------
def test_priya_acknowledges_starts_delivers_and_comments(
    org, engagement, manager, priya, priya_client
):
    task = make_task(engagement, manager)
    path = f"/portal/acme/tasks/{task.pk}/"
    assert b"Acknowledge" in priya_client.get(path).content
    for to_status in (TaskStatus.ACKNOWLEDGED, TaskStatus.IN_PROGRESS):
        task.refresh_from_db()
        response = priya_client.post(
            path + "move/", {"to_status": to_status, "version": task.version}
        )
        assert response.status_code == 302, response.content
    task.refresh_from_db()
    response = priya_client.post(
        path + "move/",
        {"to_status": TaskStatus.DELIVERED, "note": "Books closed", "version": task.version},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DELIVERED
    last = TaskMove.objects.filter(organization=org).filter(task=task).last()
    assert last.side == Side.PROVIDER and last.actor == priya and last.note == "Books closed"
    # The provider cannot accept its own work.
    refused = priya_client.post(path + "move/", {"to_status": TaskStatus.ACCEPTED})
    assert refused.status_code == 422
    task.refresh_from_db()
    assert task.status == TaskStatus.DELIVERED
    assert priya_client.post(path + "comment/", {"body": "Let me know"}).status_code == 302
    assert task.comments.get().side == Side.PROVIDER


def test_priya_raises_and_answers_issues_in_the_portal(
    org, engagement, manager, member, priya, priya_client
):
    response = priya_client.post(
        "/portal/acme/issues/new/",
        {
            "engagement_id": engagement.pk,
            "title": "Missing receipts",
            "severity": "high",
            "description": "We need March receipts.",
        },
    )
    assert response.status_code == 302
    raised = Issue.objects.filter(organization=org).get()
    assert raised.raised_side == Side.PROVIDER and raised.raised_by == priya
    ours = issues.raise_issue(
        principal_for(member, engagement.organization), engagement, data={"title": "Late"}
    )
    response = priya_client.post(f"/portal/acme/issues/{ours.pk}/respond/", {"body": "Sorry"})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.first_response_by == priya
    page = priya_client.get(f"/portal/acme/issues/{ours.pk}/").content
    assert b"Sorry" in page and b"First response after" in page


def test_bad_portal_input_changes_nothing(org, engagement, rival_engagement, priya_client):
    response = priya_client.post(
        "/portal/acme/issues/new/",
        {
            "engagement_id": rival_engagement.pk,
            "title": "x",
            "severity": "high",
            "description": "y",
        },
    )
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    response = priya_client.post(
        "/portal/acme/issues/new/",
        {"engagement_id": engagement.pk, "title": "", "severity": "high", "description": ""},
    )
    assert response.status_code == 200
    assert not Issue.objects.filter(organization=org).exists()


def test_portal_users_make_their_own_api_tokens(org, engagement, priya, priya_client):
    response = priya_client.post("/portal/acme/api-tokens/", {"name": "sync"})
    assert response.status_code == 200 and b"hnd_" in response.content
    assert b'aria-label="Portal"' in response.content  # the portal's frame, not the app's
    token = ApiToken.objects.filter(organization=org).get(user=priya)
    assert token.name == "sync"
    # A member's token is not theirs to see or revoke.
    theirs_only = priya_client.get("/portal/acme/api-tokens/")
    assert list(theirs_only.context["tokens"]) == [token]
    revoked = priya_client.post(f"/portal/acme/api-tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302 and revoked.url == "/portal/acme/api-tokens/"
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_portal_user_cannot_revoke_a_members_token(org, owner, priya_client):
    from handoff.accounts import services as accounts

    token, _ = accounts.create_api_token(principal_for(owner, org), name="ours")
    assert priya_client.post(f"/portal/acme/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_portal_user_reads_issue_notifications_in_the_inbox(
    org, engagement, member, point_contact, priya, priya_client
):
    engagement.communication_plan.issue_contact = point_contact
    engagement.communication_plan.save()
    issues.raise_issue(
        principal_for(member, engagement.organization), engagement, data={"title": "Ping"}
    )
    inbox = priya_client.get("/o/acme/inbox/")
    assert inbox.status_code == 200 and b"Ping" in inbox.content


def test_files_download_except_those_of_internal_notes(org, engagement, manager, priya_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    task = make_task(engagement, manager)
    shared = services.add_comment(
        principal_for(manager, task.organization),
        task,
        body="Here",
        files=[SimpleUploadedFile("shared.txt", b"for you", content_type="text/plain")],
    )
    secret = services.add_comment(
        principal_for(manager, task.organization),
        task,
        body="Ours",
        internal=True,
        files=[SimpleUploadedFile("secret.txt", b"only us", content_type="text/plain")],
    )
    path = f"/portal/acme/tasks/{task.pk}/"
    page = priya_client.get(path).content
    assert b"shared.txt" in page and b"secret.txt" not in page
    download = priya_client.get(f"{path}files/{shared.attachments.get().pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"for you"
    assert priya_client.get(f"{path}files/{secret.attachments.get().pk}/").status_code == 404
