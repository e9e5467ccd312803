"""The one choke point for tenancy: every row a business enters belongs to an organization,
and is read only through ``Model.objects.visible_to(principal)``.

``visible_to`` keeps the principal's organization and, for a provider's contact, narrows to
what the portal shows them: a model opens itself to provider contacts by defining
``portal_scope(principal)`` on its queryset (their own provider's rows, no internal notes); a
model without one shows them nothing. Cross-organization sweeps read through
``all_organizations()``, each call commented with why.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404


class TenantQuerySet(models.QuerySet):
    def visible_to(self, principal):
        """The rows ``principal`` may see (a :class:`handoff.core.principal.Principal`)."""
        rows = self.filter(organization_id=principal.organization_id)
        if principal.is_link:
            return rows.link_scope(principal)
        if principal.is_provider:
            return rows.portal_scope(principal)
        return rows

    def portal_scope(self, principal):
        """What a provider's contact sees of these rows; nothing unless a model says so."""
        return self.none()

    def link_scope(self, principal):
        """What a one-time link's holder sees: the row it unlocks, if it is one of these, and
        nothing else unless a model says so."""
        grant = principal.grant
        return self.filter(pk=grant.pk) if isinstance(grant, self.model) else self.none()

    def all_organizations(self):
        """Every organization's rows: for sweeps and commands that span organizations only."""
        return self.all()


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    pass


class TenantModel(models.Model):
    """Base of every organization-owned model: the organization leads each row and index."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", db_index=True
    )

    objects = TenantManager()

    class Meta:
        abstract = True

    def ensure_same_org(self, *related) -> None:
        """Refuse a link to a row of another organization (the form or API shows the field)."""
        for field_name in related:
            other = getattr(self, field_name)
            if other is not None and other.organization_id != self.organization_id:
                raise ValidationError({field_name: "Choose one from this organization."})


def get_visible_or_404(queryset, principal, **lookup):
    """The row ``principal`` may see matching ``lookup``; any other row is a 404, as is none."""
    try:
        return queryset.visible_to(principal).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError):
        raise Http404(f"No {queryset.model._meta.verbose_name} found.") from None
