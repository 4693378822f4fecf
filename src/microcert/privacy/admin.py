"""Erasure requests in the admin: read-only, because an erasure is carried out on the
programme office's page (``/<lang>/privacy/requests/``), which checks what stands in the way
and writes the events. The salt of the hashes is not shown."""

from django.contrib import admin

from microcert.core.admin import ReadOnlyAdmin

from .models import ErasureRequest


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "status", "channel", "pseudonym", "carried_out_at"]
    list_filter = ["status", "channel"]
    search_fields = ["uuid", "pseudonym"]
    exclude = ("salt",)
