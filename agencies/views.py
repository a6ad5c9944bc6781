from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy

import access
from agencies import selectors, sockets
from agencies.forms import PasswordSetForm, SignInForm


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign out, and close this session's open sockets at once, on every process (the
    person's sockets of other sessions check theirs and stay open)."""

    def post(self, request, *args, **kwargs):
        user_id = request.user.pk if request.user.is_authenticated else None
        response = super().post(request, *args, **kwargs)  # flushes the session
        if user_id is not None:
            sockets.recheck_sockets_on_commit(user_ids=[user_id])
        return response


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Django's own one-time link check (PasswordResetTokenGenerator), on a GOV.UK page: a new
    person sets their first password here; nobody else ever sets it."""

    template_name = "agencies/password_set.html"
    form_class = PasswordSetForm
    success_url = reverse_lazy("password-set-done")


class PasswordSetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "agencies/password_set_done.html"


@login_required
def home(request):
    memberships = selectors.active_memberships(user=request.user)
    context = {
        "memberships": memberships,
        "can_refer": access.can_refer(request.user),
        "can_screen": access.can_screen(request.user),
        "has_meetings": access.meetings_visible_to(request.user).exists(),
        "can_break_glass": access.can_break_glass_at_all(request.user),
        "can_look_up_audit": access.can_look_up_audit_trails(request.user),
        "can_administer": access.can_administer(request.user),
        "can_decide_grants": access.can_decide_grants_at_all(request.user),
        "oversees_panels": access.oversees_any_panel(request.user),
    }
    return render(request, "agencies/home.html", context)
