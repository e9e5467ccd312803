"""The provider portal's own pages: a contact's home, with their provider's engagements, how
much work is open and the agreements waiting for their signature, and the button that opens
one of those to sign.

Everything else at ``/portal/<org_slug>/`` is the members' page for the same thing (tasks,
issues, engagements, check-ins, tokens, calendars), showing a provider's contact what
``visible_to`` allows in the portal's frame.
"""

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.engagements.models import Engagement
from handoff.signatures import services as signatures
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
            "to_sign": list(signatures.waiting_for(request.principal)),
        },
    )


@never_cache
@require_POST
@portal_required
def review_and_sign(request, pk):
    """Open a document waiting for the contact's signature on its signing page, with a fresh
    link made for it (the e-mailed one stops working); another's is a 404."""
    signer = get_visible_or_404(signatures.waiting_for(request.principal), request.principal, pk=pk)
    try:
        raw = signatures.open_from_portal(request.principal, signer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("portal:home", request.principal.organization.slug)
    return redirect("signatures:sign", raw)
