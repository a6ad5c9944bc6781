"""The break-fix admin's view of agencies, people, memberships and the audit trail.

Nothing here grants access or acts as someone else: memberships, permission groups and the
audit trail are read-only; a person's page edits only their name; there is no password page
and no API tokens. People, agencies and memberships are managed on the service's own pages.
"""

# Imported first so that its registrations exist to be replaced below.
import django.contrib.auth.admin  # noqa: F401
import django_otp.plugins.otp_static.admin  # noqa: F401
import django_otp.plugins.otp_totp.admin  # noqa: F401
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.http import Http404
from django.urls import path
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.admin_audit import BreakFixInline, BreakFixModelAdmin, ReadOnlyModelAdmin
from agencies.models import Agency, AuditEvent, Membership, Team

User = get_user_model()

for replaced in (User, Group):
    if admin.site.is_registered(replaced):
        admin.site.unregister(replaced)
# No API tokens (referrals.ApiToken is not registered): a token minted for someone acts as
# them. Tokens are issued and revoked with `manage.py api_token` on the server, audited.
# No second factors either (django-otp registers its devices): a device added here would sign
# in as its person. People set up their own; an administrator resets them, audited, on the
# service's pages (agencies.two_factor).
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


class TeamInline(BreakFixInline):
    model = Team


@admin.register(Agency)
class AgencyAdmin(BreakFixModelAdmin):
    list_display = ["name", "agency_type", "ods_code", "urn", "is_active"]
    list_filter = ["agency_type", "is_active"]
    search_fields = ["name", "ods_code", "urn"]
    fields = ["name", "agency_type", "ods_code", "urn", "is_active", "created_at"]
    # Closing an agency ends every membership's access: done on the service's pages.
    readonly_fields = ["is_active", "created_at"]
    inlines = [TeamInline]

    def has_add_permission(self, request):
        # A new agency needs its permission group (agencies.services): the service's pages.
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyModelAdmin):
    list_display = ["user", "agency", "role", "team", "started_at", "ended_at"]
    list_filter = ["role", "agency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]


@admin.register(User)
class PersonAdmin(BreakFixModelAdmin):
    """People, read-only but for their names: no flags, groups, permissions or password."""

    list_display = ["username", "first_name", "last_name", "email", "is_active", "last_login"]
    list_filter = ["is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    fields = [
        "username",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "last_login",
        "date_joined",
    ]
    # The email is where papers and notifications go, and is_active who may sign in: both are
    # changed on the service's pages.
    readonly_fields = ["username", "email", "is_active", "last_login", "date_joined"]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        # Django's UserAdmin has a page to set anyone's password; this one answers 404 there,
        # where the admin would otherwise redirect it to a change page.
        return [
            path("<path:object_id>/password/", self.admin_site.admin_view(self.no_password_page))
        ] + super().get_urls()

    def no_password_page(self, request, object_id):
        raise Http404("A password is set by its owner, never in the admin.")


@admin.register(Group)
class GroupAdmin(ReadOnlyModelAdmin):
    """The agencies' permission groups hold what is shared with each agency."""

    list_display = ["name"]
    search_fields = ["name"]
    fields = ["name", "permissions"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """Read-only: the audit trail is append-only, in the admin as everywhere."""

    list_display = ["at", "actor", "actor_agency", "action", "object_type", "object_id"]
    list_filter = ["action"]
    date_hierarchy = "at"
