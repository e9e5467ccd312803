"""Task, schedule and calendar-feed pages.

A task's page and its move, comment and download serve the organization's people and a
provider's contacts alike (``/o/<org>/tasks/…`` and ``/portal/<org>/tasks/…`` route to the same
views): each reads what the visibility rule lets them, acts for their side, and sees the layout
of their side. Least roles: viewers read; members send, edit, move, comment and attach;
cancelling a task and everything about schedules needs a manager. Editing, nudging, attaching
files on their own and schedules stay the members'.
"""

import os

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from handoff.accounts.access import principal_required
from handoff.core.errors import Conflict
from handoff.core.forms import add_service_errors
from handoff.core.links import absolute_url
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements.models import Engagement
from handoff.work import selectors, services, status
from handoff.work.choices import Side, TaskStatus
from handoff.work.forms import (
    AttachForm,
    CommentForm,
    MoveForm,
    ScheduleForm,
    TaskFilterForm,
    TaskForm,
    move_actions,
)
from handoff.work.models import CalendarFeed, Issue, Schedule, TaskAttachment

PAGE_SIZE = 50
ENGAGEMENT_ROWS = 10


def _engagement(request, pk) -> Engagement:
    return get_visible_or_404(
        Engagement.objects.select_related("organization", "provider"), request.principal, pk=pk
    )


def _task(request, pk):
    principal = request.principal
    return get_visible_or_404(selectors.task_detail(principal), principal, pk=pk)


def side_of(request) -> str:
    """The side of the work the request's principal speaks for."""
    return Side.PROVIDER if request.principal.is_provider else Side.US


def side_url(request, name: str, *args) -> str:
    """``name``'s address on the principal's side: ``portal:<name>`` for a provider's contact,
    ``work:<name>`` for a member."""
    namespace = "portal" if request.principal.is_provider else "work"
    return reverse(f"{namespace}:{name}", args=[request.principal.organization.slug, *args])


def _schedule(request, pk) -> Schedule:
    return get_visible_or_404(
        Schedule.objects.select_related("organization", "engagement__provider"),
        request.principal,
        pk=pk,
    )


# --- Lists ----------------------------------------------------------------------------------
@principal_required(Role.VIEWER, providers=True)
def task_list(request):
    """The task list with its tabs and filters: a member's of the organization's work, a
    provider's contact's of their own provider's."""
    principal = request.principal
    form = TaskFilterForm(request.GET or None, principal=principal)
    filters = form.filters()
    if filters["tab"] is None:
        # One's own work first; with none, everything open rather than an empty list.
        mine = selectors.task_list(principal, user=request.user, tab=selectors.Tab.MINE)
        filters["tab"] = selectors.Tab.MINE if mine.exists() else selectors.Tab.OPEN
    tasks = selectors.task_list(principal, user=request.user, **filters)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    tab_query = query.copy()
    tab_query.pop("tab", None)
    context = {
        "filter_form": form,
        "page": page,
        "tab": filters["tab"],
        "tabs": selectors.Tab.PROVIDER_CHOICES if principal.is_provider else selectors.Tab.CHOICES,
        "waiting_count": selectors.tasks_for_list(principal).waiting_for_us().count(),
        "list_url": side_url(request, "tasks"),
        "query": query.urlencode(),
        "tab_query": tab_query.urlencode(),
        "now": timezone.now(),
    }
    template = "work/_task_results.html" if request.htmx else "work/task_list.html"
    return render(request, template, context)


@principal_required(Role.VIEWER)
def engagement_work(request, engagement_pk):
    """The engagement's tasks waiting for us (the longest waiting first), those with the
    provider (due first), and its schedules, as a fragment for its page."""
    engagement = _engagement(request, engagement_pk)
    today = services.local_today(request.org)
    schedules = list(selectors.schedules_of(request.principal, engagement))
    for schedule in schedules:
        schedule.next = services.next_dates(request.principal, schedule, today, 1)
    context = {
        "engagement": engagement,
        "waiting": list(
            selectors.waiting_for_us(request.principal).filter(engagement=engagement)[
                :ENGAGEMENT_ROWS
            ]
        ),
        "tasks": selectors.tasks_for_list(request.principal)
        .with_provider()
        .filter(engagement=engagement)
        .order_by("due_at")[:ENGAGEMENT_ROWS],
        "schedules": schedules,
        "now": timezone.now(),
    }
    return render(request, "work/_engagement_work.html", context)


