"""Reads that Comply's pages, API and jobs share: the dated rules in force, assessments with
their results and staleness, W-9s, payments, and the 1099-NEC report of a year."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from handoff.compliance import classification, exposure, foreign, iris, tins
from handoff.compliance.choices import ReportableReason
from handoff.compliance.models import (
    W8,
    W9,
    AssessedEngagement,
    ClassificationAssessment,
    ClassificationFactor,
    ClassificationRuleSet,
    ComplianceSettings,
    Filing1099,
    Form1099Threshold,
    Section3509Rates,
    StateTest,
)
from handoff.decisions.models import PayrollTaxRates
from handoff.engagements.choices import EngagementStatus
from handoff.engagements.models import AgreementVersion, Engagement
from handoff.payables import selectors as payables
from handoff.payables.models import Payment
from handoff.providers.choices import EntityType, ProviderKind
from handoff.providers.models import Provider

HUNDRED = Decimal(100)
STALE_AFTER = relativedelta(months=12)

# The engagement terms that bear on the factors: hours, pay basis, length, and the scope
# (which is where exclusivity and the work's place in the business are written down).
CLASSIFICATION_TERMS = {
    "pricing_model": "pay basis",
    "billing_period": "pay basis",
    "monthly_quantity": "hours (the monthly estimate)",
    "start_date": "length (start date)",
    "end_date": "length (end date)",
    "auto_renew": "length (renewal)",
    "renewal_months": "length (renewal)",
    "scope": "scope (what they do, and for whom)",
}


class MissingRules(LookupError):
    pass


# --- Dated rows ------------------------------------------------------------------------------
def in_force(rows, on: date):
    """The row in force on ``on`` (the latest to start, if several); else the latest row, so a
    date beyond the table still gets figures — pages say which row is used."""
    rows = list(rows)
    if not rows:
        raise MissingRules("Comply's dated tables are empty: run `handoff migrate`.")
    covering = [
        row
        for row in rows
        if row.effective_from <= on and (row.effective_to is None or row.effective_to >= on)
    ]
    return max(covering or rows, key=lambda row: row.effective_from)


def covers(row, on: date) -> bool:
    """Whether a dated row is in force on ``on`` (not merely the nearest one used instead)."""
    return row.effective_from <= on and (row.effective_to is None or row.effective_to >= on)


def stand_in_note(what: str, year: int, row) -> str:
    """Empty when ``row`` is in force in ``year``; else the sentence the pages and the API
    show: which year's figures were used because that year has none entered."""
    if covers(row, date(year, 7, 1)):
        return ""
    return (
        f"No {what} for {year} is entered yet (it may not be published); the figures in force "
        f"from {row.effective_from:%B %-d, %Y} are used instead."
    )


def threshold_for(year: int) -> Form1099Threshold:
    """The 1099-NEC threshold for payments made in ``year`` (payments of 12-31 decide)."""
    return in_force(Form1099Threshold.objects.all(), date(year, 12, 31))


def threshold_note(year: int, threshold: Form1099Threshold) -> str:
    if covers(threshold, date(year, 12, 31)):
        return ""
    return (
        f"The 1099-NEC threshold for {year} is not entered yet (it is indexed for inflation "
        f"and may not be published); the {threshold.effective_from.year} threshold of "
        f"${threshold.amount:,.0f} is used instead."
    )


def rule_set_on(on: date) -> ClassificationRuleSet:
    return in_force(ClassificationRuleSet.objects.all(), on)


def state_tests_on(on: date, states) -> list[StateTest]:
    by_state = defaultdict(list)
    for test in StateTest.objects.filter(state__in=list(states)):
        by_state[test.state].append(test)
    return [in_force(tests, on) for _, tests in sorted(by_state.items())]


def as_factor(row: ClassificationFactor) -> classification.Factor:
    return classification.Factor(
        key=row.key,
        category=row.category,
        question=row.question,
        yes_points_to=row.yes_points_to,
        yes_weight=row.yes_weight,
        no_weight=row.no_weight,
        help_text=row.help_text,
        source=row.source,
    )


