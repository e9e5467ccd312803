"""Task services: sending, moving, commenting, attaching and editing, as pages, the API, the
portal and jobs use them."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from handoff.core.errors import Conflict
from handoff.core.models import AuditEvent
from handoff.engagements import services as engagement_services
from handoff.notifications.models import Notification
from handoff.work import services, status
from handoff.work.choices import Side, TaskStatus
from handoff.work.models import Task, TaskAttachment, TaskComment, TaskMove
from tests.factories import principal_for

S = TaskStatus
# A Monday morning in Chicago (15:00 UTC = 10:00 CDT).
MONDAY = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def pdf(name="report.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", "application/pdf")


def xlsx(name="books.xlsx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return SimpleUploadedFile(name, buffer.getvalue(), "application/octet-stream")


@pytest.fixture
def portal_user(org, point_contact, portal_user):
    """Priya with live portal access as the point contact: the provider's side in these tests."""
    give_portal_access(org, point_contact, portal_user)
    return portal_user


def send(engagement, actor, **data):
    values = {"title": "March invoices", "kind": "Invoice batch"}
    values.update(data)
    return services.create_task(
        principal_for(actor, engagement.organization), engagement, data=values
    )


def walk(task, actor, *moves, side=Side.US):
    """Move ``task`` through ``moves``; our side records the provider's steps on their behalf."""
    for target in moves:
        note = "Totals are off" if target == S.RETURNED else ""
        reason = BEHALF if side == Side.US and target in status.PROVIDER_STEPS else ""
        task = services.move_task(
            principal_for(actor, task.organization),
            task,
            to_status=target,
            note=note,
            on_behalf_reason=reason,
        )
    return task


BEHALF = "They told us by phone."


