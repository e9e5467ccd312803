"""Issue pages for the organization: the list, the detail with its thread and timeline, raising
an issue from an engagement or a task, answering, resolving and reopening.

Least roles: viewers read, members raise and answer, managers resolve and reopen.
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
from handoff.engagements.choices import Severity
from handoff.engagements.models import Engagement
from handoff.work import issues, selectors
from handoff.work.choices import Side
from handoff.work.forms import IssueForm, MessageForm, ReopenForm, ResolveForm
from handoff.work.models import Issue, Task

PAGE_SIZE = 25

# The list's tabs: what each shows.
VIEWS = {
    "open": "Open",
    "overdue": "Overdue for a response",
    "resolved": "Resolved",
    "all": "All",
}


@principal_required(Role.VIEWER)
def issue_list(request):
    now = timezone.now()
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "open"
    params = {**request.GET.dict(), "view": view}
    page = Paginator(selectors.issue_list(request.principal, params, now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for issue in page.object_list:
        issue.overdue = issues.is_overdue(issue, now)
    query = urlencode({k: v for k, v in params.items() if k != "page" and v})
    return render(
        request,
        "work/issue_list.html",
        {
            "page": page,
            "view": view,
            "views": VIEWS,
            "query": query,
            "filters": params,
            "providers": selectors.issue_filter_providers(request.principal),
            "engagements": selectors.issue_filter_engagements(request.principal),
            "severities": Severity.choices,
        },
    )


def _issue_or_404(request, pk) -> Issue:
    return get_visible_or_404(issues.with_routing(Issue.objects), request.principal, pk=pk)


def detail_context(issue: Issue, now=None) -> dict:
    """What the detail pages (ours and the portal's) show about an issue's progress."""
    now = now or timezone.now()
    rungs = issues.ladder(issue.engagement)
    above = [rung for rung in rungs if rung.level > issue.level]
    return {
        "issue": issue,
        "events": issues.timeline(issue),
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


@principal_required(Role.VIEWER)
def issue_detail(request, pk):
    issue = _issue_or_404(request, pk)
    context = detail_context(issue)
    context.update(message_form=MessageForm(), resolve_form=ResolveForm(), reopen_form=ReopenForm())
    return render(request, "work/issue_detail.html", context)


@principal_required(Role.MEMBER)
def issue_raise(request, engagement_pk):
    org = request.org
    engagement = get_visible_or_404(
        Engagement.objects.select_related("provider"), request.principal, pk=engagement_pk
    )
    tasks = (
        Task.objects.visible_to(request.principal)
        .filter(engagement=engagement)
        .order_by("-created_at")[:200]
    )
    initial = {}
    if str(request.GET.get("task", "")).isdigit():
        initial["task_id"] = int(request.GET["task"])
    form = IssueForm(request.POST or None, tasks=tasks, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            issue = issues.raise_issue(
                engagement, actor=request.user, side=Side.US, data=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _routed_message(issue))
            return redirect("work:issue", org.slug, issue.pk)
    return render(request, "work/issue_form.html", {"form": form, "engagement": engagement})


def _routed_message(issue: Issue) -> str:
    plan = getattr(issue.engagement, "communication_plan", None)
    if issue.raised_side == Side.US:
        who = plan.issue_contact.name if plan and plan.issue_contact else "their issue contact"
    else:
        who = str(plan.our_point_person) if plan and plan.our_point_person else "our point person"
    if issue.respond_by is None:
        return f"Issue raised and sent to {who}. No response target is set for this severity."
    local = timezone.localtime(issue.respond_by)
    return f"Issue raised and sent to {who}, who should respond by {local:%b %-d, %-I:%M %p}."


def _act(request, pk, form_class, action, success):
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
        messages.error(request, "Write something first; nothing was changed.")
    return redirect("work:issue", request.org.slug, issue.pk)


@require_POST
@principal_required(Role.MEMBER)
def issue_respond(request, pk):
    return _act(
        request,
        pk,
        MessageForm,
        lambda issue, body: issues.respond(issue, actor=request.user, side=Side.US, body=body),
        "Message added.",
    )


@require_POST
@principal_required(Role.MANAGER)
def issue_resolve(request, pk):
    return _act(
        request,
        pk,
        ResolveForm,
        lambda issue, note: issues.resolve(issue, actor=request.user, side=Side.US, note=note),
        "Issue resolved.",
    )


@require_POST
@principal_required(Role.MANAGER)
def issue_reopen(request, pk):
    return _act(
        request,
        pk,
        ReopenForm,
        lambda issue, reason: issues.reopen(issue, actor=request.user, side=Side.US, reason=reason),
        "Issue reopened.",
    )
