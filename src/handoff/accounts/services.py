"""Operations on people, organizations, memberships, invitations and API tokens.

Views, the API and commands call these; each owns its transaction and its invariants.
"""

import tempfile
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from handoff.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Organization,
    SignupMail,
    User,
    hash_secret,
)
from handoff.accounts.signals import organization_created
from handoff.core import audit
from handoff.core.backup import MIN_PASSPHRASE, write_backup
from handoff.core.links import absolute_url
from handoff.core.principal import Principal
from handoff.core.roles import Role


def create_user(*, email: str, name: str, password: str) -> User:
    """A new account; the password must pass Django's validators. Two requests for one address
    at once make one account: the other is refused like a taken address."""
    email = email.strip().lower()
    taken = ValidationError({"email": "An account with this e-mail address already exists."})
    if User.objects.filter(email=email).exists():
        raise taken
    user = User(email=email, name=name.strip())
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.full_clean()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise taken from None
    return user


# Sign-up proves the address first: the link mailed to it carries the address and name, signed
# (so nothing is stored until it is used), and works for SIGNUP_VALID.
SIGNUP_SALT = "handoff.accounts.signup"
SIGNUP_VALID = timedelta(days=2)


# How often sign-up mails one address, and how many sign-up mails one client may ask for, in
# SIGNUP_MAIL_WINDOW. Over either, nothing is sent and the page says the same as ever.
SIGNUP_MAIL_WINDOW = timedelta(hours=1)
SIGNUP_MAILS_PER_EMAIL = 3
SIGNUP_MAILS_PER_CLIENT = 10


def _may_mail_signup(email: str, address: str | None) -> bool:
    """Count this request against both limits; True when it is within them. Rows older than
    the window are dropped as we go."""
    since = timezone.now() - SIGNUP_MAIL_WINDOW
    SignupMail.objects.filter(sent_at__lt=since).delete()
    recent = SignupMail.objects.filter(sent_at__gte=since)
    within = recent.filter(email=email).count() < SIGNUP_MAILS_PER_EMAIL and (
        not address or recent.filter(address=address).count() < SIGNUP_MAILS_PER_CLIENT
    )
    SignupMail.objects.create(email=email, address=address or None)
    return within


def start_signup(*, email: str, name: str, address: str | None = None) -> bool:
    """Mail ``email`` a link to finish creating an account — or, when the address already has
    one, a note saying so with links to log in and reset the password. The page after says the
    same either way, so sign-up does not tell anyone who has an account.

    At most SIGNUP_MAILS_PER_EMAIL mails go to one address, and SIGNUP_MAILS_PER_CLIENT are sent
    for one client ``address``, an hour; over that nothing is sent. Returns whether it sent."""
    email = email.strip().lower()
    if not _may_mail_signup(email, address):
        return False
    if User.objects.filter(email=email).exists():
        subject, template = "You already have a Handoff account", "signup_existing"
        context = {
            "login_url": absolute_url("accounts:login"),
            "reset_url": absolute_url("accounts:password_reset"),
        }
    else:
        token = signing.dumps({"email": email, "name": name.strip()}, salt=SIGNUP_SALT)
        subject, template = "Finish creating your Handoff account", "signup_confirm"
        context = {
            "url": absolute_url("accounts:signup_finish", token=token),
            "valid_days": SIGNUP_VALID.days,
        }
    send_mail(
        subject=subject,
        message=render_to_string(f"accounts/email/{template}.txt", context),
        from_email=None,
        recipient_list=[email],
    )
    return True


def read_signup(token: str) -> dict | None:
    """The address and name a sign-up link was mailed for; None when the link is altered or
    older than SIGNUP_VALID."""
    try:
        data = signing.loads(token, salt=SIGNUP_SALT, max_age=SIGNUP_VALID)
    except signing.BadSignature:  # SignatureExpired included
        return None
    return data if isinstance(data, dict) and data.get("email") else None


@transaction.atomic
def create_organization(
    *, user: User, name: str, slug: str, time_zone: str, currency: str, states: list[str]
) -> Organization:
    """A new organization with ``user`` as its first owner."""
    org = Organization(
        name=name.strip(),
        slug=slug,
        time_zone=time_zone,
        currency=currency,
        states=sorted(set(states)),
    )
    org.full_clean()
    org.save()
    membership = Membership.objects.create(organization=org, user=user, role=Role.OWNER)
    audit.record(org, user, "organization.created", org, f"Created organization {org.name}")
    audit.record(org, user, "membership.created", membership, f"{user} joined as owner")
    organization_created.send(sender=Organization, organization=org)
    return org


