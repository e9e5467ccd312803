"""Comply's part of the demo organization, Maple Street Dental in Ohio: an assessment of the
individual IT contractor, W-9s with fake TINs, a year of payments and so a 1099-NEC list.

Every TIN is from a range the IRS and SSA never issue (domain/taxes-and-reporting.md, "Test
TINs"): SSNs with area 900–999 and group 00, EINs with the prefix 00. One payee, the former
marketing contractor, has no W-9, so the "payees without a W-9" list and the 1099 list's
warning have something to show; one, a designer abroad, gave a Form W-8BEN instead.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from handoff.accounts.models import Organization
from handoff.accounts.principal import for_session
from handoff.compliance import foreign, onboarding, services, state_reports, tin_matching
from handoff.compliance.choices import MismatchSource, TinMatchResult
from handoff.compliance.models import OnboardingLink
from handoff.core.backdating import backdated
from handoff.core.principal import Principal
from handoff.engagements import services as engagements
from handoff.engagements.models import Engagement
from handoff.payables import services as payables
from handoff.providers.models import Provider

W9S = [
    # provider, legal name, business name, classification, LLC class, TIN type, TIN, address
    (
        "Jordan Lee IT",
        "Jordan Lee",
        "Jordan Lee IT",
        "individual",
        "",
        "ssn",
        "900-00-4821",
        ("77 Oak Hollow Rd", "Columbus", "OH", "43214"),
    ),
    (
        "Ledgerline Bookkeeping",
        "Ledgerline Bookkeeping LLC",
        "",
        "llc",
        "P",
        "ein",
        "00-4172635",
        ("410 Commerce Ave, Suite 200", "Columbus", "OH", "43215"),
    ),
    (
        "ClearClaim Billing",
        "ClearClaim Billing Services, Inc.",
        "",
        "s_corporation",
        "",
        "ein",
        "00-7719024",
        ("88 Harbor Blvd", "Cleveland", "OH", "44114"),
    ),
    (
        "BrightVoice Answering",
        "BrightVoice Communications Corp.",
        "",
        "c_corporation",
        "",
        "ein",
        "00-3306158",
        ("5 Main St", "Dayton", "OH", "45402"),
    ),
]

# Jordan Lee's answers: the picture of a real contractor, with one factor pointing the other
# way (the front desk sets when he comes in) so the result page shows reasons on both sides.
JORDAN_ANSWERS = {
    "sets_when_where": ("yes", "Visits are booked by the front desk around clinic hours."),
    "directs_how": ("no", "We say what is broken; he decides how to fix it."),
    "trains": ("no", "No training from us; he is certified on the equipment he supports."),
    "own_investment": ("yes", "Brings his own laptop, tools and diagnostic software."),
    "serves_market": ("yes", "Website lists other clinics and small offices as clients."),
    "paid_for_time": ("yes", "Bills $85 an hour on monthly invoices."),
    "profit_or_loss": ("yes", "Pays his own software licences and van whatever the hours."),
    "benefits": ("no", "No insurance, retirement or paid leave from us."),
    "written_contractor": ("yes", "The draft agreement's independent-contractor clause."),
    "exclusive_full_time": ("no", "About six hours a month; free to work for anyone."),
}


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("w9.pdf", b"%PDF-1.4\n% demo W-9, fake TIN\n", "application/pdf")


def load_demo(org, actor) -> None:
    """Create the W-9s, payments and assessment; called once by ``handoff.demo.load``."""
    today = timezone.localdate()
    principal = for_session(actor, org.slug)
    # Each row is dated when it was entered: a payment on its day, or — for what was paid
    # before the practice set up Handoff — in its first days, as it caught up.
    began = Organization.objects.values_list("created_at", flat=True).get(pk=org.pk)
    entered = []

    def when(day, hour=15):
        moment = datetime.combine(day, time(hour), tzinfo=began.tzinfo)
        if moment < began:
            moment = began + timedelta(days=1, minutes=5 * len(entered))
        entered.append(moment)
        return moment

    # The practice as payer on its 1099s (IRIS asks for it on every return); a test EIN.
    with backdated(org, when(began.date(), 10)):
        services.update_settings(
            principal,
            data={
                "payer_tin_type": "ein",
                "payer_tin": "00-3318406",
                "payer_name": "Maple Street Dental PLLC",
                "payer_address": "1200 Maple Street",
                "payer_city": "Columbus",
                "payer_state": "OH",
                "payer_postal_code": "43215",
                "payer_country": "US",
                "payer_phone": "614-555-0142",
            },
        )
    providers = {p.name: p for p in Provider.objects.visible_to(principal)}
    for name, legal, business, classification, llc, tin_type, tin, address in W9S:
        street, city, state, postal_code = address
        signed_on = today - relativedelta(months=10)
        with backdated(org, when(signed_on + timedelta(days=2), 11)):
            services.record_w9(
                principal,
                providers[name],
                data={
                    "legal_name": legal,
                    "business_name": business,
                    "tax_classification": classification,
                    "llc_classification": llc,
                    "exempt_payee_code": "5" if "corporation" in classification else "",
                    "tin_type": tin_type,
                    "street": street,
                    "city": city,
                    "state": state,
                    "postal_code": postal_code,
                    "signed_on": signed_on,
                },
                tin=tin,
                upload=_pdf(),
            )

    # The IRS's bulk TIN Matching answered four months ago: Ledgerline's W-9 carries a name the
    # IRS does not hold with its EIN. Asked for a corrected W-9, Ledgerline did not answer; a
    # month later the IRS's CP2100 named it too, so the B notice went out and its later
    # payments are subject to backup withholding until a corrected W-9 arrives.
    checked_on = today - relativedelta(months=4)
    with backdated(org, when(checked_on, 10)):
        request, _ = tin_matching.request_file(principal)
        answered = [
            f"{line};{TinMatchResult.NO_MATCH if ';Ledgerline' in line else TinMatchResult.MATCH}"
            for line in request.splitlines()
        ]
        outcome = tin_matching.import_results(principal, "\n".join(answered).encode(), checked_on)
    for case in outcome["opened"]:
        with backdated(org, when(checked_on + timedelta(days=2), 9)):
            tin_matching.mark_sent(principal, case, checked_on + timedelta(days=2))
        received_on = today - relativedelta(months=3)
        with backdated(org, when(received_on, 11)):
            case = tin_matching.record_notice(
                principal,
                w9=case.w9,
                source=MismatchSource.CP2100,
                received_on=received_on,
                second=False,
            )
        with backdated(org, when(received_on + timedelta(days=6), 9)):
            tin_matching.mark_sent(principal, case, received_on + timedelta(days=6))

    def engagement(title):
        return Engagement.objects.visible_to(principal).get(title=title)

    def pay(name, amount, paid_on, method="ach", engagement_title=None, reference=""):
        with backdated(org, when(paid_on)):
            payables.record_payment(
                principal,
                provider_id=providers[name].pk,
                engagement_id=engagement(engagement_title).pk if engagement_title else None,
                data={
                    "paid_on": paid_on,
                    "amount": Decimal(amount),
                    "method": method,
                    "reference": reference,
                },
            )

    # A year of monthly fees, each paid on the 5th of the month after the service.
    books = engagement("Monthly bookkeeping and close")
    for month in range(1, 13):
        paid_on = today - relativedelta(months=month, day=5)
        if paid_on >= books.start_date:
            pay(
                "Ledgerline Bookkeeping",
                "1250.00",
                paid_on,
                "ach",
                books.title,
                f"LL-{paid_on:%Y%m}",
            )
    billing = engagement("Insurance claims billing")
    for month, claims in enumerate((610, 655, 640), start=1):
        pay(
            "ClearClaim Billing",
            f"{claims * Decimal('4.25'):.2f}",
            today - relativedelta(months=month, day=8),
            "ach",
            billing.title,
            f"CC-{claims}",
        )
    calls = engagement("After-hours patient calls")
    for month in range(1, 7):
        # Paid by card: the card processor reports these on 1099-K.
        pay(
            "BrightVoice Answering",
            "990.00",
            today - relativedelta(months=month, day=12),
            "card",
            calls.title,
            "Visa ending 4242",
        )
    # Jordan Lee fixed things ad hoc before his engagement was drafted: six visits this year.
    for month, hours in enumerate((4, 6, 3, 8, 5, 7), start=1):
        pay(
            "Jordan Lee IT",
            f"{hours * 85}.00",
            today - relativedelta(months=month, day=20),
            "check",
            None,
            f"Check {1040 + month}",
        )
    # The former marketing contractor, paid by check, never sent a W-9.
    marketing = engagement("Newsletter and social posts")
    paid_on = marketing.start_date + relativedelta(months=1, day=3)
    while paid_on <= marketing.end_date + timedelta(days=31) and paid_on <= today:
        pay("Pixel & Pine Marketing", "600.00", paid_on, "check", marketing.title)
        paid_on += relativedelta(months=1)

    # Lumen Studio is a designer in Portugal: her Form W-8BEN came on paper, so the 1099 list
    # says why her leaflet fees get no 1099-NEC.
    lumen = providers["Lumen Studio"]
    signed_on = today - relativedelta(months=5)
    with backdated(org, when(signed_on + timedelta(days=1), 10)):
        foreign.record_w8(
            principal,
            lumen,
            data={
                "form": "w8ben",
                "name": "Inês Duarte",
                "country": "Portugal",
                "signer_name": "Inês Duarte",
                "signed_on": signed_on,
            },
            upload=SimpleUploadedFile("w8ben.pdf", b"%PDF-1.4\n% demo W-8BEN\n", "application/pdf"),
        )
    for months, amount in ((4, "1800.00"), (2, "950.00")):
        pay("Lumen Studio", amount, today - relativedelta(months=months, day=15), "wire")

    # Pixel & Pine was asked for its W-9 by link three days ago; Sam opened it and agreed to
    # sign electronically, but has not signed yet (Comply → W-9 links).
    pixel = providers["Pixel & Pine Marketing"]
    with backdated(org, when(today - timedelta(days=3), 9)):
        link, _ = onboarding.send_link(principal, pixel)
    with backdated(org, when(today - timedelta(days=2), 20)):
        onboarding.consent(
            Principal.for_link(link), agreed=True, address="198.51.100.23", user_agent="Safari"
        )
    OnboardingLink.objects.visible_to(principal).filter(pk=link.pk).update(
        expires_at=F("created_at") + timedelta(days=onboarding.LINK_VALID_DAYS)
    )

    # Jordan was reported to the state's new-hire registry ten days after his first payment;
    # the others the state wants reported are still to do (the State reports page).
    for row in state_reports.dues(principal, today.year):
        if row.provider.name == "Jordan Lee IT":
            filed_on = min(row.reportable_on + timedelta(days=10), today)
            with backdated(org, when(filed_on, 16)):
                state_reports.mark_reported(
                    principal,
                    provider=row.provider,
                    state=row.rule.state,
                    year=today.year,
                    filed_on=filed_on,
                )

    jordan = providers["Jordan Lee IT"]
    with backdated(org, when(today - timedelta(days=9), 10)):
        services.create_assessment(
            principal,
            jordan,
            answers={key: {"answer": a, "evidence": e} for key, (a, e) in JORDAN_ANSWERS.items()},
            engagement_ids=[engagement("Front-desk IT support").pk],
            notes="Assessed before sending the agreement for signature.",
        )
    # Since then Jordan's hours doubled: a term that bears on the factors, so the assessment
    # is stale until someone assesses the new arrangement.
    with backdated(org, when(today - timedelta(days=3), 14)):
        engagements.update_engagement(
            principal,
            engagement("Front-desk IT support"),
            data={"monthly_quantity": Decimal(12)},
        )
