from django.utils.functional import SimpleLazyObject


def inbox(request):
    """The unread count for the header's inbox link: one query, only if the layout shows it."""
    org = getattr(request, "org", None)
    user = getattr(request, "user", None)
    if org is None or user is None or not user.is_authenticated:
        return {}

    def count():
        from handoff.notifications.services import unread_count

        return unread_count(user, org)

    return {"inbox_unread": SimpleLazyObject(count)}
