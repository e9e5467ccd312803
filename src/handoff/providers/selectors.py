"""Reads of providers and contacts shared by the pages, the CSV export and the API."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Lower

from handoff.providers.choices import ProviderSort
from handoff.providers.models import Contact, ExpertiseField, Provider

SORT_ORDER = {
    ProviderSort.NAME: [Lower("name"), "id"],
    ProviderSort.NAME_DESC: [Lower("name").desc(), "-id"],
    ProviderSort.UPDATED: ["-updated_at", "-id"],
    ProviderSort.CREATED: ["-created_at", "-id"],
    ProviderSort.STATUS: ["status", Lower("name"), "id"],
}


def provider_list(
    org,
    *,
    q: str = "",
    status: str = "",
    field: int | None = None,
    kind: str = "",
    archived: bool = False,
    sort: str = ProviderSort.NAME,
):
    """Providers of ``org`` filtered as the list page and the API offer, ready to page through.

    Fields of expertise are prefetched and contacts counted in the same query, so a page costs
    the same number of queries whatever its length.
    """
    providers = Provider.objects.for_org(org)
    providers = providers.filter(archived_at__isnull=not archived)
    if q := q.strip():
        matching_contact = Contact.objects.for_org(org).filter(
            Q(name__icontains=q) | Q(email__icontains=q), provider=OuterRef("pk")
        )
        providers = providers.filter(
            Q(name__icontains=q) | Q(legal_name__icontains=q) | Exists(matching_contact)
        )
    if status:
        providers = providers.filter(status=status)
    if kind:
        providers = providers.filter(kind=kind)
    if field:
        providers = providers.filter(providerexpertise__field_id=field)
    # A correlated subquery rather than a JOIN with GROUP BY: count() drops it, so the
    # paginator's count stays a plain indexed scan.
    live_contacts = (
        Contact.objects.filter(provider=OuterRef("pk"), archived_at__isnull=True)
        .values("provider")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        providers.annotate(
            contact_count=Coalesce(Subquery(live_contacts, output_field=IntegerField()), 0)
        )
        .prefetch_related(
            Prefetch("fields", queryset=ExpertiseField.objects.order_by(Lower("name")))
        )
        .order_by(*SORT_ORDER.get(sort, SORT_ORDER[ProviderSort.NAME]))
    )


def providers_with_fields(org):
    """The base queryset for one provider's pages and endpoints."""
    return Provider.objects.for_org(org).prefetch_related("fields")


def contacts_of(provider, *, archived: bool = False):
    return Contact.objects.for_org(provider.organization).filter(
        provider=provider, archived_at__isnull=not archived
    )


def expertise_fields(org):
    return ExpertiseField.objects.for_org(org)
