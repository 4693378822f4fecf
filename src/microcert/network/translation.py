"""Human-facing content of the network, held in every content language."""

from modeltranslation.translator import TranslationOptions, register

from .models import Agreement, CooperationItem, Organisation


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)


@register(Agreement)
class AgreementTranslation(TranslationOptions):
    fields = ("title", "summary")
    required_languages = ("en",)


@register(CooperationItem)
class CooperationItemTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("en",)
