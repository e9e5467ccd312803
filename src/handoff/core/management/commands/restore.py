"""Bring the organizations of a backup archive into this installation, beside any others.

    handoff restore maple.zip
    handoff restore maple.zip --slug maple-copy
    handoff restore maple.zip --check           # read and check it; write nothing

Nothing is written unless the whole archive checks (see ``handoff.core.backup``).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from handoff.core.backup import BackupError, is_sealed, open_archive, restore
from handoff.core.management.commands.backup import passphrase_from_env_or_prompt


class Command(BaseCommand):
    help = "Restore the organizations in a backup archive, under new ids, beside any others."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive file 'handoff backup' wrote")
        parser.add_argument("--slug", help="the restored organization's address (one only)")
        parser.add_argument(
            "--check", action="store_true", help="check the archive, restore nothing"
        )

    def handle(self, *args, archive, slug, check, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"There is no file {archive!r}.")
        data = path.read_bytes()
        passphrase = passphrase_from_env_or_prompt(twice=False) if is_sealed(data) else None
        try:
            opened = open_archive(data, passphrase)
            if check:
                names = ", ".join(o["slug"] for o in opened.manifest["organizations"])
                self.stdout.write(f"{path} checks: {names}; made {opened.manifest['created_at']}.")
                return
            done = restore(opened, slug=slug)
        except BackupError as error:
            raise CommandError(f"{error} Nothing was restored.") from None
        for old, new in done.slugs.items():
            self.stdout.write(f"Restored {old} as {new}.")
        rows = sum(done.counts.values()) + len(done.organizations)
        self.stdout.write(
            f"{rows} rows, {done.files} files, {done.users_created} people added"
            + (f", {done.reissued} links and keys renewed" if done.reissued else "")
            + "."
        )
        for label, names in done.dropped.items():
            self.stdout.write(f"Not kept (this version has no such field): {label} {names}")
