"""Every status of every object with a status appears in at least one list a member reaches
from the navigation.

One row is made for each status (tasks, issues, check-ins, classification results and a stale
assessment, engagements, providers); then, as the owner, the test client starts at the
dashboard and follows the links of each page (the navigation, tabs, filters, cards, "All …"
links) breadth first until every row has been seen on a list page of its kind. A status that
no list shows fails here, naming it."""

import html as htmlmod
import re
from collections import deque
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django.urls import reverse

from handoff.compliance import services as compliance
from handoff.compliance.choices import Outcome
from handoff.core.principal import Principal
from handoff.decisions.models import BusinessFunction
from handoff.engagements import services as engagements
from handoff.engagements.choices import EngagementStatus
from handoff.insights import checkins
from handoff.insights.models import CheckIn
from handoff.providers import services as providers
from handoff.providers.choices import ProviderStatus
from handoff.work import issues, services
from handoff.work.choices import IssueStatus, TaskStatus
from tests.conftest import client_for
from tests.factories import ContactFactory, principal_for
from tests.work.conftest import active_engagement
from tests.work.test_issues import grant_portal

S = TaskStatus
MAX_PAGES = 400
SKIP = re.compile(
    r"logout|\.pdf$|\.csv$|\.ics$|/files/|/download|/export|/api/|/edit/|/new/|/start/|/remove/|"
    r"/choose/|/answer/|/accept/|/revoke"
)

CONTRACTOR = {
    "paid_for_time": {"answer": "no", "evidence": "Fixed fee per project"},
    "profit_or_loss": {"answer": "yes", "evidence": "Eats overruns on fixed quotes"},
    "serves_market": {"answer": "yes", "evidence": "Website lists six other clients"},
    "own_investment": {"answer": "yes", "evidence": "Own laptop, tools and van"},
    "sets_when_where": {"answer": "no", "evidence": "Comes when it suits them"},
}
EMPLOYEE = {
    "sets_when_where": {"answer": "yes", "evidence": "Front desk, 9 to 5, every weekday"},
    "directs_how": {"answer": "yes", "evidence": "Follows our checklist step by step"},
    "benefits": {"answer": "yes", "evidence": "On our health plan"},
    "exclusive_full_time": {"answer": "yes", "evidence": "Contract forbids other clients"},
    "paid_for_time": {"answer": "yes", "evidence": "Paid by the hour, biweekly"},
}
ILLINOIS = {"IL": {"prongs": {key: {"answer": "yes", "evidence": "Shown"} for key in "abc"}}}


def _provider(org, owner, name, status=ProviderStatus.ACTIVE):
    return providers.create_provider(
        principal_for(owner, org), data={"name": name, "kind": "firm", "status": status}
    )


def _tasks(engagement, owner, portal_user) -> dict:
    """One task in each status, titled after it."""
    rows = {}
    paths = {
        S.REQUESTED: [],
        S.ACKNOWLEDGED: [S.ACKNOWLEDGED],
        S.IN_PROGRESS: [S.ACKNOWLEDGED, S.IN_PROGRESS],
        S.DELIVERED: [S.ACKNOWLEDGED, S.IN_PROGRESS, S.DELIVERED],
        S.ACCEPTED: [S.ACKNOWLEDGED, S.IN_PROGRESS, S.DELIVERED, S.ACCEPTED],
        S.RETURNED: [S.ACKNOWLEDGED, S.IN_PROGRESS, S.DELIVERED, S.RETURNED],
        S.CANCELLED: [S.CANCELLED],
    }
    for value, steps in paths.items():
        title = f"Row task {value}"
        task = services.create_task(
            principal_for(owner, engagement.organization),
            engagement,
            data={"title": title, "kind": "Invoice batch"},
        )
        for target in steps:
            ours = target in (S.ACCEPTED, S.RETURNED, S.CANCELLED)
            task = services.move_task(
                principal_for((owner if ours else portal_user), task.organization),
                task,
                to_status=target,
                note="Totals are off" if target == S.RETURNED else "",
            )
        assert task.status == value
        rows[("task", value)] = title
    return rows


def _issues(engagement, owner, issue_contact) -> dict:
    tom = grant_portal(engagement.organization, issue_contact)
    rows = {}
    for value in IssueStatus.values:
        title = f"Row issue {value}"
        issue = issues.raise_issue(
            principal_for(owner, engagement.organization),
            engagement,
            data={"title": title, "description": "x"},
        )
        if value == IssueStatus.RESPONDED:
            issues.respond(principal_for(tom, issue.organization), issue, body="Looking at it.")
        if value == IssueStatus.RESOLVED:
            issues.resolve(principal_for(owner, issue.organization), issue, note="Fixed.")
        issue.refresh_from_db()
        assert issue.status == value
        rows[("issue", value)] = title
    return rows


