"""The project's URLs plus /bench/bare/..., for benchmarks/http_pages.py only.

Each bare view is the floor its page is measured against: behind the same daphne and
middleware (session, sign-in, the access scope), it reads the same rows the page shows, with
plain querysets or hand-written SQL (benchmarks/raw_sql.py for the referral list), and returns
them as JSON: no policy, no audit row, no template, no header.
"""

from django.http import JsonResponse
from django.urls import path

from agencies.models import Membership
from benchmarks import raw_sql
from config.urls import urlpatterns as project_urlpatterns
from panels.models import Action, AgencyUpdate, AgendaItem, Attendance, Meeting
from referrals.models import Referral, ReferralState


def _rows(queryset, *fields) -> list:
    return list(queryset.values_list(*fields))


def bare_home(request):
    memberships = Membership.objects.active().filter(user=request.user)
    return JsonResponse({"memberships": _rows(memberships, "role", "agency__name")})


def bare_referral_list(request):
    rows = raw_sql.first_page(request.user.pk)
    return JsonResponse({"referrals": [(row[0], str(row[1])) for row in rows]})


def bare_referral(request, pk: int):
    referral = Referral.objects.select_related("child", "agency", "referrer").get(pk=pk)
    return JsonResponse(
        {
            "referral": [referral.reference, referral.child.last_name, referral.agency.name],
            "requests": _rows(referral.contribution_requests, "agency__name", "requested_at"),
            "household": _rows(referral.household_members, "full_name"),
            "contributions": _rows(referral.contributions, "agency__name", "text"),
            "attachments": _rows(referral.attachments, "original_name"),
            "history": _rows(referral.transitions, "to_state", "at", "actor__username"),
            "shares": _rows(referral.shares, "agency__name", "shared_at"),
        }
    )


def bare_screening_queue(request):
    queue = Referral.objects.filter(
        state__in=[ReferralState.SUBMITTED, ReferralState.SCREENED]
    ).order_by("screening_due_at", "submitted_at", "pk")[:200]
    return JsonResponse(
        {"queue": _rows(queue, "pk", "reference", "agency__name", "child__last_name")}
    )


def bare_meeting(request, pk: int):
    meeting = Meeting.objects.select_related("panel").get(pk=pk)
    items = AgendaItem.objects.filter(meeting=meeting, withdrawn_at__isnull=True)
    return JsonResponse(
        {
            "meeting": [meeting.panel.name, meeting.starts_at],
            "items": _rows(items, "pk", "referral__reference", "referral__child__last_name"),
            "updates": _rows(AgencyUpdate.objects.filter(item__meeting=meeting), "text"),
            "actions": _rows(Action.objects.filter(meeting=meeting), "text", "due_date"),
            "attendance": _rows(Attendance.objects.filter(meeting=meeting), "user_id", "status"),
        }
    )


def bare_action_log(request):
    actions = Action.objects.filter(owner_person=request.user).order_by("due_date")[:500]
    return JsonResponse({"actions": _rows(actions, "pk", "text", "owner_agency__name")})


urlpatterns = [
    path("bench/bare/home/", bare_home),
    path("bench/bare/referrals/", bare_referral_list),
    path("bench/bare/referrals/<int:pk>/", bare_referral),
    path("bench/bare/screening/", bare_screening_queue),
    path("bench/bare/meetings/<int:pk>/", bare_meeting),
    path("bench/bare/actions/", bare_action_log),
]
urlpatterns += project_urlpatterns
