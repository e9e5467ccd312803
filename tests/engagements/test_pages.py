import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from handoff.core.principal import Principal
from handoff.decisions.models import BusinessFunction
from handoff.engagements import agreements, services
from handoff.engagements.models import (
    AgreementClause,
    AgreementVersion,
    Engagement,
    Holiday,
    ServiceLevel,
    StatusChange,
    WorkflowStep,
)
from tests.conftest import client_for
from tests.factories import ContactFactory, ProviderFactory, principal_for


def url(name, org, *args):
    return reverse(f"engagements:{name}", args=[org.slug, *args])


def function_id(org, name="Bookkeeping"):
    return BusinessFunction.objects.filter(organization=org).get(name=name).pk


def terms(**overrides):
    data = {
        "title": "Monthly books",
        "scope": "Reconcile and close",
        "pricing_model": "flat",
        "amount": "1250.00",
        "billing_period": "month",
        "unit_name": "",
        "monthly_quantity": "",
        "payment_terms_days": 30,
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "renewal_months": 12,
        "notice_days": 60,
        "tiers": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline", kind="individual")


@pytest.fixture
def contacts(provider):
    return ContactFactory(provider=provider, name="Priya"), ContactFactory(
        provider=provider, name="Tom"
    )


@pytest.fixture
def engagement(org, owner, provider):
    return services.create_engagement(
        principal_for(owner, org),
        provider_id=provider.pk,
        function_ids=[function_id(org)],
        data={
            "title": "Monthly books",
            "pricing_model": "flat",
            "amount": "1250.00",
            "start_date": date(2026, 1, 1),
            "end_date": date(2026, 12, 31),
        },
    )


def complete_plan(engagement, manager, contacts):
    services.update_plan(
        principal_for(manager, engagement.organization),
        engagement,
        our_point_person_id=manager.pk,
        their_point_person_id=contacts[0].pk,
        issue_contact_id=contacts[1].pk,
        preferred_channel="email",
        meeting_cadence="monthly",
    )


@pytest.mark.django_db
class TestTerms:
    def test_a_manager_drafts_an_engagement(self, org, manager, provider):
        response = client_for(manager).post(
            url("create", org),
            terms(provider=provider.pk, functions=[function_id(org), function_id(org, "Payroll")]),
        )
        engagement = Engagement.objects.filter(organization=org).get()
        assert response["Location"] == engagement.get_absolute_url()
        assert engagement.status == "draft" and engagement.annual_cost == 15000
        assert sorted(f.name for f in engagement.functions.all()) == ["Bookkeeping", "Payroll"]

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"end_date": "2025-12-31"}, "The end date is before the start date."),
            ({"amount": "-5"}, "Ensure this value is greater than or equal to 0."),
            ({"pricing_model": "per_unit"}, "Name the unit you pay for"),
            ({"functions": ["999999"]}, "Select a valid choice."),
            ({"functions": []}, "This field is required."),
            (
                {"pricing_model": "per_unit", "unit_name": "claim", "tiers": "1000 at 4"},
                "Line 1 should read",
            ),
        ],
    )
    def test_bad_terms_are_refused_with_the_reason(
        self, org, manager, provider, overrides, message
    ):
        data = terms(provider=provider.pk, functions=[function_id(org)])
        data.update(overrides)
        response = client_for(manager).post(url("create", org), data)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Engagement.objects.exists()

    def test_another_organizations_provider_or_function_is_refused(self, org, manager, other_org):
        foreign_provider = ProviderFactory(organization=other_org)
        response = client_for(manager).post(
            url("create", org),
            terms(provider=foreign_provider.pk, functions=[function_id(other_org)]),
        )
        assert response.content.decode().count("Select a valid choice.") == 2
        assert not Engagement.objects.exists()

    def test_edits_are_versioned_and_stale_edits_refused(self, org, manager, engagement, provider):
        client = client_for(manager)
        data = terms(provider=provider.pk, functions=[function_id(org)], amount="1300", version=1)
        assert client.post(url("edit", org, engagement.pk), data).status_code == 302
        stale = client.post(url("edit", org, engagement.pk), {**data, "amount": "1", "version": 1})
        assert "Someone changed this since you opened it" in stale.content.decode()
        engagement.refresh_from_db()
        assert (engagement.amount, engagement.version) == (1300, 2)


