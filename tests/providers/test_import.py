import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from handoff.providers.models import ExpertiseField, Provider
from tests.conftest import api_client_for, client_for

GOOD = (
    "name,legal_name,kind,entity_type,status,fields,website,city,region\n"
    "Ledgerline,Ledgerline LLC,firm,partnership,active,Bookkeeping;Tax prep,https://l.example,"
    "Columbus,OH\n"
    "Jordan Lee IT,Jordan Lee,individual,sole_proprietor,,IT support,,,\n"
)
BAD = GOOD + "Broken,,robot,,,,not a url,,\n,,,,,,,,\n"


def upload(text):
    return SimpleUploadedFile("providers.csv", text.encode(), "text/csv")


@pytest.mark.django_db
class TestImportPage:
    def url(self, org):
        return reverse("providers:import", args=[org.slug])

    def test_a_check_then_an_import_of_every_row(self, org, manager):
        client = client_for(manager)
        checked = client.post(self.url(org), {"file": upload(GOOD), "action": "check"})
        assert [entry["errors"] for entry in checked.context["report"]] == [[], []]
        assert not Provider.objects.exists()
        content = checked.context["content"]
        response = client.post(self.url(org), {"content": content, "action": "import"})
        assert response.status_code == 302
        ledgerline = Provider.objects.filter(organization=org).get(name="Ledgerline")
        assert sorted(f.name for f in ledgerline.fields.all()) == ["Bookkeeping", "Tax prep"]
        assert (
            Provider.objects.filter(organization=org).get(name="Jordan Lee IT").status == "prospect"
        )

    def test_one_bad_row_imports_nothing_and_every_reason_is_listed(self, org, manager):
        client = client_for(manager)
        response = client.post(self.url(org), {"file": upload(BAD), "action": "import"})
        report = response.context["report"]
        assert [entry["line"] for entry in report if entry["errors"]] == [4, 5]
        reasons = " ".join(" ".join(entry["errors"]) for entry in report)
        assert "kind: Value 'robot' is not a valid choice." in reasons
        assert "website: Enter a valid URL." in reasons
        assert "name: This field cannot be blank." in reasons
        assert "Nothing was imported" in response.content.decode()
        assert not Provider.objects.exists()
        assert not ExpertiseField.objects.filter(name="Tax prep").exists()

    def test_a_file_without_a_name_column_is_refused(self, org, manager):
        response = client_for(manager).post(
            self.url(org), {"file": upload("title,city\nX,Y\n"), "action": "check"}
        )
        assert "with a &#x27;name&#x27; column" in response.content.decode()

    def test_a_member_may_not_import(self, org, member):
        response = client_for(member).post(self.url(org), {"file": upload(GOOD)})
        assert response.status_code == 403
        assert not Provider.objects.exists()

    def test_an_outsider_gets_404(self, org, outsider, other_org):
        assert client_for(outsider).get(self.url(org)).status_code == 404


@pytest.mark.django_db
def test_the_api_checks_by_default_and_imports_when_asked(org, manager):
    api = api_client_for(manager, org)
    checked = api.client.post("/api/v1/providers/import", {"file": upload(BAD)}, **api.auth)
    assert checked.status_code == 200
    assert (checked.json()["imported"], checked.json()["refused"]) == (0, 2)
    done = api.client.post(
        "/api/v1/providers/import?dry_run=false", {"file": upload(GOOD)}, **api.auth
    )
    assert done.json()["imported"] == 2
    assert Provider.objects.filter(organization=org).count() == 2
