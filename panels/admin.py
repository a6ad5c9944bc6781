"""Panels, who sits on them and which board members oversee them, managed by the system
administrator. Seats and oversights are ended with a date and reason, never deleted; nothing
here shows case content (meetings, minutes and actions are not in the admin)."""

from django.contrib import admin

from panels.models import Panel, PanelMembership, PanelOversight


class EndedNotDeleted(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Panel)
class PanelAdmin(EndedNotDeleted):
    list_display = ["name", "kind", "cycle_weeks", "board_copy_attached", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["member_agencies"]


@admin.register(PanelMembership)
class PanelMembershipAdmin(EndedNotDeleted):
    list_display = ["user", "panel", "agency", "role", "started_at", "ended_at"]
    list_filter = ["panel", "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "panel__name"]
    raw_id_fields = ["user", "ended_by"]
    autocomplete_fields = ["agency"]


@admin.register(PanelOversight)
class PanelOversightAdmin(EndedNotDeleted):
    list_display = ["user", "panel", "started_at", "ended_at"]
    list_filter = ["panel"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "panel__name"]
    raw_id_fields = ["user", "ended_by"]
