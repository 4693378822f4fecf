"""Smart Classrooms in the admin. Classrooms are set up here (there is no page for it yet);
equipment can be corrected; tickets and sessions are read-only, because their workflows
(status rules, refusals, events) run on the management pages and the API."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from modeltranslation.admin import TranslationAdmin

from microcert.core.admin import EventedAdmin, ReadOnlyAdmin

from . import services
from .models import Equipment, MaintenanceTicket, SmartClassroom, UsageSession


class _ServiceRulesForm(forms.ModelForm):
    """The admin applies the services' rules too (host and sponsor kinds, dates that have
    not happened yet, serials), not only the database's constraints."""

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        try:
            if isinstance(self.instance, SmartClassroom):
                services.check_classroom(self.instance, timezone.localdate())
            else:
                services.check_equipment(self.instance)
        except services.ClassroomError as error:
            self.add_error(None, error)


class EquipmentInline(admin.TabularInline):
    model = Equipment
    extra = 0
    can_delete = False
    fields = ["kind", "label", "vendor", "model", "serial", "warranty_until", "status"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SmartClassroom)
class SmartClassroomAdmin(EventedAdmin, TranslationAdmin):
    form = _ServiceRulesForm
    list_display = ["name", "host", "sponsor", "phase", "status", "launched_on", "is_public"]
    list_filter = ["status", "phase", "is_public", "host__country"]
    search_fields = ["slug", "name", "host__name", "host__slug"]
    list_select_related = ["host", "sponsor"]
    inlines = [EquipmentInline]


@admin.register(Equipment)
class EquipmentAdmin(EventedAdmin):
    form = _ServiceRulesForm
    list_display = ["__str__", "kind", "classroom", "serial", "warranty_until", "status"]
    list_filter = ["kind", "status", "classroom"]
    search_fields = ["vendor", "model", "serial", "label"]
    list_select_related = ["classroom"]


@admin.register(MaintenanceTicket)
class MaintenanceTicketAdmin(ReadOnlyAdmin):
    list_display = ["title", "classroom", "priority", "status", "opened_at", "assignee"]
    list_filter = ["status", "priority", "classroom"]
    search_fields = ["title", "description"]
    list_select_related = ["classroom", "assignee"]
    date_hierarchy = "opened_at"


@admin.register(UsageSession)
class UsageSessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "classroom", "kind", "status", "starts_at", "participants"]
    list_filter = ["kind", "status", "classroom"]
    search_fields = ["title"]
    list_select_related = ["classroom"]
    date_hierarchy = "starts_at"
