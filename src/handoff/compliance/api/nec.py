"""The 1099-NEC: the years to file, each year's report and export, and the filing record."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Status

from handoff.compliance import exports, selectors, services
from handoff.compliance.api.payment_schemas import (
    FilingIn,
    FilingOut,
    FilingPatch,
    FilingStatusOut,
    NecOut,
)
from handoff.compliance.api.routing import ERRORS, router
from handoff.compliance.models import Filing1099
from handoff.core.api import ErrorOut, api_access, downloads, patch_data
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404


@router.get(
    "/compliance/1099",
    response={200: FilingStatusOut, **ERRORS},
    summary="Every year with payments, the past years still to file, and the filings recorded",
)
@api_access()
def nec_status(request):
    status = selectors.filing_status(request.principal, services.org_today(request.org))
    return {
        "years_paid": status.years_paid,
        "unfiled": [
            {
                "year": u.year,
                "forms": u.forms,
                "deadline": u.report.deadline,
                "past_due": u.past_due,
                "message": u.sentence + ".",
            }
            for u in status.unfiled
        ],
        "filings": status.filed,
    }


@router.get(
    "/compliance/1099/{year}",
    response={200: NecOut, **ERRORS},
    summary="Each payee's reportable total for a tax year against that year's threshold",
)
@api_access()
def nec(request, year: int):
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Choose a year from 2000 to 2100."})
    report = selectors.nec_report(request.principal, year)
    today = services.org_today(request.org)
    return {
        "year": year,
        "threshold": report.threshold.amount,
        "threshold_source": report.threshold.source,
        "threshold_note": report.threshold_note,
        "deadline": report.deadline,
        "past_due": bool(
            report.needing_forms and report.filing is None and today > report.deadline
        ),
        "needing_forms": len(report.needing_forms),
        "missing_w9": len(report.missing_w9),
        "filing": report.filing,
        "rows": [
            {
                "provider_id": row.provider.pk,
                "provider_name": row.provider.name,
                "total": row.total,
                "processor_reported": row.processor_total,
                "reportable": row.reportable,
                "needs_form": row.needs_form,
                "reason": row.reason,
                "corporation": row.corporation,
                "attorney": row.attorney,
                "w9_state": "on_file" if row.w9 else "missing",
                "tin_masked": row.w9.masked_tin if row.w9 else None,
                "withheld": row.withheld,
                "foreign_form": row.w8.form_label if row.w8 else None,
                "reason_detail": row.foreign_note,
            }
            for row in report.rows
        ],
    }


@router.get(
    "/compliance/1099/{year}/export",
    response=ERRORS,
    summary="The payees needing a 1099-NEC as CSV with full TINs (admins; recorded)",
)
@api_access(Role.ADMIN)
@downloads("text/csv")
def nec_export(request, year: int):
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Choose a year from 2000 to 2100."})
    report = selectors.nec_report(request.principal, year)
    content, count = exports.nec_csv(request.org, report)
    services.record_export(request.principal, year=year, count=count)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="1099-nec-{year}.csv"'
    response["Cache-Control"] = "no-store"
    return response


# --- 1099-NEC filings ------------------------------------------------------------------------
FILING_ERRORS = {**ERRORS, 409: ErrorOut}


def _tax_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Choose a year from 2000 to 2100."})
    return year


def _filing(request, year: int):
    return get_visible_or_404(
        selectors.filings_of(request.principal), request.principal, tax_year=_tax_year(year)
    )


@router.post(
    "/compliance/1099/{year}/filing",
    response={201: FilingOut, **FILING_ERRORS},
    summary="Mark a past tax year's 1099-NEC forms filed (owners and admins; audited)",
)
@api_access(Role.ADMIN)
def record_filing(request, year: int, payload: FilingIn):
    filing = services.record_filing(
        request.principal, tax_year=_tax_year(year), data=payload.dict()
    )
    return Status(201, filing)


@router.get("/compliance/1099/{year}/filing", response={200: FilingOut, **ERRORS})
@api_access()
def get_filing(request, year: int):
    return _filing(request, year)


@router.patch(
    "/compliance/1099/{year}/filing",
    response={200: FilingOut, **FILING_ERRORS},
    summary="Correct the filing record (owners and admins; audited)",
)
@api_access(Role.ADMIN)
def correct_filing(request, year: int, payload: FilingPatch):
    filing = _filing(request, year)
    data = patch_data(payload, Filing1099, exclude={"version"})
    return services.correct_filing(
        request.principal,
        filing,
        data={key: value for key, value in data.items() if value is not None},
        expected_version=payload.version,
    )


@router.delete(
    "/compliance/1099/{year}/filing",
    response={204: None, **FILING_ERRORS},
    summary="Undo a filing recorded by mistake: the year is unfiled again (audited)",
)
@api_access(Role.ADMIN)
def undo_filing(request, year: int, version: int | None = None):
    filing = _filing(request, year)
    services.undo_filing(request.principal, filing, expected_version=version)
    return Status(204, None)
