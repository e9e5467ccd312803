"""Portal identity: which login is a provider's contact in an organization's portal, the
invitations that let a contact in, and what the organization lets its providers see there.

A provider contact gets a login to one organization's portal through an expiring invitation
link (stored hashed, like member invitations). Once accepted, the login resolves to a provider
principal (``accounts.principal``) and every page and endpoint shows it what
``visible_to`` allows: its own provider's work, no internal notes.

Contacts are rows of ``providers``, which comes after this app: they are passed in, never
imported.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from handoff.accounts.models import ApiToken, Membership, PortalAccess, PortalSettings, User
from handoff.accounts.principal import provider_principal
from handoff.accounts.services import create_user, mail_invitation
from handoff.core import audit
from handoff.core.links import absolute_url
from handoff.core.principal import Principal
from handoff.core.roles import Role


# --- Who is a portal user ---------------------------------------------------------------------
def portal_user_for(contact) -> User | None:
    """The login of ``contact``'s live portal access, or None (then e-mail them instead)."""
    if contact is None:
        return None
    access = (
        PortalAccess.objects.visible_to(Principal.system(contact.organization))
        .live()
        .filter(contact=contact)
        .select_related("user")
        .first()
    )
    return access.user if access else None


def contact_for(user, organization):
    """The provider contact ``user`` is in ``organization``'s portal, or None."""
    if user is None or not user.is_authenticated:
        return None
    principal = provider_principal(user, organization)
    return principal.contact if principal else None


# --- What the organization shows its providers ------------------------------------------------
def settings_for(organization) -> PortalSettings:
    """The organization's portal settings (defaults until an admin saves them)."""
    found = PortalSettings.objects.visible_to(Principal.system(organization)).first()
    return found or PortalSettings(organization=organization)


@transaction.atomic
def update_settings(principal: Principal, *, show_prices: bool) -> PortalSettings:
    principal.require(Role.ADMIN, "Changing what the portal shows")
    organization = principal.organization
    row, _ = (
        PortalSettings.objects.visible_to(principal)
        .select_for_update()
        .get_or_create(organization=organization)
    )
    before = row.show_prices
    row.show_prices = bool(show_prices)
    row.save(update_fields=["show_prices"])
    if before != row.show_prices:
        audit.record(
            organization,
            principal.user,
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


@transaction.atomic
def invite(principal: Principal, contact) -> tuple[PortalAccess, str]:
    """Send ``contact`` a link to the portal; a new invitation replaces a pending one.

    Returns the access with the raw token (shown once; only its hash is kept).
    """
    principal.require(Role.MANAGER, "Inviting provider contacts to the portal")
    organization = principal.organization
    if contact.organization_id != organization.pk:
        raise ValidationError({"contact": "Choose a contact of this organization."})
    if contact.archived_at is not None:
        raise ValidationError({"contact": f"{contact.name} is archived; restore them first."})
    email = (contact.email or "").strip().lower()
    if not email:
        raise ValidationError(
            {"contact": f"{contact.name} has no e-mail address; add one to invite them."}
        )
    if Membership.objects.visible_to(principal).filter(user__email=email).exists():
        raise ValidationError(
            {"contact": f"{email} is a member of {organization.name}; members use the app itself."}
        )
    live = (
        PortalAccess.objects.visible_to(principal)
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
        invited_by=principal.user,
        invited_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit.record(
        organization,
        principal.user,
        "portal_access.invited",
        access,
        f"Invited {contact.name} ({email}) to the provider portal"
        + (" (replacing the earlier link)" if live is not None else ""),
    )
    mail_invitation(
        email,
        f"{organization.name} invites you to its provider portal on Handoff",
        "accounts/email/portal_invitation.txt",
        {
            "access": access,
            "contact": contact,
            "org": organization,
            "url": invitation_url(raw),
            "inviter": principal.user,
        },
    )
    return access, raw


def find_invitation(raw_token: str) -> PortalAccess | None:
    """The access behind an invitation link, whatever its state (the page explains)."""
    return (
        # Across organizations: the link itself says whose invitation it is.
        PortalAccess.objects.all_organizations()
        .select_related("organization", "contact__provider", "invited_by")
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
    org = access.organization
    access = (
        PortalAccess.objects.visible_to(Principal.system(org))
        .select_for_update()
        .select_related("contact")
        .get(pk=access.pk)
    )
    if access.state != "invited":
        raise ValidationError(f"This invitation is {_state_words(access.state)}.")
    contact = access.contact
    if (contact.email or "").strip().lower() != user.email.lower():
        raise ValidationError(
            f"This invitation is for {contact.email}; you are logged in as {user.email}. "
            "Log out and open the link again."
        )
    system = Principal.system(org)
    if Membership.objects.visible_to(system).filter(user=user).exists():
        raise ValidationError(f"You are a member of {org.name}; members use the app itself.")
    if PortalAccess.objects.visible_to(system).filter(user=user, revoked_at__isnull=True).exists():
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
    user = create_user(email=email, name=name.strip() or access.contact.name, password=password)
    accept(access, user=user)
    return user


@transaction.atomic
def revoke(principal: Principal, access: PortalAccess) -> PortalAccess:
    """End a contact's portal access (or withdraw a pending invitation); their API tokens for
    this organization stop working too."""
    principal.require(Role.MANAGER, "Revoking portal access")
    access = PortalAccess.objects.visible_to(principal).select_for_update().get(pk=access.pk)
    if access.revoked_at is not None:
        raise ValidationError("This access was revoked already.")
    access.revoked_at = timezone.now()
    access.save(update_fields=["revoked_at"])
    if access.user_id:
        ApiToken.objects.visible_to(principal).filter(
            user_id=access.user_id, revoked_at__isnull=True
        ).update(revoked_at=access.revoked_at)
    audit.record(
        principal.organization,
        principal.user,
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
