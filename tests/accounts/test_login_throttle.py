"""Log-in throttling behind the documented TLS proxy: the client's own address from
X-Forwarded-For (only when the proxy is trusted), spraying stopped per address, and an
account slowed down — never locked — by failures from anywhere."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from handoff.accounts.throttle import account_wait, client_address

PROXY = "10.0.0.2"
PASSWORD = "a-Strong-passw0rd"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def via_proxy(client_ip: str) -> Client:
    """A browser at ``client_ip`` reaching the app through the TLS proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)


def log_in(client: Client, email: str, password: str):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


class TestTheClientAddress:
    def request(self, remote, forwarded=None):
        meta = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **meta)

    def test_without_trusted_proxies_the_header_is_ignored(self, settings):
        settings.TRUSTED_PROXIES = []
        assert client_address(self.request("198.51.100.7", "1.2.3.4")) == "198.51.100.7"

    def test_a_trusted_proxy_passes_on_the_clients_address(self, behind_proxy):
        assert client_address(self.request(PROXY, "198.51.100.7")) == "198.51.100.7"

    def test_a_client_cannot_choose_its_address_by_sending_the_header(self, behind_proxy):
        # The proxy appends the real client; what the client sent sits to its left.
        assert client_address(self.request(PROXY, "1.2.3.4, 198.51.100.7")) == "198.51.100.7"

    def test_a_chain_of_trusted_proxies_and_networks(self, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.168.5.5"]
        request = self.request("10.0.0.9", "198.51.100.7, 192.168.5.5")
        assert client_address(request) == "198.51.100.7"


@pytest.mark.django_db
class TestThrottling:
    def test_failures_from_anywhere_do_not_lock_the_owner_out(self, owner, behind_proxy):
        """Five wrong passwords for Olivia from strangers everywhere: her next try waits
        seconds, not fifteen minutes, and she gets in from her own address."""
        for index in range(5):
            assert (
                log_in(via_proxy(f"203.0.113.{index + 1}"), owner.email, "nope").status_code == 200
            )
        mine = via_proxy("198.51.100.50")
        waiting = log_in(mine, owner.email, PASSWORD)
        assert waiting.status_code == 429
        assert "try again in 15 seconds" in waiting.content.decode()
        with time_machine.travel(timezone.now() + timedelta(seconds=16)):
            assert log_in(mine, owner.email, PASSWORD).status_code == 302

    def test_the_wait_doubles_with_each_failure_and_a_success_clears_it(self, owner):
        client = Client(REMOTE_ADDR="203.0.113.9")
        start = timezone.now()
        for minute in range(7):
            with time_machine.travel(start + timedelta(minutes=minute), tick=False):
                log_in(client, owner.email, "nope")
        with time_machine.travel(start + timedelta(minutes=6, seconds=1), tick=False):
            assert account_wait(owner.email) == 59  # 15 s doubled twice, from the last failure
            assert account_wait(owner.email.upper()) == 59  # the case of the address is no way out
        with time_machine.travel(start + timedelta(minutes=7, seconds=5)):
            assert log_in(client, owner.email, PASSWORD).status_code == 302
            assert account_wait(owner.email) == 0

    def test_spraying_one_password_across_accounts_locks_the_address(self, owner, behind_proxy):
        sprayer = via_proxy("198.51.100.66")
        for index in range(20):
            log_in(sprayer, f"person{index}@victims.example", "Summer2026!")
        locked = log_in(sprayer, "person20@victims.example", "Summer2026!")
        assert locked.status_code == 429
        assert log_in(sprayer, owner.email, PASSWORD).status_code == 429
        # Everyone else behind the same proxy is someone else.
        assert log_in(via_proxy("198.51.100.67"), owner.email, PASSWORD).status_code == 302
