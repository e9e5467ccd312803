from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from handoff.core.api import ErrorOut, api_access, paginate
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.providers import selectors, services
from handoff.providers.choices import (
    Channel,
    EntityType,
    ProviderKind,
    ProviderSort,
    ProviderStatus,
)
from handoff.providers.forms import ProviderImportForm
from handoff.providers.models import Contact, Provider

router = Router(tags=["providers"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- Schemas ----------------------------------------------------------------------------------
class ProviderOut(Schema):
    id: int
    name: str
    legal_name: str
    kind: ProviderKind
    entity_type: EntityType | None
    is_attorney: bool = Field(
        description="An attorney or law firm: reported on 1099-NEC even as a corporation."
    )
    fields: list[str]
    website: str
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    status: ProviderStatus
    notes: str
    archived: bool
    archived_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_entity_type(provider):
        return provider.entity_type or None

    @staticmethod
    def resolve_fields(provider):
        return [field.name for field in provider.fields.all()]

    @staticmethod
    def resolve_archived(provider):
        return provider.archived_at is not None


class ProviderListItem(ProviderOut):
    contact_count: int


class ProviderPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[ProviderListItem]


class ProviderIn(Schema):
    name: str = Field(max_length=150)
    legal_name: str = ""
    kind: ProviderKind = ProviderKind.FIRM
    entity_type: EntityType | None = None
    is_attorney: bool = False
    fields: list[str] = Field(default=[], description="Names; new ones join the list.")
    website: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = "United States"
    status: ProviderStatus = ProviderStatus.PROSPECT
    notes: str = ""


class ProviderPatch(Schema):
    name: str | None = Field(None, max_length=150)
    legal_name: str | None = None
    kind: ProviderKind | None = None
    entity_type: EntityType | None = None
    is_attorney: bool | None = None
    fields: list[str] | None = None
    website: str | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    status: ProviderStatus | None = None
    notes: str | None = None
    version: int | None = Field(
        None, description="The version you edited; a newer stored version answers 409."
    )


class ProviderFilters(Schema):
    q: str = Field("", description="Searches name, legal name and contacts' names and e-mails.")
    status: ProviderStatus | None = None
    kind: ProviderKind | None = None
    field: int | None = Field(None, description="A field of expertise id.")
    archived: bool = False
    sort: ProviderSort = ProviderSort.NAME
    page: int = 1
    per_page: int = 50


class ContactOut(Schema):
    id: int
    provider_id: int
    name: str
    title: str
    email: str
    phone: str
    preferred_channel: Channel
    notes: str
    archived: bool
    archived_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_archived(contact):
        return contact.archived_at is not None


class ContactPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[ContactOut]


class ContactIn(Schema):
    name: str = Field(max_length=150)
    title: str = ""
    email: str = ""
    phone: str = ""
    preferred_channel: Channel = Channel.EMAIL
    notes: str = ""


class ContactPatch(Schema):
    name: str | None = Field(None, max_length=150)
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    preferred_channel: Channel | None = None
    notes: str | None = None
    version: int | None = None


class ContactFilters(Schema):
    q: str = ""
    provider: int | None = None
    archived: bool = False
    page: int = 1
    per_page: int = 50


class ExpertiseFieldOut(Schema):
    id: int
    name: str


# --- Providers -------------------------------------------------------------------------------
def _provider(request, provider_id: int) -> Provider:
    return get_visible_or_404(
        selectors.providers_with_fields(request.auth), request.auth, pk=provider_id
    )


def _provider_data(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial, exclude={"fields", "version"})
    if "entity_type" in data:
        data["entity_type"] = data["entity_type"] or ""
    return {key: value for key, value in data.items() if not (partial and value is None)}


@router.get("/providers", response={200: ProviderPage, **ERRORS}, summary="List providers")
@api_access()
def list_providers(request, filters: Query[ProviderFilters]):
    providers = selectors.provider_list(
        request.auth,
        q=filters.q,
        status=filters.status or "",
        kind=filters.kind or "",
        field=filters.field,
        archived=filters.archived,
        sort=filters.sort,
    )
    page = paginate(providers, filters.page, filters.per_page)
    page["results"] = selectors.with_contact_counts(request.auth, page["results"])
    return page


@router.post("/providers", response={201: ProviderOut, **ERRORS}, summary="Add a provider")
@api_access(Role.MANAGER)
def create_provider(request, payload: ProviderIn):
    provider = services.create_provider(
        request.principal,
        data=_provider_data(payload, partial=False),
        new_field_names=payload.fields,
    )
    return Status(201, _provider(request, provider.pk))


class ProviderImportRowOut(Schema):
    line: int
    name: str
    errors: list[str]


class ProviderImportOut(Schema):
    imported: int
    refused: int
    rows: list[ProviderImportRowOut]


@router.post(
    "/providers/import",
    response={200: ProviderImportOut, **ERRORS},
    summary="Import providers from CSV, all rows or none; dry_run only checks",
)
@api_access(Role.MANAGER)
def import_providers(request, file: File[UploadedFile], dry_run: bool = True):
    form = ProviderImportForm(files={"file": file})
    if not form.is_valid():
        errors = form.errors.get_json_data()
        raise ValidationError(
            {field: [e["message"] for e in found] for field, found in errors.items()}
        )
    try:
        rows = form.rows()
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    report = services.import_providers(request.principal, rows=rows, commit=not dry_run)
    refused = sum(1 for entry in report if entry["errors"])
    return {
        "imported": 0 if dry_run or refused else len(report),
        "refused": refused,
        "rows": report,
    }


@router.get("/providers/{provider_id}", response={200: ProviderOut, **ERRORS})
@api_access()
def get_provider(request, provider_id: int):
    return _provider(request, provider_id)


@router.patch(
    "/providers/{provider_id}",
    response={200: ProviderOut, **ERRORS},
    summary="Change a provider (only the fields sent)",
)
@api_access(Role.MANAGER)
def update_provider(request, provider_id: int, payload: ProviderPatch):
    services.update_provider(
        request.principal,
        _provider(request, provider_id),
        data=_provider_data(payload, partial=True),
        field_ids=None if payload.fields is None else [],
        new_field_names=payload.fields or (),
        expected_version=payload.version,
    )
    return _provider(request, provider_id)


@router.post(
    "/providers/{provider_id}/archive",
    response={200: ProviderOut, **ERRORS},
    summary="Archive a provider (hidden from lists, history kept)",
)
@api_access(Role.MANAGER)
def archive_provider(request, provider_id: int):
    services.archive_provider(request.principal, _provider(request, provider_id))
    return _provider(request, provider_id)


@router.post("/providers/{provider_id}/restore", response={200: ProviderOut, **ERRORS})
@api_access(Role.MANAGER)
def restore_provider(request, provider_id: int):
    services.restore_provider(request.principal, _provider(request, provider_id))
    return _provider(request, provider_id)


@router.get(
    "/fields",
    response={200: list[ExpertiseFieldOut], **ERRORS},
    summary="The organization's fields of expertise",
)
@api_access()
def list_fields(request):
    return selectors.expertise_fields(request.auth)


# --- Contacts --------------------------------------------------------------------------------
def _contact(request, contact_id: int) -> Contact:
    return get_visible_or_404(Contact.objects, request.principal, pk=contact_id)


@router.get("/contacts", response={200: ContactPage, **ERRORS}, summary="List contacts")
@api_access()
def list_contacts(request, filters: Query[ContactFilters]):
    contacts = Contact.objects.visible_to(request.principal).filter(
        archived_at__isnull=not filters.archived
    )
    if filters.provider is not None:
        contacts = contacts.filter(provider_id=filters.provider)
    if q := filters.q.strip():
        contacts = contacts.filter(Q(name__icontains=q) | Q(email__icontains=q))
    return paginate(contacts.order_by("provider_id", "name", "id"), filters.page, filters.per_page)


@router.get(
    "/providers/{provider_id}/contacts",
    response={200: list[ContactOut], **ERRORS},
    summary="A provider's contacts",
)
@api_access()
def provider_contacts(request, provider_id: int, archived: bool = False):
    return selectors.contacts_of(
        request.principal, _provider(request, provider_id), archived=archived
    )


@router.post(
    "/providers/{provider_id}/contacts",
    response={201: ContactOut, **ERRORS},
    summary="Add a contact to a provider",
)
@api_access(Role.MANAGER)
def create_contact(request, provider_id: int, payload: ContactIn):
    provider = _provider(request, provider_id)
    return Status(201, services.create_contact(request.principal, provider, data=payload.dict()))


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS})
@api_access()
def get_contact(request, contact_id: int):
    return _contact(request, contact_id)


@router.patch(
    "/contacts/{contact_id}",
    response={200: ContactOut, **ERRORS},
    summary="Change a contact (only the fields sent)",
)
@api_access(Role.MANAGER)
def update_contact(request, contact_id: int, payload: ContactPatch):
    data = {
        key: value
        for key, value in payload.dict(exclude_unset=True, exclude={"version"}).items()
        if value is not None
    }
    return services.update_contact(
        request.principal,
        _contact(request, contact_id),
        data=data,
        expected_version=payload.version,
    )


@router.post("/contacts/{contact_id}/archive", response={200: ContactOut, **ERRORS})
@api_access(Role.MANAGER)
def archive_contact(request, contact_id: int):
    return services.archive_contact(request.principal, _contact(request, contact_id))


@router.post("/contacts/{contact_id}/restore", response={200: ContactOut, **ERRORS})
@api_access(Role.MANAGER)
def restore_contact(request, contact_id: int):
    return services.restore_contact(request.principal, _contact(request, contact_id))
