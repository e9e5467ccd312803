"""Operations on providers, their contacts and the organization's fields of expertise."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone

from handoff.core import audit, csv_import
from handoff.core.errors import Conflict
from handoff.core.lists import add_named
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.providers.choices import DEFAULT_EXPERTISE_FIELDS
from handoff.providers.models import Contact, ExpertiseField, Provider, ProviderExpertise

PROVIDER_FIELDS = [
    "name",
    "legal_name",
    "kind",
    "entity_type",
    "is_attorney",
    "website",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
    "status",
    "notes",
]
CONTACT_FIELDS = ["name", "title", "email", "phone", "preferred_channel", "notes"]


def seed_expertise_fields(sender=None, *, organization, **kwargs) -> None:
    """Give a new organization the usual fields of expertise to start from."""
    ExpertiseField.objects.bulk_create(
        [ExpertiseField(organization=organization, name=name) for name in DEFAULT_EXPERTISE_FIELDS]
    )


def resolve_fields(principal, *, ids=(), new_names=()) -> list[ExpertiseField]:
    """Fields of expertise from chosen ids and typed names; typed names new to the organization
    are added to its list. An id of another organization is refused."""
    ids = {int(pk) for pk in ids}
    chosen = list(ExpertiseField.objects.visible_to(principal).filter(pk__in=ids))
    if len(chosen) != len(ids):
        raise ValidationError({"fields": "Choose fields of expertise from this organization."})
    for name in {" ".join(name.split()) for name in new_names if name.strip()}:
        if len(name) > 60:
            raise ValidationError({"fields": f"{name[:20]}… is longer than 60 characters."})
        existing = ExpertiseField.objects.visible_to(principal).filter(name__iexact=name).first()
        chosen.append(
            existing
            or ExpertiseField.objects.create(organization=principal.organization, name=name)
        )
    return sorted({field.pk: field for field in chosen}.values(), key=lambda f: f.name.lower())


def _set_fields(principal: Principal, provider: Provider, fields: list[ExpertiseField]) -> None:
    ProviderExpertise.objects.visible_to(principal).filter(provider=provider).exclude(
        field__in=fields
    ).delete()
    have = set(
        ProviderExpertise.objects.visible_to(principal)
        .filter(provider=provider)
        .values_list("field_id", flat=True)
    )
    ProviderExpertise.objects.bulk_create(
        [
            ProviderExpertise(organization=provider.organization, provider=provider, field=field)
            for field in fields
            if field.pk not in have
        ]
    )


def _snapshot(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


@transaction.atomic
def create_provider(
    principal: Principal, *, data: dict, field_ids=(), new_field_names=()
) -> Provider:
    """Add a provider with its fields of expertise (chosen by id, or typed as new names)."""
    principal.require_in(principal.organization_id, Role.MANAGER, "Adding a provider")
    org, actor = principal.organization, principal.user
    provider = Provider(organization=org, created_by=actor, **_only(data, PROVIDER_FIELDS))
    provider.full_clean()
    fields = resolve_fields(principal, ids=field_ids, new_names=new_field_names)
    provider.save()
    _set_fields(principal, provider, fields)
    audit.record(org, actor, "provider.created", provider, f"Added provider {provider.name}")
    return provider


@transaction.atomic
def update_provider(
    principal: Principal,
    provider: Provider,
    *,
    data: dict,
    field_ids=None,
    new_field_names=(),
    expected_version: int | None = None,
) -> Provider:
    """Change a provider; with ``expected_version``, refuse (Conflict) if it moved on since.
    Fields of expertise change only when ``field_ids`` (possibly empty) is given."""
    principal.require_in(provider.organization_id, Role.MANAGER, "Changing a provider")
    actor = principal.user
    provider = _locked(principal, Provider, provider, expected_version)
    data = _only(data, PROVIDER_FIELDS)
    before = _snapshot(provider, data)
    for key, value in data.items():
        setattr(provider, key, value)
    provider.full_clean()
    changes = audit.diff(before, data)
    if field_ids is not None:
        fields = resolve_fields(principal, ids=field_ids, new_names=new_field_names)
        old_names = [field.name for field in provider.fields.all()]
        new_names = [field.name for field in fields]
        if sorted(old_names) != sorted(new_names):
            changes["fields"] = [sorted(old_names), sorted(new_names)]
        _set_fields(principal, provider, fields)
    if changes:
        provider.version += 1
        provider.save()
        audit.record(
            provider.organization,
            actor,
            "provider.updated",
            provider,
            f"Edited provider {provider.name}",
            changes,
        )
    return provider


def _set_archived(principal: Principal, model, obj, *, archived: bool):
    """Archive (hide from lists, keep everything) or restore a provider or contact."""
    obj = _locked(principal, model, obj)
    if (obj.archived_at is not None) != archived:
        obj.archived_at = timezone.now() if archived else None
        obj.version += 1
        obj.save(update_fields=["archived_at", "version", "updated_at"])
        verb = "archived" if archived else "restored"
        audit.record(
            obj.organization,
            principal.user,
            f"{model._meta.model_name}.{verb}",
            obj,
            f"{verb.capitalize()} {model._meta.verbose_name} {obj.name}",
        )
    return obj


@transaction.atomic
def archive_provider(principal: Principal, provider: Provider) -> Provider:
    """Hide a provider from the lists; its history stays (nothing is deleted)."""
    principal.require_in(provider.organization_id, Role.MANAGER, "Archiving a provider")
    return _set_archived(principal, Provider, provider, archived=True)


@transaction.atomic
def restore_provider(principal: Principal, provider: Provider) -> Provider:
    principal.require_in(provider.organization_id, Role.MANAGER, "Restoring a provider")
    return _set_archived(principal, Provider, provider, archived=False)


@transaction.atomic
def archive_contact(principal: Principal, contact: Contact) -> Contact:
    principal.require_in(contact.organization_id, Role.MANAGER, "Archiving a contact")
    return _set_archived(principal, Contact, contact, archived=True)


@transaction.atomic
def restore_contact(principal: Principal, contact: Contact) -> Contact:
    principal.require_in(contact.organization_id, Role.MANAGER, "Restoring a contact")
    return _set_archived(principal, Contact, contact, archived=False)


@transaction.atomic
def create_contact(principal: Principal, provider: Provider, *, data: dict) -> Contact:
    principal.require_in(provider.organization_id, Role.MANAGER, "Adding a contact")
    actor = principal.user
    contact = Contact(
        organization=provider.organization, provider=provider, **_only(data, CONTACT_FIELDS)
    )
    contact.full_clean()
    contact.save()
    audit.record(
        provider.organization,
        actor,
        "contact.created",
        contact,
        f"Added contact {contact.name} at {provider.name}",
    )
    return contact


@transaction.atomic
def update_contact(
    principal: Principal, contact: Contact, *, data: dict, expected_version: int | None = None
) -> Contact:
    principal.require_in(contact.organization_id, Role.MANAGER, "Changing a contact")
    actor = principal.user
    contact = _locked(principal, Contact, contact, expected_version)
    data = _only(data, CONTACT_FIELDS)
    before = _snapshot(contact, data)
    for key, value in data.items():
        setattr(contact, key, value)
    contact.full_clean()
    changes = audit.diff(before, data)
    if changes:
        contact.version += 1
        contact.save()
        audit.record(
            contact.organization,
            actor,
            "contact.updated",
            contact,
            f"Edited contact {contact.name}",
            changes,
        )
    return contact


def add_expertise_field(principal: Principal, *, name: str) -> ExpertiseField:
    principal.require_in(principal.organization_id, Role.MANAGER, "Adding a field of expertise")
    return add_named(ExpertiseField, principal, name=name)


def expertise_fields_in_use(principal) -> dict[int, int]:
    """How many providers each field of expertise is on, for the settings page."""
    rows = (
        ExpertiseField.objects.visible_to(principal)
        .annotate(n=Count("providerexpertise"))
        .order_by(Lower("name"))
        .values_list("pk", "n")
    )
    return dict(rows)


def _only(data: dict, allowed: list[str]) -> dict:
    return {key: value for key, value in data.items() if key in allowed}


def _locked(principal: Principal, model, obj, expected_version: int | None = None):
    """Re-read ``obj`` under a row lock and check the version the caller edited."""
    current = model.objects.select_for_update().visible_to(principal).get(pk=obj.pk)
    if expected_version is not None and expected_version != current.version:
        raise Conflict(current.version)
    return current


IMPORT_COLUMNS = [*PROVIDER_FIELDS, "fields"]
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


def yes_or_no(raw: str) -> bool | None:
    """A CSV yes/no cell: True, False, or None when it is neither."""
    value = raw.strip().lower()
    return True if value in YES else False if value in NO else None


def import_providers(principal: Principal, *, rows: list[dict], commit: bool) -> list[dict]:
    """Check (and with ``commit``, add) providers from CSV rows, all or nothing.

    Returns one entry per row: its line number, name and the reasons it is refused (empty when
    fine). Nothing is saved unless ``commit`` and every row passes; a dry run shows the same
    reasons without saving."""
    principal.require_in(principal.organization_id, Role.MANAGER, "Importing providers")

    def import_row(line: int, row: dict) -> dict:
        data = {key: (row.get(key) or "").strip() for key in PROVIDER_FIELDS}
        data["kind"] = data["kind"] or "firm"
        data["status"] = data["status"] or "prospect"
        attorney = yes_or_no(data["is_attorney"])
        data["is_attorney"] = bool(attorney)
        names = [name for name in (row.get("fields") or "").split(";") if name.strip()]
        if attorney is None:
            errors = ["is_attorney: write yes or no (or leave it empty for no)."]
        else:
            _, errors = csv_import.attempt(
                lambda: create_provider(principal, data=data, new_field_names=names)
            )
        return {"line": line, "name": data["name"], "errors": errors}

    return csv_import.import_rows(rows, import_row, commit=commit)
