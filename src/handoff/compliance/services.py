"""Comply's operations: assessments, W-9s (with the TIN encrypted), the tax checks on each
new payment, 1099-NEC filings, and the organization's settings. Each owns its transaction,
checks that every linked row belongs to the organization, and writes the audit trail — which
records that a TIN was entered or revealed, never the TIN."""

import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from handoff.compliance import classification, selectors, tin_matching, tins
from handoff.compliance.choices import (
    Answer,
    FilingMethod,
    LlcClassification,
    TaxClassification,
    TinType,
)
from handoff.compliance.models import (
    W9,
    AssessedEngagement,
    ClassificationAssessment,
    ComplianceSettings,
    Filing1099,
    OnboardingLink,
    masked,
)
from handoff.core import audit
from handoff.core.choices import US_STATE_CODES
from handoff.core.errors import Conflict
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.core.uploads import sniff_document
from handoff.engagements.models import Engagement
from handoff.payables.models import Payment
from handoff.providers.models import Provider

# --- Settings --------------------------------------------------------------------------------
# The payer on the 1099 returns (IRIS); the TIN comes separately as ``payer_tin``.
PAYER_FIELDS = [
    "payer_tin_type",
    "payer_name",
    "payer_name_2",
    "payer_address",
    "payer_address_2",
    "payer_city",
    "payer_state",
    "payer_postal_code",
    "payer_country",
    "payer_phone",
]
SETTINGS_FIELDS = ["refuse_payments_without_w9", "benefits_cost_percent", *PAYER_FIELDS]


def _clean_payer(data: dict) -> None:
    """Payer details as stored: trimmed, state and country upper-case, the state a US code."""
    for key in PAYER_FIELDS:
        if key in data and isinstance(data[key], str):
            data[key] = " ".join(data[key].split())
    for key in ("payer_state", "payer_country"):
        if data.get(key):
            data[key] = data[key].upper()
    if data.get("payer_state") and data["payer_state"] not in US_STATE_CODES:
        raise ValidationError({"payer_state": "Enter the two-letter code of a US state."})
    if data.get("payer_phone") and not re.fullmatch(
        r"\d{10,15}", re.sub(r"[\s().+-]", "", data["payer_phone"])
    ):
        raise ValidationError({"payer_phone": "Enter a phone number of 10 to 15 digits."})


@transaction.atomic
def update_settings(principal: Principal, *, data: dict) -> ComplianceSettings:
    """Change the settings; ``data["payer_tin"]``, when given, replaces the payer's TIN (kept
    encrypted like a W-9's; the audit trail shows only its masked form)."""
    principal.require_in(principal.organization_id, Role.ADMIN, "Changing the Comply settings")
    org, actor = principal.organization, principal.user
    current = selectors.settings_for(principal)
    current = ComplianceSettings.objects.select_for_update().get(pk=current.pk)
    raw_tin = (data.get("payer_tin") or "").strip()
    data = {key: value for key, value in data.items() if key in SETTINGS_FIELDS}
    _clean_payer(data)
    before = {key: getattr(current, key) for key in data}
    for key, value in data.items():
        setattr(current, key, value)
    tin_type = current.payer_tin_type
    if raw_tin:
        if not tin_type:
            raise ValidationError({"payer_tin_type": "Choose whether the TIN is an EIN or SSN."})
        digits = tins.normalize(tin_type, raw_tin, field="payer_tin")
        before["payer_tin"] = current.masked_payer_tin
        current.payer_tin_encrypted = tins.encrypt(digits)
        current.payer_tin_last4 = digits[-4:]
        data = {**data, "payer_tin": masked(tin_type, current.payer_tin_last4)}
    current.full_clean(validate_constraints=False)
    changes = audit.diff(before, data)
    if changes:
        current.version += 1
        current.save()
        audit.record(
            org,
            actor,
            "compliance_settings.updated",
            current,
            "Changed the Comply settings",
            changes,
        )
    return current


