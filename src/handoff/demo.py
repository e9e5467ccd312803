"""The demo organization: a dental practice that outsources bookkeeping, billing and calls.

``load()`` is idempotent: a second run finds the organization and adds nothing. Each later
capability adds its own part here, built through the same services the pages use.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from handoff.accounts import services as accounts
from handoff.accounts.models import Invitation, Membership, Organization, User, hash_secret
from handoff.core.roles import Role
from handoff.providers import services as providers

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
]


@transaction.atomic
def load() -> bool:
    """Create the demo organization; returns False (and changes nothing) when it exists."""
    owner = _user("Maria Chen", LOGIN_EMAIL)
    owner.set_password(LOGIN_PASSWORD)  # keep the printed login working on every run
    owner.save(update_fields=["password"])
    if Organization.objects.filter(slug=ORG_SLUG).exists():
        return False
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
    for entry in PROVIDERS:
        provider = providers.create_provider(
            org, actor=owner, data=entry["data"], new_field_names=entry["fields"]
        )
        for name, title, email, phone, channel in entry["contacts"]:
            providers.create_contact(
                provider,
                actor=owner,
                data={
                    "name": name,
                    "title": title,
                    "email": email,
                    "phone": phone,
                    "preferred_channel": channel,
                },
            )
    archived = providers.create_provider(
        org,
        actor=owner,
        data={
            "name": "QuickCall Virtual Reception",
            "kind": "firm",
            "status": "former",
            "notes": "Replaced by BrightVoice after repeated missed callbacks.",
        },
        new_field_names=["Customer service"],
    )
    providers.archive_provider(archived, actor=owner)
    Invitation.objects.create(
        organization=org,
        email="front.desk@maplestreetdental.example",
        role=Role.MEMBER,
        token_hash=hash_secret(Invitation.new_token()),
        invited_by=owner,
        expires_at=timezone.now() + timedelta(days=7),
    )
    return True


def _user(name: str, email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, name=name, password=None)
    return user
