"""Template helpers of the news pages: content in the reader's language (or the language it
falls back to), the safe rendering of bodies, and image addresses."""

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString

from .. import text
from ..models import ArticleImage

register = template.Library()


@register.simple_tag
def localized(instance, field: str) -> text.Localized:
    """``{% localized article "title" as title %}``: ``title.text``, ``title.language`` and
    ``title.is_fallback``."""
    return text.localized(instance, field)


@register.filter
def body_html(value) -> SafeString:
    """A plain-text body as safe HTML (paragraphs, lists, sub-headings, links)."""
    return text.render_body(str(value or ""))


@register.filter
def paragraphs(value) -> SafeString:
    return text.plain_paragraphs(str(value or ""))


@register.simple_tag
def image_url(image: ArticleImage) -> str:
    return reverse("news:image", kwargs={"uuid": image.uuid, "extension": image.extension})


@register.inclusion_tag("news/_fallback_note.html")
def fallback_note(shown: text.Localized, partial: bool = False) -> dict:
    """A short note that the text (or, ``partial``, part of the page) is shown in another
    language than the reader's."""
    return {"shown": shown, "partial": partial}


@register.filter
def first_image(article):
    """The article's first image (prefetched by the selectors), or None."""
    images = list(article.images.all())
    return images[0] if images else None
