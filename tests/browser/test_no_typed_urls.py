"""The browser tests walk the app as a person does: after the home page, only by clicking what
is on the screen. A typed inner URL (``page.goto("/o/acme/tasks/")``) hides a page nobody can
reach by clicking, so this reads every file in tests/browser/ and fails on a ``goto`` whose
address is anything but the home page "/" or a link taken out of an e-mail (a name assigned,
directly or through other names, from ``mail.outbox``)."""

import ast
import builtins
from pathlib import Path

BROWSER_TESTS = Path(__file__).parent
BUILTINS = set(dir(builtins))

# What else may be opened with goto, by file and by the exact source of the address, and why.
# Keep it short: every entry is a place where the test does not move as a person does.
ALLOWED = {
    # The crawl opens the links it read from the pages' own <a href>, one by one; it follows
    # what is on the screen and types no address of its own.
    ("test_crawl.py", "url"): "links read from the pages visited",
}


def _source(node: ast.AST) -> str:
    return ast.unparse(node)


def _reads_outbox(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "outbox" for n in ast.walk(node))


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _assignments(tree: ast.AST):
    """Each assignment as (the names it sets, the expression it reads)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
            targets, value = [node.target], node.value
        elif isinstance(node, ast.For | ast.comprehension):
            targets, value = [node.target], node.iter
        else:
            continue
        if value is not None:
            yield set().union(*(_names(target) for target in targets)), value


def _email_names(tree: ast.AST) -> set[str]:
    """Names whose value comes from an e-mail: assigned from an expression that reads
    ``mail.outbox``, or from one that reads only such names and built-ins
    (``url = link.strip()``)."""
    assignments = list(_assignments(tree))
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for targets, value in assignments:
            names = _names(value) - BUILTINS
            if (_reads_outbox(value) or names and names <= found) and targets - found:
                found |= targets
                changed = True
    return found


def typed_urls(source: str, filename: str) -> list[str]:
    """Every ``goto`` in ``source`` whose address is not allowed, as "file:line: goto(...)"."""
    tree = ast.parse(source, filename)
    from_mail = _email_names(tree)
    problems = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "goto"
        ):
            continue
        address = node.args[0] if node.args else None
        address = address or next((k.value for k in node.keywords if k.arg == "url"), None)
        if address is None:
            problems.append((node.lineno, f"{filename}:{node.lineno}: goto() without an address"))
            continue
        if isinstance(address, ast.Constant) and address.value == "/":
            continue
        names = _names(address) - BUILTINS
        if names and names <= from_mail and not _has_literal_text(address):
            continue
        if (filename, _source(address)) in ALLOWED:
            continue
        problems.append((node.lineno, f"{filename}:{node.lineno}: goto({_source(address)})"))
    return [problem for _, problem in sorted(problems)]


def _has_literal_text(node: ast.AST) -> bool:
    """Whether the address pastes typed text onto the e-mail's link (an f-string or a sum with
    a string), as in ``goto(link + "?page=2")``; a method call such as ``strip()`` is fine."""
    return any(
        isinstance(n, ast.JoinedStr)
        or isinstance(n, ast.BinOp)
        and any(isinstance(s, ast.Constant) and isinstance(s.value, str) for s in (n.left, n.right))
        for n in ast.walk(node)
    )


def test_no_browser_test_types_an_inner_url():
    problems = []
    for path in sorted(BROWSER_TESTS.glob("*.py")):
        problems += typed_urls(path.read_text(encoding="utf-8"), path.name)
    assert not problems, (
        "Browser tests move by clicking what a person sees; open only '/' or a link taken "
        "from mail.outbox with goto (see ALLOWED in tests/browser/test_no_typed_urls.py):\n"
        + "\n".join(problems)
    )


def test_the_check_tells_a_typed_url_from_the_home_page_and_an_e_mail_link():
    source = """
from django.core import mail

def journey(page, org, browser):
    page.goto("/")
    page.goto(url="/")
    page.goto("/o/acme/tasks/")
    page.goto(f"/o/{org.slug}/dashboard/")
    response = page.goto("/accounts/login/")
    body = mail.outbox[-1].body
    link = next(line for line in body.splitlines() if "/reference-check/" in line)
    other = browser.new_page()
    other.goto(link.strip())
    url = link.strip()
    other.goto(url)
    other.goto(link + "?page=2")
    typed = "/o/acme/providers/"
    other.goto(typed)
    for address in ["/o/acme/", "/portal/acme/"]:
        other.goto(address)
"""
    assert typed_urls(source, "test_x.py") == [
        "test_x.py:7: goto('/o/acme/tasks/')",
        "test_x.py:8: goto(f'/o/{org.slug}/dashboard/')",
        "test_x.py:9: goto('/accounts/login/')",
        "test_x.py:16: goto(link + '?page=2')",
        "test_x.py:18: goto(typed)",
        "test_x.py:20: goto(address)",
    ]
