"""Backups of organizations: one archive per backup, which this or a later Handoff restores.

The archive is a zip; with a passphrase the whole zip is sealed (see :func:`seal`). Inside:

- ``manifest.json``: the format and its version, the Handoff version, the migrations applied to
  the database it came from (its schema version), the organizations, each model's row count,
  the SHA-256 of every other member, and any file a row names that the store no longer had;
- ``users.json``: the people the rows name — e-mail, name, password hash, active, joined —
  and never a staff or superuser flag;
- ``references.json``: rows of the installation's own dated tables that organization rows point
  at (a classification rule set), by their natural key;
- ``data/<app_label>.<model_name>.json``: each tenant model's rows as ``{"id", "fields"}`` in
  plain JSON that a later version reads: a field it has gained takes its default, one it has
  lost is dropped and counted;
- ``files/<stored name>``: every file a row names, byte for byte — a W-9 scan stays encrypted
  under the installation's TIN keys, as a TIN stays encrypted in ``tin_encrypted``.

:func:`restore` checks the whole archive before it writes anything — checksums, the format,
that no migration in it is unknown here, that the dated rows it names exist here, and the checks
higher apps register in ``RESTORE_CHECKS`` (compliance: the TINs open with this installation's
keys) — then, in one transaction, creates each organization and every row under new ids with
every reference mapped. A damaged archive is refused with the reason and changes nothing.

Tenant models are found through the app registry (every ``TenantModel``), so a model added later
is backed up with no change here, and ``core`` imports no app above it.
"""

import base64
import datetime
import decimal
import hashlib
import io
import json
import posixpath
import re
import secrets
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from importlib.metadata import PackageNotFoundError, version

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone

from handoff.core import audit
from handoff.core.tenancy import TenantModel

FORMAT = "handoff-backup"
FORMAT_VERSION = 1
SEALED = b"HANDOFF-BACKUP-SEALED-1\n"
# scrypt at the OWASP Password Storage Cheat Sheet's floor (N=2^17, r=8, p=1: 128 MiB, about a
# third of a second), so a stolen archive's passphrase cannot be guessed cheaply.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
SALT_BYTES = 16
MIN_PASSPHRASE = 12  # characters; a passphrase shorter than this is refused
BATCH = 500
_ORG_FOLDER = re.compile(r"^org-(\d+)/")

# Checks a higher app registers in its AppConfig.ready(): each takes the opened archive and
# returns the reason it cannot be restored here, or None.
RESTORE_CHECKS: list[Callable[["Archive"], str | None]] = []
# Steps a higher app registers to carry its own references over after the rows are in (e.g.
# the inbox's links to pages); each takes the Restored result.
AFTER_RESTORE: list[Callable[["Restored"], None]] = []
# A model that moved to another app keeps its rows readable from older archives: a higher app
# registers its model's label with the label archives before the move wrote it under
# ("payables.payment": "compliance.payment").
FORMER_LABELS: dict[str, str] = {}


def current_label(label: str) -> str:
    """The label a model has now, given the one an archive may have written it under."""
    for now, before in FORMER_LABELS.items():
        if before == label:
            return now
    return label


class BackupError(Exception):
    """An archive that cannot be restored here; the message says why, for a person."""


def handoff_version() -> str:
    try:
        return version("handoff")
    except PackageNotFoundError:  # pragma: no cover - run from a tree that was never installed
        return "unknown"


# Models and their order


def tenant_models() -> list[type[models.Model]]:
    """Every organization-owned model, each after the models its rows point at."""
    found = [model for model in apps.get_models() if issubclass(model, TenantModel)]
    graph = {}
    for model in found:
        for m2m in model._meta.many_to_many:
            if m2m.remote_field.through._meta.auto_created:
                raise TypeError(f"{model._meta.label}.{m2m.name} needs a through model to back up")
        targets = {f.related_model for f in _relations(model) if f.related_model in found}
        if any(not f.null for f in _self_relations(model)):
            raise TypeError(f"{model._meta.label} must point at itself through a nullable key")
        graph[model] = targets - {model}  # a row's link to its own kind is set after insert
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as error:  # pragma: no cover - guarded by a test on the real models
        raise TypeError(f"tenant models point at each other in a circle: {error}") from None