def _engagements(org, owner, provider) -> dict:
    """One engagement in each status; active and paused ones with their plan filled in."""
    rows = {}
    for value in EngagementStatus.values:
        if value in (EngagementStatus.ACTIVE, EngagementStatus.PAUSED):
            own = _provider(org, owner, f"Row engagement {value}")
            contact = ContactFactory(provider=own, name=f"Contact {value}")
            engagement = active_engagement(
                org,
                owner,
                own,
                point_person=owner,
                their_point=contact,
                issue_contact=contact,
                ladder=[],
            )
            if value == EngagementStatus.PAUSED:
                engagement = engagements.move_status(
                    principal_for(owner, engagement.organization),
                    engagement,
                    to_status=value,
                    reason="Quiet season.",
                )
        else:
            engagement = engagements.create_engagement(
                principal_for(owner, org),
                provider_id=provider.pk,
                function_ids=[
                    BusinessFunction.objects.filter(organization=org).get(name="Bookkeeping").pk
                ],
                data={
                    "title": f"Row engagement {value}",
                    "pricing_model": "flat",
                    "amount": "100.00",
                    "start_date": date(2026, 1, 1),
                },
            )
            if value == EngagementStatus.ENDED:
                engagement = engagements.move_status(
                    principal_for(owner, engagement.organization),
                    engagement,
                    to_status=value,
                    reason="Never started.",
                )
        engagement.refresh_from_db()
        assert engagement.status == value
        rows[("engagement", value)] = engagement.title
    return rows


def _providers(org, owner) -> dict:
    rows = {}
    for value in ProviderStatus.values:
        name = f"Row provider {value}"
        _provider(org, owner, name, value)
        rows[("provider", value)] = name
    return rows


def _assessments(org, owner) -> dict:
    rows = {}
    for outcome, answers in (
        (Outcome.CONTRACTOR, CONTRACTOR),
        (Outcome.EMPLOYEE, EMPLOYEE),
        (Outcome.UNCLEAR, {}),
    ):
        name = f"Row assessment {outcome}"
        made = compliance.create_assessment(
            principal_for(owner, org),
            _provider(org, owner, name),
            answers=answers,
            state_answers=ILLINOIS,
        )
        assert made.outcome == outcome, (made.outcome, outcome)
        rows[("assessment", outcome)] = name
    name = "Row assessment stale"
    with time_machine.travel(datetime.now(UTC) - timedelta(days=400)):
        compliance.create_assessment(
            principal_for(owner, org),
            _provider(org, owner, name),
            answers=CONTRACTOR,
            state_answers=ILLINOIS,
        )
    rows[("assessment", "stale")] = name
    return rows


def _checkins(org, owner) -> dict:
    """One check-in of the owner's in each state: open, answered, expired."""
    rows = {}
    now = datetime.now(UTC)
    for state, sent in (("open", now), ("answered", now), ("expired", now - timedelta(days=40))):
        name = f"Row check-in {state}"
        provider = _provider(org, owner, name)
        round_, _ = checkins._get_or_create_round(
            provider, date(2026, 7, 1), date(2026, 9, 30), sent
        )
        checkin, _raw = checkins._new_checkin(round_, now=sent, respondent=owner)
        if state == "answered":
            checkins.answer(
                Principal.for_link(checkin),
                checkin,
                data={"comfortable": 4, "clear": 4, "responsive": 5, "recommend": 4},
            )
        assert checkins.state(CheckIn.objects.get(pk=checkin.pk)) == state
        rows[("check-in", state)] = name
    return rows


# Where each kind of row is listed: the list pages (by path) that count as finding it.
LISTS = {
    "task": r"/tasks/$",
    "issue": r"/issues/$",
    "engagement": r"/engagements/$",
    "provider": r"/providers/$",
    "assessment": r"/comply/(assessments/)?$|/dashboard/$",
    "check-in": r"/checkins/$",
}


def crawl(client, start: str, rows: dict) -> tuple[dict, int]:
    """Follow links breadth first from ``start`` until every row is seen on a list page of its
    kind; returns the rows not found and how many pages were read."""
    missing = dict(rows)
    queue, seen, read = deque([start]), {start}, 0
    while queue and missing and read < MAX_PAGES:
        address = queue.popleft()
        response = client.get(address, follow=True)
        read += 1
        assert response.status_code < 500, address
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        path = urlsplit(response.request["PATH_INFO"]).path
        for key, marker in list(missing.items()):
            if marker in page and re.search(LISTS[key[0]], path):
                del missing[key]
        for href in re.findall(r'href="([^"#]+)', page):
            target = urljoin(address, htmlmod.unescape(href))
            if not target.startswith("/o/acme/") or SKIP.search(urlsplit(target).path):
                continue
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return missing, read


@pytest.mark.django_db
def test_every_status_of_every_object_is_listed_somewhere_the_navigation_reaches(
    org, owner, manager, admin, provider, point_contact, issue_contact, boss_contact, portal_user
):
    engagement = active_engagement(
        org,
        owner,
        provider,
        point_person=owner,
        their_point=point_contact,
        issue_contact=issue_contact,
        ladder=[],
    )
    grant_portal(org, point_contact, portal_user)
    rows = {
        **_tasks(engagement, owner, portal_user),
        **_issues(engagement, owner, issue_contact),
        **_engagements(org, owner, provider),
        **_providers(org, owner),
        **_assessments(org, owner),
        **_checkins(org, owner),
    }
    # Every status of each vocabulary has its row.
    kinds = {
        "task": TaskStatus.values,
        "issue": IssueStatus.values,
        "engagement": EngagementStatus.values,
        "provider": ProviderStatus.values,
        "assessment": [*Outcome.values, "stale"],
        "check-in": ["open", "answered", "expired"],
    }
    assert {(kind, value) for kind, values in kinds.items() for value in values} == set(rows)

    start = reverse("insights:dashboard", args=[org.slug])
    missing, read = crawl(client_for(owner), start, rows)
    assert not missing, f"Not listed anywhere reachable ({read} pages read): {sorted(missing)}"
