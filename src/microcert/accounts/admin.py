from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import LegalNameChange, PersonalToken, User


class LegalNameChangeInline(admin.TabularInline):
    model = LegalNameChange
    fk_name = "person"
    extra = 0
    readonly_fields = ["old_name", "new_name", "reason", "changed_at", "changed_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Name changes go through the service so the event and history are written.
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "legal_name", "preferred_language", "is_staff", "is_active"]
    search_fields = ["email", "legal_name", "display_name"]
    list_filter = ["is_staff", "is_active", "preferred_language"]
    readonly_fields = ["uuid", "legal_name", "last_login", "date_joined"]
    inlines = [LegalNameChangeInline]
    fieldsets = (
        (None, {"fields": ("uuid", "email", "password")}),
        (_("Identity"), {"fields": ("legal_name", "display_name", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(PersonalToken)
class PersonalTokenAdmin(admin.ModelAdmin):
    """Tokens are made by their owners (only a hash is stored); the admin can see them."""

    list_display = ["person", "name", "created_at", "last_used_at", "expires_at", "revoked_at"]
    search_fields = ["person__email", "name"]
    readonly_fields = ["person", "name", "created_at", "last_used_at", "expires_at", "revoked_at"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)