def _relations(model) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if f.is_relation]


def _self_relations(model) -> list[models.ForeignKey]:
    """Keys from a model to itself (an invoice to the one it corrects): restored in a second
    step, once every row of the model has its new id."""
    return [f for f in _relations(model) if f.related_model is model]


def _files(model) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def _label(model) -> str:
    return model._meta.label_lower


def _organization_model():
    return apps.get_model("accounts", "Organization")


def _user_model():
    return apps.get_model(settings.AUTH_USER_MODEL)


# Writing


def _plain(value):
    """A field's value as JSON: exact text for decimals and times (to the microsecond)."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    return value


def _row(obj, skip: Iterable[str] = ()) -> dict:
    fields = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name in skip:
            continue
        value = getattr(obj, f.attname)
        if isinstance(f, models.FileField):
            value = value.name or ""
        fields[f.name] = _plain(value)
    return {"id": obj.pk, "fields": fields}


def _json(data) -> bytes:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False).encode()


def _migrations() -> dict[str, list[str]]:
    applied = MigrationRecorder.Migration.objects.values_list("app", "name").order_by("app", "id")
    result: dict[str, list[str]] = {}
    for app, name in applied:
        result.setdefault(app, []).append(name)
    return result


@contextmanager
def _snapshot():
    """One consistent view of the database for the whole backup, so that a row added while it
    runs (a comment on a task added after the tasks were read) cannot point at one the archive
    lacks. SQLite gives a transaction one snapshot from its first read; PostgreSQL needs
    REPEATABLE READ, which must be the transaction's first statement — inside a caller's
    transaction the caller's isolation applies."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def write_backup(out, organizations: Iterable, *, passphrase: str | None = None) -> dict:
    """Write the organizations' archive to the binary file ``out``; return its manifest."""
    with _snapshot():
        members, manifest = _collect(list(organizations))
    buffer = io.BytesIO() if passphrase else out
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _json(manifest))
        for name, content in members.items():
            archive.writestr(name, content)
    if passphrase:
        out.write(seal(buffer.getvalue(), passphrase))
    return manifest


def _collect(organizations: list) -> tuple[dict[str, bytes], dict]:
    """The archive's members and its manifest, read in one snapshot."""
    org_ids = [org.pk for org in organizations]
    User = _user_model()
    members: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    user_ids: set[int] = set()
    references: dict[str, dict[str, dict]] = {}
    file_names: set[str] = set()

    members["data/accounts.organization.json"] = _json([_row(org) for org in organizations])
    counts["accounts.organization"] = len(organizations)
    for model in tenant_models():
        # A backup reads one organization's rows (or several), named by the filter.
        queryset = model.objects.all_organizations().filter(organization_id__in=org_ids)
        rows = []
        for obj in queryset.order_by("pk").iterator(chunk_size=2000):
            rows.append(_row(obj, skip=("organization",)))
            rows[-1]["fields"]["organization"] = obj.organization_id
            for f in _relations(model):
                value = getattr(obj, f.attname)
                if value is None or f.related_model is _organization_model():
                    continue
                if f.related_model is User:
                    user_ids.add(value)
                elif not issubclass(f.related_model, TenantModel):
                    references.setdefault(_label(f.related_model), {})[str(value)] = {}
            for f in _files(model):
                if getattr(obj, f.attname).name:
                    file_names.add(getattr(obj, f.attname).name)
        if rows:
            members[f"data/{_label(model)}.json"] = _json(rows)
            counts[_label(model)] = len(rows)

    members["users.json"] = _json(
        [
            {
                "id": user.pk,
                "email": user.email,
                "name": user.name,
                "password": user.password,
                "is_active": user.is_active,
                "date_joined": _plain(user.date_joined),
            }
            for user in User.objects.filter(pk__in=user_ids).order_by("pk")
        ]
    )
    for label, entries in references.items():
        model = apps.get_model(label)
        key = _natural_key(model)
        for obj in model.objects.filter(pk__in=[int(pk) for pk in entries]):
            entries[str(obj.pk)] = {key: _plain(getattr(obj, key))}
    members["references.json"] = _json(references)

    missing = []
    for name in sorted(file_names):
        try:
            with default_storage.open(name, "rb") as handle:
                members[f"files/{name}"] = handle.read()
        except FileNotFoundError:
            missing.append(name)

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "handoff_version": handoff_version(),
        "created_at": timezone.now().isoformat(),
        "migrations": _migrations(),
        "organizations": [
            {"id": org.pk, "slug": org.slug, "name": org.name} for org in organizations
        ],
        "counts": counts,
        "members": {name: hashlib.sha256(content).hexdigest() for name, content in members.items()},
        "missing_files": missing,
    }
    return members, manifest


