"""Re-encrypt every stored TIN (W-9s, W-8s and the payer's TIN in the Comply settings) and
signed W-9 and W-8 document under the newest key of
HANDOFF_TIN_KEYS and recompute each W-9 TIN's keyed hash under HANDOFF_TIN_HASH_KEY. Run after
putting a new key first; afterwards the old key can be dropped from the list. A document
stored before documents were encrypted is encrypted now. Prints counts only, never a TIN."""

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from handoff.compliance import tins
from handoff.compliance.models import W8, W9, ComplianceSettings


class Command(BaseCommand):
    help = "Re-encrypt stored TINs and W-9 documents under the newest HANDOFF_TIN_KEYS key."

    def handle(self, *args, **options):
        count = 0
        replaced = []  # files superseded by their re-encrypted copy, removed once committed
        with transaction.atomic():
            rows = W9.objects.select_for_update().only(
                "pk", "organization_id", "provider_id", "tin_encrypted", "document"
            )
            for w9 in rows.iterator():
                digits = tins.decrypt(w9.tin_encrypted)
                changes = {
                    "tin_encrypted": tins.rotate(w9.tin_encrypted),
                    "tin_hash": tins.fingerprint(digits),
                }
                if w9.document:
                    changes["document"] = _rotate_document(w9.document, replaced)
                W9.objects.filter(pk=w9.pk).update(**changes)
                count += 1
            # A foreign payee's W-8: its US and foreign numbers, when given, and the form.
            forms = W8.objects.select_for_update().only(
                "pk",
                "organization_id",
                "provider_id",
                "us_tin_encrypted",
                "foreign_tin_encrypted",
                "document",
            )
            for w8 in forms.iterator():
                changes = {
                    name: tins.rotate(getattr(w8, name))
                    for name in ("us_tin_encrypted", "foreign_tin_encrypted")
                    if getattr(w8, name)
                }
                if w8.document:
                    changes["document"] = _rotate_document(w8.document, replaced)
                W8.objects.filter(pk=w8.pk).update(**changes)
                count += 1
            # The payer's own TIN on the 1099 returns (IRIS filing), when entered.
            payers = (
                ComplianceSettings.objects.select_for_update()
                .exclude(payer_tin_encrypted="")
                .only("pk", "organization_id", "payer_tin_encrypted")
            )
            for row in payers.iterator():
                ComplianceSettings.objects.filter(pk=row.pk).update(
                    payer_tin_encrypted=tins.rotate(row.payer_tin_encrypted)
                )
            storage = W9._meta.get_field("document").storage
            transaction.on_commit(lambda: [storage.delete(name) for name in replaced])
        self.stdout.write(
            f"Re-encrypted {count} tax form{'s' if count != 1 else ''}: TINs and documents."
        )


def _rotate_document(document, replaced: list) -> str:
    """Write ``document`` again under the newest key, beside the old file: the row points at
    it only when the transaction commits, so a failure half-way loses nothing."""
    old_name = document.name
    with document.open("rb") as stored:
        content = tins.rotate_file(stored.read())
    base = old_name.rsplit("/", 1)[-1].removesuffix(".enc")
    document.save(f"{base}.enc", ContentFile(content), save=False)
    replaced.append(old_name)
    return document.name
