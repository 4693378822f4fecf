"""Helpers for content held in all four languages (django-modeltranslation fields)."""

from collections.abc import Mapping

from django.conf import settings
from django.db import models
from modeltranslation.utils import build_localized_fieldname

CONTENT_LANGUAGES: tuple[str, ...] = tuple(settings.MODELTRANSLATION_LANGUAGES)
DEFAULT_LANGUAGE: str = settings.MODELTRANSLATION_DEFAULT_LANGUAGE

Translations = Mapping[str, str]


def set_translations(instance: models.Model, field: str, values: Translations | str) -> None:
    """Set every language of ``field`` from a mapping {language: text} (or one English text)."""
    if isinstance(values, str):
        values = {DEFAULT_LANGUAGE: values}
    unknown = set(values) - set(CONTENT_LANGUAGES)
    if unknown:
        raise ValueError(f"unknown language(s) for {field}: {', '.join(sorted(unknown))}")
    for language in CONTENT_LANGUAGES:
        setattr(instance, build_localized_fieldname(field, language), values.get(language) or "")


def get_translations(instance: models.Model, field: str) -> dict[str, str]:
    """Every non-empty language of ``field`` as {language: text}."""
    result = {}
    for language in CONTENT_LANGUAGES:
        text = getattr(instance, build_localized_fieldname(field, language), "") or ""
        if text:
            result[language] = text
    return result
