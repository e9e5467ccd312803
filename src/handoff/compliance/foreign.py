"""Foreign payees: Form W-8BEN and W-8BEN-E, given instead of a W-9.

A foreign individual fills and signs a W-8BEN through their onboarding link (a substitute form
carrying the IRS form's Part III certification, made with WeasyPrint); a foreign entity uploads
the W-8BEN-E it filled (the form runs to eight pages of chapter 4 statuses that Handoff does not
rebuild); a manager may record either one received on paper. The forms stay with the payer and
are not sent to the IRS (Instructions for the Requester of Forms W-8BEN, W-8BEN-E, W-8ECI,
W-8EXP, and W-8IMY).

What it changes: payments to a foreign person for services performed outside the United States
are not reported on Form 1099-NEC (Instructions for Forms 1099-MISC and 1099-NEC; Publication
515 covers US-source payments, reported on Form 1042-S) — see ``selectors.nec_reports``. A form
is in force from the day it is signed to the end of the third calendar year after
(``models.w8_valid_through``).
"""

import io
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from handoff.compliance import services, tins
from handoff.compliance.choices import ForeignForm, TinType
from handoff.compliance.models import W8, OnboardingLink, w8_valid_through
from handoff.core import audit
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.core.uploads import sniff_document
from handoff.providers.models import Provider

W8_FIELDS = [
    "form",
    "name",
    "country",
    "street",
    "city",
    "address_country",
    "us_tin_type",
    "foreign_tin_not_required",
    "date_of_birth",
    "treaty_country",
    "treaty_article",
    "treaty_rate",
    "treaty_income",
    "treaty_conditions",
    "signer_name",
    "signer_capacity",
    "signed_on",
]

# Names of the United States a payee might type as their country: such a payee is a US person
# and gives a W-9 (Form W-8BEN, "Do NOT use this form if: you are a U.S. citizen or other U.S.
# person").
_US_NAMES = {"us", "usa", "u.s.", "u.s.a.", "united states", "united states of america", "america"}
_PO_BOX = re.compile(r"\b(p\.?\s*o\.?\s*box|post\s+office\s+box|in\s+care\s+of|c/o)\b", re.I)
_FOREIGN_TIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]{0,39}")

# The Part III certification of Form W-8BEN (Rev. October 2021), word for word; a substitute
# form must carry it (Instructions for the Requester of Forms W-8, "Substitute Forms").
W8BEN_FORM_REVISION = "Rev. October 2021"


def is_us(country: str) -> bool:
    return " ".join((country or "").lower().split()).strip(". ") in {
        name.strip(". ") for name in _US_NAMES
    }


def _clean_text(value) -> str:
    return " ".join(str(value or "").split())


def check_w8ben_details(data: dict, foreign_tin: str) -> dict:
    """The errors, by field, of a W-8BEN's lines an individual fills through their link: name
    and citizenship, not the United States (lines 1–2), the permanent residence address abroad
    and not a P.O. box (line 3), a foreign TIN or the box saying none is required (lines
    6a/6b), the date of birth (line 8), and the treaty claim complete when one is made (lines
    9–10)."""
    errors = {}
    for name, message in (
        ("name", "Give your name as the individual who is paid."),
        ("country", "Give your country of citizenship."),
        ("street", "Give your permanent residence address (street and number)."),
        ("city", "Give the city or town, with the state or province and postal code."),
        ("address_country", "Give the country where you live for tax purposes."),
    ):
        if not _clean_text(data.get(name)):
            errors[name] = [message]
    if is_us(data.get("country")):
        errors["country"] = [
            "A U.S. citizen is not a foreign person: give a Form W-9 instead (the first choice "
            "above)."
        ]
    if _PO_BOX.search(data.get("street") or ""):
        errors["street"] = ["Give where you live, not a P.O. box or in-care-of address."]
    if is_us(data.get("address_country")):
        errors["address_country"] = [
            "A permanent residence in the United States makes you a U.S. resident for this "
            "purpose: give a Form W-9 instead."
        ]
    if not foreign_tin and not data.get("foreign_tin_not_required"):
        errors["foreign_tin"] = [
            "Give your tax identifying number in your country of residence, or tick that your "
            "country does not issue or require one."
        ]
    born = data.get("date_of_birth")
    if not born:
        errors["date_of_birth"] = ["Give your date of birth."]
    elif born >= timezone.localdate() or born.year < 1900:
        errors["date_of_birth"] = ["Give your real date of birth."]
    treaty = [data.get(name) for name in ("treaty_article", "treaty_rate", "treaty_income")]
    if any(value not in (None, "") for value in treaty) and not data.get("treaty_country"):
        errors["treaty_country"] = ["Give the treaty country whose benefits you claim."]
    return errors


