"""Foreign payees' Forms W-8BEN and W-8BEN-E: list, one, record one received on paper, and the
signed file (owners and admins; recorded). A payee whose form in force is a W-8 gets no
1099-NEC (``foreign``)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Schema, Status, UploadedFile

from handoff.compliance import foreign, selectors
from handoff.compliance.api.routing import ERRORS, router
from handoff.compliance.choices import ForeignForm
from handoff.core.api import STORAGE_DOWN, api_access, downloads, fields_named, paginate
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.core.uploads import DOCUMENT_TYPES
from handoff.providers.models import Provider


class W8Out(Schema):
    id: int
    provider_id: int
    provider_name: str = Field(alias="provider.name")
    form: ForeignForm
    name: str
    country: str
    address_country: str
    us_tin_masked: str = Field(alias="masked_us_tin", description="Empty when none was given.")
    foreign_tin_given: bool
    foreign_tin_not_required: bool
    treaty_country: str
    signed_on: date
    valid_through: date = Field(description="In force through this day (Treas. Reg. §1.1441-1).")
    in_force: bool = Field(description="The payee's form in force today, newer than any W-9.")

    @staticmethod
    def resolve_foreign_tin_given(row) -> bool:
        return bool(row.foreign_tin_encrypted)


class W8Page(Schema):
    count: int
    page: int
    per_page: int
    results: list[W8Out]


class W8Filters(Schema):
    provider: int | None = None
    page: int = 1
    per_page: int = 50


class W8In(Schema):
    provider_id: int
    form: ForeignForm
    name: str
    country: str
    signed_on: date
    signer_name: str = ""


def _rows(request, rows):
    rows = list(rows)
    ids = {row.provider_id for row in rows}
    w9s = selectors.current_w9s(request.principal, ids)
    w8s = selectors.current_w8s(request.principal, ids)
    today = timezone.localdate()
    for row in rows:
        standing = selectors.foreign_form(w9s.get(row.provider_id), w8s.get(row.provider_id))
        row.in_force = standing is not None and standing.pk == row.pk and row.in_force_on(today)
    return rows


def _w8(request, pk):
    return get_visible_or_404(selectors.w8s(request.principal), request.principal, pk=pk)


@router.get("/compliance/w8s", response={200: W8Page, **ERRORS}, summary="Forms W-8 on file")
@api_access()
def list_w8s(request, filters: Query[W8Filters]):
    rows = selectors.w8s(request.principal)
    if filters.provider is not None:
        rows = rows.filter(provider_id=filters.provider)
    page = paginate(rows, filters.page, filters.per_page)
    page["results"] = _rows(request, page["results"])
    return page


@router.post(
    "/compliance/w8s",
    response={201: W8Out, **ERRORS, **STORAGE_DOWN},
    summary="Record a W-8BEN or W-8BEN-E (multipart: the signed form as 'file' and the fields)",
)
@api_access(Role.MANAGER)
@fields_named(document="file")
def create_w8(request, file: File[UploadedFile], form: Form[W8In]):
    provider = Provider.objects.visible_to(request.principal).filter(pk=form.provider_id).first()
    if provider is None:
        raise ValidationError({"provider_id": "Choose a provider of this organization."})
    data = form.dict(exclude={"provider_id"})
    w8 = foreign.record_w8(request.principal, provider, data=data, upload=file)
    return Status(201, _rows(request, [_w8(request, w8.pk)])[0])


@router.get("/compliance/w8s/{w8_id}", response={200: W8Out, **ERRORS})
@api_access()
def get_w8(request, w8_id: int):
    return _rows(request, [_w8(request, w8_id)])[0]


@router.get(
    "/compliance/w8s/{w8_id}/file",
    response={**ERRORS, **STORAGE_DOWN},
    summary="The signed form (owners and admins; recorded)",
)
@api_access(Role.ADMIN)
@downloads(*DOCUMENT_TYPES)
def w8_file(request, w8_id: int):
    w8 = _w8(request, w8_id)
    handle = foreign.open_w8_document(request.principal, w8)
    return FileResponse(
        handle, as_attachment=True, content_type=w8.document_type, filename=w8.download_name
    )