@pytest.mark.django_db
class TestStatus:
    def move(self, user, org, engagement, to_status, reason=""):
        return client_for(user).post(
            url("status", org, engagement.pk),
            {"to_status": to_status, "reason": reason},
            follow=True,
        )

    def test_activation_waits_for_the_plan_and_says_what_is_missing(
        self, org, manager, engagement, contacts
    ):
        page = self.move(manager, org, engagement, "active").content.decode()
        assert (
            "It cannot become active until the communication plan names our point person for "
            "new work; their point person for new work; their contact for issues."
        ) in page
        complete_plan(engagement, manager, contacts)
        self.move(manager, org, engagement, "active", "Signed")
        engagement.refresh_from_db()
        assert engagement.status == "active"
        change = StatusChange.objects.filter(organization=org).get()
        assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
            "draft",
            "active",
            manager,
            "Signed",
        )

    def test_pausing_needs_a_reason_and_odd_moves_are_refused(
        self, org, manager, engagement, contacts
    ):
        assert (
            "cannot become paused"
            in self.move(manager, org, engagement, "paused", "x").content.decode()
        )
        complete_plan(engagement, manager, contacts)
        self.move(manager, org, engagement, "active")
        assert (
            "Say why the engagement is paused"
            in self.move(manager, org, engagement, "paused").content.decode()
        )
        engagement.refresh_from_db()
        assert engagement.status == "active"

    def test_ending_an_active_engagement_goes_through_the_exit_checklist(
        self, org, manager, engagement, contacts
    ):
        complete_plan(engagement, manager, contacts)
        services.move_status(
            principal_for(manager, engagement.organization), engagement, to_status="active"
        )
        grant = services.grant_access(
            principal_for(manager, engagement.organization),
            engagement,
            data={"system": "QuickBooks", "account": "ledgerline", "level": "accountant"},
        )
        page = self.move(manager, org, engagement, "ended", "Moving in-house").content.decode()
        assert "Start the exit checklist first" in page
        client = client_for(manager)
        client.post(url("exit_start", org, engagement.pk))
        page = self.move(manager, org, engagement, "ended", "Moving in-house").content.decode()
        assert "Finish the exit checklist first: Revoke access to QuickBooks" in page
        for item in engagement.exit_items.all():
            client.post(url("exit_item_done", org, engagement.pk, item.pk), {"done": "1"})
        grant.refresh_from_db()
        assert grant.revoked_on == timezone.localdate()
        self.move(manager, org, engagement, "ended", "Moving in-house")
        engagement.refresh_from_db()
        assert engagement.status == "ended"


@pytest.mark.django_db
class TestPlan:
    def post_plan(self, manager, org, engagement, **ids):
        data = {"preferred_channel": "email", "meeting_cadence": "monthly", "meeting_notes": ""}
        data.update({key: value for key, value in ids.items() if value is not None})
        return client_for(manager).post(url("plan", org, engagement.pk), data)

    def test_contacts_must_work_for_the_engagements_provider(
        self, org, manager, engagement, other_org
    ):
        stranger = ContactFactory(provider=ProviderFactory(organization=org))
        foreign = ContactFactory(provider=ProviderFactory(organization=other_org))
        for contact in (stranger, foreign):
            page = self.post_plan(manager, org, engagement, their_point_person=contact.pk)
            assert "Select a valid choice" in page.content.decode()
        engagement.communication_plan.refresh_from_db()
        assert engagement.communication_plan.their_point_person is None

    def test_our_point_person_must_be_a_member(self, org, manager, engagement, outsider):
        page = self.post_plan(manager, org, engagement, our_point_person=outsider.pk)
        assert "Select a valid choice" in page.content.decode()

    def test_the_ladder_grows_and_shrinks_without_gaps(self, org, manager, engagement, contacts):
        client = client_for(manager)
        for amount in (4, 8, 24):
            client.post(
                url("escalation_add", org, engagement.pk),
                {
                    "our_person": manager.pk,
                    "their_contact": contacts[0].pk,
                    "amount": amount,
                    "unit": "hours",
                },
            )
        first = engagement.escalation_levels.get(level=1)
        client.post(url("escalation_remove", org, engagement.pk, first.pk))
        assert list(engagement.escalation_levels.values_list("level", "amount")) == [
            (1, 8),
            (2, 24),
        ]

    def test_the_contact_card_names_everyone(self, org, viewer, manager, engagement, contacts):
        complete_plan(engagement, manager, contacts)
        page = client_for(viewer).get(url("contact_card", org, engagement.pk)).content.decode()
        assert "Who to contact for what" in page
        assert manager.name in page and "Priya" in page and "Tom" in page


