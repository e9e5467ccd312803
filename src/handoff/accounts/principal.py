"""Who a request is: a session's login at an organization's slug, or a bearer token, resolved
once to a :class:`~handoff.core.principal.Principal`.

A member is their membership's role. A provider's contact with live portal access (see
:class:`~handoff.accounts.models.PortalAccess`) is the provider role: below every member, and
limited by each model's ``portal_scope`` to their own provider's rows. Anyone else is nobody
here, and the caller answers 404.
"""

from datetime import timedelta

from django.utils import timezone

from handoff.accounts.models import ApiToken, Organization, PortalAccess, hash_secret
from handoff.core.principal import PROVIDER, Principal


def provider_principal(user, organization) -> Principal | None:
    """``user`` as a provider's contact in ``organization``'s portal (live access), or None."""
    access = (
        PortalAccess.objects.visible_to(Principal.system(organization))
        .live()
        .filter(user=user)
        .select_related("contact__provider")
        .first()
    )
    if access is None:
        return None
    return Principal(
        organization=organization,
        user=user,
        role=PROVIDER,
        contact=access.contact,
    )


def principal_of(user, organization) -> Principal | None:
    """``user`` in ``organization``, for a credential that names both (an API token, a calendar
    feed's address): their membership's role, else their live portal access; None once they
    have neither (or the login is disabled)."""
    if not user.is_active:
        return None
    membership = user.memberships.filter(organization=organization).first()
    if membership is not None:
        membership.organization, membership.user = organization, user
        return Principal(
            organization=organization, user=user, role=membership.role, membership=membership
        )
    return provider_principal(user, organization)


def for_session(user, org_slug: str) -> Principal | None:
    """``user`` at the organization ``org_slug``: member first, then portal contact."""
    if not user.is_authenticated or not user.is_active:
        return None
    # Every membership of the user at once: this organization's, and the switcher's list.
    memberships = tuple(user.memberships.select_related("organization"))
    membership = next((m for m in memberships if m.organization.slug == org_slug), None)
    if membership is not None:
        return Principal(
            organization=membership.organization,
            user=user,
            role=membership.role,
            membership=membership,
            memberships=memberships,
        )
    organization = Organization.objects.filter(slug=org_slug).first()
    return provider_principal(user, organization) if organization else None


def for_token(raw: str) -> Principal | None:
    """The principal a live bearer token speaks for (a member's or a portal contact's), or None.

    A member's token speaks for the member; a token of a login that is no longer a member nor a
    live portal contact speaks for nobody. Records the token's last use at most once a minute.
    """
    token = (
        # Across organizations: the token itself says whose it is.
        ApiToken.objects.all_organizations()
        .active()
        .select_related("organization", "user")
        .filter(key_hash=hash_secret(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    principal = principal_of(token.user, token.organization)
    if principal is None:
        return None
    now = timezone.now()
    # Write at most once a minute so busy clients do not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.all_organizations().filter(pk=token.pk).update(last_used_at=now)
    return principal


def portal_organizations(user):
    """The organizations whose portal ``user`` may open, by name."""
    return [
        access.organization
        # Across organizations: one login may be a contact of several organizations' providers.
        for access in PortalAccess.objects.all_organizations()
        .live()
        .filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    ]
