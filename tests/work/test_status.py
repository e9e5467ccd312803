"""The task status machine: pure rules, then the same rules through ``move_task``."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff.work import services, status
from handoff.work.choices import Side, TaskStatus
from handoff.work.models import Task, TaskMove
from tests.factories import principal_for
from tests.work.test_tasks import give_portal_access

STATUSES = list(TaskStatus.values)
SIDES = list(Side.values)
attempts = st.lists(st.tuples(st.sampled_from(STATUSES), st.sampled_from(SIDES)), max_size=25)


@given(attempts)
def test_random_attempts_never_reach_an_illegal_state_and_the_history_replays(tries):
    current, history = TaskStatus.REQUESTED, []
    for target, side in tries:
        try:
            status.check_move(current, target, side)
        except status.IllegalMove as error:
            assert str(error)
            continue
        assert target in status.MOVES[current] and side in status.MOVES[current][target]
        history.append((current, target))
        current = target
        assert status.replay(history) == current
    if current in status.CLOSED:
        assert status.allowed_moves(current, Side.US) == []


def test_only_our_side_accepts_returns_or_cancels():
    for source, moves in status.MOVES.items():
        for target in (TaskStatus.ACCEPTED, TaskStatus.RETURNED, TaskStatus.CANCELLED):
            if target in moves:
                assert moves[target] == {Side.US}, source
    assert status.allowed_moves(TaskStatus.DELIVERED, Side.PROVIDER) == []


def test_a_broken_history_does_not_replay():
    with pytest.raises(status.IllegalMove):
        status.replay([(TaskStatus.REQUESTED, TaskStatus.DELIVERED)])


@pytest.mark.parametrize(
    ("current", "target", "side", "message"),
    [
        ("requested", "delivered", "us", "A requested task cannot become delivered; it can become"),
        ("delivered", "accepted", "provider", "Only the business that sent the task"),
        ("accepted", "in_progress", "us", "The task is accepted; it cannot change any more."),
    ],
)
def test_a_refused_move_says_why(current, target, side, message):
    with pytest.raises(status.IllegalMove, match=message):
        status.check_move(current, target, side)


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tries=attempts)
def test_move_task_keeps_the_row_and_its_history_in_step(
    org, engagement, manager, point_contact, portal_user, tries
):
    give_portal_access(org, point_contact, portal_user)
    acting = {Side.US: principal_for(manager, org), Side.PROVIDER: principal_for(portal_user, org)}
    task = services.create_task(
        principal_for(manager, engagement.organization),
        engagement,
        data={"title": "Invoice batch", "kind": "Invoice batch"},
    )
    for target, side in tries:
        before = Task.objects.get(pk=task.pk)
        moves_before = TaskMove.objects.filter(task=task).count()
        note = "Fix the totals" if target == TaskStatus.RETURNED else ""
        behalf = side == Side.US and target in status.PROVIDER_STEPS
        try:
            services.move_task(
                acting[side],
                before,
                to_status=target,
                note=note,
                on_behalf_reason="Told by phone" if behalf else "",
            )
        except ValidationError as error:
            assert error.message_dict["status"][0]
            after = Task.objects.get(pk=task.pk)
            assert (after.status, after.version) == (before.status, before.version)
            assert TaskMove.objects.filter(task=task).count() == moves_before
    task.refresh_from_db()
    history = list(
        TaskMove.objects.filter(task=task)
        .exclude(from_status="")
        .order_by("at", "id")
        .values_list("from_status", "to_status")
    )
    assert status.replay(history) == task.status
    assert task.returns == sum(1 for _, to in history if to == TaskStatus.RETURNED)
    assert (task.closed_at is not None) == (task.status in status.CLOSED)