# --- Assessments -----------------------------------------------------------------------------
def _clean_answers(rules: classification.Rules, answers: dict) -> dict:
    """Answers as stored: every factor, "yes"/"no" with the evidence that shows it."""
    errors = {}
    stored = {}
    for factor in rules.factors:
        given = answers.get(factor.key) or {}
        answer = given.get("answer") or Answer.UNSURE
        evidence = " ".join((given.get("evidence") or "").split())
        if answer not in Answer.values:
            errors[f"factor_{factor.key}"] = ["Answer yes, no or not sure."]
        elif answer != Answer.UNSURE and not evidence:
            errors[f"factor_{factor.key}"] = [
                "Say what shows this (the contract, an e-mail, how the work is actually done)."
            ]
        elif len(evidence) > 1000:
            errors[f"factor_{factor.key}"] = ["Keep the evidence under 1,000 characters."]
        stored[factor.key] = {"answer": answer, "evidence": evidence}
    unknown = set(answers) - {factor.key for factor in rules.factors}
    if unknown:
        errors["answers"] = ["Unknown factors: " + ", ".join(sorted(unknown)) + "."]
    if errors:
        raise ValidationError(errors)
    return stored


def _clean_state_answers(rules: classification.Rules, state_answers: dict) -> dict:
    errors = {}
    stored = {}
    for test in rules.state_tests:
        given = state_answers.get(test.state) or {}
        prongs = {}
        for prong in test.prongs:
            raw = (given.get("prongs") or {}).get(prong.key) or {}
            answer = raw.get("answer") or Answer.UNSURE
            evidence = " ".join((raw.get("evidence") or "").split())
            field = f"state_{test.state}_{prong.key}"
            if answer not in Answer.values:
                errors[field] = ["Answer yes, no or not sure."]
            elif answer != Answer.UNSURE and not evidence:
                errors[field] = ["Say what shows this."]
            prongs[prong.key] = {"answer": answer, "evidence": evidence}
        exemption = given.get("exemption") or ""
        exemption_evidence = " ".join((given.get("exemption_evidence") or "").split())
        if exemption and exemption not in {e.key for e in test.exemptions}:
            errors[f"state_{test.state}_exemption"] = [f"{test.name} lists no such exemption."]
        elif exemption and not exemption_evidence:
            errors[f"state_{test.state}_exemption"] = [
                "Say how each condition of the exemption is met."
            ]
        stored[test.state] = {
            "prongs": prongs,
            "exemption": exemption,
            "exemption_evidence": exemption_evidence,
        }
    if errors:
        raise ValidationError(errors)
    return stored


def _answers_as_data(stored: dict) -> dict[str, classification.FactorAnswer]:
    return {
        key: classification.FactorAnswer(v["answer"], v["evidence"]) for key, v in stored.items()
    }