@pytest.mark.django_db
class TestServiceLevelsAndWorkflow:
    def test_service_levels_and_response_targets(self, org, manager, engagement):
        client = client_for(manager)
        client.post(
            url("service_levels", org, engagement.pk),
            {
                "form": "level",
                "task_kind": "Monthly close",
                "rule": "day_of_month",
                "day_of_month": 10,
            },
        )
        page = client.post(
            url("service_levels", org, engagement.pk),
            {
                "form": "level",
                "task_kind": "monthly close",
                "rule": "business_days",
                "business_days": 2,
            },
        )
        assert "already has a service level" in page.content.decode()
        missing = client.post(
            url("service_levels", org, engagement.pk),
            {
                "form": "level",
                "task_kind": "Invoices",
                "rule": "business_days",
            },
        )
        assert "Give the number of business days." in missing.content.decode()
        assert [str(sl) for sl in ServiceLevel.objects.filter(organization=org)] == [
            "Monthly close: by day 10 of the month"
        ]
        client.post(
            url("service_levels", org, engagement.pk),
            {
                "form": "targets",
                "critical_amount": 4,
                "critical_unit": "hours",
                "high_amount": "",
                "high_unit": "hours",
                "normal_amount": 2,
                "normal_unit": "business_days",
                "low_amount": "",
                "low_unit": "hours",
            },
        )
        assert sorted(
            (t.severity, t.target_display) for t in engagement.response_targets.all()
        ) == [("critical", "4 hours"), ("normal", "2 business days")]

    def test_workflow_steps_read_as_a_sequence_and_reorder(self, org, manager, engagement):
        client = client_for(manager)
        for actor, action, recipient, due in [
            ("us", "send the receipts", "provider", "every Friday"),
            ("provider", "deliver the close", "us", "by the 10th"),
        ]:
            client.post(
                url("workflow", org, engagement.pk),
                {"actor": actor, "action": action, "recipient": recipient, "due": due},
            )
        second = WorkflowStep.objects.filter(organization=org).get(position=2)
        client.post(url("workflow_step_action", org, engagement.pk, second.pk), {"action": "up"})
        page = client.get(engagement.get_absolute_url()).content.decode()
        assert page.index("They deliver the close to us by the 10th") < page.index(
            "We send the receipts to them every Friday"
        )


@pytest.mark.django_db
class TestAgreement:
    def test_the_pdf_names_the_parties_the_fee_and_the_contractor_status(
        self, org, manager, engagement
    ):
        client = client_for(manager)
        client.post(url("agreement_generate", org, engagement.pk))
        version = engagement.agreement_versions.get()
        response = client.get(url("agreement_download", org, engagement.pk, version.pk))
        text = " ".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages
        )
        text = " ".join(text.split())
        assert "Acme Dental" in text and "Ledgerline" in text
        assert "$1,250.00 per month" in text
        assert "The Provider is an independent contractor, not an employee" in text
        assert agreements.state(engagement) == "generated"

    def test_a_firm_gets_no_contractor_clause(self, org, manager, engagement, provider):
        provider.kind = "firm"
        provider.save()
        engagement = Engagement.objects.select_related("provider").get(pk=engagement.pk)
        assert "independent contractor" not in agreements.render_html(
            Principal.system(engagement.organization), engagement
        )

    def test_the_signed_copy_is_checked_by_content(self, org, manager, engagement):
        client = client_for(manager)
        fake = SimpleUploadedFile("signed.pdf", b"just text, not a PDF", "application/pdf")
        page = client.post(
            url("signed_upload", org, engagement.pk),
            {"file": fake, "signed_on": "2026-01-02", "signers": "A; B"},
        )
        assert "Upload a PDF, PNG or JPEG file" in page.content.decode()
        assert agreements.state(engagement) == "none"
        content = b"\x89PNG\r\n\x1a\n" + b"0" * 100
        misnamed = SimpleUploadedFile("scan.bin", content, "image/x-unknown")
        page = client.post(
            url("signed_upload", org, engagement.pk),
            {"file": misnamed, "signed_on": "2026-01-02", "signers": "A; B"},
        )
        assert "scan.bin: .bin files are not accepted" in page.content.decode()
        png = SimpleUploadedFile("Scan.PNG", content, "image/x-unknown")
        client.post(
            url("signed_upload", org, engagement.pk),
            {"file": png, "signed_on": "2026-01-02", "signers": "A; B"},
        )
        signed = engagement.signed_agreements.get()
        assert (signed.content_type, signed.signers) == ("image/png", "A; B")
        assert agreements.state(engagement) == "signed"

    def test_an_admin_edits_a_clause_and_a_manager_may_not(self, org, admin, manager):
        clause = agreements.clauses(Principal.system(org))[0]
        assert client_for(manager).get(url("clause_edit", org, clause.pk)).status_code == 403
        client_for(admin).post(
            url("clause_edit", org, clause.pk), {"title": "Secrecy", "body": "Keep it secret."}
        )
        assert AgreementClause.objects.filter(organization=org).get(pk=clause.pk).title == "Secrecy"