def _natural_key(model) -> str:
    """The unique field that names a row of an installation's own table in every installation
    (a dated table's ``effective_from``)."""
    for f in model._meta.concrete_fields:
        if f.unique and not f.primary_key:
            return f.name
    raise TypeError(f"{model._meta.label} has no unique field to find its rows by on restore")


# Sealing with a passphrase


def _key(passphrase: str, salt: bytes) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return base64.urlsafe_b64encode(kdf.derive(passphrase.encode()))


def seal(data: bytes, passphrase: str) -> bytes:
    """``data`` encrypted and authenticated under the passphrase: a header, the scrypt salt,
    then a Fernet token (AES-128-CBC with HMAC-SHA256) — any change to it is detected."""
    salt = secrets.token_bytes(SALT_BYTES)
    return SEALED + salt + Fernet(_key(passphrase, salt)).encrypt(data)


def is_sealed(data: bytes) -> bool:
    return data.startswith(SEALED)


def unseal(data: bytes, passphrase: str) -> bytes:
    salt = data[len(SEALED) : len(SEALED) + SALT_BYTES]
    try:
        return Fernet(_key(passphrase, salt)).decrypt(data[len(SEALED) + SALT_BYTES :])
    except (InvalidToken, ValueError):
        raise BackupError(
            "The passphrase does not open this archive (or the archive is damaged)."
        ) from None


# Reading and checking


@dataclass
class Archive:
    manifest: dict
    members: dict[str, bytes]

    def rows(self, label: str) -> list[dict]:
        content = self.members.get(f"data/{label}.json")
        if content is None and label in FORMER_LABELS:
            content = self.members.get(f"data/{FORMER_LABELS[label]}.json")
        return json.loads(content) if content else []

    def users(self) -> list[dict]:
        return json.loads(self.members.get("users.json", b"[]"))

    def references(self) -> dict:
        return json.loads(self.members.get("references.json", b"{}"))


def _safe_member(name: str) -> bool:
    """A member name that stays inside the archive's own folders."""
    clean = posixpath.normpath(name)
    return (
        isinstance(name, str)
        and clean == name
        and not name.startswith(("/", "../"))
        and "\\" not in name
        and (name in ("users.json", "references.json") or name.startswith(("data/", "files/")))
    )


