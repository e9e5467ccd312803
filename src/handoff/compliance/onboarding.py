"""W-9 by link: a contractor gives their W-9 without an account.

A manager sends the payee a one-time, expiring link (:func:`send_link`). The person holding it
consents to electronic records and signatures after the ESIGN Act disclosures
(:func:`consent`), fills the W-9 and signs it under penalties of perjury by typing their name
(:func:`sign_w9`). The signed form is kept as a substitute W-9 PDF carrying the IRS form's
certification wording (made with WeasyPrint), encrypted at rest like any W-9 scan, and the
link records each step's time, address and browser and the SHA-256 of the PDF — what the
Instructions for the Requester of Form W-9 ask of an electronic W-9 system ("Electronic
submission of Forms W-9"; Treas. Reg. §31.3406(h)-3(e)).

A new link for a payee withdraws the one sent before; a link stops working once the W-9 is
signed, when it expires, or when a manager withdraws it.
"""

import hashlib
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from handoff.accounts.models import Invitation, hash_secret
from handoff.compliance import foreign, services, tins
from handoff.compliance.choices import Answer
from handoff.compliance.models import ContractorStatement, OnboardingLink
from handoff.core import audit
from handoff.core.links import absolute_url
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.engagements import agreements
from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import Engagement
from handoff.providers.models import Provider
from handoff.providers.selectors import first_reachable_contact
from handoff.signatures import services as signatures

LINK_VALID_DAYS = 14
OPEN_ENGAGEMENTS = (EngagementStatus.DRAFT, EngagementStatus.ACTIVE, EngagementStatus.PAUSED)
# A link not signed this many days after it was sent is mailed again, once.
REMIND_AFTER_DAYS = 4
# The disclosures a contractor consents to (templates/compliance/onboarding/_esign.html);
# a change of their wording is a new version, recorded with each consent.
CONSENT_VERSION = "2026-12"


def link_url(raw_token: str) -> str:
    return absolute_url("compliance:onboarding_start", raw_token)


def links(principal: Principal):
    """Every W-9 link of the organization, newest first, with its payee."""
    return OnboardingLink.objects.visible_to(principal).select_related(
        "provider", "created_by", "statement"
    )


def with_status(rows, status: str):
    """``rows`` narrowed to the links whose :attr:`OnboardingLink.status` is ``status``, in
    the database (the same order of precedence as the property)."""
    now = timezone.now()
    live = Q(signed_at=None, revoked_at=None, expires_at__gt=now)
    conditions = {
        "signed": ~Q(signed_at=None),
        "revoked": Q(signed_at=None) & ~Q(revoked_at=None),
        "expired": Q(signed_at=None, revoked_at=None, expires_at__lte=now),
        "consented": live & ~Q(consented_at=None),
        "opened": live & Q(consented_at=None) & ~Q(opened_at=None),
        "sent": live & Q(consented_at=None, opened_at=None),
    }
    if status not in conditions:
        raise ValidationError({"status": f"Choose one of: {', '.join(conditions)}."})
    return rows.filter(conditions[status])


def suggested_email(principal: Principal, provider: Provider) -> str:
    """Where a link would go unless told otherwise: the payee's first contact with an address."""
    contact = first_reachable_contact(principal, provider)
    return contact.email if contact else ""


def agreements_to_send(principal: Principal, provider: Provider) -> list[Engagement]:
    """The payee's draft, active or paused engagements whose agreement is generated and not
    yet signed or out for signature: what a link may carry to be signed."""
    rows = []
    engagements = (
        Engagement.objects.visible_to(principal)
        .filter(provider=provider, status__in=OPEN_ENGAGEMENTS)
        .order_by("title", "pk")
        .prefetch_related("agreement_versions__signature_request")
    )
    for engagement in engagements:
        versions = sorted(engagement.agreement_versions.all(), key=lambda v: -v.number)
        request = versions[0].signature_request if versions else None
        if versions and (request is None or request.status not in ("out", "signed")):
            rows.append(engagement)
    return rows


