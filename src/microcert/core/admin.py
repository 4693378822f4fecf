from django.contrib import admin

from .models import Event
from .services import event_record


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The event log is read-only in the admin: it can be searched, never edited."""

    list_display = ["occurred_at", "verb", "object_type", "object_repr", "actor_label"]
    list_filter = ["verb", "object_type"]
    search_fields = ["object_id", "object_repr", "actor_label", "reason"]
    date_hierarchy = "occurred_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records only services write: shown, never added, changed or deleted in the admin.
    Fields named in ``exclude`` (secrets, large blobs) are not shown at all."""

    exclude: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        hidden = set(self.exclude or ())
        return [f.name for f in self.model._meta.fields if f.name not in hidden] + [
            m.name for m in self.model._meta.many_to_many if m.name not in hidden
        ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class EventedAdmin(admin.ModelAdmin):
    """Admin edits are changes like any other: each writes an event in the same transaction
    (the admin's change view already runs in one)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        event_record(
            actor=request.user,
            verb=f"admin.{'changed' if change else 'created'}",
            target=obj,
            details={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj):
        event_record(actor=request.user, verb="admin.deleted", target=obj)
        super().delete_model(request, obj)
