from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from handoff.accounts import services
from handoff.accounts.models import Invitation, Membership, User
from handoff.core.roles import Role
from tests.conftest import client_for
from tests.factories import principal_for


def membership(org, user):
    return Membership.objects.get(organization=org, user=user)


def invite_link(email_message) -> str:
    line = next(line for line in email_message.body.splitlines() if "/invite/" in line)
    return "/" + line.split("://", 1)[1].split("/", 1)[1]


@pytest.mark.django_db(transaction=True)
class TestInvitations:
    def test_an_admin_invites_and_a_newcomer_signs_up_from_the_link(self, org, admin):
        response = client_for(admin).post(
            reverse("accounts:invite", args=[org.slug]),
            {"email": "New.Person@Example.com", "role": Role.MANAGER},
        )
        assert response.status_code == 302
        assert mail.outbox[0].to == ["new.person@example.com"]
        link = invite_link(mail.outbox[0])
        newcomer = Client()
        assert "Create your account" in newcomer.get(link).content.decode()
        response = newcomer.post(link, {"name": "New Person", "password": "Long-enough-pw-42"})
        assert response.status_code == 302
        user = User.objects.get(email="new.person@example.com")
        assert membership(org, user).role == Role.MANAGER
        # The link works once.
        assert Client().get(link).status_code == 410

    def test_an_existing_account_is_linked_after_login(self, org, admin, outsider):
        _, raw = services.invite(principal_for(admin, org), email=outsider.email, role=Role.MEMBER)
        link = reverse("accounts:invitation", args=[raw])
        assert "Log in to accept" in Client().get(link).content.decode()
        client = client_for(outsider)
        assert client.post(link).status_code == 302
        assert membership(org, outsider).role == Role.MEMBER

    def test_an_invitation_is_for_its_own_address_only(self, org, admin, outsider, other_org):
        """A link forwarded to (or opened by) someone logged in as another person does not
        make them a member: the page says whose it is, and the service refuses it too."""
        invitation, raw = services.invite(
            principal_for(admin, org), email="newcomer@example.com", role=Role.ADMIN
        )
        link = reverse("accounts:invitation", args=[raw])
        client = client_for(outsider)
        page = client.get(link).content.decode()
        assert "This invitation is for newcomer@example.com" in page
        assert '<button type="submit">Join Acme Dental' not in page
        assert client.post(link).status_code == 422
        with pytest.raises(ValidationError, match="you are logged in as"):
            services.accept_invitation(invitation, user=outsider)
        assert not Membership.objects.filter(organization=org).filter(user=outsider).exists()
        invitation.refresh_from_db()
        assert invitation.accepted_at is None

    def test_an_expired_link_is_refused(self, org, admin):
        _, raw = services.invite(
            principal_for(admin, org), email="late@example.com", role=Role.MEMBER
        )
        with time_machine.travel(timezone.now() + timedelta(days=8)):
            response = Client().get(reverse("accounts:invitation", args=[raw]))
        assert response.status_code == 410
        assert "It expired" in response.content.decode()

    def test_a_revoked_link_is_refused(self, org, admin):
        invitation, raw = services.invite(
            principal_for(admin, org), email="gone@example.com", role=Role.MEMBER
        )
        client_for(admin).post(
            reverse("accounts:revoke_invitation", args=[org.slug, invitation.pk])
        )
        assert Client().get(reverse("accounts:invitation", args=[raw])).status_code == 410

    def test_an_unknown_link_is_404(self, db):
        assert Client().get(reverse("accounts:invitation", args=["nope"])).status_code == 404

    def test_a_manager_cannot_invite(self, org, manager):
        response = client_for(manager).post(
            reverse("accounts:invite", args=[org.slug]),
            {"email": "x@example.com", "role": "member"},
        )
        assert response.status_code == 403
        assert not Invitation.objects.exists()

    def test_an_admin_cannot_invite_an_owner(self, org, admin):
        response = client_for(admin).post(
            reverse("accounts:invite", args=[org.slug]), {"email": "x@example.com", "role": "owner"}
        )
        assert "Only an owner" in response.content.decode()
        assert not Invitation.objects.exists()

    def test_inviting_a_member_again_is_refused(self, org, admin, manager):
        response = client_for(admin).post(
            reverse("accounts:invite", args=[org.slug]), {"email": manager.email, "role": "member"}
        )
        assert "already a member" in response.content.decode()