@pytest.mark.django_db
class TestHolidaysAndRenewals:
    def test_holidays_are_seeded_and_editable(self, org, manager):
        assert (
            Holiday.objects.filter(organization=org).filter(name__icontains="Thanksgiving").exists()
        )
        client = client_for(manager)
        client.post(
            url("holidays", org), {"form": "holiday", "date": "2026-12-24", "name": "Office party"}
        )
        again = client.post(
            url("holidays", org), {"form": "holiday", "date": "2026-12-24", "name": "Twice"}
        )
        assert "is already a holiday" in again.content.decode()
        party = Holiday.objects.filter(organization=org).get(name="Office party")
        client.post(url("holiday_delete", org, party.pk))
        assert not Holiday.objects.filter(pk=party.pk).exists()

    def test_renewals_lists_what_comes_due(self, org, manager, engagement, contacts):
        engagement.end_date = timezone.localdate() + timedelta(days=40)
        engagement.notice_days = 30
        engagement.save()
        page = client_for(manager).get(url("renewals", org), {"days": 30}).content.decode()
        assert "Monthly books" in page
        page = client_for(manager).get(url("renewals", org), {"days": 5}).content.decode()
        assert "Monthly books" not in page


# --- Every page: another organization's member gets 404, a role below the least 403 --------
PAGES = [
    # (name, method, least role, needs: e = engagement, x = child row)
    ("list", "get", "viewer", ""),
    ("renewals", "get", "viewer", ""),
    ("create", "get", "manager", ""),
    ("create", "post", "manager", ""),
    ("detail", "get", "viewer", "e"),
    ("edit", "get", "manager", "e"),
    ("edit", "post", "manager", "e"),
    ("status", "post", "manager", "e"),
    ("plan", "get", "manager", "e"),
    ("plan", "post", "manager", "e"),
    ("contact_card", "get", "viewer", "e"),
    ("escalation_add", "post", "manager", "e"),
    ("escalation_remove", "post", "manager", "e:level"),
    ("service_levels", "get", "viewer", "e"),
    ("service_levels", "post", "manager", "e"),
    ("service_level_delete", "post", "manager", "e:service_level"),
    ("workflow", "get", "viewer", "e"),
    ("workflow", "post", "manager", "e"),
    ("workflow_step_edit", "get", "manager", "e:step"),
    ("workflow_step_action", "post", "manager", "e:step"),
    ("agreement_generate", "post", "manager", "e"),
    ("agreement_sent", "post", "manager", "e:version"),
    ("agreement_download", "get", "viewer", "e:version"),
    ("signed_upload", "get", "manager", "e"),
    ("signed_upload", "post", "manager", "e"),
    ("signed_download", "get", "viewer", "e:signed"),
    ("access_add", "get", "manager", "e"),
    ("access_revoke", "post", "manager", "e:grant"),
    ("exit_start", "post", "manager", "e"),
    ("exit_item_add", "post", "manager", "e"),
    ("exit_item_done", "post", "manager", "e:exit_item"),
    ("provider_engagements", "get", "viewer", "p"),
    ("holidays", "get", "viewer", ""),
    ("holidays", "post", "manager", ""),
    ("holiday_delete", "post", "manager", "holiday"),
    ("clauses", "get", "viewer", ""),
    ("clause_edit", "get", "admin", "clause"),
]
BELOW = {"manager": "member", "admin": "manager"}


@pytest.fixture
def rows(org, owner, engagement, contacts):
    complete_plan(engagement, owner, contacts)
    version = agreements.generate(principal_for(owner, engagement.organization), engagement)
    services.grant_access(
        principal_for(owner, engagement.organization),
        engagement,
        data={"system": "Bank", "account": "a", "level": "read"},
    )
    services.start_exit(principal_for(owner, engagement.organization), engagement)
    return {
        "e": engagement,
        "p": engagement.provider,
        "level": services.add_escalation_level(
            principal_for(owner, engagement.organization),
            engagement,
            our_person_id=owner.pk,
            their_contact_id=contacts[0].pk,
            amount=4,
            unit="hours",
        ),
        "service_level": services.save_service_level(
            principal_for(owner, engagement.organization),
            engagement,
            data={"task_kind": "Close", "rule": "day_of_month", "day_of_month": 10},
        ),
        "step": services.add_workflow_step(
            principal_for(owner, engagement.organization),
            engagement,
            data={"actor": "us", "action": "send receipts", "recipient": "provider", "due": ""},
        ),
        "version": version,
        "signed": agreements.upload_signed(
            principal_for(owner, engagement.organization),
            engagement,
            signed_on=date(2026, 1, 1),
            signers="A",
            upload=SimpleUploadedFile("s.pdf", version.file.open("rb").read()),
        ),
        "grant": engagement.access_grants.get(),
        "exit_item": engagement.exit_items.first(),
        "holiday": Holiday.objects.filter(organization=org).first(),
        "clause": agreements.clauses(Principal.system(org))[0],
    }


