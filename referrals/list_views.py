"""The referral list: the referrals the person may see, filtered, sorted and a page at a time;
for a quality auditor, a queue of the live cases they have not yet reviewed."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

import access
from referrals import selectors

PAGE_SIZE = 25


@login_required
def referral_list(request):
    listing = selectors.referral_list_page(
        user=request.user, params=request.GET, page_size=PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": listing.filters,
        "fields": listing.filters.drawn(),
        "page": listing.page,
        "referrals": listing.page.object_list,
        "reviews": listing.reviews,
        "can_refer": access.offers_new_referral(request.user),
        "query": query.urlencode(),
        "filtered": any(value for key, value in request.GET.items() if key not in {"page", "sort"}),
    }
    return render(request, "referrals/referral_list.html", context)
