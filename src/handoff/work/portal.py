"""The provider portal: who is a portal user, what they may see, and the invitations that let
a provider contact in.

A provider contact gets a login to one organization's portal through an expiring invitation
link (stored hashed, like member invitations). The portal shows only the contact's own
provider's engagements, tasks and issues; a portal user is never a member, so every
``/o/<slug>/`` page and member API endpoint stays closed to them.

Other modules ask three questions here: :func:`portal_user_for` (whom to notify for a contact),
:func:`contact_for` and :func:`is_portal_user` (who is this login in this organization).
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from handoff.accounts.models import ApiToken, Membership, PortalAccess, User
from handoff.core import audit
from handoff.core.links import absolute_url
from handoff.core.roles import Role, role_at_least
from handoff.engagements.models import Engagement
from handoff.providers.models import Contact
from handoff.work.models import Issue, PortalSettings, Task


# --- Who is a portal user ---------------------------------------------------------------------
def _live_accesses():
    """Accepted, not revoked, for an active login and a contact still on file."""
    return PortalAccess.objects.filter(
        revoked_at__isnull=True,
        accepted_at__isnull=False,
        user__isnull=False,
        user__is_active=True,
        contact__archived_at__isnull=True,
    )


def portal_user_for(contact: Contact | None) -> User | None:
    """The login of ``contact``'s live portal access, or None (then e-mail them instead)."""
    if contact is None:
        return None
    access = (
        _live_accesses()
        .filter(organization_id=contact.organization_id, contact=contact)
        .select_related("user")
        .first()
    )
    return access.user if access else None


def contact_for(user, organization) -> Contact | None:
    """The provider contact ``user`` is in ``organization``'s portal, or None."""
    if user is None or not user.is_authenticated:
        return None
    access = (
        _live_accesses()
        .filter(organization=organization, user=user)
        .select_related("contact__provider")
        .first()
    )
    return access.contact if access else None


def is_portal_user(user, organization) -> bool:
    return contact_for(user, organization) is not None


def portal_organizations(user):
    """The organizations whose portal ``user`` may open, by name."""
    return [
        access.organization
        for access in _live_accesses()
        .filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    ]


# --- What a portal user sees ------------------------------------------------------------------
def engagements_for(principal):
    return Engagement.objects.visible_to(principal)


def tasks_for(principal):
    return Task.objects.visible_to(principal)


def issues_for(principal):
    return Issue.objects.visible_to(principal)


def settings_for(organization) -> PortalSettings:
    """The organization's portal settings (defaults until an admin saves them)."""
    found = PortalSettings.objects.for_org(organization).first()
    return found or PortalSettings(organization=organization)


@transaction.atomic
def update_settings(organization, *, actor, show_prices: bool) -> PortalSettings:
    row, _ = PortalSettings.objects.select_for_update().get_or_create(organization=organization)
    before = row.show_prices
    row.show_prices = bool(show_prices)
    row.save(update_fields=["show_prices"])
    if before != row.show_prices:
        audit.record(
            organization,
            actor,
            "portal_settings.updated",
            row,
            "Providers now see engagement prices"
            if row.show_prices
            else "Providers no longer see engagement prices",
            {"show_prices": [before, row.show_prices]},
        )
    return row


# --- Invitations ------------------------------------------------------------------------------
def invitation_url(raw_token: str) -> str:
    return absolute_url("portal:accept", raw_token)


def _check_manager(membership) -> None:
    if membership is None or not role_at_least(membership.role, Role.MANAGER):
        raise PermissionDenied("Inviting provider contacts to the portal needs the manager role.")


