"""Comply as JSON: the same services and selectors as the pages, behind thin handlers.

Least roles: reading for viewers (TINs masked); assessments, W-9 entry, invoices, payments and
the import for managers; revealing a TIN, the signed W-9 file, the 1099-NEC export (with full
TINs) and the settings for admins and owners. A TIN appears in a response only from the reveal
endpoint and the export, both recorded in the audit trail.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from handoff.compliance import exports, selectors, services
from handoff.compliance.choices import (
    Answer,
    Category,
    Direction,
    FilingMethod,
    LlcClassification,
    Outcome,
    PaymentMethod,
    ReportableReason,
    StateOutcome,
    TaxClassification,
    TinType,
)
from handoff.compliance.forms import csv_rows
from handoff.compliance.models import (
    ClassificationRuleSet,
    Form1099Threshold,
    Invoice,
    Section3509Rates,
    StateTest,
)
from handoff.core.api import ErrorOut, api_access, fields_named, paginate
from handoff.core.money import cents
from handoff.core.roles import Role
from handoff.core.tenancy import get_for_org_or_404
from handoff.providers.models import Provider

router = Router(tags=["comply"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- Rules ------------------------------------------------------------------------------------
class ClassificationFactorOut(Schema):
    key: str
    category: Category
    question: str
    help_text: str
    yes_points_to: Direction
    yes_weight: int
    no_weight: int
    source: str


class RuleSetOut(Schema):
    id: int
    name: str
    effective_from: date
    effective_to: date | None
    employee_share_at_least: Decimal
    contractor_share_at_most: Decimal
    min_answered_share: Decimal
    source: str
    factors: list[ClassificationFactorOut]

    @staticmethod
    def resolve_factors(rule_set):
        return list(rule_set.factors.all())


class StateTestOut(Schema):
    id: int
    state: str
    name: str
    applies_to: str
    effective_from: date
    effective_to: date | None
    prongs: list[dict]
    exemptions: list[dict]
    source: str


class DatedAmountOut(Schema):
    effective_from: date
    effective_to: date | None
    amount: Decimal
    source: str


class Section3509Out(Schema):
    effective_from: date
    effective_to: date | None
    withholding_percent: Decimal
    withholding_no_1099_percent: Decimal
    employee_fica_share_percent: Decimal
    employee_fica_share_no_1099_percent: Decimal
    source: str


class RulesOut(Schema):
    rule_sets: list[RuleSetOut]
    state_tests: list[StateTestOut]
    form_1099_thresholds: list[DatedAmountOut]
    section_3509_rates: list[Section3509Out]


@router.get(
    "/compliance/rules",
    response={200: RulesOut, **ERRORS},
    summary="The dated rules: factors, state ABC tests, 1099-NEC thresholds, IRC 3509 rates",
)
@api_access()
def rules(request):
    return {
        "rule_sets": ClassificationRuleSet.objects.prefetch_related("factors"),
        "state_tests": StateTest.objects.all(),
        "form_1099_thresholds": Form1099Threshold.objects.all(),
        "section_3509_rates": Section3509Rates.objects.all(),
    }


# --- Settings ---------------------------------------------------------------------------------
class ComplianceSettingsOut(Schema):
    refuse_payments_without_w9: bool
    benefits_cost_percent: Decimal | None


class SettingsIn(Schema):
    refuse_payments_without_w9: bool | None = None
    benefits_cost_percent: Decimal | None = Field(
        None, description="Benefit cost as a percent of wages; null to leave it unrecorded."
    )


@router.get("/compliance/settings", response={200: ComplianceSettingsOut, **ERRORS})
@api_access()
def get_settings(request):
    return selectors.settings_for(request.org)


@router.patch(
    "/compliance/settings",
    response={200: ComplianceSettingsOut, **ERRORS},
    summary="Change the settings (admins)",
)
@api_access(Role.ADMIN)
def update_settings(request, payload: SettingsIn):
    return services.update_settings(
        request.org, actor=request.user, data=payload.dict(exclude_unset=True)
    )


# --- Assessments ------------------------------------------------------------------------------
class ClassificationAnswerIn(Schema):
    answer: Answer = Answer.UNSURE
    evidence: str = ""


class StateAnswersIn(Schema):
    prongs: dict[str, ClassificationAnswerIn] = {}
    exemption: str = ""
    exemption_evidence: str = ""


class AssessmentIn(Schema):
    provider_id: int
    answers: dict[str, ClassificationAnswerIn] = Field(
        description="Factor key → answer and evidence; see GET /compliance/rules. A yes or no "
        "needs its evidence; a missing factor is 'unsure'."
    )
    state_answers: dict[str, StateAnswersIn] = Field(
        {},
        description="State code → prong answers and an exemption claimed, for the states "
        "of the organization that have an ABC test.",
    )
    engagement_ids: list[int] = []
    annual_payments: Decimal | None = Field(
        None,
        description="A year of payments for the estimate; empty to take it from the "
        "payments of the last 365 days or the engagements' yearly cost.",
    )
    notes: str = ""


class FindingOut(Schema):
    key: str
    category: Category
    question: str
    answer: Answer
    evidence: str
    points_to: Direction | None
    weight: int


class StateFindingOut(Schema):
    state: str
    name: str
    outcome: StateOutcome
    unmet: list[str]
    unanswered: list[str]
    exemption: str | None


class ExposureLineOut(Schema):
    label: str
    amount: Decimal
    formula: str
    source: str


class ExposureOut(Schema):
    filed_1099: bool
    wages: Decimal
    total: Decimal
    lines: list[ExposureLineOut]


class EngagementLinkOut(Schema):
    engagement_id: int
    title: str
    agreement_version: int | None


class AssessmentOut(Schema):
    id: int
    provider_id: int
    provider_name: str
    number: int
    created_at: datetime
    outcome: Outcome
    federal_outcome: Outcome
    employee_weight: int
    contractor_weight: int
    stale: bool
    stale_reasons: list[str]
    engagements: list[EngagementLinkOut]
    annual_payments: Decimal
    payments_basis: str
    notes: str
    disclaimer: str = "Guidance, not legal advice."


class AssessmentDetailOut(AssessmentOut):
    toward_employee: list[FindingOut]
    toward_contractor: list[FindingOut]
    unanswered: list[FindingOut]
    states: list[StateFindingOut]
    next_steps: list[str]
    exposure: list[ExposureOut]
    tax_year: int = Field(description="The tax year the estimate is made for.")
    figures_year: int | None = Field(description="The year of the payroll figures used.")
    figures_note: str = Field(
        description="Said when the tax year has no figures entered and another year's are used."
    )
    rule_set_id: int


class AssessmentPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[AssessmentOut]


class AssessmentFilters(Schema):
    provider: int | None = Field(None, description="A provider id.")
    page: int = 1
    per_page: int = 50


def _summary(assessment) -> dict:
    reasons = selectors.staleness(assessment)
    return {
        "id": assessment.pk,
        "provider_id": assessment.provider_id,
        "provider_name": assessment.provider.name,
        "number": assessment.number,
        "created_at": assessment.created_at,
        "outcome": assessment.outcome,
        "federal_outcome": assessment.federal_outcome,
        "employee_weight": assessment.employee_weight,
        "contractor_weight": assessment.contractor_weight,
        "stale": bool(reasons),
        "stale_reasons": reasons,
        "engagements": [
            {
                "engagement_id": link.engagement_id,
                "title": link.engagement.title,
                "agreement_version": link.agreement_version.number
                if link.agreement_version
                else None,
            }
            for link in assessment.engagement_links.all()
        ],
        "annual_payments": assessment.annual_payments,
        "payments_basis": assessment.payments_basis,
        "notes": assessment.notes,
    }


def _finding(finding) -> dict:
    return {
        "key": finding.factor.key,
        "category": finding.factor.category,
        "question": finding.factor.question,
        "answer": finding.answer,
        "evidence": finding.evidence,
        "points_to": finding.points_to,
        "weight": finding.weight,
    }


def _detail(assessment, tax_year: int | None = None) -> dict:
    view = selectors.view_of(assessment, tax_year=tax_year)
    result = view.result
    exposures = [e for e in (view.exposure_filed, view.exposure_not_filed) if e is not None]
    return _summary(assessment) | {
        "toward_employee": [_finding(f) for f in result.toward_employee],
        "toward_contractor": [_finding(f) for f in result.toward_contractor],
        "unanswered": [_finding(f) for f in result.unanswered],
        "states": [
            {
                "state": s.test.state,
                "name": s.test.name,
                "outcome": s.outcome,
                "unmet": [p.key for p in s.unmet],
                "unanswered": [p.key for p in s.unanswered],
                "exemption": s.exemption.key if s.exemption else None,
            }
            for s in result.states
        ],
        "next_steps": list(result.next_steps),
        "exposure": [
            {
                "filed_1099": e.filed_1099,
                "wages": e.wages,
                "total": cents(e.total),
                "lines": [
                    {
                        "label": x.label,
                        "amount": cents(x.amount),
                        "formula": x.formula,
                        "source": x.source,
                    }
                    for x in e.lines
                ],
            }
            for e in exposures
        ],
        "tax_year": view.tax_year,
        "figures_year": view.figures_year,
        "figures_note": view.figures_note,
        "rule_set_id": assessment.rule_set_id,
    }


@router.get("/compliance/assessments", response={200: AssessmentPage, **ERRORS})
@api_access()
def list_assessments(request, filters: Query[AssessmentFilters]):
    rows = selectors.assessments(request.org).order_by("-created_at", "-id")
    if filters.provider is not None:
        rows = rows.filter(provider_id=filters.provider)
    page = paginate(rows, filters.page, filters.per_page)
    page["results"] = [_summary(row) for row in page["results"]]
    return page


@router.post(
    "/compliance/assessments",
    response={201: AssessmentDetailOut, **ERRORS},
    summary="Assess a provider's status (the next version for that provider)",
)
@api_access(Role.MANAGER)
@fields_named(engagements="engagement_ids")
def create_assessment(request, payload: AssessmentIn):
    provider = Provider.objects.for_org(request.org).filter(pk=payload.provider_id).first()
    if provider is None:
        raise ValidationError({"provider_id": "Choose a provider of this organization."})
    assessment = services.create_assessment(
        provider,
        actor=request.user,
        answers={key: value.dict() for key, value in payload.answers.items()},
        state_answers={key: value.dict() for key, value in payload.state_answers.items()},
        engagement_ids=payload.engagement_ids,
        annual_payments=payload.annual_payments,
        notes=payload.notes,
    )
    return Status(201, _detail(_assessment(request, assessment.pk)))


def _assessment(request, pk):
    return get_for_org_or_404(selectors.assessments(request.org), request.org, pk=pk)


@router.get(
    "/compliance/assessments/{assessment_id}", response={200: AssessmentDetailOut, **ERRORS}
)
@api_access()
def get_assessment(request, assessment_id: int, tax_year: str | None = None):
    """``tax_year``: the year of the reclassification estimate (the assessment's own year by
    default); a year with no figures entered uses the nearest year's, named in
    ``figures_note``. A year outside the allowed range answers 422 with the field."""
    assessment = _assessment(request, assessment_id)
    year = None if tax_year in (None, "") else selectors.check_tax_year(tax_year)
    return _detail(assessment, tax_year=year)


# --- W-9 --------------------------------------------------------------------------------------
class W9Out(Schema):
    id: int
    provider_id: int
    provider_name: str
    legal_name: str
    business_name: str
    tax_classification: TaxClassification
    llc_classification: str
    exempt_payee_code: str
    is_attorney: bool
    tin_type: TinType
    tin_masked: str = Field(description="The last four digits; the full TIN only via /reveal.")
    street: str
    city: str
    state: str
    postal_code: str
    signed_on: date
    received_at: datetime
    in_force: bool
    same_tin_as: list[str] = Field(description="Other providers whose W-9 has the same TIN.")

    @staticmethod
    def resolve_provider_name(w9):
        return w9.provider.name

    @staticmethod
    def resolve_tin_masked(w9):
        return w9.masked_tin


class W9In(Schema):
    provider_id: int
    legal_name: str
    business_name: str = ""
    tax_classification: TaxClassification
    llc_classification: LlcClassification = LlcClassification.NONE
    exempt_payee_code: str = ""
    is_attorney: bool = False
    tin_type: TinType
    tin: str = Field(description="Nine digits, dashes optional. Stored encrypted.")
    street: str
    city: str
    state: str
    postal_code: str
    signed_on: date


class W9Page(Schema):
    count: int
    page: int
    per_page: int
    results: list[W9Out]


class W9Filters(Schema):
    provider: int | None = None
    page: int = 1
    per_page: int = 50


class RevealOut(Schema):
    id: int
    tin_type: TinType
    tin: str


def _w9_rows(request, rows):
    rows = list(rows)
    current = {
        w.pk for w in selectors.current_w9s(request.org, {r.provider_id for r in rows}).values()
    }
    duplicates = selectors.duplicate_tins(request.org, rows)
    for row in rows:
        row.in_force = row.pk in current
        row.same_tin_as = duplicates.get(row.pk, [])
    return rows


@router.get("/compliance/w9s", response={200: W9Page, **ERRORS}, summary="W-9s, TINs masked")
@api_access()
def list_w9s(request, filters: Query[W9Filters]):
    rows = selectors.w9s(request.org)
    if filters.provider is not None:
        rows = rows.filter(provider_id=filters.provider)
    page = paginate(rows, filters.page, filters.per_page)
    page["results"] = _w9_rows(request, page["results"])
    return page


@router.post(
    "/compliance/w9s",
    response={201: W9Out, **ERRORS},
    summary="Record a W-9 (multipart: the signed form as 'file' and the fields)",
)
@api_access(Role.MANAGER)
@fields_named(document="file")
def create_w9(request, file: File[UploadedFile], form: Form[W9In]):
    provider = Provider.objects.for_org(request.org).filter(pk=form.provider_id).first()
    if provider is None:
        raise ValidationError({"provider_id": "Choose a provider of this organization."})
    data = form.dict(exclude={"provider_id", "tin"})
    w9 = services.record_w9(provider, actor=request.user, data=data, tin=form.tin, upload=file)
    return Status(201, _w9_rows(request, [_w9(request, w9.pk)])[0])


def _w9(request, pk):
    return get_for_org_or_404(selectors.w9s(request.org), request.org, pk=pk)


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
    tin = services.reveal_tin(w9, actor=request.user, membership=request.membership)
    return {"id": w9.pk, "tin_type": w9.tin_type, "tin": tin}


@router.get(
    "/compliance/w9s/{w9_id}/file",
    response=ERRORS,
    summary="The signed form, which shows the TIN (owners and admins; recorded)",
)
@api_access(Role.ADMIN)
def w9_file(request, w9_id: int):
    w9 = _w9(request, w9_id)
    handle = services.open_w9_document(w9, actor=request.user, membership=request.membership)
    return FileResponse(
        handle,
        as_attachment=True,
        content_type=w9.document_type,
        filename=f"w9-{w9.provider_id}.{w9.document.name.rsplit('.', 1)[-1]}",
    )


class PayeeOut(Schema):
    provider_id: int
    name: str
    paid: Decimal
    last_paid: date | None


@router.get(
    "/compliance/payees-without-w9",
    response={200: list[PayeeOut], **ERRORS},
    summary="Paid or engaged providers with no W-9 on file",
)
@api_access()
def payees_without_w9(request):
    return [
        {"provider_id": p.pk, "name": p.name, "paid": p.paid or 0, "last_paid": p.last_paid}
        for p in selectors.payees_without_w9(request.org)
    ]


# --- Invoices and payments -------------------------------------------------------------------
class InvoiceOut(Schema):
    id: int
    provider_id: int
    engagement_id: int | None
    number: str
    issued_on: date
    due_on: date | None
    amount: Decimal
    description: str


class InvoiceIn(Schema):
    provider_id: int
    engagement_id: int | None = None
    number: str
    issued_on: date
    due_on: date | None = None
    amount: Decimal
    description: str = ""


class InvoicePage(Schema):
    count: int
    page: int
    per_page: int
    results: list[InvoiceOut]


class PageFilters(Schema):
    provider: int | None = None
    page: int = 1
    per_page: int = 50


@router.get("/compliance/invoices", response={200: InvoicePage, **ERRORS})
@api_access()
def list_invoices(request, filters: Query[PageFilters]):
    rows = Invoice.objects.for_org(request.org)
    if filters.provider is not None:
        rows = rows.filter(provider_id=filters.provider)
    return paginate(rows, filters.page, filters.per_page)


@router.post("/compliance/invoices", response={201: InvoiceOut, **ERRORS})
@api_access(Role.MANAGER)
@fields_named(provider="provider_id", engagement="engagement_id")
def create_invoice(request, payload: InvoiceIn):
    invoice = services.record_invoice(
        request.org,
        actor=request.user,
        provider_id=payload.provider_id,
        engagement_id=payload.engagement_id,
        data=payload.dict(exclude={"provider_id", "engagement_id"}),
    )
    return Status(201, invoice)


class PaymentOut(Schema):
    id: int
    provider_id: int
    provider_name: str
    engagement_id: int | None
    invoice_id: int | None
    paid_on: date
    amount: Decimal
    method: PaymentMethod
    reference: str
    processor_reported: bool = Field(description="Card or network: on the processor's 1099-K.")
    without_w9: bool = Field(description="No W-9 was on file when it was recorded.")

    @staticmethod
    def resolve_provider_name(payment):
        return payment.provider.name


class PaymentCreatedOut(PaymentOut):
    warnings: list[str]


class PaymentIn(Schema):
    provider_id: int
    engagement_id: int | None = None
    invoice_id: int | None = None
    paid_on: date
    amount: Decimal
    method: PaymentMethod
    reference: str = ""
    confirm_date: bool = Field(
        False,
        description="True confirms a date after today (scheduled ahead), before the payee's "
        "engagement starts, or more than two tax years back; without it such a date is 422.",
    )


class PaymentPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[PaymentOut]


class PaymentFilters(PageFilters):
    year: int | None = Field(None, description="Calendar year of payment.")
    paid_from: date | None = Field(None, description="Paid on or after this day.")
    paid_to: date | None = Field(None, description="Paid on or before this day.")


@router.get("/compliance/payments", response={200: PaymentPage, **ERRORS})
@api_access()
def list_payments(request, filters: Query[PaymentFilters]):
    rows = selectors.payments(request.org)
    if filters.provider is not None:
        rows = rows.filter(provider_id=filters.provider)
    if filters.year is not None:
        rows = rows.filter(paid_on__year=filters.year)
    if filters.paid_from is not None:
        rows = rows.filter(paid_on__gte=filters.paid_from)
    if filters.paid_to is not None:
        rows = rows.filter(paid_on__lte=filters.paid_to)
    return paginate(rows, filters.page, filters.per_page)


@router.post(
    "/compliance/payments",
    response={201: PaymentCreatedOut, **ERRORS},
    summary="Record a payment (a payee without a W-9 warns, or is refused by the settings)",
)
@api_access(Role.MANAGER)
@fields_named(provider="provider_id", engagement="engagement_id", invoice="invoice_id")
def create_payment(request, payload: PaymentIn):
    payment, warnings = services.record_payment(
        request.org,
        actor=request.user,
        provider_id=payload.provider_id,
        engagement_id=payload.engagement_id,
        invoice_id=payload.invoice_id,
        data=payload.dict(exclude={"provider_id", "engagement_id", "invoice_id", "confirm_date"}),
        confirm_date=payload.confirm_date,
    )
    payment = selectors.payments(request.org).get(pk=payment.pk)
    payment.warnings = warnings
    return Status(201, payment)


class ImportIn(Schema):
    csv: str = Field(description="The file's text, header row first.")
    commit: bool = Field(False, description="False: a dry run that saves nothing.")


class PaymentImportRowOut(Schema):
    line: int
    provider: str
    paid_on: str
    amount: str
    errors: list[str]
    warnings: list[str]


class PaymentImportOut(Schema):
    imported: int
    rows: list[PaymentImportRowOut]


@router.post(
    "/compliance/payments/import",
    response={200: PaymentImportOut, **ERRORS},
    summary="Import payments from CSV: a dry run, or all rows or none",
)
@api_access(Role.MANAGER)
def import_payments(request, payload: ImportIn):
    try:
        rows = csv_rows(payload.csv)
    except ValidationError as error:
        raise ValidationError({"csv": error.messages}) from None
    report = services.import_payments(
        request.org, actor=request.user, rows=rows, commit=payload.commit
    )
    ok = report and not any(entry["errors"] for entry in report)
    if any(entry["errors"] for entry in report):
        return Status(
            422,
            {
                "detail": "Nothing was imported: some rows are bad.",
                "errors": [
                    {"field": f"line {e['line']}", "message": m}
                    for e in report
                    for m in e["errors"]
                ],
                # Each message starts with its column ("paid_on: …").
            },
        )
    return {"imported": len(report) if payload.commit and ok else 0, "rows": report}


# --- 1099-NEC --------------------------------------------------------------------------------
class NecRowOut(Schema):
    provider_id: int
    provider_name: str
    total: Decimal
    processor_reported: Decimal
    reportable: Decimal
    needs_form: bool
    reason: ReportableReason
    corporation: bool
    attorney: bool
    w9_state: Literal["on_file", "missing"]
    tin_masked: str | None


class FilingOut(Schema):
    tax_year: int
    filed_on: date
    method: FilingMethod
    service_name: str
    confirmation: str
    recorded_by: str | None
    recorded_at: datetime
    version: int

    @staticmethod
    def resolve_recorded_by(filing):
        return str(filing.recorded_by) if filing.recorded_by else None


class FilingIn(Schema):
    filed_on: date
    method: FilingMethod
    service_name: str = Field("", description="Only for method=service: its name.")
    confirmation: str = Field(
        "", description="IRIS's Receipt ID or the service's confirmation; not needed on paper."
    )


class FilingPatch(Schema):
    filed_on: date | None = None
    method: FilingMethod | None = None
    service_name: str | None = None
    confirmation: str | None = None
    version: int | None = Field(
        None, description="The version you corrected; a newer stored version answers 409."
    )


class NecOut(Schema):
    year: int
    threshold: Decimal
    threshold_source: str
    threshold_note: str = Field(
        description="Said when the year has no threshold entered and another year's is used."
    )
    deadline: date
    past_due: bool = Field(description="The deadline has passed with forms needed, not filed.")
    needing_forms: int
    missing_w9: int
    filing: FilingOut | None
    rows: list[NecRowOut]


class UnfiledYearOut(Schema):
    year: int
    forms: int
    deadline: date
    past_due: bool
    message: str


class FilingStatusOut(Schema):
    years_paid: list[int] = Field(description="Every year with payments, newest first.")
    unfiled: list[UnfiledYearOut] = Field(
        description="Past years whose forms are needed and not marked filed, oldest first."
    )
    filings: list[FilingOut]


@router.get(
    "/compliance/1099",
    response={200: FilingStatusOut, **ERRORS},
    summary="Every year with payments, the past years still to file, and the filings recorded",
)
@api_access()
def nec_status(request):
    status = selectors.filing_status(request.org, services.org_today(request.org))
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
    report = selectors.nec_report(request.org, year)
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
def nec_export(request, year: int):
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Choose a year from 2000 to 2100."})
    report = selectors.nec_report(request.org, year)
    rows = exports.nec_rows(request.org, report)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(exports.NEC_COLUMNS)
    writer.writerows(rows)
    services.record_export(request.org, actor=request.user, year=year, count=len(rows))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
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
    return get_for_org_or_404(
        selectors.filings_of(request.org), request.org, tax_year=_tax_year(year)
    )


@router.post(
    "/compliance/1099/{year}/filing",
    response={201: FilingOut, **FILING_ERRORS},
    summary="Mark a past tax year's 1099-NEC forms filed (owners and admins; audited)",
)
@api_access(Role.ADMIN)
def record_filing(request, year: int, payload: FilingIn):
    filing = services.record_filing(
        request.org,
        actor=request.user,
        membership=request.membership,
        tax_year=_tax_year(year),
        data=payload.dict(),
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
    data = payload.dict(exclude_unset=True, exclude={"version"})
    return services.correct_filing(
        filing,
        actor=request.user,
        membership=request.membership,
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
    services.undo_filing(
        filing, actor=request.user, membership=request.membership, expected_version=version
    )
    return Status(204, None)