def _send_agreement(principal: Principal, provider, engagement, email: str):
    """The newest agreement version of ``engagement``, sent for signature with the link: the
    contractor first (reached through the link, so no e-mail of its own), then the member who
    sends the link."""
    if engagement.provider_id != provider.pk:
        raise ValidationError({"engagement": "Choose one of this payee's engagements."})
    if engagement not in agreements_to_send(principal, provider):
        raise ValidationError(
            {
                "engagement": f"“{engagement.title}” has no agreement ready to sign: generate "
                "it on the engagement's page (one out for signature or signed is not sent again)."
            }
        )
    version = engagement.agreement_versions.order_by("-number").first()
    contact = (
        provider.contacts.filter(organization_id=principal.organization_id, email__iexact=email)
        .exclude(name="")
        .first()
    )
    try:
        return agreements.send_for_signature(
            principal,
            version,
            provider_name=contact.name if contact else provider.name,
            provider_email=email,
            our_signer=principal.user,
            valid_days=LINK_VALID_DAYS,
            mail_first=False,
        )
    except ValidationError as error:
        raise ValidationError({"engagement": error.messages}) from None


@transaction.atomic
def send_link(
    principal: Principal,
    provider: Provider,
    *,
    email: str = "",
    correction: bool = False,
    engagement: Engagement | None = None,
) -> tuple[OnboardingLink, str]:
    """E-mail the payee a link to give their tax form (and, with ``engagement``, to sign its
    agreement after); returns it with the raw token. A link sent before for the same payee
    and still usable is withdrawn: only the newest works. ``correction``: the e-mail says the
    IRS found their name and TIN do not match."""
    principal.require_in(provider.organization_id, Role.MANAGER, "Asking for a W-9 by link")
    email = (email or suggested_email(principal, provider)).strip().lower()
    if not email:
        missing = f"Give the e-mail address to send it to; {provider.name} has no contact with one."
        raise ValidationError({"email": missing})
    now = timezone.now()
    carried = None
    for earlier in links(principal).filter(provider=provider, revoked_at=None):
        if earlier.is_live:
            earlier.revoked_at = now
            earlier.save(update_fields=["revoked_at"])
            pending = _pending_agreement(earlier)
            if pending is None:
                continue
            # A link sent again to the same address carries its agreement on; otherwise the
            # agreement the withdrawn link carried is cancelled with it.
            if engagement is None and earlier.sent_to == email:
                carried = pending
            else:
                signatures.cancel(principal, pending)
    if engagement is not None:
        agreement = _send_agreement(principal, provider, engagement, email)
    else:
        agreement = carried
    raw = Invitation.new_token()
    link = OnboardingLink(
        organization=provider.organization,
        provider=provider,
        sent_to=email,
        token_hash=hash_secret(raw),
        created_by=principal.user,
        created_at=now,
        expires_at=now + timedelta(days=LINK_VALID_DAYS),
        agreement=agreement,
    )
    link.full_clean(exclude=["token_hash"])
    link.save()
    _mail_link(link, raw, asker=principal.user, reminder=False, correction=correction)
    with_agreement = f" and the agreement “{agreement.title}”" if agreement else ""
    audit.record(
        provider.organization,
        principal.user,
        "w9_link.sent",
        provider,
        f"Sent {provider.name} a link to sign their tax form{with_agreement} ({email})",
    )
    return link, raw


def _pending_agreement(link: OnboardingLink):
    """The agreement ``link`` carries while it is out and the contractor has not signed it."""
    request = link.agreement
    if request is None or not request.is_live:
        return None
    theirs = next((s for s in request.signers.all() if s.side == "provider"), None)
    return request if theirs is not None and theirs.signed_at is None else None


def _mail_link(
    link: OnboardingLink, raw: str, *, asker, reminder: bool, correction: bool = False
) -> None:
    provider = link.provider
    context = {
        "provider": provider,
        "org": link.organization,
        "url": link_url(raw),
        "link": link,
        "asker": asker,
        "reminder": reminder,
        "correction": correction,
    }
    subject = f"{link.organization.name} asks for your Form W-9"
    if link.agreement_id:
        subject = f"{link.organization.name} asks for your tax form and your signature"
    transaction.on_commit(
        lambda: send_mail(
            subject=("Reminder: " if reminder else "") + subject,
            message=render_to_string("compliance/email/onboarding_link.txt", context),
            from_email=None,
            recipient_list=[link.sent_to],
        )
    )


