"""Sending a provider's quarterly business review by e-mail: the form on the review page and the
API enqueue one job after the commit; the job sends the figures as text, an HTML alternative
with the page's SVG charts, and the PDF attached, once per key."""

import pytest
from django.core import mail
from django.urls import reverse

from handoff.accounts.models import Membership
from handoff.core.models import AuditEvent
from handoff.core.roles import Role
from handoff.engagements.models import CommunicationPlan
from handoff.insights import report_email
from tests.conftest import api_client_for, client_for
from tests.factories import ProviderFactory, UserFactory
from tests.insights import test_reports
from tests.insights.test_reports import Q3, text_of

# The same clock (Nov 18, 2026), provider and quarter of work as the report tests.
_clock = test_reports._clock
provider = test_reports.provider
quarter_of_work = test_reports.quarter_of_work

pytestmark = pytest.mark.django_db

QUERY = "?period=quarter&on=2026-07-01"
API = "/api/v1"


def email_url(org, provider):
    return reverse("insights:provider_review_email", args=[org.slug, provider.pk]) + QUERY


def page_url(org, provider):
    return reverse("insights:provider_review", args=[org.slug, provider.pk]) + QUERY


def post_form(user, org, provider, data, capture):
    with capture(execute=True):
        return client_for(user).post(email_url(org, provider), data)


def post_api(user, org, provider, body, capture):
    with capture(execute=True):
        return api_client_for(user, org).post(f"{API}/providers/{provider.pk}/review/email", body)


def job_arguments(org, provider, recipients, sender, message="", minute="2026-11-18T18:00:00"):
    return {
        "org_id": org.pk,
        "provider_id": provider.pk,
        "period_kind": Q3.kind,
        "period_start": Q3.start.isoformat(),
        "period_end": Q3.end.isoformat(),
        "recipient_ids": [user.pk for user in recipients],
        "sender_id": sender.pk,
        "message": message,
        "requested_at": minute,
    }


class TestTheEmail:
    def test_it_carries_text_html_with_the_charts_and_the_pdf(
        self, org, owner, manager, provider, quarter_of_work, settings,
        django_capture_on_commit_callbacks,
    ):  # fmt: skip
        settings.SITE_URL = "https://handoff.example.com"
        response = post_form(
            manager,
            org,
            provider,
            {"recipients": [owner.pk, manager.pk], "message": "Please read before Friday."},
            django_capture_on_commit_callbacks,
        )
        assert response.status_code == 302 and response.url == page_url(org, provider)
        [email] = mail.outbox
        assert sorted(email.to) == sorted([owner.email, manager.email])
        assert email.reply_to == [manager.email]
        assert email.subject == "[Acme Dental] Business review: Ledgerline Bookkeeping, Q3 2026"
        body = email.body
        assert "Please read before Friday." in body
        assert "- On time: 66.7% (based on 3)" in body
        assert "Misses: 1 late, 1 returned." in body and "- Issues raised: 2 (based on 2)" in body
        assert "https://handoff.example.com" + page_url(org, provider) in body
        [(html, kind)] = email.alternatives
        assert kind == "text/html"
        assert html.count("<svg") == 2  # the on-time trend and the spend against plan
        assert "Realised savings against in-house" in html and "$6,200.00" in html
        assert "66.7%" in html and "Please read before Friday." in html
        [(name, pdf, mimetype)] = email.attachments
        assert name == "review-ledgerline-bookkeeping-q3-2026.pdf"
        assert mimetype == "application/pdf" and pdf[:4] == b"%PDF"
        event = AuditEvent.objects.get(organization=org, action="report.emailed")
        assert event.actor == manager and event.object_id == str(provider.pk)
        assert sorted(event.changes["recipients"]) == sorted([owner.pk, manager.pk])

    def test_running_the_job_twice_with_the_same_key_sends_once(
        self, org, owner, manager, provider, quarter_of_work
    ):
        arguments = job_arguments(org, provider, [owner], manager, "Hello")
        report_email.send_review_email.enqueue(**arguments)
        report_email.send_review_email.enqueue(**arguments)
        assert len(mail.outbox) == 1
        report_email.send_review_email.enqueue(**{**arguments, "requested_at": "later"})
        assert len(mail.outbox) == 2  # another request is another send

    def test_a_form_sent_twice_in_the_same_minute_sends_once(
        self, org, owner, manager, provider, django_capture_on_commit_callbacks
    ):
        for _ in range(2):
            post_form(manager, org, provider, {"recipients": [owner.pk]},
                      django_capture_on_commit_callbacks)  # fmt: skip
        assert len(mail.outbox) == 1

    def test_a_failed_send_leaves_no_claim_so_a_retry_sends(
        self, org, owner, manager, provider, monkeypatch
    ):
        arguments = job_arguments(org, provider, [owner], manager)
        key = report_email.send_key(*arguments.values())

        def refuse(self, fail_silently=False):
            raise ConnectionError("the mail server is down")

        with monkeypatch.context() as patch:
            patch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
            with pytest.raises(ConnectionError):
                report_email.send_review(org.pk, provider.pk, Q3, [owner.pk], manager.pk, "", key)
        assert not AuditEvent.objects.filter(action="report.emailed").exists()
        assert report_email.send_review(org.pk, provider.pk, Q3, [owner.pk], manager.pk, "", key)
        assert len(mail.outbox) == 1

    def test_someone_who_left_before_the_job_ran_is_not_sent_it(
        self, org, owner, manager, member, provider
    ):
        member.memberships.all().delete()
        report_email.send_review_email.enqueue(
            **job_arguments(org, provider, [owner, member], manager)
        )
        [email] = mail.outbox
        assert email.to == [owner.email]


