"""Panels in the break-fix admin. Who sits on a panel and who oversees it is read-only here
(seats and oversights are given and ended on the service's pages, with a date and reason,
never deleted); so is what decides which agencies meet on a panel and whether its board
copies leave by email. Nothing here shows case content (meetings, minutes and actions are not
in the admin)."""

from django.contrib import admin
from django.db import models

from agencies.admin_audit import BreakFixModelAdmin, ReadOnlyModelAdmin
from panels.models import Panel, PanelMembership, PanelOversight


@admin.register(Panel)
class PanelAdmin(BreakFixModelAdmin):
    list_display = ["name", "kind", "cycle_weeks", "board_copy_attached", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    # Member agencies decide who may join the meetings; the board copy setting whether the
    # approved board copy is attached to the board's email.
    readonly_fields = ["member_agencies", "board_copy_attached"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(PanelMembership)
class PanelMembershipAdmin(ReadOnlyModelAdmin):
    list_display = ["user", "panel", "agency", "role", "started_at", "ended_at"]
    list_filter = ["panel", "role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "panel__name"]


@admin.register(PanelOversight)
class PanelOversightAdmin(ReadOnlyModelAdmin):
    list_display = ["user", "panel", "started_at", "ended_at"]
    list_filter = ["panel"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "panel__name"]
