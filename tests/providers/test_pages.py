import csv
import io

import pytest
from django.urls import reverse

from handoff.core.models import AuditEvent
from handoff.providers.models import Contact, ExpertiseField, Provider
from tests.conftest import client_for
from tests.factories import ContactFactory, ProviderFactory


def url(name, org, *args):
    return reverse(f"providers:{name}", args=[org.slug, *args])


VALID = {
    "name": "Ledgerline",
    "legal_name": "Ledgerline LLC",
    "kind": "firm",
    "entity_type": "single_member_llc",
    "status": "prospect",
    "website": "https://ledger.example",
    "street": "",
    "city": "Columbus",
    "region": "OH",
    "postal_code": "",
    "country": "United States",
    "notes": "",
}


@pytest.mark.django_db
class TestCreateAndEdit:
    def test_a_manager_adds_a_provider_with_fields_old_and_new(self, org, manager):
        bookkeeping = ExpertiseField.objects.filter(organization=org).get(name="Bookkeeping")
        response = client_for(manager).post(
            url("create", org),
            {**VALID, "expertise": [bookkeeping.pk], "new_fields": "Tax prep, bookkeeping"},
        )
        provider = Provider.objects.filter(organization=org).get()
        assert response["Location"] == provider.get_absolute_url()
        assert sorted(f.name for f in provider.fields.all()) == ["Bookkeeping", "Tax prep"]
        assert provider.created_by == manager
        assert (
            AuditEvent.objects.filter(organization=org).filter(action="provider.created").exists()
        )

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("name", "", "This field is required."),
            ("website", "not a url", "Enter a valid URL."),
            ("kind", "robot", "Select a valid choice."),
            ("entity_type", "llp", "Select a valid choice."),
            ("status", "maybe", "Select a valid choice."),
        ],
    )
    def test_bad_input_is_refused_with_the_reason_and_nothing_saved(
        self, org, manager, field, value, message
    ):
        response = client_for(manager).post(
            url("create", org), {**VALID, field: value, "new_fields": "Brand new field"}
        )
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Provider.objects.exists()
        assert not ExpertiseField.objects.filter(name="Brand new field").exists()

    def test_a_field_of_another_organization_is_refused(self, org, manager, other_org):
        foreign = ExpertiseField.objects.filter(organization=other_org).first()
        response = client_for(manager).post(
            url("create", org), {**VALID, "expertise": [foreign.pk]}
        )
        assert "Select a valid choice" in response.content.decode()
        assert not Provider.objects.exists()

    def test_an_edit_is_saved_and_versioned(self, org, manager):
        provider = ProviderFactory(organization=org, name="Old name")
        response = client_for(manager).post(
            url("edit", org, provider.pk), {**VALID, "name": "New name", "version": 1}
        )
        assert response.status_code == 302
        provider.refresh_from_db()
        assert (provider.name, provider.version) == ("New name", 2)
        event = AuditEvent.objects.filter(organization=org).get(action="provider.updated")
        assert event.changes["name"] == ["Old name", "New name"]

    def test_an_edit_over_a_newer_version_is_refused(self, org, manager):
        provider = ProviderFactory(organization=org, name="Current", version=3)
        response = client_for(manager).post(
            url("edit", org, provider.pk), {**VALID, "name": "Stale", "version": 2}
        )
        assert "Someone changed this since you opened it" in response.content.decode()
        provider.refresh_from_db()
        assert provider.name == "Current"


@pytest.mark.django_db
class TestArchive:
    def test_archived_providers_leave_the_list_but_keep_their_history(self, org, manager):
        provider = ProviderFactory(organization=org, name="Gone Ltd")
        ContactFactory(provider=provider)
        client = client_for(manager)

        def listed(**params):
            page = client.get(url("list", org), params).context["page"]
            return [p.name for p in page.object_list]

        client.post(url("archive", org, provider.pk))
        assert listed() == []
        assert listed(archived="on") == ["Gone Ltd"]
        assert Contact.objects.filter(provider=provider).exists()
        client.post(url("archive", org, provider.pk), {"restore": "1"})
        assert listed() == ["Gone Ltd"]


