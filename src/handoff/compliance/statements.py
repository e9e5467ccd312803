"""Recipient copies (Copy B) of Form 1099-NEC: the payee's consent to get them electronically,
the substitute statement as a PDF, and furnishing it — posted in the portal or printed for
mailing — with the date each copy was furnished.

The rules followed, with their sources:

- A recipient statement may be furnished electronically only to a recipient who consented
  affirmatively, electronically, "in a manner that demonstrates that the recipient can access
  the statement in the electronic format in which it will be furnished", and has not withdrawn
  the consent; before consenting they get a disclosure (a paper copy if they do not consent,
  scope and duration, how to get a paper copy, how to withdraw and that a withdrawal is
  confirmed in writing, when electronic furnishing ends, how to update their information, the
  hardware and software needed); a posted statement is announced by a notice and stays
  available through October 15 of the following year (Treas. Reg. §31.6051-1(j), which the
  General Instructions for Certain Information Returns, "Electronic recipient statements",
  apply to Forms 1099; Pub. 1179, section 4.6). Handoff proves access with a sample PDF showing
  a code the contact types back.
- The copy is a substitute statement: form number, title and tax year, "Copy B For Recipient",
  the payer's name, address, telephone and TIN (never truncated), the recipient's name,
  address and TIN (may be truncated to the last four digits), the boxes with their captions,
  and the legend "This is important tax information and is being furnished to the IRS…"
  (Pub. 1179, Part 4, "Specifications for Substitute Statements to Recipients"; truncation:
  Treas. Reg. §301.6109-4 and the General Instructions, "Truncating recipient's TIN on payee
  statements").
- Copy B of Form 1099-NEC goes to the recipient by January 31 (a weekend or legal holiday
  moves it to the next business day) (Instructions for Forms 1099-MISC and 1099-NEC, "Statements
  to recipients"; IRC §6041(d), §7503): ``selectors.filing_deadline``.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from handoff.accounts.models import PortalAccess
from handoff.compliance import selectors, tins
from handoff.compliance.models import (
    PaperCopyRequest,
    RecipientStatement,
    StatementConsent,
    StatementDelivery,
)
from handoff.core import audit
from handoff.core.links import absolute_url
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.providers.models import Provider

# The disclosure a contact reads before consenting (statement_disclosure.html); a new wording
# is a new version, and consents keep the version they were given under.
DISCLOSURE_VERSION = "2026-12"
# The notice that a statement is posted says this in capital letters, in the subject of an
# e-mail (Pub. 1179, section 4.6).
POSTED_SUBJECT = "IMPORTANT TAX RETURN DOCUMENT AVAILABLE"
CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY3479"  # no look-alikes (0/O, 1/I, 5/S, 8/B)
FORM_TITLE = "Nonemployee Compensation"
OMB_NUMBER = "1545-0116"  # Form 1099-NEC's OMB number, printed on the official Copy B
LEGEND = (
    "This is important tax information and is being furnished to the IRS. If you are required "
    "to file a return, a negligence penalty or other sanction may be imposed on you if this "
    "income is taxable and the IRS determines that it has not been reported."
)

# The statuses of a payee's copy for a year, in the members' list and the API.
NOT_FURNISHED = "not_furnished"
POSTED = "posted"
PRINTED = "printed"
MAILED = "mailed"
STATUS_LABELS = {
    NOT_FURNISHED: "not furnished",
    POSTED: "posted in the portal",
    PRINTED: "printed for mailing, not marked mailed",
    MAILED: "mailed",
}


# --- Consent ---------------------------------------------------------------------------------
def _contact_only(principal: Principal, doing: str) -> None:
    if not principal.is_provider:
        raise PermissionDenied(f"{doing} is for the payee's own contact in the portal.")


def consent_code(principal: Principal) -> str:
    """The code the sample PDF shows this contact: fixed for the contact and the disclosure's
    version, unguessable without opening the PDF."""
    digest = salted_hmac(
        "handoff.compliance.statement-consent",
        f"{principal.organization_id}:{principal.contact_id}:{DISCLOSURE_VERSION}",
    ).digest()
    return "".join(CODE_ALPHABET[byte % len(CODE_ALPHABET)] for byte in digest[:6])


def sample_pdf(principal: Principal) -> bytes:
    """The sample PDF the contact opens to show they can read the format copies come in."""
    _contact_only(principal, "The sample statement")
    from weasyprint import HTML  # imported here: loading pango costs a second at start-up

    html = render_to_string(
        "compliance/statement_sample_pdf.html",
        {"code": consent_code(principal), "requester": principal.organization.name},
    )
    return HTML(string=html).write_pdf()


def consents(principal: Principal):
    return StatementConsent.objects.visible_to(principal).select_related("contact", "user")


def consent_in_force(principal: Principal, provider_id: int) -> StatementConsent | None:
    return consents(principal).in_force().filter(provider_id=provider_id).first()


@transaction.atomic
def give_consent(
    principal: Principal, *, agreed: bool, code: str, address: str | None, user_agent: str
) -> StatementConsent:
    """Record the contact's consent to get their recipient statements in the portal: they
    ticked the box after the disclosure and typed the code from the sample PDF."""
    _contact_only(principal, "Consenting to electronic statements")
    errors = {}
    if not agreed:
        errors["agree"] = "Tick the box to consent, or leave the page to keep paper copies."
    if "".join((code or "").split()).upper() != consent_code(principal):
        errors["code"] = "That is not the code in the sample PDF: open it and type the code."
    if errors:
        raise ValidationError(errors)
    existing = consent_in_force(principal, principal.provider_id)
    if existing is not None and existing.contact_id == principal.contact_id:
        return existing
    consent = StatementConsent.objects.create(
        organization=principal.organization,
        provider_id=principal.provider_id,
        contact_id=principal.contact_id,
        user=principal.user,
        address=address or None,
        user_agent=(user_agent or "")[:300],
        disclosure_version=DISCLOSURE_VERSION,
    )
    audit.record(
        principal.organization,
        principal.user,
        "statement_consent.given",
        consent,
        f"{principal.contact.name} consented to receive tax statements in the portal "
        f"(disclosure {DISCLOSURE_VERSION})",
        address=address or None,
    )
    return consent


@transaction.atomic
def withdraw_consent(principal: Principal, *, address: str | None) -> int:
    """Withdraw the provider's consent in force (every contact's: the statement is the
    business's), confirmed in writing on the page and by e-mail. Copies furnished before stay
    furnished; later ones go on paper."""
    _contact_only(principal, "Withdrawing consent")
    now = timezone.now()
    live = list(
        StatementConsent.objects.visible_to(principal)
        .in_force()
        .select_for_update(of=("self",))
        .select_related("contact")
    )
    if not live:
        raise ValidationError({"consent": "There is no consent in force to withdraw."})
    for consent in live:
        consent.withdrawn_at = now
        consent.withdrawn_by = principal.user
        consent.withdrawn_address = address or None
        consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_address"])
        audit.record(
            principal.organization,
            principal.user,
            "statement_consent.withdrawn",
            consent,
            f"{principal.contact.name} withdrew the consent to electronic tax statements",
            address=address or None,
        )
    recipient = principal.user.email if principal.user else principal.contact.email
    if recipient:
        org, today = principal.organization.name, principal.organization.today()
        body = (
            f"You withdrew your consent to receive tax statements from {org} electronically "
            f"on {today:%B %-d, %Y}. From now on {org} sends them on paper to "
            "the address on your Form W-9. Statements already posted stay in the portal.\n"
        )
        transaction.on_commit(
            lambda: send_mail(
                subject=f"{org}: your tax statements will come on paper",
                message=body,
                from_email=None,
                recipient_list=[recipient],
            )
        )
    return len(live)


@transaction.atomic
def request_paper_copy(
    principal: Principal, *, tax_year: int, address: str | None, user_agent: str
) -> PaperCopyRequest:
    """The contact asks for a paper copy of a year's statement; members see it on the copies
    page. It does not withdraw the consent."""
    _contact_only(principal, "Asking for a paper copy")
    today = principal.organization.today()
    if not isinstance(tax_year, int) or not 2000 <= tax_year <= today.year:
        raise ValidationError({"tax_year": "Choose a tax year up to this one."})
    row = PaperCopyRequest.objects.create(
        organization=principal.organization,
        provider_id=principal.provider_id,
        contact_id=principal.contact_id,
        user=principal.user,
        tax_year=tax_year,
        address=address or None,
        user_agent=(user_agent or "")[:300],
    )
    audit.record(
        principal.organization,
        principal.user,
        "statement.paper_requested",
        row,
        f"{principal.contact.name} asked for a paper copy of the {tax_year} 1099-NEC statement",
        address=address or None,
    )
    return row


def paper_requests(principal: Principal):
    return PaperCopyRequest.objects.visible_to(principal).select_related("contact")


# --- The copies of a year --------------------------------------------------------------------
def statements(principal: Principal):
    return RecipientStatement.objects.visible_to(principal).select_related(
        "provider", "furnished_by"
    )


@dataclass
class CopyRow:
    """A payee needing a 1099-NEC for the year, with their consent and their copies."""

    nec: selectors.NecRow
    year: int
    consent: StatementConsent | None
    withdrawn: StatementConsent | None
    copies: list = field(default_factory=list)  # newest first
    paper_requested: PaperCopyRequest | None = None

    @property
    def provider(self):
        return self.nec.provider

    @property
    def latest(self) -> RecipientStatement | None:
        return self.copies[0] if self.copies else None

    @property
    def furnished(self) -> RecipientStatement | None:
        """The newest copy actually furnished (posted, or marked mailed)."""
        return next((c for c in self.copies if c.furnished_on is not None), None)

    @property
    def status(self) -> str:
        latest = self.latest
        if latest is None:
            return NOT_FURNISHED
        if latest.how == StatementDelivery.PORTAL:
            return POSTED
        return MAILED if latest.furnished_on else PRINTED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def status_on(self) -> date | None:
        latest = self.latest
        if latest is None:
            return None
        return latest.furnished_on or latest.printed_on

    @property
    def amounts(self) -> tuple[Decimal, Decimal]:
        return self.nec.reportable, self.nec.withheld

    @property
    def needs_correction(self) -> bool:
        """The amounts changed since the newest copy furnished."""
        done = self.furnished
        return (
            done is not None
            and (
                done.nonemployee_compensation,
                done.federal_tax_withheld,
            )
            != self.amounts
        )

    @property
    def paper_pending(self) -> bool:
        """A paper copy was asked for and none was printed since."""
        asked = self.paper_requested
        if asked is None:
            return False
        return not any(
            c.how == StatementDelivery.PAPER and c.created_at >= asked.requested_at
            for c in self.copies
        )

    @property
    def blocker(self) -> str:
        """Why no copy can be made: the copy needs the W-9's TIN and address."""
        return "" if self.nec.w9 is not None else "No W-9 on file: no TIN or address for the copy."

    @property
    def consent_label(self) -> str:
        if self.consent is not None:
            return f"consented {timezone.localtime(self.consent.given_at):%b %-d, %Y}"
        if self.withdrawn is not None:
            return f"withdrawn {timezone.localtime(self.withdrawn.withdrawn_at):%b %-d, %Y}"
        return "no consent: paper"


