"""Who is asking: every request resolves once to a principal, and services take it.

A principal is the organization, the person, their role there and, for a provider's contact
using the portal, the provider whose work they may see. A one-time link (a reference check, a
check-in) resolves to a principal too: no person, the ``link`` role, and the one row its token
unlocks (:meth:`Principal.for_link`), which is all it may act on.

``accounts.access`` builds the principal for pages and ``accounts.auth`` for the API (session,
member token or portal token alike); jobs that act for an organization as a whole use
:meth:`Principal.system`.

Role rules read the principal (``principal.require(Role.MANAGER, "Cancelling a task")``) inside
services; views and routers only declare the least role of the route.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from handoff.core.roles import Role, role_at_least

# The role of a provider's contact: below every member role, and never "at least" any of them.
PROVIDER = "provider"
# The role of whoever holds a one-time link: never "at least" any role either.
LINK = "link"


@dataclass(frozen=True, eq=False)
class Principal:
    organization: object
    user: object | None
    role: str
    membership: object | None = None
    # For a provider's contact: the ``providers.Contact`` (with its provider) they log in as.
    contact: object | None = None
    # Every membership of the user (the organization switcher), read with the principal.
    memberships: tuple = field(default=(), repr=False)
    # For a one-time link: the row its token unlocks (the only one it may act on).
    grant: object | None = None

    @classmethod
    def system(cls, organization) -> "Principal":
        """The organization acting for itself: jobs, sweeps and the demo, never a request."""
        return cls(organization=organization, user=None, role=Role.OWNER)

    @classmethod
    def for_link(cls, grant) -> "Principal":
        """Whoever holds the link to ``grant`` (a row with an ``organization``)."""
        return cls(organization=grant.organization, user=None, role=LINK, grant=grant)

    @property
    def is_link(self) -> bool:
        return self.grant is not None

    def require_grant(self, model, doing: str = "This"):
        """The row of ``model`` this link unlocks; refuse (403) any other principal."""
        if not isinstance(self.grant, model):
            raise PermissionDenied(f"{doing} needs the link that was sent for it.")
        return self.grant

    @property
    def organization_id(self) -> int:
        return self.organization.pk

    @property
    def contact_id(self) -> int | None:
        return self.contact.pk if self.contact is not None else None

    @property
    def provider_id(self) -> int | None:
        return self.contact.provider_id if self.contact is not None else None

    @property
    def is_provider(self) -> bool:
        """A provider's contact in the portal: sees their own provider's work only."""
        return self.provider_id is not None

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def side(self) -> str:
        """Which side of the work this person speaks for (``work.choices.Side``'s values)."""
        return "provider" if self.is_provider else "us"

    def at_least(self, role: str) -> bool:
        """True for a member (or the system) of ``role`` or higher; never for a provider."""
        return not self.is_provider and not self.is_link and role_at_least(self.role, role)

    def require(self, role: str, doing: str = "This") -> None:
        """Refuse (403) unless :meth:`at_least` ``role``; ``doing`` names the act refused."""
        if self.at_least(role):
            return
        if self.is_link:
            raise PermissionDenied(f"{doing} needs a member's log-in, not a link.")
        mine = "a provider contact" if self.is_provider else Role(self.role).label.lower()
        raise PermissionDenied(
            f"{doing} needs the {Role(role).label.lower()} role or higher; you are {mine} here."
        )

    def require_in(
        self, organization_id: int, role: str, doing: str = "This", *, or_provider=None
    ) -> None:
        """Refuse (403) acting on a row of another organization, then as :meth:`require`.

        ``or_provider``: the row is that provider's work (a task, an issue), which their own
        contacts may act on too; another provider's contact is refused."""
        if organization_id != self.organization_id:
            raise PermissionDenied(f"{doing}: this is not of your organization.")
        if self.is_provider and or_provider is not None:
            if self.provider_id != or_provider:
                raise PermissionDenied("Only the engagement's own provider can do this.")
            return
        self.require(role, doing)
