"""Reads of providers and contacts shared by the pages, the CSV export and the API."""

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Lower

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
    principal,
    *,
    q: str = "",
    status: str = "",
    field: int | None = None,
    kind: str = "",
    archived: bool = False,
    sort: str = ProviderSort.NAME,
):
    """Providers ``principal`` may see, filtered as the list page and the API offer, ready to
    page through.

    Fields of expertise are prefetched (one query a page); ``with_contact_counts`` adds the
    contact counts (one more), so a page costs the same number of queries whatever its length.
    """
    providers = Provider.objects.visible_to(principal)
    providers = providers.filter(archived_at__isnull=not archived)
    if q := q.strip():
        # An uncorrelated IN: the matching contacts are found once, not once per provider.
        with_matching_contact = (
            Contact.objects.visible_to(principal)
            .filter(Q(name__icontains=q) | Q(email__icontains=q))
            .values("provider_id")
        )
        providers = providers.filter(
            Q(name__icontains=q) | Q(legal_name__icontains=q) | Q(pk__in=with_matching_contact)
        )
    if status:
        providers = providers.filter(status=status)
    if kind:
        providers = providers.filter(kind=kind)
    if field:
        providers = providers.filter(providerexpertise__field_id=field)
    # Not filtered by organization: the provider ids already are, and a filter here makes SQLite
    # read every link of the organization's fields instead of the page's (bench/providers.py).
    fields = ExpertiseField.objects.order_by(Lower("name"))
    return providers.prefetch_related(Prefetch("fields", queryset=fields)).order_by(
        *SORT_ORDER.get(sort, SORT_ORDER[ProviderSort.NAME])
    )


def with_contact_counts(principal, providers) -> list:
    """Set ``contact_count`` (live contacts) on each of ``providers``, a page of rows, in one
    query. Counting per page rather than annotating the queryset keeps deep pages cheap: an
    annotation is computed for every row an OFFSET skips."""
    providers = list(providers)
    counts = dict(
        Contact.objects.visible_to(principal)
        .filter(provider_id__in=[p.pk for p in providers], archived_at__isnull=True)
        .values("provider_id")
        .annotate(n=Count("id"))
        .values_list("provider_id", "n")
    )
    for provider in providers:
        provider.contact_count = counts.get(provider.pk, 0)
    return providers


def providers_with_fields(principal):
    """The base queryset for one provider's pages and endpoints."""
    return Provider.objects.visible_to(principal).prefetch_related("fields")


def contacts_of(principal, provider, *, archived: bool = False):
    return Contact.objects.visible_to(principal).filter(
        provider=provider, archived_at__isnull=not archived
    )


def first_reachable_contact(principal, provider) -> Contact | None:
    """The provider's first current contact with an e-mail address: who a link or a document
    to sign goes to unless told otherwise."""
    return contacts_of(principal, provider).exclude(email="").order_by("id").first()


def expertise_fields(principal):
    return ExpertiseField.objects.visible_to(principal)
