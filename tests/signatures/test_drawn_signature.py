"""A signer may draw their signature beside the name they type: the drawing, a PNG sent as a
data URL, is kept with their signature and shown on the sealed PDF's signature page and on the
request's page; anything that is not a small, real PNG is refused, and nothing is signed."""

import base64
import io
import os
import re
import struct
import zlib
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from handoff.core.principal import Principal
from handoff.decisions.models import BusinessFunction
from handoff.engagements import agreements, services
from handoff.signatures import services as signatures
from handoff.signatures.models import Signer
from tests.conftest import client_for
from tests.factories import ContactFactory, ProviderFactory, principal_for

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"https?://\S+/sign/([\w-]+)/")
NOT_PNG = "The drawn signature is not a PNG image"
TOO_LARGE = "The drawn signature is too large"


# --- As in test_signing.py: an engagement's agreement, sent to Lee and then to us -------------
@pytest.fixture
def version(org, owner):
    provider = ProviderFactory(organization=org, name="Ledgerline", kind="individual")
    ContactFactory(organization=org, provider=provider, name="Lee Ledger", email="lee@ledger.test")
    engagement = services.create_engagement(
        principal_for(owner, org),
        provider_id=provider.pk,
        function_ids=[BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping").pk],
        data={
            "title": "Monthly books",
            "pricing_model": "flat",
            "amount": "1250.00",
            "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31),
        },
    )
    return agreements.generate(principal_for(owner, org), engagement)


def send(org, manager, version):
    return agreements.send_for_signature(
        principal_for(manager, org),
        version,
        provider_name="Lee Ledger",
        provider_email="lee@ledger.test",
        our_signer=manager,
        provider_first=True,
    )


def token_in(message) -> str:
    return LINK.search(message.body).group(1)


def sign_as(token: str, name: str, drawn: str = ""):
    """Consent and sign through the link's pages, sending ``drawn`` as the pad would."""
    client = Client()
    page = reverse("signatures:sign", args=[token])
    client.post(page, {"agree": "on"})
    shown = re.search(r'name="shown_sha256" value="(\w+)"', client.get(page).content.decode())
    data = {"shown_sha256": shown.group(1), "typed_name": name, "agree": "on"}
    return client.post(page, data | {"drawn_signature": drawn})


# --- PNGs, written by hand --------------------------------------------------------------------
def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, rows: bytes | None = None) -> bytes:
    """A PNG of ``width`` × ``height`` grey pixels: ``rows`` (one byte a pixel), else a dark
    line across the middle on white."""
    if rows is None:
        rows = b"".join(
            (b"\x20" if abs(y - height // 2) <= 1 else b"\xff") * width for y in range(height)
        )
    raw = b"".join(b"\x00" + rows[y * width : (y + 1) * width] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def bomb() -> bytes:
    """A PNG whose header claims 100,000 × 100,000 pixels, with almost no data."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + chunk(b"IEND", b"")
    )


def changed(data: bytes, at: int) -> bytes:
    """``data`` with one bit of the byte at ``at`` flipped."""
    flipped = bytearray(data)
    flipped[at] ^= 0x01
    return bytes(flipped)


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


DRAWN = data_url(png(60, 20))


@pytest.fixture
def lee(org, manager, version):
    """Lee's signer row, consented and about to sign."""
    mail.outbox.clear()
    request = send(org, manager, version)
    signer = request.signers.get(position=1)
    signatures.consent(Principal.for_link(signer), agreed=True, address="", user_agent="")
    return Signer.objects.get(pk=signer.pk)


def sign(signer: Signer, drawn: str):
    return signatures.sign(
        Principal.for_link(signer),
        typed_name="Lee Ledger",
        shown_sha256=signer.request.document_sha256,
        agreed=True,
        address="203.0.113.9",
        user_agent="Lee's browser",
        drawn=drawn,
    )


# --- Kept and shown -------------------------------------------------------------------------
def test_a_drawn_signature_is_kept_and_shown_on_the_sealed_pdf_and_the_requests_page(
    org, manager, viewer, version
):
    mail.outbox.clear()
    request = send(org, manager, version)
    assert sign_as(token_in(mail.outbox[0]), "Lee Ledger", DRAWN).status_code == 302
    assert Signer.objects.get(request=request, position=1).drawn_signature == DRAWN
    sign_as(token_in(mail.outbox[-1]), "Mona Manager")  # we sign without drawing

    request.refresh_from_db()
    assert request.status == "signed"
    lee, mona = request.signers.all()
    assert (lee.drawn_signature, mona.drawn_signature) == (DRAWN, "")
    last = PdfReader(io.BytesIO(signatures.sealed_bytes(request))).pages[-1]
    assert "Signature (drawn)" in last.extract_text()
    images = last.images
    assert len(images) == 1  # Lee's drawing; Mona drew none
    assert images[0].image.size == (60, 20)

    detail = client_for(viewer).get(reverse("signatures:detail", args=[org.slug, request.pk]))
    page = detail.content.decode()
    image = f'<img class="signature-image" src="{DRAWN}" alt="Drawn signature of Lee Ledger">'
    assert image in page
    assert page.count("Drawn signature of") == 1


def test_without_a_drawing_the_signature_page_has_no_image(org, manager, version):
    mail.outbox.clear()
    request = send(org, manager, version)
    sign_as(token_in(mail.outbox[0]), "Lee Ledger")
    sign_as(token_in(mail.outbox[-1]), "Mona Manager")
    request.refresh_from_db()
    last = PdfReader(io.BytesIO(signatures.sealed_bytes(request))).pages[-1]
    assert "Signature (drawn)" not in last.extract_text()
    assert len(last.images) == 0


def test_the_largest_drawing_the_pad_makes_is_accepted(lee):
    sign(lee, data_url(png(1200, 400)))
    lee.refresh_from_db()
    assert lee.signed_at is not None and lee.drawn_signature.startswith("data:image/png;base64,")


def test_the_sign_page_offers_the_pad_to_scripts_only(lee):
    mail.outbox.clear()
    signatures.remind(lee)  # a fresh link to open
    page = Client().get(reverse("signatures:sign", args=[token_in(mail.outbox[-1])]))
    body = page.content.decode()
    pad = re.search(r'<fieldset class="signature-pad" data-signature-pad="(\w+)"[^>]*hidden>', body)
    assert pad and pad.group(1) == "id_drawn_signature"
    assert "Draw your signature (optional)" in body
    assert re.search(r'<canvas role="img" aria-label="[^"]+">', body)
    assert '<button type="button" class="secondary" data-signature-clear>Clear</button>' in body
    assert '<input type="hidden" name="drawn_signature" id="id_drawn_signature" value="">' in body
    assert re.search(r'<script src="[^"]*handoff/signature-pad\.js" defer></script>', body)


# --- Refused --------------------------------------------------------------------------------
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"/>'
REFUSED = {
    "not a data URL": ("https://evil.example/signature.png", NOT_PNG),
    "a script URL": ("javascript:alert(1)", NOT_PNG),
    "an SVG with a handler": (data_url(SVG, "image/svg+xml"), NOT_PNG),
    "an SVG called a PNG": (data_url(SVG), NOT_PNG),
    "invalid base64": ("data:image/png;base64,iVBORw0KGgo!!!!", NOT_PNG),
    "base64 with a line break": (DRAWN[:60] + "\n" + DRAWN[60:], NOT_PNG),
    "base64 cut short": (DRAWN[:-1], NOT_PNG),
    "markup after the data": (DRAWN + '"><script>alert(1)</script>', NOT_PNG),
    "a GIF": (data_url(b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 20), NOT_PNG),
    "the PNG signature then rubbish": (data_url(b"\x89PNG\r\n\x1a\n" + b"rubbish" * 10), NOT_PNG),
    "a PNG cut short": (data_url(png(60, 20)[:-30]), NOT_PNG),
    "a PNG changed after its checksum": (data_url(changed(png(60, 20), -20)), NOT_PNG),
    "over 200 KB": (data_url(png(1200, 400, os.urandom(1200 * 400))), TOO_LARGE),
    "a megabyte of text": ("data:image/png;base64," + "A" * 1_400_000, TOO_LARGE),
    "wider than 1200 pixels": (data_url(png(1201, 40)), TOO_LARGE),
    "taller than 400 pixels": (data_url(png(40, 401)), TOO_LARGE),
    "a decompression bomb": (data_url(bomb()), TOO_LARGE),
}


@pytest.mark.parametrize(("drawn", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_anything_but_a_small_png_is_refused_and_nothing_signed(lee, drawn, reason):
    with pytest.raises(ValidationError) as error:
        sign(lee, drawn)
    assert list(error.value.message_dict) == ["drawn_signature"]
    assert error.value.message_dict["drawn_signature"][0].startswith(reason)
    lee.refresh_from_db()
    assert lee.signed_at is None and lee.typed_name == "" and lee.drawn_signature == ""
    assert lee.request.completed_at is None
    assert [m.to for m in mail.outbox] == [["lee@ledger.test"]]  # we are not asked to sign


def test_the_sign_page_says_why_and_does_not_send_the_drawing_back(org, manager, version):
    mail.outbox.clear()
    send(org, manager, version)
    hostile = data_url(SVG, "image/svg+xml")
    response = sign_as(token_in(mail.outbox[0]), "Lee Ledger", hostile)
    assert response.status_code == 200
    body = response.content.decode()
    assert "The drawn signature is not a PNG image; clear it and draw it again." in body
    assert '<fieldset class="signature-pad has-error"' in body  # shown even without a script
    assert '<input type="hidden" name="drawn_signature" id="id_drawn_signature" value="">' in body
    assert base64.b64encode(SVG).decode() not in body and "onload" not in body
    assert Signer.objects.filter(signed_at__isnull=False).count() == 0
