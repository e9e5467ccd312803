"""Filing a tax year's 1099-NEC through the IRS's IRIS Taxpayer Portal: the page (payer details,
what blocks which return with a link to fix it, state filing notes, the download, the official
template upload and corrected returns) and the file itself, through ``iris_returns``. The file
carries full TINs: owners and admins only, and each one is recorded in the audit trail. Nothing
uploaded is stored.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.compliance import iris, iris_returns, selectors
from handoff.core.roles import Role
from handoff.providers.models import Provider


# --- Pages ------------------------------------------------------------------------------------
def _year_or_404(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404("No such tax year.")
    return year


def _page(request, year, *, template_map=None, template_headers="", status=200):
    try:
        state = iris_returns.iris_year(request.principal, _year_or_404(year))
    except iris_returns.NoLayout as error:
        messages.error(request, error.message_dict["year"][0])
        return redirect("compliance:nec", request.org.slug, year)
    org = request.org
    blocked = [
        (
            c.ret,
            [(p, iris_returns.fix_url(org, p, c.ret.provider_id)) for p in c.problems],
        )
        for c in state.blocked
    ]
    context = {
        "state": state,
        "year": state.year,
        "report": state.report,
        "layout": state.layout,
        "payer_problems": [(p, iris_returns.fix_url(org, p)) for p in state.payer_problems],
        "blocked": blocked,
        "ready": state.ready,
        "settings_url": reverse("compliance:settings", args=[org.slug]),
        "state_notes": iris_returns.state_notes(org, timezone.localdate()),
        "template_map": template_map,
        "template_headers": template_headers,
        "masked_payer_tin": selectors.settings_for(request.principal).masked_payer_tin,
    }
    return render(request, "compliance/iris.html", context, status=status)


@principal_required(Role.ADMIN)
def iris_page(request, year):
    return _page(request, year)


def _download(name, content, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@principal_required(Role.ADMIN)
def iris_file(request, year):
    """The year's file (CSV, or a ZIP of several), for the returns with nothing blocking them."""
    try:
        name, content, content_type, _ = iris_returns.produce_file(
            request.principal, _year_or_404(year)
        )
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
        return redirect("compliance:iris", request.org.slug, year)
    return _download(name, content, content_type)


@never_cache
@require_POST
@principal_required(Role.ADMIN)
def iris_corrected(request, year):
    """The chosen payees' returns marked corrected, for a year marked filed."""
    ids = [pk for pk in request.POST.getlist("provider") if pk.isdigit()]
    if not ids:
        messages.error(request, "Choose the payees whose returns you are correcting.")
        return redirect("compliance:iris", request.org.slug, year)
    for pk in ids:  # another organization's payee is not found here
        if not Provider.objects.visible_to(request.principal).filter(pk=pk).exists():
            raise Http404("No provider found.")
    try:
        name, content, content_type, _ = iris_returns.produce_file(
            request.principal, _year_or_404(year), provider_ids=ids
        )
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
        return redirect("compliance:iris", request.org.slug, year)
    return _download(name, content, content_type)


@never_cache
@require_POST
@principal_required(Role.ADMIN)
def iris_template(request, year):
    """Step 1: upload the official blank template; the page shows which of its columns Handoff
    fills and which it cannot. Step 2 (``headers`` posted back, the header row only): the file
    in the template's columns. The upload itself is never stored."""
    if "headers" in request.POST:
        try:
            headers = iris.read_template_headers(request.POST["headers"].encode())
            name, content, content_type, _ = iris_returns.produce_file(
                request.principal, _year_or_404(year), headers=headers
            )
        except iris.TemplateError as error:
            messages.error(request, f"Template: {error}")
            return redirect("compliance:iris", request.org.slug, year)
        except ValidationError as error:
            messages.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
            return redirect("compliance:iris", request.org.slug, year)
        return _download(name, content, content_type)
    upload = request.FILES.get("template")
    if upload is None:
        messages.error(request, "Template: choose the CSV template you downloaded from IRIS.")
        return redirect("compliance:iris", request.org.slug, year)
    if upload.size > iris.TEMPLATE_MAX_BYTES:
        messages.error(request, "Template: the file is too large to be a blank template.")
        return redirect("compliance:iris", request.org.slug, year)
    try:
        headers = iris.read_template_headers(upload.read(iris.TEMPLATE_MAX_BYTES + 1))
        layout = iris_returns.layout_of(iris_returns.tax_year(_year_or_404(year)))
    except (iris.TemplateError, ValidationError) as error:
        text = error.message_dict["year"][0] if isinstance(error, ValidationError) else error
        messages.error(request, f"Template: {text}")
        return redirect("compliance:iris", request.org.slug, year)
    mapped = iris.map_template(layout, headers)
    header_line = iris.csv_text(headers, []).strip("\r\n")
    return _page(request, year, template_map=mapped, template_headers=header_line)