class TestTheForm:
    def test_a_manager_sees_it_with_the_point_people_and_themselves_ticked(
        self, org, owner, manager, member, viewer, provider, quarter_of_work
    ):
        CommunicationPlan.objects.create(
            organization=org, engagement=quarter_of_work, our_point_person=member
        )
        response = client_for(manager).get(page_url(org, provider))
        form = response.context["email_form"]
        assert set(form.initial["recipients"]) == {member.pk, manager.pk}
        assert set(form.fields["recipients"].queryset) == {owner, manager, member, viewer}
        page = text_of(response)
        assert "Send this review by e-mail" in page
        assert email_url(org, provider).replace("&", "&amp;") in page

    @pytest.mark.parametrize("role", ["member", "viewer"])
    def test_below_manager_it_is_not_shown(self, request, org, provider, role):
        user = request.getfixturevalue(role)
        response = client_for(user).get(page_url(org, provider))
        assert response.status_code == 200
        assert "email_form" not in response.context
        assert "Send this review by e-mail" not in text_of(response)

    @pytest.mark.parametrize("role", ["member", "viewer"])
    def test_below_manager_sending_is_403(
        self, request, org, owner, provider, role, django_capture_on_commit_callbacks
    ):
        user = request.getfixturevalue(role)
        response = post_form(user, org, provider, {"recipients": [owner.pk]},
                             django_capture_on_commit_callbacks)  # fmt: skip
        assert response.status_code == 403 and mail.outbox == []

    def test_an_outsider_gets_404(
        self, org, owner, outsider, other_org, provider, django_capture_on_commit_callbacks
    ):
        response = post_form(outsider, org, provider, {"recipients": [owner.pk]},
                             django_capture_on_commit_callbacks)  # fmt: skip
        assert response.status_code == 404 and mail.outbox == []

    def test_a_provider_of_another_organization_is_404(
        self, org, owner, other_org, django_capture_on_commit_callbacks
    ):
        stranger = ProviderFactory(organization=other_org)
        response = post_form(owner, org, stranger, {"recipients": [owner.pk]},
                             django_capture_on_commit_callbacks)  # fmt: skip
        assert response.status_code == 404 and mail.outbox == []

    @pytest.mark.parametrize(
        "data, field",
        [
            ({}, "recipients"),
            ({"recipients": ["OUTSIDER"]}, "recipients"),
            ({"recipients": ["OWNER"], "message": "x" * 2001}, "message"),
        ],
    )
    def test_bad_input_sends_nothing(
        self, org, owner, manager, outsider, other_org, provider, data, field,
        django_capture_on_commit_callbacks,
    ):  # fmt: skip
        people = {"OUTSIDER": outsider.pk, "OWNER": owner.pk}
        data = {k: [people[v] for v in vs] if k == "recipients" else vs for k, vs in data.items()}
        response = post_form(manager, org, provider, data, django_capture_on_commit_callbacks)
        assert response.status_code == 422
        assert field in response.context["email_form"].errors
        assert mail.outbox == []
        assert not AuditEvent.objects.filter(action="report.emailed").exists()


