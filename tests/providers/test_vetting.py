from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from handoff.core.principal import Principal
from handoff.providers import vetting
from handoff.providers.models import (
    DueDiligenceItem,
    Reference,
    ReferenceCheck,
    ReferenceQuestion,
    ReferenceRequest,
)
from tests.conftest import client_for
from tests.factories import ProviderFactory, principal_for

PDF = b"%PDF-1.4\n% a tiny but real PDF header\n"


def url(name, org, *args):
    return reverse(f"providers:{name}", args=[org.slug, *args])


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline")


@pytest.fixture
def reference(provider, owner):
    return vetting.save_reference(
        principal_for(owner, provider.organization),
        provider,
        data={
            "name": "Dana Client",
            "company": "Harbor Dental",
            "email": "dana@harbor.example",
            "relationship": "current_client",
        },
    )


def answer_link(message) -> str:
    line = next(line for line in message.body.splitlines() if "/reference-check/" in line)
    return "/" + line.split("://", 1)[1].split("/", 1)[1]


ANSWERS = {
    "understood_field": "5",
    "met_deadlines": "4",
    "missed_deadlines": "One late close in March",
    "communication": "5",
    "quality": "4",
    "would_hire_again": "yes",
    "red_flags": "",
    "notes": "Solid.",
}
# The same answers as the service takes them (the form's cleaned data).
ANSWERS_DATA = {"understood_field": 5, "met_deadlines": 4, "would_hire_again": "yes"}


@pytest.mark.django_db
class TestReferences:
    def test_a_manager_adds_a_reference_with_its_period(self, org, manager, provider):
        response = client_for(manager).post(
            url("reference_create", org, provider.pk),
            {
                "name": "Lee",
                "company": "Co",
                "email": "lee@co.example",
                "phone": "",
                "relationship": "former_client",
                "worked_from": "2024-01-01",
                "worked_to": "2025-06-30",
                "notes": "",
            },
        )
        assert response.status_code == 302
        assert Reference.objects.filter(organization=org).get().worked_to == date(2025, 6, 30)

    def test_a_period_that_ends_before_it_starts_is_refused(self, org, manager, provider):
        response = client_for(manager).post(
            url("reference_create", org, provider.pk),
            {
                "name": "Lee",
                "relationship": "partner",
                "worked_from": "2025-01-01",
                "worked_to": "2024-01-01",
            },
        )
        assert "The end is before the start." in response.content.decode()
        assert not Reference.objects.exists()


@pytest.mark.django_db
class TestChecks:
    def test_a_member_records_a_check(self, org, member, reference):
        response = client_for(member).post(url("check_create", org, reference.pk), ANSWERS)
        assert response.status_code == 302
        check = ReferenceCheck.objects.filter(organization=org).get()
        assert (check.understood_field, check.would_hire_again, check.asked_by) == (
            5,
            "yes",
            member,
        )
        assert check.self_submitted is False

    def test_an_empty_check_or_a_rating_of_six_is_refused(self, org, member, reference):
        client = client_for(member)
        empty = client.post(url("check_create", org, reference.pk), {})
        assert "Give at least one rating" in empty.content.decode()
        six = client.post(url("check_create", org, reference.pk), {**ANSWERS, "quality": "6"})
        assert "Select a valid choice" in six.content.decode()
        assert not ReferenceCheck.objects.exists()

    def test_the_organizations_own_questions_are_asked_and_kept(
        self, org, admin, member, reference
    ):
        client_for(admin).post(url("questions", org), {"text": "Did they keep your data safe?"})
        question = ReferenceQuestion.objects.filter(organization=org).get(key="")
        page = client_for(member).get(url("check_create", org, reference.pk)).content.decode()
        assert "Did they keep your data safe?" in page
        client_for(member).post(
            url("check_create", org, reference.pk),
            {**ANSWERS, f"q{question.pk}": "Yes, encrypted drives."},
        )
        assert ReferenceCheck.objects.get().answers == {str(question.pk): "Yes, encrypted drives."}

    def test_rewording_a_standard_question_changes_the_form(self, org, admin, member, reference):
        standard = next(
            q for q in vetting.questions(Principal.system(org)) if q.key == "met_deadlines"
        )
        client_for(admin).post(
            url("questions", org), {"question": standard.pk, "text": "Were they on time?"}
        )
        page = client_for(member).get(url("check_create", org, reference.pk)).content.decode()
        assert "Were they on time?" in page

    def test_a_manager_may_not_edit_the_questions(self, org, manager):
        assert client_for(manager).post(url("questions", org), {"text": "x"}).status_code == 403


