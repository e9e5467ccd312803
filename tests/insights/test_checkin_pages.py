# ruff: noqa: F811 - the shared fixtures are imported from test_checkins and used as arguments
"""Check-in pages: the one-click link without a login, a member's own check-ins, a provider's
history with its chart, the settings, the provider's own view in the portal, and who may open
each page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from handoff.core.principal import Principal
from handoff.insights import checkins
from handoff.insights.models import CheckIn, CheckInRound, InsightsSettings
from tests.conftest import client_for
from tests.insights.test_checkins import (  # noqa: F401 - fixtures
    Q2,
    boss_contact,
    engagement,
    make_checkin,
    make_round,
    point_contact,
    priya,
    provider,
    rival_contact,
    rival_provider,
)

ANSWERS = {"comfortable": "4", "clear": "5", "responsive": "3", "recommend": "4", "note": "Good."}


@pytest.fixture
def owners_checkin(owner, provider):
    return make_checkin(make_round(provider), respondent=owner, token="owner-token")


def link(token):
    return reverse("insights:checkin_answer", args=[token])


# --- The one-click link -----------------------------------------------------------------------
def test_the_link_works_without_a_login_and_only_once(owners_checkin):
    anonymous = Client()
    page = anonymous.get(link("owner-token"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Ledgerline Bookkeeping" in body
    assert "Q2 2026" in body
    assert 'type="radio"' in body
    assert "How comfortable are you working with Ledgerline Bookkeeping?" in body

    answered = anonymous.post(link("owner-token"), ANSWERS)
    assert answered.status_code == 200
    assert "Thank you" in answered.content.decode()
    owners_checkin.refresh_from_db()
    assert (owners_checkin.comfortable, owners_checkin.clear, owners_checkin.note) == (
        4,
        5,
        "Good.",
    )

    again = anonymous.post(link("owner-token"), {**ANSWERS, "comfortable": "1"})
    assert "Already answered" in again.content.decode()
    owners_checkin.refresh_from_db()
    assert owners_checkin.comfortable == 4


def test_a_missing_answer_is_shown_on_its_question_and_nothing_is_saved(owners_checkin):
    page = Client().post(link("owner-token"), {**ANSWERS, "clear": ""})
    assert page.status_code == 200
    assert "Choose a number from 1 to 5." in page.content.decode()
    page = Client().post(link("owner-token"), {**ANSWERS, "recommend": "9"})
    assert "Select a valid choice" in page.content.decode()
    owners_checkin.refresh_from_db()
    assert owners_checkin.answered_at is None


def test_an_expired_link_says_so(owners_checkin):
    CheckIn.objects.filter(pk=owners_checkin.pk).update(
        expires_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    page = Client().post(link("owner-token"), ANSWERS)
    assert page.status_code == 410
    assert "has closed" in page.content.decode()
    owners_checkin.refresh_from_db()
    assert owners_checkin.answered_at is None


def test_an_unknown_link_is_a_404_that_explains(db):
    page = Client().get(link("no-such-token"))
    assert page.status_code == 404
    assert "cannot be used" in page.content.decode()


# --- A member's check-ins ---------------------------------------------------------------------
def test_a_member_sees_and_answers_their_own_pending_checkin(org, owner, manager, provider):
    round_ = make_round(provider)
    mine = make_checkin(round_, respondent=manager)
    make_checkin(round_, respondent=owner)
    client = client_for(manager)
    page = client.get(reverse("insights:my_checkins", args=[org.slug]))
    assert page.status_code == 200
    assert reverse("insights:my_checkin", args=[org.slug, mine.pk]) in page.content.decode()
    assert page.content.decode().count("Answer<span") == 1

    done = client.post(reverse("insights:my_checkin", args=[org.slug, mine.pk]), ANSWERS)
    assert done.status_code == 302
    mine.refresh_from_db()
    assert mine.answered_at is not None
    assert (
        "Nothing waiting"
        in client.get(reverse("insights:my_checkins", args=[org.slug])).content.decode()
    )


def test_someone_elses_checkin_is_a_404_for_a_member(org, owner, manager, owners_checkin):
    page = client_for(manager).get(
        reverse("insights:my_checkin", args=[org.slug, owners_checkin.pk])
    )
    assert page.status_code == 404


# --- A provider's history ---------------------------------------------------------------------
def test_the_history_shows_a_chart_and_the_same_figures_in_a_table(
    org, owner, manager, provider, point_contact
):
    q1 = make_round(provider, (Q2[0].replace(month=1), Q2[0].replace(month=3, day=31)))
    make_checkin(
        q1, respondent=owner, answers=(5, 5, 4, 5), answered_at=datetime(2026, 4, 2, tzinfo=UTC)
    )
    q2 = make_round(provider)
    make_checkin(
        q2, respondent=owner, answers=(3, 3, 2, 3), answered_at=datetime(2026, 7, 2, tzinfo=UTC)
    )
    note = make_checkin(
        q2, respondent=manager, answers=(2, 3, 2, 2), answered_at=datetime(2026, 7, 3, tzinfo=UTC)
    )
    CheckIn.objects.filter(pk=note.pk).update(note="Slow replies in June.")
    make_checkin(
        q2,
        contact=point_contact,
        answers=(4, 4, 4, 4),
        answered_at=datetime(2026, 7, 3, tzinfo=UTC),
    )

    page = client_for(manager).get(
        reverse("insights:provider_checkins", args=[org.slug, provider.pk])
    )
    body = page.content.decode()
    assert page.status_code == 200
    chart = body[body.index("<svg") : body.index("</svg>")]
    assert "<script" not in chart and "Our view" in chart
    assert "Q1 2026" in body and "Q2 2026" in body
    assert "4.75" in body  # Q1 overall
    assert "2.50" in body  # Q2: (3+3+2+3 + 2+3+2+2) / 8
    assert "their view of us" in body
    assert "Slow replies in June." in body
    assert "Start a check-in now" in body


def test_notes_and_the_start_button_are_for_managers(org, viewer, member, provider, owner):
    row = make_checkin(make_round(provider), respondent=owner, answers=(3, 3, 3, 3),
                       answered_at=datetime(2026, 7, 2, tzinfo=UTC))  # fmt: skip
    CheckIn.objects.filter(pk=row.pk).update(note="Private remark.")
    body = (
        client_for(viewer)
        .get(reverse("insights:provider_checkins", args=[org.slug, provider.pk]))
        .content.decode()
    )
    assert "Private remark." not in body
    assert "Start a check-in now" not in body


def test_a_manager_starts_a_round_now(org, manager, admin, engagement, provider):
    url = reverse("insights:provider_checkin_start", args=[org.slug, provider.pk])
    response = client_for(manager).post(url)
    assert response.status_code == 302
    round_ = CheckInRound.objects.filter(organization=org).get()
    start, today = checkins.current_period(Principal.system(org))
    assert (round_.period_start, round_.period_end) == (start, today)
    assert set(round_.checkins.values_list("respondent", flat=True)) == {manager.pk, admin.pk}
    client_for(manager).post(url)
    assert CheckIn.objects.filter(organization=org).count() == 2


def test_members_may_not_start_a_round(org, member, engagement, provider):
    url = reverse("insights:provider_checkin_start", args=[org.slug, provider.pk])
    assert client_for(member).post(url).status_code == 403
    assert not CheckInRound.objects.exists()


# --- Settings ---------------------------------------------------------------------------------
def test_an_admin_changes_the_cadence(org, admin):
    url = reverse("insights:checkin_settings", args=[org.slug])
    client = client_for(admin)
    assert client.get(url).status_code == 200
    response = client.post(url, {"checkin_months": "1", "ask_provider": "on"})
    assert response.status_code == 302
    row = InsightsSettings.objects.filter(organization=org).get()
    assert (row.checkin_months, row.ask_provider) == (1, True)
    bad = client.post(url, {"checkin_months": "5"})
    assert bad.status_code == 200
    assert InsightsSettings.objects.filter(organization=org).get().checkin_months == 1


def test_the_settings_page_is_linked_from_the_organization_settings(org, admin):
    page = client_for(admin).get(reverse("accounts:organization_settings", args=[org.slug]))
    assert reverse("insights:checkin_settings", args=[org.slug]) in page.content.decode()


# --- The portal -------------------------------------------------------------------------------
def test_the_portal_lists_and_answers_the_contacts_own_checkin(
    org, owner, provider, point_contact, priya
):
    theirs = make_checkin(make_round(provider), contact=point_contact)
    client = client_for(priya)
    page = client.get(reverse("insights:portal_checkins", args=[org.slug]))
    assert page.status_code == 200
    assert reverse("insights:portal_checkin", args=[org.slug, theirs.pk]) in page.content.decode()

    form = client.get(reverse("insights:portal_checkin", args=[org.slug, theirs.pk]))
    assert "How comfortable are you working with Acme Dental?" in form.content.decode()
    done = client.post(reverse("insights:portal_checkin", args=[org.slug, theirs.pk]), ANSWERS)
    assert done.status_code == 302
    theirs.refresh_from_db()
    assert theirs.answered_at is not None and theirs.comfortable == 4


def test_a_portal_user_never_sees_another_contacts_or_providers_checkin(
    org, owner, provider, point_contact, boss_contact, rival_provider, rival_contact, priya
):
    colleague = make_checkin(make_round(provider), contact=boss_contact)
    rival = make_checkin(make_round(rival_provider), contact=rival_contact)
    members = make_checkin(CheckInRound.objects.get(provider=provider), respondent=owner)
    client = client_for(priya)
    listing = client.get(reverse("insights:portal_checkins", args=[org.slug])).content.decode()
    assert "Nothing waiting" in listing
    for other in (colleague, rival, members):
        url = reverse("insights:portal_checkin", args=[org.slug, other.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, ANSWERS).status_code == 404
        other.refresh_from_db()
        assert other.answered_at is None


def test_the_portal_nav_links_the_checkins(org, priya):
    page = client_for(priya).get(reverse("insights:portal_checkins", args=[org.slug]))
    assert 'aria-current="page">Check-ins' in page.content.decode()


# --- Who may open what ------------------------------------------------------------------------
def _pages(org, provider):
    return {
        "my_checkins": (reverse("insights:my_checkins", args=[org.slug]), "viewer"),
        "checkins": (reverse("insights:checkins", args=[org.slug]), "viewer"),
        "provider_checkins": (
            reverse("insights:provider_checkins", args=[org.slug, provider.pk]),
            "viewer",
        ),
        "checkin_settings": (reverse("insights:checkin_settings", args=[org.slug]), "admin"),
    }


@pytest.mark.parametrize(
    "page", ["my_checkins", "checkins", "provider_checkins", "checkin_settings"]
)
def test_each_page_answers_by_role(org, owner, admin, manager, member, viewer, provider, page):
    url, least = _pages(org, provider)[page]
    order = ["viewer", "member", "manager", "admin", "owner"]
    people = {
        "owner": owner,
        "admin": admin,
        "manager": manager,
        "member": member,
        "viewer": viewer,
    }
    for role, person in people.items():
        expected = 200 if order.index(role) >= order.index(least) else 403
        assert client_for(person).get(url).status_code == expected, role


@pytest.mark.parametrize(
    "name",
    [
        "my_checkins",
        "checkins",
        "provider_checkins",
        "provider_checkin_start",
        "checkin_settings",
        "my_checkin",
    ],
)
def test_outsiders_get_404_on_every_page(org, outsider, other_org, provider, owners_checkin, name):
    args = {
        "my_checkins": [org.slug],
        "checkins": [org.slug],
        "provider_checkins": [org.slug, provider.pk],
        "provider_checkin_start": [org.slug, provider.pk],
        "checkin_settings": [org.slug],
        "my_checkin": [org.slug, owners_checkin.pk],
    }[name]
    client = client_for(outsider)
    url = reverse(f"insights:{name}", args=args)
    assert (client.post(url) if name.endswith("start") else client.get(url)).status_code == 404


def test_another_organizations_provider_is_a_404_for_a_member(org, owner, other_org, outsider):
    from tests.factories import ProviderFactory

    foreign = ProviderFactory(organization=other_org)
    client = client_for(owner)
    assert (
        client.get(reverse("insights:provider_checkins", args=[org.slug, foreign.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("insights:provider_checkin_start", args=[org.slug, foreign.pk])
        ).status_code
        == 404
    )


def test_a_contacts_checkin_is_a_404_for_members_and_strangers_at_either_address(
    org, owner, outsider, provider, point_contact
):
    theirs = make_checkin(make_round(provider), contact=point_contact)
    for name in ("insights:portal_checkin", "insights:my_checkin"):
        for person in (owner, outsider):
            url = reverse(name, args=[org.slug, theirs.pk])
            assert client_for(person).get(url).status_code == 404
            assert client_for(person).post(url, ANSWERS).status_code == 404
    theirs.refresh_from_db()
    assert theirs.answered_at is None
    portal_list = reverse("insights:portal_checkins", args=[org.slug])
    assert client_for(outsider).get(portal_list).status_code == 404
    # A member at the portal's address gets their own check-ins, never the contact's.
    page = client_for(owner).get(portal_list).content.decode()
    assert "My check-ins" in page and f"/{theirs.pk}/" not in page


def test_one_view_serves_my_checkins_at_both_addresses():
    assert resolve("/o/acme/checkins/").func is resolve("/portal/acme/checkins/").func
    assert resolve("/o/acme/checkins/1/").func is resolve("/portal/acme/checkins/1/").func


def test_a_contact_at_the_members_address_gets_the_portals_page(
    org, owner, provider, point_contact, priya
):
    theirs = make_checkin(make_round(provider), contact=point_contact)
    make_checkin(CheckInRound.objects.get(provider=provider), respondent=owner)
    page = client_for(priya).get(reverse("insights:my_checkins", args=[org.slug]))
    body = page.content.decode()
    assert page.status_code == 200 and "/o/acme/providers/" not in body  # the portal's frame
    assert body.count("Answer<span") == 1 and f"/portal/acme/checkins/{theirs.pk}/" in body
    done = client_for(priya).post(
        reverse("insights:my_checkin", args=[org.slug, theirs.pk]), ANSWERS
    )
    assert done.status_code == 302 and done.url == "/portal/acme/checkins/"
    listing = client_for(priya).get(done.url).content.decode()
    assert "Nothing waiting" in listing and "Answered" in listing


def test_my_checkins_list_the_ones_closed_without_an_answer(org, manager, provider):
    late = make_checkin(make_round(provider), respondent=manager)
    CheckIn.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(days=1))
    page = client_for(manager).get(reverse("insights:my_checkins", args=[org.slug]))
    assert "without an answer" in page.content.decode()


def test_portal_login_of_another_organization_gets_404(
    org, other_org, outsider, point_contact, priya
):
    # Priya's portal access is for Acme only: Elsewhere's portal is closed to her.
    assert (
        client_for(priya)
        .get(reverse("insights:portal_checkins", args=[other_org.slug]))
        .status_code
        == 404
    )
