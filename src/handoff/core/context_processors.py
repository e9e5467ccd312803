from handoff.core.roles import Role, role_at_least


def navigation(request):
    """The organization switcher and what the current member may do, for the layout."""
    membership = getattr(request, "membership", None)
    context = {"org": getattr(request, "org", None), "membership": membership}
    if membership is not None:
        context["can"] = {role.value: role_at_least(membership.role, role) for role in Role}
        memberships = getattr(request, "memberships", None)
        if memberships is not None:  # read with the membership (``principal_required``)
            context["switcher_memberships"] = sorted(
                memberships, key=lambda m: m.organization.name.casefold()
            )
        else:  # lazy: one query, and only when the layout renders the switcher
            context["switcher_memberships"] = request.user.memberships.select_related(
                "organization"
            ).order_by("organization__name")
    return context
