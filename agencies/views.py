from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode

from agencies import audit, reset_throttle, services, sockets
from agencies.audit import client_address
from agencies.forms import (
    PasswordChangeGdsForm,
    PasswordResetRequestForm,
    PasswordSetForm,
    SignInForm,
)
from agencies.password_reset import reset_link_tokens


class SignInView(auth_views.LoginView):
    """The password; then the second factor (agencies.two_factor_views), which goes on to
    `next`."""

    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self):
        onwards = super().get_success_url()
        is_verified = getattr(self.request.user, "is_verified", None)
        if is_verified is not None and is_verified():  # already signed in, both factors
            return onwards
        return f"{reverse('second-factor')}?{urlencode({'next': onwards})}"


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

    def form_valid(self, form):
        services.password_reset(
            person=form.user,
            new_password=form.cleaned_data["new_password1"],
            address=audit.client_address(self.request),
            first=True,
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordSetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "agencies/password_set_done.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    """A signed-in person changes their own password; this session stays signed in (the
    session hash is renewed), their other sessions end."""

    template_name = "agencies/password_change.html"
    form_class = PasswordChangeGdsForm
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        person = services.password_change(
            actor=self.request.user,
            new_password=form.cleaned_data["new_password1"],
            address=audit.client_address(self.request),
        )
        update_session_auth_hash(self.request, person)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "agencies/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a one-time link by email. The next page is the same whether or not the address
    belongs to an account; the link is made with SITE_URL, never the request's Host."""

    template_name = "agencies/password_reset.html"
    form_class = PasswordResetRequestForm
    token_generator = reset_link_tokens
    email_template_name = "agencies/email/password_reset.txt"
    subject_template_name = "agencies/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        allowed = reset_throttle.may_send_reset_link(
            email=form.cleaned_data["email"], address=client_address(self.request)
        )
        if not allowed:
            # The same next page as a sent link: the answer tells nobody anything.
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {
            "site_url": settings.SITE_URL.rstrip("/"),
            "link_minutes": settings.PASSWORD_RESET_LINK_MINUTES,
        }
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "agencies/password_reset_done.html"

    def get_context_data(self, **kwargs):
        link_minutes = settings.PASSWORD_RESET_LINK_MINUTES
        return {**super().get_context_data(**kwargs), "link_minutes": link_minutes}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The emailed link: Django's check of the one-time token, then a new password set by a
    service with its audit row."""

    template_name = "agencies/password_reset_confirm.html"
    form_class = PasswordSetForm
    token_generator = reset_link_tokens
    success_url = reverse_lazy("password_reset_complete")

    def get_context_data(self, **kwargs):
        link_minutes = settings.PASSWORD_RESET_LINK_MINUTES
        return {**super().get_context_data(**kwargs), "link_minutes": link_minutes}

    def form_valid(self, form):
        services.password_reset(
            person=form.user,
            new_password=form.cleaned_data["new_password1"],
            address=audit.client_address(self.request),
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "agencies/password_set_done.html"
