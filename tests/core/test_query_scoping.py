"""Every read of organization data names whose it is.

A tenant model's rows are read through ``Model.objects.visible_to(principal)``, or, for a
sweep across organizations, ``all_organizations()``. The source is read with ``ast``, so a new
``Task.objects.filter(pk=pk)`` in any module fails here before it can show one organization's
rows to another.

A call chain off ``<TenantModel>.objects`` is scoped when:

- one of its calls is ``visible_to`` or ``all_organizations``, wherever it sits in
  the chain (querysets combine their filters, so ``select_related(...).visible_to(p)`` is as
  narrow as ``visible_to(p).select_related(...)``);
- it is the queryset handed to ``get_visible_or_404``, which scopes it;
- it is the ``queryset=`` of a ``Prefetch``, which only fetches rows related to the (scoped)
  rows it is prefetched for;
- it is ``none()``, which reads nothing;
- it is a write that names the organization: ``create``, ``get_or_create`` or
  ``update_or_create`` with ``organization=`` (or ``organization_id=``), or ``bulk_create`` of
  rows each built with one. The row lands in, and any lookup is confined to, that organization.

Anything else must be listed in ``ALLOWED`` under ``"path:function"`` with the reason it is safe:
a lookup by a secret token, a row reached through an already-scoped parent, a row locked again
after a scoped read, a job over every organization. Remove an entry when its site is converted.
"""

import ast
from pathlib import Path

from django.apps import apps

from handoff.core.tenancy import TenantModel

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "handoff"

SCOPES = {"visible_to", "all_organizations"}
SCOPING_HELPERS = {"get_visible_or_404"}
WRITES = {"create", "get_or_create", "update_or_create"}
ORGANIZATION_KEYWORDS = {"organization", "organization_id"}

# "path under src/handoff:function" -> why an unscoped call there is safe.
ALLOWED = {
    # Found by a secret token, before anyone is signed in to the organization.
    "accounts/services.py:find_invitation": "the invitation link's token",
    "accounts/services.py:authenticate_api_token": "the API key; then its own row by pk",
    "insights/checkins.py:find_checkin": "the check-in link's token",
    "providers/vetting.py:find_request": "the reference link's token",
    "compliance/onboarding.py:find_link": "the W-9 link's token",
    "compliance/onboarding.py:_granted": "locks the W-9 link its token unlocked",
    "compliance/onboarding.py:mark_opened": "marks the W-9 link its token unlocked",
    "signatures/services.py:find_signer": "the signer's link token",
    "signatures/services.py:_granted": "locks the signer its token unlocked, and their request",
    "signatures/services.py:mark_opened": "marks the signer its token unlocked",
    "work/feeds.py:feed_for_token": "the calendar feed's token",
    # A row the caller already holds (read scoped or by token), locked or updated by its pk.
    "accounts/services.py:accept_invitation": "locks the invitation found by its token",
    "compliance/services.py:update_settings": "locks the organization's settings row",
    "decisions/api/quotes.py:_quote_out": "re-reads a quote the handler just scoped",
    "insights/checkins.py:update_settings": "get_or_create names the organization",
    "insights/checkins.py:answer": "locks the check-in found by its token",
    "insights/report_email.py:_claim": "locks the provider being reported on",
    "notifications/services.py:mark_read": "the notification the view scoped",
    "notifications/services.py:mark_unread": "the notification the view scoped",
    "notifications/services.py:retry_delivery": "the delivery the caller scoped",
    "providers/vetting.py:answer_request": "locks the request found by its token",
    "work/feeds.py:render_feed": "stamps the feed found by its token",
    "work/services.py:add_comment": "touches the task being commented on",
    "work/services.py:add_attachments": "touches the task being attached to",
    "work/services.py:generate_due_tasks": "advances the schedule being generated",
    "work/demo.py:load_demo": "back-dates the demo issue it has just raised",
    # Rows built in memory for a parent the caller scoped, each given its organization.
    "decisions/services.py:_save_quote": "the quote's tiers, organization set from the quote",
    "engagements/services.py:_set_tiers": "the engagement's tiers, from the engagement",
    "engagements/services.py:add_federal_holidays": "holidays built with organization=org",
    "providers/vetting.py:apply_template": "items built with the provider's organization",
    "insights/rollup.py:rebuild": "month rows built with organization=org",
    "insights/checkins.py:_get_or_create_round": "the lookup names organization_id",
    "insights/rollup.py:forget": "filters on the organization_id it is given",
    # Subqueries and related rows, correlated with an outer query that is scoped.
    "engagements/api/lookups.py:_engagement_rows": "Subqueries on OuterRef of scoped engagements",
    "engagements/api/exit.py:complete_exit_item": "_child() narrows to a scoped engagement's items",
    "insights/checkin_api.py:_listing": "callers narrow to the organization or respondent",
    "providers/selectors.py:provider_list": "the Prefetch of the scoped providers' fields",
    # Jobs, commands and deliveries: every organization's rows, or one row by id from a job.
    "core/backup.py:_remap_audit_trail": "updates the restored organizations' rows it read",
    "notifications/services.py:relink_restored": "updates the restored rows it read",
    "compliance/jobs.py:nec_deadline_reminders": "which organizations have payments",
    "compliance/management/commands/rotate_tin_keys.py:Command.handle": "every W-9 key",
    "engagements/jobs.py:renewal_reminders": "which organizations have renewals",
    "insights/checkins.py:due_rounds": "the sweep over every organization's engagements",
    "notifications/delivery.py:send_notification_email": "the job's notification by id",
    "notifications/delivery.py:send_digest": "the job's settings row and its notifications",
    "notifications/delivery.py:deliver_webhook": "the job's delivery by id",
    "notifications/jobs.py:retry_webhooks": "the sweep over every organization",
    "notifications/jobs.py:retry_emails": "the sweep over every organization",
    "notifications/jobs.py:daily_digest": "the sweep over every organization",
    "notifications/services.py:update_preferences": "ids of the user's own held notifications",
    "providers/jobs.py:document_reminders": "which organizations have expiring documents",
    "work/issues.py:escalate_overdue": "the sweep over every organization's issues",
    "work/issues.py:_climb": "locks an issue the sweep found",
    "work/jobs.py:generate_scheduled_tasks": "the sweep over every organization",
    "work/jobs.py:due_soon": "the sweep over every organization",
    "work/jobs.py:overdue": "the sweep over every organization",
}


