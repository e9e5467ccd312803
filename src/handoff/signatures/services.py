"""Signature requests: a PDF sent to its signers one after another, each signing through a
one-time link after consenting to electronic records and signatures, and the finished document
sealed.

A manager sends a document (:func:`create`); the first signer is mailed a link. Behind it they
read the exact PDF, consent after the ESIGN Act disclosures (:func:`consent`), and sign by
typing their name (:func:`sign`; a drawing of it may go with it) or decline with a reason
(:func:`decline`). Each signature records the name typed, e-mail, time (UTC), internet
address, browser and the SHA-256 of the document shown. When the last one signs, the PDF gets
a signature page with that record and a PAdES seal over the whole file (:mod:`.sealing`), and
the app that sent it is told (:mod:`.hooks`). A request expires unsigned after the days given;
a manager may cancel it.
"""

import base64
import binascii
import io
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from handoff.accounts.models import Invitation, hash_secret
from handoff.core import audit
from handoff.core.links import absolute_url
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.signatures import hooks, sealing
from handoff.signatures.models import Side, SignatureRequest, Signer

DEFAULT_VALID_DAYS = 14
MAX_VALID_DAYS = 60
# A signer who has not signed this many days after their link was sent is mailed again, once.
REMIND_AFTER_DAYS = 3
# The disclosures a signer consents to (templates/signatures/_esign.html); a change of their
# wording is a new version, recorded with each consent.
CONSENT_VERSION = "2026-12"
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# A drawn signature (the sign page's pad, static/handoff/signature-pad.js): a PNG as a data URL,
# of at most this many bytes and pixels (the pad caps its drawing buffer to the same size).
DRAWN_PREFIX = "data:image/png;base64,"
MAX_DRAWN_BYTES = 200 * 1024
MAX_DRAWN_SIZE = (1200, 400)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class SignerSpec:
    name: str
    email: str
    side: str
    user: object | None = None


def sign_url(raw_token: str) -> str:
    return absolute_url("signatures:sign", raw_token)


def requests(principal: Principal):
    """The organization's signature requests, newest first, with their signers."""
    return SignatureRequest.objects.visible_to(principal).prefetch_related("signers")


def _status_conditions(through: str = "") -> dict[str, Q]:
    """Each :attr:`SignatureRequest.status` as a filter (the same order of precedence as the
    property), on the requests or, ``through`` a foreign key, on the rows pointing at them."""
    now = timezone.now()
    at = f"{through}__" if through else ""

    def q(**lookups):
        return Q(**{at + name: value for name, value in lookups.items()})

    return {
        "signed": ~q(completed_at=None),
        "cancelled": q(completed_at=None) & ~q(cancelled_at=None),
        "declined": q(completed_at=None, cancelled_at=None) & ~q(declined_at=None),
        "expired": q(completed_at=None, cancelled_at=None, declined_at=None, expires_at__lte=now),
        "out": q(completed_at=None, cancelled_at=None, declined_at=None, expires_at__gt=now),
    }


def with_status(rows, status: str):
    """``rows`` narrowed to the requests whose :attr:`SignatureRequest.status` is ``status``,
    in the database."""
    conditions = _status_conditions()
    if status not in conditions:
        raise ValidationError({"status": f"Choose one of: {', '.join(conditions)}."})
    return rows.filter(conditions[status])


def waiting_for(principal: Principal):
    """What waits for a provider contact's signature, for the portal: their own signer rows
    (the provider's side, their e-mail address, their provider's requests: ``Signer``'s
    portal scope) whose turn it is, on requests still out; the soonest to expire first."""
    if not principal.is_provider:
        return Signer.objects.none()
    return (
        Signer.objects.visible_to(principal)
        .filter(
            _status_conditions(through="request")["out"],
            sent_at__isnull=False,
            signed_at=None,
            declined_at=None,
        )
        .select_related("request", "request__created_by")
        .order_by("request__expires_at", "pk")
    )


def current_signer(request: SignatureRequest) -> Signer | None:
    """Whose turn it is: the first signer in order who has not signed."""
    return next((s for s in request.signers.all() if s.signed_at is None), None)


