from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render

from handoff.accounts.access import principal_required
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.decisions import services
from handoff.decisions.forms import BusinessFunctionForm
from handoff.decisions.models import BusinessFunction


@principal_required(Role.VIEWER, writes=Role.MANAGER)
def function_list(request):
    """The organization's business functions and how many engagements cover each."""
    form = BusinessFunctionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            function = services.add_business_function(request.principal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{function.name} was added.")
            return redirect("decisions:functions", request.org.slug)
    functions = BusinessFunction.objects.visible_to(request.principal).annotate(
        engagement_count=Count("engagementfunction")
    )
    return render(request, "decisions/functions.html", {"form": form, "functions": functions})
