from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from microcert.core.admin import EventedAdmin

from . import services
from .models import (
    AwardingBody,
    CompetenceAlignment,
    EvidenceRequirement,
    LearningOutcome,
    MicroCredential,
    Offering,
    Pathway,
    PathwayMember,
    RubricCriterion,
    RubricLevel,
    SpecificationVersion,
)


class DraftOnlyInlineMixin:
    """Children of a published version are as frozen as the version itself."""

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.is_editable

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


class AwardingBodyInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = AwardingBody
    extra = 0


class OutcomeInline(DraftOnlyInlineMixin, TranslationTabularInline):
    model = LearningOutcome
    extra = 0


class AlignmentInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = CompetenceAlignment
    extra = 0
    raw_id_fields = ["competence", "target_level"]


class EvidenceInline(DraftOnlyInlineMixin, TranslationTabularInline):
    model = EvidenceRequirement
    extra = 0


class RubricInline(DraftOnlyInlineMixin, TranslationTabularInline):
    model = RubricCriterion
    extra = 0
    show_change_link = True


@admin.register(SpecificationVersion)
class SpecificationVersionAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["title", "micro_credential", "number", "status", "published_at"]
    list_filter = ["status", "assessment_type", "participation_form"]
    search_fields = ["title", "micro_credential__slug"]
    readonly_fields = ["uuid", "number", "status", "published_at"]
    inlines = [AwardingBodyInline, OutcomeInline, AlignmentInline, EvidenceInline, RubricInline]
    actions = ["publish", "start_new_version"]

    def has_change_permission(self, request, obj=None):
        # A published version is read-only; "start a new version" makes an editable draft.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.is_editable)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_editable)

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        for version in queryset:
            try:
                services.specification_publish(version=version, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{version}: {'; '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("Published %(v)s.") % {"v": version})

    @admin.action(description=_("Start a new version of the selected specifications"))
    def start_new_version(self, request, queryset):
        for version in queryset:
            draft = services.specification_update(version=version, changes={}, actor=request.user)
            self.message_user(request, _("Draft %(v)s is ready to edit.") % {"v": draft})


class RubricLevelInline(TranslationTabularInline):
    model = RubricLevel
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.version.is_editable

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(RubricCriterion)
class RubricCriterionAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["title", "version", "position", "weight"]
    inlines = [RubricLevelInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or obj.version.is_editable
        )


class VersionInline(admin.TabularInline):
    model = SpecificationVersion
    fields = ["number", "title", "status", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MicroCredential)
class MicroCredentialAdmin(EventedAdmin):
    list_display = ["slug", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["slug"]
    inlines = [VersionInline]


class PathwayMemberInline(admin.TabularInline):
    model = PathwayMember
    extra = 0


@admin.register(Pathway)
class PathwayAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["title", "required_count", "certificate", "revocation_policy", "is_active"]
    inlines = [PathwayMemberInline]


@admin.register(Offering)
class OfferingAdmin(EventedAdmin):
    list_display = [
        "version",
        "host",
        "starts_on",
        "ends_on",
        "language",
        "mode",
        "capacity",
        "status",
    ]
    list_filter = ["status", "mode", "language", "host"]
    date_hierarchy = "starts_on"
