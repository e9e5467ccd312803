"""Payments, their CSV import, and the 1099-NEC report by tax year."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from handoff.compliance import selectors, services
from handoff.compliance.exports import NEC_COLUMNS
from handoff.core.models import AuditEvent
from handoff.core.principal import Principal
from handoff.payables import services as payables
from handoff.payables.models import Invoice, Payment
from tests.compliance.conftest import FAKE_EIN, FAKE_SSN, pay, record_w9
from tests.conftest import client_for
from tests.factories import ProviderFactory, principal_for


def reason(org, year, provider):
    rows = {row.provider.pk: row for row in selectors.nec_report(Principal.system(org), year).rows}
    return rows[provider.pk].reason


# --- The threshold table by year ------------------------------------------------------------
@pytest.mark.django_db
class TestThresholds:
    @pytest.mark.parametrize(
        ("year", "amount", "needed"),
        [
            (2025, "599.99", False),
            (2025, "600.00", True),
            (2025, "1999.99", True),
            (2026, "600.00", False),
            (2026, "1999.99", False),
            (2026, "2000.00", True),
            (2024, "600.00", True),
            (2027, "1999.99", False),  # no 2027 row yet: the 2026 row stands in
            (2027, "2000.00", True),
        ],
    )
    def test_a_payee_needs_a_form_at_the_years_threshold(
        self, org, manager, jordan, year, amount, needed
    ):
        record_w9(jordan, manager)
        # Split over two payments, and one on the last day of the year, recorded once the
        # year is over (a payment dated ahead of today is refused).
        with time_machine.travel(datetime(year + 1, 1, 15, 18, tzinfo=UTC), tick=False):
            pay(org, manager, jordan, D("0.01"), date(year, 12, 31))
            pay(org, manager, jordan, D(amount) - D("0.01"), date(year, 3, 1))
        assert (reason(org, year, jordan) == "needs_form") is needed

    def test_a_year_without_its_threshold_says_which_stands_in(self, db):
        assert selectors.threshold_note(2026, selectors.threshold_for(2026)) == ""
        note = selectors.threshold_note(2027, selectors.threshold_for(2027))
        assert "2027 is not entered yet" in note and "2026 threshold of $2,000" in note

    def test_the_years_threshold_and_its_source(self, db):
        assert selectors.threshold_for(2025).amount == D("600")
        assert selectors.threshold_for(2026).amount == D("2000")
        assert "P.L. 119-21" in selectors.threshold_for(2026).source

    def test_payments_of_another_year_do_not_count(self, org, manager, jordan):
        record_w9(jordan, manager)
        pay(org, manager, jordan, D("400"), date(2025, 12, 31))
        pay(org, manager, jordan, D("400"), date(2026, 1, 1))
        assert reason(org, 2025, jordan) == "below_threshold"

    @pytest.mark.parametrize(
        ("year", "deadline"),
        [(2025, date(2026, 2, 2)), (2026, date(2027, 2, 1)), (2023, date(2024, 1, 31))],
    )
    def test_the_deadline_is_january_31_or_the_next_business_day(self, year, deadline):
        assert selectors.filing_deadline(year) == deadline


# --- Corporations, attorneys, processors ----------------------------------------------------
@pytest.mark.django_db
class TestWhoIsReported:
    def test_a_corporation_is_not_reported(self, org, manager):
        corp = ProviderFactory(organization=org, name="Bigco")
        record_w9(corp, manager, tin=FAKE_EIN, tin_type="ein", tax_classification="c_corporation")
        pay(org, manager, corp, D("9000"), date(2025, 5, 1))
        assert reason(org, 2025, corp) == "corporation"

    def test_an_llc_taxed_as_an_s_corporation_is_not_reported(self, org, manager):
        llc = ProviderFactory(organization=org)
        record_w9(
            llc,
            manager,
            tin=FAKE_EIN,
            tin_type="ein",
            tax_classification="llc",
            llc_classification="S",
        )
        pay(org, manager, llc, D("9000"), date(2025, 5, 1))
        assert reason(org, 2025, llc) == "corporation"

    def test_an_attorneys_corporation_is_still_reported(self, org, manager):
        firm = ProviderFactory(organization=org, name="Law PC")
        record_w9(
            firm,
            manager,
            tin=FAKE_EIN,
            tin_type="ein",
            tax_classification="s_corporation",
            is_attorney=True,
        )
        pay(org, manager, firm, D("2500"), date(2026, 5, 1))
        assert reason(org, 2026, firm) == "needs_form"

    def test_without_a_w9_the_providers_entity_type_decides(self, org, manager):
        corp = ProviderFactory(organization=org, entity_type="s_corporation")
        person = ProviderFactory(organization=org, entity_type="sole_proprietor")
        pay(org, manager, corp, D("5000"), date(2025, 5, 1))
        pay(org, manager, person, D("5000"), date(2025, 5, 1))
        report = selectors.nec_report(Principal.system(org), 2025)
        assert reason(org, 2025, corp) == "corporation"
        assert reason(org, 2025, person) == "needs_form"
        assert [row.provider for row in report.missing_w9] == [person]

    def test_an_exempt_payee_code_other_than_5_is_not_reported(self, org, manager):
        agency = ProviderFactory(organization=org)
        record_w9(
            agency,
            manager,
            tin=FAKE_EIN,
            tin_type="ein",
            tax_classification="other",
            exempt_payee_code="2",
        )
        pay(org, manager, agency, D("5000"), date(2025, 5, 1))
        assert reason(org, 2025, agency) == "exempt_payee"

    @pytest.mark.parametrize("method", ["card", "payment_network"])
    def test_card_and_network_payments_are_the_processors_to_report(
        self, org, manager, jordan, method
    ):
        record_w9(jordan, manager)
        payment = pay(org, manager, jordan, D("5000"), date(2025, 5, 1), method=method)
        assert payment.processor_reported
        assert reason(org, 2025, jordan) == "processor_only"
        pay(org, manager, jordan, D("599.99"), date(2025, 6, 1), method="check")
        assert reason(org, 2025, jordan) == "below_threshold"
        pay(org, manager, jordan, D("0.01"), date(2025, 6, 2), method="ach")
        row = selectors.nec_report(Principal.system(org), 2025).rows[0]
        assert row.reason == "needs_form" and row.reportable == D("600.00")


# --- Recording payments ---------------------------------------------------------------------
@pytest.mark.django_db
class TestRecording:
    def test_paying_without_a_w9_warns(self, org, manager, jordan):
        payment, warnings = payables.record_payment(
            principal_for(manager, org),
            provider_id=jordan.pk,
            data={"paid_on": date(2025, 1, 5), "amount": D("100"), "method": "check"},
        )
        assert payment.without_w9 and "has no W-9 on file" in warnings[0]

    def test_the_organization_may_refuse_payments_without_a_w9(self, org, admin, manager, jordan):
        services.update_settings(
            principal_for(admin, org), data={"refuse_payments_without_w9": True}
        )
        response = client_for(manager).post(
            reverse("payables:payment_create", args=[org.slug]),
            {"provider": jordan.pk, "paid_on": "2025-01-05", "amount": "100", "method": "check"},
        )
        assert "refuse payments without one" in response.content.decode()
        assert not Payment.objects.exists()
        record_w9(jordan, manager)
        pay(org, manager, jordan, D("100"), date(2025, 1, 5))
        assert Payment.objects.count() == 1

    def test_a_manager_records_a_payment_for_an_engagement(
        self, org, manager, jordan, jordan_engagement
    ):
        response = client_for(manager).post(
            reverse("payables:payment_create", args=[org.slug]),
            {
                "provider": jordan.pk,
                "engagement": jordan_engagement.pk,
                "paid_on": "2025-02-05",
                "amount": "510.00",
                "method": "ach",
                "reference": "INV-7",
            },
            follow=True,
        )
        page = response.content.decode()
        assert "Recorded 510.00 paid to Jordan Lee IT" in page and "has no W-9" in page
        payment = Payment.objects.get()
        assert payment.engagement == jordan_engagement and payment.amount == D("510.00")

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"amount": D("0")}, "amount"),
            ({"amount": D("-5")}, "amount"),
            ({"method": "bitcoin"}, "method"),
        ],
    )
    def test_bad_payments_are_refused(self, org, manager, jordan, data, field):
        with pytest.raises(Exception) as error:
            payables.record_payment(
                principal_for(manager, org),
                provider_id=jordan.pk,
                data={"paid_on": date(2025, 1, 5), "amount": D("1"), "method": "check", **data},
            )
        assert field in error.value.message_dict
        assert not Payment.objects.exists()

    def test_an_engagement_of_another_provider_is_refused(self, org, manager, jordan_engagement):
        other = ProviderFactory(organization=org)
        with pytest.raises(Exception) as error:
            pay(org, manager, other, D("10"), date(2025, 1, 1), engagement_id=jordan_engagement.pk)
        assert "engagement" in error.value.message_dict

    def test_another_organizations_provider_is_refused(self, org, other_org, manager):
        foreign = ProviderFactory(organization=other_org)
        with pytest.raises(Exception) as error:
            pay(org, manager, foreign, D("10"), date(2025, 1, 1))
        assert "provider" in error.value.message_dict

    def test_invoices_are_recorded_and_linked(self, org, manager, jordan):
        invoice = payables.record_invoice(
            principal_for(manager, org),
            provider_id=jordan.pk,
            data={"number": "J-1", "issued_on": date(2025, 1, 2), "amount": D("300")},
        )
        Invoice.objects.filter(pk=invoice.pk).update(status="approved")  # payable once approved
        payment = pay(org, manager, jordan, D("300"), date(2025, 1, 20), invoice_id=invoice.pk)
        assert payment.invoice == invoice
        with pytest.raises(Exception) as error:
            payables.record_invoice(
                principal_for(manager, org),
                provider_id=jordan.pk,
                data={"number": "J-1", "issued_on": date(2025, 2, 2), "amount": D("1")},
            )
        assert "already has an invoice" in error.value.message_dict["number"][0]

    def test_the_payment_list_does_not_grow_in_queries(
        self, org, manager, viewer, django_assert_max_num_queries
    ):
        client = client_for(viewer)
        url = reverse("payables:payments", args=[org.slug])
        for index in range(3):
            pay(org, manager, ProviderFactory(organization=org), D("10"), date(2025, 1, 1 + index))
        with django_assert_max_num_queries(20) as few:
            client.get(url)
        for index in range(20):
            pay(org, manager, ProviderFactory(organization=org), D("10"), date(2025, 2, 1 + index))
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(url).content.decode().count("no W-9") == 23


# --- The import -----------------------------------------------------------------------------
HEADER = "provider,paid_on,amount,method,reference,engagement\n"


@pytest.mark.django_db
class TestImport:
    def _upload(self, client, org, content, action="check"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(
            reverse("payables:payment_import", args=[org.slug]),
            {"file": SimpleUploadedFile("p.csv", content.encode()), "action": action},
        )

    def test_a_good_file_is_checked_then_imported(self, org, manager, jordan, jordan_engagement):
        content = (
            HEADER + "Jordan Lee IT,2025-01-31,510.00,ach,INV-1,Front-desk IT support\n"
            'jordan lee it,2025-02-28,"1,020.00",check,INV-2,\n'
        )
        client = client_for(manager)
        check = self._upload(client, org, content).content.decode()
        assert "Import 2 payments" in check and "has no W-9 on file" in check
        assert not Payment.objects.exists()
        response = client.post(
            reverse("payables:payment_import", args=[org.slug]),
            {"content": content, "action": "import"},
        )
        assert response.status_code == 302
        assert sorted(Payment.objects.values_list("amount", flat=True)) == [D("510"), D("1020")]
        assert Payment.objects.filter(engagement=jordan_engagement).count() == 1

    def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(self, org, manager, jordan):
        content = (
            HEADER
            + "Jordan Lee IT,2025-01-31,510.00,ach,,\n"
            + "Nobody Known,2025-01-31,10,ach,,\n"
            + "Jordan Lee IT,31/01/2025,ten,cheque,,\n"
            + "Jordan Lee IT,2025-03-01,-4,ach,,\n"
            + "Jordan Lee IT,2025-03-01,5,ach,,No such engagement\n"
        )
        report = payables.import_payments(
            principal_for(manager, org),
            rows=list(csv.DictReader(io.StringIO(content))),
            commit=True,
        )
        assert not Payment.objects.exists()
        assert [entry["line"] for entry in report if entry["errors"]] == [3, 4, 5, 6]
        assert report[1]["errors"] == ["provider: no provider is named Nobody Known."]
        assert len(report[2]["errors"]) == 3  # the date, the amount and the method
        assert "amount" in report[3]["errors"][0]
        assert "no single engagement titled" in report[4]["errors"][0]
        page = self._upload(client_for(manager), org, content, action="import").content.decode()
        assert "4 of 5 rows cannot be imported" in page and "Nothing was recorded" in page

    def test_a_file_without_the_needed_columns_is_refused(self, org, manager):
        page = self._upload(client_for(manager), org, "who,when\nx,y\n").content.decode()
        assert "missing: provider, paid_on, amount, method" in page

    def test_the_import_respects_the_refusal_setting(self, org, admin, manager, jordan):
        services.update_settings(
            principal_for(admin, org), data={"refuse_payments_without_w9": True}
        )
        report = payables.import_payments(
            principal_for(manager, org),
            commit=True,
            rows=[
                {
                    "provider": "Jordan Lee IT",
                    "paid_on": "2025-01-01",
                    "amount": "5",
                    "method": "ach",
                }
            ],
        )
        assert "refuse payments without one" in report[0]["errors"][0]
        assert not Payment.objects.exists()


# --- The 1099 page and export ---------------------------------------------------------------
@pytest.mark.django_db
class TestNecPages:
    def test_the_list_shows_who_needs_a_form_with_their_w9_state(
        self, org, manager, viewer, jordan
    ):
        record_w9(jordan, manager)
        nobody = ProviderFactory(organization=org, name="No Papers Person")
        pay(org, manager, jordan, D("2500"), date(2026, 3, 1))
        pay(org, manager, nobody, D("2100"), date(2026, 3, 1))
        page = client_for(viewer).get(reverse("compliance:nec", args=[org.slug, 2026]))
        text = page.content.decode()
        assert "$2,000.00" in text and "2 payees need a 1099-NEC" in text
        assert "1 without a W-9" in text and "•••-••-1234" in text
        assert "Export for e-filing" not in text  # viewers do not export TINs

    def test_an_admin_exports_the_documented_columns_and_it_is_recorded(
        self, org, admin, manager, jordan
    ):
        record_w9(jordan, manager)
        small = ProviderFactory(organization=org, name="Small")
        pay(org, manager, jordan, D("700"), date(2025, 3, 1))
        pay(org, manager, small, D("100"), date(2025, 3, 1))
        response = client_for(admin).get(reverse("compliance:nec_export", args=[org.slug, 2025]))
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == NEC_COLUMNS
        assert len(rows) == 2
        record = dict(zip(rows[0], rows[1], strict=True))
        assert (
            record["recipient_tin"] == FAKE_SSN
            and record["box1_nonemployee_compensation"] == "700.00"
        )
        assert record["recipient_name"] == "Jordan Lee" and record["state"] == "IL"
        assert AuditEvent.objects.filter(action="nec.exported").count() == 1
        assert FAKE_SSN not in AuditEvent.objects.get(action="nec.exported").summary

    def test_a_manager_cannot_export(self, org, manager):
        response = client_for(manager).get(reverse("compliance:nec_export", args=[org.slug, 2025]))
        assert response.status_code == 403

    def test_the_list_costs_the_same_queries_for_3_or_30_payees(
        self, org, manager, viewer, django_assert_max_num_queries
    ):
        client = client_for(viewer)
        url = reverse("compliance:nec", args=[org.slug, 2025])

        def payees(count):
            for _ in range(count):
                provider = ProviderFactory(organization=org)
                record_w9(provider, manager)
                pay(org, manager, provider, D("700"), date(2025, 4, 1))

        payees(3)
        with django_assert_max_num_queries(22) as few:
            client.get(url)
        payees(27)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert "30 payees need a 1099-NEC" in client.get(url).content.decode()
