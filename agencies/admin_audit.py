"""What every ModelAdmin of the break-fix admin shares: each save writes an AuditEvent and
nothing is ever deleted. Register every model with one of these (a test walks the registry).

Django runs each admin save (add and change pages, list editing, inlines) inside
`transaction.atomic`, and `save_related` is its last step, so the audit row is written in the
same transaction as the change: if it cannot be written, nothing is saved.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from agencies import audit


def record_admin_save(*, request, obj, created: bool, fields) -> None:
    audit.record(
        actor=request.user,
        action=audit.Action.CREATED if created else audit.Action.CHANGED,
        obj=obj,
        request=request,
        detail=f"Django admin: {'added' if created else 'changed'} "
        f"{', '.join(fields) or 'no fields'}",
    )


class BreakFixModelAdmin(admin.ModelAdmin):
    """Audits every save, with the fields it changed; deletes nothing."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        record_admin_save(
            request=request, obj=form.instance, created=not change, fields=form.changed_data
        )
        for formset in formsets:
            fields_of = {
                id(inline_form.instance): inline_form.changed_data for inline_form in formset
            }
            for obj in formset.new_objects:
                record_admin_save(
                    request=request, obj=obj, created=True, fields=fields_of.get(id(obj), [])
                )
            for obj, fields in formset.changed_objects:
                record_admin_save(request=request, obj=obj, created=False, fields=fields)

    # Nothing is deleted by a person: memberships and seats are ended, records kept.
    def has_delete_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        raise PermissionDenied

    def delete_queryset(self, request, queryset):
        raise PermissionDenied


class ReadOnlyModelAdmin(BreakFixModelAdmin):
    """Shown, never added or changed here: what grants access changes only through the
    service's own pages and services, which check the policy and audit the change."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BreakFixInline(admin.TabularInline):
    """An inline whose rows are audited by the parent's BreakFixModelAdmin; none is deleted."""

    extra = 0

    def has_delete_permission(self, request, obj=None):
        return False
