"""Show the certificate signed documents are sealed with, or rotate it."""

from django.core.management.base import BaseCommand

from handoff.signatures import sealing
from handoff.signatures.models import SigningCertificate


class Command(BaseCommand):
    help = (
        "Show this installation's document-sealing certificates; --rotate retires the current "
        "one and makes a new one (retired ones still verify what they sealed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rotate", action="store_true", help="Make a new certificate.")
        parser.add_argument(
            "--pem",
            action="store_true",
            help="Print the certificate in use as PEM (to trust it in a PDF reader or pyHanko).",
        )

    def handle(self, *args, rotate=False, pem=False, **options):
        if pem:
            self.stdout.write(sealing.current_certificate().certificate_pem.strip())
            return
        if rotate:
            row = sealing.rotate()
            self.stdout.write(f"New sealing certificate {row.fingerprint}.")
        elif not SigningCertificate.objects.exists():
            row = sealing.current_certificate()
            self.stdout.write(f"Made the sealing certificate {row.fingerprint}.")
        for row in SigningCertificate.objects.all():
            state = f"retired {row.retired_at:%Y-%m-%d}" if row.retired_at else "in use"
            self.stdout.write(
                f"{row.fingerprint}  {row.subject}  made {row.created_at:%Y-%m-%d}, "
                f"valid to {row.not_after:%Y-%m-%d}, {state}"
            )
