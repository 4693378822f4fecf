"""Bodies are plain text: paragraphs, lists, sub-headings and links are drawn from it and
everything else is escaped; translated texts fall back to English, then to any language."""

import pytest
from django.utils import translation

from microcert.news.text import localized, render_body

from .builders import case, draft

pytestmark = pytest.mark.django_db


def test_paragraphs_lists_headings_and_links():
    html = render_body(
        "Intro line\nsecond line\n\n## Results\n- one\n- two\nAfter the list\n\n"
        "See https://example.org/a?b=1."
    )
    assert html == (
        "<p>Intro line<br>second line</p>\n"
        "<h2>Results</h2>\n<ul><li>one</li><li>two</li></ul>\n<p>After the list</p>\n"
        '<p>See <a href="https://example.org/a?b=1" rel="nofollow noopener">'
        "https://example.org/a?b=1</a>.</p>"
    )


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "## <b>bold</b>",
        "- <a href='javascript:alert(1)'>x</a>",
        'https://example.org/"onmouseover="alert(1)',
        "javascript:alert(1)",
    ],
)
def test_nothing_a_writer_types_becomes_markup(hostile):
    html = str(render_body(hostile))
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "onerror=" not in html.replace("onerror=&quot;", "")
    assert 'href="javascript' not in html and "href='javascript" not in html
    assert '"onmouseover' not in html


def test_a_missing_translation_falls_back_to_english_and_says_so(network):
    article = draft(network.editor)
    with translation.override("zh-hans"):
        shown = localized(article, "title")
    assert (shown.text, shown.language, shown.is_fallback) == ("A visit to Hanoi", "en", True)
    with translation.override("vi"):
        assert not localized(article, "title").is_fallback


def test_a_case_written_only_in_vietnamese_is_shown_in_vietnamese_everywhere(network):
    submitted = case(network)
    for language in ("en", "fr", "zh-hans"):
        with translation.override(language):
            shown = localized(submitted, "title")
        assert (shown.language, shown.is_fallback) == ("vi", True)
