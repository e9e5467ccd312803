"""The written agreement: standard clauses the organization edits, PDFs generated from the
engagement with WeasyPrint (every version kept), sent for signature in the app (the
``signatures`` app) or signed elsewhere and uploaded."""

from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from handoff.core import audit
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.core.uploads import sniff_document
from handoff.engagements.choices import AgreementState
from handoff.engagements.models import (
    AgreementClause,
    AgreementVersion,
    Engagement,
    SignedAgreement,
)
from handoff.providers.choices import ProviderKind
from handoff.providers.selectors import first_reachable_contact
from handoff.signatures import services as signatures
from handoff.signatures.models import Side

DEFAULT_CLAUSES = [
    (
        "confidentiality",
        "Confidentiality",
        False,
        "The Provider keeps confidential all information of the Client that it receives or sees "
        "in the course of this engagement, uses it only to perform the services, and discloses it "
        "to no one without the Client's written consent, except as the law requires. This duty "
        "survives the end of the engagement.",
    ),
    (
        "work_product",
        "Ownership of work product",
        False,
        "Everything the Provider prepares for the Client under this agreement — records, reports, "
        "files and other deliverables — belongs to the Client once paid for. The Provider returns "
        "or hands over all of it, and the Client's data, when the engagement ends.",
    ),
    (
        "contractor_status",
        "Independent-contractor status",
        True,
        "The Provider is an independent contractor, not an employee of the Client. The Provider "
        "controls how the work is done, supplies their own tools and equipment, may offer their "
        "services to other clients, and is responsible for their own taxes, insurance and "
        "benefits. Nothing in this agreement creates an employment, partnership or agency "
        "relationship.",
    ),
    (
        "termination",
        "Termination",
        False,
        "Either party may end this agreement by written notice as set out under Term. On ending, "
        "the Provider delivers the work completed, the Client pays for the services performed up "
        "to the end date, and each party returns the other's property and data.",
    ),
    (
        "entire_agreement",
        "Entire agreement",
        False,
        "This agreement is the whole arrangement between the parties about its subject and "
        "replaces earlier discussions. Changes are valid only in writing signed by both parties.",
    ),
]


def clauses(principal) -> list[AgreementClause]:
    """The organization's clauses, created from the defaults the first time they are needed."""
    existing = list(AgreementClause.objects.visible_to(principal))
    if existing:
        return existing
    AgreementClause.objects.bulk_create(
        [
            AgreementClause(
                organization=principal.organization,
                key=key,
                title=title,
                body=body,
                position=index,
                individuals_only=individuals_only,
            )
            for index, (key, title, individuals_only, body) in enumerate(DEFAULT_CLAUSES)
        ],
        ignore_conflicts=True,
    )
    return list(AgreementClause.objects.visible_to(principal))


@transaction.atomic
def update_clause(
    principal: Principal, clause: AgreementClause, *, title: str, body: str
) -> AgreementClause:
    principal.require_in(clause.organization_id, Role.ADMIN, "Changing an agreement clause")
    actor = principal.user
    clause.title, clause.body = title.strip(), body.strip()
    clause.full_clean(validate_constraints=False)
    clause.save()
    audit.record(
        clause.organization,
        actor,
        "agreement_clause.updated",
        clause,
        f"Edited the agreement clause {clause.title}",
    )
    return clause


def state(engagement: Engagement) -> AgreementState:
    """None, generated, sent or signed. Reads ``.all()`` so that a list which prefetched
    ``signed_agreements`` and ``agreement_versions`` pays no query per row."""
    if engagement.signed_agreements.all():
        return AgreementState.SIGNED
    versions = engagement.agreement_versions.all()
    if not versions:
        return AgreementState.NONE
    latest = max(versions, key=lambda version: version.number)
    return AgreementState.SENT if latest.sent_at else AgreementState.GENERATED


# Sections that apps above this one add to the agreement (``compliance``: the contractor-status
# assessment then latest), registered from their ``AppConfig.ready()``. Each is called as
# ``section(principal, engagement)`` and returns ``{"title": ..., "body": ...}`` or None.
_sections: list = []


def add_section(section) -> None:
    """Register a section printed after the clauses; registering it again changes nothing."""
    if section not in _sections:
        _sections.append(section)


