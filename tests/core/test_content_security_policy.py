"""The Content-Security-Policy: scripts and styles from our origin only, no inline script,
handler or style attribute on any page; a server-drawn chart's stylesheet is let through by the
request's nonce. The crawl (tests/browser/test_crawl.py) checks in Chromium that nothing on the
pages it reaches is blocked; here, the header, the nonce and the templates themselves."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

import handoff
from handoff.core.charts import inline_svg, style
from tests.conftest import client_for

# Templates that are not pages: e-mails (their own inline styles, which mail readers need) and
# the documents WeasyPrint draws as PDFs (no browser, no policy).
NOT_PAGES = {
    "engagements/templates/engagements/agreement.html",
    "decisions/templates/decisions/analysis_pdf.html",
    "insights/templates/insights/report_pdf_style.html",
    "insights/templates/insights/review_email.html",
}
INLINE = {
    "style attribute": re.compile(r"""\sstyle=["']"""),
    "event handler": re.compile(r"""\son[a-z]+=["']"""),
    "inline stylesheet": re.compile(r"<style[\s>]"),
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)"),
}


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.django_db
def test_pages_carry_a_strict_policy(org, owner):
    response = client_for(owner).get(reverse("home"), follow=True)
    policy = directives(response)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"].startswith("'self'")
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_a_charts_stylesheet_carries_the_nonce_sent_in_the_header():
    import pygal
    from csp.middleware import CSPMiddleware

    chart = pygal.Bar(js=[], style=style(("#000",)))
    chart.add("a", [1, 2])
    svg = inline_svg(chart, "A chart")
    assert 'style="' not in svg  # pygal's one style attribute is an SVG attribute now
    request = RequestFactory().get("/")
    middleware = CSPMiddleware(lambda request: None)
    middleware.process_request(request)
    page = Template("{% load handoff %}{% chart svg %}").render(
        Context({"svg": svg, "request": request})
    )
    nonce = str(request.csp_nonce)
    assert f'<style nonce="{nonce}" ' in page
    from django.http import HttpResponse

    response = middleware.process_response(request, HttpResponse(page))
    assert f"'nonce-{nonce}'" in directives(response)["style-src"]
    # Without a request (a PDF) the chart is unchanged.
    pdf = Template("{% load handoff %}{% chart svg %}").render(Context({"svg": svg}))
    assert "nonce=" not in pdf


def test_no_page_template_has_inline_styles_scripts_or_handlers():
    root = Path(handoff.__file__).parent
    found = []
    for path in sorted(root.rglob("templates/**/*.html")):
        name = path.relative_to(root).as_posix()
        if name in NOT_PAGES or name.endswith("_pdf.html"):
            continue
        text = path.read_text()
        for kind, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{name}:{line}: {kind}")
    assert not found, "\n".join(found)
