from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from agencies import policy, selectors
from agencies.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@login_required
def home(request):
    memberships = selectors.active_memberships(user=request.user)
    context = {
        "memberships": memberships,
        "can_refer": policy.can_refer(request.user),
        "can_screen": policy.can_screen(request.user),
        "has_meetings": policy.meetings_visible_to(request.user).exists(),
        "can_break_glass": policy.can_break_glass_at_all(request.user),
        "can_look_up_audit": policy.can_look_up_audit_trails(request.user),
        "can_administer": policy.can_administer(request.user),
        "oversees_panels": policy.oversees_any_panel(request.user),
    }
    return render(request, "agencies/home.html", context)
