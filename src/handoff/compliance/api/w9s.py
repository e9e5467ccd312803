"""W-9s, their TINs masked except through the recorded reveal and file, and the payees that
have none on file."""

from django.core.exceptions import ValidationError
from django.http import FileResponse
from ninja import File, Form, Query, Status, UploadedFile

from handoff.compliance import selectors, services
from handoff.compliance.api.routing import ERRORS, router
from handoff.compliance.api.schemas import PayeeOut, RevealOut, W9Filters, W9In, W9Out, W9Page
from handoff.core.api import STORAGE_DOWN, api_access, downloads, fields_named, paginate
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.core.uploads import DOCUMENT_TYPES
from handoff.providers.models import Provider


def _w9_rows(request, rows):
    rows = list(rows)
    current = {
        w.pk
        for w in selectors.current_w9s(request.principal, {r.provider_id for r in rows}).values()
    }
    duplicates = selectors.duplicate_tins(request.principal, rows)
    for row in rows:
        row.in_force = row.pk in current
        row.same_tin_as = duplicates.get(row.pk, [])
    return rows


@router.get("/compliance/w9s", response={200: W9Page, **ERRORS}, summary="W-9s, TINs masked")
@api_access()
def list_w9s(request, filters: Query[W9Filters]):
    rows = selectors.w9s(request.principal)
    if filters.provider is not None:
        rows = rows.filter(provider_id=filters.provider)
    page = paginate(rows, filters.page, filters.per_page)
    page["results"] = _w9_rows(request, page["results"])
    return page


@router.post(
    "/compliance/w9s",
    response={201: W9Out, **ERRORS, **STORAGE_DOWN},
    summary="Record a W-9 (multipart: the signed form as 'file' and the fields)",
)
@api_access(Role.MANAGER)
@fields_named(document="file")
def create_w9(request, file: File[UploadedFile], form: Form[W9In]):
    provider = Provider.objects.visible_to(request.principal).filter(pk=form.provider_id).first()
    if provider is None:
        raise ValidationError({"provider_id": "Choose a provider of this organization."})
    data = form.dict(exclude={"provider_id", "tin"})
    w9 = services.record_w9(request.principal, provider, data=data, tin=form.tin, upload=file)
    return Status(201, _w9_rows(request, [_w9(request, w9.pk)])[0])


def _w9(request, pk):
    return get_visible_or_404(selectors.w9s(request.principal), request.principal, pk=pk)


@router.get("/compliance/w9s/{w9_id}", response={200: W9Out, **ERRORS})
@api_access()
def get_w9(request, w9_id: int):
    return _w9_rows(request, [_w9(request, w9_id)])[0]


@router.post(
    "/compliance/w9s/{w9_id}/reveal",
    response={200: RevealOut, **ERRORS},
    summary="The full TIN (owners and admins; recorded in the audit trail)",
)
@api_access(Role.ADMIN)
def reveal_w9(request, w9_id: int):
    w9 = _w9(request, w9_id)
    tin = services.reveal_tin(request.principal, w9)
    return {"id": w9.pk, "tin_type": w9.tin_type, "tin": tin}


@router.get(
    "/compliance/w9s/{w9_id}/file",
    response={**ERRORS, **STORAGE_DOWN},
    summary="The signed form, which shows the TIN (owners and admins; recorded)",
)
@api_access(Role.ADMIN)
@downloads(*DOCUMENT_TYPES)
def w9_file(request, w9_id: int):
    w9 = _w9(request, w9_id)
    handle = services.open_w9_document(request.principal, w9)
    return FileResponse(
        handle,
        as_attachment=True,
        content_type=w9.document_type,
        filename=w9.download_name,
    )


@router.get(
    "/compliance/payees-without-w9",
    response={200: list[PayeeOut], **ERRORS},
    summary="Paid or engaged providers with no W-9 on file",
)
@api_access()
def payees_without_w9(request):
    return [
        {"provider_id": p.pk, "name": p.name, "paid": p.paid or 0, "last_paid": p.last_paid}
        for p in selectors.payees_without_w9(request.principal)
    ]
