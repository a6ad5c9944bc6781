from agencies import selectors


def signed_in_person(request):
    """The signed-in person's active memberships, for the page header (read once per
    request, shared with the page and its audit rows)."""
    return {"current_memberships": selectors.request_memberships(request)}
