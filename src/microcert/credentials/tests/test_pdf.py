"""The PDF certificate: A4 landscape, one page, a QR code that scans, real text in every script.

The checks read the PDF back with pdfium (the engine of Chrome's viewer) and decode the QR code
with ZXing from a 150 dpi rendering, so they test what a person or a phone sees, not our HTML.
``SAMPLE_VIEWS`` also feeds ``scripts/render_certificate_samples.py`` (the screenshots in
``docs/screenshots/``).
"""

from __future__ import annotations

import ctypes
import dataclasses
from datetime import date

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp

from microcert.credentials.pdf import CertificateView, render_certificate_pdf

A4_LANDSCAPE = (841.89, 595.28)

SAMPLE_VIEWS: dict[str, CertificateView] = {
    "vi": CertificateView(
        language="vi",
        recipient_name="Phạm Thị Lan",
        title="Đánh giá năng lực số của giảng viên",
        description=(
            "Chứng chỉ vi mô xác nhận giảng viên sử dụng công cụ số để thiết kế, triển khai "
            "và phản hồi đánh giá trong giảng dạy đại học, dựa trên minh chứng từ lớp học thực tế."
        ),
        achievement_type_label="Chứng chỉ vi mô",
        issuer_name="Trung tâm Quốc tế về Đổi mới Giáo dục Đại học",
        issuer_country="Việt Nam",
        awarding_bodies=(
            "Trung tâm Quốc tế về Đổi mới Giáo dục Đại học",
            "Đại học Bách khoa Hà Nội",
        ),
        issued_on=date(2025, 3, 14),
        valid_until=date(2030, 3, 14),
        workload_hours=30,
        ects="1",
        eqf_level="7",
        learning_outcomes=(
            "Thiết kế bài đánh giá trực tuyến phù hợp với chuẩn đầu ra của học phần.",
            "Sử dụng dữ liệu từ hệ thống quản lý học tập để theo dõi tiến bộ của người học.",
            "Đưa ra phản hồi kịp thời, cá nhân hoá bằng công cụ số.",
            "Đảm bảo tính liêm chính học thuật khi đánh giá có sử dụng trí tuệ nhân tạo.",
        ),
        competences=(
            ("Đánh giá: Chiến lược đánh giá", "B2"),
            ("Đánh giá: Phân tích minh chứng học tập", "B1"),
            ("Đánh giá: Phản hồi và lập kế hoạch", "B2"),
        ),
        credential_id="urn:uuid:6f1c2a8e-3b7d-4e52-9a10-5c8d2e7f4b31",
        verification_url="https://microcert.test/verify/6f1c2a8e-3b7d-4e52-9a10-5c8d2e7f4b31",
    ),
    "zh-hans": CertificateView(
        language="zh-hans",
        recipient_name="王小明",
        title="教师数字能力评估",
        description="本微证书证明持证教师能够运用数字工具设计、实施并反馈教学评估，评定依据为其真实课堂教学中的证据。",
        achievement_type_label="微证书",
        issuer_name="国际高等教育创新中心",
        issuer_country="中国",
        awarding_bodies=("国际高等教育创新中心", "河内百科大学"),
        issued_on=date(2025, 3, 14),
        valid_until=None,
        workload_hours=30,
        ects="1.5",
        eqf_level="6",
        learning_outcomes=(
            "设计与课程学习成果相一致的在线评估。",
            "利用学习管理系统的数据跟踪学生的学习进展。",
            "借助数字工具提供及时、个性化的反馈。",
            "在使用人工智能的评估中维护学术诚信。",
        ),
        competences=(("评估：评估策略", "B2"), ("评估：分析学习证据", "B1")),
        credential_id="urn:uuid:0b9e4d52-71a3-4f0e-b6c2-2d8a19e5c7f0",
        verification_url="https://microcert.test/verify/0b9e4d52-71a3-4f0e-b6c2-2d8a19e5c7f0",
    ),
    "en": CertificateView(
        language="en",
        recipient_name="Amelia Okonkwo-Hartley",
        title="Teaching with Generative AI: Design, Ethics and Assessment",
        description=(
            "A stacked certificate for higher-education teachers who design learning, assessment "
            "and feedback with generative AI responsibly, assessed on evidence from their own "
            "teaching."
        ),
        achievement_type_label="Certificate",
        issuer_name="International Centre for Higher Education Innovation",
        issuer_country="China",
        awarding_bodies=(
            "International Centre for Higher Education Innovation",
            "Hanoi University of Science and Technology",
        ),
        issued_on=date(2025, 9, 5),
        valid_until=date(2028, 9, 5),
        workload_hours=90,
        ects="3",
        eqf_level="7",
        learning_outcomes=(
            "Design learning activities in which generative AI supports, rather than replaces, "
            "students' reasoning.",
            "Explain the limits, biases and data-protection risks of AI tools to students.",
            "Redesign assessment so that it stays valid when students have access to AI.",
            "Evaluate the impact of AI-supported teaching using evidence from their own course.",
        ),
        competences=(
            ("AI ethics", "Deepen"),
            ("AI pedagogy", "Deepen"),
            ("AI techniques and applications", "Acquire"),
        ),
        components=(
            "Foundations of generative AI for teachers",
            "Designing AI-aware assessment",
            "Ethics and data protection in AI-supported teaching",
        ),
        credential_id="urn:uuid:c4f7e2a1-9d3b-4b8e-8f21-7a6e0d5b3c94",
        verification_url="https://microcert.test/verify/c4f7e2a1-9d3b-4b8e-8f21-7a6e0d5b3c94",
    ),
    "fr": CertificateView(
        language="fr",
        recipient_name="Éloïse Lefèvre-Bénard",
        title="Concevoir des évaluations numériques à l'ère de l'IA",
        description=(
            "Micro-certification attestant que l'enseignant conçoit et met en œuvre des "
            "évaluations numériques fiables, fondée sur des preuves issues de son enseignement."
        ),
        achievement_type_label="Micro-certification",
        issuer_name="Centre international pour l'innovation dans l'enseignement supérieur",
        issuer_country="Chine",
        awarding_bodies=("Centre international pour l'innovation dans l'enseignement supérieur",),
        issued_on=date(2025, 3, 14),
        workload_hours=25,
        ects="1.5",
        eqf_level="7",
        learning_outcomes=(
            "Concevoir une évaluation en ligne alignée sur les acquis visés.",
            "Garantir l'intégrité académique lorsque les étudiants utilisent l'IA.",
        ),
        competences=(("Évaluation : stratégies d'évaluation", "B2"),),
        credential_id="urn:uuid:8a2d5f60-4c1e-4d7b-a3e9-1f6b0c8d2e57",
        verification_url="https://microcert.test/verify/8a2d5f60-4c1e-4d7b-a3e9-1f6b0c8d2e57",
    ),
}


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    """Each sample rendered once for the whole module (rendering takes a moment)."""
    return {language: render_certificate_pdf(view) for language, view in SAMPLE_VIEWS.items()}


