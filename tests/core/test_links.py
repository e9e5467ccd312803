"""Every absolute link is built by handoff.core.links from the site URL, and only there."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from handoff.accounts import portal
from handoff.accounts import services as accounts
from handoff.core.links import absolute_url, site_url
from handoff.providers import vetting
from tests.conftest import api_client_for

SRC = Path(__file__).resolve().parents[2] / "src" / "handoff"
LINKS = SRC / "core" / "links.py"
SITE = "https://handoff.example.com"


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    return SITE


def test_a_path_a_route_and_an_absolute_address(site):
    assert site_url() == SITE
    assert absolute_url("/o/acme/inbox/") == f"{SITE}/o/acme/inbox/"
    assert absolute_url("o/acme/inbox/") == f"{SITE}/o/acme/inbox/"
    assert absolute_url("/o/acme/?period=2026-q3") == f"{SITE}/o/acme/?period=2026-q3"
    assert absolute_url("notifications:inbox", "acme") == f"{SITE}/o/acme/inbox/"
    assert absolute_url("home") == f"{SITE}{reverse('home')}"
    assert absolute_url("https://elsewhere.example/x") == "https://elsewhere.example/x"
    assert absolute_url("") == ""


def test_the_link_builders_all_use_the_site_url(site):
    assert accounts.invitation_url("tok").startswith(f"{SITE}/invite/")
    assert vetting.request_url("tok").startswith(f"{SITE}/")
    assert portal.invitation_url("tok").startswith(f"{SITE}/portal/")


@pytest.mark.django_db
def test_the_password_reset_link_comes_from_the_site_url_not_the_request_host(site, client, owner):
    client.post(
        reverse("accounts:password_reset"),
        {"email": owner.email},
        HTTP_HOST="evil.example",
    )
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"{SITE}/accounts/password/reset/" in body
    assert "evil.example" not in body


@pytest.mark.django_db
def test_the_calendar_feed_address_comes_from_the_site_url(site, org, manager):
    created = api_client_for(manager, org).post("/api/v1/calendar-feeds")
    assert created.status_code == 201
    assert created.json()["url"].startswith(f"{SITE}/")


BUILT_ELSEWHERE = [
    (re.compile(r"settings\.SITE_URL|\bSITE_URL\b"), "reads SITE_URL"),
    (re.compile(r"build_absolute_uri"), "calls build_absolute_uri"),
    (re.compile(r"\{\{\s*protocol\s*\}\}\s*://|://\{\{\s*domain"), "joins protocol and domain"),
    (re.compile(r"""f["']https?://\{"""), "formats an address by hand"),
]


def test_no_module_builds_an_absolute_link_another_way():
    """A new link builder must call handoff.core.links.absolute_url: this fails on any module
    or template under src/ that reads SITE_URL (the settings define it), calls
    build_absolute_uri, or joins a scheme and a host itself."""
    offenders = []
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in {".py", ".html", ".txt"} or path == LINKS:
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            for pattern, what in BUILT_ELSEWHERE:
                if not pattern.search(line):
                    continue
                if path.name.startswith("settings") and what in {
                    "reads SITE_URL",
                    "formats an address by hand",
                }:
                    continue  # the settings define SITE_URL and its default
                if path.name == "cli.py" and "HANDOFF_SITE_URL" in line:
                    continue  # the demo sets the variable; `check` names it
                if path.name == "cli.py" and "Handoff is at" in line:
                    continue  # the address the demo serves at, printed for the person
                offenders.append(f"{path.relative_to(SRC)}:{number}: {what}: {line.strip()}")
    assert offenders == []