def to_remind(now):
    """Links still usable, sent at least ``REMIND_AFTER_DAYS`` ago and not yet reminded, of
    every organization (the reminder sweep's own cross-organization read)."""
    return (
        OnboardingLink.objects.all_organizations()
        .filter(
            signed_at=None,
            revoked_at=None,
            reminded_at=None,
            expires_at__gt=now,
            created_at__lte=now - timedelta(days=REMIND_AFTER_DAYS),
        )
        .order_by("pk")
    )


@transaction.atomic
def remind(link: OnboardingLink) -> bool:
    """Mail the contractor their link again, once. The token is only in the first e-mail,
    so the reminder carries a fresh one (the earlier e-mail's link stops working); what they
    did so far — opening, consenting — is kept on the link."""
    # The sweep's row, locked by its key (no join: PostgreSQL locks no outer join's rows).
    link = OnboardingLink.objects.all_organizations().select_for_update().get(pk=link.pk)
    if not link.is_live or link.reminded_at is not None:
        return False
    raw = Invitation.new_token()
    link.token_hash = hash_secret(raw)
    link.reminded_at = timezone.now()
    link.save(update_fields=["token_hash", "reminded_at"])
    _mail_link(link, raw, asker=link.created_by, reminder=True)
    audit.record(
        link.organization,
        None,
        "w9_link.reminded",
        link.provider,
        f"Reminded {link.sent_to} to sign the W-9 of {link.provider.name}",
    )
    return True


@transaction.atomic
def solicit_corrected_w9(principal: Principal, case) -> OnboardingLink:
    """For an open B-notice case (``tin_matching``): e-mail the payee a W-9 link asking for a
    corrected, signed W-9 — the solicitation the B-notice path needs (IRS Publication 1281).
    After a TIN Matching mismatch that is the whole request, so it is recorded as sent today;
    after an IRS notice the B notice itself is still mailed and recorded on its own."""
    from handoff.compliance import tin_matching

    principal.require_in(case.organization_id, Role.ADMIN, "Asking for a corrected W-9")
    if not case.is_open:
        raise ValidationError("This case is closed.")
    link, _ = send_link(principal, case.provider, correction=True)
    if not case.from_irs_notice and case.b_notice_sent_on is None:
        tin_matching.mark_sent(principal, case, case.organization.today())
    return link


@transaction.atomic
def withdraw(principal: Principal, link: OnboardingLink) -> OnboardingLink:
    """Stop a link from working (sent to the wrong address, say), and cancel the agreement it
    carries if the contractor has not signed it yet."""
    principal.require_in(link.organization_id, Role.MANAGER, "Withdrawing a W-9 link")
    link = OnboardingLink.objects.visible_to(principal).select_for_update().get(pk=link.pk)
    if not link.is_live:
        raise ValidationError(f"This link is already {link.status_label}; nothing to withdraw.")
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    pending = _pending_agreement(link)
    if pending is not None:  # its agreement goes with it, unless the contractor signed it
        signatures.cancel(principal, pending)
    audit.record(
        link.organization,
        principal.user,
        "w9_link.withdrawn",
        link.provider,
        f"Withdrew the W-9 link sent to {link.sent_to}",
    )
    return link


@transaction.atomic
def start_from_portal(principal: Principal) -> str:
    """A provider's contact, logged in to the portal, fills in and signs a W-9 — the one the
    organization asked for, or a new version of their own (a changed name, address or TIN).
    The link the organization sent is used with a fresh token (progress kept), or a new link
    is made for them; nothing is mailed. Returns the raw token."""
    if not principal.is_provider:
        raise PermissionDenied("Only the payee's own contact signs their W-9 in the portal.")
    now = timezone.now()
    link = (
        links(principal)
        .select_for_update(of=("self",))
        .filter(signed_at=None, revoked_at=None, expires_at__gt=now)
        .first()
    )
    raw = Invitation.new_token()
    if link is None:
        link = OnboardingLink(
            organization=principal.organization,
            provider=principal.contact.provider,
            sent_to=(principal.contact.email or principal.user.email).lower(),
            created_at=now,
            expires_at=now + timedelta(days=LINK_VALID_DAYS),
        )
    link.token_hash = hash_secret(raw)
    link.save()
    audit.record(
        principal.organization,
        principal.user,
        "w9_link.started_in_portal",
        link.provider,
        f"{principal.user} began a W-9 for {link.provider.name} in the portal",
    )
    return raw


