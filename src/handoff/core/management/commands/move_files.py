"""Copy every stored file between the local folder and the bucket, checking each by checksum.

    handoff manage move_files --to bucket     # MEDIA_ROOT → HANDOFF_STORAGE_URL's bucket
    handoff manage move_files --to folder     # the bucket → MEDIA_ROOT
    … --remove                                # and delete each source file once its copy checks

Names stay the same, so the database needs no change: copy, switch ``HANDOFF_STORAGE_URL`` on
(or off), restart. Each copy is read back and its SHA-256 compared with the source's; a file
already at the destination with the same checksum is skipped, one with different content is
reported and left alone (never overwritten). Run it again after a failure: it carries on.
"""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError
from storages.backends.s3 import S3Storage

from handoff.core.storage import s3_options


def _names(storage, folder: str = ""):
    """Every file's name under ``folder``, depth first (none when the local folder was never
    made: no file was ever uploaded)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from _names(storage, f"{folder}/{sub}" if folder else sub)


def _read(storage, name: str) -> bytes:
    with storage.open(name, "rb") as handle:
        return handle.read()


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class Command(BaseCommand):
    help = "Copy stored files between the local folder and the bucket, verified by checksum."

    def add_arguments(self, parser):
        parser.add_argument("--to", choices=("bucket", "folder"), required=True)
        parser.add_argument(
            "--remove", action="store_true", help="delete each source file once its copy checks"
        )

    def handle(self, *args, to, remove, **options):
        if not settings.STORAGE_URL:
            raise CommandError("Set HANDOFF_STORAGE_URL to the bucket (s3://BUCKET[/PREFIX]).")
        bucket = S3Storage(**s3_options(settings.STORAGE_URL, **settings.STORAGE_S3))
        folder = FileSystemStorage(location=settings.MEDIA_ROOT)
        source, target = (folder, bucket) if to == "bucket" else (bucket, folder)
        copied = skipped = 0
        problems = []
        for name in _names(source):
            content = _read(source, name)
            checksum = _sha256(content)
            if target.exists(name):
                if _sha256(_read(target, name)) == checksum:
                    skipped += 1
                    if remove:
                        source.delete(name)
                else:
                    problems.append(f"{name}: a different file of that name is already there")
                continue
            saved = target.save(name, ContentFile(content))
            if saved != name or _sha256(_read(target, saved)) != checksum:
                target.delete(saved)
                problems.append(f"{name}: the copy did not match; removed it")
                continue
            copied += 1
            if remove:
                source.delete(name)
        self.stdout.write(
            f"{copied} file(s) copied to the {to}, {skipped} already there"
            + (", sources removed." if remove else ".")
        )
        if problems:
            raise CommandError(
                f"{len(problems)} file(s) not copied:\n" + "\n".join(f"- {p}" for p in problems)
            )