@transaction.atomic
def invite(organization, *, actor_membership, contact: Contact) -> tuple[PortalAccess, str]:
    """Send ``contact`` a link to the portal; a new invitation replaces a pending one.

    Returns the access with the raw token (shown once; only its hash is kept).
    """
    _check_manager(actor_membership)
    if contact.organization_id != organization.pk:
        raise ValidationError({"contact": "Choose a contact of this organization."})
    if contact.archived_at is not None:
        raise ValidationError({"contact": f"{contact.name} is archived; restore them first."})
    email = (contact.email or "").strip().lower()
    if not email:
        raise ValidationError(
            {"contact": f"{contact.name} has no e-mail address; add one to invite them."}
        )
    if Membership.objects.for_org(organization).filter(user__email=email).exists():
        raise ValidationError(
            {"contact": f"{email} is a member of {organization.name}; members use the app itself."}
        )
    live = (
        PortalAccess.objects.for_org(organization)
        .select_for_update()
        .filter(contact=contact, revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if live is not None and live.accepted_at is not None:
        raise ValidationError(
            {"contact": f"{contact.name} already uses the portal; revoke that access first."}
        )
    if live is not None:
        live.revoked_at = now
        live.save(update_fields=["revoked_at"])
    raw = secrets.token_urlsafe(32)
    access = PortalAccess.objects.create(
        organization=organization,
        contact=contact,
        token_hash=PortalAccess.hash(raw),
        invited_by=actor_membership.user,
        invited_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit.record(
        organization,
        actor_membership.user,
        "portal_access.invited",
        access,
        f"Invited {contact.name} ({email}) to the provider portal"
        + (" (replacing the earlier link)" if live is not None else ""),
    )
    context = {
        "access": access,
        "contact": contact,
        "org": organization,
        "url": invitation_url(raw),
        "inviter": actor_membership.user,
    }
    transaction.on_commit(
        lambda: send_mail(
            subject=f"{organization.name} invites you to its provider portal on Handoff",
            message=render_to_string("work/portal/email/invitation.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    )
    return access, raw


def find_invitation(raw_token: str) -> PortalAccess | None:
    """The access behind an invitation link, whatever its state (the page explains)."""
    return (
        PortalAccess.objects.select_related("organization", "contact__provider", "invited_by")
        .filter(token_hash=PortalAccess.hash(raw_token))
        .first()
    )


def invitation_state(access: PortalAccess | None) -> str:
    """invited (usable), active (used already), expired, revoked, or unknown."""
    if access is None:
        return "unknown"
    return access.state


@transaction.atomic
def accept(access: PortalAccess, *, user: User) -> PortalAccess:
    """Link ``user`` to the contact's portal; the link works once, before it expires, and only
    for the contact's own e-mail address."""
    access = PortalAccess.objects.select_for_update().select_related("contact").get(pk=access.pk)
    if access.state != "invited":
        raise ValidationError(f"This invitation is {_state_words(access.state)}.")
    contact = access.contact
    if (contact.email or "").strip().lower() != user.email.lower():
        raise ValidationError(
            f"This invitation is for {contact.email}; you are logged in as {user.email}. "
            "Log out and open the link again."
        )
    org = access.organization
    if Membership.objects.for_org(org).filter(user=user).exists():
        raise ValidationError(f"You are a member of {org.name}; members use the app itself.")
    if PortalAccess.objects.for_org(org).filter(user=user, revoked_at__isnull=True).exists():
        raise ValidationError(f"You already use {org.name}'s portal as another contact.")
    access.user = user
    access.accepted_at = timezone.now()
    try:
        with transaction.atomic():
            access.save(update_fields=["user", "accepted_at"])
    except IntegrityError:
        raise ValidationError(f"You already use {org.name}'s portal as another contact.") from None
    audit.record(
        org, user, "portal_access.accepted", access, f"{contact.name} joined the provider portal"
    )
    return access


@transaction.atomic
def accept_with_new_account(access: PortalAccess, *, name: str, password: str) -> User:
    """Create the contact's login with ``password`` and accept the invitation with it."""
    if access.state != "invited":
        raise ValidationError(f"This invitation is {_state_words(access.state)}.")
    email = access.contact.email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError("An account with this e-mail address exists; log in to accept.")
    user = User(email=email, name=name.strip() or access.contact.name)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.full_clean()
    user.save()
    accept(access, user=user)
    return user


@transaction.atomic
def revoke(organization, *, actor_membership, access: PortalAccess) -> PortalAccess:
    """End a contact's portal access (or withdraw a pending invitation); their API tokens for
    this organization stop working too."""
    _check_manager(actor_membership)
    access = PortalAccess.objects.for_org(organization).select_for_update().get(pk=access.pk)
    if access.revoked_at is not None:
        raise ValidationError("This access was revoked already.")
    access.revoked_at = timezone.now()
    access.save(update_fields=["revoked_at"])
    if access.user_id:
        ApiToken.objects.for_org(organization).filter(
            user_id=access.user_id, revoked_at__isnull=True
        ).update(revoked_at=access.revoked_at)
    audit.record(
        organization,
        actor_membership.user,
        "portal_access.revoked",
        access,
        f"Revoked the portal access of {access.contact.name}",
    )
    return access


def _state_words(state: str) -> str:
    return {
        "active": "accepted already",
        "expired": "expired",
        "revoked": "withdrawn",
    }.get(state, state)


def task_url(task) -> str:
    """Where a provider contact opens ``task`` (for notifications to portal users)."""
    return reverse("portal:task", args=[task.organization.slug, task.pk])


def issue_url(issue) -> str:
    return reverse("portal:issue", args=[issue.organization.slug, issue.pk])