def agreement_step(link: OnboardingLink) -> dict | None:
    """Where the agreement sent with ``link`` stands for the contractor: ``state`` one of
    to_sign, signed (by them), declined, closed (cancelled or expired before they signed), with
    the request; None when the link carries no agreement."""
    request = link.agreement
    if request is None:
        return None
    theirs = next((s for s in request.signers.all() if s.side == "provider"), None)
    if theirs is not None and theirs.signed_at:
        state = "signed"
    elif request.declined_at:
        state = "declined"
    elif request.is_live:
        state = "to_sign"
    else:
        state = "closed"
    return {"state": state, "request": request, "signer": theirs}


@transaction.atomic
def open_agreement(principal: Principal) -> str:
    """The contractor, through their link once their tax form is given, opens the agreement
    sent with it to sign; returns the raw token of its signing page."""
    link = _granted(principal, "Opening the agreement to sign", live=False)
    if link.signed_at is None:
        raise ValidationError("Give your tax form first; then sign the agreement.")
    if link.expires_at <= timezone.now() or link.revoked_at:
        raise ValidationError("This link can no longer be used.")
    if link.agreement_id is None:
        raise ValidationError("No agreement was sent with this link.")
    return signatures.open_for(
        link.agreement, email=link.sent_to, via=f"through the onboarding link of {link.provider}"
    )


def open_own_w9(principal: Principal, w9):
    """A payee's contact opens their own business's W-9 in the portal (it shows the TIN, so
    the opening is recorded)."""
    if not principal.is_provider or w9.provider_id != principal.provider_id:
        raise PermissionDenied("Only the payee's own contact opens their W-9 here.")
    audit.record(
        principal.organization,
        principal.user,
        "w9.document_opened",
        w9,
        f"{principal.user} opened their own W-9 of {w9.provider.name} in the portal",
    )
    return services.decrypted_document(w9)


def find_link(raw_token: str) -> OnboardingLink | None:
    """The link behind a token, whatever its state; None for a token that was never ours."""
    if not raw_token:
        return None
    return (
        OnboardingLink.objects.select_related("provider", "organization", "w9", "w8", "statement")
        .filter(token_hash=hash_secret(raw_token))
        .first()
    )


def _granted(principal: Principal, doing: str, *, live: bool = True) -> OnboardingLink:
    """The link ``principal`` holds, locked; refused unless still usable (``live``)."""
    granted = principal.require_grant(OnboardingLink, doing)
    link = OnboardingLink.objects.select_for_update().get(pk=granted.pk)
    if live and not link.is_live:
        raise ValidationError(f"This link is {link.status_label} and can no longer be used.")
    return link


@transaction.atomic
def mark_opened(principal: Principal) -> None:
    """The first time the link's page is opened (the owner sees "opened")."""
    link = principal.require_grant(OnboardingLink, "Opening a W-9 link")
    OnboardingLink.objects.filter(pk=link.pk, opened_at=None).update(opened_at=timezone.now())


@transaction.atomic
def consent(principal: Principal, *, agreed: bool, address: str, user_agent: str):
    """The contractor's consent to electronic records and signatures, after the disclosures
    (15 U.S.C. §7001(c)(1)); recorded with time, address, browser and the wording's version."""
    link = _granted(principal, "Consenting to electronic signatures")
    if not agreed:
        raise ValidationError(
            {"agree": "Tick the box to agree, or ask for a paper form as the notice says."}
        )
    if link.consented_at is None:
        link.consented_at = timezone.now()
        link.consent_address = address or None
        link.consent_user_agent = (user_agent or "")[:300]
        link.consent_version = CONSENT_VERSION
        link.opened_at = link.opened_at or link.consented_at
        link.save()
        audit.record(
            link.organization,
            None,
            "w9_link.consented",
            link.provider,
            f"{link.sent_to} consented to electronic records and signatures",
        )
    return link


