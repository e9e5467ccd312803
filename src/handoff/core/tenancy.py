"""The one choke point for tenancy: every row a business enters belongs to an organization,
and is read only through ``Model.objects.for_org(org)``."""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404


class TenantQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(organization=org)


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


def get_for_org_or_404(queryset, org, **lookup):
    """The row of ``org`` matching ``lookup``; another organization's row is a 404, as is none."""
    try:
        return queryset.for_org(org).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError):
        raise Http404(f"No {queryset.model._meta.verbose_name} found.") from None