@transaction.atomic
def update_organization(principal: Principal, **fields) -> Organization:
    """Change the organization's name, zone and other settings (admins)."""
    principal.require_in(principal.organization_id, Role.ADMIN, "Changing the organization")
    org, actor = Organization.objects.get(pk=principal.organization_id), principal.user
    before = {key: getattr(org, key) for key in fields}
    for key, value in fields.items():
        setattr(org, key, value)
    org.full_clean()
    org.save()
    changes = audit.diff(before, fields)
    if changes:
        audit.record(
            org, actor, "organization.updated", org, "Updated organization settings", changes
        )
    return org


def _owner_count(principal: Principal) -> int:
    return Membership.objects.visible_to(principal).filter(role=Role.OWNER).count()


def _lock_memberships(principal: Principal, membership: Membership) -> Membership:
    """Take the organization's row lock, so that changes to its members happen one at a time
    (two owners demoting each other, or both leaving, at the same moment cannot leave it with
    none); refuse if the person acting lost their place or role meanwhile, or ``membership``
    is gone. Returns ``membership`` as it is now."""
    Organization.objects.select_for_update().filter(pk=membership.organization_id).exists()
    members = Membership.objects.visible_to(principal).select_related("organization", "user")
    if principal.membership is not None:
        role_now = members.filter(pk=principal.membership.pk).values_list("role", flat=True)
        if role_now.first() != principal.role:
            raise PermissionDenied("Your role here changed meanwhile: reload and try again.")
    current = members.filter(pk=membership.pk).first()
    if current is None:
        raise ValidationError(f"{membership.user} is no longer a member.")
    return current


def _check_can_manage(principal: Principal, organization_id: int, role: str) -> None:
    """Admins manage members up to admin; only owners grant or touch ownership."""
    principal.require_in(organization_id, Role.ADMIN, "Managing members")
    if role == Role.OWNER and not principal.at_least(Role.OWNER):
        raise PermissionDenied("Only an owner can grant or change the owner role.")


@transaction.atomic
def change_role(principal: Principal, membership: Membership, *, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role."})
    _check_can_manage(principal, membership.organization_id, role)
    membership = _lock_memberships(principal, membership)
    _check_can_manage(principal, membership.organization_id, membership.role)
    org = membership.organization
    if membership.role == Role.OWNER and role != Role.OWNER and _owner_count(principal) == 1:
        raise ValidationError(
            {"role": "The last owner cannot be demoted; make someone else an owner first."}
        )
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        org,
        principal.user,
        "membership.role_changed",
        membership,
        f"{membership.user}: {old} → {role}",
        {"role": [old, role]},
    )
    return membership


@transaction.atomic
def remove_member(principal: Principal, membership: Membership) -> None:
    """Remove a member (or let one leave); the organization always keeps an owner."""
    leaving = principal.membership is not None and membership.pk == principal.membership.pk
    if not leaving:
        _check_can_manage(principal, membership.organization_id, Role.VIEWER)
    membership = _lock_memberships(principal, membership)
    if not leaving:
        _check_can_manage(principal, membership.organization_id, membership.role)
    org = membership.organization
    if membership.role == Role.OWNER and _owner_count(principal) == 1:
        raise ValidationError("The last owner cannot be removed; make someone else an owner first.")
    ApiToken.objects.visible_to(principal).filter(
        user=membership.user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    audit.record(
        org,
        principal.user,
        "membership.removed",
        membership,
        f"{membership.user} left" if leaving else f"Removed {membership.user}",
    )
    membership.delete()


def invitation_url(raw_token: str) -> str:
    return absolute_url("accounts:invitation", raw_token)


@transaction.atomic
def invite(principal: Principal, *, email: str, role: str) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link; returns it with the raw token (shown once)."""
    email = email.strip().lower()
    _check_can_manage(principal, principal.organization_id, role)
    org = principal.organization
    if Membership.objects.visible_to(principal).filter(user__email=email).exists():
        raise ValidationError({"email": f"{email} is already a member."})
    raw = Invitation.new_token()
    invitation = Invitation(
        organization=org,
        email=email,
        role=role,
        token_hash=hash_secret(raw),
        invited_by=principal.user,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit.record(
        org, principal.user, "invitation.created", invitation, f"Invited {email} as {role}"
    )
    mail_invitation(
        email,
        f"You are invited to {org.name} on Handoff",
        "accounts/email/invitation.txt",
        {"invitation": invitation, "url": invitation_url(raw), "org": org},
    )
    return invitation, raw


def mail_invitation(email: str, subject: str, template: str, context: dict) -> None:
    """E-mail an invitation link once the transaction that made it commits (a rolled-back
    invitation sends nothing)."""
    transaction.on_commit(
        lambda: send_mail(
            subject=subject,
            message=render_to_string(template, context),
            from_email=None,
            recipient_list=[email],
        )
    )


def for_address(invitation: Invitation, user: User) -> bool:
    """True when ``user``'s address is the one the invitation was sent to."""
    return invitation.email.strip().lower() == user.email.strip().lower()


def find_invitation(raw_token: str) -> Invitation | None:
    """The invitation behind a link, whatever its state (the page explains expiry)."""
    return (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=hash_secret(raw_token))
        .first()
    )


