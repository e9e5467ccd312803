"""The vetting API: references, checks, the reference link's form, the question set and due
diligence. Same services as the pages."""

from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse, Http404
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from handoff.core.api import (
    STORAGE_DOWN,
    ErrorOut,
    api_access,
    downloads,
    patch_data,
    public_operation,
)
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.core.uploads import DOCUMENT_TYPES
from handoff.providers import vetting
from handoff.providers.choices import DueDiligenceStatus, Relationship, WouldHireAgain
from handoff.providers.models import (
    DueDiligenceItem,
    DueDiligenceTemplate,
    Provider,
    Reference,
    ReferenceCheck,
    ReferenceQuestion,
)

router = Router(tags=["vetting"])
public = Router(tags=["reference form (no token)"], auth=None)

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ReferenceIn(Schema):
    name: str = Field(max_length=150)
    company: str = ""
    email: str = ""
    phone: str = ""
    relationship: Relationship = Relationship.CURRENT_CLIENT
    worked_from: date | None = None
    worked_to: date | None = None
    notes: str = ""


class ReferencePatch(Schema):
    name: str | None = Field(None, max_length=150)
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    relationship: Relationship | None = None
    worked_from: date | None = None
    worked_to: date | None = None
    notes: str | None = None


class ReferenceOut(ReferenceIn):
    id: int
    provider_id: int
    created_at: datetime


class CheckIn(Schema):
    understood_field: int | None = Field(None, ge=1, le=5)
    met_deadlines: int | None = Field(None, ge=1, le=5)
    missed_deadlines: str = ""
    communication: int | None = Field(None, ge=1, le=5)
    quality: int | None = Field(None, ge=1, le=5)
    would_hire_again: WouldHireAgain | None = None
    red_flags: str = ""
    notes: str = ""
    answers: dict[str, str] = Field({}, description="Question id → answer, for added questions.")


class CheckOut(CheckIn):
    id: int
    reference_id: int
    asked_by_id: int | None
    asked_at: datetime
    self_submitted: bool

    @staticmethod
    def resolve_would_hire_again(check):
        return check.would_hire_again or None


class RequestIn(Schema):
    email: str = Field("", description="Defaults to the reference's own address.")


class RequestOut(Schema):
    id: int
    sent_to: str
    expires_at: datetime
    url: str = Field(description="The one-time link, shown only in this response.")


class QuestionOut(Schema):
    id: int
    key: str
    text: str
    active: bool


class QuestionIn(Schema):
    text: str = Field(max_length=300)
    active: bool = True


class PublicFormOut(Schema):
    asking_organization: str
    provider: str
    reference: str
    questions: list[QuestionOut]


class TemplateItemOut(Schema):
    id: int
    title: str
    needs_document: bool
    has_expiry: bool
    has_amount: bool


class TemplateOut(Schema):
    id: int
    name: str
    items: list[TemplateItemOut]


class ApplyIn(Schema):
    template_id: int


class DueDiligenceOut(Schema):
    id: int
    provider_id: int
    title: str
    status: DueDiligenceStatus
    needs_document: bool
    has_expiry: bool
    has_amount: bool
    has_document: bool
    document_type: str
    expires_on: date | None
    expired: bool
    amount: Decimal | None
    notes: str
    updated_at: datetime

    @staticmethod
    def resolve_has_document(item):
        return bool(item.document)


class DueDiligencePatch(Schema):
    status: DueDiligenceStatus | None = None
    expires_on: date | None = None
    amount: Decimal | None = Field(None, ge=0)
    notes: str | None = None


def _provider(request, provider_id):
    return get_visible_or_404(Provider.objects, request.principal, pk=provider_id)


def _reference(request, reference_id):
    return get_visible_or_404(
        Reference.objects.select_related("provider"), request.principal, pk=reference_id
    )


def _item(request, item_id):
    return get_visible_or_404(
        DueDiligenceItem.objects.select_related("provider"), request.principal, pk=item_id
    )


# --- References and checks -----------------------------------------------------------------
@router.get("/providers/{provider_id}/references", response={200: list[ReferenceOut], **ERRORS})
@api_access()
def list_references(request, provider_id: int):
    return Reference.objects.visible_to(request.principal).filter(
        provider=_provider(request, provider_id)
    )


@router.post("/providers/{provider_id}/references", response={201: ReferenceOut, **ERRORS})
@api_access(Role.MANAGER)
def create_reference(request, provider_id: int, payload: ReferenceIn):
    provider = _provider(request, provider_id)
    return Status(201, vetting.save_reference(request.principal, provider, data=payload.dict()))


@router.get("/references/{reference_id}", response={200: ReferenceOut, **ERRORS})
@api_access()
def get_reference(request, reference_id: int):
    return _reference(request, reference_id)


@router.patch("/references/{reference_id}", response={200: ReferenceOut, **ERRORS})
@api_access(Role.MANAGER)
def update_reference(request, reference_id: int, payload: ReferencePatch):
    reference = _reference(request, reference_id)
    return vetting.save_reference(
        request.principal,
        reference.provider,
        reference=reference,
        data=patch_data(payload, Reference),
    )


@router.get("/references/{reference_id}/checks", response={200: list[CheckOut], **ERRORS})
@api_access()
def list_checks(request, reference_id: int):
    return ReferenceCheck.objects.visible_to(request.principal).filter(
        reference=_reference(request, reference_id)
    )


