"""The dashboard page: who may open it, what each card shows and links to, the spend chart
with its table, and the landing after login."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from handoff.accounts.models import Membership
from tests.conftest import client_for
from tests.factories import ProviderFactory, UserFactory
from tests.insights.conftest import ranked_providers
from tests.insights.test_dashboard import engage, pay, plan, task

pytestmark = pytest.mark.django_db


def url(org):
    return reverse("insights:dashboard", args=[org.slug])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def provider(org):
    return ProviderFactory(organization=org, name="Ledgerline Bookkeeping")


class TestAccess:
    def test_a_viewer_reads_it(self, org, viewer):
        response = client_for(viewer).get(url(org))
        assert response.status_code == 200
        assert "Dashboard" in text_of(response)

    def test_an_outsider_gets_404(self, org, outsider, other_org):
        assert client_for(outsider).get(url(org)).status_code == 404

    def test_a_visitor_is_sent_to_log_in(self, client, org):
        response = client.get(url(org))
        assert response.status_code == 302 and "login" in response["Location"]

    def test_the_nav_ends_the_lifecycle_with_the_dashboard(self, org, owner):
        page = text_of(client_for(owner).get(url(org)))
        nav = page[page.index('class="lifecycle"') :]
        comply, evaluate, team = (
            nav.index(">Comply<"),
            nav.index("</span> Dashboard</a>"),
            nav.index("Members</a>"),
        )
        assert comply < evaluate < team
        assert 'aria-current="page"><span class="stage">Evaluate' in nav


class TestLanding:
    def test_a_member_lands_on_the_dashboard(self, org, member):
        response = client_for(member).get(reverse("home"))
        assert response["Location"] == url(org)

    def test_a_provider_contact_still_lands_on_the_portal(self, org, owner, provider):
        from handoff.accounts.models import PortalAccess
        from handoff.providers.models import Contact

        contact = Contact.objects.create(
            organization=org, provider=provider, name="Priya", email="priya@l.example"
        )
        user = UserFactory(email="priya@l.example")
        PortalAccess.objects.create(
            organization=org,
            contact=contact,
            user=user,
            token_hash="x" * 64,
            expires_at=timezone.now() + timedelta(days=1),
            accepted_at=timezone.now(),
        )
        response = client_for(user).get(reverse("home"))
        assert response["Location"] == reverse("portal:home", args=[org.slug])
        assert client_for(user).get(url(org)).status_code == 404
        assert not Membership.objects.filter(user=user).exists()


class TestCards:
    def test_an_empty_organization_is_told_there_is_nothing_yet_not_that_all_is_well(
        self, org, owner
    ):
        page = text_of(client_for(owner).get(url(org)))
        for message in (
            "No task has been sent yet.",
            "No engagement is under way yet, so no issue to answer.",
            "No provider yet, so no W-9 to collect.",
            "No engagement is active yet.",
            "No function is outsourced yet.",
            "No outsourcing plan is in force yet",
            "No provider is engaged yet, and none has work, payments or check-ins this quarter.",
        ):
            assert message in page, message
        for reassurance in (
            "Nothing is overdue.",
            "Every paid or engaged provider has a W-9 on file.",
            "Every active engagement has its signed agreement.",
            "Every open issue has been answered in time.",
            "Every outsourced function has a second provider",
        ):
            assert reassurance not in page, reassurance
        providers_new = reverse("providers:create", args=[org.slug])
        assert f'No provider yet, so no W-9 to collect. <a href="{providers_new}">' in page
        assert "<svg" not in page

    def test_once_there_is_something_to_check_an_empty_card_says_all_is_well(
        self, org, owner, provider
    ):
        engagement = engage(org, provider)
        task(engagement, timezone.now() + timedelta(days=30), title="Later")
        page = text_of(client_for(owner).get(url(org)))
        assert "Nothing is overdue." in page
        assert "Nothing falls due in the next 7 days." in page
        assert "Every open issue has been answered in time." in page
        assert "No task has been sent yet." not in page

    def test_items_link_to_where_they_are_acted_on(self, org, owner, provider):
        engagement = engage(org, provider)
        late = task(engagement, timezone.now() - timedelta(days=1), title="Close October")
        pay(org, provider, "900", timezone.localdate() - timedelta(days=3), engagement)
        page = text_of(client_for(owner).get(url(org)))
        assert f'href="{reverse("work:task", args=[org.slug, late.pk])}">Close October' in page
        assert f'href="{reverse("work:tasks", args=[org.slug])}?tab=overdue"' in page
        w9 = reverse("compliance:w9", args=[org.slug, provider.pk])
        assert f'href="{w9}">Ledgerline Bookkeeping' in page
        detail = reverse("engagements:detail", args=[org.slug, engagement.pk])
        assert f'href="{detail}#agreement"' in page
        shortlist = reverse("insights:shortlist", args=[org.slug, engagement.functions.get().pk])
        assert f'href="{shortlist}">Bookkeeping' in page

    def test_the_spend_chart_stands_beside_its_table(self, org, owner, provider):
        engagement = engage(org, provider)
        fn = engagement.functions.get()
        plan(
            org,
            owner,
            fn,
            planned="12000",
            in_house="40000",
            starts=date.today().replace(month=1, day=1),
        )
        pay(org, provider, "1234.50", timezone.localdate().replace(day=1), engagement)
        page = text_of(client_for(owner).get(url(org)))
        assert '<svg role="img" aria-label="Spend in' in page
        assert "<script" not in page[page.index("<svg") : page.index("</svg>")]
        assert "$1,234.50" in page
        assert "In-house" in page and "Flat monthly fee" in page

    def test_the_standings_link_each_provider(self, org, owner, provider):
        engagement = engage(org, provider)
        due = timezone.now() - timedelta(hours=2)
        task(engagement, due, status="accepted", delivered_at=due - timedelta(hours=1))
        page = text_of(client_for(owner).get(url(org)))
        section = page[page.index('id="standings"') :]
        assert "Ledgerline Bookkeeping" in section and "100%" in section


class TestManyStandings:
    """Past ten providers with data the dashboard lists the best five and the lowest five, and
    links to every standing; up to ten it lists them all."""

    ZONE = ZoneInfo("America/Chicago")
    NOW = datetime(2026, 11, 18, 12, tzinfo=ZONE)

    @pytest.fixture(autouse=True)
    def _clock(self):
        with time_machine.travel(self.NOW, tick=False):
            yield

    def standings(self, org, owner) -> str:
        page = text_of(client_for(owner).get(url(org)))
        section = page[page.index('id="standings"') :]
        return section[: section.index("</section>")]

    @staticmethod
    def ranked(section: str) -> list[tuple[int, str]]:
        return [
            (int(rank), name)
            for rank, name in re.findall(
                r'<td class="num">(\d+)</td><th scope="row"><a [^>]*>([^<]+)</a>', section
            )
        ]

    def test_twelve_show_the_best_five_and_the_lowest_five_with_their_ranks(self, org, owner):
        ranked_providers(org, 12, self.NOW - timedelta(days=8))
        section = self.standings(org, owner)
        assert "Best" in section and "Lowest" in section
        assert self.ranked(section) == [
            (1, "Provider 12"),
            (2, "Provider 11"),
            (3, "Provider 10"),
            (4, "Provider 09"),
            (5, "Provider 08"),
            (8, "Provider 05"),
            (9, "Provider 04"),
            (10, "Provider 03"),
            (11, "Provider 02"),
            (12, "Provider 01"),
        ]
        chart = section[section.index("<svg") : section.index("</svg>")]
        assert "Provider 12" in chart and "Provider 01" in chart
        assert "Provider 06" not in section and "Provider 07" not in section
        standings = reverse("insights:scorecards", args=[org.slug])
        assert (
            f'<a href="{standings}?period=quarter&amp;on=2026-10-01">All 12 standings</a>'
            in section
        )

    def test_ten_are_all_listed(self, org, owner):
        ranked_providers(org, 10, self.NOW - timedelta(days=8))
        section = self.standings(org, owner)
        assert self.ranked(section) == [(n, f"Provider {11 - n:02d}") for n in range(1, 11)]
        assert "Lowest" not in section and "standings</a>" not in section
        assert "All scorecards" in section