def _tenant_model_names():
    return {model.__name__ for model in apps.get_models() if issubclass(model, TenantModel)}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), filename=str(path))


def _names_organization(call):
    return any(keyword.arg in ORGANIZATION_KEYWORDS for keyword in call.keywords)


def _builds_rows_naming_organization(call):
    """``bulk_create([Row(organization=..., ...) for ...])`` or a list of such ``Row(...)``."""
    if not call.args:
        return False
    rows = call.args[0]
    if isinstance(rows, (ast.ListComp, ast.GeneratorExp)):
        built = [rows.elt]
    elif isinstance(rows, (ast.List, ast.Tuple)):
        built = rows.elts
    else:
        return False
    return bool(built) and all(
        isinstance(row, ast.Call) and _names_organization(row) for row in built
    )


def _is_scoped_write(method, call):
    if method in WRITES:
        return _names_organization(call)
    if method == "bulk_create":
        return _builds_rows_naming_organization(call)
    return False


class _Finder(ast.NodeVisitor):
    """Collects ``(function, model, method, line)`` for each unscoped chain in one module."""

    def __init__(self, models):
        self.models = models
        self.functions = []
        self.parents = {}
        self.found = []

    def visit(self, node):
        for child in ast.iter_child_nodes(node):
            self.parents[child] = node
        return super().visit(node)

    def visit_FunctionDef(self, node):
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_FunctionDef

    def visit_Call(self, node):
        model = self._model_of(node.func)
        if model is not None and not self._is_scoped(node):
            where = ".".join(self.functions) or "<module>"
            self.found.append((where, model, node.func.attr, node.lineno))
        self.generic_visit(node)

    def _model_of(self, func):
        """The model in ``<Model>.objects.<method>`` (also ``module.<Model>``), else None."""
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute)):
            return None
        if func.value.attr != "objects":
            return None
        owner = func.value.value
        name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
        return name if name in self.models else None

    def _is_scoped(self, call):
        method = call.func.attr
        if method == "none" or _is_scoped_write(method, call):
            return True
        methods, outer = [method], call
        while True:
            attribute = self.parents.get(outer)
            caller = self.parents.get(attribute)
            if not (
                isinstance(attribute, ast.Attribute)
                and isinstance(caller, ast.Call)
                and caller.func is attribute
            ):
                break
            methods.append(attribute.attr)
            outer = caller
        if SCOPES.intersection(methods):
            return True
        receiver = self.parents.get(outer)
        if isinstance(receiver, ast.keyword) and receiver.arg == "queryset":
            return _function_name(self.parents.get(receiver).func) == "Prefetch"
        return (
            isinstance(receiver, ast.Call)
            and _function_name(receiver.func) in SCOPING_HELPERS
            and receiver.args[:1] == [outer]
        )


def _function_name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _unscoped_calls():
    models = _tenant_model_names()
    for path, tree in _modules():
        finder = _Finder(models)
        finder.visit(tree)
        relative = path.relative_to(PACKAGE).as_posix()
        for function, model, method, line in finder.found:
            yield f"{relative}:{function}", f"{model}.objects.{method}(...) at line {line}"


def test_every_read_of_a_tenant_model_is_scoped():
    unscoped = [f"{site}: {call}" for site, call in _unscoped_calls() if site not in ALLOWED]
    assert not unscoped, (
        "Read tenant rows through Model.objects.visible_to(principal) (or all_organizations() "
        "for a cross-organization sweep, with a comment saying why); if the call is safe "
        "as it is, add it to ALLOWED with the reason:\n" + "\n".join(unscoped)
    )


def test_every_allowed_site_still_exists():
    sites = {site for site, _ in _unscoped_calls()}
    assert not set(ALLOWED) - sites, "Remove these from ALLOWED: they no longer read unscoped."
