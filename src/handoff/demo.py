"""The demo organization: a dental practice that outsources bookkeeping, billing and calls.

``load()`` is idempotent: a second run finds the organization and adds nothing. Each later
capability adds its own part here, built through the same services the pages use.

Its history carries the times it would have had: the practice started using Handoff a few
weeks before its bookkeeping engagement began, and each part of the story (a provider added,
an engagement drafted, activated or paused, a reference checked, a payment recorded) runs in
``backdated(org, moment)`` so the rows and audit lines the services stamp with the present
are dated when it happened (``handoff.core.backdating``). What happens "now" in the story —
today's open work, a pending invitation — keeps the time it was loaded.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from handoff.accounts import services as accounts
from handoff.accounts.models import Invitation, Membership, Organization, User, hash_secret
from handoff.accounts.principal import for_session
from handoff.compliance.demo import load_demo as load_compliance
from handoff.core.backdating import backdated, shift
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.decisions import services as decisions
from handoff.decisions.demo import load_demo as load_decisions
from handoff.decisions.models import BusinessFunction
from handoff.engagements import agreements
from handoff.engagements import services as engagements
from handoff.engagements.models import AccessGrant
from handoff.insights.demo import load_demo as load_checkins
from handoff.payables.demo import load_demo as load_invoices
from handoff.providers import services as providers
from handoff.providers import vetting
from handoff.providers.models import Contact, DueDiligenceItem, Provider
from handoff.work.demo import load_demo as load_work

ZONE = ZoneInfo("America/New_York")
LOGIN_EMAIL = "maria@maplestreetdental.example"
LOGIN_PASSWORD = "handoff-demo"  # noqa: S105 - printed on purpose; the demo is local
ORG_SLUG = "maple-street-dental"

TEAM = [
    # name, e-mail, role
    ("Oscar Patel", "oscar@maplestreetdental.example", Role.MANAGER),
    ("Beth Nguyen", "beth@maplestreetdental.example", Role.MEMBER),
    ("Sam Whitaker, CPA", "sam@whitakercpa.example", Role.VIEWER),
]

PROVIDERS = [
    {
        "data": {
            "name": "Ledgerline Bookkeeping",
            "legal_name": "Ledgerline Bookkeeping LLC",
            "kind": "firm",
            "entity_type": "partnership",
            "status": "active",
            "website": "https://ledgerline.example",
            "street": "410 Commerce Ave, Suite 200",
            "city": "Columbus",
            "region": "OH",
            "postal_code": "43215",
            "notes": "Flat monthly fee covers bank reconciliation, payables and the monthly close. "
            "Receipts go to them every Friday; close package by the 10th.",
        },
        "fields": ["Bookkeeping", "Payroll"],
        "contacts": [
            ("Priya Raman", "Account manager", "priya@ledgerline.example", "614-555-0142", "email"),
            ("Tom Okafor", "Senior bookkeeper", "tom@ledgerline.example", "614-555-0147", "portal"),
        ],
    },
    {
        "data": {
            "name": "ClearClaim Billing",
            "legal_name": "ClearClaim Billing Services, Inc.",
            "kind": "firm",
            "entity_type": "s_corporation",
            "status": "active",
            "website": "https://clearclaim.example",
            "street": "88 Harbor Blvd",
            "city": "Cleveland",
            "region": "OH",
            "postal_code": "44114",
            "notes": "Submits insurance claims daily and works denials. Paid 5.5% of collections.",
        },
        "fields": ["Billing"],
        "contacts": [
            (
                "Dana Whitfield",
                "Client success lead",
                "dana@clearclaim.example",
                "216-555-0110",
                "email",
            ),
            (
                "Marco Silva",
                "Billing specialist",
                "marco@clearclaim.example",
                "216-555-0118",
                "phone",
            ),
        ],
    },
    {
        "data": {
            "name": "BrightVoice Answering",
            "legal_name": "BrightVoice Communications Corp.",
            "kind": "firm",
            "entity_type": "c_corporation",
            "status": "active",
            "website": "https://brightvoice.example",
            "city": "Dayton",
            "region": "OH",
            "postal_code": "45402",
            "notes": "Answers patient calls after hours and on overflow; books appointments.",
        },
        "fields": ["Customer service"],
        "contacts": [
            (
                "Alicia Gomez",
                "Operations supervisor",
                "alicia@brightvoice.example",
                "937-555-0190",
                "email",
            ),
            ("Support desk", "", "support@brightvoice.example", "937-555-0100", "chat"),
        ],
    },
    {
        "data": {
            "name": "Jordan Lee IT",
            "legal_name": "Jordan Lee",
            "kind": "individual",
            "entity_type": "sole_proprietor",
            "status": "active",
            "city": "Columbus",
            "region": "OH",
            "notes": "Fixes the front-desk PCs and the network; billed hourly.",
        },
        "fields": ["IT support"],
        "contacts": [("Jordan Lee", "Owner", "jordan@jlee-it.example", "614-555-0175", "phone")],
    },
    {
        "data": {
            "name": "Summit Payroll Partners",
            "kind": "firm",
            "entity_type": "partnership",
            "status": "prospect",
            "website": "https://summitpayroll.example",
            "city": "Cincinnati",
            "region": "OH",
            "notes": "Quoted for payroll in case Ledgerline's payroll add-on is dropped.",
        },
        "fields": ["Payroll"],
        "contacts": [("Grace Kim", "Sales", "grace@summitpayroll.example", "", "email")],
    },
    {
        "data": {
            "name": "Northwind Contact Center",
            "kind": "firm",
            "entity_type": "c_corporation",
            "status": "prospect",
            "website": "https://northwind-cc.example",
            "notes": "A larger call center; a backup for BrightVoice.",
        },
        "fields": ["Customer service", "Order handling"],
        "contacts": [
            (
                "Luis Ortega",
                "Account executive",
                "luis@northwind-cc.example",
                "800-555-0133",
                "email",
            )
        ],
    },
    {
        "data": {
            "name": "Evergreen Tax & Books",
            "kind": "firm",
            "entity_type": "s_corporation",
            "status": "prospect",
            "city": "Columbus",
            "region": "OH",
        },
        "fields": ["Bookkeeping"],
        "contacts": [("Helen Brooks", "Partner", "helen@evergreentax.example", "", "email")],
    },
    {
        "data": {
            "name": "Pixel & Pine Marketing",
            "legal_name": "Pixel & Pine LLC",
            "kind": "individual",
            "entity_type": "single_member_llc",
            "status": "former",
            "notes": "Ran the 2025 newsletter and social posts; ended in March.",
        },
        "fields": ["Marketing"],
        "contacts": [("Sam Carter", "Owner", "sam@pixelandpine.example", "", "email")],
    },
    {
        "data": {
            "name": "Lumen Studio",
            "legal_name": "Inês Duarte",
            "kind": "individual",
            "entity_type": "sole_proprietor",
            "status": "active",
            "city": "Lisbon",
            "region": "Portugal",
            "notes": "Designs the practice's patient leaflets from Lisbon; paid by wire.",
        },
        "fields": ["Marketing"],
        "contacts": [("Inês Duarte", "Designer", "ines@lumenstudio.example", "", "email")],
    },
]


@override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
@transaction.atomic
def load() -> bool:
    """Create the demo organization; returns False (and changes nothing) when it exists.
    Setting it up sends no e-mail (the reference requests it makes are answered at once)."""
    loading = timezone.now()
    owner = _user("Maria Chen", LOGIN_EMAIL)
    owner.set_password(LOGIN_PASSWORD)  # keep the printed login working on every run
    owner.save(update_fields=["password"])
    if Organization.objects.filter(slug=ORG_SLUG).exists():
        return False
    origin = started_using_handoff()
    since = timezone.now()
    org = accounts.create_organization(
        user=owner,
        name="Maple Street Dental",
        slug=ORG_SLUG,
        time_zone="America/New_York",
        currency="USD",
        states=["OH"],
    )
    for name, email, role in TEAM:
        Membership.objects.create(organization=org, user=_user(name, email), role=role)
    shift(org, since, origin)
    emails = [LOGIN_EMAIL, *(email for _, email, _ in TEAM)]
    User.objects.filter(email__in=emails, date_joined__gte=loading).update(date_joined=origin)
    as_owner = for_session(owner, org.slug)  # as the pages would resolve Maria
    # The providers, entered over the first two weeks.
    for index, entry in enumerate(PROVIDERS):
        with backdated(org, origin + timedelta(days=1 + index * 2, hours=index % 3)):
            provider = providers.create_provider(
                as_owner, data=entry["data"], new_field_names=entry["fields"]
            )
            for name, title, email, phone, channel in entry["contacts"]:
                providers.create_contact(
                    as_owner,
                    provider,
                    data={
                        "name": name,
                        "title": title,
                        "email": email,
                        "phone": phone,
                        "preferred_channel": channel,
                    },
                )
    with backdated(org, origin + timedelta(days=2, hours=3)):
        archived = providers.create_provider(
            as_owner,
            data={
                "name": "QuickCall Virtual Reception",
                "kind": "firm",
                "status": "former",
                "notes": "Replaced by BrightVoice after repeated missed callbacks.",
            },
            new_field_names=["Customer service"],
        )
    calls_start = timezone.localdate() - relativedelta(months=8, day=1)
    with backdated(org, at(calls_start - timedelta(days=3), 16)):
        providers.archive_provider(as_owner, archived)
    Invitation.objects.create(
        organization=org,
        email="front.desk@maplestreetdental.example",
        role=Role.MEMBER,
        token_hash=hash_secret(Invitation.new_token()),
        invited_by=owner,
        expires_at=timezone.now() + timedelta(days=7),
    )
    load_decisions(org, owner)
    _engagements(org, owner)
    _vetting(org, owner)
    load_compliance(org, owner)
    load_work(org, owner)
    load_invoices(org, owner)  # needs Comply's W-9s and Run's portal login for Priya
    load_checkins(org, owner)
    return True


def at(day, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour`` in the practice's time zone."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def started_using_handoff() -> datetime:
    """When the practice set up Handoff: before its first make-or-buy analysis, which came
    five weeks before the bookkeeping engagement began (nine months ago, on the 1st)."""
    books_start = timezone.localdate() - relativedelta(months=9, day=1)
    return at(books_start - relativedelta(weeks=8), 9)


def _user(name: str, email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, name=name, password=None)
    return user


def _engagements(org, owner) -> None:
    """Engagements in every state, dated around today so the demo never looks stale."""
    today = timezone.localdate()
    oscar = User.objects.get(email="oscar@maplestreetdental.example")
    beth = User.objects.get(email="beth@maplestreetdental.example")
    # Who acts below, as the pages would resolve them: Maria (the owner) and Oscar (a manager).
    as_owner, as_oscar = for_session(owner, org.slug), for_session(oscar, org.slug)

    def contact(name):
        return Contact.objects.visible_to(as_owner).get(name=name)

    def engage(provider_name, function_names, tiers=(), **data):
        return engagements.create_engagement(
            as_owner,
            provider_id=Provider.objects.visible_to(as_owner).get(name=provider_name).pk,
            function_ids=[
                BusinessFunction.objects.visible_to(as_owner).get(name=name).pk
                for name in function_names
            ],
            data=data,
            tiers=tiers,
        )

    def plan(engagement, ours, theirs, issues, channel, cadence, notes=""):
        engagements.update_plan(
            as_owner,
            engagement,
            our_point_person_id=ours.pk,
            their_point_person_id=contact(theirs).pk,
            issue_contact_id=contact(issues).pk,
            preferred_channel=channel,
            meeting_cadence=cadence,
            meeting_notes=notes,
        )

    def ladder(engagement, *levels):
        for ours, theirs, amount, unit in levels:
            engagements.add_escalation_level(
                as_owner,
                engagement,
                our_person_id=ours.pk,
                their_contact_id=contact(theirs).pk,
                amount=amount,
                unit=unit,
            )

    def steps(engagement, *rows):
        for actor, action, recipient, due in rows:
            data = {"actor": actor, "action": action, "recipient": recipient, "due": due}
            engagements.add_workflow_step(as_owner, engagement, data=data)

    def levels(engagement, *rows):
        for task_kind, rule, amount in rows:
            data = {
                "task_kind": task_kind,
                "rule": rule,
                "business_days": amount if rule == "business_days" else None,
                "day_of_month": amount if rule == "day_of_month" else None,
            }
            engagements.save_service_level(as_owner, engagement, data=data)

    def targets(engagement, **by_severity):
        for severity, (amount, unit) in by_severity.items():
            engagements.set_response_target(
                as_owner, engagement, severity=severity, amount=amount, unit=unit
            )

    def access(engagement, system, account, level, granted_on):
        data = {"system": system, "account": account, "level": level, "granted_on": granted_on}
        engagements.grant_access(as_owner, engagement, data=data)

    # Active and signed: the bookkeeping firm, its notice deadline coming up. Drafted with its
    # plan two weeks before it began, the agreement sent and signed, active on its first day.
    start = today - relativedelta(months=9, day=1)
    drafting = timezone.now()  # the draft and its set-up, dated when drafted:
    books = engage(
        "Ledgerline Bookkeeping",
        ["Bookkeeping", "Payroll"],
        title="Monthly bookkeeping and close",
        pricing_model="flat",
        amount=Decimal("1250.00"),
        billing_period="month",
        payment_terms_days=15,
        start_date=start,
        end_date=start + relativedelta(years=1, days=-1),
        auto_renew=True,
        renewal_months=12,
        notice_days=60,
        scope="Bank and card reconciliation, payables entry, payroll for 14 staff, and the "
        "monthly close package with a profit-and-loss statement and balance sheet. Year-end "
        "tax filing is not included.",
    )
    plan(
        books,
        oscar,
        "Priya Raman",
        "Tom Okafor",
        "portal",
        "monthly",
        "first Tuesday, 30 minutes, video call",
    )
    ladder(
        books, (oscar, "Tom Okafor", 1, "business_days"), (owner, "Priya Raman", 2, "business_days")
    )
    steps(
        books,
        ("us", "send the week's receipts and bills", "provider", "every Friday"),
        ("provider", "reconcile the bank and card accounts", "", "by Wednesday"),
        ("provider", "deliver the monthly close package", "us", "by the 10th"),
        ("us", "review and approve the close", "provider", "within 3 business days"),
    )
    levels(
        books,
        ("Monthly close", "day_of_month", 10),
        ("Bill entry", "business_days", 2),
        ("Payroll run", "business_days", 1),
    )
    targets(books, critical=(4, "hours"), high=(1, "business_days"), normal=(2, "business_days"))
    shift(org, drafting, at(start - timedelta(days=14), 10))
    with backdated(org, at(start - timedelta(days=12), 11)):
        version = agreements.generate(as_owner, books)
        agreements.mark_sent(as_owner, version)
    signed_on = min(today, start - timedelta(days=5))
    with backdated(org, at(signed_on, 15)):
        with version.file.open("rb") as pdf:
            signed_copy = SimpleUploadedFile("signed.pdf", pdf.read(), "application/pdf")
        agreements.upload_signed(
            as_owner,
            books,
            upload=signed_copy,
            signed_on=signed_on,
            signers="Maria Chen; Priya Raman",
            version_id=version.pk,
        )
    with backdated(org, at(start - timedelta(days=2), 16)):
        granted = start - timedelta(days=2)
        access(books, "QuickBooks Online", "ledgerline@clients", "accountant", granted)
        access(books, "First Ohio Bank portal", "priya.raman", "read-only", granted)
    with backdated(org, at(start, 9)):
        engagements.move_status(as_owner, books, to_status="active", reason="Signed and onboarded")

    # Active, agreement out for signature but not signed back: flagged on its page.
    start = today - relativedelta(months=4, day=1)
    drafting = timezone.now()  # the draft and its set-up, dated when drafted:
    billing = engage(
        "ClearClaim Billing",
        ["Billing"],
        tiers=[(Decimal(1000), Decimal("3.75"))],
        title="Insurance claims billing",
        pricing_model="per_unit",
        amount=Decimal("4.25"),
        unit_name="claim",
        monthly_quantity=Decimal(640),
        start_date=start,
        notice_days=30,
        scope="Submit dental insurance claims daily, post payments, work denials and appeals.",
    )
    plan(billing, oscar, "Dana Whitfield", "Marco Silva", "email", "biweekly")
    ladder(
        billing, (oscar, "Marco Silva", 8, "hours"), (owner, "Dana Whitfield", 1, "business_days")
    )
    levels(billing, ("Claim submission", "business_days", 1), ("Denial appeal", "business_days", 5))
    targets(billing, critical=(4, "hours"), normal=(1, "business_days"), low=(3, "business_days"))
    steps(
        billing,
        ("us", "upload the day's encounter sheets", "provider", "by 6 pm"),
        ("provider", "submit the claims", "", "the next business day"),
        ("provider", "send the month's collections report", "us", "by the 5th"),
    )
    shift(org, drafting, at(start - timedelta(days=10), 14))
    with backdated(org, at(start, 10)):
        engagements.move_status(as_owner, billing, to_status="active", reason="Pilot went well")
    with backdated(org, at(start + timedelta(days=3), 11)):
        # Sent for signature in the app; ClearClaim's signer has not signed yet.
        agreements.send_for_signature(
            as_owner,
            agreements.generate(as_owner, billing),
            provider_name="Dana Whitfield",
            provider_email="dana@clearclaim.example",
            our_signer=owner,
            valid_days=60,
        )

    # Paused: the answering service.
    start = today - relativedelta(months=8, day=1)
    drafting = timezone.now()  # the draft and its set-up, dated when drafted:
    calls = engage(
        "BrightVoice Answering",
        ["Customer service"],
        title="After-hours patient calls",
        pricing_model="per_unit",
        amount=Decimal("1.10"),
        unit_name="call",
        monthly_quantity=Decimal(900),
        start_date=start,
        end_date=today + relativedelta(months=2, day=31),
        auto_renew=True,
        renewal_months=6,
        notice_days=30,
        scope="Answer calls after 5 pm and on weekends; book and move appointments; page the "
        "on-call dentist for emergencies.",
    )
    plan(calls, beth, "Alicia Gomez", "Alicia Gomez", "phone", "quarterly")
    ladder(calls, (beth, "Alicia Gomez", 2, "hours"))
    targets(calls, critical=(1, "hours"), normal=(1, "business_days"))
    shift(org, drafting, at(start - timedelta(days=9), 13))
    with backdated(org, at(start, 8)):
        engagements.move_status(as_owner, calls, to_status="active", reason="Service started")
    with backdated(org, at(today - timedelta(days=19), 17, 30)):
        engagements.move_status(
            as_oscar,
            calls,
            to_status="paused",
            reason="Office closed for renovation; calls forwarded",
        )

    # Draft, its plan still incomplete: the IT contractor, an individual.
    drafting = timezone.now()  # the draft and its set-up, dated when drafted:
    engage(
        "Jordan Lee IT",
        ["IT support"],
        title="Front-desk IT support",
        pricing_model="hourly",
        amount=Decimal("85.00"),
        monthly_quantity=Decimal(6),
        start_date=today,
        end_date=today + relativedelta(months=6),
        notice_days=14,
        scope="Keep the front-desk PCs, printers and Wi-Fi working; monthly updates.",
    )
    shift(org, drafting, at(today - timedelta(days=12), 15))

    # Ended, its exit checklist done: the former marketing contractor, entered in the first
    # week (it had begun before Handoff) and ended on its end date.
    drafting = timezone.now()  # the draft and its set-up, dated when drafted:
    marketing = engage(
        "Pixel & Pine Marketing",
        ["Marketing"],
        title="Newsletter and social posts",
        pricing_model="flat",
        amount=Decimal("600.00"),
        start_date=today - relativedelta(months=14, day=1),
        end_date=today - relativedelta(months=8, day=1),
        notice_days=30,
    )
    plan(marketing, beth, "Sam Carter", "Sam Carter", "email", "monthly")
    access(marketing, "Mailchimp", "sam@pixelandpine.example", "manager", marketing.start_date)
    engagements.move_status(as_owner, marketing, to_status="active", reason="Kick-off")
    shift(org, drafting, started_using_handoff() + timedelta(days=4, hours=2))
    with backdated(org, at(marketing.end_date - timedelta(days=10), 10)):
        exit_items = engagements.start_exit(as_owner, marketing)
    for index, item in enumerate(exit_items):
        done = marketing.end_date - timedelta(days=8 - index * 2)
        with backdated(org, at(done, 14)):
            engagements.complete_exit_item(as_owner, item)
        if item.access_grant_id:  # revoked that day (a date the service sets to today)
            AccessGrant.objects.visible_to(as_owner).filter(pk=item.access_grant_id).update(
                revoked_on=done
            )
    with backdated(org, at(marketing.end_date, 9)):
        engagements.move_status(
            as_owner, marketing, to_status="ended", reason="Newsletter brought in-house"
        )


def _vetting(org, owner) -> None:
    """References with checks, and due diligence with one insurance certificate expired."""
    today = timezone.localdate()
    oscar = User.objects.get(email="oscar@maplestreetdental.example")
    as_owner = for_session(owner, org.slug)

    def reference(provider_name, name, company, relationship, years):
        provider = Provider.objects.visible_to(as_owner).get(name=provider_name)
        email = name.split()[0].lower() + "@" + company.split()[0].lower() + ".example"
        data = {
            "name": name,
            "company": company,
            "email": email,
            "phone": "614-555-0100",
            "relationship": relationship,
            "worked_from": today - relativedelta(years=years),
        }
        return vetting.save_reference(as_owner, provider, data=data)

    def check(ref, *, by, ratings, hire, missed="", flags="", notes="", self_submitted=False):
        data = dict(
            zip(
                ("understood_field", "met_deadlines", "communication", "quality"),
                ratings,
                strict=True,
            )
        )
        data.update(would_hire_again=hire, missed_deadlines=missed, red_flags=flags, notes=notes)
        if self_submitted:
            request, _ = vetting.request_check(for_session(by, org.slug), ref)
            vetting.answer_request(Principal.for_link(request), data=data)
        else:
            vetting.record_check(for_session(by, org.slug), ref, data=data)

    origin = started_using_handoff()
    books_start = today - relativedelta(months=9, day=1)
    billing_start = today - relativedelta(months=4, day=1)
    # Ledgerline's references, checked while the bookkeeping analysis was under way.
    checking = timezone.now()
    harbor = reference(
        "Ledgerline Bookkeeping", "Dana Brooks", "Harbor Family Dental", "current_client", 3
    )
    check(
        harbor,
        by=oscar,
        ratings=(5, 4, 5, 5),
        hire="yes",
        missed="One close came two days late during their software migration; they told us "
        "a week ahead.",
        notes="Catches duplicate vendor bills.",
    )
    orchard = reference(
        "Ledgerline Bookkeeping", "Luis Romero", "Orchard Vet Clinic", "former_client", 4
    )
    check(orchard, by=owner, ratings=(4, 5, 4, 4), hire="yes", self_submitted=True)
    reference("Ledgerline Bookkeeping", "Amy Chen", "Chen & Park CPAs", "partner", 5)
    shift(org, checking, origin + timedelta(days=17, hours=5))
    # The payroll candidates' references, a few days later.
    checking = timezone.now()

    lakeside = reference(
        "Summit Payroll Partners", "Greg Hall", "Lakeside Ortho", "current_client", 2
    )
    check(
        lakeside,
        by=oscar,
        ratings=(4, 3, 3, 4),
        hire="unsure",
        missed="Two payroll runs were a day late last spring.",
        flags="Changed account managers twice in a year.",
    )
    pines = reference(
        "Evergreen Tax & Books", "Nina Patel", "Pines Pediatrics", "current_client", 1
    )
    check(pines, by=oscar, ratings=(5, 5, 4, 5), hire="yes", self_submitted=True)
    shift(org, checking, origin + timedelta(days=22, hours=2))

    standard = vetting.templates(Principal.system(org))[0]
    for name, moment in (
        ("Ledgerline Bookkeeping", at(books_start - timedelta(days=25), 11)),
        ("ClearClaim Billing", at(billing_start - timedelta(days=30), 11)),
        ("Summit Payroll Partners", origin + timedelta(days=23, hours=3)),
    ):
        with backdated(org, moment):
            vetting.apply_template(
                as_owner, Provider.objects.visible_to(as_owner).get(name=name), standard
            )

    def item(provider_name, title_start, **data):
        found = DueDiligenceItem.objects.visible_to(as_owner).get(
            provider__name=provider_name, title__startswith=title_start
        )
        pdf = SimpleUploadedFile("document.pdf", b"%PDF-1.4\n% demo document\n")
        document = pdf if found.needs_document else None
        starts = books_start if provider_name.startswith("Ledgerline") else billing_start
        with backdated(org, at(starts - timedelta(days=20), 10) + timedelta(minutes=7 * len(done))):
            vetting.update_item(as_owner, found, data=data, document=document)
        done.append(found)

    done = []

    item(
        "Ledgerline Bookkeeping",
        "Certificate",
        status="verified",
        expires_on=today + relativedelta(months=7),
        amount=Decimal(2_000_000),
    )
    item(
        "Ledgerline Bookkeeping",
        "Business licence",
        status="verified",
        expires_on=today + relativedelta(days=20),
    )
    item("Ledgerline Bookkeeping", "Data-security", status="verified")
    item(
        "Ledgerline Bookkeeping",
        "Bank details",
        status="verified",
        notes="Called their office manager at the number on their website.",
    )
    item(
        "ClearClaim Billing",
        "Certificate",
        status="received",
        expires_on=today - relativedelta(days=12),
        amount=Decimal(1_000_000),
        notes="Expired; renewal requested from Dana.",
    )
    item(
        "ClearClaim Billing",
        "Data-security",
        status="verified",
        notes="HIPAA business associate agreement signed.",
    )
    for function_name, candidates in [
        ("Bookkeeping", ["Ledgerline Bookkeeping", "Evergreen Tax & Books"]),
        ("Payroll", ["Summit Payroll Partners", "Ledgerline Bookkeeping"]),
    ]:
        function = BusinessFunction.objects.visible_to(as_owner).get(name=function_name)
        for index, provider_name in enumerate(candidates):
            provider = Provider.objects.visible_to(as_owner).get(name=provider_name)
            with backdated(org, origin + timedelta(days=16, hours=index)):
                decisions.add_candidate(
                    for_session(owner, org.slug), function, provider_id=provider.pk
                )
