"""``handoff manage signing_certificate``: made on first use, listed, rotated, printed as PEM."""

from io import StringIO

import pytest
from django.core.management import call_command

from handoff.signatures.models import SigningCertificate


def run(*args) -> str:
    out = StringIO()
    call_command("signing_certificate", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_made_listed_rotated_and_printed():
    first = run()
    assert "Made the sealing certificate" in first and "in use" in first
    assert run("--pem").startswith("-----BEGIN CERTIFICATE-----")
    rotated = run("--rotate")
    assert "New sealing certificate" in rotated and "retired" in rotated
    assert SigningCertificate.objects.filter(retired_at=None).count() == 1
    assert SigningCertificate.objects.count() == 2
