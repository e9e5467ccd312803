"""Playwright in Debian's Chromium. Without Chromium the browser tests are skipped with the way
to install it, unless HANDOFF_REQUIRE_BROWSER=1 (set by .ci/run), which makes that a failure."""

import os
import re
import shutil

import pytest

CHROMIUM = os.environ.get("HANDOFF_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = (
            f"Chromium not found at {CHROMIUM}: install it with 'apt-get install chromium' "
            "(or set HANDOFF_CHROMIUM) to run the browser tests."
        )
        if os.environ.get("HANDOFF_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, email, password):
    """Log in the way a person does: open the home page (it sends a visitor to the log-in form)
    and fill it in. Every journey starts here and then moves only by clicking."""
    page.goto("/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def new_page(browser, live_server, width=1280, height=800):
    """A page in a fresh browser context (its own cookies), for a second person in a journey."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def open_section(page, label):
    """Click a link of the section navigation in the page's header, as a person moves between
    the parts of the app: ``label`` is the section's name ("Tasks", "Providers") or a pattern
    (``re.compile("Contractors|Compliance")``). The provider portal's navigation works the same
    way ("Tasks", "Engagements")."""
    if not isinstance(label, re.Pattern):
        label = re.compile(rf"(^|\W){re.escape(label)}$")
    page.get_by_role("banner").get_by_role("link", name=label).click()


def field_label(label):
    """A form field's label, exactly, whether or not the field is marked required (the mark
    reads "(required)" to a screen reader): for ``get_by_label`` where a plain match would also
    find a longer label ("TIN" and "TIN type")."""
    return re.compile(rf"^{re.escape(label)}( \*)?( \(required\))?$")


OWNER = ("olivia@acme.example", "a-Strong-passw0rd")
PRIYA = ("priya@ledgerline.example", "priya-Portal-9")


@pytest.fixture
def acme_books(live_server):
    """Acme Dental and its bookkeeping firm Ledgerline under an active engagement: the owner
    and Priya as point people, Tom as the issue contact with a one-hour target for high
    severity and the owner on the escalation ladder, and Priya's portal login (all through the
    services). Returns the organization and the engagement."""
    from datetime import date

    from handoff.accounts import portal
    from handoff.accounts import services as accounts
    from handoff.decisions.models import BusinessFunction
    from handoff.engagements import services as engagements
    from handoff.providers import services as providers
    from tests.factories import UserFactory, principal_for

    owner = UserFactory(name="Olivia Owner", email=OWNER[0])
    org = accounts.create_organization(
        user=owner,
        name="Acme Dental",
        slug="acme",
        time_zone="America/Chicago",
        currency="USD",
        states=["IL"],
    )
    provider = providers.create_provider(
        principal_for(owner, org), data={"name": "Ledgerline", "kind": "firm", "status": "active"}
    )
    priya, tom = (
        providers.create_contact(
            principal_for(owner, provider.organization),
            provider,
            data={"name": name, "email": f"{name.split()[0].lower()}@ledgerline.example"},
        )
        for name in ("Priya Raman", "Tom Okafor")
    )
    engagement = engagements.create_engagement(
        principal_for(owner, org),
        provider_id=provider.pk,
        function_ids=[BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping").pk],
        data={
            "title": "Monthly books",
            "pricing_model": "flat",
            "amount": "1250.00",
            "start_date": date(2026, 1, 1),
        },
    )
    engagements.update_plan(
        principal_for(owner, engagement.organization),
        engagement,
        our_point_person_id=owner.pk,
        their_point_person_id=priya.pk,
        issue_contact_id=tom.pk,
        preferred_channel="portal",
        meeting_cadence="monthly",
    )
    engagements.set_response_target(
        principal_for(owner, engagement.organization),
        engagement,
        severity="high",
        amount=1,
        unit="hours",
    )
    engagements.add_escalation_level(
        principal_for(owner, engagement.organization),
        engagement,
        our_person_id=owner.pk,
        their_contact_id=tom.pk,
        amount=2,
        unit="hours",
    )
    engagements.move_status(
        principal_for(owner, engagement.organization), engagement, to_status="active"
    )
    access, _token = portal.invite(principal_for(owner, org), priya)
    portal.accept_with_new_account(access, name="Priya Raman", password=PRIYA[1])
    return org, engagement
