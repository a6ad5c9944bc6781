from django.contrib import admin

from agencies.models import Agency, AuditEvent, Membership, Team


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "agency_type", "ods_code", "urn", "is_active"]
    list_filter = ["agency_type", "is_active"]
    search_fields = ["name", "ods_code", "urn"]
    inlines = [TeamInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "team", "started_at", "ended_at"]
    list_filter = ["role", "agency"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["user", "team", "ended_by"]

    def has_delete_permission(self, request, obj=None):
        # Memberships are ended with a date and reason, never deleted.
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only, in the admin as everywhere."""

    list_display = ["at", "actor", "actor_agency", "action", "object_type", "object_id"]
    list_filter = ["action"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
