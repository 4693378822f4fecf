"""The interface is fully translated, and what is served is what the catalogues say."""

import gettext
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = ["vi", "zh_Hans", "fr"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_interface_string_is_translated(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in catalogue.untranslated_entries() + catalogue.fuzzy_entries()]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    compiled = gettext.GNUTranslations((folder / "django.mo").open("rb"))
    for entry in polib.pofile(str(folder / "django.po")).translated_entries():
        if entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        assert compiled._catalog.get(key) == entry.msgstr, entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    for entry in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po")):
        for placeholder in ("%(", "{{"):
            assert entry.msgid.count(placeholder) == entry.msgstr.count(placeholder) or (
                entry.msgid_plural
            ), entry.msgid