def path_for(org, name, needs, rows):
    args = []
    for need in needs.split(":") if needs else []:
        args.append(rows[need].pk)
    return reverse(f"engagements:{name}", args=[org.slug, *args])


def call(user, org, name, method, needs, rows):
    client = client_for(user)
    path = path_for(org, name, needs, rows)
    return client.get(path) if method == "get" else client.post(path, {})


IDS = [f"{method} {name}" for name, method, _, _ in PAGES]
RESTRICTED = [page for page in PAGES if page[2] in BELOW]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "least", "needs"), PAGES, ids=IDS)
def test_outsiders_get_404(org, outsider, other_org, rows, name, method, least, needs):
    assert call(outsider, org, name, method, needs, rows).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "least", "needs"), RESTRICTED, ids=[f"{m} {n}" for n, m, _, _ in RESTRICTED]
)
def test_a_role_below_the_least_gets_403(org, member, manager, rows, name, method, least, needs):
    user = {"member": member, "manager": manager}[BELOW[least]]
    assert call(user, org, name, method, needs, rows).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "least", "needs"), PAGES, ids=IDS)
def test_the_least_role_gets_through(org, viewer, manager, admin, rows, name, method, least, needs):
    user = {"viewer": viewer, "manager": manager, "admin": admin}[least]
    assert call(user, org, name, method, needs, rows).status_code in (200, 302)


@pytest.mark.django_db
def test_a_child_row_of_another_engagement_is_404(org, owner, manager, rows, provider, contacts):
    other = services.create_engagement(
        principal_for(owner, org),
        provider_id=provider.pk,
        function_ids=[function_id(org)],
        data={"title": "Other", "amount": 1, "start_date": date(2026, 1, 1)},
    )
    path = reverse("engagements:workflow_step_edit", args=[org.slug, other.pk, rows["step"].pk])
    assert client_for(manager).get(path).status_code == 404


@pytest.mark.django_db
def test_the_engagement_list_does_not_grow_with_its_length(org, owner, manager, provider, contacts):
    def make(count):
        for index in range(count):
            engagement = services.create_engagement(
                principal_for(owner, org),
                provider_id=provider.pk,
                function_ids=[function_id(org)],
                data={"title": f"E{index}", "amount": 1, "start_date": date(2026, 1, 1)},
            )
            version = AgreementVersion.objects.create(
                organization=org, engagement=engagement, number=1, file="x.pdf"
            )
            agreements.mark_sent(principal_for(owner, org), version)

    client = client_for(manager)
    make(3)
    client.get(url("list", org))
    with CaptureQueriesContext(connection) as few:
        client.get(url("list", org))
    make(12)
    with CaptureQueriesContext(connection) as many:
        client.get(url("list", org))
    assert len(many) == len(few)


def test_the_services_require_a_manager_of_the_engagements_organization(
    org, other_org, engagement, member, outsider
):
    """The services check the role themselves, whatever page or endpoint calls them."""
    below, elsewhere = principal_for(member, org), principal_for(outsider, other_org)
    for who in (below, elsewhere):
        with pytest.raises(PermissionDenied):
            services.move_status(who, engagement, to_status="ended", reason="No")
        with pytest.raises(PermissionDenied):
            services.add_workflow_step(who, engagement, data={"actor": "us", "action": "x"})
        with pytest.raises(PermissionDenied):
            agreements.generate(who, engagement)
    with pytest.raises(PermissionDenied, match="admin role"):
        agreements.update_clause(
            below, agreements.clauses(Principal.system(org))[0], title="Changed", body="x"
        )
    with pytest.raises(PermissionDenied, match="manager role"):
        services.create_engagement(
            below, provider_id=engagement.provider_id, function_ids=[], data={"title": "X"}
        )
    engagement.refresh_from_db()
    assert engagement.status == "draft" and not engagement.workflow_steps.exists()
    assert Engagement.objects.filter(organization=org).count() == 1
    assert not engagement.agreement_versions.exists()
    assert all(clause.title != "Changed" for clause in agreements.clauses(Principal.system(org)))
