from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from microcert.core.admin import EventedAdmin

from .models import Area, Competence, CompetencyFramework, LevelDescriptor, ProficiencyLevel


class LevelInline(TranslationTabularInline):
    model = ProficiencyLevel
    extra = 0
    fields = ["position", "code", "name"]


class AreaInline(TranslationTabularInline):
    model = Area
    extra = 0
    fields = ["position", "code", "name"]


@admin.register(CompetencyFramework)
class CompetencyFrameworkAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["title", "slug", "version", "status", "publisher"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    readonly_fields = ["uuid", "uri"]
    inlines = [LevelInline, AreaInline]


class DescriptorInline(TranslationTabularInline):
    model = LevelDescriptor
    extra = 0
    fields = ["level", "text"]
    readonly_fields = ["level"]


@admin.register(Competence)
class CompetenceAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["code", "name", "framework", "area", "level"]
    list_filter = ["framework"]
    search_fields = ["code", "name"]
    readonly_fields = ["uuid", "uri", "framework"]
    inlines = [DescriptorInline]

    def has_add_permission(self, request):
        # Competences come with their framework (shipped data or a CASE import).
        return False


@admin.register(Area)
class AreaAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["code", "name", "framework"]
    list_filter = ["framework"]
    readonly_fields = ["uuid", "uri", "framework"]

    def has_add_permission(self, request):
        return False


@admin.register(ProficiencyLevel)
class ProficiencyLevelAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["code", "name", "framework", "position"]
    list_filter = ["framework"]
    readonly_fields = ["uuid", "uri", "framework"]

    def has_add_permission(self, request):
        return False


@admin.register(LevelDescriptor)
class LevelDescriptorAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["competence", "level"]
    list_filter = ["competence__framework", "level__code"]
    readonly_fields = ["uuid", "uri", "competence", "level"]

    def has_add_permission(self, request):
        return False