@dataclass
class CopiesReport:
    year: int
    deadline: date
    rows: list[CopyRow]
    payer: dict

    @property
    def not_furnished(self) -> list[CopyRow]:
        return [row for row in self.rows if row.furnished is None]

    @property
    def to_print(self) -> list[CopyRow]:
        """Payees without consent whose copy is still to furnish (or to correct)."""
        return [
            row
            for row in self.rows
            if row.consent is None
            and not row.blocker
            and (row.furnished is None or row.needs_correction)
        ]


def copies(principal: Principal, year: int) -> CopiesReport:
    """Every payee needing a 1099-NEC for ``year`` with consent, copies and paper requests, in
    a fixed number of queries."""
    report = selectors.nec_report(principal, year)
    rows = report.needing_forms
    ids = [row.provider.pk for row in rows]
    live, withdrawn = {}, {}
    for consent in consents(principal).filter(provider_id__in=ids).order_by("given_at", "id"):
        if consent.in_force:
            live.setdefault(consent.provider_id, consent)
        else:
            withdrawn[consent.provider_id] = consent
    by_provider: dict[int, list] = {}
    for copy in statements(principal).filter(tax_year=year, provider_id__in=ids):
        by_provider.setdefault(copy.provider_id, []).append(copy)
    asked = {}
    for request in paper_requests(principal).filter(tax_year=year, provider_id__in=ids):
        asked.setdefault(request.provider_id, request)  # newest first
    return CopiesReport(
        year=year,
        deadline=report.deadline,
        payer=payer_of(principal),
        rows=[
            CopyRow(
                nec=row,
                year=year,
                consent=live.get(row.provider.pk),
                withdrawn=withdrawn.get(row.provider.pk),
                copies=sorted(by_provider.get(row.provider.pk, []), key=lambda c: -c.version),
                paper_requested=asked.get(row.provider.pk),
            )
            for row in rows
        ],
    )