def as_state_test(row: StateTest) -> classification.StateTest:
    return classification.StateTest(
        state=row.state,
        name=row.name,
        applies_to=row.applies_to,
        prongs=tuple(classification.Prong(**prong) for prong in row.prongs),
        exemptions=tuple(
            classification.Exemption(
                key=e["key"],
                name=e["name"],
                description=e["description"],
                citation=e.get("citation", ""),
            )
            for e in row.exemptions
        ),
        source=row.source,
    )


def rules_for(rule_set: ClassificationRuleSet, state_tests) -> classification.Rules:
    return classification.Rules(
        factors=tuple(as_factor(row) for row in rule_set.factors.all()),
        employee_share_at_least=rule_set.employee_share_at_least,
        contractor_share_at_most=rule_set.contractor_share_at_most,
        min_answered_share=rule_set.min_answered_share,
        state_tests=tuple(as_state_test(row) for row in state_tests),
    )


def settings_for(principal) -> ComplianceSettings:
    found = ComplianceSettings.objects.visible_to(principal).first()
    return found or ComplianceSettings.objects.create(organization=principal.organization)


def payer_of(principal) -> iris.Payer:
    """The payer on the organization's information returns and recipient copies, from Comply's
    settings (the organization's name where no payer name is entered); the TIN decrypted."""
    current = settings_for(principal)
    return iris.Payer(
        tin_type=current.payer_tin_type,
        tin=tins.decrypt(current.payer_tin_encrypted) if current.payer_tin_encrypted else "",
        name=current.payer_name or principal.organization.name,
        name_2=current.payer_name_2,
        address=current.payer_address,
        address_2=current.payer_address_2,
        city=current.payer_city,
        state=current.payer_state,
        postal_code=current.payer_postal_code,
        country=current.payer_country or "US",
        phone=current.payer_phone,
    )


def exposure_rates(year: int) -> exposure.ExposureRates:
    """The rates of ``year``; where a table has no row for it (a year whose figures are not
    entered yet), the nearest row's, and ``figures_note`` says which were used instead."""
    payroll = in_force(PayrollTaxRates.objects.all(), date(year, 7, 1))
    section = in_force(Section3509Rates.objects.all(), date(year, 7, 1))
    notes = [
        note
        for note in (
            stand_in_note("payroll-tax row (Social Security wage base, rates)", year, payroll),
            stand_in_note("IRC 3509 row", year, section),
        )
        if note
    ]
    return exposure.ExposureRates(
        year=payroll.effective_from.year,
        requested_year=year,
        figures_note=" ".join(notes),
        social_security_rate=payroll.social_security_percent / HUNDRED,
        social_security_wage_base=payroll.social_security_wage_base,
        medicare_rate=payroll.medicare_percent / HUNDRED,
        federal_unemployment_rate=payroll.federal_unemployment_percent / HUNDRED,
        federal_unemployment_wage_base=payroll.federal_unemployment_wage_base,
        withholding_rate=section.withholding_percent / HUNDRED,
        withholding_rate_no_1099=section.withholding_no_1099_percent / HUNDRED,
        employee_fica_share=section.employee_fica_share_percent / HUNDRED,
        employee_fica_share_no_1099=section.employee_fica_share_no_1099_percent / HUNDRED,
        payroll_source=payroll.source,
        section_3509_source=section.source,
    )


# --- Assessments ----------------------------------------------------------------------------
def assessments(principal):
    return (
        ClassificationAssessment.objects.visible_to(principal)
        .select_related("provider", "created_by", "organization")
        .prefetch_related("engagement_links__engagement", "engagement_links__agreement_version")
    )


ASSESSMENT_LIST_ROWS = 500