# What a half-filled W-9 keeps between visits: the form's plain fields, never the TIN (it is
# kept only encrypted, once signed), the certification or the signature.
DRAFT_FIELDS = (
    "legal_name",
    "business_name",
    "tax_classification",
    "llc_classification",
    "exempt_payee_code",
    "tin_type",
    "street",
    "city",
    "state",
    "postal_code",
    "item_2_crossed_out",
    # Form W-8BEN's (the US and foreign TINs are not kept either) and which form it is.
    "form",
    "name",
    "country",
    "address_country",
    "us_tin_type",
    "foreign_tin_not_required",
    "date_of_birth",
    "treaty_country",
    "treaty_article",
    "treaty_rate",
    "treaty_income",
    "treaty_conditions",
    "signer_capacity",
)
TAX_FORMS = ("w9", "w8ben", "w8bene")


@transaction.atomic
def save_draft(principal: Principal, data) -> OnboardingLink:
    """Keep what the contractor has filled in so far (``data``: the submitted form), so that
    leaving and coming back with the link resumes it; the TIN is not kept."""
    link = _granted(principal, "Saving a W-9 in progress")
    draft = {}
    for name in DRAFT_FIELDS:
        value = data.get(name, "")
        if name in ("item_2_crossed_out", "foreign_tin_not_required"):
            draft[name] = value in ("on", "true", "True", True)
        elif isinstance(value, str) and value.strip():
            draft[name] = value.strip()[:200]
    link.draft = draft
    link.save(update_fields=["draft"])
    return link


@transaction.atomic
def sign_w9(
    principal: Principal,
    *,
    data: dict,
    tin: str,
    signer_name: str,
    certified: bool,
    address: str,
    user_agent: str,
):
    """The contractor's W-9, signed: the substitute form as a PDF with their typed signature,
    kept like any W-9 (TIN and PDF encrypted); the link then stops working."""
    link = _granted(principal, "Signing a W-9")
    if link.consented_at is None:
        raise ValidationError("Agree to sign electronically first.")
    errors = {}
    signer_name = _signature(signer_name, certified, errors)
    digits = None
    try:
        digits = tins.normalize(data.get("tin_type") or "", tin)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    organization = link.organization
    signed_at = timezone.now()
    data = {**data, "signed_on": organization.today()}
    pdf = substitute_w9_pdf(
        organization=organization,
        data=data,
        tin=digits,
        signer_name=signer_name,
        signed_at=signed_at,
        address=address,
    )
    w9 = services.record_w9(
        principal, link.provider, data=data, tin=digits, upload=ContentFile(pdf, name="w9.pdf")
    )
    link.w9 = w9
    _finish(link, "W-9", signer_name, signed_at, address, user_agent, pdf)
    return link


def _finish(link, form_label, signer_name, signed_at, address, user_agent, content) -> None:
    """Record on the link that its tax form is given; the link then stops working."""
    link.draft = {}
    link.signed_at = signed_at
    link.signer_name = signer_name
    link.signed_address = address or None
    link.signed_user_agent = (user_agent or "")[:300]
    link.document_sha256 = hashlib.sha256(content).hexdigest()
    link.save()
    audit.record(
        link.organization,
        None,
        "w9_link.signed",
        link.provider,
        f"{signer_name} gave the {form_label} of {link.provider.name} through the link sent "
        f"to {link.sent_to}",
    )


def _signature(signer_name: str, certified: bool, errors: dict) -> str:
    signer_name = " ".join((signer_name or "").split())
    if not signer_name:
        errors["signer_name"] = ["Type your full name to sign."]
    elif len(signer_name) > 200:
        errors["signer_name"] = ["Keep the name to 200 characters."]
    if not certified:
        errors["certified"] = [
            "Tick the box to certify, under penalties of perjury, what the form says."
        ]
    return signer_name