@pytest.mark.django_db(transaction=True)
class TestEmailedReferenceForm:
    def test_the_reference_answers_once_without_an_account(self, org, member, reference):
        client_for(member).post(
            url("check_request", org, reference.pk), {"email": "dana@harbor.example"}
        )
        link = answer_link(mail.outbox[-1])
        stranger = Client()
        page = stranger.get(link).content.decode()
        assert "A few questions about Ledgerline" in page
        assert "Acme Dental" in page
        # The form shows nothing of the organization's data beyond these names.
        assert "olivia@example.com" not in page and "Providers" not in page
        response = stranger.post(link, ANSWERS)
        assert "Thank you" in response.content.decode()
        check = ReferenceCheck.objects.get()
        assert check.self_submitted and check.asked_by is None
        assert ReferenceRequest.objects.get().used_at is not None
        # Used once: the same link now fails, for reading and for writing.
        assert stranger.get(link).status_code == 404
        assert stranger.post(link, ANSWERS).status_code == 404
        assert ReferenceCheck.objects.count() == 1

    def test_an_expired_link_fails(self, org, member, reference):
        _, raw = vetting.request_check(principal_for(member, reference.organization), reference)
        link = reverse("providers:reference_answer", args=[raw])
        with time_machine.travel(timezone.now() + timedelta(days=15)):
            assert Client().get(link).status_code == 404
            assert Client().post(link, ANSWERS).status_code == 404
        assert not ReferenceCheck.objects.exists()

    def test_a_guessed_token_fails(self, db):
        link = reverse("providers:reference_answer", args=["guessed-token-1234567890"])
        assert Client().get(link).status_code == 404
        assert Client().post(link, ANSWERS).status_code == 404

    def test_the_link_opens_no_other_page(self, org, member, reference):
        _, raw = vetting.request_check(principal_for(member, reference.organization), reference)
        holder = Client()
        holder.get(reverse("providers:reference_answer", args=[raw]))
        response = holder.get(url("detail", org, reference.provider.pk))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_only_the_links_principal_answers_and_it_sees_its_own_request_only(
        self, org, member, reference
    ):
        """The link resolves to a principal whose one grant is its request: a member's log-in
        cannot answer in the reference's name, and the link's principal reads nothing else."""
        asked, _ = vetting.request_check(principal_for(member, org), reference)
        other, _ = vetting.request_check(principal_for(member, org), reference)
        link = Principal.for_link(asked)
        for stranger in (principal_for(member, org), Principal.system(org)):
            with pytest.raises(PermissionDenied):
                vetting.answer_request(stranger, data=ANSWERS_DATA)
        assert list(ReferenceRequest.objects.visible_to(link)) == [asked]
        assert not ReferenceCheck.objects.visible_to(link).exists()
        assert not link.at_least("viewer")
        with pytest.raises(PermissionDenied):
            link.require("viewer", "Reading the providers")
        vetting.answer_request(link, data=ANSWERS_DATA)
        assert ReferenceRequest.objects.get(pk=other.pk).used_at is None
        assert ReferenceRequest.objects.get(pk=asked.pk).used_at is not None

    def test_the_link_reads_the_organizations_questions_and_no_other_link_does(
        self, org, member, admin, reference
    ):
        """The reference's link opens the question set it answers (an added question too);
        another kind of link, or another organization's, reads none."""
        added = vetting.save_question(principal_for(admin, org), text="Did they keep secrets?")
        asked, raw = vetting.request_check(principal_for(member, org), reference)
        link = Principal.for_link(asked)
        assert added in vetting.custom_questions(link)
        assert ReferenceQuestion.objects.visible_to(link).count() == len(vetting.questions(link))
        assert not ReferenceQuestion.objects.visible_to(Principal.for_link(reference)).exists()
        page = Client().get(reverse("providers:reference_answer", args=[raw])).content.decode()
        assert "Did they keep secrets?" in page

    def test_a_reference_without_e_mail_cannot_be_asked_by_e_mail(self, org, member, provider):
        silent = vetting.save_reference(Principal.system(org), provider, data={"name": "No Mail"})
        page = client_for(member).post(
            url("check_request", org, silent.pk), {"email": ""}, follow=True
        )
        assert "has no e-mail address" in page.content.decode()
        assert not ReferenceRequest.objects.exists()