@pytest.mark.django_db
class TestSending:
    @time_machine.travel(MONDAY, tick=False)
    def test_the_service_level_suggests_the_due_date_in_the_orgs_zone(self, engagement, member):
        task = send(engagement, member)
        # Two business days after Monday: Wednesday 17:00 Chicago time.
        assert task.due_at == datetime(2026, 3, 4, 23, 0, tzinfo=UTC)
        assert task.status == S.REQUESTED and task.requested_by == member

    @time_machine.travel(MONDAY, tick=False)
    def test_holidays_push_the_suggested_date(self, org, owner, engagement, member):
        engagement_services.add_holiday(
            principal_for(owner, org), day=datetime(2026, 3, 3).date(), name="Closed"
        )
        assert send(engagement, member).due_at.date() == datetime(2026, 3, 5).date()

    @time_machine.travel(MONDAY, tick=False)
    def test_the_service_levels_promise_is_kept_for_the_scorecards(self, engagement, member):
        # Sent Monday with a later due date: the promise is still Wednesday 17:00 Chicago.
        later = datetime(2026, 3, 13, 22, 0, tzinfo=UTC)
        task = send(engagement, member, due_at=later)
        assert task.due_at == later
        assert task.turnaround_due_at == datetime(2026, 3, 4, 23, 0, tzinfo=UTC)
        task.refresh_from_db()
        assert task.turnaround_due_at == datetime(2026, 3, 4, 23, 0, tzinfo=UTC)

    def test_without_a_kind_nothing_is_promised(self, engagement, member):
        task = send(engagement, member, kind="", due_at=datetime(2026, 3, 13, 22, 0, tzinfo=UTC))
        assert task.turnaround_due_at is None

    @time_machine.travel(MONDAY, tick=False)
    def test_a_holiday_added_later_leaves_the_promise_as_made(self, org, owner, engagement, member):
        task = send(engagement, member)
        engagement_services.add_holiday(
            principal_for(owner, org), day=datetime(2026, 3, 3).date(), name="Closed"
        )
        task.refresh_from_db()
        assert task.turnaround_due_at == datetime(2026, 3, 4, 23, 0, tzinfo=UTC)

    def test_the_point_people_are_the_default_assignees(
        self, engagement, member, manager, point_contact
    ):
        task = send(engagement, member)
        assert task.our_assignee == manager and task.their_assignee == point_contact

    def test_the_first_move_is_kept_and_their_assignee_hears(
        self, engagement, member, point_contact, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            task = send(engagement, member)
        move = TaskMove.objects.get(task=task)
        assert (move.from_status, move.to_status, move.actor) == ("", S.REQUESTED, member)
        assert [m.to for m in mail.outbox] == [[point_contact.email]]
        assert "March invoices" in mail.outbox[0].subject

    def test_a_due_date_or_a_kind_is_needed(self, engagement, member):
        with pytest.raises(ValidationError) as error:
            services.create_task(
                principal_for(member, engagement.organization),
                engagement,
                data={"title": "Call us"},
            )
        assert "due_at" in error.value.message_dict
        assert not Task.objects.exists()

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"title": ""}, "title"),
            ({"kind": "Payroll run"}, "kind"),
            ({"due_at": datetime(2026, 3, 4, 12, 0)}, "due_at"),
            ({"priority": "whenever"}, "priority"),
        ],
    )
    def test_bad_fields_are_refused_and_nothing_is_saved(self, engagement, member, data, field):
        with pytest.raises(ValidationError) as error:
            send(engagement, member, **data)
        assert field in error.value.message_dict
        assert not Task.objects.exists() and not TaskMove.objects.exists()

    def test_assignees_must_belong_here(self, engagement, member, outsider, rival_contact):
        with pytest.raises(ValidationError) as error:
            send(engagement, member, our_assignee_id=outsider.pk)
        assert "our_assignee" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            send(engagement, member, their_assignee_id=rival_contact.pk)
        assert "their_assignee" in error.value.message_dict

    def test_only_an_active_engagement_takes_tasks(self, engagement, owner, member):
        engagement_services.move_status(
            principal_for(owner, engagement.organization),
            engagement,
            to_status="paused",
            reason="Holidays",
        )
        with pytest.raises(ValidationError, match="paused; tasks are sent only under an active"):
            send(engagement, member)

    def test_a_bad_file_refuses_the_whole_task(self, engagement, member, settings):
        bad = SimpleUploadedFile("run.exe", b"MZ\x90\x00\x03\x00\x00\x00", "application/x-msdos")
        with pytest.raises(ValidationError, match="run.exe is not a PDF"):
            services.create_task(
                principal_for(member, engagement.organization),
                engagement,
                data={"title": "x", "kind": "Invoice batch"},
                files=[pdf(), bad],
            )
        assert not Task.objects.exists() and not TaskAttachment.objects.exists()
        media = settings.MEDIA_ROOT
        assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True

    def test_office_and_text_files_are_recognised_by_content(self, engagement, member):
        csv = SimpleUploadedFile("hours.csv", b"name,hours\nAna,38\n", "text/csv")
        task = services.create_task(
            principal_for(member, engagement.organization),
            engagement,
            data={"title": "x", "kind": "Invoice batch"},
            files=[xlsx(), csv, pdf()],
        )
        kinds = sorted(
            TaskAttachment.objects.filter(task=task).values_list("content_type", flat=True)
        )
        assert kinds == [
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "text/csv",
        ]

    def test_a_renamed_zip_is_not_a_spreadsheet(self, engagement, member):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("evil.sh", "rm -rf /")
        fake = SimpleUploadedFile("books.xlsx", buffer.getvalue())
        with pytest.raises(ValidationError, match="books.xlsx is not a PDF"):
            services.create_task(
                principal_for(member, engagement.organization),
                engagement,
                data={"title": "x", "kind": "Invoice batch"},
                files=[fake],
            )


