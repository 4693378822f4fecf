"""The journey in the admin. Configuration (deadlines, assessment policies, knowledge checks)
is edited here; the records of people's work are read-only, because every change to them goes
through the services, which keep the workflow's rules and write events."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from microcert.core.admin import EventedAdmin, ReadOnlyAdmin

from .models import (
    AssessmentPolicy,
    Enrolment,
    KnowledgeChoice,
    KnowledgeQuestion,
    PDPlan,
    PlanDeadline,
    Review,
    SelfAssessment,
    Submission,
)


@admin.register(PlanDeadline)
class PlanDeadlineAdmin(EventedAdmin):
    list_display = ["country", "month", "day"]


@admin.register(AssessmentPolicy)
class AssessmentPolicyAdmin(EventedAdmin):
    list_display = [
        "version",
        "second_review",
        "allow_same_institution",
        "knowledge_check_pass_mark",
    ]
    autocomplete_fields = ["version"]


class KnowledgeChoiceInline(TranslationTabularInline):
    model = KnowledgeChoice
    extra = 0


@admin.register(KnowledgeQuestion)
class KnowledgeQuestionAdmin(EventedAdmin, TranslationAdmin):
    list_display = ["version", "position", "text"]
    list_filter = ["version"]
    inlines = [KnowledgeChoiceInline]


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["person", "framework", "status", "completed_at"]
    list_filter = ["status", "framework"]


@admin.register(PDPlan)
class PDPlanAdmin(ReadOnlyAdmin):
    list_display = ["teacher", "organisation", "year", "status", "deadline"]
    list_filter = ["status", "year"]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["teacher", "offering", "status", "enrolled_at"]
    list_filter = ["status"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["teacher", "version", "attempt", "status", "submitted_at"]
    list_filter = ["status"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["submission", "assessor", "role", "status", "decision", "completed_at"]
    list_filter = ["status", "role", "decision"]
