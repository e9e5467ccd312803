"""TIN Matching (IRS Pub. 2108-A) and the B-notice path (IRS Pub. 1281): the request file, the
result file recorded all lines or none, a mismatch opening a case with its deadlines, backup
withholding on later payments at the dated rate, and what ends a case."""

import threading
from datetime import date
from decimal import Decimal
from functools import partial

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from handoff.compliance import exports, onboarding, selectors, tin_matching
from handoff.compliance.choices import MismatchSource
from handoff.compliance.models import BNotice, OnboardingLink, TinCheck
from handoff.core.audit import AuditEvent
from handoff.core.principal import Principal
from handoff.notifications.models import Notification
from handoff.payables import services as payables
from tests.compliance.conftest import FAKE_EIN, FAKE_SSN_2, pay, record_w9
from tests.conftest import client_for
from tests.factories import ContactFactory, ProviderFactory, principal_for

NOTICE_DAY = date(2026, 3, 2)  # a Monday with no federal holiday in the next six weeks
SEND_BY = date(2026, 3, 23)  # 15 business days later
WITHHOLD_FROM = date(2026, 4, 13)  # 30 business days later


@pytest.fixture
def payees(org, manager, jordan):
    acme = ProviderFactory(organization=org, name="O'Malley & Sons, LLC (billing)")
    return {
        "jordan": record_w9(jordan, manager),
        "acme": record_w9(
            acme,
            manager,
            tin=FAKE_EIN,
            legal_name="O'Malley & Sons, LLC — a very long registered business name",
            tax_classification="c_corporation",
            tin_type="ein",
        ),
    }


