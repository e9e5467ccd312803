import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from handoff.core.principal import Principal
from handoff.providers import vetting
from handoff.providers.models import DueDiligenceItem, ReferenceCheck
from tests.conftest import api_client_for
from tests.factories import ProviderFactory, principal_for

PDF = b"%PDF-1.4\n% tiny\n"


@pytest.fixture
def api(org, manager):
    return api_client_for(manager, org)


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline")


@pytest.mark.django_db(transaction=True)
class TestReferencesAndChecks:
    def test_references_checks_and_the_emailed_form(self, org, api, provider):
        response = api.post(
            f"/api/v1/providers/{provider.pk}/references",
            {
                "name": "Dana",
                "email": "dana@harbor.example",
                "relationship": "former_client",
                "worked_from": "2024-01-01",
                "worked_to": "2025-01-01",
            },
        )
        assert response.status_code == 201, response.json()
        rid = response.json()["id"]
        assert api.patch(f"/api/v1/references/{rid}", {"company": "Harbor"}).json()["company"] == (
            "Harbor"
        )
        check = api.post(
            f"/api/v1/references/{rid}/checks", {"quality": 4, "would_hire_again": "yes"}
        )
        assert check.status_code == 201 and check.json()["self_submitted"] is False

        sent = api.post(f"/api/v1/references/{rid}/requests", {}).json()
        assert sent["sent_to"] == "dana@harbor.example"
        token = sent["url"].rstrip("/").rsplit("/", 1)[-1]
        public = Client()
        form = public.get(f"/api/v1/reference-check/{token}").json()
        assert (form["asking_organization"], form["provider"]) == ("Acme Dental", "Ledgerline")
        answer = public.post(
            f"/api/v1/reference-check/{token}",
            {"understood_field": 5, "met_deadlines": 5},
            content_type="application/json",
        )
        assert answer.status_code == 201
        again = public.post(
            f"/api/v1/reference-check/{token}", {"quality": 1}, content_type="application/json"
        )
        assert again.status_code == 404
        checks = api.get(f"/api/v1/references/{rid}/checks").json()
        assert [c["self_submitted"] for c in checks] == [True, False]

    def test_bad_input_is_422_with_the_field(self, org, api, provider):
        response = api.post(
            f"/api/v1/providers/{provider.pk}/references",
            {"name": "X", "worked_from": "2025-01-01", "worked_to": "2024-01-01"},
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "worked_to"
        reference = vetting.save_reference(
            Principal.system(provider.organization), provider, data={"name": "Y"}
        )
        response = api.post(f"/api/v1/references/{reference.pk}/checks", {"quality": 6})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "quality"
        response = api.post(f"/api/v1/references/{reference.pk}/checks", {})
        assert response.status_code == 422
        assert not ReferenceCheck.objects.exists()

    def test_a_guessed_token_is_404_and_writes_nothing(self, db):
        client = Client()
        assert client.get("/api/v1/reference-check/nope").status_code == 404
        response = client.post(
            "/api/v1/reference-check/nope", {"quality": 5}, content_type="application/json"
        )
        assert response.status_code == 404
        assert not ReferenceCheck.objects.exists()

    def test_a_viewer_reads_but_cannot_write(self, org, viewer, provider):
        api = api_client_for(viewer, org)
        reference = vetting.save_reference(
            Principal.system(provider.organization),
            provider,
            data={"name": "Y", "email": "y@x.example"},
        )
        assert api.get(f"/api/v1/references/{reference.pk}").status_code == 200
        assert (
            api.post(f"/api/v1/references/{reference.pk}/checks", {"quality": 3}).status_code == 403
        )
        assert api.post(f"/api/v1/references/{reference.pk}/requests", {}).status_code == 403
        assert api.post("/api/v1/reference-questions", {"text": "Q?"}).status_code == 403


@pytest.mark.django_db
class TestDueDiligence:
    def test_apply_update_upload_and_expiring(self, org, api, provider):
        template = api.get("/api/v1/due-diligence/templates").json()[0]
        items = api.post(
            f"/api/v1/providers/{provider.pk}/due-diligence", {"template_id": template["id"]}
        ).json()
        insurance = next(i for i in items if i["has_amount"])
        refused = api.patch(f"/api/v1/due-diligence/{insurance['id']}", {"status": "verified"})
        assert refused.status_code == 422
        assert {e["field"] for e in refused.json()["errors"]} == {
            "document",
            "expires_on",
            "amount",
        }
        upload = api.client.post(
            f"/api/v1/due-diligence/{insurance['id']}/document",
            {"document": SimpleUploadedFile("c.pdf", PDF)},
            **api.auth,
        )
        assert upload.status_code == 200 and upload.json()["has_document"] is True
        done = api.patch(
            f"/api/v1/due-diligence/{insurance['id']}",
            {"status": "verified", "expires_on": "2020-01-01", "amount": "2000000"},
        )
        assert done.status_code == 200 and done.json()["expired"] is True
        expiring = api.get("/api/v1/due-diligence/expiring", days=10).json()
        assert [i["id"] for i in expiring] == [insurance["id"]]
        download = api.client.get(f"/api/v1/due-diligence/{insurance['id']}/document", **api.auth)
        assert b"".join(download.streaming_content) == PDF

    def test_a_fake_pdf_is_refused(self, org, api, provider):
        template = vetting.templates(Principal.system(org))[0]
        vetting.apply_template(Principal.system(provider.organization), provider, template)
        item = DueDiligenceItem.objects.filter(organization=org).first()
        response = api.client.post(
            f"/api/v1/due-diligence/{item.pk}/document",
            {"document": SimpleUploadedFile("c.pdf", b"hello")},
            **api.auth,
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "document"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/providers/{p}/references"),
        ("post", "/api/v1/providers/{p}/references"),
        ("get", "/api/v1/references/{r}"),
        ("patch", "/api/v1/references/{r}"),
        ("get", "/api/v1/references/{r}/checks"),
        ("post", "/api/v1/references/{r}/checks"),
        ("post", "/api/v1/references/{r}/requests"),
        ("patch", "/api/v1/reference-questions/{q}"),
        ("get", "/api/v1/providers/{p}/due-diligence"),
        ("post", "/api/v1/providers/{p}/due-diligence"),
        ("get", "/api/v1/due-diligence/{i}"),
        ("patch", "/api/v1/due-diligence/{i}"),
        ("get", "/api/v1/due-diligence/{i}/document"),
    ],
)
def test_another_organizations_rows_are_404(org, owner, outsider, other_org, method, path):
    provider = ProviderFactory(organization=org)
    reference = vetting.save_reference(
        principal_for(owner, provider.organization),
        provider,
        data={"name": "R", "email": "r@x.example"},
    )
    question = vetting.questions(Principal.system(org))[0]
    vetting.apply_template(
        principal_for(owner, provider.organization),
        provider,
        vetting.templates(Principal.system(org))[0],
    )
    item = DueDiligenceItem.objects.filter(organization=org).first()
    api = api_client_for(outsider, other_org)
    path = path.format(p=provider.pk, r=reference.pk, q=question.pk, i=item.pk)
    payload = {
        "name": "X",
        "text": "X",
        "template_id": vetting.templates(Principal.system(other_org))[0].pk,
        "quality": 3,
    }
    response = api.get(path) if method == "get" else getattr(api, method)(path, payload)
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("post", "/api/v1/providers/{p}/references", "member"),
        ("patch", "/api/v1/references/{r}", "member"),
        ("post", "/api/v1/references/{r}/checks", "viewer"),
        ("post", "/api/v1/references/{r}/requests", "viewer"),
        ("post", "/api/v1/reference-questions", "manager"),
        ("patch", "/api/v1/reference-questions/{q}", "manager"),
        ("post", "/api/v1/providers/{p}/due-diligence", "member"),
        ("patch", "/api/v1/due-diligence/{i}", "member"),
    ],
)
def test_a_role_below_the_least_gets_403_and_changes_nothing(
    request, org, owner, method, path, role
):
    provider = ProviderFactory(organization=org)
    reference = vetting.save_reference(
        principal_for(owner, provider.organization),
        provider,
        data={"name": "R", "email": "r@x.example"},
    )
    question = vetting.questions(Principal.system(org))[0]
    vetting.apply_template(
        principal_for(owner, provider.organization),
        provider,
        vetting.templates(Principal.system(org))[0],
    )
    item = DueDiligenceItem.objects.filter(organization=org).first()
    api = api_client_for(request.getfixturevalue(role), org)
    path = path.format(p=provider.pk, r=reference.pk, q=question.pk, i=item.pk)
    payload = {
        "name": "X",
        "text": "X",
        "template_id": vetting.templates(Principal.system(org))[0].pk,
        "quality": 3,
        "status": "verified",
    }
    assert getattr(api, method)(path, payload).status_code == 403
    reference.refresh_from_db()
    item.refresh_from_db()
    assert reference.name == "R" and item.status == "pending"
    assert not ReferenceCheck.objects.exists()
