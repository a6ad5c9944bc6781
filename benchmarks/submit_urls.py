"""The project's URLs plus /bench/bare-referral/, for benchmarks/submit_referral.py only.

The bare view is the floor the API is measured against: the same daphne, middleware and
database, and the same two rows (the child and the submitted referral) written with two
plain INSERTs; no DRF, token, policy, validation, matching, clocks, idempotency or audit.
"""

import json
import os
import uuid

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as project_urlpatterns
from referrals.models import Child, Referral, ReferralState

CHILD_FIELDS = ["first_name", "last_name", "date_of_birth", "gender", "postcode", "nhs_number"]
DETAIL_FIELDS = ["concern", "categories", "family_aware", "consent", "lawful_basis"]


@csrf_exempt
@require_POST
def bare_referral(request):
    body = json.loads(request.body)
    child = Child.objects.create(**{name: body["child"][name] for name in CHILD_FIELDS})
    referral = Referral.objects.create(
        reference=f"BARE-{uuid.uuid4().hex[:12]}",
        child=child,
        agency_id=int(os.environ["BENCH_AGENCY_ID"]),
        referrer_id=int(os.environ["BENCH_REFERRER_ID"]),
        state=ReferralState.SUBMITTED,
        submitted_at=timezone.now(),
        **{name: body["details"][name] for name in DETAIL_FIELDS},
    )
    return JsonResponse({"id": referral.pk, "reference": referral.reference}, status=201)


urlpatterns = [path("bench/bare-referral/", bare_referral, name="bench-bare-referral")]
urlpatterns += project_urlpatterns