def open_archive(data: bytes, passphrase: str | None = None) -> Archive:
    """The archive in ``data``, every member checked against the manifest; BackupError says
    what is wrong with it."""
    if is_sealed(data):
        if not passphrase:
            raise BackupError("This archive is encrypted: give the passphrase it was made with.")
        data = unseal(data, passphrase)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            try:
                manifest = json.loads(archive.read("manifest.json"))
            except KeyError:
                raise BackupError("This is not a Handoff backup: it has no manifest.") from None
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError("This is not a Handoff backup: its manifest is not one.")
            made_with = manifest.get("format_version")
            if not isinstance(made_with, int) or made_with > FORMAT_VERSION:
                raise BackupError(
                    f"This archive was made by a newer Handoff ({manifest.get('handoff_version')},"
                    f" archive format {made_with}); this one reads format {FORMAT_VERSION} and "
                    "older. Upgrade Handoff, then restore."
                )
            members = {}
            for name, digest in dict(manifest.get("members", {})).items():
                if not _safe_member(name):
                    raise BackupError(f"The archive names a member outside it: {name!r}.")
                try:
                    content = archive.read(name)
                except KeyError:
                    raise BackupError(f"The archive is incomplete: {name} is missing.") from None
                if hashlib.sha256(content).hexdigest() != digest:
                    raise BackupError(f"The archive is damaged: {name} differs from its checksum.")
                members[name] = content
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
        if isinstance(error, BackupError):
            raise
        raise BackupError(f"The archive is damaged or not a Handoff backup ({error}).") from None
    found = Archive(manifest=manifest, members=members)
    _check_schema(found)
    return found


def _check_schema(archive: Archive) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    for app, names in dict(archive.manifest.get("migrations", {})).items():
        for name in names:
            if (app, name) not in known:
                raise BackupError(
                    f"This archive was made by a newer Handoff: its database had migration "
                    f"{app}.{name}, which this version does not know. Upgrade Handoff, then "
                    "restore."
                )


# Restoring


@dataclass
class Restored:
    organizations: list
    slugs: dict[str, str]  # the archive's slug -> the restored organization's
    ids: dict[str, dict[int, int]]  # model label -> archive id -> new id
    counts: dict[str, int] = field(default_factory=dict)
    users_created: int = 0
    reissued: int = 0  # links and keys given a new secret because theirs is in use here
    dropped: dict[str, list[str]] = field(default_factory=dict)  # fields this version lacks
    files: int = 0


@contextmanager
def _stored_times_kept(model_list):
    """Keep the archive's ``created_at`` and ``updated_at``: auto_now(_add) fields would stamp
    the time of the restore. Restore runs from a command, alone in its process."""
    changed = []
    for model in model_list:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                changed.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in changed:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def restore(archive: Archive, *, slug: str | None = None, stored_files: list | None = None):
    """Create the archive's organizations here, beside any others; return :class:`Restored`.

    ``slug`` names the restored organization (one only); otherwise its own slug, or that slug
    with ``-restored`` when it is taken. Files written before a failure are deleted again."""
    Organization = _organization_model()
    org_rows = archive.rows("accounts.organization")
    if not org_rows:
        raise BackupError("The archive holds no organization.")
    if slug and len(org_rows) > 1:
        raise BackupError("A new address can be given only when the archive holds one.")
    if slug and Organization.objects.filter(slug=slug).exists():
        raise BackupError(f"An organization with the address {slug!r} already exists here.")
    for check in RESTORE_CHECKS:
        reason = check(archive)
        if reason:
            raise BackupError(reason)
    references = _find_references(archive)

    saved = [] if stored_files is None else stored_files
    try:
        with transaction.atomic():
            with _stored_times_kept([Organization, *tenant_models()]):
                done = _restore(archive, org_rows, slug, references, saved)
            made = archive.manifest.get("created_at", "")[:10]
            for org in done.organizations:
                audit.record(
                    org,
                    None,
                    "organization.restored",
                    org,
                    f"Restored from a backup made {made} by Handoff "
                    f"{archive.manifest.get('handoff_version', '')}",
                )
            return done
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise


def _find_references(archive: Archive) -> dict[str, dict[int, int]]:
    found: dict[str, dict[int, int]] = {}
    for label, entries in archive.references().items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            raise BackupError(f"The archive refers to {label}, which this version lacks.") from None
        found[label] = {}
        for old, natural in entries.items():
            row = model.objects.filter(**natural).first()
            if row is None:
                raise BackupError(
                    f"The archive refers to a {model._meta.verbose_name} ({natural}) that this "
                    "installation does not have. Load the same tables (handoff migrate), then "
                    "restore."
                )
            found[label][int(old)] = row.pk
    return found


