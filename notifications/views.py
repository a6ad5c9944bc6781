"""Notification pages: the person's own list and preferences. Nobody sees anyone else's."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from notifications import services
from notifications.models import Notification, NotificationKind


@login_required
def notification_list(request):
    notifications = list(
        Notification.objects.filter(recipient=request.user).select_related("referral")[:100]
    )
    for notification in notifications:
        notification.link_text = link_text(notification)
    unread = sum(1 for notification in notifications if notification.read_at is None)
    return render(
        request, "notifications/list.html", {"notifications": notifications, "unread": unread}
    )


# What each kind of notification opens, named so a link says where it goes (never "Open").
_OPENS = {
    NotificationKind.MEETING_INVITATION: "the meeting",
    NotificationKind.MINUTES_FOR_APPROVAL: "the minutes to approve",
    NotificationKind.MINUTES_RETURNED: "the returned minutes",
    NotificationKind.ACCESS_CHANGED: "the grants of access",
    NotificationKind.GRANT_TO_DECIDE: "the grant waiting for your approval",
}


def link_text(notification: Notification) -> str:
    """The words of a notification's link: the thing it opens, by reference where it has one."""
    link = notification.link
    reference = notification.referral.reference if notification.referral_id else ""
    if notification.kind == NotificationKind.BREAK_GLASS:
        return f"Go to the audit trail of referral {reference}"
    if link.startswith("/actions/") and link.rstrip("/") != "/actions":
        number = link.rstrip("/").rsplit("/", 1)[-1]
        return f"Go to action {number}" + (f" on {reference}" if reference else "")
    if notification.kind == NotificationKind.MINUTES_APPROVED:
        return "Go to the board papers" if link == "/board/" else "Go to the approved minutes"
    if notification.kind in _OPENS:
        return f"Go to {_OPENS[notification.kind]}"
    if reference:
        return f"Go to referral {reference}"
    return "Go to your actions" if link.startswith("/actions/") else "Go to the page"


@login_required
def notification_open(request, pk: int):
    """Opening a notification marks it read, then goes where it points."""
    notification = services.notification_open(user=request.user, notification_id=pk)
    if notification is None:
        raise Http404("No such notification")
    return redirect(notification.link or "notifications:list")


@login_required
@require_POST
def notification_mark_read(request):
    ids = request.POST.getlist("id")
    cleaned = [int(value) for value in ids if value.isdigit()]
    services.notifications_mark_read(user=request.user, ids=cleaned or None)
    messages.success(request, "Marked as read.")
    return redirect("notifications:list")


class PreferencesForm(forms.Form):
    email_kinds = forms.MultipleChoiceField(
        label="Also send me an email when",
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Everything always appears here in the service. Emails name no child.",
    )
    daily_digest = forms.TypedChoiceField(
        label="How should emails arrive?",
        choices=[("0", "One email for each event"), ("1", "One summary email a day, at 7am")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.checkboxes("email_kinds"),
            Field.radios("daily_digest"),
            Button("submit", "Save preferences"),
        )


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    current = services.preferences_for(request.user)
    form = PreferencesForm(
        request.POST or None,
        initial={
            "email_kinds": list(current.email_kinds),
            "daily_digest": "1" if current.daily_digest else "0",
        },
    )
    if request.method == "POST" and form.is_valid():
        services.preferences_save(
            user=request.user,
            email_kinds=form.cleaned_data["email_kinds"],
            daily_digest=form.cleaned_data["daily_digest"],
        )
        messages.success(request, "Your notification preferences are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
