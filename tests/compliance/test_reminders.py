"""The 1099-NEC deadline reminder: 30, 14 and 3 days before the deadline for last year's
payments, once each, to owners and admins, only when forms are needed; with the clock held."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
import time_machine

from handoff.compliance import jobs, services
from handoff.notifications.events import Event
from handoff.notifications.jobs import run_due_sweeps
from handoff.notifications.models import Notification
from handoff.notifications.sweeps import get
from tests.compliance.conftest import pay, record_w9
from tests.factories import principal_for

pytestmark = pytest.mark.django_db


def noon(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00").replace(tzinfo=UTC)


@pytest.fixture
def forms_needed(org, owner, admin, manager, jordan):
    record_w9(jordan, manager)
    pay(org, manager, jordan, D("2500"), date(2025, 6, 1))


def sent():
    return list(Notification.objects.filter(event=Event.FILING_1099_DUE).order_by("id"))


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(31, None), (30, 30), (20, 30), (14, 14), (10, 14), (3, 3), (0, 3), (-1, None)],
)
def test_the_stage_is_the_nearest_not_before(days_left, expected):
    assert jobs.stage(days_left) == expected


def test_the_sweep_is_registered():
    assert get("compliance.nec_deadline_reminders") is not None


def test_owners_and_admins_are_reminded_30_14_and_3_days_ahead_once_each(
    org, owner, admin, manager, forms_needed
):
    # 2025 payments are due Monday 2026-02-02 (Jan 31 is a Saturday).
    for day in [
        "2025-12-20",
        "2026-01-02",
        "2026-01-03",
        "2026-01-19",
        "2026-01-20",
        "2026-01-30",
        "2026-01-31",
        "2026-02-02",
        "2026-02-03",
    ]:
        with time_machine.travel(noon(day), tick=False):
            jobs.nec_deadline_reminders(noon(day))
            jobs.nec_deadline_reminders(noon(day))  # run twice: nothing doubles
    notes = sent()
    assert {n.user for n in notes} == {owner, admin}
    assert [n.subject for n in notes if n.user == owner] == [
        "1099-NEC forms for 2025 are due in 30 days",
        "1099-NEC forms for 2025 are due in 14 days",
        "1099-NEC forms for 2025 are due in 3 days",
        "1099-NEC forms for 2025 are past due",  # once, the day after the deadline
    ]
    assert len(notes) == 4 * 2
    assert all("/comply/1099/2025/" in n.url for n in notes)
    assert "1 payee need" in notes[0].body
    assert "1 form for 2025 was due Feb 2, 2026 and is not marked filed" in notes[-1].body


def test_a_year_marked_filed_gets_no_reminder(org, owner, admin, manager, forms_needed):

    with time_machine.travel(noon("2026-01-20"), tick=False):
        services.record_filing(
            principal_for(owner, org),
            tax_year=2025,
            data={"filed_on": date(2026, 1, 20), "method": "iris", "confirmation": "R-1"},
        )
    for day in ["2026-01-30", "2026-02-03", "2026-06-01"]:
        with time_machine.travel(noon(day), tick=False):
            assert jobs.nec_deadline_reminders(noon(day)) == 0
    assert sent() == []


def test_an_unfiled_past_year_is_reminded_once_as_past_due(org, owner, manager, forms_needed):
    with time_machine.travel(noon("2026-12-04"), tick=False):
        assert jobs.nec_deadline_reminders(noon("2026-12-04")) == 2  # the owner and the admin
        assert jobs.nec_deadline_reminders(noon("2026-12-04")) == 0
    assert {note.subject for note in sent()} == {"1099-NEC forms for 2025 are past due"}


def test_nothing_is_sent_when_no_form_is_needed(org, owner, manager, jordan):
    record_w9(jordan, manager)
    pay(org, manager, jordan, D("1999.99"), date(2026, 6, 1))  # below 2026's $2,000
    with time_machine.travel(noon("2027-01-15"), tick=False):
        assert jobs.nec_deadline_reminders(noon("2027-01-15")) == 0
    assert sent() == []


def test_a_missing_w9_is_named_in_the_reminder(org, owner, manager):
    from tests.factories import ProviderFactory

    person = ProviderFactory(organization=org, entity_type="sole_proprietor")
    pay(org, manager, person, D("700"), date(2025, 3, 1))
    with time_machine.travel(noon("2026-01-25"), tick=False):
        run_due_sweeps(noon("2026-01-25"), enqueue=False)
    (note,) = sent()
    assert "has no W-9 on file" in note.body