def assessment_list(principal, *, provider: str = ""):
    """The assessments page: every version, by provider and newest first, of one provider when
    ``provider`` is its id (as the query string gives it), the first 500."""
    rows = assessments(principal).order_by("provider__name", "-number")
    if provider.isdigit():
        rows = rows.filter(provider_id=int(provider))
    return rows[:ASSESSMENT_LIST_ROWS]


def assessment_versions(principal, provider):
    """Every assessment of ``provider``, newest first: the version list on an assessment."""
    return (
        ClassificationAssessment.objects.visible_to(principal)
        .filter(provider=provider)
        .order_by("-number")
        .values("pk", "number", "outcome", "created_at")
    )


def terms_of(engagement: Engagement) -> dict:
    return {key: str(getattr(engagement, key)) for key in CLASSIFICATION_TERMS}


def staleness(assessment: ClassificationAssessment, today: date | None = None) -> list[str]:
    """Why the assessment no longer describes the arrangement: empty when it still does.
    Reads the prefetched links and their engagements."""
    today = today or timezone.localdate()
    reasons = []
    made = timezone.localtime(assessment.created_at).date()
    if made + STALE_AFTER <= today:
        reasons.append(f"It was made on {made:%b %-d, %Y}, more than 12 months ago.")
    for link in assessment.engagement_links.all():
        now = terms_of(link.engagement)
        changed = sorted(
            {
                label
                for key, label in CLASSIFICATION_TERMS.items()
                if link.terms.get(key) != now[key]
            }
        )
        if changed:
            reasons.append(
                f"The terms of “{link.engagement.title}” changed since: " + ", ".join(changed) + "."
            )
    return reasons


@dataclass
class AssessmentView:
    assessment: ClassificationAssessment
    result: classification.Result
    stale_reasons: list[str]
    exposure_filed: exposure.Exposure | None
    exposure_not_filed: exposure.Exposure | None
    rules: classification.Rules
    tax_year: int = 0  # the year the estimate is made for
    figures_year: int | None = None  # the year of the payroll figures used
    figures_note: str = ""  # said when another year's figures stand in


def exposure_years(today: date | None = None) -> list[int]:
    """The tax years an estimate can be made for: from the first year with payroll figures to
    next year (whose figures may not be entered yet; the page then says which are used)."""
    today = today or timezone.localdate()
    first = PayrollTaxRates.objects.order_by("effective_from").values_list(
        "effective_from", flat=True
    )[:1]
    start = first[0].year if first else today.year
    return list(range(min(start, today.year), today.year + 2))


def check_tax_year(raw, today: date | None = None) -> int:
    """A tax year asked for, or a ValidationError naming the field and the years allowed."""
    years = exposure_years(today)
    try:
        year = int(raw)
    except (TypeError, ValueError):
        year = None
    if year not in years:
        raise ValidationError({"tax_year": f"Choose a tax year from {years[0]} to {years[-1]}."})
    return year


def answers_of(assessment) -> dict[str, classification.FactorAnswer]:
    return {
        key: classification.FactorAnswer(value.get("answer", "unsure"), value.get("evidence", ""))
        for key, value in assessment.answers.items()
    }


def state_answers_of(assessment) -> dict[str, classification.StateAnswers]:
    return {
        state: classification.StateAnswers(
            prongs={
                key: classification.FactorAnswer(v.get("answer", "unsure"), v.get("evidence", ""))
                for key, v in value.get("prongs", {}).items()
            },
            exemption=value.get("exemption", ""),
            exemption_evidence=value.get("exemption_evidence", ""),
        )
        for state, value in assessment.state_answers.items()
    }