@pytest.mark.django_db
class TestDueDiligence:
    @pytest.fixture
    def items(self, org, manager, provider):
        template = vetting.templates(Principal.system(org))[0]
        client_for(manager).post(
            url("due_diligence_apply", org, provider.pk), {"template": template.pk}
        )
        return {
            item.title.split()[0]: item
            for item in DueDiligenceItem.objects.filter(organization=org)
        }

    def test_applying_a_checklist_twice_adds_nothing_twice(self, org, manager, provider, items):
        template = vetting.templates(Principal.system(org))[0]
        client_for(manager).post(
            url("due_diligence_apply", org, provider.pk), {"template": template.pk}
        )
        assert DueDiligenceItem.objects.filter(organization=org).count() == len(items) == 5

    def test_a_certificate_is_verified_with_its_document_expiry_and_amount(
        self, org, manager, items
    ):
        insurance = items["Certificate"]
        client = client_for(manager)
        page = client.post(
            url("due_diligence_item", org, insurance.pk), {"status": "verified", "notes": ""}
        )
        text = page.content.decode()
        assert "Attach the document before marking it verified." in text
        assert "Give the expiry date" in text and "Give the coverage amount" in text
        response = client.post(
            url("due_diligence_item", org, insurance.pk),
            {
                "status": "verified",
                "expires_on": "2027-03-31",
                "amount": "1000000",
                "notes": "",
                "document": SimpleUploadedFile("coi.pdf", PDF, "application/pdf"),
            },
        )
        assert response.status_code == 302
        insurance.refresh_from_db()
        assert (insurance.status, insurance.document_type) == ("verified", "application/pdf")
        download = client.get(url("due_diligence_document", org, insurance.pk))
        assert b"".join(download.streaming_content) == PDF

    def test_a_document_is_checked_by_its_content_and_size(self, org, manager, items):
        licence = items["Business"]
        client = client_for(manager)
        fake = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
        page = client.post(
            url("due_diligence_item", org, licence.pk), {"status": "received", "document": fake}
        )
        assert "Upload a PDF, PNG or JPEG file" in page.content.decode()
        big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")
        page = client.post(
            url("due_diligence_item", org, licence.pk), {"status": "received", "document": big}
        )
        assert "the limit is 10 MB" in page.content.decode()
        licence.refresh_from_db()
        assert licence.status == "pending" and not licence.document

    def test_the_expiring_list_shows_expired_and_soon_expiring_items(self, org, viewer, items):
        today = timezone.localdate()
        DueDiligenceItem.objects.filter(pk=items["Certificate"].pk).update(
            expires_on=today - timedelta(days=3)
        )
        DueDiligenceItem.objects.filter(pk=items["Business"].pk).update(
            expires_on=today + timedelta(days=20)
        )
        client = client_for(viewer)
        page = client.get(url("expiring", org), {"days": 30}).content.decode()
        assert "expired" in page and "Business licence" in page
        page = client.get(url("expiring", org), {"days": 7}).content.decode()
        assert "Certificate of insurance" in page and "Business licence" not in page


