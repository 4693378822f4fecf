"""Human-facing content of frameworks, held in every content language."""

from modeltranslation.translator import TranslationOptions, register

from .models import Area, Competence, CompetencyFramework, LevelDescriptor, ProficiencyLevel


@register(CompetencyFramework)
class CompetencyFrameworkTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("en",)


@register(ProficiencyLevel)
class ProficiencyLevelTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)


@register(Area)
class AreaTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)


@register(Competence)
class CompetenceTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)


@register(LevelDescriptor)
class LevelDescriptorTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("en",)
