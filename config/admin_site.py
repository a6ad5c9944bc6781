"""The Django admin as a break-fix tool: only the account the policy admits enters it.

`config.apps.BreakFixAdminConfig` makes `BreakFixAdminSite` the default `admin.site`, so every
app's `admin.py` registers here. A signed-in person the policy refuses gets a 403 (audited as a
refusal) rather than the admin's sign-in page; the admin's own sign-in admits only the same
account. What the admin may change is limited by `agencies.admin_audit`.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse

import access
from agencies import sockets


class BreakFixAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in admits only whom the policy admits (Django's asks only is_staff)."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Enter the correct username and password of the break-fix account. "
        "People, agencies and panels are managed on the service's own pages.",
    }

    def confirm_login_allowed(self, user):
        super(AdminAuthenticationForm, self).confirm_login_allowed(user)
        if not access.can_use_django_admin(user):
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class BreakFixAdminSite(admin.AdminSite):
    site_header = "Safeguarding Panels: break-fix admin"
    site_title = "Break-fix admin"
    index_title = "Break-fix administration"
    login_form = BreakFixAuthenticationForm

    def has_permission(self, request):
        return access.can_use_django_admin(request.user)

    def logout(self, request, extra_context=None):
        """Sign out as the service's own sign-out does: this session's sockets close at once."""
        user_id = request.user.pk if request.user.is_authenticated else None
        response = super().logout(request, extra_context)
        if user_id is not None and request.method == "POST":
            sockets.recheck_sockets_on_commit(user_ids=[user_id])
        return response

    def admin_view(self, view, cacheable=False):
        admitted = super().admin_view(view, cacheable)

        @wraps(admitted)
        def refuse_signed_in_people(request, *args, **kwargs):
            # Django sends everyone refused to its sign-in page; a signed-in person the policy
            # refuses is told so, and the middleware audits the refusal.
            logging_out = request.path == reverse("admin:logout", current_app=self.name)
            if (
                request.user.is_authenticated
                and not logging_out
                and not self.has_permission(request)
            ):
                raise access.ForbiddenForUser(
                    action="use", object_type="Django admin", object_id=request.path[:64]
                )
            return admitted(request, *args, **kwargs)

        return refuse_signed_in_people
