"""The layout every page shares: the section navigation marks the page a member is on, the
Evaluate items apart by page; a list's filters fold on a phone unless one is in use."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from handoff.core.templatetags.handoff import filtering
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def current_sections(page: str) -> list[str]:
    nav = page[page.index('class="lifecycle"') :]
    nav = nav[: nav.index("</nav>")]
    return [
        re.sub(r"<[^>]+>", "", label).strip()
        for label in re.findall(r'<a href="[^"]+" aria-current="page">(.*?)</a>', nav)
    ]


@pytest.mark.parametrize(
    ("name", "current"),
    [
        ("insights:dashboard", "Evaluate · Dashboard"),
        ("insights:scorecards", "Evaluate · Scorecards"),
        ("insights:scorecard_weights", "Evaluate · Scorecards"),
        ("insights:checkins", "Evaluate · Check-ins"),
        ("decisions:analyses", "Decide · Analyses"),
        ("providers:list", "Vet · Providers"),
        ("engagements:list", "Engage · Engagements"),
        ("work:tasks", "Run · Tasks"),
        ("work:issues", "Run · Issues"),
        ("compliance:overview", "Comply · Compliance"),
        ("accounts:members", "Members"),
        ("accounts:organization_settings", "Settings"),
    ],
)
def test_exactly_the_section_of_the_page_is_current(org, owner, name, current):
    page = client_for(owner).get(reverse(name, args=[org.slug]))
    assert page.status_code == 200
    assert current_sections(page.text) == [current]


def test_a_page_outside_the_sections_marks_none(org, owner):
    page = client_for(owner).get(reverse("work:calendar_feeds", args=[org.slug]))
    assert current_sections(page.text) == []


def test_the_header_keeps_no_inline_styles(org, owner):
    page = client_for(owner).get(reverse("insights:dashboard", args=[org.slug])).text
    header = page[page.index("<header") : page.index("</header>")]
    assert "style=" not in header


@pytest.mark.parametrize(
    ("query", "folded"),
    [("", True), ("tab=closed&page=2", True), ("view=overdue", True), ("q=", True)],
)
def test_filters_stay_folded_without_a_filter_in_use(query, folded):
    assert filtering(RequestFactory().get(f"/?{query}")) is not folded


@pytest.mark.parametrize("query", ["q=close", "tab=open&provider=3", "status=delivered"])
def test_a_filter_in_use_opens_them(query):
    assert filtering(RequestFactory().get(f"/?{query}")) is True


def test_the_task_list_folds_its_filters_behind_a_summary(org, owner):
    url = reverse("work:tasks", args=[org.slug])
    closed = client_for(owner).get(url).text
    assert '<details class="filter-box"><summary>Filters</summary>' in closed
    opened = client_for(owner).get(url, {"q": "close"}).text
    assert '<details class="filter-box" open><summary>Filters</summary>' in opened