# --- One task -------------------------------------------------------------------------------
def _detail_context(request, task, **forms):
    """The task page for either side. Ours shows the buttons of the side whose turn it is: our
    own moves (accept, return, cancel) as buttons; the provider's steps (acknowledge, start work,
    deliver) only under "Record on the provider's behalf", with a reason. A provider's contact
    sees their own steps, and no internal note or its files."""
    side = side_of(request)
    moves = list(selectors.moves_of(request.principal, task))
    context = {
        "task": task,
        "moves": moves,
        "comments": selectors.comments_of(request.principal, task),
        "attachments": selectors.attachments_of(request.principal, task),
        "move_form": forms.get("move_form")
        or MoveForm(initial={"version": task.version}, side=side),
        "comment_form": forms.get("comment_form") or CommentForm(side=side),
        "now": timezone.now(),
    }
    if side == Side.PROVIDER:
        context["provider_moves"] = [
            (value, status.VERBS[value]) for value in status.allowed_moves(task.status, side)
        ]
        context["overdue"] = task.is_overdue()
        context["task_issues"] = Issue.objects.visible_to(request.principal).filter(task=task)
        return context
    actions = [
        action
        for action in move_actions(task, Side.US)
        if action["to"] != TaskStatus.CANCELLED or request.principal.at_least(Role.MANAGER)
    ]
    context.update(
        actions=[action for action in actions if not action["on_behalf"]],
        behalf_actions=[action for action in actions if action["on_behalf"]],
        turn_since=selectors.turn_since(task, moves),
        nudge_to=services.nudge_recipient(request.principal, task)
        if task.is_with_provider
        else None,
        attach_form=forms.get("attach_form") or AttachForm(),
    )
    return context


def _task_page(request, task, code=200, **forms):
    return render(
        request, "work/task_detail.html", _detail_context(request, task, **forms), status=code
    )


@principal_required(Role.VIEWER, providers=True)
def task_detail(request, pk):
    return _task_page(request, _task(request, pk))


