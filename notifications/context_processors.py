from notifications import services


def unread_notifications(request):
    """The signed-in person's unread count for the header (kept live by unread.js)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": services.unread_count(user=user)}