# --- Tenancy and roles on every vetting page -----------------------------------------------
@pytest.fixture
def rows(org, owner, reference):
    vetting.record_check(
        principal_for(owner, reference.organization), reference, data={"quality": 4}
    )
    template = vetting.templates(Principal.system(org))[0]
    vetting.apply_template(
        principal_for(owner, reference.provider.organization), reference.provider, template
    )
    item = DueDiligenceItem.objects.filter(organization=org).first()
    vetting.update_item(
        principal_for(owner, item.organization),
        item,
        data={"status": "received"},
        document=SimpleUploadedFile("d.pdf", PDF),
    )
    return {"p": reference.provider, "r": reference, "i": item, "t": template}


PAGES = [
    ("reference_create", "get", "manager", "p"),
    ("reference_create", "post", "manager", "p"),
    ("reference_detail", "get", "viewer", "r"),
    ("reference_edit", "get", "manager", "r"),
    ("reference_edit", "post", "manager", "r"),
    ("check_create", "get", "member", "r"),
    ("check_create", "post", "member", "r"),
    ("check_request", "post", "member", "r"),
    ("questions", "get", "viewer", ""),
    ("questions", "post", "admin", ""),
    ("due_diligence_apply", "post", "manager", "p"),
    ("due_diligence_item", "get", "manager", "i"),
    ("due_diligence_item", "post", "manager", "i"),
    ("due_diligence_document", "get", "viewer", "i"),
    ("expiring", "get", "viewer", ""),
    ("due_diligence_templates", "get", "viewer", ""),
    ("due_diligence_templates", "post", "admin", ""),
]
BELOW = {"member": "viewer", "manager": "member", "admin": "manager"}


def call(user, org, name, method, needs, rows):
    path = reverse(f"providers:{name}", args=[org.slug, *([rows[needs].pk] if needs else [])])
    client = client_for(user)
    return client.get(path) if method == "get" else client.post(path, {"template": rows["t"].pk})


def people(request):
    return {
        role: request.getfixturevalue(role)
        for role in ("owner", "admin", "manager", "member", "viewer", "outsider")
    }


IDS = [f"{method} {name}" for name, method, _, _ in PAGES]
RESTRICTED = [page for page in PAGES if page[2] in BELOW]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "least", "needs"), PAGES, ids=IDS)
def test_outsiders_get_404(request, org, other_org, rows, name, method, least, needs):
    assert call(people(request)["outsider"], org, name, method, needs, rows).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "least", "needs"), RESTRICTED, ids=[f"{m} {n}" for n, m, _, _ in RESTRICTED]
)
def test_a_role_below_the_least_gets_403(request, org, rows, name, method, least, needs):
    user = people(request)[BELOW[least]]
    assert call(user, org, name, method, needs, rows).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "least", "needs"), PAGES, ids=IDS)
def test_the_least_role_gets_through(request, org, rows, name, method, least, needs):
    assert call(people(request)[least], org, name, method, needs, rows).status_code in (200, 302)


def test_the_vetting_services_check_the_role_themselves(org, member, viewer, provider):
    """Recording a reference and applying due diligence are a manager's, asking a reference or
    recording a check a member's, editing the questions an admin's — in the service itself."""
    with pytest.raises(PermissionDenied, match="manager role"):
        vetting.save_reference(principal_for(member, org), provider, data={"name": "Dana"})
    reference = vetting.save_reference(Principal.system(org), provider, data={"name": "Dana"})
    with pytest.raises(PermissionDenied, match="member role"):
        vetting.record_check(principal_for(viewer, org), reference, data={"quality": 4})
    with pytest.raises(PermissionDenied, match="admin role"):
        vetting.save_question(principal_for(member, org), text="Would you hire them again?")
    with pytest.raises(PermissionDenied, match="manager role"):
        vetting.apply_template(
            principal_for(member, org), provider, vetting.templates(Principal.system(org))[0]
        )
    assert provider.references.count() == 1 and not reference.checks.exists()
    assert not provider.due_diligence_items.exists()
