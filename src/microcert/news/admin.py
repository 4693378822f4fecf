"""News in the admin: tags are configured here and articles can be corrected (each edit
writes an event). Images are uploaded on the editors' pages, where they are checked and
cleaned, so the admin only shows them; cases and their review steps are read-only, because
their workflow lives on the editors' pages."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from microcert.core.admin import EventedAdmin, ReadOnlyAdmin

from .models import Article, ArticleImage, Case, CaseComment, Tag


@admin.register(Tag)
class TagAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["slug", "name"]
    search_fields = ["slug", "name"]


class ImageInline(TranslationTabularInline):
    model = ArticleImage
    extra = 0
    fields = ["position", "alt", "caption", "content_type", "width", "height", "size"]
    readonly_fields = ["content_type", "width", "height", "size"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["title", "kind", "status", "publish_at", "event_type", "starts_at"]
    list_filter = ["kind", "status", "event_type", "tags"]
    search_fields = ["slug", "title"]
    date_hierarchy = "publish_at"
    filter_horizontal = ["tags", "partners"]
    readonly_fields = ["author", "uuid", "created_at", "updated_at"]
    inlines = [ImageInline]


class CaseCommentInline(admin.TabularInline):
    model = CaseComment
    extra = 0
    can_delete = False
    fields = ["created_at", "step", "author", "text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["title", "organisation", "status", "award", "award_year", "submitted_at"]
    list_filter = ["status", "award", "organisation"]
    search_fields = ["slug", "title"]
    inlines = [CaseCommentInline]
