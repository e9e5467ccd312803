"""Write one organization, several, or all to a single archive (see ``handoff.core.backup``).

    handoff backup --org maple-street-dental --output maple.zip
    handoff backup --all --output everyone.zip
    HANDOFF_BACKUP_PASSPHRASE=… handoff backup --org maple-street-dental --encrypt --output m.enc

With ``--encrypt`` the passphrase comes from ``HANDOFF_BACKUP_PASSPHRASE`` or is asked for
twice at the terminal; it is never an argument (which other users can read in ``ps``).
"""

import getpass
import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from handoff.accounts.models import Organization
from handoff.core.backup import MIN_PASSPHRASE, write_backup


def passphrase_from_env_or_prompt(*, twice: bool) -> str:
    passphrase = os.environ.get("HANDOFF_BACKUP_PASSPHRASE", "")
    if not passphrase:
        if not sys.stdin.isatty():
            raise CommandError(
                "Set HANDOFF_BACKUP_PASSPHRASE, or run at a terminal to be asked for it."
            )
        passphrase = getpass.getpass("Passphrase: ")
        if twice and getpass.getpass("Passphrase again: ") != passphrase:
            raise CommandError("The two passphrases differ; nothing was written.")
    return passphrase


class Command(BaseCommand):
    help = "Write organizations (rows, people, files, manifest) to one archive."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--org", action="append", metavar="SLUG", help="repeat for several")
        which.add_argument("--all", action="store_true", help="every organization")
        parser.add_argument("--output", required=True, help="the archive file to write")
        parser.add_argument(
            "--encrypt", action="store_true", help="seal the archive with a passphrase"
        )

    def handle(self, *args, org, all, output, encrypt, **options):
        if all:
            organizations = list(Organization.objects.order_by("pk"))
        else:
            organizations = list(Organization.objects.filter(slug__in=org).order_by("pk"))
            unknown = sorted(set(org) - {o.slug for o in organizations})
            if unknown:
                raise CommandError(f"No organization with the address {', '.join(unknown)}.")
        if not organizations:
            raise CommandError("There is no organization to back up.")
        passphrase = None
        if encrypt:
            passphrase = passphrase_from_env_or_prompt(twice=True)
            if len(passphrase) < MIN_PASSPHRASE:
                raise CommandError(f"Use a passphrase of {MIN_PASSPHRASE} characters or more.")
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"There is no folder {str(target.parent)!r} to write into.")
        # Written beside the target and renamed at the end: a failed backup leaves no half file.
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".part") as out:
            try:
                manifest = write_backup(out, organizations, passphrase=passphrase)
            except BaseException:
                Path(out.name).unlink(missing_ok=True)
                raise
        os.replace(out.name, target)
        rows = sum(manifest["counts"].values())
        files = sum(1 for name in manifest["members"] if name.startswith("files/"))
        names = ", ".join(o.slug for o in organizations)
        self.stdout.write(f"Wrote {target}: {names}; {rows} rows, {files} files.")
        for name in manifest["missing_files"]:
            self.stderr.write(f"Not in the file store, so not in the archive: {name}")
