"""Human-facing content of news, events and cases, held in every content language.

Articles and tags are written in English first (the other languages fall back to it); a case
may be written in any one language, since the institution that shares it writes in its own.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Article, ArticleImage, Case, Tag


@register(Tag)
class TagTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register(Article)
class ArticleTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "place")
    # Only the title at rest: a draft may lack the rest, publishing asks for it.
    required_languages = {"en": ("title",)}


@register(ArticleImage)
class ArticleImageTranslation(TranslationOptions):
    fields = ("alt", "caption")
    required_languages = {"en": ("alt",)}


@register(Case)
class CaseTranslation(TranslationOptions):
    fields = ("title", "summary", "body")
    required_languages = ()
