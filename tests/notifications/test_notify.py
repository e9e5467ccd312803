"""notify(): who hears about what, once."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from handoff.accounts.models import Membership
from handoff.core.principal import Principal
from handoff.notifications import delivery, services
from handoff.notifications.events import Event
from handoff.notifications.models import EmailState, Notification
from tests.factories import principal_for
from tests.notifications.conftest import overdue

pytestmark = pytest.mark.django_db


send = overdue


def test_it_reaches_the_inbox_and_e_mail_once_for_the_same_key(
    org, owner, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = send(org, users=[owner, member])
    with django_capture_on_commit_callbacks(execute=True):
        second = send(org, users=[owner, member])
    assert len(first) == 2 and second == []
    assert Notification.objects.filter(organization=org).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, member.email])
    message = mail.outbox[0]
    assert message.subject == "[Acme Dental] Task 12 is overdue"
    assert "http://127.0.0.1:8000/o/acme/work/tasks/12/" in message.body
    for notification in first:
        notification.refresh_from_db()
        assert notification.email_state == EmailState.SENT and notification.emailed_at


def test_without_a_key_every_call_is_new(org, owner):
    send(org, users=[owner], key="")
    send(org, users=[owner], key="")
    assert Notification.objects.filter(organization=org).count() == 2


def test_the_actor_is_never_told_about_their_own_action(
    org, owner, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = send(org, users=[owner, member], emails=[owner.email], actor=owner)
    assert [n.user for n in created] == [member]
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_plain_addresses_get_only_the_e_mail(org, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = send(org, users=[owner], emails=["Priya@Ledger.example", owner.email])
    plain = [n for n in created if n.user_id is None]
    assert [(n.email, n.in_app) for n in plain] == [("priya@ledger.example", False)]
    assert "Choose what you hear about" not in next(
        m.body for m in mail.outbox if m.to == ["priya@ledger.example"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send(org, emails=["priya@ledger.example"]) == []
    assert len(mail.outbox) == 2


def test_the_same_key_in_another_organization_is_another_message(org, other_org, owner, outsider):
    send(org, users=[owner])
    send(other_org, users=[outsider])
    assert Notification.objects.filter(key="task:12:overdue").count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"event": "nonsense"}, "event"),
        ({"subject": "  "}, "subject"),
        ({"emails": ["not an address"]}, "emails"),
        ({"key": "k" * 201}, "key"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(org, owner, overrides, field):
    with pytest.raises(ValidationError) as error:
        send(org, users=[owner], **overrides)
    assert field in error.value.message_dict
    assert not Notification.objects.exists()


def test_the_e_mail_job_sends_once_when_run_twice(org, owner):
    (notification,) = send(org, users=[owner])
    assert delivery.send_notification_email(notification.pk) is True
    assert delivery.send_notification_email(notification.pk) is False
    assert len(mail.outbox) == 1


def test_e_mail_off_keeps_the_inbox(org, owner, django_capture_on_commit_callbacks):
    services.update_preferences(
        principal_for(owner, org), events={Event.TASK_OVERDUE: {"email": False}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = send(org, users=[owner])
    assert notification.in_app and notification.email_state == EmailState.NONE
    assert mail.outbox == []


def test_inbox_off_keeps_the_e_mail(org, owner, django_capture_on_commit_callbacks):
    services.update_preferences(
        principal_for(owner, org), events={Event.TASK_OVERDUE: {"in_app": False}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = send(org, users=[owner])
    assert not notification.in_app
    assert services.unread_count(principal_for(owner, org)) == 0
    assert len(mail.outbox) == 1


def test_both_off_sends_nothing_and_keeps_nothing(org, owner, member):
    services.update_preferences(
        principal_for(owner, org), events={Event.TASK_OVERDUE: {"in_app": False, "email": False}}
    )
    assert [n.user for n in send(org, users=[owner, member])] == [member]


def test_preferences_are_per_event_and_per_organization(org, other_org, owner, outsider):
    services.update_preferences(
        principal_for(owner, org), events={Event.TASK_OVERDUE: {"email": False}}
    )
    (other_event,) = send(org, users=[owner], event=Event.TASK_NEW, key="task:12:new")
    assert other_event.email_state == EmailState.PENDING
    Membership.objects.create(organization=other_org, user=owner, role="member")
    (elsewhere,) = send(other_org, users=[owner])
    assert elsewhere.email_state == EmailState.PENDING


def test_a_digest_reader_gets_no_e_mail_now(org, owner, django_capture_on_commit_callbacks):
    services.update_preferences(principal_for(owner, org), daily_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = send(org, users=[owner])
    assert notification.email_state == EmailState.DIGEST and notification.in_app
    assert mail.outbox == []


def test_turning_the_digest_off_sends_what_was_held(org, owner, django_capture_on_commit_callbacks):
    services.update_preferences(principal_for(owner, org), daily_digest=True)
    send(org, users=[owner])
    with django_capture_on_commit_callbacks(execute=True):
        services.update_preferences(principal_for(owner, org), daily_digest=False)
    assert len(mail.outbox) == 1


def test_inactive_users_are_skipped(org, owner, member):
    member.is_active = False
    member.save()
    assert [n.user for n in send(org, users=[owner, member])] == [owner]


def test_webhooks_get_one_post_per_key_not_per_recipient(
    org, owner, admin, member, webhook, chat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(org, users=[owner, admin, member])
    with django_capture_on_commit_callbacks(execute=True):
        send(org, users=[owner, admin, member])
    assert len(chat.posts) == 1
    url, payload = chat.posts[0]
    assert url == webhook.url
    assert payload == {
        "text": "*Task 12 is overdue*\nMonthly close was due yesterday.\n"
        "<http://127.0.0.1:8000/o/acme/work/tasks/12/|Open in Handoff>"
    }


def test_webhooks_get_only_their_events_and_only_when_active(org, owner, webhook, chat):
    send(org, users=[owner], event=Event.TASK_NEW, key="task:12:new")
    services.update_webhook(principal_for(owner, webhook.organization), webhook, active=False)
    send(org, users=[owner], key="task:13:overdue")
    assert not webhook.deliveries.exists()


def test_the_actors_own_action_still_reaches_the_channel(org, owner, webhook, chat):
    assert send(org, users=[owner], actor=owner) == []
    assert webhook.deliveries.count() == 1


def test_due_soon_hours_defaults_to_a_day(org, owner, member):
    services.update_preferences(principal_for(member, org), due_soon_hours=48)
    assert services.due_soon_hours(Principal.system(org), owner) == 24
    assert services.due_soon_hours(Principal.system(org), member) == 48


def test_admins_and_names_owners_admins_and_the_members_asked_for(
    org, owner, admin, manager, member, outsider
):
    people = services.admins_and(Principal.system(org), member.pk, outsider.pk)
    assert {user.pk for user in people} == {owner.pk, admin.pk, member.pk}


def test_a_race_past_the_check_still_sends_once(
    org, owner, webhook, chat, monkeypatch, django_capture_on_commit_callbacks
):
    """Two workers both find the key unused; the unique constraints let one through."""
    with django_capture_on_commit_callbacks(execute=True):
        send(org, users=[owner], emails=["priya@ledger.example"])
    monkeypatch.setattr(services, "_already_told", lambda organization, key: (set(), set()))
    with django_capture_on_commit_callbacks(execute=True):
        assert send(org, users=[owner], emails=["priya@ledger.example"]) == []
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2 and len(chat.posts) == 1