@pytest.mark.django_db
class TestRoles:
    def change(self, actor, org, target, role):
        return client_for(actor).post(
            reverse("accounts:change_role", args=[org.slug, membership(org, target).pk]),
            {"role": role},
            follow=True,
        )

    def test_an_admin_changes_a_role(self, org, admin, member):
        self.change(admin, org, member, Role.MANAGER)
        assert membership(org, member).role == Role.MANAGER

    def test_the_last_owner_cannot_be_demoted(self, org, owner):
        response = self.change(owner, org, owner, Role.ADMIN)
        assert "last owner cannot be demoted" in response.content.decode()
        assert membership(org, owner).role == Role.OWNER

    def test_an_owner_can_step_down_once_there_is_another(self, org, owner, admin):
        self.change(owner, org, admin, Role.OWNER)
        self.change(owner, org, owner, Role.MEMBER)
        assert membership(org, owner).role == Role.MEMBER

    def test_an_admin_cannot_touch_an_owner(self, org, owner, admin):
        response = self.change(admin, org, owner, Role.VIEWER)
        assert response.status_code == 403
        assert membership(org, owner).role == Role.OWNER

    def test_a_member_cannot_change_roles(self, org, member, viewer):
        assert self.change(member, org, viewer, Role.OWNER).status_code == 403
        assert membership(org, viewer).role == Role.VIEWER

    def test_another_organizations_membership_is_404(self, org, admin, other_org, outsider):
        url = reverse("accounts:change_role", args=[org.slug, membership(other_org, outsider).pk])
        assert client_for(admin).post(url, {"role": "viewer"}).status_code == 404


@pytest.mark.django_db
class TestRemoval:
    def remove(self, actor, org, target):
        return client_for(actor).post(
            reverse("accounts:remove_member", args=[org.slug, membership(org, target).pk]),
            follow=True,
        )

    def test_an_admin_removes_a_member_and_their_tokens_stop(self, org, admin, member):
        token, _ = services.create_api_token(principal_for(member, org), name="sync")
        self.remove(admin, org, member)
        assert not Membership.objects.filter(organization=org, user=member).exists()
        token.refresh_from_db()
        assert token.revoked_at is not None

    def test_the_last_owner_cannot_be_removed_or_leave(self, org, owner, admin):
        response = self.remove(owner, org, owner)
        assert "last owner cannot be removed" in response.content.decode()
        assert membership(org, owner)

    def test_a_member_may_leave_but_not_remove_others(self, org, member, viewer):
        assert self.remove(member, org, viewer).status_code == 403
        self.remove(member, org, member)
        assert not Membership.objects.filter(organization=org, user=member).exists()

    def test_a_viewer_sees_the_member_list(self, org, viewer, owner):
        page = client_for(viewer).get(reverse("accounts:members", args=[org.slug]))
        assert owner.name in page.content.decode()


@pytest.mark.django_db
def test_the_member_services_check_the_role_themselves(org, owner, admin, manager, member):
    """Managing members is an admin's and ownership an owner's; a token is its person's own —
    each refused in the service itself, with nothing changed."""
    with pytest.raises(PermissionDenied, match="admin role"):
        services.change_role(principal_for(manager, org), membership(org, member), role="viewer")
    with pytest.raises(PermissionDenied, match="Only an owner"):
        services.change_role(principal_for(admin, org), membership(org, admin), role="owner")
    with pytest.raises(PermissionDenied, match="admin role"):
        services.invite(principal_for(manager, org), email="new@example.com", role="member")
    with pytest.raises(PermissionDenied, match="admin role"):
        services.update_organization(principal_for(manager, org), name="Renamed")
    token, _ = services.create_api_token(principal_for(member, org), name="sync")
    with pytest.raises(PermissionDenied, match="your own tokens"):
        services.revoke_api_token(principal_for(owner, org), token)
    token.refresh_from_db()
    assert token.revoked_at is None and not Invitation.objects.exists()
    assert membership(org, member).role == Role.MEMBER and membership(org, admin).role == Role.ADMIN
    org.refresh_from_db()
    assert org.name != "Renamed"