@transaction.atomic
def create_assessment(
    principal: Principal,
    provider: Provider,
    *,
    answers: dict,
    state_answers: dict | None = None,
    engagement_ids=(),
    annual_payments=None,
    notes: str = "",
    today: date | None = None,
) -> ClassificationAssessment:
    """Assess ``provider`` under the rules in force today and the organization's states' tests.

    ``answers`` maps a factor key to ``{"answer": "yes"|"no"|"unsure", "evidence": "..."}``;
    ``state_answers`` maps a state to ``{"prongs": {key: answer}, "exemption": key, ...}``.
    The engagements named must be this provider's; their terms are kept to tell when the
    assessment goes stale. A new assessment of the same provider is the next version."""
    principal.require_in(provider.organization_id, Role.MANAGER, "Assessing a provider's status")
    org, actor = provider.organization, principal.user
    today = today or timezone.localdate()
    rule_set = selectors.rule_set_on(today)
    tests = selectors.state_tests_on(today, org.states)
    rules = selectors.rules_for(rule_set, tests)
    stored_answers = _clean_answers(rules, answers)
    stored_states = _clean_state_answers(rules, state_answers or {})
    engagements = _engagements_of(principal, provider, engagement_ids)
    if annual_payments in (None, ""):
        annual_payments, basis = selectors.suggested_annual_payments(principal, provider)
    else:
        basis = "entered by the assessor"
    try:
        annual_payments = Decimal(str(annual_payments))
    except InvalidOperation:
        raise ValidationError({"annual_payments": "Enter an amount of money."}) from None
    if annual_payments < 0 or annual_payments >= Decimal("10000000000"):
        raise ValidationError({"annual_payments": "Enter an amount from 0 to 9,999,999,999."})
    if len(notes) > 5000:
        raise ValidationError({"notes": "Keep the notes under 5,000 characters."})
    result = classification.assess(
        rules,
        _answers_as_data(stored_answers),
        selectors.state_answers_of(ClassificationAssessment(state_answers=stored_states)),
        states=[test.state for test in tests],
    )
    Provider.objects.select_for_update().visible_to(principal).get(pk=provider.pk)
    number = (
        ClassificationAssessment.objects.visible_to(principal)
        .filter(provider=provider)
        .aggregate(n=Max("number"))["n"]
        or 0
    ) + 1
    assessment = ClassificationAssessment.objects.create(
        organization=org,
        provider=provider,
        number=number,
        rule_set=rule_set,
        answers=stored_answers,
        state_answers=stored_states,
        state_test_ids=[test.pk for test in tests],
        outcome=result.outcome,
        federal_outcome=result.federal_outcome,
        employee_weight=result.employee_weight,
        contractor_weight=result.contractor_weight,
        annual_payments=annual_payments.quantize(Decimal("0.01")),
        payments_basis=basis,
        exposure_year=today.year,
        notes=notes.strip(),
        created_by=actor,
    )
    AssessedEngagement.objects.bulk_create(
        [
            AssessedEngagement(
                organization=org,
                assessment=assessment,
                engagement=engagement,
                agreement_version=selectors.latest_agreement_version(principal, engagement),
                terms=selectors.terms_of(engagement),
            )
            for engagement in engagements
        ]
    )
    audit.record(
        org,
        actor,
        "assessment.created",
        assessment,
        f"Assessed the status of {provider.name} (version {number}): "
        f"{assessment.get_outcome_display().lower()}",
    )
    return assessment


def _engagements_of(principal: Principal, provider: Provider, engagement_ids) -> list[Engagement]:
    ids = {int(pk) for pk in engagement_ids or ()}
    found = list(Engagement.objects.visible_to(principal).filter(pk__in=ids, provider=provider))
    if len(found) != len(ids):
        raise ValidationError({"engagements": f"Choose engagements with {provider.name}."})
    return found


# --- W-9 -------------------------------------------------------------------------------------
W9_FIELDS = [
    "legal_name",
    "business_name",
    "tax_classification",
    "llc_classification",
    "exempt_payee_code",
    "is_attorney",
    "tin_type",
    "item_2_crossed_out",
    "street",
    "city",
    "state",
    "postal_code",
    "signed_on",
]