@pytest.mark.django_db
class TestMoving:
    def test_the_happy_path_stamps_each_step(self, engagement, member):
        task = walk(send(engagement, member), member, S.ACKNOWLEDGED, S.IN_PROGRESS, S.DELIVERED)
        task = services.move_task(
            principal_for(member, task.organization),
            task,
            to_status=S.ACCEPTED,
            note="Clean work",
            rating=5,
        )
        assert task.acknowledged_at and task.first_delivered_at == task.delivered_at
        assert task.closed_at and task.quality_rating == 5
        assert task.acceptance_note == "Clean work" and task.version == 5
        assert list(TaskMove.objects.filter(task=task).values_list("to_status", flat=True)) == [
            S.REQUESTED,
            S.ACKNOWLEDGED,
            S.IN_PROGRESS,
            S.DELIVERED,
            S.ACCEPTED,
        ]
        assert AuditEvent.objects.filter(action="task.moved").count() == 4

    def test_a_return_needs_a_note_and_counts(self, engagement, member):
        task = walk(send(engagement, member), member, S.ACKNOWLEDGED, S.IN_PROGRESS, S.DELIVERED)
        with pytest.raises(ValidationError) as error:
            services.move_task(principal_for(member, task.organization), task, to_status=S.RETURNED)
        assert error.value.message_dict == {"note": ["Say what needs rework."]}
        task = walk(task, member, S.RETURNED, S.IN_PROGRESS, S.DELIVERED)
        assert task.returns == 1 and task.first_delivered_at < task.delivered_at

    @pytest.mark.parametrize(
        ("kwargs", "field", "message"),
        [
            ({"to_status": S.DELIVERED}, "status", "A requested task cannot become delivered"),
            ({"to_status": "done"}, "status", "'done' is not a task status."),
            (
                {"to_status": S.ACKNOWLEDGED, "rating": 4, "on_behalf_reason": "By phone"},
                "rating",
                "on acceptance only",
            ),
            ({"to_status": S.ACKNOWLEDGED}, "on_behalf_reason", "is the provider's step"),
            (
                {"to_status": S.CANCELLED, "on_behalf_reason": "Why not"},
                "on_behalf_reason",
                "Only the provider's own steps",
            ),
        ],
    )
    def test_refused_moves_say_why_and_change_nothing(
        self, engagement, manager, kwargs, field, message
    ):
        task = send(engagement, manager)
        with pytest.raises(ValidationError) as error:
            services.move_task(principal_for(manager, task.organization), task, **kwargs)
        assert message in error.value.message_dict[field][0]
        task.refresh_from_db()
        assert (task.status, task.version) == (S.REQUESTED, 1)
        assert TaskMove.objects.filter(task=task).count() == 1

    def test_only_the_business_cancels(self, org, engagement, manager, point_contact, portal_user):
        give_portal_access(org, point_contact, portal_user)
        task = send(engagement, manager)
        with pytest.raises(ValidationError, match="Only the business"):
            services.move_task(principal_for(portal_user, org), task, to_status=S.CANCELLED)
        task.refresh_from_db()
        assert (task.status, task.version) == (S.REQUESTED, 1)

    def test_a_rating_outside_one_to_five_is_refused(self, engagement, member):
        task = walk(send(engagement, member), member, S.ACKNOWLEDGED, S.IN_PROGRESS, S.DELIVERED)
        with pytest.raises(ValidationError, match="from 1 to 5"):
            services.move_task(
                principal_for(member, task.organization), task, to_status=S.ACCEPTED, rating=6
            )

    def test_a_stale_version_is_a_conflict(self, engagement, member):
        task = send(engagement, member)
        walk(task, member, S.ACKNOWLEDGED)
        with pytest.raises(Conflict):
            services.move_task(
                principal_for(member, task.organization),
                task,
                to_status=S.IN_PROGRESS,
                expected_version=1,
            )

    def test_a_delivery_carries_files(self, engagement, member, portal_user):
        task = walk(
            send(engagement, member), portal_user, S.ACKNOWLEDGED, S.IN_PROGRESS, side=Side.PROVIDER
        )
        task = services.move_task(
            principal_for(portal_user, task.organization),
            task,
            to_status=S.DELIVERED,
            files=[pdf("march.pdf")],
        )
        attachment = TaskAttachment.objects.get(task=task)
        assert attachment.move.to_status == S.DELIVERED and attachment.side == Side.PROVIDER
        assert attachment.name == "march.pdf"

    def test_files_do_not_ride_on_other_moves(self, engagement, member):
        with pytest.raises(ValidationError, match="delivery or a return"):
            services.move_task(
                principal_for(member, engagement.organization),
                send(engagement, member),
                to_status=S.ACKNOWLEDGED,
                files=[pdf()],
                on_behalf_reason=BEHALF,
            )

    def test_each_move_tells_the_other_side(
        self,
        engagement,
        member,
        manager,
        point_contact,
        portal_user,
        django_capture_on_commit_callbacks,
    ):
        task = send(engagement, member)
        with django_capture_on_commit_callbacks(execute=True):
            task = walk(
                task, portal_user, S.ACKNOWLEDGED, S.IN_PROGRESS, S.DELIVERED, side=Side.PROVIDER
            )
            task = walk(task, member, S.RETURNED)
        ours = Notification.objects.filter(user=manager).values_list("event", flat=True)
        assert sorted(ours) == ["task_acknowledged", "task_delivered"]
        # Priya has a portal login, so the return reaches her inbox there.
        theirs = Notification.objects.filter(user=portal_user, event="task_returned")
        assert theirs.get().body == "Totals are off"


