"""Credentials in the admin: read-only records. Issuing, revoking and rotating keys go through
the services (the issuer pages and the API), which sign and record events; the admin never
shows key material."""

from django.contrib import admin

from microcert.core.admin import ReadOnlyAdmin

from .models import ApiToken, BulkJob, IssuedCredential, Issuer, IssuerKey, StatusList


class IssuerKeyInline(admin.TabularInline):
    model = IssuerKey
    fields = ["public_key_multibase", "created_at", "retired_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Issuer)
class IssuerAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "did_method", "offers_suspension", "created_at"]
    inlines = [IssuerKeyInline]


@admin.register(StatusList)
class StatusListAdmin(ReadOnlyAdmin):
    list_display = ["issuer", "purpose", "allocated", "size", "signed_at"]
    exclude = ("bits", "multiplier", "offset")


@admin.register(IssuedCredential)
class IssuedCredentialAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "recipient", "issuer", "status", "needs_review", "valid_from"]
    list_filter = ["status", "needs_review", "issuer"]
    search_fields = ["uuid", "recipient__email", "recipient__legal_name"]
    date_hierarchy = "valid_from"


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation", "prefix", "scopes", "last_used_at", "revoked_at"]
    exclude = ("token_hash",)


@admin.register(BulkJob)
class BulkJobAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "issuer", "state", "processed", "total", "created_by"]
    exclude = ("rows",)