def _page_text(pdf: pdfium.PdfDocument) -> str:
    return pdf[0].get_textpage().get_text_range()


def _fonts_by_character(pdf: pdfium.PdfDocument) -> dict[str, set[str]]:
    """Map each character on page 1 to the names of the fonts pdfium says draw it."""
    textpage = pdf[0].get_textpage()
    fonts: dict[str, set[str]] = {}
    for index in range(textpage.count_chars()):
        size = pdfium_c.FPDFText_GetFontInfo(textpage, index, None, 0, None)
        buffer = ctypes.create_string_buffer(size)
        flags = ctypes.c_int()
        pdfium_c.FPDFText_GetFontInfo(textpage, index, buffer, size, ctypes.byref(flags))
        character = chr(pdfium_c.FPDFText_GetUnicode(textpage, index))
        fonts.setdefault(character, set()).add(buffer.value.decode("utf-8"))
    return fonts


def _fonts_of(pdf: pdfium.PdfDocument, characters: str) -> set[str]:
    by_character = _fonts_by_character(pdf)
    return set().union(*(by_character.get(ch, set()) for ch in characters))


@pytest.mark.parametrize("language", list(SAMPLE_VIEWS))
def test_one_a4_landscape_page(rendered, language):
    pdf = pdfium.PdfDocument(rendered[language])

    assert len(pdf) == 1
    width, height = pdf[0].get_size()
    assert width == pytest.approx(A4_LANDSCAPE[0], abs=1)
    assert height == pytest.approx(A4_LANDSCAPE[1], abs=1)


@pytest.mark.parametrize("language", list(SAMPLE_VIEWS))
def test_qr_code_scans_to_the_verification_url(rendered, language):
    page = pdfium.PdfDocument(rendered[language])[0]
    image = page.render(scale=150 / 72).to_pil()

    results = [
        r for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]

    assert [r.text for r in results] == [SAMPLE_VIEWS[language].verification_url]


@pytest.mark.parametrize("language", list(SAMPLE_VIEWS))
def test_qr_code_is_large_enough_to_scan_from_paper(rendered, language):
    page = pdfium.PdfDocument(rendered[language])[0]
    dpi = 150
    (result,) = zxingcpp.read_barcodes(page.render(scale=dpi / 72).to_pil())

    position = result.position
    width_px = max(position.top_right.x, position.bottom_right.x) - min(
        position.top_left.x, position.bottom_left.x
    )
    assert width_px / dpi * 25.4 >= 30  # millimetres, without the quiet zone


