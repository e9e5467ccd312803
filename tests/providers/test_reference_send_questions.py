"""After saving a reference, its page offers to send the questions right there: one button to
the reference's e-mail address, or, without one, says so and offers to add it."""

import pytest
from django.core import mail
from django.urls import reverse

from handoff.core.principal import Principal
from handoff.providers import vetting
from handoff.providers.models import Reference, ReferenceRequest
from tests.conftest import client_for
from tests.factories import ProviderFactory, principal_for


def url(name, org, *args):
    return reverse(f"providers:{name}", args=[org.slug, *args])


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline")


FORM = {"name": "Lee Park", "company": "Harbor Dental", "relationship": "former_client"}


@pytest.mark.django_db(transaction=True)
class TestAfterSaving:
    def test_saving_a_reference_lands_on_its_page_with_send_the_questions(
        self, org, manager, provider
    ):
        client = client_for(manager)
        response = client.post(
            url("reference_create", org, provider.pk), {**FORM, "email": "lee@harbor.example"}
        )
        reference = Reference.objects.filter(organization=org).get()
        assert response["Location"] == url("reference_detail", org, reference.pk)
        page = client.get(response["Location"]).content.decode()
        assert "Lee Park was added as a reference." in page
        assert "Next: ask Lee Park about Ledgerline" in page
        assert '<input type="hidden" name="email" value="lee@harbor.example">' in page
        assert page.count(">Send the questions</button>") == 1

        sent = client.post(
            url("check_request", org, reference.pk), {"email": "lee@harbor.example"}, follow=True
        ).content.decode()
        assert "The questions are on their way to lee@harbor.example" in sent
        assert ReferenceRequest.objects.get().sent_to == "lee@harbor.example"
        assert mail.outbox[-1].to == ["lee@harbor.example"]
        assert "/reference-check/" in mail.outbox[-1].body
        # Asked once: the page no longer leads with the offer.
        assert "Next: ask Lee Park" not in sent

    def test_without_an_e_mail_the_page_says_so_and_offers_to_add_one(self, org, manager, provider):
        client = client_for(manager)
        response = client.post(url("reference_create", org, provider.pk), FORM, follow=True)
        reference = Reference.objects.filter(organization=org).get()
        page = response.content.decode()
        assert "Lee Park has no e-mail address on file, so the questions cannot be sent yet." in (
            page
        )
        assert f'href="{url("reference_edit", org, reference.pk)}">Add an e-mail address' in page
        assert ">Send the questions</button>" in page  # the form that takes a typed address

        edited = client.post(
            url("reference_edit", org, reference.pk), {**FORM, "email": "lee@harbor.example"}
        )
        assert edited["Location"] == url("reference_detail", org, reference.pk)
        page = client.get(edited["Location"]).content.decode()
        assert '<input type="hidden" name="email" value="lee@harbor.example">' in page

    def test_a_viewer_is_not_offered_to_send(self, org, owner, viewer, provider):
        reference = vetting.save_reference(
            principal_for(owner, provider.organization),
            provider,
            data={**FORM, "email": "lee@harbor.example"},
        )
        page = client_for(viewer).get(url("reference_detail", org, reference.pk)).content.decode()
        assert "Send the questions" not in page

    def test_another_organizations_reference_is_a_404(self, org, other_org, outsider, provider):
        reference = vetting.save_reference(
            Principal.system(provider.organization), provider, data=FORM
        )
        client = client_for(outsider)
        assert client.get(url("reference_detail", org, reference.pk)).status_code == 404
        response = client.post(url("check_request", org, reference.pk), {"email": "x@y.example"})
        assert response.status_code == 404
        assert not ReferenceRequest.objects.exists()