def copy_row(principal: Principal, year: int, provider_id: int) -> CopyRow:
    """The row of one payee; a payee who needs no form that year is refused (422)."""
    for row in copies(principal, year).rows:
        if row.provider.pk == provider_id:
            return row
    raise ValidationError(
        {"provider_id": f"This payee needs no 1099-NEC for {year}, so there is no copy to make."}
    )


def payer_of(principal: Principal) -> dict:
    """The payer block kept on a copy (without the TIN, which the PDF reads when it is made);
    ``missing`` when the address or TIN is not entered (the copy then says so)."""
    payer = selectors.payer_of(Principal.system(principal.organization))
    return {
        "name": payer.name,
        "name_2": payer.name_2,
        "address": payer.address,
        "address_2": payer.address_2,
        "city": payer.city,
        "state": payer.state,
        "postal_code": payer.postal_code,
        "phone": payer.phone,
        "tin_type": payer.tin_type,
        "missing": not (payer.address and payer.city and payer.tin),
    }


def _payer_tin(organization) -> str:
    payer = selectors.payer_of(Principal.system(organization))
    return tins.formatted(payer.tin_type, payer.tin) if payer.tin else ""


# --- Furnishing ------------------------------------------------------------------------------
def _new_copy(principal: Principal, row: CopyRow, how: str) -> RecipientStatement:
    if row.blocker:
        raise ValidationError({"provider_id": row.blocker})
    w9 = row.nec.w9
    box1, box4 = row.amounts
    earlier = row.furnished
    version = (
        RecipientStatement.objects.visible_to(principal)
        .filter(provider_id=row.provider.pk, tax_year=row.year)
        .aggregate(top=Max("version"))["top"]
        or 0
    ) + 1
    corrected = earlier is not None and (
        earlier.corrected
        or (earlier.nonemployee_compensation, earlier.federal_tax_withheld) != (box1, box4)
    )
    payer = payer_of(principal)
    try:
        with transaction.atomic():
            return RecipientStatement.objects.create(
                organization=principal.organization,
                provider=row.provider,
                tax_year=row.year,
                version=version,
                nonemployee_compensation=box1,
                federal_tax_withheld=box4,
                corrected=corrected,
                how=how,
                recipient_name=w9.legal_name,
                recipient_name_2=w9.business_name,
                recipient_street=w9.street,
                recipient_city=w9.city,
                recipient_state=w9.state,
                recipient_postal_code=w9.postal_code,
                tin_type=w9.tin_type,
                tin_last4=w9.tin_last4,
                payer={key: value for key, value in payer.items() if key != "missing"},
                created_by=principal.user,
            )
    except IntegrityError:
        raise ValidationError(
            {"provider_id": "Someone made a copy for this payee meanwhile: look again."}
        ) from None


