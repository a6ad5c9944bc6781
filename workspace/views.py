"""The home: what needs the person now, a section per role they hold; and the service
status page people reach from the footer."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

import access
from agencies import selectors as agency_selectors
from config import health
from workspace import selectors


@login_required
def home(request):
    context = {
        "memberships": agency_selectors.request_memberships(request),
        "sections": selectors.home_sections(user=request.user),
        "can_refer": access.offers_new_referral(request.user),
        "can_break_glass": access.can_break_glass_at_all(request.user),
        "can_search": any(s.key == "referrals" for s in access.sections_for(request.user)),
    }
    return render(request, "workspace/home.html", context)


def service_status(request):
    """The service's health in words, for people; /healthz answers machines."""
    results = [health.check_database(), health.check_channel_layer()]
    names = {"database": "Saving and reading records", "channel layer": "Live updates"}
    checks = [{"name": names.get(result.name, result.name), "ok": result.ok} for result in results]
    return render(
        request,
        "workspace/service_status.html",
        {"checks": checks, "all_ok": all(result.ok for result in results)},
        status=200 if all(result.ok for result in results) else 503,
    )