@pytest.mark.django_db
class TestListAndExport:
    @pytest.fixture
    def three(self, org):
        billing = ExpertiseField.objects.filter(organization=org).get(name="Billing")
        a = ProviderFactory(organization=org, name="Alpha Billing", status="active")
        a.fields.through.objects.create(organization=org, provider=a, field=billing)
        b = ProviderFactory(organization=org, name="beta books", status="prospect")
        ContactFactory(provider=b, name="Zed Quill", email="zed@quill.example")
        ProviderFactory(organization=org, name="Gamma Calls", status="former", kind="individual")
        return billing

    def names(self, response):
        return [p.name for p in response.context["page"].object_list]

    def test_it_searches_names_and_contacts(self, org, viewer, three):
        client = client_for(viewer)
        assert self.names(client.get(url("list", org), {"q": "alpha"})) == ["Alpha Billing"]
        assert self.names(client.get(url("list", org), {"q": "quill"})) == ["beta books"]

    def test_it_filters_and_sorts(self, org, viewer, three):
        client = client_for(viewer)
        assert self.names(client.get(url("list", org), {"status": "prospect"})) == ["beta books"]
        assert self.names(client.get(url("list", org), {"field": three.pk})) == ["Alpha Billing"]
        assert self.names(client.get(url("list", org), {"kind": "individual"})) == ["Gamma Calls"]
        assert self.names(client.get(url("list", org), {"sort": "-name"})) == [
            "Gamma Calls",
            "beta books",
            "Alpha Billing",
        ]

    def test_it_pages_by_fifty(self, org, viewer):
        ProviderFactory.create_batch(51, organization=org)
        client = client_for(viewer)
        assert len(self.names(client.get(url("list", org)))) == 50
        assert len(self.names(client.get(url("list", org), {"page": 2}))) == 1

    def test_htmx_requests_get_only_the_results(self, org, viewer, three):
        response = client_for(viewer).get(url("list", org), {"q": "alpha"}, HTTP_HX_REQUEST="true")
        assert "<html" not in response.content.decode()
        assert "Alpha Billing" in response.content.decode()

    def test_the_csv_export_follows_the_filters(self, org, viewer, three):
        response = client_for(viewer).get(url("export", org), {"status": "active"})
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert [(row["name"], row["fields"]) for row in rows] == [("Alpha Billing", "Billing")]


@pytest.mark.django_db
class TestContacts:
    def test_a_manager_adds_edits_and_archives_a_contact(self, org, manager):
        provider = ProviderFactory(organization=org)
        client = client_for(manager)
        client.post(
            url("contact_create", org, provider.pk),
            {
                "name": "Priya Raman",
                "title": "Account manager",
                "email": "priya@x.example",
                "phone": "",
                "preferred_channel": "email",
                "notes": "",
            },
        )
        contact = Contact.objects.filter(organization=org).get()
        client.post(
            url("contact_edit", org, contact.pk),
            {
                "name": "Priya Raman",
                "title": "Partner",
                "email": "priya@x.example",
                "phone": "555-0100",
                "preferred_channel": "phone",
                "notes": "",
                "version": 1,
            },
        )
        contact.refresh_from_db()
        assert (contact.title, contact.preferred_channel, contact.version) == (
            "Partner",
            "phone",
            2,
        )
        client.post(url("contact_archive", org, contact.pk))
        contact.refresh_from_db()
        assert contact.archived_at is not None

    def test_a_preferred_channel_needs_its_address(self, org, manager):
        provider = ProviderFactory(organization=org)
        response = client_for(manager).post(
            url("contact_create", org, provider.pk),
            {
                "name": "No Phone",
                "email": "",
                "phone": "",
                "preferred_channel": "phone",
            },
        )
        assert "Give a phone number" in response.content.decode()
        assert not Contact.objects.exists()