def _free_slug(wanted: str) -> str:
    Organization = _organization_model()
    candidate, n = f"{wanted}-restored", 1
    while Organization.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{wanted}-restored-{n}"
    return candidate


def _restore(archive, org_rows, slug, references, saved) -> "Restored":
    Organization = _organization_model()
    User = _user_model()
    done = Restored(organizations=[], slugs={}, ids={}, counts={})

    users = done.ids.setdefault(_label(User), {})
    for person in archive.users():
        email = str(person["email"]).strip().lower()
        existing = User.objects.filter(email__iexact=email).first()
        if existing is None:
            existing = User(
                email=email,
                name=person.get("name", ""),
                password=person.get("password") or "!",
                is_active=bool(person.get("is_active", True)),
            )
            if person.get("date_joined"):
                existing.date_joined = User._meta.get_field("date_joined").to_python(
                    person["date_joined"]
                )
            existing.save()
            done.users_created += 1
        users[person["id"]] = existing.pk

    orgs = done.ids.setdefault(_label(Organization), {})
    for row in org_rows:
        org = Organization()
        _fill(org, row, done, references)
        wanted = row["fields"].get("slug", "")
        org.slug = slug or (
            _free_slug(wanted) if Organization.objects.filter(slug=wanted).exists() else wanted
        )
        org.save()
        orgs[row["id"]] = org.pk
        done.slugs[wanted] = org.slug
        done.organizations.append(org)

    for model in tenant_models():
        rows = archive.rows(_label(model))
        if not rows:
            continue
        own = _self_relations(model)
        objs = []
        for row in rows:
            obj = model()
            _fill(obj, row, done, references, archive=archive, saved=saved, later=own)
            objs.append(obj)
        _reissue_taken_secrets(model, objs, done)
        # Rows of the organizations this restore has just created, every one named above.
        model.objects.bulk_create(objs, batch_size=BATCH)
        done.ids[_label(model)] = {row["id"]: obj.pk for row, obj in zip(rows, objs, strict=True)}
        done.counts[_label(model)] = len(objs)
        if own:
            linked = {}
            for row, obj in zip(rows, objs, strict=True):
                for f in own:
                    value = row["fields"].get(f.name)
                    if value is not None:
                        setattr(obj, f.attname, _mapped(f, value, done, references, row))
                        linked[obj.pk] = obj
            model.objects.bulk_update(
                list(linked.values()), [f.attname for f in own], batch_size=BATCH
            )

    _remap_audit_trail(done)
    for step in AFTER_RESTORE:
        step(done)
    return done


def _fill(obj, row, done: Restored, references, *, archive=None, saved=None, later=()) -> None:
    """Set ``obj``'s fields from the archive's row; the keys in ``later`` stay empty for now."""
    model = type(obj)
    by_name = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
    for name, value in row["fields"].items():
        f = by_name.get(name)
        if f is None:
            dropped = done.dropped.setdefault(_label(model), [])
            if name not in dropped:
                dropped.append(name)
            continue
        if f in later:
            value = None
        elif f.is_relation:
            value = _mapped(f, value, done, references, row)
        elif isinstance(f, models.FileField):
            value = _restore_file(value, archive, saved, done) if value else ""
        else:
            value = f.to_python(value)
        setattr(obj, f.attname, value)


def _mapped(f, value, done: Restored, references, row):
    if value is None:
        return None
    target = _label(f.related_model)
    table = references.get(target) if target in references else done.ids.get(target, {})
    try:
        return table[value]
    except KeyError:
        raise BackupError(
            f"The archive is inconsistent: a {f.model._meta.verbose_name} (id {row['id']}) "
            f"points at {f.related_model._meta.verbose_name} {value}, which it does not hold."
        ) from None


