"""The crawl: each kind of person — the owner, a viewer, a provider's contact in the portal —
logs in on a phone-sized screen (390 × 844) and follows the links of the pages, breadth-first,
from the page they land on: the navigation and every page it reaches. Every page must answer
without a server error, fit the screen's width (no sideways scrolling), keep the header within
15% of the screen's height, have no serious or critical accessibility violation (axe-core,
bundled by axe-playwright-python) and nothing blocked by the Content-Security-Policy (Chromium
reports each blocked style, script or handler on the console). All the problems are
collected and reported together.

The crawl only goes to addresses it finds in the pages' links (<a href>); it skips log-out,
downloads (PDF, CSV, calendar files), the API, and visits at most PER_NAME pages of one URL
pattern, so that it finishes in reasonable time."""

import os
import time
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from handoff import demo
from handoff.accounts.models import Membership, PortalAccess
from handoff.core.roles import Role
from handoff.work import demo as work_demo
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844
HEADER_MAX = int(HEIGHT * 0.15)  # 126 px
PER_NAME = int(os.environ.get("HANDOFF_CRAWL_PER_NAME", "2"))
MAX_PAGES = 150  # a safety net: a crawl that grows past this is itself a defect to look at
SKIP_SUFFIXES = (".pdf", ".csv", ".ics", ".zip", ".xml", ".json", ".txt", ".png", ".jpg")
SKIP_PREFIXES = ("/api/", "/static/", "/media/", "/admin/")
SKIP_NAMES = {"accounts:logout", "account_logout"}
SKIP_WORDS = ("download", "_pdf", "_csv", "export", "feed.")  # URL names of files
AXE_RUN = "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"

OVERFLOW = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  // Name the last elements that stick out (outside any box that scrolls), to say where to look.
  const clips = ['auto', 'scroll', 'hidden', 'clip'];
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right <= root.clientWidth + 1 || box.width === 0) continue;
    let parent = el.parentElement, inside = false;
    while (parent && !inside) {
      inside = clips.includes(getComputedStyle(parent).overflowX);
      parent = parent.parentElement;
    }
    if (inside) continue;
    const classes = typeof el.className === 'string' ? el.className.trim() : '';
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (classes ? '.' + classes.split(/\\s+/).join('.') : '');
    out.push(name + ' (right edge ' + Math.round(box.right) + ')');
  }
  return root.scrollWidth + ' > ' + root.clientWidth + ': ' + out.slice(-4).join(', ');
}"""


def _people():
    """The demo's owner, its viewer (given a password here) and its portal contact."""
    User = get_user_model()
    viewer = Membership.objects.get(organization__slug=demo.ORG_SLUG, role=Role.VIEWER).user
    viewer.set_password("viewer-pass-123")
    viewer.save(update_fields=["password"])
    portal_user = PortalAccess.objects.filter(accepted_at__isnull=False).first().user
    assert User.objects.filter(pk=portal_user.pk).exists()
    return {
        "owner": (demo.LOGIN_EMAIL, demo.LOGIN_PASSWORD),
        "viewer": (viewer.email, "viewer-pass-123"),
        "portal": (portal_user.email, work_demo.PORTAL_PASSWORD),
    }


def _link_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _crawl(page, origin: str) -> tuple[list[str], list[str]]:
    """Visit every page reachable by links from where the person landed; return the pages
    visited and the problems found."""
    problems: list[str] = []
    visited: list[str] = []
    seen: set[str] = set()
    per_name: Counter = Counter()
    spent: Counter = Counter()
    axed: set = set()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    start = page.url
    queue = deque([start])
    seen.add(start)
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        clock = time.monotonic()
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):  # a file, not a page
                continue
            raise
        where = urlsplit(url)
        label = where.path + (f"?{where.query}" if where.query else "")
        visited.append(label)
        status = response.status if response else 0
        if status >= 500:
            problems.append(f"{label}: server error {status}")
            continue
        if status >= 400:
            problems.append(f"{label}: {status} from a link on a page")
            continue
        if "text/html" not in (response.headers.get("content-type", "") if response else ""):
            continue
        spent["load"] += time.monotonic() - clock
        clock = time.monotonic()
        overflow = page.evaluate(OVERFLOW)
        if overflow:
            problems.append(f"{label}: scrolls sideways at {WIDTH} px ({overflow})")
        header = page.evaluate(
            "() => { const h = document.querySelector('header');"
            " return h ? h.getBoundingClientRect().height : 0; }"
        )
        if header > HEADER_MAX:
            problems.append(f"{label}: header {header:.0f} px tall (at most {HEADER_MAX})")
        problems += [f"{label}: {text[:240]}" for text in blocked]
        blocked.clear()
        spent["checks"] += time.monotonic() - clock
        clock = time.monotonic()
        name = _link_name(where.path)
        violations = []
        if name not in axed:  # one page of each pattern: its template is what axe judges
            axed.add(name)
            violations = page.evaluate(AXE_RUN)
        spent["axe"] += time.monotonic() - clock
        for violation in violations:
            if violation["impact"] in ("serious", "critical"):
                targets = "; ".join(
                    " ".join(node["target"]) if isinstance(node["target"], list) else node["target"]
                    for node in violation["nodes"][:3]
                )
                problems.append(
                    f"{label}: axe {violation['impact']} {violation['id']} "
                    f"({violation['help']}) at {targets}"
                )
        hrefs = page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(link => link.href)"
        )
        for href in hrefs:
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != origin:
                continue
            path = parts.path
            if path.endswith(SKIP_SUFFIXES) or path.startswith(SKIP_PREFIXES):
                continue
            target = href.split("#", 1)[0]
            if target in seen:
                continue
            name = _link_name(path)
            if name is None or name in SKIP_NAMES or per_name[name] >= PER_NAME:
                continue
            if any(word in name for word in SKIP_WORDS):
                continue
            seen.add(target)
            per_name[name] += 1
            queue.append(target)
    print({key: round(value) for key, value in spent.items()})
    return visited, problems


def test_every_page_reached_by_links_fits_a_phone_and_passes_axe(browser, live_server):
    demo.load()  # one organization with every stage in use, for the three people
    problems, summary = [], []
    for who, (email, password) in _people().items():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": WIDTH, "height": HEIGHT}
        )
        context.add_init_script(script=Axe().axe_script)  # axe-core, from the package
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            log_in(page, email, password)
            page.wait_for_load_state()
            started = time.monotonic()
            visited, found = _crawl(page, live_server.url)
            took = time.monotonic() - started
        finally:
            context.close()
        summary.append(f"{who}: {len(visited)} pages in {took:.0f} s")
        assert len(visited) > 5, f"{who} reached only {visited}"
        problems += [f"{who} {problem}" for problem in found]
    print("; ".join(summary))
    assert not problems, f"{len(problems)} problems ({'; '.join(summary)}):\n" + "\n".join(problems)
