"""Human-facing content of the catalogue, held in every content language."""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    EvidenceRequirement,
    LearningOutcome,
    Pathway,
    RubricCriterion,
    RubricLevel,
    SpecificationVersion,
)


@register(SpecificationVersion)
class SpecificationVersionTranslation(TranslationOptions):
    fields = (
        "title",
        "summary",
        "description",
        "quality_assurance_description",
        "prerequisites",
        "further_information",
    )
    required_languages = ("en",)


@register(LearningOutcome)
class LearningOutcomeTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("en",)


@register(EvidenceRequirement)
class EvidenceRequirementTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("en",)


@register(RubricCriterion)
class RubricCriterionTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("en",)


@register(RubricLevel)
class RubricLevelTranslation(TranslationOptions):
    fields = ("label", "descriptor")
    required_languages = ("en",)


@register(Pathway)
class PathwayTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("en",)
