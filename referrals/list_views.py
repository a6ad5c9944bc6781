"""The referral list: the referrals the person may see, filtered, sorted and a page at a time;
for a quality auditor, a queue of the live cases they have not yet reviewed."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

import access
from agencies.models import Agency
from referrals.filters import ReferralFilter

PAGE_SIZE = 25


@login_required
def referral_list(request):
    visible = access.visible_referrals(request.user)
    reviews = access.reviews_live_cases(request.user)
    data = request.GET.copy()
    if reviews and not data:
        data["review"] = "to_review"
    filters = ReferralFilter(
        data,
        queryset=visible.select_related("agency", "child"),
        user=request.user,
        agencies=Agency.objects.filter(pk__in=visible.values("agency_id")).order_by("name"),
        acting_for=access.roles_of(request.user).all_agencies,
        reviews=reviews,
    )
    page = Paginator(filters.qs if filters.is_valid() else visible.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filters,
        "page": page,
        "referrals": page.object_list,
        "reviews": reviews,
        "can_refer": access.offers_new_referral(request.user),
        "query": query.urlencode(),
        "filtered": any(value for key, value in request.GET.items() if key not in {"page", "sort"}),
    }
    return render(request, "referrals/referral_list.html", context)
