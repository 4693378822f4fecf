"""Human-facing content of recognition schemes, held in every content language."""

from modeltranslation.translator import TranslationOptions, register

from .models import RecognitionScheme


@register(RecognitionScheme)
class RecognitionSchemeTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("en",)
