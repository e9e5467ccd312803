from django.utils.functional import SimpleLazyObject


def inbox(request):
    """The unread count for the header's inbox link: one query, only if the layout shows it."""
    principal = getattr(request, "principal", None)
    if principal is None or principal.user is None:
        return {}

    def count():
        from handoff.notifications.services import unread_count

        return unread_count(principal)

    return {"inbox_unread": SimpleLazyObject(count)}
