import re
import time
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from handoff.accounts import services
from handoff.accounts.models import User

STRONG = "Correct-Horse-9-Battery"


def signup_link(message) -> str:
    return re.search(r"http://\S+/accounts/signup/\S+/", message.body).group(0)


@pytest.mark.django_db
class TestSignup:
    """Sign-up proves the address by a mailed link, and never tells who has an account."""

    def test_the_mailed_link_creates_the_account_and_asks_for_the_business(self, client):
        response = client.post(
            reverse("accounts:signup"), {"name": "Nora New", "email": "Nora@Example.com"}
        )
        assert response["Location"] == reverse("accounts:signup_sent")
        assert not User.objects.exists()
        (message,) = mail.outbox
        assert message.to == ["nora@example.com"]
        link = signup_link(message)
        page = client.get(link)
        assert "nora@example.com" in page.content.decode()
        assert 'value="Nora New"' in page.content.decode()
        response = client.post(link, {"name": "Nora New", "password": STRONG})
        assert response["Location"] == reverse("accounts:organization_create")
        user = User.objects.get()
        assert user.email == "nora@example.com" and user.check_password(STRONG)
        assert client.get(reverse("accounts:organization_create")).status_code == 200

    def test_a_taken_address_gets_the_same_page_and_a_note_by_mail(self, owner):
        pages = []
        for email in ("a@example.com", owner.email.upper()):
            client = Client()
            response = client.post(reverse("accounts:signup"), {"name": "A", "email": email})
            assert response.status_code == 302
            page = client.get(response["Location"]).content.decode()
            pages.append(re.sub(r"[\w-]{32,}", "TOKEN", page))  # the CSRF token differs
        assert pages[0] == pages[1]
        note = mail.outbox[-1]
        assert note.to == [owner.email] and "already has one" in note.body
        assert "/accounts/signup/" not in note.body and "/accounts/login/" in note.body
        assert User.objects.count() == 1

    def test_it_refuses_a_weak_password_and_saves_nothing(self, client):
        client.post(reverse("accounts:signup"), {"name": "Nora", "email": "nora@example.com"})
        response = client.post(
            signup_link(mail.outbox[0]), {"name": "Nora New", "password": "password"}
        )
        assert response.status_code == 200
        assert "This password is too common." in response.content.decode()
        assert not User.objects.exists()

    def test_an_altered_or_old_link_is_refused(self, client):
        client.post(reverse("accounts:signup"), {"name": "Nora", "email": "nora@example.com"})
        link = signup_link(mail.outbox[0])
        assert client.get(link[:-3] + "xx/").status_code == 410
        later = time.time() + (services.SIGNUP_VALID + timedelta(minutes=1)).total_seconds()
        with mock.patch("django.core.signing.time.time", return_value=later):
            assert client.post(link, {"name": "N", "password": STRONG}).status_code == 410
        assert not User.objects.exists()

    def test_a_link_used_twice_makes_one_account(self, client):
        client.post(reverse("accounts:signup"), {"name": "Nora", "email": "nora@example.com"})
        link = signup_link(mail.outbox[0])
        client.post(link, {"name": "Nora", "password": STRONG})
        again = Client().post(link, {"name": "Someone", "password": STRONG + "x"})
        assert "already has a Handoff account" in again.content.decode()
        assert User.objects.get().name == "Nora"

    def test_sign_up_mails_one_address_or_for_one_client_only_so_often(self):
        """Sign-up cannot flood an inbox: three mails an hour to one address, ten for one client
        address; past that the page is the same and nothing is sent."""
        ask = reverse("accounts:signup")
        for _ in range(5):
            response = Client().post(ask, {"name": "N", "email": "nora@example.com"})
            assert response["Location"] == reverse("accounts:signup_sent")
        assert len(mail.outbox) == services.SIGNUP_MAILS_PER_EMAIL
        for n in range(12):
            Client(REMOTE_ADDR="203.0.113.9").post(ask, {"name": "N", "email": f"x{n}@example.com"})
        limits = services.SIGNUP_MAILS_PER_EMAIL + services.SIGNUP_MAILS_PER_CLIENT
        assert len(mail.outbox) == limits
        later = timezone.now() + services.SIGNUP_MAIL_WINDOW + timedelta(seconds=1)
        with time_machine.travel(later, tick=False):
            Client().post(ask, {"name": "N", "email": "nora@example.com"})
            Client(REMOTE_ADDR="203.0.113.9").post(ask, {"name": "N", "email": "y@example.com"})
        assert len(mail.outbox) == limits + 2


@pytest.mark.django_db
class TestLogin:
    def test_it_logs_in_and_lands_in_the_organization(self, client, owner, org):
        response = client.post(
            reverse("accounts:login"), {"username": owner.email, "password": "a-Strong-passw0rd"}
        )
        assert response.status_code == 302
        response = client.get(reverse("home"))
        assert response["Location"] == reverse("insights:dashboard", args=[org.slug])

    def test_it_says_why_a_login_failed(self, client, owner):
        response = client.post(
            reverse("accounts:login"), {"username": owner.email, "password": "wrong"}
        )
        assert response.status_code == 200
        assert "Please enter a correct e-mail address and password" in response.content.decode()

    def test_it_throttles_repeated_failures(self, owner):
        client = Client(REMOTE_ADDR="203.0.113.9")
        for _ in range(5):
            client.post(reverse("accounts:login"), {"username": owner.email, "password": "no"})
        response = client.post(
            reverse("accounts:login"), {"username": owner.email, "password": "a-Strong-passw0rd"}
        )
        assert response.status_code == 429
        assert "Too many failed log-ins" in response.content.decode()

    def test_logout_needs_a_post(self, owner):
        client = Client()
        client.force_login(owner)
        assert client.get(reverse("accounts:logout")).status_code == 405
        assert client.post(reverse("accounts:logout")).status_code == 302
        assert client.get(reverse("home"))["Location"] == reverse("accounts:login")


@pytest.mark.django_db
class TestPasswords:
    def test_reset_mails_a_link_that_sets_a_new_password(self, client, owner):
        client.post(reverse("accounts:password_reset"), {"email": owner.email})
        assert len(mail.outbox) == 1
        link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/" in line)
        path = link.split("://", 1)[1].split("/", 1)[1]
        response = client.get("/" + path, follow=True)
        form_url = response.redirect_chain[-1][0]
        response = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
        assert response.status_code == 302
        owner.refresh_from_db()
        assert owner.check_password(STRONG)

    def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same(self, client, db):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@x.example"})
        assert response.status_code == 302
        assert mail.outbox == []

    def test_change_checks_the_old_password_and_the_validators(self, owner):
        client = Client()
        client.force_login(owner)
        url = reverse("accounts:password_change")
        response = client.post(
            url, {"old_password": "nope", "new_password1": STRONG, "new_password2": STRONG}
        )
        assert "Your old password was entered incorrectly" in response.content.decode()
        response = client.post(
            url,
            {"old_password": "a-Strong-passw0rd", "new_password1": "123", "new_password2": "123"},
        )
        assert "too short" in response.content.decode()
        response = client.post(
            url,
            {"old_password": "a-Strong-passw0rd", "new_password1": STRONG, "new_password2": STRONG},
        )
        assert response.status_code == 302
        owner.refresh_from_db()
        assert owner.check_password(STRONG)
