"""django-axes fitted to this service: every failed and locked sign-in goes to the audit
trail, and a locked sign-in is answered with the GOV.UK sign-in page and a plain message.

The audit is written from axes' handler (settings.AXES_HANDLER), not from a receiver of its
`user_locked_out` signal: the handler sees each failed attempt once, after axes has counted
it, and knows then whether it locked (or came while locked); the signal fires only for the
locked ones. The handler only passes plain values on to a service (agencies.services)."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.shortcuts import render

from agencies import audit, services
from agencies.forms import SignInForm


class AuditedAxesHandler(AxesDatabaseHandler):
    """axes' database handler, recording each failed attempt in the audit trail."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None:  # axes counts nothing without a request; nor do we
            return
        services.sign_in_failure_record(
            username=get_client_username(request, credentials),
            address=request.axes_ip_address,
            locked=bool(request.axes_locked_out),
            door=audit.door_of(request, request.path),
            failures=request.axes_failures_since_start,
        )


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out_response(request, original_response=None, credentials=None):
    """The sign-in page again, with one message for a locked username or address alike: it
    must not tell whether the username exists."""
    return render(
        request,
        "registration/login.html",
        {"form": SignInForm(request), "locked_out": True, "lockout_minutes": lockout_minutes()},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