@transaction.atomic
def sign_w8ben(
    principal: Principal,
    *,
    data: dict,
    us_tin: str,
    foreign_tin: str,
    certified: bool,
    address: str,
    user_agent: str,
):
    """A foreign individual's Form W-8BEN, signed: the substitute form as a PDF with their
    typed signature, kept like a W-9 (numbers and PDF encrypted); the link then stops working.
    No 1099-NEC is prepared for them (``foreign``)."""
    link = _granted(principal, "Signing a Form W-8BEN")
    if link.consented_at is None:
        raise ValidationError("Agree to sign electronically first.")
    errors = foreign.check_w8ben_details(data, (foreign_tin or "").strip())
    signer_name = _signature(data.get("signer_name"), certified, errors)
    us_digits = ""
    if us_tin and data.get("us_tin_type"):
        try:
            us_digits = tins.normalize(data["us_tin_type"], us_tin, field="us_tin")
        except ValidationError as error:
            errors.update(error.message_dict)
    elif us_tin:
        errors["us_tin_type"] = ["Say whether the US number is an SSN or an ITIN."]
    if errors:
        raise ValidationError(errors)
    organization = link.organization
    signed_at = timezone.now()
    data = {**data, "form": "w8ben", "signer_name": signer_name, "signed_on": organization.today()}
    pdf = foreign.substitute_w8ben_pdf(
        organization=organization,
        data=data,
        us_tin=us_digits,
        foreign_tin=" ".join((foreign_tin or "").split()),
        signer_name=signer_name,
        signed_at=signed_at,
        address=address,
    )
    w8 = foreign.record_w8(
        principal,
        link.provider,
        data=data,
        us_tin=us_digits,
        foreign_tin=foreign_tin,
        upload=ContentFile(pdf, name="w8ben.pdf"),
    )
    link.w8 = w8
    _finish(link, "W-8BEN", signer_name, signed_at, address, user_agent, pdf)
    return link


@transaction.atomic
def upload_w8bene(principal: Principal, *, data: dict, upload, address: str, user_agent: str):
    """A foreign entity's own signed Form W-8BEN-E, uploaded through its link."""
    link = _granted(principal, "Giving a Form W-8BEN-E")
    if link.consented_at is None:
        raise ValidationError("Agree to sign electronically first.")
    data = {**data, "form": "w8bene"}
    if not " ".join((data.get("signer_name") or "").split()):
        raise ValidationError({"signer_name": "Give the name of the person who signed the form."})
    w8 = foreign.record_w8(principal, link.provider, data=data, upload=upload)
    link.w8 = w8
    upload.seek(0)
    _finish(link, "W-8BEN-E", w8.signer_name, timezone.now(), address, user_agent, upload.read())
    return link


def substitute_w9_pdf(*, organization, data, tin, signer_name, signed_at, address) -> bytes:
    """The signed substitute Form W-9 as a PDF: the form's fields, the certification in the
    IRS form's words (item 2 struck through when crossed out) and the electronic signature."""
    from weasyprint import HTML  # imported here: loading pango costs a second at start-up

    from handoff.compliance.choices import LlcClassification, TaxClassification, TinType

    context = {
        "org": organization,
        "data": data,
        "classification": TaxClassification(data["tax_classification"]).label,
        "llc": LlcClassification(data["llc_classification"]).label
        if data.get("llc_classification")
        else "",
        "tin_type": TinType(data["tin_type"]).label,
        "tin": tins.formatted(data["tin_type"], tin),
        "signer_name": signer_name,
        "signed_at": signed_at,
        "address": address,
    }
    html = render_to_string("compliance/onboarding/w9_substitute_pdf.html", context)
    return HTML(string=html).write_pdf()


def open_signed_pdf(principal: Principal):
    """The signed PDF, for the contractor who signed it, while their link has not expired."""
    link = principal.require_grant(OnboardingLink, "Opening the signed tax form")
    if (link.w9_id is None and link.w8_id is None) or link.expires_at <= timezone.now():
        return None
    form = link.w8.form_label if link.w8_id else "W-9"
    audit.record(
        link.organization,
        None,
        "w9_link.copy_opened",
        link.provider,
        f"{link.signer_name} opened their signed {form} through their link",
    )
    if link.w8_id:
        return foreign.decrypted_document(link.w8)
    return services.decrypted_document(link.w9)