@transaction.atomic
def accept_invitation(invitation: Invitation, *, user: User) -> Membership:
    """Link ``user`` to the inviting organization; an invitation works once, before expiry,
    and only for the address it was sent to."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise ValidationError(f"This invitation is {invitation.status}.")
    if not for_address(invitation, user):
        raise ValidationError(
            f"This invitation is for {invitation.email}; you are logged in as {user.email}. "
            "Log out and open the link again."
        )
    org = invitation.organization
    membership, created = Membership.objects.get_or_create(
        organization=org, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if created:
        audit.record(
            org, user, "membership.created", membership, f"{user} joined as {membership.role}"
        )
    return membership


@transaction.atomic
def revoke_invitation(principal: Principal, invitation: Invitation) -> None:
    _check_can_manage(principal, invitation.organization_id, invitation.role)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        invitation.organization,
        principal.user,
        "invitation.revoked",
        invitation,
        f"Revoked the invitation of {invitation.email}",
    )


@transaction.atomic
def create_api_token(principal: Principal, *, name: str) -> tuple[ApiToken, str]:
    """A new token of the principal's own (a member's, or a provider contact's for the portal);
    the raw key is returned once and never stored."""
    if principal.user is None:
        raise PermissionDenied("An API token belongs to a person.")
    org, user = principal.organization, principal.user
    raw = ApiToken.new_key()
    token = ApiToken(
        organization=org,
        user=user,
        name=name.strip(),
        key_hash=hash_secret(raw),
        hint=raw[: len(ApiToken.PREFIX) + 4],
    )
    token.full_clean()
    token.save()
    audit.record(org, user, "api_token.created", token, f"Created API token {token.name}")
    return token, raw


@transaction.atomic
def revoke_api_token(principal: Principal, token: ApiToken) -> None:
    """Revoke one of the principal's own tokens."""
    mine = principal.user is not None and token.user_id == principal.user.pk
    if token.organization_id != principal.organization_id or not mine:
        raise PermissionDenied("You can revoke only your own tokens.")
    org, actor = token.organization, principal.user
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(org, actor, "api_token.revoked", token, f"Revoked API token {token.name}")


def authenticate_api_token(raw: str) -> tuple[ApiToken, Membership] | None:
    """The live token and its owner's current membership, or None. Records the last use."""
    token = (
        ApiToken.objects.active()
        .select_related("organization", "user")
        .filter(key_hash=hash_secret(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    membership = token.user.memberships.filter(organization=token.organization_id).first()
    if membership is None:
        return None
    now = timezone.now()
    # Write at most once a minute so busy clients do not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    membership.organization = token.organization
    membership.user = token.user
    return token, membership


@dataclass
class BackupDownload:
    file: BinaryIO  # at its start; the response that streams it closes it
    filename: str
    content_type: str


def backup_organization(principal: Principal, *, passphrase: str = "") -> BackupDownload:
    """The organization's backup archive (owners), sealed when a passphrase is given; the audit
    trail keeps who took a copy of everything, and when."""
    principal.require_in(principal.organization_id, Role.OWNER, "Downloading a backup")
    if passphrase and len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError({"passphrase": f"Use {MIN_PASSPHRASE} characters or more."})
    org = Organization.objects.get(pk=principal.organization_id)
    # Kept in memory while small, on disk beyond.
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    manifest = write_backup(out, [org], passphrase=passphrase or None)
    out.seek(0)
    audit.record(
        org,
        principal.user,
        "organization.backup",
        org,
        "Downloaded a backup of the organization" + (" (encrypted)" if passphrase else ""),
        {
            "encrypted": bool(passphrase),
            "rows": sum(manifest["counts"].values()),
            "files": sum(1 for name in manifest["members"] if name.startswith("files/")),
        },
    )
    name = f"handoff-{org.slug}-{timezone.localdate().isoformat()}"
    if passphrase:
        return BackupDownload(out, f"{name}.enc", "application/octet-stream")
    return BackupDownload(out, f"{name}.zip", "application/zip")
