"""Issue pages: the list, the detail with its thread and timeline, raising an issue (from an
engagement or a task), answering, resolving and reopening.

The list, the detail, raising and answering serve the organization's people and a provider's
contacts alike (``/o/<org>/issues/…`` and ``/portal/<org>/issues/…`` route to the same views):
each reads the issues the visibility rule lets them, acts for their side and sees the layout of
their side. Least roles: viewers read, members raise and answer, managers resolve and reopen
(members only).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements.choices import EngagementStatus, Severity
from handoff.engagements.models import Engagement
from handoff.work import issues, selectors
from handoff.work.choices import Side
from handoff.work.forms import IssueForm, MessageForm, PortalIssueForm, ReopenForm, ResolveForm
from handoff.work.models import Issue, Task
from handoff.work.views import side_url

PAGE_SIZE = 25

# The list's tabs: what each shows (a provider's contact has no "All").
VIEWS = {
    "open": "Open",
    "overdue": "Overdue for a response",
    "resolved": "Resolved",
    "all": "All",
}
PROVIDER_VIEWS = {key: label for key, label in VIEWS.items() if key != "all"}


@principal_required(Role.VIEWER, providers=True)
def issue_list(request):
    principal = request.principal
    now = timezone.now()
    views = PROVIDER_VIEWS if principal.is_provider else VIEWS
    view = request.GET.get("view") if request.GET.get("view") in views else "open"
    params = {**request.GET.dict(), "view": view}
    page = Paginator(selectors.issue_list(principal, params, now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for issue in page.object_list:
        issue.overdue = issues.is_overdue(issue, now)
    context = {"page": page, "view": view, "views": views}
    if not principal.is_provider:
        context.update(
            query=urlencode({k: v for k, v in params.items() if k != "page" and v}),
            filters=params,
            providers=selectors.issue_filter_providers(principal),
            engagements=selectors.issue_filter_engagements(principal),
            severities=Severity.choices,
        )
    return render(request, "work/issue_list.html", context)


def _issue_or_404(request, pk) -> Issue:
    return get_visible_or_404(issues.with_routing(Issue.objects), request.principal, pk=pk)


def detail_context(principal, issue: Issue, now=None) -> dict:
    """What the detail page shows about an issue's progress, to either side."""
    now = now or timezone.now()
    rungs = issues.ladder(principal, issue.engagement)
    above = [rung for rung in rungs if rung.level > issue.level]
    return {
        "issue": issue,
        "events": issues.timeline(principal, issue),
        "rungs": rungs,
        "overdue": issues.is_overdue(issue, now),
        "at_top": bool(rungs) and not above,
        "next_rung": above[0] if above else None,
        "no_target": issue.respond_by is None and issue.first_response_at is None,
        "response_after": issue.first_response_at - issue.raised_at
        if issue.first_response_at
        else None,
        "routed_side": issues.routed_side(issue),
        "now": now,
    }


@principal_required(Role.VIEWER, providers=True)
def issue_detail(request, pk):
    issue = _issue_or_404(request, pk)
    context = {**detail_context(request.principal, issue), "message_form": MessageForm()}
    if not request.principal.is_provider:
        context.update(resolve_form=ResolveForm(), reopen_form=ReopenForm())
    return render(request, "work/issue_detail.html", context)


@principal_required(Role.MEMBER, providers=True)
def issue_raise(request, engagement_pk=None):
    """Raise an issue on the engagement in the address (from its page or a task's), or, from
    the issue list's button, on the engagement chosen in the form."""
    principal = request.principal
    initial = {}
    if str(request.GET.get("task", "")).isdigit():
        initial["task_id"] = int(request.GET["task"])
    if engagement_pk is not None:
        engagement = get_visible_or_404(
            Engagement.objects.select_related("provider"), principal, pk=engagement_pk
        )
        engagements = [engagement]
        tasks = (
            Task.objects.visible_to(principal)
            .filter(engagement=engagement)
            .order_by("-created_at")[:200]
        )
        form = IssueForm(request.POST or None, tasks=tasks, initial=initial)
    else:
        engagement = None
        engagements = list(
            Engagement.objects.visible_to(principal)
            .exclude(status=EngagementStatus.ENDED)
            .order_by("title")
        )
        tasks = Task.objects.visible_to(principal)
        if "task_id" in initial:
            task = tasks.filter(pk=initial["task_id"]).first()
            if task is not None:
                initial["engagement_id"] = task.engagement_id
        form = PortalIssueForm(
            request.POST or None,
            tasks=tasks.open().order_by("due_at")[:200],
            engagements=engagements,
            initial=initial,
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = engagement or next(e for e in engagements if e.pk == data["engagement_id"])
        try:
            issue = issues.raise_issue(request.principal, chosen, data=data)
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                error = ValidationError(str(error))
            add_service_errors(form, error)
        else:
            messages.success(request, _raised_message(issue))
            return redirect(side_url(request, "issue", issue.pk))
    context = {"form": form, "engagement": engagement}
    return render(request, "work/issue_form.html", context)


def _raised_message(issue: Issue) -> str:
    if issue.raised_side == Side.PROVIDER:
        return "Issue raised; the business's point person is told."
    plan = getattr(issue.engagement, "communication_plan", None)
    who = plan.issue_contact.name if plan and plan.issue_contact else "their issue contact"
    if issue.respond_by is None:
        return f"Issue raised and sent to {who}. No response target is set for this severity."
    local = timezone.localtime(issue.respond_by)
    return f"Issue raised and sent to {who}, who should respond by {local:%b %-d, %-I:%M %p}."


NOTHING_CHANGED = "Write something first; nothing was changed."


def _act(request, pk, form_class, action, success, empty=NOTHING_CHANGED):
    issue = _issue_or_404(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(issue, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(getattr(error, "messages", [str(error)]))
            messages.error(request, text)
        else:
            messages.success(request, success)
    else:
        messages.error(request, empty)
    return redirect(side_url(request, "issue", issue.pk))


@require_POST
@principal_required(Role.VIEWER, providers=True, writes=Role.MEMBER)
def issue_respond(request, pk):
    if request.principal.is_provider:
        success, empty = "Message sent.", "Write a message first; nothing was sent."
    else:
        success, empty = "Message added.", NOTHING_CHANGED
    return _act(
        request,
        pk,
        MessageForm,
        lambda issue, body: issues.respond(request.principal, issue, body=body),
        success,
        empty,
    )


@require_POST
@principal_required(Role.MANAGER)
def issue_resolve(request, pk):
    return _act(
        request,
        pk,
        ResolveForm,
        lambda issue, note: issues.resolve(request.principal, issue, note=note),
        "Issue resolved.",
    )


@require_POST
@principal_required(Role.MANAGER)
def issue_reopen(request, pk):
    return _act(
        request,
        pk,
        ReopenForm,
        lambda issue, reason: issues.reopen(request.principal, issue, reason=reason),
        "Issue reopened.",
    )