@pytest.mark.django_db
class TestOnTime:
    def test_delivered_by_the_due_time_is_on_time(self, engagement, member):
        task = walk(send(engagement, member), member, S.ACKNOWLEDGED, S.IN_PROGRESS)
        with time_machine.travel(task.due_at, tick=False):
            task = walk(task, member, S.DELIVERED)
        assert task.on_time is True and task.lateness is None

    def test_a_late_delivery_says_how_late(self, engagement, member):
        task = walk(send(engagement, member), member, S.ACKNOWLEDGED, S.IN_PROGRESS)
        with time_machine.travel(task.due_at + timedelta(hours=26), tick=False):
            task = walk(task, member, S.DELIVERED)
        assert task.on_time is False and task.lateness == timedelta(hours=26)

    def test_nothing_is_on_time_before_delivery(self, engagement, member):
        assert send(engagement, member).on_time is None


@pytest.mark.django_db
class TestComments:
    def test_internal_notes_never_reach_the_provider(
        self, engagement, member, point_contact, django_capture_on_commit_callbacks
    ):
        task = send(engagement, member)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.add_comment(
                principal_for(member, task.organization), task, body="They are slow", internal=True
            )
            services.add_comment(
                principal_for(member, task.organization), task, body="See https://x.example"
            )
        assert [m.to for m in mail.outbox] == [[point_contact.email]]
        assert "https://x.example" in mail.outbox[0].body

    def test_the_provider_cannot_post_internal_notes(self, engagement, member, portal_user):
        with pytest.raises(ValidationError) as error:
            services.add_comment(
                principal_for(portal_user, engagement.organization),
                send(engagement, member),
                body="psst",
                internal=True,
            )
        assert "internal" in error.value.message_dict
        assert not TaskComment.objects.exists()

    def test_a_provider_comment_tells_our_assignee(self, engagement, member, manager, portal_user):
        services.add_comment(
            principal_for(portal_user, engagement.organization),
            send(engagement, member),
            body="Which account?",
        )
        assert Notification.objects.get(event="task_comment").user == manager

    def test_an_empty_comment_is_refused(self, engagement, member):
        with pytest.raises(ValidationError) as error:
            services.add_comment(
                principal_for(member, engagement.organization), send(engagement, member), body="   "
            )
        assert "body" in error.value.message_dict