class TestTheApi:
    def test_a_manager_sends_it(
        self, org, owner, manager, provider, quarter_of_work, django_capture_on_commit_callbacks
    ):
        response = post_api(
            manager,
            org,
            provider,
            {"period": "quarter", "on": "2026-07-01", "recipient_ids": [owner.pk, owner.pk],
             "message": "For Friday"},
            django_capture_on_commit_callbacks,
        )  # fmt: skip
        assert response.status_code == 202, response.json()
        assert response.json() == {
            "provider_id": provider.pk,
            "period": {"label": "Q3 2026", "kind": "quarter", "start": "2026-07-01",
                       "end": "2026-09-30"},
            "recipient_ids": [owner.pk],
        }  # fmt: skip
        [email] = mail.outbox
        assert email.to == [owner.email] and "For Friday" in email.body
        assert "<svg" in email.alternatives[0][0]
        assert email.attachments[0][1][:4] == b"%PDF"

    def test_without_a_period_it_sends_the_last_complete_quarter(
        self, org, owner, provider, django_capture_on_commit_callbacks
    ):
        response = post_api(owner, org, provider, {"recipient_ids": [owner.pk]},
                            django_capture_on_commit_callbacks)  # fmt: skip
        assert response.status_code == 202 and response.json()["period"]["label"] == "Q3 2026"
        assert "Q3 2026" in mail.outbox[0].subject

    @pytest.mark.parametrize("role", ["member", "viewer"])
    def test_below_manager_is_403(
        self, request, org, owner, provider, role, django_capture_on_commit_callbacks
    ):
        user = request.getfixturevalue(role)
        response = post_api(user, org, provider, {"recipient_ids": [owner.pk]},
                            django_capture_on_commit_callbacks)  # fmt: skip
        assert response.status_code == 403 and mail.outbox == []

    def test_a_provider_of_another_organization_is_404(
        self, org, owner, other_org, django_capture_on_commit_callbacks
    ):
        stranger = ProviderFactory(organization=other_org)
        response = post_api(owner, org, stranger, {"recipient_ids": [owner.pk]},
                            django_capture_on_commit_callbacks)  # fmt: skip
        assert response.status_code == 404 and mail.outbox == []

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"recipient_ids": ["OUTSIDER"]}, "recipient_ids"),
            ({"recipient_ids": ["OWNER", "INACTIVE"]}, "recipient_ids"),
            ({"recipient_ids": []}, "recipient_ids"),
            ({}, "recipient_ids"),
            ({"recipient_ids": ["OWNER"], "message": "x" * 2001}, "message"),
            ({"recipient_ids": ["OWNER"], "period": "fortnight"}, "period"),
            ({"recipient_ids": ["OWNER"], "period": "custom", "from": "2026-07-01"}, "to"),
        ],
    )
    def test_bad_input_is_422_and_sends_nothing(
        self, org, owner, manager, outsider, other_org, provider, body, field,
        django_capture_on_commit_callbacks,
    ):  # fmt: skip
        inactive = UserFactory(is_active=False)
        Membership.objects.create(organization=org, user=inactive, role=Role.MEMBER)
        people = {"OUTSIDER": outsider.pk, "OWNER": owner.pk, "INACTIVE": inactive.pk}
        if "recipient_ids" in body:
            body = {**body, "recipient_ids": [people[v] for v in body["recipient_ids"]]}
        response = post_api(manager, org, provider, body, django_capture_on_commit_callbacks)
        assert response.status_code == 422
        assert field in [error["field"] for error in response.json()["errors"]]
        assert mail.outbox == []
        assert not AuditEvent.objects.filter(action="report.emailed").exists()
