"""Vetting operations: references, reference checks (asked in person or through a one-time
e-mailed link), the organization's question set, and due diligence with its documents."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from handoff.accounts.models import Invitation, hash_secret
from handoff.core import audit
from handoff.core.links import absolute_url
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.core.uploads import sniff_document
from handoff.providers.choices import (
    DEFAULT_DUE_DILIGENCE,
    DEFAULT_QUESTIONS,
    DueDiligenceStatus,
)
from handoff.providers.models import (
    DueDiligenceItem,
    DueDiligenceTemplate,
    DueDiligenceTemplateItem,
    Provider,
    Reference,
    ReferenceCheck,
    ReferenceQuestion,
    ReferenceRequest,
)

REFERENCE_FIELDS = [
    "name",
    "company",
    "email",
    "phone",
    "relationship",
    "worked_from",
    "worked_to",
    "notes",
]
CHECK_FIELDS = [
    "understood_field",
    "met_deadlines",
    "missed_deadlines",
    "communication",
    "quality",
    "would_hire_again",
    "red_flags",
    "notes",
]
REQUEST_VALID_DAYS = 14


# --- References ----------------------------------------------------------------------------
@transaction.atomic
def save_reference(
    principal: Principal, provider: Provider, *, data: dict, reference=None
) -> Reference:
    principal.require_in(provider.organization_id, Role.MANAGER, "Recording a reference")
    actor = principal.user
    reference = reference or Reference(organization=provider.organization, provider=provider)
    for key in REFERENCE_FIELDS:
        if key in data:
            setattr(reference, key, data[key])
    reference.full_clean()
    created = reference.pk is None
    reference.save()
    audit.record(
        provider.organization,
        actor,
        "reference.saved",
        provider,
        f"{'Added' if created else 'Edited'} reference {reference} for {provider}",
    )
    return reference


# --- The question set ----------------------------------------------------------------------
def questions(principal) -> list[ReferenceQuestion]:
    """The organization's questions, made from the defaults the first time they are needed."""
    existing = list(ReferenceQuestion.objects.visible_to(principal))
    if not existing:
        ReferenceQuestion.objects.bulk_create(
            [
                ReferenceQuestion(
                    organization=principal.organization, key=key, text=text, position=index
                )
                for index, (key, text) in enumerate(DEFAULT_QUESTIONS)
            ],
            ignore_conflicts=True,  # two first visits at once create them once
        )
        existing = list(ReferenceQuestion.objects.visible_to(principal))
    return existing


def question_texts(principal) -> dict[str, str]:
    """Standard question key → the organization's wording."""
    return {q.key: q.text for q in questions(principal) if q.key}


def custom_questions(principal) -> list[ReferenceQuestion]:
    return [q for q in questions(principal) if not q.key and q.active]


@transaction.atomic
def save_question(principal: Principal, *, text: str, question=None, active: bool = True):
    """Reword a question or add one; standard questions can be reworded but stay active."""
    principal.require_in(principal.organization_id, Role.ADMIN, "Changing the reference questions")
    org, actor = principal.organization, principal.user
    text = " ".join(text.split())
    if question is None:
        top = max((q.position for q in questions(principal)), default=0)
        question = ReferenceQuestion(organization=org, position=top + 1)
    question.text = text
    question.active = True if question.key else active
    question.full_clean()
    question.save()
    audit.record(org, actor, "reference_question.saved", question, f"Question: {text}")
    return question


# --- Reference checks ----------------------------------------------------------------------
def _clean_answers(principal, answers: dict) -> dict:
    allowed = {str(q.pk): q for q in custom_questions(principal)}
    unknown = set(answers) - set(allowed)
    if unknown:
        raise ValidationError({"answers": "Answer only this organization's questions."})
    return {key: str(value).strip()[:2000] for key, value in answers.items() if str(value).strip()}


def _check(principal: Principal, reference: Reference, data: dict, **extra) -> ReferenceCheck:
    check = ReferenceCheck(
        organization=reference.organization,
        reference=reference,
        answers=_clean_answers(principal, data.get("answers") or {}),
        **{key: data.get(key) for key in CHECK_FIELDS if data.get(key) not in (None, "")},
        **extra,
    )
    check.full_clean()
    if not check.ratings() and not check.would_hire_again:
        raise ValidationError("Give at least one rating or say whether they would hire again.")
    check.save()
    return check