def render_html(principal: Principal, engagement: Engagement, *, today=None) -> str:
    """The agreement as HTML, the source of the PDF."""
    org = engagement.organization
    provider = engagement.provider
    individual = provider.kind == ProviderKind.INDIVIDUAL
    plan = engagement.communication_plan
    context = {
        "engagement": engagement,
        "org": org,
        "provider": provider,
        "functions": list(engagement.functions.all()),
        "tiers": list(engagement.price_tiers.all()),
        "service_levels": list(engagement.service_levels.all()),
        "response_targets": list(engagement.response_targets.all()),
        "plan": plan,
        "ladder": list(engagement.escalation_levels.select_related("our_person", "their_contact")),
        "clauses": [c for c in clauses(principal) if individual or not c.individuals_only],
        "sections": [
            printed for section in _sections if (printed := section(principal, engagement))
        ],
        "today": today or timezone.localdate(),
    }
    return render_to_string("engagements/agreement.html", context)


@transaction.atomic
def generate(principal: Principal, engagement: Engagement) -> AgreementVersion:
    """Render a new PDF version of the agreement and keep it."""
    principal.require_in(engagement.organization_id, Role.MANAGER, "Drafting an agreement")
    actor = principal.user
    from weasyprint import HTML  # imported here: loading pango costs a second at start-up

    pdf = HTML(string=render_html(principal, engagement)).write_pdf()
    number = (
        AgreementVersion.objects.visible_to(principal)
        .filter(engagement=engagement)
        .aggregate(top=Max("number"))["top"]
        or 0
    ) + 1
    version = AgreementVersion(
        organization=engagement.organization,
        engagement=engagement,
        number=number,
        generated_by=actor,
    )
    version.file.save(f"agreement-v{number}.pdf", ContentFile(pdf), save=False)
    version.save()
    audit.record(
        engagement.organization,
        actor,
        "agreement.generated",
        engagement,
        f"Generated agreement v{number} for {engagement.title}",
    )
    return version


@transaction.atomic
def mark_sent(principal: Principal, version: AgreementVersion) -> AgreementVersion:
    principal.require_in(version.organization_id, Role.MANAGER, "Marking an agreement sent")
    actor = principal.user
    if version.sent_at is None:
        version.sent_at = timezone.now()
        version.sent_by = actor
        version.save(update_fields=["sent_at", "sent_by"])
        audit.record(
            version.organization,
            actor,
            "agreement.sent",
            version.engagement,
            f"Sent agreement v{version.number} for signature",
        )
    return version


@transaction.atomic
def upload_signed(
    principal: Principal,
    engagement: Engagement,
    *,
    upload,
    signed_on,
    signers: str,
    version_id=None,
) -> SignedAgreement:
    principal.require_in(engagement.organization_id, Role.MANAGER, "Keeping a signed agreement")
    actor = principal.user
    content_type, extension = sniff_document(upload, field="file")
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The signature date is in the future."})
    version = None
    if version_id is not None:
        version = (
            AgreementVersion.objects.visible_to(principal)
            .filter(engagement=engagement, pk=version_id)
            .first()
        )
        if version is None:
            raise ValidationError({"version": "Choose a version of this engagement's agreement."})
    signed = SignedAgreement(
        organization=engagement.organization,
        engagement=engagement,
        version=version,
        content_type=content_type,
        signed_on=signed_on,
        signers=signers.strip(),
        uploaded_by=actor,
    )
    signed.full_clean(exclude=["file"])
    stamp = signed_on.isoformat()
    signed.file.save(f"signed-{stamp}.{extension}", upload, save=False)
    signed.save()
    audit.record(
        engagement.organization,
        actor,
        "agreement.signed",
        engagement,
        f"Uploaded the agreement signed on {stamp} by {signed.signers}",
    )
    return signed


def suggested_signer(principal: Principal, engagement: Engagement) -> tuple[str, str]:
    """Who would sign for the provider unless told otherwise: their first contact with an
    e-mail address (name, e-mail), or blanks."""
    contact = first_reachable_contact(principal, engagement.provider)
    return (contact.name, contact.email) if contact else ("", "")


