"""The provider portal's own page: a contact's home, with their provider's engagements and
how much work is open.

Everything else at ``/portal/<org_slug>/`` is the members' page for the same thing (tasks,
issues, engagements, check-ins, tokens, calendars), showing a provider's contact what
``visible_to`` allows in the portal's frame.
"""

import functools

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from handoff.accounts.access import principal_required
from handoff.core.roles import Role
from handoff.engagements.models import Engagement
from handoff.work.choices import IssueStatus
from handoff.work.models import Issue, Task


def portal_required(view):
    """The portal's own pages: a provider contact's principal, and nobody else's."""
    return principal_required(Role.VIEWER, providers=True)(_contacts_only(view))


def _contacts_only(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.principal.is_provider:
            raise Http404("No such portal.")
        return view(request, *args, **kwargs)

    return wrapper


@portal_required
def home(request):
    now = timezone.now()
    engagements = Engagement.objects.visible_to(request.principal).order_by("status", "title")
    tasks = Task.objects.visible_to(request.principal).open()
    return render(
        request,
        "work/portal/home.html",
        {
            "engagements": engagements,
            "open_tasks": tasks.count(),
            "overdue_tasks": tasks.overdue(now).count(),
            "open_issues": Issue.objects.visible_to(request.principal)
            .exclude(status=IssueStatus.RESOLVED)
            .count(),
        },
    )