@transaction.atomic
def record_check(principal: Principal, reference: Reference, *, data: dict) -> ReferenceCheck:
    """A check asked by a member, by phone or in person."""
    principal.require_in(reference.organization_id, Role.MEMBER, "Recording a reference check")
    actor = principal.user
    check = _check(
        principal, reference, data, asked_by=actor, asked_at=data.get("asked_at") or timezone.now()
    )
    audit.record(
        reference.organization,
        actor,
        "reference_check.recorded",
        reference.provider,
        f"Recorded a reference check with {reference}",
    )
    return check


def request_url(raw_token: str) -> str:
    return absolute_url("providers:reference_answer", raw_token)


@transaction.atomic
def request_check(
    principal: Principal, reference: Reference, *, email: str = ""
) -> tuple[ReferenceRequest, str]:
    """E-mail the reference a one-time link to the check form; returns it with the raw token."""
    principal.require_in(reference.organization_id, Role.MEMBER, "Asking a reference")
    actor = principal.user
    email = (email or reference.email).strip().lower()
    if not email:
        raise ValidationError({"email": "The reference has no e-mail address; add one first."})
    raw = Invitation.new_token()
    request = ReferenceRequest(
        organization=reference.organization,
        reference=reference,
        token_hash=hash_secret(raw),
        sent_to=email,
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=REQUEST_VALID_DAYS),
    )
    request.full_clean()
    request.save()
    context = {
        "reference": reference,
        "provider": reference.provider,
        "org": reference.organization,
        "url": request_url(raw),
        "request": request,
        "asker": actor,
    }
    transaction.on_commit(
        lambda: send_mail(
            subject=f"A few questions about {reference.provider.name}",
            message=render_to_string("providers/email/reference_request.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    )
    audit.record(
        reference.organization,
        actor,
        "reference_check.requested",
        reference.provider,
        f"Asked {reference} by e-mail about {reference.provider}",
    )
    return request, raw


def find_request(raw_token: str) -> ReferenceRequest | None:
    """The request behind a link if it can still be answered; None for anything else, so a
    guessed, used or expired link reveals nothing."""
    request = (
        ReferenceRequest.objects.select_related("reference__provider", "organization")
        .filter(token_hash=hash_secret(raw_token))
        .first()
    )
    if request is None or request.status != "waiting":
        return None
    return request


@transaction.atomic
def answer_request(principal: Principal, *, data: dict) -> ReferenceCheck:
    """The reference's own answers, through the link mailed to them (``principal`` is that
    link's, :meth:`Principal.for_link`), marked self-submitted; the link then stops working."""
    granted = principal.require_grant(ReferenceRequest, "Answering the reference questions")
    request = ReferenceRequest.objects.select_for_update().get(pk=granted.pk)
    if request.status != "waiting":
        raise ValidationError("This link can no longer be used.")
    check = _check(principal, request.reference, data, self_submitted=True, asked_at=timezone.now())
    request.used_at = timezone.now()
    request.save(update_fields=["used_at"])
    audit.record(
        request.organization,
        None,
        "reference_check.answered",
        request.reference.provider,
        f"{request.reference} answered the reference questions",
    )
    return check


# --- Due diligence -------------------------------------------------------------------------
def templates(principal) -> list[DueDiligenceTemplate]:
    """The organization's checklists, starting with the standard one."""
    existing = list(DueDiligenceTemplate.objects.visible_to(principal).prefetch_related("items"))
    if existing:
        return existing
    template, created = DueDiligenceTemplate.objects.get_or_create(
        organization=principal.organization, name="Standard checks"
    )
    if not created:  # made by a concurrent first visit
        return list(DueDiligenceTemplate.objects.visible_to(principal).prefetch_related("items"))
    DueDiligenceTemplateItem.objects.bulk_create(
        [
            DueDiligenceTemplateItem(
                organization=principal.organization,
                template=template,
                title=title,
                needs_document=document,
                has_expiry=expiry,
                has_amount=amount,
                position=index,
            )
            for index, (title, document, expiry, amount) in enumerate(DEFAULT_DUE_DILIGENCE)
        ]
    )
    return list(DueDiligenceTemplate.objects.visible_to(principal).prefetch_related("items"))


@transaction.atomic
def add_template_item(principal: Principal, template: DueDiligenceTemplate, *, data: dict):
    principal.require_in(
        template.organization_id, Role.ADMIN, "Changing the due-diligence template"
    )
    actor = principal.user
    top = max((item.position for item in template.items.all()), default=0)
    item = DueDiligenceTemplateItem(
        organization=template.organization,
        template=template,
        position=top + 1,
        title=" ".join(data.get("title", "").split()),
        needs_document=bool(data.get("needs_document")),
        has_expiry=bool(data.get("has_expiry")),
        has_amount=bool(data.get("has_amount")),
    )
    item.full_clean()
    item.save()
    audit.record(
        template.organization,
        actor,
        "due_diligence_template.item_added",
        template,
        f"{template.name}: added {item.title}",
    )
    return item


@transaction.atomic
def apply_template(principal: Principal, provider: Provider, template: DueDiligenceTemplate) -> int:
    """Add the template's items the provider does not have yet (by title); returns how many."""
    principal.require_in(
        provider.organization_id, Role.MANAGER, "Applying a due-diligence template"
    )
    actor = principal.user
    if template.organization_id != provider.organization_id:
        raise ValidationError({"template": "Choose a checklist of this organization."})
    have = {
        title.lower()
        for title in DueDiligenceItem.objects.visible_to(principal)
        .filter(provider=provider)
        .values_list("title", flat=True)
    }
    rows = [
        DueDiligenceItem(
            organization=provider.organization,
            provider=provider,
            title=item.title,
            needs_document=item.needs_document,
            has_expiry=item.has_expiry,
            has_amount=item.has_amount,
        )
        for item in template.items.all()
        if item.title.lower() not in have
    ]
    DueDiligenceItem.objects.bulk_create(rows)
    audit.record(
        provider.organization,
        actor,
        "due_diligence.applied",
        provider,
        f"Applied {template.name} to {provider} ({len(rows)} items)",
    )
    return len(rows)


@transaction.atomic
def update_item(
    principal: Principal, item: DueDiligenceItem, *, data: dict, document=None
) -> DueDiligenceItem:
    """Record the state of one item; a document is checked by its content, not its name."""
    principal.require_in(item.organization_id, Role.MANAGER, "Updating due diligence")
    actor = principal.user
    for key in ("status", "expires_on", "amount", "notes"):
        if key in data:
            setattr(item, key, data[key])
    if document is not None:
        item.document_type, extension = sniff_document(document)
    item.updated_by = actor
    if item.status == DueDiligenceStatus.VERIFIED:
        missing = []
        if item.needs_document and not (item.document or document):
            missing.append(("document", "Attach the document before marking it verified."))
        if item.has_expiry and not item.expires_on:
            missing.append(("expires_on", "Give the expiry date before marking it verified."))
        if item.has_amount and item.amount is None:
            missing.append(("amount", "Give the coverage amount before marking it verified."))
        if missing:
            raise ValidationError({field: message for field, message in missing})
    item.full_clean(exclude=["document"])
    if document is not None:
        stamp = timezone.localdate().isoformat()
        item.document.save(f"{item.pk}-{stamp}.{extension}", document, save=False)
    item.save()
    audit.record(
        item.organization,
        actor,
        "due_diligence.updated",
        item.provider,
        f"{item.title}: {item.get_status_display()}",
    )
    return item


def expiring(principal, *, days: int, today: date | None = None):
    """Due-diligence items whose expiry date has passed or falls within ``days`` days."""
    today = today or timezone.localdate()
    return (
        DueDiligenceItem.objects.visible_to(principal)
        .filter(expires_on__isnull=False, expires_on__lte=today + timedelta(days=days))
        .exclude(status=DueDiligenceStatus.NOT_APPLICABLE)
        .select_related("provider")
        .order_by("expires_on", "id")
    )
