"""Human-facing content of the knowledge checks, held in every content language."""

from modeltranslation.translator import TranslationOptions, register

from .models import KnowledgeChoice, KnowledgeQuestion


@register(KnowledgeQuestion)
class KnowledgeQuestionTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("en",)


@register(KnowledgeChoice)
class KnowledgeChoiceTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("en",)
