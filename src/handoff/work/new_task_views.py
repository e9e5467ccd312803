""" "New task" from the Tasks page: choose the engagement first, then the usual task form.

A task is always sent under one active engagement (its service levels suggest the due date, its
communication plan names the assignees), so this page asks which one and hands over to that
engagement's task form. With no active engagement it says so and points to Engagements.

Least role: member (the same as sending a task from an engagement).
"""

from django.shortcuts import redirect, render

from handoff.accounts.access import principal_required
from handoff.core.roles import Role
from handoff.work.forms import ChooseEngagementForm


@principal_required(Role.MEMBER)
def task_new(request):
    """Choose the engagement (the form is sent by GET, so it works without JavaScript and the
    back button), then go on to that engagement's task form."""
    asked = "engagement" in request.GET
    form = ChooseEngagementForm(request.GET if asked else None, principal=request.principal)
    if asked and form.is_valid():
        engagement = form.cleaned_data["engagement"]
        return redirect("work:task_create", request.org.slug, engagement.pk)
    choices = list(form.fields["engagement"].queryset)
    if not asked and len(choices) == 1:
        form.initial["engagement"] = choices[0].pk
    context = {"form": form, "has_choices": bool(choices)}
    return render(request, "work/task_new_choose.html", context, status=422 if asked else 200)
