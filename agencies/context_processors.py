from django.urls import NoReverseMatch, reverse

import access
from agencies import selectors


def signed_in_person(request):
    """The signed-in person's active memberships, for the page header (read once per
    request, shared with the page and its audit rows)."""
    return {"current_memberships": selectors.request_memberships(request)}


def service_navigation(request):
    """The sections of the service the person may use (asked of the policy, never of role
    names), the one they are in marked current; and where sign-in security is set."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    security = _sign_in_security_url()
    if not getattr(user, "is_verified", lambda: True)():
        # Password alone, second factor still to pass: nothing to navigate to yet.
        return {"sign_in_security_url": security}
    path = request.path
    sections = access.sections_for(user)
    current = next(
        (s.key for s in sections if any(path.startswith(p) for p in s.prefixes)),
        "home" if path == "/" else "",
    )
    return {
        "service_sections": [
            {
                "key": s.key,
                "label": s.label,
                "url": reverse(s.url_name),
                "current": s.key == current,
            }
            for s in sections
        ],
        "sign_in_security_url": security,
    }


def _sign_in_security_url() -> str:
    try:
        return reverse("account-security")
    except NoReverseMatch:  # the page is being built; its path is agreed
        return "/account/security/"