def view_of(
    principal,
    assessment: ClassificationAssessment,
    today: date | None = None,
    tax_year: int | None = None,
) -> AssessmentView:
    """The assessment's result recomputed from its stored answers under its own rule set and
    state tests (the result is deterministic, so this equals what was shown when it was made),
    with its staleness and the reclassification estimate for ``tax_year`` (by default the
    assessment's own year)."""
    year = tax_year or assessment.exposure_year
    tests = list(StateTest.objects.filter(pk__in=assessment.state_test_ids))
    rules = rules_for(assessment.rule_set, tests)
    result = classification.assess(
        rules,
        answers_of(assessment),
        state_answers_of(assessment),
        states=[test.state for test in tests],
    )
    try:
        rates = exposure_rates(year)
    except MissingRules:
        rates = filed = not_filed = None
    else:
        benefits = settings_for(principal).benefits_cost_percent
        benefits_rate = None if benefits is None else benefits / HUNDRED
        filed = exposure.reclassification_cost(
            assessment.annual_payments, rates, filed_1099=True, benefits_rate=benefits_rate
        )
        not_filed = exposure.reclassification_cost(
            assessment.annual_payments, rates, filed_1099=False, benefits_rate=benefits_rate
        )
    return AssessmentView(
        assessment,
        result,
        staleness(assessment, today),
        filed,
        not_filed,
        rules,
        tax_year=year,
        figures_year=rates.year if rates else None,
        figures_note=rates.figures_note if rates else "",
    )