def results(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def answer(request: str, code: int) -> str:
    return f"{request};{code}"


class TestTheRequestFile:
    def test_one_line_per_payee_in_the_irs_layout(self, org, admin, payees):
        content, count = tin_matching.request_file(principal_for(admin, org))
        jordan, acme = payees["jordan"], payees["acme"]
        assert count == 2
        assert content.split("\r\n") == [
            f"2;900001234;Jordan Lee;W9N{jordan.pk}",
            # only letters, digits, spaces, hyphens and ampersands; at most 40 characters
            f"1;001234567;OMalley & Sons LLC a very long registere;W9N{acme.pk}",
            "",
        ]
        assert AuditEvent.objects.filter(organization=org, action="tin_matching.requested").exists()

    def test_it_holds_full_tins_so_only_an_admin_prepares_it(self, org, manager, payees):
        with pytest.raises(PermissionDenied):
            tin_matching.request_file(principal_for(manager, org))

    def test_only_current_w9s_not_yet_answered_are_asked(self, org, admin, manager, jordan, payees):
        newer = record_w9(jordan, manager, tin=FAKE_SSN_2, signed_on=date(2026, 2, 1))
        principal = principal_for(admin, org)
        tin_matching.import_results(
            principal, results([f"1;001234567;x;W9N{payees['acme'].pk};0"]), NOTICE_DAY
        )
        assert tin_matching.to_check(principal) == [newer]
        tin_matching.import_results(
            principal, results([f"2;987005678;x;W9N{newer.pk};4"]), NOTICE_DAY
        )
        assert tin_matching.to_check(principal) == [newer]  # "invalid request": ask again
        tin_matching.import_results(
            principal, results([f"2;987005678;x;W9N{newer.pk};3"]), NOTICE_DAY
        )
        assert tin_matching.to_check(principal) == []  # a mismatch waits for a new W-9
        with pytest.raises(ValidationError, match="nothing to ask"):
            tin_matching.request_file(principal)


class TestTheResultFile:
    def test_each_answer_is_recorded_and_a_mismatch_opens_the_b_notice_path(
        self, org, owner, admin, payees
    ):
        jordan, acme = payees["jordan"], payees["acme"]
        outcome = tin_matching.import_results(
            principal_for(admin, org),
            results(
                [
                    f"2;900001234;Jordan Lee;W9N{jordan.pk};3",
                    f"1;001234567;OMalley & Sons LLC;W9N{acme.pk};0",
                ]
            ),
            NOTICE_DAY,
        )
        assert (outcome["matched"], outcome["mismatched"], outcome["ask_again"]) == (1, 1, 0)
        assert TinCheck.objects.get(w9=acme).matched
        (case,) = BNotice.objects.filter(organization=org)
        assert (case.provider, case.w9, case.source) == (
            jordan.provider,
            jordan,
            MismatchSource.TIN_MATCHING,
        )
        # A TIN Matching answer asks for a corrected W-9; it does not make withholding required.
        assert (case.send_by, case.withholding_from) == (SEND_BY, None)
        assert case.is_open and not case.second and not case.from_irs_notice
        told = Notification.objects.filter(organization=org, event="tin_mismatch")
        assert {n.user for n in told} == {owner}  # the admin who imported is not told
        assert "corrected, signed W-9" in told.first().body

    @pytest.mark.parametrize(
        ("line", "problem"),
        [
            ("2;900001234;Jordan Lee;W9N{pk}", "expected five fields"),
            ("2;900001234;Jordan Lee;ACCT-1;0", "not one Handoff sent"),
            ("2;900001234;Jordan Lee;W9N{pk};9", "not an IRS indicator"),
            ("2;900001234;Jordan Lee;W9N{pk};", "not an IRS indicator"),
            ("2;900009999;Jordan Lee;W9N{pk};0", "the TIN is not the one"),
            ("2;900001234;Jordan Lee;W9N999999;0", "no W-9 of this organization"),
        ],
    )
    def test_a_bad_line_records_nothing(self, org, admin, payees, line, problem):
        good = f"1;001234567;OMalley;W9N{payees['acme'].pk};0"
        bad = line.format(pk=payees["jordan"].pk)
        with pytest.raises(ValidationError) as error:
            tin_matching.import_results(principal_for(admin, org), results([good, bad]), NOTICE_DAY)
        messages = error.value.message_dict["file"]
        assert messages[0] == "Nothing was recorded."
        assert messages[1].startswith("Line 2: ") and problem in messages[1]
        assert not TinCheck.objects.exists() and not BNotice.objects.exists()

    def test_a_file_that_is_not_text_or_dated_ahead_is_refused(self, org, admin, payees):
        principal = principal_for(admin, org)
        with pytest.raises(ValidationError, match="plain text"):
            tin_matching.import_results(principal, "2;9;é;W9N1;0".encode(), NOTICE_DAY)
        with pytest.raises(ValidationError, match="empty"):
            tin_matching.import_results(principal, b"\r\n", NOTICE_DAY)
        with pytest.raises(ValidationError) as error:
            tin_matching.import_results(principal, b"x", date(2100, 1, 1))
        assert "checked_on" in error.value.message_dict

    def test_another_organizations_w9_is_not_found(self, org, admin, payees, other_org, outsider):
        theirs = record_w9(ProviderFactory(organization=other_org), outsider, tin=FAKE_SSN_2)
        with pytest.raises(ValidationError, match="no W-9 of this organization"):
            tin_matching.import_results(
                principal_for(admin, org),
                results([f"2;987005678;x;W9N{theirs.pk};3"]),
                NOTICE_DAY,
            )
        assert not TinCheck.objects.exists() and not BNotice.objects.exists()


def _mismatch(org, admin, w9, on=NOTICE_DAY):
    """A TIN Matching answer "no match" for ``w9``; its case."""
    tin_matching.import_results(
        principal_for(admin, org), results([f"2;900001234;x;W9N{w9.pk};3"]), on
    )
    return BNotice.objects.get(organization=org, provider=w9.provider, resolved_on=None)


def _cp2100(org, admin, w9, on=NOTICE_DAY, second=False):
    """The IRS's CP2100 naming ``w9``'s payee, received ``on``; its case."""
    return tin_matching.record_notice(
        principal_for(admin, org),
        w9=w9,
        source=MismatchSource.CP2100,
        received_on=on,
        second=second,
    )


class TestBackupWithholding:
    def test_later_reportable_payments_are_withheld_at_the_dated_rate(
        self, org, admin, manager, jordan, payees
    ):
        case = _cp2100(org, admin, payees["jordan"])
        assert (case.send_by, case.withholding_from) == (SEND_BY, WITHHOLD_FROM)
        before = pay(org, manager, jordan, "1000.00", date(2026, 4, 10))
        after = pay(org, manager, jordan, "1234.56", WITHHOLD_FROM)
        by_card = pay(org, manager, jordan, "500.00", date(2026, 5, 1), method="card")
        assert before.backup_withheld == Decimal("0.00")
        assert after.backup_withheld == Decimal("296.29")  # 24% of 1,234.56, to the cent
        assert by_card.backup_withheld == Decimal("0.00")  # the processor's, on 1099-K

    def test_the_payment_says_so_when_it_is_recorded(self, org, admin, manager, jordan, payees):

        _cp2100(org, admin, payees["jordan"])
        _, warnings = payables.record_payment(
            principal_for(manager, org),
            provider_id=jordan.pk,
            data={"paid_on": WITHHOLD_FROM, "amount": "100", "method": "ach", "reference": ""},
        )
        assert any("withhold 24.00" in warning for warning in warnings)

    def test_withholding_reaches_box_4_and_makes_the_form_needed(
        self, org, admin, manager, jordan, payees
    ):
        _cp2100(org, admin, payees["jordan"])
        pay(org, manager, jordan, "100.00", WITHHOLD_FROM)  # far under the threshold
        report = selectors.nec_report(Principal.system(org), 2026)
        (row,) = report.needing_forms
        assert (row.provider, row.withheld) == (jordan, Decimal("24.00"))
        csv_text, _ = exports.nec_csv(org, report)
        header, line = csv_text.splitlines()[:2]
        box4 = header.split(",").index("box4_federal_income_tax_withheld")
        assert line.split(",")[box4] == "24.00"


class TestWhatEndsACase:
    def test_a_new_signed_w9_ends_a_first_notice_and_its_withholding(
        self, org, admin, manager, jordan, payees
    ):
        case = _cp2100(org, admin, payees["jordan"])
        record_w9(jordan, manager, signed_on=date(2026, 4, 20))
        case.refresh_from_db()
        assert not case.is_open and "new W-9" in case.resolution
        today = timezone.localdate()
        assert pay(org, manager, jordan, "100.00", today).backup_withheld == 0
        # a payment made while the case was open was subject to withholding, recorded late or not
        assert pay(org, manager, jordan, "100.00", date(2026, 11, 2)).backup_withheld == 24

    def test_after_a_second_notice_only_validation_ends_it(
        self, org, admin, manager, jordan, payees
    ):
        principal = principal_for(admin, org)
        case = _cp2100(org, admin, payees["jordan"], second=True)
        record_w9(jordan, manager, signed_on=date(2026, 4, 20))
        case.refresh_from_db()
        assert case.is_open
        with pytest.raises(ValidationError) as error:
            tin_matching.resolve(principal, case, on=date(2026, 5, 4), note="  ")
        assert "resolution" in error.value.message_dict
        tin_matching.resolve(principal, case, on=date(2026, 5, 4), note="SSA letter of May 1")
        case.refresh_from_db()
        assert case.resolved_on == date(2026, 5, 4)
        assert pay(org, manager, jordan, "100.00", date(2026, 5, 1)).backup_withheld == 24
        assert pay(org, manager, jordan, "100.00", date(2026, 5, 4)).backup_withheld == 0

    def test_the_b_notice_sent_is_recorded_with_a_real_date(self, org, admin, payees):
        principal = principal_for(admin, org)
        case = _mismatch(org, admin, payees["jordan"])
        with pytest.raises(ValidationError):
            tin_matching.mark_sent(principal, case, date(2026, 2, 1))  # before the notice
        tin_matching.mark_sent(principal, case, date(2026, 3, 10))
        case.refresh_from_db()
        assert case.b_notice_sent_on == date(2026, 3, 10)


class TestIrsNotices:
    def test_a_notice_is_refused_with_the_field_and_the_reason(self, org, admin, payees):
        principal = principal_for(admin, org)
        with pytest.raises(ValidationError) as error:
            tin_matching.record_notice(
                principal,
                w9=payees["jordan"],
                source=MismatchSource.TIN_MATCHING,
                received_on=date(2100, 1, 1),
                second=False,
            )
        assert set(error.value.message_dict) == {"source", "received_on"}
        _cp2100(org, admin, payees["jordan"])
        with pytest.raises(ValidationError, match="already has an open case from an IRS notice"):
            _cp2100(org, admin, payees["jordan"], on=date(2026, 3, 9))
        assert BNotice.objects.count() == 1

    def test_a_notice_before_any_dated_rate_is_refused_on_its_date(self, org, admin, payees):
        with pytest.raises(ValidationError) as error:
            _cp2100(org, admin, payees["jordan"], on=date(2017, 6, 1))
        assert "no backup withholding rate" in error.value.message_dict["received_on"][0]

    def test_a_notice_confirms_an_open_tin_matching_case_and_starts_withholding(
        self, org, admin, manager, jordan, payees
    ):
        matching = _mismatch(org, admin, payees["jordan"], on=date(2026, 2, 2))
        tin_matching.mark_sent(principal_for(admin, org), matching, date(2026, 2, 3))
        assert pay(org, manager, jordan, "100.00", date(2026, 4, 13)).backup_withheld == 0
        case = _cp2100(org, admin, payees["jordan"])
        assert case.pk == matching.pk and case.from_irs_notice
        assert (case.send_by, case.withholding_from) == (SEND_BY, WITHHOLD_FROM)
        assert case.b_notice_sent_on is None  # the B notice is still to send
        assert pay(org, manager, jordan, "100.00", date(2026, 4, 13)).backup_withheld == 24
        assert BNotice.objects.filter(organization=org).count() == 1

    def test_the_database_holds_one_open_case_per_payee(self, org, admin, payees):
        case = _mismatch(org, admin, payees["jordan"])
        case.pk = None
        with pytest.raises(IntegrityError), transaction.atomic():
            case.save()


@pytest.mark.django_db(transaction=True)
def test_two_admins_recording_notices_at_once_open_one_case(org, owner, admin, manager, jordan):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time")
    w9 = record_w9(jordan, manager)
    barrier, outcomes = threading.Barrier(2), []

    def run(user):
        try:
            barrier.wait()
            tin_matching.record_notice(
                principal_for(user, org),
                w9=w9,
                source=MismatchSource.CP2100,
                received_on=NOTICE_DAY,
                second=False,
            )
            outcomes.append("done")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=partial(run, user)) for user in (owner, admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["done", "refused"]
    assert BNotice.objects.filter(organization=org, resolved_on=None).count() == 1


class TestPages:
    def test_a_viewer_reads_where_payees_stand_but_cannot_act(self, org, admin, viewer, payees):
        _mismatch(org, admin, payees["jordan"])
        page = client_for(viewer).get(reverse("compliance:tin_matching", args=[org.slug]))
        text = page.content.decode()
        assert page.status_code == 200 and "Jordan Lee IT" in text
        assert "Ask for a corrected, signed W-9 by Mar 23, 2026" in text
        assert "Download the request file" not in text and "Record the results" not in text
        response = client_for(viewer).post(reverse("compliance:tin_request", args=[org.slug]))
        assert response.status_code == 403

    def test_an_admin_downloads_the_file_and_records_the_answers(self, org, admin, payees):
        client = client_for(admin)
        response = client.post(reverse("compliance:tin_request", args=[org.slug]))
        assert response["Content-Disposition"].startswith('attachment; filename="tin-matching-')
        request_lines = response.content.decode("ascii").splitlines()
        answered = results([answer(request_lines[0], 3), answer(request_lines[1], 0)])
        from django.core.files.uploadedfile import SimpleUploadedFile

        page = client.post(
            reverse("compliance:tin_results", args=[org.slug]),
            {"file": SimpleUploadedFile("result.txt", answered), "checked_on": "2026-03-02"},
            follow=True,
        )
        assert "1 matched, 1 did not match" in page.content.decode()
        assert BNotice.objects.filter(organization=org, resolved_on=None).count() == 1

    def test_a_bad_file_shows_its_lines_on_the_form(self, org, admin, payees):
        from django.core.files.uploadedfile import SimpleUploadedFile

        page = client_for(admin).post(
            reverse("compliance:tin_results", args=[org.slug]),
            {"file": SimpleUploadedFile("r.txt", b"1;2;3\r\n"), "checked_on": "2026-03-02"},
        )
        assert page.status_code == 400
        assert "Line 1: expected five fields" in page.content.decode()

    def test_another_organizations_case_is_a_404(self, org, admin, payees, other_org, outsider):
        case = _mismatch(org, admin, payees["jordan"])
        client = client_for(outsider)
        for name, data in (
            ("compliance:b_notice_sent", {"sent_on": "2026-03-10"}),
            ("compliance:b_notice_resolve", {"resolved_on": "2026-03-10", "resolution": "x"}),
        ):
            url = reverse(name, args=[other_org.slug, case.pk])
            assert client.post(url, data).status_code == 404
        case.refresh_from_db()
        assert case.is_open and case.b_notice_sent_on is None


@pytest.mark.parametrize(
    ("legal_name", "sent"),
    [
        ("José García", "Jose Garcia"),
        ("Zoë O'Brien-Smith", "Zoe OBrien-Smith"),
        ("Smith, Jones & Co.", "Smith Jones & Co"),
        ("  Ana   Núñez\t", "Ana Nunez"),
    ],
)
def test_names_are_sent_as_the_irs_reads_them(legal_name, sent):
    from handoff.compliance.models import W9

    assert tin_matching.matching_name(W9(legal_name=legal_name)) == sent


def test_the_api_shows_the_withholding_on_the_payment_and_in_box_4(
    org, admin, manager, jordan, payees
):
    from tests.conftest import api_client_for

    _cp2100(org, admin, payees["jordan"])
    payment = pay(org, manager, jordan, "100.00", WITHHOLD_FROM)
    api = api_client_for(manager, org)
    items = api.get("/api/v1/payables/payments").json()["results"]
    (listed,) = [p for p in items if p["id"] == payment.pk]
    assert Decimal(str(listed["backup_withheld"])) == Decimal("24.00")
    report = api.get("/api/v1/compliance/1099/2026").json()
    (row,) = [r for r in report["rows"] if r["provider_id"] == jordan.pk]
    assert Decimal(str(row["withheld"])) == Decimal("24.00") and row["needs_form"] is True


class TestCorrectedW9ByLink:
    """The solicitation of a corrected W-9 goes through the W-9 link (IRS Pub. 1281)."""

    def test_after_a_tin_matching_mismatch_the_link_is_the_request(
        self, org, admin, payees, django_capture_on_commit_callbacks
    ):
        jordan = payees["jordan"].provider
        ContactFactory(organization=org, provider=jordan, name="Jordan", email="jordan@jlee.test")
        case = _mismatch(org, admin, payees["jordan"])
        mail.outbox.clear()
        url = reverse("compliance:b_notice_w9_link", args=[org.slug, case.pk])
        with django_capture_on_commit_callbacks(execute=True):
            page = client_for(admin).post(url, follow=True)
        assert "asking Jordan Lee IT for a corrected W-9 went to jordan@jlee.test" in (
            page.content.decode()
        )
        case.refresh_from_db()
        assert case.b_notice_sent_on == org.today()
        assert mail.outbox[-1].to == ["jordan@jlee.test"]
        assert "do not match its records" in mail.outbox[-1].body
        assert OnboardingLink.objects.get(provider=jordan).is_live

    def test_after_an_irs_notice_the_b_notice_is_still_recorded_on_its_own(
        self, org, admin, payees
    ):
        jordan = payees["jordan"].provider
        ContactFactory(organization=org, provider=jordan, name="Jordan", email="jordan@jlee.test")
        case = _cp2100(org, admin, payees["jordan"])
        onboarding.solicit_corrected_w9(principal_for(admin, org), case)
        case.refresh_from_db()
        assert case.b_notice_sent_on is None
        assert OnboardingLink.objects.filter(provider=jordan).count() == 1

    def test_without_an_address_nothing_is_sent_or_recorded(self, org, admin, payees):
        case = _mismatch(org, admin, payees["jordan"])
        url = reverse("compliance:b_notice_w9_link", args=[org.slug, case.pk])
        page = client_for(admin).post(url, follow=True)
        assert "has no contact with one" in page.content.decode()
        case.refresh_from_db()
        assert case.b_notice_sent_on is None and not OnboardingLink.objects.exists()

    def test_a_manager_cannot_and_another_organization_sees_nothing(
        self, org, admin, manager, payees, outsider, other_org
    ):
        case = _mismatch(org, admin, payees["jordan"])
        with pytest.raises(PermissionDenied):
            onboarding.solicit_corrected_w9(principal_for(manager, org), case)
        url = reverse("compliance:b_notice_w9_link", args=[org.slug, case.pk])
        assert client_for(manager).post(url).status_code == 403
        theirs = reverse("compliance:b_notice_w9_link", args=[other_org.slug, case.pk])
        assert client_for(outsider).post(theirs).status_code == 404
