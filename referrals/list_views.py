"""The referral list: the referrals the person may see, filtered, sorted and a page at a time;
for a quality auditor, a queue of the live cases they have not yet reviewed."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

import access
from agencies.models import Agency
from referrals.filters import ReferralFilter
from referrals.list_paging import CappedPaginator

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
        # Every agency of the partnership: naming one reveals nothing, and a filter only
        # narrows what the policy lets the person see. (Only the agencies among those
        # referrals would walk all of them through the policy twice a page: 85 ms at
        # 100,000 referrals.)
        agencies=Agency.objects.filter(is_active=True).order_by("name"),
        acting_for=access.roles_of(request.user).all_agencies,
        reviews=reviews,
    )
    if filters.is_valid():
        rows = filters.qs
        # Counted from the same filters over the same referrals, shaped to count fast.
        counted = filters.filter_queryset(access.countable_referrals(request.user))
    else:
        rows = counted = visible.none()
    page = CappedPaginator(rows, PAGE_SIZE, counted=counted).get_page(request.GET.get("page"))
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