@principal_required(Role.MEMBER)
def task_create(request, engagement_pk):
    engagement = _engagement(request, engagement_pk)
    form = TaskForm(
        request.POST or None,
        request.FILES or None,
        principal=request.principal,
        engagement=engagement,
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = services.create_task(
                request.principal,
                engagement,
                data=form.task_data(),
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Sent “{task.title}” to {engagement.provider}.")
            return redirect(task.get_absolute_url())
    return render(request, "work/task_form.html", {"form": form, "engagement": engagement})


@require_GET
@principal_required(Role.MEMBER)
def suggest_due(request, engagement_pk):
    """htmx: the due date the chosen kind's service level suggests, as a hint under the field."""
    engagement = _engagement(request, engagement_pk)
    due = services.suggest_due(request.principal, engagement, request.GET.get("kind", ""))
    return render(request, "work/_suggested_due.html", {"due": due})


@principal_required(Role.MEMBER)
def task_edit(request, pk):
    task = _task(request, pk)
    initial = {
        "title": task.title,
        "kind": task.kind,
        "details": task.details,
        "priority": task.priority,
        "due_at": timezone.localtime(task.due_at),
        "our_assignee": task.our_assignee_id,
        "their_assignee": task.their_assignee_id,
        "version": task.version,
    }
    form = TaskForm(
        request.POST or None,
        principal=request.principal,
        engagement=task.engagement,
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = services.update_task(
                request.principal,
                task,
                data=form.task_data(editing=True),
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The task was saved.")
            return redirect(task.get_absolute_url())
    return render(
        request, "work/task_form.html", {"form": form, "engagement": task.engagement, "task": task}
    )


@require_POST
@principal_required(Role.VIEWER, providers=True, writes=Role.MEMBER)
def task_move(request, pk):
    task = _task(request, pk)
    side = side_of(request)
    form = MoveForm(request.POST, request.FILES, side=side)
    if not form.is_valid():
        return _task_page(request, task, code=422, move_form=form)
    data = form.cleaned_data
    try:
        task = services.move_task(
            request.principal,
            task,
            to_status=data["to_status"],
            note=data["note"],
            rating=data.get("rating"),
            files=data["files"],
            expected_version=data.get("version"),
            on_behalf_reason=data.get("on_behalf_reason", ""),
        )
    except (ValidationError, Conflict) as error:
        if isinstance(error, Conflict):
            form.add_error(None, str(error))
        else:
            add_service_errors(form, error)
        if "status" in getattr(error, "message_dict", {}):
            form.add_error(None, error.message_dict["status"])
        task.refresh_from_db()
        code = 409 if isinstance(error, Conflict) else 422
        return _task_page(request, task, code=code, move_form=form)
    messages.success(request, f"The task is now {task.get_status_display().lower()}.")
    return redirect(side_url(request, "task", task.pk))


@require_POST
@principal_required(Role.MEMBER)
def task_nudge(request, pk):
    """Remind the provider of the task (once within a few minutes, however often clicked)."""
    task = _task(request, pk)
    try:
        sent = services.nudge_task(request.principal, task)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if sent:
            messages.success(request, "A reminder went to the provider.")
        else:
            messages.info(request, "A reminder went out a few minutes ago; none was sent again.")
    return redirect(task.get_absolute_url())


@require_POST
@principal_required(Role.VIEWER, providers=True, writes=Role.MEMBER)
def task_comment(request, pk):
    task = _task(request, pk)
    side = side_of(request)
    form = CommentForm(request.POST, request.FILES, side=side)
    if form.is_valid():
        try:
            services.add_comment(
                request.principal,
                task,
                body=form.cleaned_data["body"],
                internal=form.cleaned_data.get("internal", False),
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your comment was posted.")
            return redirect(side_url(request, "task", task.pk) + "#thread")
    return _task_page(request, task, code=422, comment_form=form)


@require_POST
@principal_required(Role.MEMBER)
def task_attach(request, pk):
    task = _task(request, pk)
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachments(request.principal, task, files=form.cleaned_data["files"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The files were attached.")
            return redirect(task.get_absolute_url() + "#files")
    return _task_page(request, task, code=422, attach_form=form)


def attachment_response(attachment: TaskAttachment) -> FileResponse:
    """The stored file, as a download (never a public media address)."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(attachment.name),
        content_type=attachment.content_type,
    )


@principal_required(Role.VIEWER, providers=True)
def attachment_download(request, pk, file_pk):
    """A task's file: a provider's contact never downloads one of an internal note."""
    task = _task(request, pk)
    files = selectors.attachments_of(request.principal, task)
    return attachment_response(get_object_or_404(files, pk=file_pk))


# --- Schedules ------------------------------------------------------------------------------
@principal_required(Role.VIEWER)
def schedule_list(request, engagement_pk):
    engagement = _engagement(request, engagement_pk)
    today = services.local_today(request.org)
    schedules = list(selectors.schedules_of(request.principal, engagement))
    for schedule in schedules:
        schedule.next = services.next_dates(request.principal, schedule, today)
    return render(
        request, "work/schedule_list.html", {"engagement": engagement, "schedules": schedules}
    )


def _schedule_form(request, engagement, schedule=None):
    form = ScheduleForm(
        request.POST or None,
        instance=schedule,
        principal=request.principal,
        engagement=engagement,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if schedule is None:
                saved = services.create_schedule(
                    request.principal, engagement, data=form.schedule_data()
                )
            else:
                saved = services.update_schedule(
                    request.principal,
                    schedule,
                    data=form.schedule_data(),
                    expected_version=form.cleaned_data.get("version"),
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved the schedule “{saved.title}”.")
            return redirect("work:schedules", request.org.slug, engagement.pk)
    return render(
        request,
        "work/schedule_form.html",
        {"form": form, "engagement": engagement, "schedule": schedule},
    )


@principal_required(Role.MANAGER)
def schedule_create(request, engagement_pk):
    return _schedule_form(request, _engagement(request, engagement_pk))


@principal_required(Role.MANAGER)
def schedule_edit(request, pk):
    schedule = _schedule(request, pk)
    return _schedule_form(request, schedule.engagement, schedule)


@require_POST
@principal_required(Role.MANAGER)
def schedule_action(request, pk, action):
    schedule = _schedule(request, pk)
    operations = {
        "pause": (services.pause_schedule, "Paused"),
        "resume": (services.resume_schedule, "Resumed"),
        "delete": (services.delete_schedule, "Removed"),
    }
    if action not in operations:
        raise Http404("No such action.")
    operation, verb = operations[action]
    try:
        operation(request.principal, schedule)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{verb} the schedule “{schedule.title}”.")
    return redirect("work:schedules", request.org.slug, schedule.engagement_id)


# --- Calendar feed --------------------------------------------------------------------------
def feed_url(request, raw: str) -> str:
    return absolute_url("work:feed", raw)


@principal_required(Role.VIEWER, providers=True)
def calendar_feeds(request):
    """The person's own secret calendar addresses in this organization: the due dates of the
    tasks assigned to them (to their contact, for a provider's contact)."""
    principal = request.principal
    new_url = None
    if request.method == "POST":
        _, raw = services.create_feed(principal)
        new_url = feed_url(request, raw)
    feeds = CalendarFeed.objects.visible_to(principal).filter(user=request.user)
    return render(request, "work/calendar_feeds.html", {"feeds": feeds, "new_url": new_url})


@require_POST
@principal_required(Role.VIEWER, providers=True)
def calendar_feed_revoke(request, pk):
    feed = get_visible_or_404(
        CalendarFeed.objects.filter(user=request.user), request.principal, pk=pk
    )
    services.revoke_feed(request.principal, feed)
    messages.success(request, "The calendar address was revoked; calendars using it stop updating.")
    return redirect(side_url(request, "calendar_feeds"))


@require_GET
def calendar_feed(request, token):
    """The feed itself: no login, the secret in the address is the key."""
    from handoff.work import feeds

    body = feeds.render_feed(token)
    if body is None:
        raise Http404("No such calendar.")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