@transaction.atomic
def post_to_portal(principal: Principal, year: int, provider_id: int) -> RecipientStatement:
    """Post the payee's copy in the portal (furnished today) and tell the consenting contacts
    that it is there, without the TIN or the amounts in the mail. Only with consent in force."""
    principal.require(Role.ADMIN, "Furnishing recipient copies")
    return _post(principal, _row(principal, year, provider_id))


def _post(principal: Principal, row: CopyRow) -> RecipientStatement:
    year = row.year
    if row.consent is None:
        raise ValidationError(
            {
                "provider_id": f"{row.provider.name} has not consented to electronic statements: "
                "print the copy for mailing."
            }
        )
    if (
        row.latest is not None
        and row.latest.how == StatementDelivery.PORTAL
        and not (row.needs_correction)
    ):
        raise ValidationError({"provider_id": "This copy is already posted in the portal."})
    copy = _new_copy(principal, row, StatementDelivery.PORTAL)
    copy.furnished_on = principal.organization.today()
    copy.furnished_by = principal.user
    copy.save(update_fields=["furnished_on", "furnished_by"])
    audit.record(
        principal.organization,
        principal.user,
        "statement.posted",
        copy,
        f"{'Corrected ' if copy.corrected else ''}{year} 1099-NEC Copy B posted in the portal "
        f"for {row.provider.name}",
    )
    _announce(principal, copy, row.consent)
    return copy