@pytest.mark.parametrize("language", list(SAMPLE_VIEWS))
def test_text_is_real_unicode_text(rendered, language):
    """Names and titles come back out of the PDF as the same characters (no tofu, no images)."""
    view = SAMPLE_VIEWS[language]
    text = _page_text(pdfium.PdfDocument(rendered[language]))

    assert view.recipient_name in text
    assert view.title in text
    assert view.verification_url in text.replace("\r\n", "").replace("\n", "")
    assert "\ufffd" not in text


def test_vietnamese_precomposed_letters_round_trip(rendered):
    text = _page_text(pdfium.PdfDocument(rendered["vi"]))

    assert "Phạm Thị Lan" in text
    assert "Đánh giá năng lực số của giảng viên" in text
    # Stacked diacritics (circumflex + acute / hook above) in the issuer and the outcomes.
    assert "Quốc tế" in text
    assert "cá nhân hoá" in text
    assert "năm 2025" in text  # the Vietnamese long date format


def test_vietnamese_text_is_set_in_noto(rendered):
    fonts = _fonts_of(pdfium.PdfDocument(rendered["vi"]), "ạịĐố")

    assert fonts
    assert all("Noto" in name and "CJK" not in name for name in fonts), fonts


def test_chinese_glyphs_come_from_the_simplified_chinese_cjk_face(rendered):
    pdf = pdfium.PdfDocument(rendered["zh-hans"])
    text = _page_text(pdf)

    assert "王小明" in text
    assert "教师数字能力评估" in text
    assert "2025年3月14日" in text
    # Every Chinese character of the name and title is drawn with a Simplified Chinese face
    # (the SC faces have the mainland glyph shapes; JP/KR/TC ones differ for some characters).
    fonts = _fonts_of(pdf, "王小明教师数字能力评估")
    assert fonts
    assert all("CJK-SC" in name for name in fonts), fonts
    all_fonts = set().union(*_fonts_by_character(pdf).values())
    assert any("Noto-Sans-CJK-SC" in name for name in all_fonts), all_fonts


def test_latin_certificate_embeds_no_cjk_font(rendered):
    fonts = _fonts_of(pdfium.PdfDocument(rendered["fr"]), "ÉéèïœLa")

    assert fonts
    assert not any("CJK" in name for name in fonts), fonts


def test_long_lists_stay_on_one_page_and_say_how_many_are_left_out():
    outcomes = tuple(
        f"Outcome {n}: apply digital tools to plan, run and evaluate an assessment activity, "
        f"and justify each choice with evidence from a real course."
        for n in range(1, 31)
    )
    view = dataclasses.replace(
        SAMPLE_VIEWS["en"],
        title="A very long title " * 8,
        description="A long description. " * 40,
        learning_outcomes=outcomes,
        competences=tuple((f"Competence {n}", "B2") for n in range(1, 13)),
        components=tuple(f"Component micro-credential {n}" for n in range(1, 9)),
        awarding_bodies=tuple(f"Partner university number {n}" for n in range(1, 6)),
    )
    pdf = pdfium.PdfDocument(render_certificate_pdf(view))
    text = _page_text(pdf)

    assert len(pdf) == 1
    assert "Outcome 1:" in text
    assert "Outcome 30:" not in text
    assert "more" in text  # "…and N more"
    (result,) = zxingcpp.read_barcodes(pdf[0].render(scale=150 / 72).to_pil())
    assert result.text == view.verification_url


def test_labels_follow_the_certificate_language(rendered):
    """Labels are looked up in the certificate's language, not the request's."""
    french = _page_text(pdfium.PdfDocument(rendered["fr"]))
    english = _page_text(pdfium.PdfDocument(rendered["en"]))

    assert "14 mars 2025" in french
    assert "CHARGE DE TRAVAIL" in french  # an existing catalogue entry, set in capitals
    assert "5 September 2025" in english
    assert "WORKLOAD" in english


@pytest.mark.parametrize(
    ("language", "label"), [("en", "CERTIFICATE"), ("fr", "MICRO-CERTIFICATION")]
)
def test_spaced_capitals_still_extract_as_words(rendered, language, label):
    """Wide letter-spacing would make readers extract "C E R T I F I C A T E"."""
    assert label in _page_text(pdfium.PdfDocument(rendered[language]))


def test_remote_resources_are_refused():
    from microcert.credentials.pdf import _data_only_fetcher

    fetcher = _data_only_fetcher()
    for url in ("https://example.org/logo.png", "file:///etc/passwd", "ftp://example.org/x"):
        with pytest.raises(ValueError, match="data: URIs"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        dataclasses.replace(SAMPLE_VIEWS["en"], language="de")


def test_user_text_is_printed_not_interpreted():
    view = dataclasses.replace(
        SAMPLE_VIEWS["fr"], recipient_name='<img src="https://example.org/x.png">Éloïse & co'
    )
    text = _page_text(pdfium.PdfDocument(render_certificate_pdf(view)))

    assert '<img src="https://example.org/x.png">Éloïse & co' in text
