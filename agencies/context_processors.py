from agencies import selectors


def signed_in_person(request):
    """The signed-in person's active memberships, for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_memberships": []}
    return {"current_memberships": selectors.active_memberships(user=user)}
