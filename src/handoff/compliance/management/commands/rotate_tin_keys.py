"""Re-encrypt every stored TIN under the newest key of HANDOFF_TIN_KEYS and recompute its keyed
hash under HANDOFF_TIN_HASH_KEY. Run after putting a new key first; afterwards the old key can
be dropped from the list. Prints counts only, never a TIN."""

from django.core.management.base import BaseCommand
from django.db import transaction

from handoff.compliance import tins
from handoff.compliance.models import W9


class Command(BaseCommand):
    help = "Re-encrypt stored TINs under the newest HANDOFF_TIN_KEYS key and rehash them."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for w9 in W9.objects.select_for_update().only("pk", "tin_encrypted").iterator():
                digits = tins.decrypt(w9.tin_encrypted)
                W9.objects.filter(pk=w9.pk).update(
                    tin_encrypted=tins.rotate(w9.tin_encrypted),
                    tin_hash=tins.fingerprint(digits),
                )
                count += 1
        self.stdout.write(f"Re-encrypted {count} TIN{'s' if count != 1 else ''}.")
