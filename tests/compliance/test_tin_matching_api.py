"""TIN Matching and B notices through the API: the request file in Pub. 2108-A's format for
admins only, a result file recorded all lines or none, a mismatch opening the B-notice path,
another organization's W-9s and cases as missing, and 422 with field and reason that changes
nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from handoff.compliance.models import BNotice, OnboardingLink, TinCheck
from handoff.core.models import AuditEvent
from tests.compliance.conftest import FAKE_EIN, FAKE_SSN, record_w9
from tests.conftest import api_client_for
from tests.factories import ContactFactory, ProviderFactory

BASE = "/api/v1/compliance"
CHECKED = "2025-03-03"  # a Monday with no federal holiday for six weeks after


@pytest.fixture
def api(org, admin):
    return api_client_for(admin, org)


@pytest.fixture
def w9(jordan, owner):
    return record_w9(jordan, owner)


@pytest.fixture
def foreign_w9(other_org, outsider):
    provider = ProviderFactory(organization=other_org, name="Elsewhere Pipes")
    return record_w9(provider, outsider, tin=FAKE_SSN)


def fields(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [error["field"] for error in response.json()["errors"]]


def upload_results(api, text: str | None, checked_on: str = CHECKED):
    body = {"checked_on": checked_on}
    if text is not None:
        body["file"] = SimpleUploadedFile("results.txt", text.encode(), "text/plain")
    return api.client.post(f"{BASE}/tin-matching/results", body, **api.auth)


def line(w9, result: int, tin="900001234", name="Jordan Lee") -> str:
    return f"2;{tin};{name};W9N{w9.pk};{result}\r\n"


@pytest.mark.django_db
class TestRequestFile:
    def test_the_file_is_pub_2108a_lines_as_a_text_attachment(self, org, api, owner, w9):
        corp = ProviderFactory(organization=org, name="Acme Supply")
        ein_w9 = record_w9(
            corp,
            owner,
            tin=FAKE_EIN,
            tin_type="ein",
            tax_classification="c_corporation",
            legal_name="Acme Supply & Co., Inc.",
        )
        response = api.get(f"{BASE}/tin-matching/request")
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain")
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Cache-Control"] == "no-store"
        assert response.content.decode() == (
            f"1;001234567;Acme Supply & Co Inc;W9N{ein_w9.pk}\r\n"
            f"2;900001234;Jordan Lee;W9N{w9.pk}\r\n"
        )
        assert AuditEvent.objects.filter(action="tin_matching.requested").count() == 1

    def test_a_matched_w9_is_not_asked_again_and_nothing_to_ask_is_422(self, api, w9):
        assert upload_results(api, line(w9, 0)).status_code == 200
        response = api.get(f"{BASE}/tin-matching/request")
        assert fields(response) == ["file"]

    def test_an_ask_again_answer_is_asked_again(self, api, w9):
        assert upload_results(api, line(w9, 5)).json()["ask_again"] == 1
        response = api.get(f"{BASE}/tin-matching/request")
        assert response.content.decode() == line(w9, 0)[: -len(";0\r\n")] + "\r\n"

    def test_a_manager_is_refused(self, org, manager, w9):
        api = api_client_for(manager, org)
        assert api.get(f"{BASE}/tin-matching/request").status_code == 403
        assert upload_results(api, line(w9, 3)).status_code == 403
        response = api.post(
            f"{BASE}/b-notices",
            {"w9": w9.pk, "source": "cp2100", "received_on": "2025-03-03"},
        )
        assert response.status_code == 403
        assert not TinCheck.objects.exists() and not BNotice.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="tin_matching").exists()

    def test_a_viewer_reads_the_cases_and_checks(self, org, viewer, w9):
        api = api_client_for(viewer, org)
        assert api.get(f"{BASE}/b-notices").json() == []
        assert api.get(f"{BASE}/w9s/{w9.pk}/tin-checks").json() == []


@pytest.mark.django_db
class TestResults:
    def test_a_mismatch_opens_a_b_notice_case(self, api, jordan, w9):
        response = upload_results(api, line(w9, 3))
        assert response.status_code == 200, response.content
        data = response.json()
        case = BNotice.objects.get()
        assert data == {"matched": 0, "mismatched": 1, "ask_again": 0, "opened": [case.pk]}

        listed = api.get(f"{BASE}/b-notices")
        assert listed.status_code == 200, listed.content
        assert listed.json() == [
            {
                "id": case.pk,
                "provider_id": jordan.pk,
                "provider_name": "Jordan Lee IT",
                "w9_id": w9.pk,
                "source": "tin_matching",
                "received_on": "2025-03-03",
                "second": False,
                "send_by": "2025-03-24",  # 15 business days
                "b_notice_sent_on": None,
                "withholding_from": None,  # TIN Matching alone: no withholding
                "from_irs_notice": False,
                "resolved_on": None,
                "resolution": "",
                "is_open": True,
            }
        ]
        checks = api.get(f"{BASE}/w9s/{w9.pk}/tin-checks")
        assert checks.status_code == 200, checks.content
        [check] = checks.json()
        assert check["result"] == 3 and check["checked_on"] == "2025-03-03"
        assert check["meaning"].startswith("No match")
        assert check["mismatched"] is True and check["matched"] is False

    def test_a_second_mismatch_keeps_the_open_case(self, api, w9):
        assert upload_results(api, line(w9, 3)).json()["opened"]
        again = upload_results(api, line(w9, 2))
        assert again.json() == {"matched": 0, "mismatched": 1, "ask_again": 0, "opened": []}
        assert BNotice.objects.count() == 1 and TinCheck.objects.count() == 2

    @pytest.mark.parametrize(
        "bad",
        [
            "2;900001234;Jordan Lee;W9N{pk}\r\n",  # no result
            "2;900001234;Jordan Lee;W9N{pk};9\r\n",  # not an indicator
            "2;900001234;Jordan Lee;ACCT{pk};0\r\n",  # not an account Handoff sent
            "2;987005678;Jordan Lee;W9N{pk};0\r\n",  # not the W-9's TIN
            "2;900001234;Jordan Lee;W9N987654321;0\r\n",  # no such W-9
        ],
    )
    def test_a_bad_line_is_422_and_nothing_is_recorded(self, org, api, owner, w9, bad):
        other = record_w9(ProviderFactory(organization=org, name="Kim Park"), owner)
        text = line(other, 3) + bad.format(pk=w9.pk)
        response = upload_results(api, text)
        assert set(fields(response)) == {"file"}
        messages = [error["message"] for error in response.json()["errors"]]
        assert messages[0] == "Nothing was recorded."
        assert messages[1].startswith("Line 2:")
        assert not TinCheck.objects.exists() and not BNotice.objects.exists()

    @pytest.mark.parametrize(
        ("text", "checked_on", "field"),
        [
            (None, "2025-03-03", "file"),  # no file
            ("", "2025-03-03", "file"),  # empty
            ("2;900001234;Jordan Lee;W9N1;0", "2999-01-01", "checked_on"),  # future
            ("2;900001234;Jordan Lee;W9N1;0", "2025-02-30", "checked_on"),  # not a date
        ],
    )
    def test_bad_input_is_422(self, api, w9, text, checked_on, field):
        response = upload_results(api, text, checked_on)
        assert field in fields(response)
        assert not TinCheck.objects.exists()

    def test_another_organizations_w9_in_the_file_is_422_and_nothing_recorded(
        self, api, w9, foreign_w9
    ):
        response = upload_results(api, line(w9, 0) + line(foreign_w9, 3))
        assert fields(response) == ["file", "file"]
        assert "no W-9 of this organization" in response.json()["errors"][1]["message"]
        assert not TinCheck.objects.all_organizations().exists()
        assert not BNotice.objects.all_organizations().exists()


@pytest.mark.django_db
class TestBNotices:
    def _open(self, api, w9, **overrides):
        body = {"w9": w9.pk, "source": "cp2100", "received_on": "2025-03-03", **overrides}
        return api.post(f"{BASE}/b-notices", body)

    def test_record_mark_sent_and_resolve(self, api, w9):
        created = self._open(api, w9, second=True)
        assert created.status_code == 201, created.content
        case = created.json()
        assert case["source"] == "cp2100" and case["second"] is True and case["is_open"]
        assert case["send_by"] == "2025-03-24" and case["withholding_from"] == "2025-04-14"
        assert case["from_irs_notice"] is True

        sent = api.post(f"{BASE}/b-notices/{case['id']}/sent", {"sent_on": "2025-03-10"})
        assert sent.status_code == 200, sent.content
        assert sent.json()["b_notice_sent_on"] == "2025-03-10"

        resolved = api.post(
            f"{BASE}/b-notices/{case['id']}/resolve",
            {"resolved_on": "2025-05-01", "resolution": "SSA validation letter of April 28"},
        )
        assert resolved.status_code == 200, resolved.content
        data = resolved.json()
        assert data["resolved_on"] == "2025-05-01" and data["is_open"] is False
        assert data["resolution"] == "SSA validation letter of April 28"
        assert api.get(f"{BASE}/b-notices").json()[0]["is_open"] is False
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"b_notice.opened", "b_notice.sent", "b_notice.resolved"} <= actions

    def test_a_w9_link_for_a_corrected_w9(self, org, api, jordan, w9, manager):
        case = self._open(api, w9).json()
        missing = api.post(f"{BASE}/b-notices/{case['id']}/w9-link")
        assert missing.status_code == 422 and "has no contact with one" in missing.content.decode()
        ContactFactory(organization=org, provider=jordan, name="Jordan", email="jordan@jlee.test")
        sent = api.post(f"{BASE}/b-notices/{case['id']}/w9-link")
        assert sent.status_code == 200, sent.content
        assert sent.json()["b_notice_sent_on"] is None  # the B notice itself is mailed
        assert OnboardingLink.objects.get(provider=jordan).sent_to == "jordan@jlee.test"
        refused = api_client_for(manager, org).post(f"{BASE}/b-notices/{case['id']}/w9-link")
        assert refused.status_code == 403

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"source": "tin_matching"}, "source"),  # only an IRS notice is recorded by hand
            ({"source": "cp2000"}, "source"),
            ({"received_on": "2999-01-01"}, "received_on"),
            ({"received_on": "March 3"}, "received_on"),
        ],
    )
    def test_a_bad_notice_is_422_and_opens_nothing(self, api, w9, body, field):
        assert field in fields(self._open(api, w9, **body))
        assert not BNotice.objects.exists()

    def test_a_payee_with_an_open_case_is_422(self, api, w9):
        assert self._open(api, w9).status_code == 201
        assert fields(self._open(api, w9, source="972cg")) == ["w9"]
        assert BNotice.objects.count() == 1

    @pytest.mark.parametrize(
        ("action", "body", "field"),
        [
            ("sent", {"sent_on": "2025-03-01"}, "sent_on"),  # before the notice
            ("sent", {"sent_on": "2999-01-01"}, "sent_on"),  # in the future
            ("sent", {"sent_on": "2025-13-01"}, "sent_on"),  # not a date
            ("resolve", {"resolved_on": "2025-02-01", "resolution": "SSA"}, "resolved_on"),
            ("resolve", {"resolved_on": "not a date", "resolution": "SSA"}, "resolved_on"),
            ("resolve", {"resolved_on": "2025-04-01", "resolution": "  "}, "resolution"),
        ],
    )
    def test_a_bad_date_is_422_and_changes_nothing(self, api, w9, action, body, field):
        pk = self._open(api, w9).json()["id"]
        assert field in fields(api.post(f"{BASE}/b-notices/{pk}/{action}", body))
        case = BNotice.objects.get()
        assert case.b_notice_sent_on is None and case.is_open and case.resolution == ""

    def test_a_closed_case_is_not_closed_again(self, api, w9):
        pk = self._open(api, w9).json()["id"]
        body = {"resolved_on": "2025-04-01", "resolution": "SSA letter"}
        assert api.post(f"{BASE}/b-notices/{pk}/resolve", body).status_code == 200
        assert fields(api.post(f"{BASE}/b-notices/{pk}/resolve", body)) == ["resolved_on"]
        assert fields(api.post(f"{BASE}/b-notices/{pk}/sent", {"sent_on": "2025-04-02"})) == [
            "sent_on"
        ]


@pytest.mark.django_db
class TestAnotherOrganization:
    def test_its_w9_and_case_are_missing(self, other_org, outsider, api, w9, foreign_w9):
        theirs = api_client_for(outsider, other_org)
        body = {"w9": foreign_w9.pk, "source": "972cg", "received_on": "2025-03-03"}
        foreign_case = theirs.post(f"{BASE}/b-notices", body)
        assert foreign_case.status_code == 201, foreign_case.content
        pk = foreign_case.json()["id"]

        assert api.get(f"{BASE}/w9s/{foreign_w9.pk}/tin-checks").status_code == 404
        assert api.post(f"{BASE}/b-notices/{pk}/sent", {"sent_on": "2025-03-10"}).status_code == (
            404
        )
        resolve = {"resolved_on": "2025-03-10", "resolution": "SSA letter"}
        assert api.post(f"{BASE}/b-notices/{pk}/resolve", resolve).status_code == 404
        assert api.post(f"{BASE}/b-notices/987654321/sent", {"sent_on": "2025-03-10"}).json() == (
            api.post(f"{BASE}/b-notices/{pk}/sent", {"sent_on": "2025-03-10"}).json()
        )
        assert api.get(f"{BASE}/b-notices").json() == []
        assert fields(api.post(f"{BASE}/b-notices", {**body, "source": "cp2100"})) == ["w9"]

        case = BNotice.objects.all_organizations().get()
        assert case.b_notice_sent_on is None and case.is_open
        assert not BNotice.objects.all_organizations().filter(organization__slug="acme").exists()