@transaction.atomic
def record_w8(
    principal: Principal,
    provider: Provider,
    *,
    data: dict,
    upload,
    us_tin: str = "",
    foreign_tin: str = "",
) -> W8:
    """Keep a foreign payee's W-8BEN or W-8BEN-E: the fields, the signed form encrypted at rest
    (it may carry taxpayer numbers), any US TIN and foreign TIN encrypted. A manager records
    one received on paper; the payee gives one through their onboarding link."""
    if principal.is_link:
        link = principal.require_grant(OnboardingLink, "Giving a Form W-8")
        if link.provider_id != provider.pk:
            raise PermissionDenied("This link is for another payee's tax form.")
    else:
        principal.require_in(provider.organization_id, Role.MANAGER, "Recording a Form W-8")
    row = W8(
        organization=provider.organization,
        provider=provider,
        received_by=principal.user,
        **{key: value for key, value in data.items() if key in W8_FIELDS},
    )
    for name in ("name", "country", "street", "city", "address_country", "signer_name"):
        setattr(row, name, _clean_text(getattr(row, name)))
    errors = {}
    try:
        row.full_clean(
            exclude=["document", "document_type", "received_by"], validate_constraints=False
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if row.country and is_us(row.country):
        errors.setdefault("country", []).append(
            "A U.S. citizen or U.S. company is not a foreign person: give a Form W-9 instead."
        )
    today = provider.organization.today()
    if row.signed_on and row.signed_on > today:
        errors.setdefault("signed_on", []).append("The date signed is in the future.")
    elif row.signed_on and w8_valid_through(row.signed_on) < today:
        errors.setdefault("signed_on", []).append(
            "A Form W-8 is in force only through the third calendar year after it was signed; "
            "this one has lapsed. Ask for a new one."
        )
    us_digits = ""
    if us_tin:
        if row.us_tin_type not in (TinType.SSN, TinType.ITIN) and row.form == ForeignForm.W8BEN:
            errors.setdefault("us_tin_type", []).append("An individual's US TIN is an SSN or ITIN.")
        elif not row.us_tin_type:
            errors.setdefault("us_tin_type", []).append("Say which kind of US TIN it is.")
        else:
            try:
                us_digits = tins.normalize(row.us_tin_type, us_tin, field="us_tin")
            except ValidationError as error:
                errors.update(error.message_dict)
    else:
        row.us_tin_type = ""
    foreign_tin = _clean_text(foreign_tin)
    if foreign_tin and not _FOREIGN_TIN.fullmatch(foreign_tin):
        errors.setdefault("foreign_tin", []).append(
            "Use letters, digits, spaces, dots, slashes or dashes (up to 40)."
        )
    if upload is None:
        errors.setdefault("document", []).append("Attach the signed form (PDF, PNG or JPEG).")
    else:
        try:
            row.document_type, extension = sniff_document(upload)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    if us_digits:
        row.us_tin_encrypted = tins.encrypt(us_digits)
        row.us_tin_last4 = us_digits[-4:]
    if foreign_tin:
        row.foreign_tin_encrypted = tins.encrypt(foreign_tin)
    services.store_encrypted(
        row.document, f"{row.form_label.lower()}-{row.signed_on:%Y%m%d}.{extension}", upload
    )
    row.save()
    audit.record(
        row.organization,
        principal.user,
        "w8.received",
        row,
        f"Recorded the {row.form_label} of {provider.name} signed {row.signed_on:%Y-%m-%d}",
    )
    return row


def substitute_w8ben_pdf(
    *, organization, data, us_tin, foreign_tin, signer_name, signed_at, address
) -> bytes:
    """The signed substitute Form W-8BEN as a PDF: its lines, the Part III certification word
    for word, and the electronic signature with when and from where it was made."""
    from weasyprint import HTML  # imported here: loading pango costs a second at start-up

    context = {
        "org": organization,
        "data": data,
        "revision": W8BEN_FORM_REVISION,
        "us_tin": tins.formatted(data["us_tin_type"], us_tin) if us_tin else "",
        "us_tin_type": TinType(data["us_tin_type"]).label if us_tin else "",
        "foreign_tin": foreign_tin,
        "signer_name": signer_name,
        "signed_at": signed_at,
        "address": address,
        "valid_through": w8_valid_through(data["signed_on"]),
    }
    html = render_to_string("compliance/onboarding/w8ben_substitute_pdf.html", context)
    return HTML(string=html).write_pdf()


@transaction.atomic
def open_w8_document(principal: Principal, w8: W8):
    """The signed form, which may show taxpayer numbers: owners and admins only, recorded; or
    the payee's own contact in the portal."""
    if principal.is_provider:
        if w8.provider_id != principal.provider_id:
            raise PermissionDenied("Only the payee's own contact opens their form here.")
    else:
        principal.require_in(w8.organization_id, Role.ADMIN, "Opening a signed Form W-8")
    audit.record(
        w8.organization,
        principal.user,
        "w8.document_opened",
        w8,
        f"{principal.user} opened the {w8.form_label} of {w8.provider.name}",
    )
    return decrypted_document(w8)


def decrypted_document(w8: W8) -> io.BytesIO:
    with w8.document.open("rb") as stored:
        return io.BytesIO(tins.decrypt_file(stored.read()))


def why_no_1099(w8: W8) -> str:
    """What the app tells the owner about a payee whose form in force is a W-8."""
    return (
        f"{w8.provider.name} gave a {w8.form_label} (signed {w8.signed_on:%b %-d, %Y}, in force "
        f"through {w8.valid_through:%b %-d, %Y}): a foreign person. Payments to a foreign "
        "person for services performed outside the United States are not reported on Form "
        "1099-NEC; work done in the United States is reported on Form 1042-S instead "
        "(Publication 515), which Handoff does not prepare."
    )