@pytest.mark.django_db
class TestEditing:
    def test_fields_change_with_the_version_and_the_trail(self, engagement, member, admin):
        task = send(engagement, member)
        task = services.update_task(
            principal_for(member, task.organization),
            task,
            data={"title": "April invoices", "our_assignee_id": admin.pk},
            expected_version=1,
        )
        assert (task.title, task.our_assignee, task.version) == ("April invoices", admin, 2)
        event = AuditEvent.objects.get(action="task.updated")
        assert event.changes["title"] == ["March invoices", "April invoices"]

    @time_machine.travel(MONDAY, tick=False)
    def test_a_new_kind_recomputes_the_promise_a_new_due_date_does_not(self, engagement, member):
        task = send(engagement, member)
        promised = task.turnaround_due_at
        later = datetime(2026, 3, 20, 22, 0, tzinfo=UTC)
        task = services.update_task(
            principal_for(member, task.organization), task, data={"due_at": later}
        )
        assert (task.due_at, task.turnaround_due_at) == (later, promised)
        task = services.update_task(
            principal_for(member, task.organization), task, data={"kind": ""}
        )
        assert task.turnaround_due_at is None
        task = services.update_task(
            principal_for(member, task.organization), task, data={"kind": "Invoice batch"}
        )
        # Counted again from when the task was sent, not from the edit.
        assert task.turnaround_due_at == promised

    def test_a_stale_edit_is_a_conflict(self, engagement, member):
        task = send(engagement, member)
        services.update_task(
            principal_for(member, task.organization), task, data={"title": "B"}, expected_version=1
        )
        with pytest.raises(Conflict):
            services.update_task(
                principal_for(member, task.organization),
                task,
                data={"title": "C"},
                expected_version=1,
            )

    def test_a_closed_task_is_not_edited(self, engagement, manager):
        task = walk(send(engagement, manager), manager, S.CANCELLED)
        with pytest.raises(ValidationError, match="cancelled; it can no longer be edited"):
            services.update_task(
                principal_for(manager, task.organization), task, data={"title": "B"}
            )

    def test_only_a_manager_cancels_for_our_side(self, engagement, member):
        task = send(engagement, member)
        with pytest.raises(PermissionDenied, match="manager role"):
            services.move_task(
                principal_for(member, task.organization), task, to_status=S.CANCELLED
            )
        task.refresh_from_db()
        assert (task.status, task.version) == (S.REQUESTED, 1)

    def test_the_services_check_who_acts(
        self, org, other_org, engagement, rival_engagement, member, viewer, outsider, portal_user
    ):
        """Sending, editing and reminding are our side's, members and up, in our organization;
        moving and commenting are either side's, on their own tasks only."""
        task = send(engagement, member)
        data = {"title": "Again", "kind": "Invoice batch"}
        for who in (principal_for(viewer, org), principal_for(portal_user, org)):
            with pytest.raises(PermissionDenied):
                services.create_task(who, engagement, data=data)
            with pytest.raises(PermissionDenied):
                services.update_task(who, task, data={"title": "Renamed"})
            with pytest.raises(PermissionDenied):
                services.nudge_task(who, task)
        elsewhere = principal_for(outsider, other_org)  # an owner, of another organization
        with pytest.raises(PermissionDenied):
            services.create_task(elsewhere, engagement, data=data)
        with pytest.raises(PermissionDenied):
            services.move_task(elsewhere, task, to_status=S.CANCELLED)
        with pytest.raises(PermissionDenied):
            services.add_comment(elsewhere, task, body="Hello")
        # Priya's provider's work only: another provider's task is not hers to move.
        theirs = send(rival_engagement, member)
        with pytest.raises(PermissionDenied, match="own provider"):
            services.move_task(principal_for(portal_user, org), theirs, to_status=S.ACKNOWLEDGED)
        task.refresh_from_db()
        theirs.refresh_from_db()
        assert (task.title, task.status, task.version) == ("March invoices", S.REQUESTED, 1)
        assert theirs.status == S.REQUESTED and not task.comments.exists()
        assert Task.objects.filter(organization=org).count() == 2


def give_portal_access(org, contact, user):
    from django.utils import timezone

    from handoff.accounts.models import PortalAccess

    existing = (
        PortalAccess.objects.filter(organization=org).filter(user=user, revoked_at=None).first()
    )
    if existing is not None:  # already given (by the module's ``portal_user`` fixture)
        return existing
    now = timezone.now()
    return PortalAccess.objects.create(
        organization=org,
        contact=contact,
        user=user,
        token_hash=PortalAccess.hash(f"t-{contact.pk}"),
        expires_at=now + timedelta(days=7),
        accepted_at=now,
    )


@pytest.mark.django_db
def test_a_contact_with_a_portal_login_hears_in_the_portal(
    org, engagement, member, point_contact, portal_user
):
    give_portal_access(org, point_contact, portal_user)
    task = send(engagement, member)
    notice = Notification.objects.get(event="task_new")
    assert notice.user == portal_user and notice.email == ""
    assert str(task.pk) in notice.url
