"""Tasks as JSON: the same services as the pages (schedules and calendar feeds:
``work/schedule_api.py``).

Least roles: reading is for viewers; sending, editing, moving, commenting and attaching for
members; cancelling a task for managers.

A provider contact's token reads tasks, their moves, comments and files and moves and comments
on them through the same operations: ``Task.objects.visible_to`` shows them their provider's
tasks only, they act as the provider's side, and never see internal notes. Fields that are the
organization's own (our assignee, the rating, the schedule, who moved or wrote on our side, the
reason for a step recorded on the provider's behalf) are null for them; inputs only members give
(a rating, an on-behalf reason, an internal note, the ``assignee`` filter) are refused with 422
naming the field. Sending and editing tasks, nudging and uploading files stay the members'.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from handoff.core.api import (
    STORAGE_DOWN,
    ErrorOut,
    ResponseSchema,
    api_access,
    downloads,
    fields_named,
    paginate,
    patch_data,
)
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.core.uploads import ATTACHMENT_TYPES
from handoff.engagements.models import Engagement
from handoff.work import selectors, services, status
from handoff.work.choices import Priority, Side, TaskStatus
from handoff.work.models import Task
from handoff.work.selectors import Sort, Tab
from handoff.work.views import attachment_response

router = Router(tags=["tasks"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- Schemas ----------------------------------------------------------------------------------
OURS = " Null for a provider contact."


def _for_members(context, value):
    """``value`` for a member; None for a provider contact (the organization's own)."""
    return None if context["request"].auth.is_provider else value


class TaskOut(Schema):
    id: int
    engagement_id: int
    engagement_title: str = Field(alias="engagement.title")
    provider_id: int = Field(alias="engagement.provider_id")
    provider_name: str = Field(alias="engagement.provider.name")
    title: str
    details: str
    kind: str
    priority: Priority
    status: TaskStatus
    due_at: datetime
    our_assignee_id: int | None = Field(description="A member's user id." + OURS)
    their_assignee_id: int | None = Field(description="A contact id at the provider.")
    schedule_id: int | None = Field(description="The schedule that sent it." + OURS)
    occurrence: date | None
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    delivered_at: datetime | None
    first_delivered_at: datetime | None
    closed_at: datetime | None
    returns: int
    quality_rating: int | None = Field(description="1–5, given on acceptance." + OURS)
    acceptance_note: str
    overdue: bool = Field(alias="is_overdue")
    on_time: bool | None = Field(description="Delivered by the due time; null until delivered.")
    lateness_seconds: int | None
    version: int
    allowed_moves: list[TaskStatus] = Field(
        description="The moves your side may make now (a member: with the provider's steps, "
        "recorded on their behalf)."
    )

    @staticmethod
    def resolve_lateness_seconds(task):
        late = task.lateness
        return int(late.total_seconds()) if late else None

    @staticmethod
    def resolve_our_assignee_id(task, context):
        return _for_members(context, task.our_assignee_id)

    @staticmethod
    def resolve_schedule_id(task, context):
        return _for_members(context, task.schedule_id)

    @staticmethod
    def resolve_quality_rating(task, context):
        return _for_members(context, task.quality_rating)

    @staticmethod
    def resolve_allowed_moves(task, context):
        return status.allowed_moves(task.status, context["request"].auth.side)


class TaskPage(Schema):
    count: int
    page: int
    per_page: int
    results: list[TaskOut]


class TaskFilters(Schema):
    tab: str = Field(
        Tab.OPEN,
        description="mine (open, assigned to you; a provider contact: as their assignee), "
        "waiting (delivered, waiting for our review; the longest waiting first), week and "
        "overdue (with the provider), open (with the provider or waiting for us), closed, "
        "or all.",
        pattern="^(mine|waiting|week|overdue|open|closed|all)$",
    )
    q: str = Field("", description="Search in titles.")
    provider: int | None = None
    engagement: int | None = None
    status: TaskStatus | None = None
    priority: Priority | None = None
    assignee: int | None = Field(
        None, description="Our assignee's user id (members only: 422 for a provider contact)."
    )
    sort: str = Field(Sort.DUE, pattern="^(due|priority|updated)$")
    due_from: date | None = Field(None, description="Due on or after this day (local).")
    due_to: date | None = Field(None, description="Due on or before this day (local).")
    page: int = 1
    per_page: int = 50


class TaskIn(Schema):
    engagement_id: int
    title: str
    details: str = ""
    kind: str = Field("", description="One of the engagement's service levels.")
    priority: Priority = Priority.NORMAL
    due_at: datetime | None = Field(
        None, description="With its offset; left out, the kind's service level suggests it."
    )
    our_assignee_id: int | None = Field(None, description="Default: our point person.")
    their_assignee_id: int | None = Field(None, description="Default: their point person.")


class TaskPatch(Schema):
    title: str | None = None
    details: str | None = None
    kind: str | None = None
    priority: Priority | None = None
    due_at: datetime | None = None
    our_assignee_id: int | None = None
    their_assignee_id: int | None = None
    version: int | None = Field(None, description="The version you edited; newer answers 409.")


class TaskMoveIn(Schema):
    to_status: TaskStatus
    note: str = Field("", description="Required to return for rework; kept on acceptance.")
    rating: int | None = Field(
        None, description="1–5, on acceptance only (a member's; 422 for a provider contact)."
    )
    on_behalf_reason: str = Field(
        "",
        description="Required for the provider's own steps (acknowledged, in_progress, "
        "delivered), which a member records only on the provider's behalf; kept on the move. "
        "A provider contact makes those steps themselves and sends none (422).",
    )
    version: int | None = None


class TaskMoveOut(Schema):
    id: int
    from_status: str
    to_status: TaskStatus
    side: Side
    actor_id: int | None = Field(description="Who moved it (a user id)." + OURS)
    note: str
    on_behalf_reason: str | None = Field(
        description="Why a member recorded the provider's step for them." + OURS
    )
    at: datetime

    @staticmethod
    def resolve_actor_id(move, context):
        return _for_members(context, move.actor_id)

    @staticmethod
    def resolve_on_behalf_reason(move, context):
        return _for_members(context, move.on_behalf_reason)


class NudgeOut(Schema):
    sent: bool = Field(
        description="False when a reminder already went out in the last few minutes."
    )


class CommentIn(Schema):
    body: str
    internal: bool = Field(
        False, description="An internal note, never shown to the provider (members only: 422)."
    )


class TaskCommentOut(ResponseSchema):
    id: int
    author_id: int | None = Field(description="The author's user id." + OURS)
    author_name: str | None = Field(None, alias="author.name")
    side: Side
    body: str
    internal: bool
    created_at: datetime

    @staticmethod
    def resolve_author_id(comment, context):
        return _for_members(context, comment.author_id)


class TaskAttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    side: Side
    move_id: int | None
    comment_id: int | None
    created_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(attachment):
        return reverse(
            "api:task_attachment_file",
            kwargs={"task_id": attachment.task_id, "attachment_id": attachment.pk},
        )


# --- Lookups ----------------------------------------------------------------------------------
def _task(request, task_id: int):
    """The task if the principal may see it (a contact: their provider's), else 404."""
    principal = request.auth
    return get_visible_or_404(selectors.task_detail(principal), principal, pk=task_id)


def _members_only(request, **sent) -> None:
    """Refuse (422, naming the field) what only the organization's members may send."""
    if request.auth.is_provider:
        for field, value in sent.items():
            if value not in (None, "") and value is not False:
                raise ValidationError(
                    {field: "Only the organization's members may send this field."}
                )


def engagement_or_404(request, engagement_id: int) -> Engagement:
    """An engagement of the caller's organization, for sending work under it (members)."""
    return get_visible_or_404(
        Engagement.objects.select_related("organization", "provider"),
        request.auth,
        pk=engagement_id,
    )


# --- Tasks ------------------------------------------------------------------------------------
@router.get("/tasks", response={200: TaskPage, **ERRORS}, summary="List tasks")
@api_access(providers=True)
def list_tasks(request, filters: Query[TaskFilters]):
    principal = request.auth
    _members_only(request, assignee=filters.assignee)
    tasks = selectors.task_list(
        principal,
        user=request.user,
        tab=filters.tab,
        q=filters.q,
        provider=filters.provider,
        engagement=filters.engagement,
        status_=filters.status or "",
        priority=filters.priority or "",
        assignee=filters.assignee,
        sort=filters.sort,
        due_from=filters.due_from,
        due_to=filters.due_to,
    )
    return paginate(tasks, filters.page, filters.per_page)


@router.post("/tasks", response={201: TaskOut, **ERRORS}, summary="Send a task")
@api_access(Role.MEMBER)
@fields_named(our_assignee="our_assignee_id", their_assignee="their_assignee_id")
def create_task(request, payload: TaskIn):
    engagement = engagement_or_404(request, payload.engagement_id)
    data = payload.dict(exclude={"engagement_id"})
    task = services.create_task(request.principal, engagement, data=data)
    return Status(201, _task(request, task.pk))


@router.get("/tasks/{task_id}", response={200: TaskOut, **ERRORS})
@api_access(providers=True)
def get_task(request, task_id: int):
    return _task(request, task_id)


@router.patch(
    "/tasks/{task_id}", response={200: TaskOut, **ERRORS}, summary="Edit a task (fields sent)"
)
@api_access(Role.MEMBER)
@fields_named(our_assignee="our_assignee_id", their_assignee="their_assignee_id")
def update_task(request, task_id: int, payload: TaskPatch):
    services.update_task(
        request.principal,
        _task(request, task_id),
        data=patch_data(payload, Task, exclude={"version"}),
        expected_version=payload.version,
    )
    return _task(request, task_id)


@router.post(
    "/tasks/{task_id}/moves",
    response={200: TaskOut, **ERRORS},
    summary="Move the status (acknowledge, start, deliver, accept, return, cancel)",
)
@api_access(Role.MEMBER, providers=True)
def move_task(request, task_id: int, payload: TaskMoveIn):
    task = _task(request, task_id)
    _members_only(request, rating=payload.rating, on_behalf_reason=payload.on_behalf_reason)
    services.move_task(
        request.principal,
        task,
        to_status=payload.to_status,
        note=payload.note,
        rating=payload.rating,
        expected_version=payload.version,
        on_behalf_reason=payload.on_behalf_reason,
    )
    return _task(request, task_id)


@router.post(
    "/tasks/{task_id}/nudge",
    response={200: NudgeOut, **ERRORS},
    summary="Remind the provider of a task that is with them (once within a few minutes)",
)
@api_access(Role.MEMBER)
def nudge_task(request, task_id: int):
    return {"sent": services.nudge_task(request.principal, _task(request, task_id))}


@router.get("/tasks/{task_id}/moves", response={200: list[TaskMoveOut], **ERRORS})
@api_access(providers=True)
def list_moves(request, task_id: int):
    return list(selectors.moves_of(request.principal, _task(request, task_id)))


@router.get("/tasks/{task_id}/comments", response={200: list[TaskCommentOut], **ERRORS})
@api_access(providers=True)
def list_comments(request, task_id: int):
    task = _task(request, task_id)
    return list(selectors.comments_of(request.principal, task))


@router.post("/tasks/{task_id}/comments", response={201: TaskCommentOut, **ERRORS})
@api_access(Role.MEMBER, providers=True)
def add_comment(request, task_id: int, payload: CommentIn):
    task = _task(request, task_id)
    _members_only(request, internal=payload.internal)
    comment = services.add_comment(
        request.principal,
        task,
        body=payload.body,
        internal=payload.internal,
    )
    return Status(201, comment)


def _attachments(request, task):
    """The task's files the principal may see: a contact's never include internal notes'."""
    return selectors.attachments_of(request.principal, task)


@router.get("/tasks/{task_id}/attachments", response={200: list[TaskAttachmentOut], **ERRORS})
@api_access(providers=True)
def list_attachments(request, task_id: int):
    return list(_attachments(request, _task(request, task_id)))


@router.post(
    "/tasks/{task_id}/attachments",
    response={201: list[TaskAttachmentOut], **ERRORS, **STORAGE_DOWN},
    summary="Upload files (multipart field 'files', one or more)",
)
@api_access(Role.MEMBER)
def upload_attachments(request: HttpRequest, task_id: int, files: File[list[UploadedFile]]):
    rows = services.add_attachments(request.principal, _task(request, task_id), files=files)
    return Status(201, rows)


@router.get(
    "/tasks/{task_id}/attachments/{attachment_id}/file",
    response={**ERRORS, **STORAGE_DOWN},
    url_name="task_attachment_file",
    summary="Download a file",
)
@api_access(providers=True)
@downloads(*ATTACHMENT_TYPES)
def attachment_file(request, task_id: int, attachment_id: int):
    attachment = _attachments(request, _task(request, task_id)).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such file.")
    return attachment_response(attachment)
