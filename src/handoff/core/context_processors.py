from handoff.core.roles import Role, role_at_least


def navigation(request):
    """The frame of the page and what is in it: the organization switcher and what the current
    member may do; for a provider's contact, the portal's frame and names.

    Pages that serve both sides ``{% extends layout %}``: ``portal.html`` (the portal's own
    navigation, never the organization's) for a provider's contact, ``base.html`` for anyone
    else.
    """
    membership = getattr(request, "membership", None)
    context = {"org": getattr(request, "org", None), "membership": membership}
    principal = getattr(request, "principal", None)
    if principal is not None and principal.is_provider:
        context |= {
            "layout": "portal.html",
            "portal_org": principal.organization,
            "contact": principal.contact,
            "provider": principal.contact.provider,
        }
    else:
        context["layout"] = "base.html"
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