def _announce(principal: Principal, copy: RecipientStatement, consent: StatementConsent):
    contacts = [consent.contact] + [
        c.contact
        for c in consents(principal).in_force().filter(provider_id=copy.provider_id)
        if c.contact_id != consent.contact_id
    ]
    recipients = []
    for contact in contacts:
        user = consent.user if contact.pk == consent.contact_id else None
        address = (user.email if user is not None else "") or contact.email
        if address and address not in recipients:
            recipients.append(address)
    if not recipients:
        return
    org = principal.organization.name
    url = absolute_url(reverse("compliance:portal_statements", args=[principal.organization.slug]))
    kind = "A corrected" if copy.corrected else "Your"
    body = (
        f"{kind} Form 1099-NEC recipient statement (Copy B) for {copy.tax_year} from {org} is "
        f"posted in {org}'s portal. Log in to view, print or save it (PDF):\n\n{url}\n\n"
        f"It stays available there through October 15, {copy.tax_year + 1}. To get a paper "
        "copy, or to withdraw your consent to electronic statements, use the same page.\n"
    )
    transaction.on_commit(
        lambda: send_mail(
            subject=f"{POSTED_SUBJECT}: {org}",
            message=body,
            from_email=None,
            recipient_list=recipients,
        )
    )


def _row(principal: Principal, year: int, provider_id: int) -> CopyRow:
    return copy_row(principal, year, provider_id)


@transaction.atomic
def print_for_mailing(principal: Principal, year: int, provider_id: int):
    """Make the payee's paper copy: recorded as printed today, furnished only once it is
    marked mailed. Returns the copy and its PDF."""
    principal.require(Role.ADMIN, "Furnishing recipient copies")
    row = _row(principal, year, provider_id)
    latest = row.latest
    if latest is not None and latest.how == StatementDelivery.PAPER and not latest.furnished_on:
        copy = latest  # printed again, not mailed yet: the same copy
    else:
        copy = _new_copy(principal, row, StatementDelivery.PAPER)
    copy.printed_on = principal.organization.today()
    copy.save(update_fields=["printed_on"])
    audit.record(
        principal.organization,
        principal.user,
        "statement.printed",
        copy,
        f"{year} 1099-NEC Copy B printed for mailing to {row.provider.name}",
    )
    return copy, copy_b_pdf(copy)


@transaction.atomic
def mark_mailed(
    principal: Principal, year: int, provider_id: int, *, mailed_on: date
) -> RecipientStatement:
    """Record the day the printed copy was mailed: it is furnished that day."""
    principal.require(Role.ADMIN, "Furnishing recipient copies")
    row = _row(principal, year, provider_id)
    copy = row.latest
    if copy is None or copy.how != StatementDelivery.PAPER or copy.furnished_on:
        raise ValidationError({"mailed_on": "Print the copy first, then mark it mailed."})
    today = principal.organization.today()
    if mailed_on is None or mailed_on > today:
        raise ValidationError({"mailed_on": "Enter the day it was mailed, today or earlier."})
    if copy.printed_on and mailed_on < copy.printed_on:
        raise ValidationError(
            {"mailed_on": f"It was printed on {copy.printed_on:%b %-d, %Y}: mailed on or after."}
        )
    copy.furnished_on = mailed_on
    copy.furnished_by = principal.user
    copy.save(update_fields=["furnished_on", "furnished_by"])
    audit.record(
        principal.organization,
        principal.user,
        "statement.mailed",
        copy,
        f"{year} 1099-NEC Copy B for {row.provider.name} marked mailed on {mailed_on:%Y-%m-%d}",
    )
    return copy


