"""The section navigation and the pages it opens use the same words: each link's label (after
its stage: "Comply · Compliance") is the page's <h1> and starts its <title>."""

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for

LINK = re.compile(
    r'<a href="(?P<href>[^"]+)"[^>]*><span class="stage">(?P<stage>\w+)<span class="sr-only">'
    r" ·</span></span> (?P<label>[^<]+)</a>"
)


def section_links(page: str) -> list[tuple[str, str, str]]:
    nav = page[page.index('class="lifecycle"') :]
    nav = nav[: nav.index("</nav>")]
    return [(m["stage"], m["label"], m["href"]) for m in LINK.finditer(nav)]


@pytest.mark.django_db
def test_every_section_page_is_titled_as_its_link(org, owner):
    client = client_for(owner)
    links = section_links(client.get(reverse("insights:dashboard", args=[org.slug])).text)
    labels = [f"{stage} · {label}" for stage, label, _ in links]
    assert labels == [
        "Decide · Analyses",
        "Vet · Providers",
        "Engage · Engagements",
        "Run · Tasks",
        "Run · Issues",
        "Pay · Invoices",
        "Pay · Payments",
        "Comply · Compliance",
        "Evaluate · Dashboard",
        "Evaluate · Scorecards",
        "Evaluate · Check-ins",
    ]
    disagree = []
    for _, label, href in links:
        page = client.get(href).text
        h1 = re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)[1]).strip()
        title = re.search(r"<title>(.*?)</title>", page, re.S)[1].strip()
        if h1 != label or not title.startswith(label):
            disagree.append((label, h1, title))
    assert disagree == []
