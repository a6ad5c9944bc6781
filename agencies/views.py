from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from agencies import selectors
from agencies.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


@login_required
def home(request):
    memberships = selectors.active_memberships(user=request.user)
    return render(request, "agencies/home.html", {"memberships": memberships})