@transaction.atomic
def furnish_all(principal: Principal, year: int) -> tuple[list, list]:
    """Post every consenting payee's copy not furnished yet (or whose amounts changed); return
    the copies posted and the rows left to print for mailing."""
    principal.require(Role.ADMIN, "Furnishing recipient copies")
    report = copies(principal, year)
    posted = []
    for row in report.rows:
        if row.consent is None or row.blocker:
            continue
        if row.needs_correction or row.furnished is None:
            posted.append(_post(principal, row))
    return posted, report.to_print


@transaction.atomic
def ask_for_consent(principal: Principal, provider_id: int) -> list[str]:
    """E-mail the provider's contacts with a portal login a link to the tax statements page,
    where they can consent to electronic copies. Returns the addresses written to."""
    principal.require(Role.ADMIN, "Asking for consent to electronic statements")
    provider = Provider.objects.visible_to(principal).filter(pk=provider_id).first()
    if provider is None:
        raise ValidationError({"provider_id": "Choose a payee of this organization."})
    addresses = []
    live = (
        PortalAccess.objects.visible_to(principal)
        .live()
        .filter(contact__provider_id=provider.pk)
        .select_related("user")
    )
    for access in live:
        if access.user.email and access.user.email not in addresses:
            addresses.append(access.user.email)
    if not addresses:
        raise ValidationError(
            {
                "provider_id": f"No contact of {provider.name} can log in to the portal: invite "
                "one first, or print the copy for mailing."
            }
        )
    org = principal.organization.name
    url = absolute_url(reverse("compliance:portal_statements", args=[principal.organization.slug]))
    body = (
        f"{org} can give you your Form 1099-NEC recipient statement (Copy B) electronically, in "
        f"its portal, instead of on paper — only if you agree. Read what that means and choose "
        f"here:\n\n{url}\n\nIf you do nothing, your copy comes on paper.\n"
    )
    audit.record(
        principal.organization,
        principal.user,
        "statement_consent.asked",
        provider,
        f"Asked {provider.name} to consent to electronic tax statements",
    )
    transaction.on_commit(
        lambda: send_mail(
            subject=f"{org}: get your tax statements in the portal?",
            message=body,
            from_email=None,
            recipient_list=addresses,
        )
    )
    return addresses


# --- The PDF ---------------------------------------------------------------------------------
def copy_b_pdf(copy: RecipientStatement) -> bytes:
    """The substitute Copy B of Form 1099-NEC, as furnished (Pub. 1179, Part 4)."""
    from weasyprint import HTML  # imported here: loading pango costs a second at start-up

    payer = dict(copy.payer)
    payer.setdefault("name", copy.organization.name)
    payer["missing"] = not (payer.get("address") and payer.get("city"))
    payer_tin = _payer_tin(copy.organization)
    if not payer_tin:
        payer["missing"] = True
    html = render_to_string(
        "compliance/copy_b_pdf.html",
        {
            "copy": copy,
            "payer": payer,
            "payer_tin": payer_tin,
            "title": FORM_TITLE,
            "omb": OMB_NUMBER,
            "legend": LEGEND,
        },
    )
    return HTML(string=html).write_pdf()


def open_copy(principal: Principal, copy: RecipientStatement) -> bytes:
    """A copy's PDF: the payee's own contact for a posted copy (``visible_to`` decides), or an
    admin. Opening is recorded."""
    if not principal.is_provider:
        principal.require(Role.ADMIN, "Opening a recipient copy")
    audit.record(
        principal.organization,
        principal.user,
        "statement.opened",
        copy,
        f"{principal.user} opened the {copy.tax_year} Copy B of {copy.provider.name}",
    )
    return copy_b_pdf(copy)


def portal_copies(principal: Principal):
    """The contact's own posted copies, newest year first."""
    _contact_only(principal, "Tax statements")
    return statements(principal).order_by("-tax_year", "-version")


def unfurnished(principal: Principal, year: int) -> int:
    """How many payees needing a 1099-NEC for ``year`` have no copy furnished yet."""
    return len(copies(principal, year).not_furnished)