# --- The contractor's side of the facts --------------------------------------------------------
# The classification factors a contractor can answer best, asked from their side. Each question
# means the same as the factor of that key (a "yes" here is a "yes" there), so the two sides'
# answers compare directly (``disagreements``).
CONTRACTOR_QUESTIONS = {
    "sets_when_where": "Does {org} decide when and where you work (set hours, their premises)?",
    "directs_how": "Does {org} tell you how to do the work: which tools, order or methods?",
    "personal": "Must you do the work yourself, without hiring helpers or substitutes?",
    "unreimbursed_expenses": "Do you pay business expenses for this work that {org} does not "
    "reimburse?",
    "own_investment": "Do you use equipment, tools or a workplace you paid for yourself?",
    "serves_market": "Do you offer the same services to others: other clients, advertising, a "
    "business of your own?",
    "paid_for_time": "Does {org} pay you a wage or salary for your time (by the hour, week or "
    "month) rather than by the job or invoice?",
    "profit_or_loss": "Can you make a profit or suffer a loss on this work?",
    "exclusive_full_time": "Must you work full time for {org}, or are you barred from working "
    "for others?",
}
ANSWERS = ("yes", "no", "unsure")


def questions_for(organization) -> list[tuple[str, str]]:
    return [(key, text.format(org=organization.name)) for key, text in CONTRACTOR_QUESTIONS.items()]


@transaction.atomic
def give_statement(
    principal: Principal,
    *,
    answers: dict,
    note: str,
    signer_name: str,
    certified: bool,
    address: str,
    user_agent: str,
) -> ContractorStatement:
    """The contractor's answers, signed, through the link whose W-9 they signed; once."""
    link = _granted(principal, "Describing how you work", live=False)
    if link.signed_at is None or link.expires_at <= timezone.now():
        raise ValidationError("This link can no longer take answers.")
    if has_statement(link):
        raise ValidationError("Your answers were already given through this link.")
    errors = {}
    for key in CONTRACTOR_QUESTIONS:
        if answers.get(key) not in ANSWERS:
            errors[key] = ["Answer yes, no or not sure."]
    signer_name = " ".join((signer_name or "").split())
    if not signer_name:
        errors["signer_name"] = ["Type your full name to sign."]
    if not certified:
        errors["certified"] = ["Tick the box to confirm the answers are true."]
    if len(note or "") > 2000:
        errors["note"] = ["Keep it to 2,000 characters."]
    if errors:
        raise ValidationError(errors)
    statement = ContractorStatement.objects.create(
        organization=link.organization,
        provider=link.provider,
        link=link,
        answers={key: answers[key] for key in CONTRACTOR_QUESTIONS},
        note=(note or "").strip(),
        signer_name=signer_name[:200],
        signed_address=address or None,
        signed_user_agent=(user_agent or "")[:300],
    )
    audit.record(
        link.organization,
        None,
        "contractor_statement.given",
        link.provider,
        f"{signer_name} described how {link.provider.name} works, signed",
    )
    return statement


def has_statement(link: OnboardingLink) -> bool:
    """Whether the contractor already answered through this link (one answer per link)."""
    return hasattr(link, "statement")


def latest_statement(principal: Principal, provider) -> ContractorStatement | None:
    return ContractorStatement.objects.visible_to(principal).filter(provider=provider).first()


def side_by_side(statement: ContractorStatement, our_answers: dict) -> list[dict]:
    """Each question the contractor answered, with their answer and ours (``our_answers``:
    factor key → yes/no/unsure or missing); ``disagrees`` where one says yes and the other no."""
    rows = []
    for key, text in questions_for(statement.organization):
        theirs = statement.answers.get(key, "")
        ours = our_answers.get(key, "")
        rows.append(
            {
                "key": key,
                "question": text,
                "theirs": Answer(theirs).label if theirs in ANSWERS else "",
                "ours": Answer(ours).label if ours in ANSWERS else "",
                "disagrees": {theirs, ours} == {"yes", "no"},
            }
        )
    return rows
