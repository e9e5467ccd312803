"""The one pager under every list: filters survive the move, links say where they lead."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def pager(number, **context) -> str:
    page = Paginator(range(60), 25).get_page(number)
    return render_to_string("includes/pagination.html", {"page": page, **context})


def test_the_middle_page_links_both_ways_and_keeps_the_filters():
    html = pager(2, query="status=open&q=tax")
    assert 'aria-label="Pages"' in html
    assert '<a rel="prev" href="?status=open&amp;q=tax&amp;page=1">← Previous</a>' in html
    assert '<a rel="next" href="?status=open&amp;q=tax&amp;page=3">Next →</a>' in html
    assert "Page 2 of 3" in html


def test_without_filters_the_links_carry_only_the_page():
    html = pager(1)
    assert 'href="?page=2"' in html
    assert 'rel="prev"' not in html


def test_a_list_can_name_its_rows_and_its_links():
    html = pager(3, label="Pages of rounds", items="Rounds", previous="← Newer", next="Older →")
    assert 'aria-label="Pages of rounds"' in html
    assert "Rounds 51–60 of 60" in html
    assert ">← Newer</a>" in html and "Older" not in html


def test_one_page_needs_no_pager_unless_the_list_asks_for_its_count():
    page = Paginator(range(5), 25).get_page(1)
    assert "<nav" not in render_to_string("includes/pagination.html", {"page": page})
    shown = render_to_string(
        "includes/pagination.html", {"page": page, "items": "Providers", "always": True}
    )
    assert "Providers 1–5 of 5" in shown
    empty = Paginator([], 25).get_page(1)
    assert "<nav" not in render_to_string(
        "includes/pagination.html", {"page": empty, "always": True}
    )
