from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from microcert.core.admin import EventedAdmin

from .models import Affiliation, Agreement, CooperationItem, Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Organisation)
class OrganisationAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["name", "kind", "country", "subregion", "is_programme_owner"]
    list_filter = ["kind", "subregion", "country"]
    search_fields = ["name", "short_name", "slug"]
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [MembershipInline, AffiliationInline]


@admin.register(Membership)
class MembershipAdmin(EventedAdmin):
    list_display = ["organisation", "kind", "status", "since", "until"]
    list_filter = ["kind", "status"]
    search_fields = ["organisation__name"]


class CooperationItemInline(TranslationTabularInline):
    model = CooperationItem
    extra = 0
    fields = ["position", "kind", "title", "owner", "due_on", "status"]


@admin.register(Agreement)
class AgreementAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["reference", "title", "kind", "status", "signed_on", "expires_on"]
    list_filter = ["kind", "status"]
    search_fields = ["reference", "title"]
    filter_horizontal = ["parties"]
    inlines = [CooperationItemInline]


@admin.register(Affiliation)
class AffiliationAdmin(EventedAdmin):
    list_display = ["person", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active", "organisation"]
    search_fields = ["person__email", "person__legal_name", "organisation__name"]
    autocomplete_fields = ["person", "organisation"]
