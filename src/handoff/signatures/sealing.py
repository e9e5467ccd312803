"""Sealing finished documents and verifying them: PAdES signatures made with pyHanko under the
installation's own certificate, so that any PDF reader (and ``pyhanko sign validate``) shows
whether a document is unmodified since it was sealed.

The certificate is made on first use — a self-signed RSA-3072 certificate, valid ten years,
its private key kept in the database encrypted under ``settings.SIGNING_KEY_PASSPHRASE`` — or
read from the PKCS#12 file ``settings.SIGNING_CERTIFICATE`` names (a certificate from a
certification authority that PDF readers already trust). :func:`rotate` retires the current one;
retired certificates still verify what they sealed.

What the seal proves: the file is the one this installation produced when the last signer
signed, unchanged since. Who signed, when and from where is the record on the signature page
(see ``docs/onboarding.md``).
"""

import asyncio
import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from handoff.core.links import site_url
from handoff.signatures.models import SigningCertificate

CERTIFICATE_VALID_DAYS = 3650
FIELD_NAME = "HandoffSeal"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _passphrase() -> bytes:
    return settings.SIGNING_KEY_PASSPHRASE.encode()


def _fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def _row_for(certificate: x509.Certificate, key_pem: str) -> SigningCertificate:
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    row, _ = SigningCertificate.objects.get_or_create(
        fingerprint=_fingerprint(certificate),
        defaults={
            "subject": certificate.subject.rfc4514_string()[:200],
            "certificate_pem": pem,
            "key_pem": key_pem,
            "not_after": certificate.not_valid_after_utc,
        },
    )
    return row


def _make_certificate() -> SigningCertificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Handoff document seal"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, site_url()[:64] or "Handoff"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CERTIFICATE_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase()),
    ).decode()
    return _row_for(certificate, key_pem)


def _outside() -> tuple[x509.Certificate, object]:
    """The certificate and key of the configured PKCS#12 file."""
    try:
        with open(settings.SIGNING_CERTIFICATE, "rb") as handle:
            key, certificate, _ = pkcs12.load_key_and_certificates(
                handle.read(), settings.SIGNING_CERTIFICATE_PASSWORD.encode() or None
            )
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            "HANDOFF_SIGNING_CERTIFICATE cannot be read as a PKCS#12 file with "
            f"HANDOFF_SIGNING_CERTIFICATE_PASSWORD: {error.__class__.__name__}."
        ) from None
    if key is None or certificate is None:
        raise ImproperlyConfigured("HANDOFF_SIGNING_CERTIFICATE holds no key and certificate.")
    return certificate, key


@transaction.atomic
def current_certificate() -> SigningCertificate:
    """The certificate new seals are made with: the configured one, else the newest of ours
    not retired, made now if there is none."""
    if settings.SIGNING_CERTIFICATE:
        certificate, _ = _outside()
        return _row_for(certificate, key_pem="")
    row = SigningCertificate.objects.filter(retired_at=None, key_pem__gt="").first()
    return row or _make_certificate()


@transaction.atomic
def rotate() -> SigningCertificate:
    """Retire the certificates in use and make a new one (kept for verifying old seals)."""
    SigningCertificate.objects.filter(retired_at=None).update(retired_at=timezone.now())
    return _make_certificate()


def _signer(row: SigningCertificate):
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    if row.key_pem:
        certificate = x509.load_pem_x509_certificate(row.certificate_pem.encode())
        try:
            key = serialization.load_pem_private_key(row.key_pem.encode(), _passphrase())
        except ValueError:
            raise ImproperlyConfigured(
                "The signing key cannot be decrypted: HANDOFF_SIGNING_KEY_PASSPHRASE (or the "
                "secret key) changed since it was made. Restore it, or run "
                "'handoff manage signing_certificate --rotate'."
            ) from None
    else:
        certificate, key = _outside()
    der_certificate = asn1_x509.Certificate.load(
        certificate.public_bytes(serialization.Encoding.DER)
    )
    der_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return signers.SimpleSigner(
        signing_cert=der_certificate,
        signing_key=der_key,
        cert_registry=SimpleCertificateStore.from_certs([der_certificate]),
    )


def run_in_own_thread(make_coroutine):
    """The result of one of pyHanko's coroutines, run to completion in a thread of its own.

    pyHanko's synchronous functions wrap ``asyncio.run()``, which refuses to start where an
    event loop is already running in the thread (an ASGI server; a test driving a browser);
    a thread of its own has none. ``make_coroutine`` touches no database."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def seal(pdf: bytes, *, reason: str) -> tuple[bytes, SigningCertificate]:
    """``pdf`` with a PAdES baseline signature over the whole file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    row = current_certificate()
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason[:200],
        location=site_url() or "Handoff",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    signer = _signer(row)
    out = run_in_own_thread(lambda: signers.async_sign_pdf(writer, metadata, signer=signer))
    return out.getvalue(), row


@dataclass
class Verification:
    """What a PDF's seal says; :attr:`ok` only for a file of ours, intact, with nothing after."""

    readable: bool = False
    signed: bool = False
    intact: bool = False
    ours: bool = False
    whole_file: bool = False
    signed_at: datetime | None = None
    certificate: SigningCertificate | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.readable and self.signed and self.intact and self.ours and self.whole_file


def _trusted() -> dict[str, SigningCertificate]:
    return {row.fingerprint: row for row in SigningCertificate.objects.all()}


def verify(data: bytes) -> Verification:
    """Check ``data``'s last signature with pyHanko's validator against every certificate this
    installation has sealed with (current and retired)."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
    from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    result = Verification()
    if not data.startswith(b"%PDF-"):
        result.problem = "This is not a PDF file."
        return result
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        result.problem = "The PDF cannot be read: it is damaged or was altered."
        return result
    result.readable = True
    if not signatures:
        result.problem = "The PDF carries no digital signature."
        return result
    result.signed = True
    ours = _trusted()
    roots = [
        asn1_x509.Certificate.load(
            x509.load_pem_x509_certificate(row.certificate_pem.encode()).public_bytes(
                serialization.Encoding.DER
            )
        )
        for row in ours.values()
    ]
    embedded = signatures[-1]
    context = ValidationContext(trust_roots=roots)
    try:
        status = run_in_own_thread(lambda: async_validate_pdf_signature(embedded, context))
    except (PdfError, ValueError, KeyError, TypeError):  # SignatureValidationError is a ValueError
        result.problem = "The signature cannot be checked: the file was altered."
        return result
    fingerprint = hashlib.sha256(status.signing_cert.dump()).hexdigest()
    result.certificate = ours.get(fingerprint)
    result.ours = result.certificate is not None and status.trusted
    result.intact = bool(status.intact and status.valid)
    result.whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE and (
        status.modification_level in (None, ModificationLevel.NONE)
    )
    result.signed_at = status.signer_reported_dt
    if not result.intact:
        result.problem = "The file was modified after it was signed."
    elif not result.ours:
        result.problem = "It was signed, but not by this installation."
    elif not result.whole_file:
        result.problem = "Something was added to the file after it was signed."
    return result