def _restore_file(name: str, archive: Archive, saved: list, done: Restored) -> str:
    if not _safe_member(f"files/{name}"):
        raise BackupError(f"The archive names a file outside its folder: {name!r}.")
    content = archive.members.get(f"files/{name}")
    if content is None:  # missing from the store when the backup was made (see the manifest)
        return name
    # Uploads are filed under their organization's id (``org-<id>/…``): file under the new one.
    folder = _ORG_FOLDER.match(name)
    if folder:
        old = int(folder.group(1))
        new = done.ids[_label(_organization_model())].get(old, old)
        name = f"org-{new}/{name[folder.end() :]}"
    stored = default_storage.save(name, ContentFile(content))
    saved.append(stored)
    done.files += 1
    return stored


def _reissue_taken_secrets(model, objs, done: Restored) -> None:
    """A link or key hash already used here (the archive restored beside its original) gets
    a new random one: the copy's link stops working rather than open two rows."""
    for f in model._meta.concrete_fields:
        if not f.unique or f.primary_key or f.is_relation:
            continue
        values = [getattr(obj, f.attname) for obj in objs]
        # Unique across the installation by design (a hash of a secret), so looked up so.
        taken = set(
            model._base_manager.filter(**{f"{f.attname}__in": values}).values_list(
                f.attname, flat=True
            )
        )
        for obj in objs:
            if getattr(obj, f.attname) not in taken:
                continue
            if not f.name.endswith("_hash"):
                raise BackupError(
                    f"A {model._meta.verbose_name}'s {f.verbose_name} "
                    f"{getattr(obj, f.attname)!r} is already used here."
                )
            setattr(obj, f.attname, hashlib.sha256(secrets.token_bytes(32)).hexdigest())
            done.reissued += 1


def _remap_audit_trail(done: Restored) -> None:
    """Point each audit line's object id at the restored row it names."""
    from handoff.core.models import AuditEvent

    by_name: dict[str, dict[int, int]] = {}
    for label, ids in done.ids.items():
        by_name.setdefault(label.split(".")[1], ids)
    org_ids = [org.pk for org in done.organizations]
    changed = []
    for event in AuditEvent.objects.all_organizations().filter(organization_id__in=org_ids):
        ids = by_name.get(event.object_type)
        if ids and event.object_id.isdigit() and int(event.object_id) in ids:
            event.object_id = str(ids[int(event.object_id)])
            changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["object_id"], batch_size=BATCH)


def remap_path(path: str, done: Restored) -> str:
    """An in-app address from the archive (``/o/<slug>/tasks/<id>/``) made to name the
    restored organization and row; an address it cannot read is kept as it was."""
    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return path
    kwargs = dict(match.kwargs)
    args = list(match.args)
    pages = _linked_pages()
    label, id_kwarg = pages.get(match.view_name, (None, None))
    for key, value in kwargs.items():
        if value in done.slugs:
            kwargs[key] = done.slugs[value]
        elif key == id_kwarg and label:
            kwargs[key] = done.ids.get(label, {}).get(value, value)
    try:
        return reverse(match.view_name, args=args, kwargs=kwargs)
    except NoReverseMatch:  # pragma: no cover - the same view's own pattern
        return path


_PAGES: dict[str, tuple[str, str]] = {}


def _linked_pages() -> dict[str, tuple[str, str]]:
    """Which page shows which model: view name -> (model label, the id's keyword), read from
    each tenant model's own ``get_absolute_url``/``get_portal_url``."""
    if _PAGES:
        return _PAGES
    Organization = _organization_model()
    probe_id, probe_slug = 987654321, "backup-probe"
    for model in tenant_models():
        for method in ("get_absolute_url", "get_portal_url"):
            if not hasattr(model, method):
                continue
            obj = model(pk=probe_id, organization=Organization(slug=probe_slug))
            try:
                match = resolve(getattr(obj, method)())
            except (NoReverseMatch, Resolver404, ObjectDoesNotExist, AttributeError, TypeError):
                continue  # a page that needs more of the row than its id
            for key, value in match.kwargs.items():
                if value == probe_id:
                    _PAGES[match.view_name] = (_label(model), key)
    return _PAGES
