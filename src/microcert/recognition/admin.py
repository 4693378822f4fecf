"""Recognition in the admin: authorities and schemes are configured here; applications,
decisions and the ledger are read-only, because decisions are made on the reviewers' pages
(which sign endorsements and write events) and the ledger is derived."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from microcert.core.admin import EventedAdmin, ReadOnlyAdmin

from .models import (
    Authority,
    InclusionApplication,
    InclusionDecision,
    LedgerEntry,
    RecognitionScheme,
)


@admin.register(Authority)
class AuthorityAdmin(EventedAdmin):
    list_display = ["organisation", "created_at"]


@admin.register(RecognitionScheme)
class RecognitionSchemeAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["title", "authority", "country", "unit", "requirement", "period_years"]
    list_filter = ["country", "unit", "is_active"]
    search_fields = ["slug", "title"]


class DecisionInline(admin.TabularInline):
    model = InclusionDecision
    extra = 0
    can_delete = False
    fields = ["number", "outcome", "equivalence", "valid_from", "valid_until", "decided_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InclusionApplication)
class InclusionApplicationAdmin(ReadOnlyAdmin):
    list_display = ["version", "scheme", "applicant", "status", "submitted_at"]
    list_filter = ["status", "scheme"]
    inlines = [DecisionInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["person", "scheme", "period_start", "amount", "hours", "awarded_on"]
    list_filter = ["scheme", "staff_category"]
    list_select_related = ["person", "scheme"]