@transaction.atomic
def record_w9(principal: Principal, provider: Provider, *, data: dict, tin: str, upload) -> W9:
    """Keep a payee's W-9: the fields of the form, the signed copy, and the TIN encrypted.
    The newest W-9 of a provider is the one in force; older ones are kept. A manager enters
    one; the payee signs one through the onboarding link sent to them (``onboarding``)."""
    if principal.is_link:
        link = principal.require_grant(OnboardingLink, "Signing a W-9")
        if link.provider_id != provider.pk:
            raise PermissionDenied("This link is for another payee's W-9.")
    else:
        principal.require_in(provider.organization_id, Role.MANAGER, "Recording a W-9")
    org, actor = provider.organization, principal.user
    row = W9(
        organization=org,
        provider=provider,
        received_by=actor,
        **{key: value for key, value in data.items() if key in W9_FIELDS},
    )
    if isinstance(row.state, str):
        row.state = row.state.strip().upper()
    errors = {}
    try:
        row.full_clean(
            exclude=[
                "tin_encrypted",
                "tin_hash",
                "tin_last4",
                "document",
                "document_type",
                "received_by",
            ],
            validate_constraints=False,
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if row.state and row.state not in US_STATE_CODES:
        errors.setdefault("state", []).append("Use the two-letter code of a US state.")
    if row.postal_code and not _zip_ok(row.postal_code):
        errors.setdefault("postal_code", []).append("Enter a ZIP code: 12345 or 12345-6789.")
    if row.tax_classification == TaxClassification.LLC and not row.llc_classification:
        errors.setdefault("llc_classification", []).append(
            "For an LLC, give its tax classification: C, S or P."
        )
    if row.tax_classification != TaxClassification.LLC and row.llc_classification:
        row.llc_classification = LlcClassification.NONE
    if row.signed_on and row.signed_on > row.organization.today():
        errors.setdefault("signed_on", []).append("The date signed is in the future.")
    if row.tin_type in (TinType.SSN, TinType.ITIN) and row.tax_classification in (
        TaxClassification.C_CORPORATION,
        TaxClassification.S_CORPORATION,
        TaxClassification.PARTNERSHIP,
    ):
        errors.setdefault("tin_type", []).append("A corporation or partnership gives an EIN.")
    digits = None
    try:
        digits = tins.normalize(row.tin_type, tin)
    except ValidationError as error:
        errors.update(error.message_dict)
    if upload is None:
        errors.setdefault("document", []).append("Upload the signed W-9 (PDF, PNG or JPEG).")
    else:
        try:
            row.document_type, extension = sniff_document(upload)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    row.tin_encrypted = tins.encrypt(digits)
    row.tin_hash = tins.fingerprint(digits)
    row.tin_last4 = digits[-4:]
    # The scan shows the full TIN: it is stored encrypted like the TIN (read it back with
    # open_w9_document). Its size was checked by sniff_document.
    store_encrypted(row.document, f"w9-{row.signed_on:%Y%m%d}.{extension}", upload)
    row.save()
    audit.record(
        org,
        actor,
        "w9.received",
        row,
        f"Recorded the W-9 of {provider.name} signed {row.signed_on:%Y-%m-%d}",
    )
    # A W-9 the payee signed through their link ends a case as one a manager enters does;
    # the case is the organization's, so it is read as the organization.
    tin_matching.certified_tin_arrived(
        Principal.system(org) if principal.is_link else principal, row
    )
    return row


def store_encrypted(document, name: str, upload) -> None:
    """Keep ``upload`` in ``document`` (the file field of a row about to be saved) encrypted
    with the TIN key ring, as ``name.enc``: a signed tax form shows taxpayer numbers."""
    upload.seek(0)
    document.save(f"{name}.enc", ContentFile(tins.encrypt_file(upload.read())), save=False)


def _zip_ok(value: str) -> bool:
    return bool(re.fullmatch(r"\d{5}(-\d{4})?", value.strip()))


def can_reveal(principal: Principal) -> bool:
    """Owners and admins see a full TIN (and the signed form, which shows it)."""
    return principal.at_least(Role.ADMIN)


@transaction.atomic
def reveal_tin(principal: Principal, w9: W9) -> str:
    """The full TIN, for an owner or admin; the audit trail records who saw whose, not what."""
    principal.require_in(w9.organization_id, Role.ADMIN, "Revealing a TIN")
    audit.record(
        w9.organization,
        principal.user,
        "w9.tin_revealed",
        w9,
        f"Revealed the TIN on the W-9 of {w9.provider.name}",
    )
    return tins.formatted(w9.tin_type, tins.decrypt(w9.tin_encrypted))


@transaction.atomic
def open_w9_document(principal: Principal, w9: W9):
    """The signed form, which shows the full TIN: owners and admins only, and recorded."""
    principal.require_in(w9.organization_id, Role.ADMIN, "Opening a signed W-9 (it shows the TIN)")
    audit.record(
        w9.organization,
        principal.user,
        "w9.document_opened",
        w9,
        f"Opened the signed W-9 of {w9.provider.name}",
    )
    return decrypted_document(w9)


def decrypted_document(w9: W9) -> io.BytesIO:
    """The signed W-9 as stored, decrypted; the caller has checked who opens it and recorded
    it (it shows the full TIN)."""
    with w9.document.open("rb") as stored:
        return io.BytesIO(tins.decrypt_file(stored.read()))


@transaction.atomic
def record_export(principal: Principal, *, year: int, count: int) -> None:
    """Note in the audit trail that the year's 1099-NEC list (with full TINs) left the app."""
    principal.require_in(principal.organization_id, Role.ADMIN, "Exporting the 1099-NEC list")
    org = principal.organization
    audit.record(
        org,
        principal.user,
        "nec.exported",
        selectors.settings_for(principal),
        f"Exported the {year} 1099-NEC list with {count} TINs",
    )


def org_today(org) -> date:
    """Today in the organization's time zone."""
    return org.today()


# --- Payments' tax side ------------------------------------------------------------------------
def w9_warning(provider: Provider) -> str:
    return (
        f"{provider.name} has no W-9 on file. Ask for one before paying again: without a TIN "
        "you may have to withhold 24% (backup withholding) and cannot file their 1099-NEC."
    )


def check_payment(principal: Principal, payment: Payment) -> list[str]:
    """Comply's checks on a payment about to be recorded (registered with
    ``payables.hooks``): a payee with neither a W-9 nor a W-8 in force is a warning, or a
    refusal when the organization's settings say so; backup withholding is set while an IRS
    name/TIN notice's case calls for it."""
    warnings = []
    has_form = (
        W9.objects.visible_to(principal).filter(provider=payment.provider).exists()
        or selectors.w8s_in_force(principal, payment.paid_on)
        .filter(provider=payment.provider)
        .exists()
    )
    if not has_form:
        if selectors.settings_for(principal).refuse_payments_without_w9:
            raise ValidationError(
                {
                    "provider": f"{payment.provider.name} has no W-9 on file, and your Comply "
                    "settings refuse payments without one. Record their W-9 first."
                }
            )
        payment.without_w9 = True
        warnings.append(w9_warning(payment.provider))
    payment.backup_withheld = tin_matching.withholding_for(principal, payment)
    if payment.backup_withheld:
        warnings.append(
            f"{payment.provider.name}'s name and TIN do not match the IRS's records: withhold "
            f"{payment.backup_withheld} from this payment for the IRS (backup withholding, "
            "Form 945; 1099-NEC box 4) until a certified TIN arrives."
        )
    return warnings


def check_approval(principal: Principal, invoice) -> list[str]:
    """Comply's check on an invoice about to be approved (registered with
    ``payables.hooks.on_approval``): a provider with neither a W-9 nor a W-8 in force is a
    warning, or a refusal when the settings refuse payments without one."""
    provider = invoice.provider
    has_form = (
        W9.objects.visible_to(principal).filter(provider=provider).exists()
        or selectors.w8s_in_force(principal, org_today(principal.organization))
        .filter(provider=provider)
        .exists()
    )
    if has_form:
        return []
    if selectors.settings_for(principal).refuse_payments_without_w9:
        raise ValidationError(
            {
                "provider": f"{provider.name} has no W-9 on file, and your Comply settings "
                "refuse payments without one, so their invoice cannot be approved. Record "
                "their W-9 first."
            }
        )
    return [w9_warning(provider)]


# --- 1099-NEC filings ------------------------------------------------------------------------
FILING_FIELDS = ["filed_on", "method", "service_name", "confirmation"]


def _check_filing(org, filing: Filing1099) -> None:
    """The filing's own rules, each refusal on its field."""
    today = org_today(org)
    errors = {}
    year = filing.tax_year
    if year is None or not 2000 <= year < today.year:
        errors["tax_year"] = (
            f"Only a past tax year can be filed: {year} is not over yet."
            if year and year >= today.year
            else "Choose a tax year from 2000 on."
        )
    if filing.filed_on and year and not errors:
        opens = date(year + 1, 1, 1)
        if filing.filed_on > today:
            errors["filed_on"] = (
                f"{filing.filed_on:%b %-d, %Y} is after today ({today:%b %-d, %Y}): record the "
                "filing once it is made."
            )
        elif filing.filed_on < opens:
            errors["filed_on"] = (
                f"{filing.filed_on:%b %-d, %Y} is before {opens:%b %-d, %Y}: the {year} forms "
                "can be filed only once the year is over."
            )
    if filing.method in (FilingMethod.IRIS, FilingMethod.SERVICE) and not filing.confirmation:
        errors["confirmation"] = (
            "Enter the confirmation number (IRIS shows a Receipt ID; a filing service gives "
            "its own)."
        )
    if filing.method == FilingMethod.SERVICE and not filing.service_name:
        errors["service_name"] = "Name the filing service."
    if filing.method != FilingMethod.SERVICE:
        filing.service_name = ""
    if errors:
        raise ValidationError(errors)


def _filing_summary(filing: Filing1099) -> str:
    number = f", confirmation {filing.confirmation}" if filing.confirmation else ""
    return (
        f"1099-NEC forms for {filing.tax_year} filed on {filing.filed_on:%Y-%m-%d} "
        f"{filing.how}{number}"
    )


@transaction.atomic
def record_filing(principal: Principal, *, tax_year: int, data: dict) -> Filing1099:
    """Mark a past tax year's 1099-NEC forms filed: the dashboard and the deadline reminders
    stop asking for it. Owners and admins; one filing per year."""
    principal.require_in(principal.organization_id, Role.ADMIN, "Recording a 1099-NEC filing")
    org, actor = principal.organization, principal.user
    filing = Filing1099(
        organization=org,
        tax_year=tax_year,
        recorded_by=actor,
        **{key: value for key, value in data.items() if key in FILING_FIELDS},
    )
    filing.service_name = (filing.service_name or "").strip()
    filing.confirmation = (filing.confirmation or "").strip()
    filing.full_clean(validate_constraints=False)
    _check_filing(org, filing)
    if Filing1099.objects.visible_to(principal).filter(tax_year=tax_year).exists():
        raise ValidationError(
            {"tax_year": f"The {tax_year} forms are already marked filed: correct that record."}
        )
    filing.save()
    audit.record(org, actor, "nec.filed", filing, "Recorded: " + _filing_summary(filing))
    return filing


@transaction.atomic
def correct_filing(
    principal: Principal, filing: Filing1099, *, data: dict, expected_version: int | None = None
) -> Filing1099:
    """Correct a recorded filing (date, how, confirmation); owners and admins."""
    principal.require_in(filing.organization_id, Role.ADMIN, "Correcting a 1099-NEC filing")
    org, actor = filing.organization, principal.user
    filing = Filing1099.objects.visible_to(principal).select_for_update().get(pk=filing.pk)
    if expected_version is not None and filing.version != expected_version:
        raise Conflict(filing.version)
    before = {key: getattr(filing, key) for key in FILING_FIELDS}
    for key, value in data.items():
        if key in FILING_FIELDS:
            setattr(filing, key, value.strip() if isinstance(value, str) else value)
    filing.full_clean(validate_constraints=False)
    _check_filing(org, filing)
    changes = audit.diff(before, {key: getattr(filing, key) for key in FILING_FIELDS})
    if changes:
        filing.version += 1
        filing.save()
        audit.record(
            org,
            actor,
            "nec.filing_corrected",
            filing,
            "Corrected: " + _filing_summary(filing),
            changes,
        )
    return filing


@transaction.atomic
def undo_filing(
    principal: Principal, filing: Filing1099, *, expected_version: int | None = None
) -> None:
    """Take back a filing recorded by mistake: the year is reported as unfiled again."""
    principal.require_in(filing.organization_id, Role.ADMIN, "Undoing a 1099-NEC filing")
    org, actor = filing.organization, principal.user
    filing = Filing1099.objects.visible_to(principal).select_for_update().get(pk=filing.pk)
    if expected_version is not None and filing.version != expected_version:
        raise Conflict(filing.version)
    audit.record(org, actor, "nec.filing_undone", filing, "Undone: " + _filing_summary(filing))
    filing.delete()