@router.post(
    "/references/{reference_id}/checks",
    response={201: CheckOut, **ERRORS},
    summary="Record a check asked by phone or in person",
)
@api_access(Role.MEMBER)
def create_check(request, reference_id: int, payload: CheckIn):
    reference = _reference(request, reference_id)
    return Status(201, vetting.record_check(request.principal, reference, data=payload.dict()))


@router.post(
    "/references/{reference_id}/requests",
    response={201: RequestOut, **ERRORS},
    summary="E-mail the reference a one-time link to the check form",
)
@api_access(Role.MEMBER)
def create_request(request, reference_id: int, payload: RequestIn):
    reference = _reference(request, reference_id)
    sent, raw = vetting.request_check(request.principal, reference, email=payload.email)
    return Status(
        201,
        {
            "id": sent.pk,
            "sent_to": sent.sent_to,
            "expires_at": sent.expires_at,
            "url": vetting.request_url(raw),
        },
    )


@router.get("/reference-questions", response={200: list[QuestionOut], **ERRORS})
@api_access()
def list_questions(request):
    return vetting.questions(request.principal)


@router.post("/reference-questions", response={201: QuestionOut, **ERRORS})
@api_access(Role.ADMIN)
def create_question(request, payload: QuestionIn):
    return Status(201, vetting.save_question(request.principal, text=payload.text))


@router.patch(
    "/reference-questions/{question_id}",
    response={200: QuestionOut, **ERRORS},
    summary="Reword a question (standard ones stay active)",
)
@api_access(Role.ADMIN)
def update_question(request, question_id: int, payload: QuestionIn):
    question = get_visible_or_404(ReferenceQuestion.objects, request.principal, pk=question_id)
    return vetting.save_question(
        request.principal, text=payload.text, question=question, active=payload.active
    )


# --- The reference's own form: the token is the only key ------------------------------------
def _open_request(token: str):
    found = vetting.find_request(token)
    if found is None:
        raise Http404("No such link.")
    return found


@public.get(
    "/reference-check/{token}",
    response={200: PublicFormOut, 404: ErrorOut},
    summary="The questions behind an e-mailed link",
)
@public_operation
def public_form(request, token: str):
    found = _open_request(token)
    org = found.organization
    return {
        "asking_organization": org.name,
        "provider": found.reference.provider.name,
        "reference": found.reference.name,
        "questions": [q for q in vetting.questions(Principal.for_link(found)) if q.active],
    }


@public.post(
    "/reference-check/{token}",
    response={201: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Answer once; the link then stops working",
)
@public_operation
def public_answer(request, token: str, payload: CheckIn):
    vetting.answer_request(Principal.for_link(_open_request(token)), data=payload.dict())
    return Status(201, {"detail": "Thank you; your answers were sent.", "errors": []})


# --- Due diligence -------------------------------------------------------------------------
@router.get("/due-diligence/templates", response={200: list[TemplateOut], **ERRORS})
@api_access()
def list_templates(request):
    return vetting.templates(request.principal)


@router.get(
    "/providers/{provider_id}/due-diligence", response={200: list[DueDiligenceOut], **ERRORS}
)
@api_access()
def list_items(request, provider_id: int):
    return DueDiligenceItem.objects.visible_to(request.principal).filter(
        provider=_provider(request, provider_id)
    )


@router.post(
    "/providers/{provider_id}/due-diligence",
    response={201: list[DueDiligenceOut], **ERRORS},
    summary="Apply a checklist (items already there are not added again)",
)
@api_access(Role.MANAGER)
def apply_template(request, provider_id: int, payload: ApplyIn):
    provider = _provider(request, provider_id)
    template = get_visible_or_404(
        DueDiligenceTemplate.objects.prefetch_related("items"),
        request.principal,
        pk=payload.template_id,
    )
    vetting.apply_template(request.principal, provider, template)
    return Status(
        201, list(DueDiligenceItem.objects.visible_to(request.principal).filter(provider=provider))
    )


@router.get(
    "/due-diligence/expiring",
    response={200: list[DueDiligenceOut], **ERRORS},
    summary="Items expired or expiring within `days` days",
)
@api_access()
def list_expiring(request, days: int = Query(30, ge=0, le=730)):
    return vetting.expiring(request.principal, days=days)


@router.get("/due-diligence/{item_id}", response={200: DueDiligenceOut, **ERRORS})
@api_access()
def get_item(request, item_id: int):
    return _item(request, item_id)


@router.patch("/due-diligence/{item_id}", response={200: DueDiligenceOut, **ERRORS})
@api_access(Role.MANAGER)
def update_item(request, item_id: int, payload: DueDiligencePatch):
    item = _item(request, item_id)
    return vetting.update_item(request.principal, item, data=patch_data(payload, DueDiligenceItem))


@router.post(
    "/due-diligence/{item_id}/document",
    response={200: DueDiligenceOut, **ERRORS, **STORAGE_DOWN},
    summary="Upload the document (PDF, PNG or JPEG, 10 MB at most)",
)
@api_access(Role.MANAGER)
def upload_document(request, item_id: int, document: File[UploadedFile]):
    return vetting.update_item(
        request.principal, _item(request, item_id), data={}, document=document
    )


@router.get("/due-diligence/{item_id}/document", response={**ERRORS, **STORAGE_DOWN})
@api_access()
@downloads(*DOCUMENT_TYPES)
def download_document(request, item_id: int):
    item = _item(request, item_id)
    if not item.document:
        raise Http404("No document.")
    return FileResponse(
        item.document.open("rb"),
        as_attachment=True,
        filename=item.document.name.rsplit("/", 1)[-1],
        content_type=item.document_type,
    )