@transaction.atomic
def send_for_signature(
    principal: Principal,
    version: AgreementVersion,
    *,
    provider_name: str,
    provider_email: str,
    our_signer,
    provider_first: bool = True,
    valid_days: int = signatures.DEFAULT_VALID_DAYS,
    mail_first: bool = True,
):
    """Send ``version``'s PDF to the provider's signer and ours, in the order chosen; the
    engagement's agreement is signed, with no upload, when both have signed. Without
    ``mail_first`` the first signer gets no e-mail of its own (the contractor's onboarding
    link carries the agreement)."""
    principal.require_in(version.organization_id, Role.MANAGER, "Sending an agreement to sign")
    version = AgreementVersion.objects.visible_to(principal).select_for_update().get(pk=version.pk)
    engagement = version.engagement
    latest = engagement.agreement_versions.order_by("-number").first()
    if version.pk != latest.pk:
        raise ValidationError(f"Send the newest version (v{latest.number}), not v{version.number}.")
    if version.signature_request_id and version.signature_request.status in ("out", "signed"):
        state = version.signature_request.status_label
        raise ValidationError(f"Version {version.number} is already {state}.")
    errors = {}
    if not " ".join((provider_name or "").split()):
        errors["provider_name"] = ["Give the name of who signs for the provider."]
    try:
        validate_email((provider_email or "").strip())
    except ValidationError:
        errors["provider_email"] = ["Give the e-mail address their link goes to."]
    if our_signer is None or not our_signer.email:
        errors["our_signer"] = ["Choose a member with an e-mail address."]
    elif our_signer.email.lower() == (provider_email or "").strip().lower():
        errors["provider_email"] = ["Their signer needs an address of their own, not ours."]
    if errors:
        raise ValidationError(errors)
    theirs = signatures.SignerSpec(name=provider_name, email=provider_email, side=Side.PROVIDER)
    ours = signatures.SignerSpec(
        name=our_signer.name or our_signer.email,
        email=our_signer.email,
        side=Side.US,
        user=our_signer,
    )
    with version.file.open("rb") as handle:
        document = handle.read()
    request = signatures.create(
        principal,
        kind=SIGNATURE_KIND,
        title=f"Agreement v{version.number}: {engagement.title}",
        document=document,
        signers=[theirs, ours] if provider_first else [ours, theirs],
        valid_days=valid_days,
        mail_first=mail_first,
    )
    version.signature_request = request
    version.sent_at = version.sent_at or timezone.now()
    version.sent_by = version.sent_by or principal.user
    version.save(update_fields=["signature_request", "sent_at", "sent_by"])
    return request


SIGNATURE_KIND = "agreement"


def _version_signed_by(request) -> AgreementVersion:
    system = Principal.system(request.organization)
    return (
        AgreementVersion.objects.visible_to(system)
        .select_related("engagement")
        .get(signature_request=request)
    )


def signature_subject_url(request) -> str:
    """The engagement page's agreement section, for the signature request's page."""
    return _version_signed_by(request).engagement.get_absolute_url() + "#agreement"


def signature_requests_of(principal):
    """The signature requests of a provider contact's own provider's agreements (of drafted
    engagements too: an agreement is often signed before the work begins), for the portal."""
    return (
        AgreementVersion.objects.visible_to(Principal.system(principal.organization))
        .filter(engagement__provider_id=principal.provider_id, signature_request__isnull=False)
        .values("signature_request_id")
    )


def signature_completed(request) -> SignedAgreement:
    """Both sides signed in the app: the sealed PDF is the engagement's signed agreement."""
    version = _version_signed_by(request)
    signers = "; ".join(
        f"{signer.typed_name} ({signer.get_side_display().lower()})"
        for signer in request.signers.all()
    )
    signed = SignedAgreement(
        organization=request.organization,
        engagement=version.engagement,
        version=version,
        content_type="application/pdf",
        signed_on=timezone.localdate(
            request.completed_at, ZoneInfo(request.organization.time_zone)
        ),
        signers=signers[:300],
    )
    with request.sealed.open("rb") as handle:
        signed.file.save(f"signed-v{version.number}.pdf", ContentFile(handle.read()), save=False)
    signed.save()
    audit.record(
        request.organization,
        None,
        "agreement.signed",
        version.engagement,
        f"Agreement v{version.number} was signed in Handoff by {signers}",
    )
    return signed
