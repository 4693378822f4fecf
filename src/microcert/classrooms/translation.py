"""Human-facing content of the Smart Classroom registry, held in every content language.

Equipment notes, tickets and session titles are operators' working text, written once in
the language they work in; they are not translated.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import SmartClassroom


@register(SmartClassroom)
class SmartClassroomTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)