def latest_assessments(principal, provider_ids) -> dict[int, ClassificationAssessment]:
    """The newest assessment of each provider, in a fixed number of queries."""
    newest = (
        ClassificationAssessment.objects.visible_to(principal)
        .filter(provider=OuterRef("provider"))
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    rows = (
        assessments(principal)
        .filter(provider_id__in=list(provider_ids))
        .filter(pk=Subquery(newest))
    )
    return {row.provider_id: row for row in rows}


def stale_assessments(
    principal, today: date | None = None
) -> list[tuple[ClassificationAssessment, list]]:
    """The latest assessment of each provider that no longer describes the arrangement."""
    provider_ids = ClassificationAssessment.objects.visible_to(principal).values_list(
        "provider_id", flat=True
    )
    latest = latest_assessments(principal, set(provider_ids))
    found = []
    for assessment in sorted(latest.values(), key=lambda a: a.provider.name.lower()):
        reasons = staleness(assessment, today)
        if reasons:
            found.append((assessment, reasons))
    return found


def open_engagements(principal, provider: Provider):
    return (
        Engagement.objects.visible_to(principal)
        .filter(provider=provider)
        .exclude(status=EngagementStatus.ENDED)
        .order_by("-start_date", "-id")
    )


def latest_agreement_version(principal, engagement: Engagement) -> AgreementVersion | None:
    return (
        AgreementVersion.objects.visible_to(principal)
        .filter(engagement=engagement)
        .order_by("-number")
        .first()
    )


def assessment_for_engagement(principal, engagement: Engagement) -> ClassificationAssessment | None:
    """The newest assessment made for this engagement, else the provider's newest."""
    linked = (
        AssessedEngagement.objects.visible_to(principal)
        .filter(engagement=engagement)
        .order_by("-assessment__created_at", "-assessment_id")
        .values_list("assessment_id", flat=True)
        .first()
    )
    rows = assessments(principal)
    if linked:
        return rows.get(pk=linked)
    return rows.filter(provider_id=engagement.provider_id).first()


def payments_last_year(principal, provider: Provider, today: date | None = None) -> Decimal:
    today = today or timezone.localdate()
    total = (
        Payment.objects.visible_to(principal)
        .filter(provider=provider, paid_on__gt=today - timedelta(days=365), paid_on__lte=today)
        .aggregate(total=Sum("amount"))["total"]
    )
    return total or Decimal(0)


def suggested_annual_payments(principal, provider: Provider) -> tuple[Decimal, str]:
    """A year of payments for the estimate: the last 365 days' payments, else the yearly
    cost of the open engagements' terms."""
    paid = payments_last_year(principal, provider)
    if paid:
        return paid, "payments recorded in the last 365 days"
    cost = sum(
        (
            e.annual_cost or Decimal(0)
            for e in open_engagements(principal, provider).prefetch_related("price_tiers")
        ),
        Decimal(0),
    )
    if cost:
        return cost, "the yearly cost of the open engagements' terms"
    return Decimal(0), ""


# --- W-9 -------------------------------------------------------------------------------------
def w9s(principal):
    return W9.objects.visible_to(principal).select_related(
        "provider", "received_by", "organization", "onboarding_link"
    )


def current_w9_rows(principal):
    """Each provider's newest W-9 (the one in force), as a query."""
    newest = (
        W9.objects.visible_to(principal)
        .filter(provider=OuterRef("provider"))
        .order_by("-signed_on", "-id")
        .values("pk")[:1]
    )
    return w9s(principal).filter(pk=Subquery(newest))


def current_w9s(principal, provider_ids=None) -> dict[int, W9]:
    """Each provider's newest W-9 (the one in force), in one query."""
    rows = current_w9_rows(principal)
    if provider_ids is not None:
        rows = rows.filter(provider_id__in=list(provider_ids))
    return {row.provider_id: row for row in rows}


def duplicate_tins(principal, rows) -> dict[int, list[str]]:
    """For each W-9 of ``rows``: the other providers whose W-9 carries the same TIN (by the
    keyed hash, without decrypting anything)."""
    hashes = {row.tin_hash for row in rows}
    others = defaultdict(set)
    for tin_hash, provider_id, name in (
        W9.objects.visible_to(principal)
        .filter(tin_hash__in=hashes)
        .values_list("tin_hash", "provider_id", "provider__name")
    ):
        others[tin_hash].add((provider_id, name))
    return {
        row.pk: sorted(name for pid, name in others[row.tin_hash] if pid != row.provider_id)
        for row in rows
    }


def payees_without_w9(principal, *, totals: bool = True):
    """Providers that are paid (a payment recorded) or engaged (an active or paused
    engagement) and have no W-9 on file (nor a W-8 in force), with their payments to date
    (``paid``, ``last_paid``; without ``totals``, ``paid`` only says whether there are any).
    The payments are read per provider left (few, by the (organization, provider) index), not
    joined for all."""
    has_w9 = W9.objects.visible_to(principal).filter(provider=OuterRef("pk"))
    has_w8 = w8s_in_force(principal, timezone.localdate()).filter(provider=OuterRef("pk"))
    engaged = Engagement.objects.visible_to(principal).filter(
        provider=OuterRef("pk"), status__in=[EngagementStatus.ACTIVE, EngagementStatus.PAUSED]
    )
    paid = Payment.objects.visible_to(principal).filter(provider=OuterRef("pk")).order_by()
    payees = (
        Provider.objects.visible_to(principal)
        .filter(~Exists(has_w9), ~Exists(has_w8))
        .filter(Exists(paid) | Exists(engaged))
        .order_by("name", "id")
    )
    if not totals:
        return payees.annotate(paid=Exists(paid))
    by_provider = paid.values("provider")
    return payees.annotate(
        paid=Subquery(by_provider.annotate(total=Sum("amount")).values("total")),
        last_paid=Subquery(by_provider.annotate(last=Max("paid_on")).values("last")),
    )


# --- W-8 (foreign payees) --------------------------------------------------------------------
def w8s(principal):
    return W8.objects.visible_to(principal).select_related(
        "provider", "received_by", "organization", "onboarding_link"
    )


def w8s_in_force(principal, on: date):
    """The W-8s in force on ``on``: signed by then, and in a year no more than three before
    (``models.w8_valid_through``)."""
    return W8.objects.visible_to(principal).filter(
        signed_on__lte=on, signed_on__gte=date(on.year - 3, 1, 1)
    )


def current_w8s(principal, provider_ids=None) -> dict[int, W8]:
    """Each provider's newest W-8, in one query."""
    newest = (
        W8.objects.visible_to(principal)
        .filter(provider=OuterRef("provider"))
        .order_by("-signed_on", "-id")
        .values("pk")[:1]
    )
    rows = w8s(principal).filter(pk=Subquery(newest))
    if provider_ids is not None:
        rows = rows.filter(provider_id__in=list(provider_ids))
    return {row.provider_id: row for row in rows}


def foreign_form(w9: W9 | None, w8: W8 | None) -> W8 | None:
    """The W-8 that stands for a payee when it is newer than their newest W-9 (a payee who
    moves abroad gives a W-8; one who becomes a US person, a W-9)."""
    if w8 is None:
        return None
    if w9 is not None and (w9.signed_on, w9.received_at) > (w8.signed_on, w8.received_at):
        return None
    return w8


# --- 1099-NEC --------------------------------------------------------------------------------
EXEMPT_CODES_NOT_CORPORATION = {str(code) for code in range(1, 5)} | {
    str(code) for code in range(6, 14)
}
CORPORATE_ENTITY_TYPES = {EntityType.C_CORPORATION, EntityType.S_CORPORATION}


@dataclass
class NecRow:
    provider: Provider
    w9: W9 | None
    total: Decimal
    processor_total: Decimal
    payment_count: int
    reason: str
    corporation: bool
    attorney: bool
    withheld: Decimal = Decimal(0)  # backup withholding, box 4
    w8: W8 | None = None  # the foreign payee's form in force that year, when it stands

    @property
    def foreign_note(self) -> str:
        return foreign.why_no_1099(self.w8) if self.w8 is not None else ""

    @property
    def reportable(self) -> Decimal:
        return self.total - self.processor_total

    @property
    def needs_form(self) -> bool:
        return self.reason == ReportableReason.NEEDS_FORM

    @property
    def reason_label(self) -> str:
        return ReportableReason(self.reason).label


def nec_reason(
    reportable: Decimal,
    processor_total: Decimal,
    threshold: Decimal,
    *,
    corporation: bool,
    attorney: bool,
    exempt_code: str,
    withheld: Decimal = Decimal(0),
) -> str:
    """Why a payee is or is not reported on 1099-NEC for a year (domain/taxes-and-reporting.md:
    corporations are not reported except attorneys; card and network payments are the
    processor's to report on 1099-K; the threshold is 'at least' the year's amount)."""
    if corporation and not attorney:
        return ReportableReason.CORPORATION
    if exempt_code in EXEMPT_CODES_NOT_CORPORATION:
        return ReportableReason.EXEMPT_PAYEE
    # Backup withholding is reported whatever the amount paid (Instructions for Forms
    # 1099-MISC and 1099-NEC, box 4).
    if reportable >= threshold or withheld > 0:
        return ReportableReason.NEEDS_FORM
    if reportable == 0 and processor_total > 0:
        return ReportableReason.PROCESSOR_ONLY
    return ReportableReason.BELOW_THRESHOLD


@dataclass
class NecReport:
    year: int
    threshold: Form1099Threshold
    rows: list[NecRow]
    deadline: date
    filing: Filing1099 | None = None
    threshold_note: str = ""  # which year's threshold stands in when ``year`` has none

    @property
    def needing_forms(self) -> list[NecRow]:
        return [row for row in self.rows if row.needs_form]

    @property
    def missing_w9(self) -> list[NecRow]:
        return [row for row in self.needing_forms if row.w9 is None]


def _legal_holidays(year: int):
    """Legal holidays in the District of Columbia (IRC 7503: where the return is filed)."""
    return holidays.US(subdiv="DC", years=[year])


def filing_deadline(year: int) -> date:
    """1099-NEC for payments of ``year``: January 31 of the next year, moved to the next
    business day when it falls on a Saturday, Sunday or legal holiday (IRC 6071(c), 7503;
    for 2025 payments: Monday 2026-02-02)."""
    deadline = date(year + 1, 1, 31)
    off = _legal_holidays(year + 1)
    while deadline.weekday() >= 5 or deadline in off:
        deadline += timedelta(days=1)
    return deadline


def _nec_rows(
    principal,
    year: int,
    by_provider: dict,
    threshold: Decimal,
    providers: dict,
    current: dict,
    foreign: dict,
):
    rows = []
    for provider_id, data in by_provider.items():
        provider = providers[provider_id]
        w9 = current.get(provider_id)
        processor = data["processor"] or Decimal(0)
        w8 = foreign_form(w9, foreign.get(provider_id))
        if w8 is not None and w8.signed_on.year <= year and w8.valid_through.year >= year:
            # A foreign person for that year: no 1099-NEC (foreign.why_no_1099 says why).
            rows.append(
                NecRow(
                    provider,
                    None,
                    data["total"],
                    processor,
                    data["count"],
                    ReportableReason.FOREIGN_PERSON,
                    False,
                    False,
                    data["withheld"] or Decimal(0),
                    w8=w8,
                )
            )
            continue
        # The provider's own flag counts with or without a W-9: attorneys' fees are reportable
        # whatever the firm's corporate status (Instructions for Forms 1099-MISC and 1099-NEC).
        attorney = provider.is_attorney or (w9 is not None and w9.is_attorney)
        if w9 is not None:
            corporation = w9.is_corporation or w9.exempt_payee_code == "5"
            exempt = w9.exempt_payee_code
        else:
            corporation = provider.entity_type in CORPORATE_ENTITY_TYPES
            exempt = ""
        reason = nec_reason(
            data["total"] - processor,
            processor,
            threshold,
            corporation=corporation,
            attorney=attorney,
            exempt_code=exempt,
            withheld=data["withheld"] or Decimal(0),
        )
        rows.append(
            NecRow(
                provider,
                w9,
                data["total"],
                processor,
                data["count"],
                reason,
                corporation,
                attorney,
                data["withheld"] or Decimal(0),
            )
        )
    rows.sort(key=lambda row: (not row.needs_form, row.provider.name.lower()))
    return rows


def nec_report(principal, year: int) -> NecReport:
    """Every payee paid in ``year`` with its total, what the processor reports, and whether a
    1099-NEC is needed — in a fixed number of queries, whatever the number of payees."""
    return nec_reports(principal, [year])[year]


def nec_reports(principal, years) -> dict[int, NecReport]:
    """``nec_report`` of several years at once, in the same fixed number of queries."""
    years = sorted(set(years))
    if not years:
        return {}
    thresholds = list(Form1099Threshold.objects.all())
    totals = (
        Payment.objects.visible_to(principal)
        .filter(paid_on__gte=date(years[0], 1, 1), paid_on__lte=date(years[-1], 12, 31))
        .annotate(year=ExtractYear("paid_on"))
        .values("year", "provider_id")
        .annotate(
            total=Sum("amount"),
            processor=Sum("amount", filter=Q(processor_reported=True)),
            withheld=Sum("backup_withheld"),
            count=Count("id"),
        )
        .order_by()
    )
    by_year: dict[int, dict] = {year: {} for year in years}
    for row in totals:
        if row["year"] in by_year:
            by_year[row["year"]][row["provider_id"]] = row
    provider_ids = {pk for rows in by_year.values() for pk in rows}
    providers = {
        p.pk: p for p in Provider.objects.visible_to(principal).filter(pk__in=provider_ids)
    }
    current = current_w9s(principal, provider_ids) if provider_ids else {}
    foreign = current_w8s(principal, provider_ids) if provider_ids else {}
    filings = {f.tax_year: f for f in filings_of(principal).filter(tax_year__in=years)}
    reports = {}
    for year in years:
        threshold = in_force(thresholds, date(year, 12, 31))
        reports[year] = NecReport(
            year,
            threshold,
            _nec_rows(
                principal, year, by_year[year], threshold.amount, providers, current, foreign
            ),
            filing_deadline(year),
            filing=filings.get(year),
            threshold_note=threshold_note(year, threshold),
        )
    return reports


# --- 1099-NEC filings ------------------------------------------------------------------------
def filings_of(principal):
    return Filing1099.objects.visible_to(principal).select_related("recorded_by")


@dataclass
class UnfiledYear:
    """A past tax year with forms needed and no filing recorded."""

    report: NecReport
    today: date

    @property
    def year(self) -> int:
        return self.report.year

    @property
    def forms(self) -> int:
        return len(self.report.needing_forms)

    @property
    def past_due(self) -> bool:
        return self.today > self.report.deadline

    @property
    def sentence(self) -> str:
        count = f"{self.forms} form{'s' if self.forms != 1 else ''} for {self.year}"
        due = f"{self.report.deadline:%b %-d, %Y}"
        if self.past_due:
            return f"{count} {'were' if self.forms != 1 else 'was'} due {due}"
        return f"{count} {'are' if self.forms != 1 else 'is'} due {due}"


@dataclass
class FilingStatus:
    """Where the organization stands on 1099-NEC filing as of ``today``."""

    today: date
    years_paid: list[int]  # every year with payments, newest first
    unfiled: list[UnfiledYear]  # past years needing forms, not marked filed, oldest first
    filed: list[Filing1099]  # filings recorded, newest first

    @property
    def forms(self) -> int:
        return sum(year.forms for year in self.unfiled)


def filing_status(principal, today: date | None = None) -> FilingStatus:
    """Every past tax year whose 1099-NEC forms are needed and not marked filed — in a fixed
    number of queries, whatever the number of years, payees or payments."""
    today = today or timezone.localdate()
    years_paid = payables.payment_years(principal)
    past = [year for year in years_paid if year < today.year]
    filed = list(filings_of(principal))
    filed_years = {f.tax_year for f in filed}
    unfiled = []
    try:
        reports = nec_reports(principal, [year for year in past if year not in filed_years])
    except MissingRules:
        reports = {}
    for year in sorted(reports):
        if reports[year].needing_forms:
            unfiled.append(UnfiledYear(reports[year], today))
    return FilingStatus(today, years_paid, unfiled, filed)


def agreement_status_section(principal, engagement) -> dict | None:
    """For an individual's agreement: the contractor-status assessment latest when the version
    is generated, so that what both sides sign states it (None for a business)."""
    provider = engagement.provider
    if provider.kind != ProviderKind.INDIVIDUAL:
        return None
    assessment = latest_assessments(principal, [provider.pk]).get(provider.pk)
    name = provider.legal_name or provider.name
    if assessment is None:
        body = (
            f"{engagement.organization.name} has recorded no assessment of {name}'s status "
            "as an independent contractor at the date of this agreement."
        )
    else:
        when = timezone.localtime(
            assessment.created_at, ZoneInfo(engagement.organization.time_zone)
        ).date()
        body = (
            f"On {when:%B} {when.day}, {when.year}, {engagement.organization.name} assessed "
            f"how {name} works under {assessment.rule_set.name} (assessment "
            f"{assessment.number}): {assessment.get_outcome_display().lower()}; under the "
            f"federal common-law test alone: {assessment.get_federal_outcome_display().lower()}. "
            f"Factors pointing to an employee weighed {assessment.employee_weight}; to an "
            f"independent contractor, {assessment.contractor_weight}. "
            f"{engagement.organization.name} keeps it with the answers it rests on."
        )
    return {"title": "Contractor-status assessment", "body": body}


def providers_with_tin(principal, tin_digits: str) -> set[int]:
    """The providers whose W-9 in force carries this nine-digit TIN, compared by its keyed
    hash (the TIN itself is never decrypted). Registered with ``payables.hooks`` so an
    import from an accounting system can match its payees by TIN."""
    from handoff.compliance import tins

    if not tins.configured() or len(tin_digits) != 9 or not tin_digits.isdigit():
        return set()
    return set(
        current_w9_rows(principal)
        .filter(tin_hash=tins.fingerprint(tin_digits))
        .values_list("provider_id", flat=True)
    )