def _clean_signers(specs: list[SignerSpec]) -> list[SignerSpec]:
    if not specs:
        raise ValidationError({"signers": "Name at least one signer."})
    cleaned, seen = [], set()
    for index, spec in enumerate(specs):
        field = f"signers[{index}]"
        name = " ".join((spec.name or "").split())
        email = (spec.email or "").strip().lower()
        if not name or len(name) > 200:
            raise ValidationError(
                {f"{field}.name": "Give the signer's name (up to 200 characters)."}
            )
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({f"{field}.email": "Give the signer's e-mail address."}) from None
        if email in seen:
            raise ValidationError({f"{field}.email": "Each signer needs their own e-mail address."})
        if spec.side not in Side.values:
            raise ValidationError({f"{field}.side": "Choose the provider's side or ours."})
        seen.add(email)
        cleaned.append(SignerSpec(name=name, email=email, side=spec.side, user=spec.user))
    return cleaned


@transaction.atomic
def create(
    principal: Principal,
    *,
    kind: str,
    title: str,
    document: bytes,
    signers: list[SignerSpec],
    valid_days: int = DEFAULT_VALID_DAYS,
    mail_first: bool = True,
) -> SignatureRequest:
    """Send ``document`` (a PDF) to ``signers`` in the order given; the first is mailed now —
    unless ``mail_first`` is false: an app that reaches the first signer its own way (the
    contractor's onboarding link) opens it for them with :func:`open_for`."""
    principal.require(Role.MANAGER, "Sending a document for signature")
    specs = _clean_signers(signers)
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise ValidationError({"valid_days": f"Choose 1 to {MAX_VALID_DAYS} days."})
    if not document.startswith(b"%PDF-") or len(document) > MAX_DOCUMENT_BYTES:
        raise ValidationError({"document": "The document must be a PDF of at most 10 MB."})
    now = timezone.now()
    request = SignatureRequest(
        organization=principal.organization,
        kind=kind,
        title=title[:200],
        document_sha256=sealing.sha256(document),
        created_by=principal.user,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    request.document.save(f"{kind}-{now:%Y%m%d%H%M%S}.pdf", ContentFile(document))
    Signer.objects.bulk_create(
        [
            Signer(
                organization=principal.organization,
                request=request,
                position=position,
                side=spec.side,
                name=spec.name,
                email=spec.email,
                user=spec.user,
            )
            for position, spec in enumerate(specs, start=1)
        ]
    )
    names = " then ".join(spec.name for spec in specs)
    audit.record(
        principal.organization,
        principal.user,
        "signature_request.sent",
        request,
        f"Sent {request.title} for signature to {names}",
    )
    _send_next(request, mail=mail_first)
    return request


def _send_next(request: SignatureRequest, *, mail: bool = True) -> None:
    """Mail the next signer their link, or seal the document when everyone has signed."""
    signer = current_signer(request)
    if signer is None:
        _complete(request)
        return
    raw = Invitation.new_token()
    signer.token_hash = hash_secret(raw)
    signer.sent_at = timezone.now()
    signer.save(update_fields=["token_hash", "sent_at"])
    if mail:
        _mail(signer.email, request, "request", signer=signer, link=sign_url(raw))


def _mail(to: str, request: SignatureRequest, template: str, *, attach=None, **context) -> None:
    """Mail ``to`` after the transaction commits; ``attach`` is (name, bytes) of a PDF."""
    context |= {"request": request, "org": request.organization}
    subjects = {
        "request": f"{request.organization.name} asks you to sign: {request.title}",
        "reminder": f"Reminder: {request.organization.name} asks you to sign: {request.title}",
        "completed": f"Signed by everyone: {request.title}",
        "declined": f"Declined: {request.title}",
    }
    message = EmailMessage(
        subject=subjects[template],
        body=render_to_string(f"signatures/email/{template}.txt", context),
        to=[to],
    )
    if attach:
        message.attach(attach[0], attach[1], "application/pdf")
    transaction.on_commit(message.send)


def find_signer(raw_token: str) -> Signer | None:
    """The signer behind a token, whatever the request's state; None for a token never ours."""
    if not raw_token:
        return None
    return (
        Signer.objects.select_related("request", "organization")
        .filter(token_hash=hash_secret(raw_token))
        .first()
    )


def _granted(principal: Principal, doing: str) -> tuple[Signer, SignatureRequest]:
    """The signer ``principal``'s link unlocks and their request, both locked (the request
    first, so two signers' clicks queue); refused unless it is still theirs to sign."""
    granted = principal.require_grant(Signer, doing)
    request = SignatureRequest.objects.select_for_update().get(pk=granted.request_id)
    signer = Signer.objects.select_for_update().get(pk=granted.pk)
    if not request.is_live:
        raise ValidationError(
            f"This request is {request.status_label}; it can no longer be signed."
        )
    if signer.signed_at is not None:
        raise ValidationError("You have signed this document already.")
    if signer.declined_at is not None:
        raise ValidationError("You declined to sign this document.")
    return signer, request


@transaction.atomic
def mark_opened(principal: Principal) -> None:
    signer = principal.require_grant(Signer, "Opening a signature link")
    Signer.objects.filter(pk=signer.pk, opened_at=None).update(opened_at=timezone.now())


@transaction.atomic
def consent(principal: Principal, *, agreed: bool, address: str, user_agent: str) -> Signer:
    """The signer's consent to electronic records and signatures, after the disclosures
    (15 U.S.C. §7001(c)(1)), with time, address, browser and the wording's version."""
    signer, _ = _granted(principal, "Consenting to electronic signatures")
    if not agreed:
        raise ValidationError(
            {"agree": "Tick the box to agree, or ask for a paper copy to sign as the notice says."}
        )
    if signer.consented_at is None:
        signer.consented_at = timezone.now()
        signer.opened_at = signer.opened_at or signer.consented_at
        signer.consent_address = address or None
        signer.consent_user_agent = (user_agent or "")[:300]
        signer.consent_version = CONSENT_VERSION
        signer.save()
    return signer


def _drawn_error(drawn: str) -> str | None:
    """Why ``drawn`` is not an acceptable drawn signature, or None if it is (or is empty): a
    ``data:image/png;base64,`` URL of a real PNG of at most 200 KB and 1200 × 400 pixels."""
    if not drawn:
        return None
    not_png = "The drawn signature is not a PNG image; clear it and draw it again."
    too_large = (
        f"The drawn signature is too large (at most {MAX_DRAWN_BYTES // 1024} KB and "
        f"{MAX_DRAWN_SIZE[0]} × {MAX_DRAWN_SIZE[1]} pixels); clear it and draw it again."
    )
    if not drawn.startswith(DRAWN_PREFIX):
        return not_png
    encoded = drawn[len(DRAWN_PREFIX) :]
    if len(encoded) > (MAX_DRAWN_BYTES + 2) // 3 * 4:  # before decoding anything that large
        return too_large
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return not_png
    if not data.startswith(PNG_SIGNATURE):
        return not_png
    if len(data) > MAX_DRAWN_BYTES:
        return too_large
    # Pillow comes with WeasyPrint. It reads the header first, so a claimed size is refused
    # before any pixel is decoded; verify() reads every chunk to the end with its checksum
    # (load() alone would not: WeasyPrint tells Pillow to accept truncated images).
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            width, height = image.size
            if width > MAX_DRAWN_SIZE[0] or height > MAX_DRAWN_SIZE[1]:
                return too_large
            image.verify()
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
    except Image.DecompressionBombError:  # a header claiming billions of pixels
        return too_large
    except (OSError, SyntaxError, ValueError, EOFError):
        return not_png
    return None


@transaction.atomic
def sign(
    principal: Principal,
    *,
    typed_name: str,
    shown_sha256: str,
    agreed: bool,
    address: str,
    user_agent: str,
    drawn: str = "",
) -> Signer:
    """The signer's signature on the document they were shown (``shown_sha256`` is the hash
    the page showed them, and must be the document's). ``drawn`` is what they drew beside
    the name they typed, if anything (a PNG data URL); the typed name is the signature."""
    signer, request = _granted(principal, "Signing")
    if signer.consented_at is None:
        raise ValidationError("Agree to sign electronically first.")
    typed_name = " ".join((typed_name or "").split())
    errors = {}
    if not typed_name:
        errors["typed_name"] = ["Type your full name to sign."]
    elif len(typed_name) > 200:
        errors["typed_name"] = ["Keep the name to 200 characters."]
    if not agreed:
        errors["agree"] = ["Tick the box to confirm you sign this document."]
    if shown_sha256 != request.document_sha256:
        errors["document"] = ["The document is not the one shown to you; open the page again."]
    drawn = drawn or ""
    if reason := _drawn_error(drawn):
        errors["drawn_signature"] = [reason]
    if errors:
        raise ValidationError(errors)
    signer.signed_at = timezone.now()
    signer.typed_name = typed_name
    signer.drawn_signature = drawn
    signer.signed_address = address or None
    signer.signed_user_agent = (user_agent or "")[:300]
    signer.document_sha256 = request.document_sha256
    signer.save()
    audit.record(
        request.organization,
        None,
        "signature_request.signed",
        request,
        f"{typed_name} ({signer.email}) signed {request.title}",
        address=address or None,
    )
    _send_next(request)
    return signer


@transaction.atomic
def decline(
    principal: Principal, *, reason: str, address: str, user_agent: str
) -> SignatureRequest:
    """The signer refuses to sign, saying why; the request ends and its sender is told."""
    signer, request = _granted(principal, "Declining")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you decline, so that it can be put right."})
    if len(reason) > 2000:
        raise ValidationError({"reason": "Keep the reason to 2,000 characters."})
    now = timezone.now()
    signer.declined_at = now
    signer.decline_reason = reason
    signer.save(update_fields=["declined_at", "decline_reason"])
    request.declined_at = now
    request.save(update_fields=["declined_at"])
    audit.record(
        request.organization,
        None,
        "signature_request.declined",
        request,
        f"{signer.name} ({signer.email}) declined to sign {request.title}: {reason[:200]}",
        address=address or None,
    )
    if request.created_by and request.created_by.email:
        _mail(request.created_by.email, request, "declined", signer=signer)
    return request


@transaction.atomic
def cancel(principal: Principal, request: SignatureRequest) -> SignatureRequest:
    """Stop a request still out for signature (its links stop working)."""
    principal.require_in(request.organization_id, Role.MANAGER, "Cancelling a signature request")
    request = SignatureRequest.objects.visible_to(principal).select_for_update().get(pk=request.pk)
    if not request.is_live:
        raise ValidationError(f"This request is already {request.status_label}.")
    request.cancelled_at = timezone.now()
    request.cancelled_by = principal.user
    request.save(update_fields=["cancelled_at", "cancelled_by"])
    audit.record(
        request.organization,
        principal.user,
        "signature_request.cancelled",
        request,
        f"Cancelled the signature request for {request.title}",
    )
    return request


def to_remind(now):
    """Signers of every organization whose link went out ``REMIND_AFTER_DAYS`` ago, unsigned
    and not yet reminded, on requests still out (the reminder sweep's cross-organization read)."""
    return (
        Signer.objects.all_organizations()
        .filter(
            signed_at=None,
            declined_at=None,
            reminded_at=None,
            sent_at__lte=now - timedelta(days=REMIND_AFTER_DAYS),
            request__completed_at=None,
            request__cancelled_at=None,
            request__declined_at=None,
            request__expires_at__gt=now,
        )
        .order_by("pk")
    )


@transaction.atomic
def remind(signer: Signer) -> bool:
    """Mail the signer their link again, once. The token is only in the first e-mail, so the
    reminder carries a fresh one (the earlier link stops working); their consent is kept."""
    # The sweep's rows, locked by their keys (no join: PostgreSQL locks no outer join's rows).
    request = (
        SignatureRequest.objects.all_organizations().select_for_update().get(pk=signer.request_id)
    )
    signer = Signer.objects.all_organizations().select_for_update().get(pk=signer.pk)
    if not request.is_live or signer.reminded_at or signer.signed_at or signer.declined_at:
        return False
    raw = Invitation.new_token()
    signer.token_hash = hash_secret(raw)
    signer.reminded_at = timezone.now()
    signer.save(update_fields=["token_hash", "reminded_at"])
    _mail(signer.email, request, "reminder", signer=signer, link=sign_url(raw))
    return True


@transaction.atomic
def open_from_portal(principal: Principal, signer: Signer) -> str:
    """A provider's contact opens, from the portal, a request waiting for their signature:
    their signer row gets a fresh token, as a reminder's does (the e-mailed link stops
    working; consent and what they did so far are kept), and nothing is mailed. Returns the
    raw token of the signing page."""
    if not principal.is_provider:
        raise PermissionDenied("Only the signer's own contact opens it from the portal.")
    # The request first, then the signer, as the signing page locks them; each by its key
    # with no join (PostgreSQL locks no outer join's rows).
    request = (
        SignatureRequest.objects.visible_to(Principal.system(principal.organization))
        .select_for_update()
        .filter(pk=signer.request_id)
        .first()
    )
    signer = Signer.objects.visible_to(principal).select_for_update().filter(pk=signer.pk).first()
    if request is None or signer is None or signer.request_id != request.pk:
        raise PermissionDenied("This signature is not asked of you.")
    if not request.is_live:
        raise ValidationError(f"“{request.title}” is {request.status_label}; it cannot be signed.")
    if signer.signed_at or signer.declined_at or signer.sent_at is None:
        raise ValidationError(f"“{request.title}” is not waiting for your signature.")
    raw = Invitation.new_token()
    signer.token_hash = hash_secret(raw)
    signer.save(update_fields=["token_hash"])
    audit.record(
        principal.organization,
        principal.user,
        "signature_request.opened_in_portal",
        request,
        f"{signer.name} ({signer.email}) opened {request.title} to sign in the provider portal",
    )
    return raw


@transaction.atomic
def open_for(request: SignatureRequest, *, email: str, via: str) -> str:
    """Open ``request`` to sign for its provider-side signer at ``email`` whose turn it is,
    with a fresh link (any earlier one stops working; consent is kept); returns its raw token.
    For an app above that has already checked who asks (``via`` says how, for the audit
    trail): the contractor's onboarding link carries their agreement this way."""
    request = (
        SignatureRequest.objects.all_organizations()  # the caller checked the credential
        .select_for_update()
        .get(pk=request.pk)
    )
    signer = current_signer(request)
    if not request.is_live:
        raise ValidationError(f"“{request.title}” is {request.status_label}; it cannot be signed.")
    if signer is None or signer.side != Side.PROVIDER or signer.email.lower() != email.lower():
        raise ValidationError(f"“{request.title}” is not waiting for your signature now.")
    signer = Signer.objects.all_organizations().select_for_update().get(pk=signer.pk)
    raw = Invitation.new_token()
    signer.token_hash = hash_secret(raw)
    signer.save(update_fields=["token_hash"])
    audit.record(
        request.organization,
        None,
        "signature_request.opened_in_onboarding",
        request,
        f"{signer.name} ({signer.email}) opened {request.title} to sign {via}",
    )
    return raw


def _with_signature_page(request: SignatureRequest, document: bytes) -> bytes:
    """The document followed by a page recording each signature (WeasyPrint), one PDF."""
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML  # imported here: loading pango costs a second at start-up

    context = {
        "request": request,
        "signers": list(request.signers.all()),
        "verify_url": absolute_url("signatures:verify"),
        "now": timezone.now(),
    }
    page = HTML(string=render_to_string("signatures/signature_page_pdf.html", context))
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(document)))
    writer.append(PdfReader(io.BytesIO(page.write_pdf())))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _complete(request: SignatureRequest) -> None:
    """Everyone signed: the signature page, the seal, the sender's app told, everyone mailed."""
    with request.document.open("rb") as handle:
        document = handle.read()
    names = ", ".join(s.typed_name for s in request.signers.all())
    sealed, certificate = sealing.seal(
        _with_signature_page(request, document), reason=f"Signed by {names}"
    )
    request.completed_at = timezone.now()
    request.certificate = certificate
    request.sealed_sha256 = sealing.sha256(sealed)
    request.sealed.save(f"{request.kind}-{request.pk}-signed.pdf", ContentFile(sealed))
    audit.record(
        request.organization,
        None,
        "signature_request.completed",
        request,
        f"{request.title} is signed by {names} and sealed",
    )
    hooks.completed(request)
    copy = (f"{request.kind}-signed.pdf", sealed)
    for signer in request.signers.all():
        _mail(signer.email, request, "completed", signer=signer, attach=copy)


def sealed_bytes(request: SignatureRequest) -> bytes:
    with request.sealed.open("rb") as handle:
        return handle.read()


def verify(data: bytes) -> tuple[sealing.Verification, SignatureRequest | None]:
    """What a PDF's seal says and, for a file exactly as this installation sealed it, the
    request it finished."""
    result = sealing.verify(data)
    record = None
    if result.ok:
        # Found by the file's own hash, across organizations: whoever holds the file learns
        # only what its signature page already says.
        record = (
            SignatureRequest.objects.all_organizations()
            .select_related("organization")
            .prefetch_related("signers")
            .filter(sealed_sha256=sealing.sha256(data))
            .first()
        )
    return result, record
