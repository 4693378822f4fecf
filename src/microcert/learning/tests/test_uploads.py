"""Evidence uploads are judged by their bytes, not by their names."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from microcert.learning import uploads

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4f40000000049454e44ae426082"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<document/>",
        }
    )


def test_a_pdf_is_accepted_and_fingerprinted():
    inspected = uploads.inspect(SimpleUploadedFile("plan.pdf", MINIMAL_PDF))
    assert inspected.content_type == "application/pdf"
    assert inspected.extension == "pdf"
    assert inspected.size == len(MINIMAL_PDF)
    assert len(inspected.sha256) == 64


def test_an_image_is_accepted_whatever_its_name():
    inspected = uploads.inspect(SimpleUploadedFile("photo.txt", PNG))
    assert inspected.content_type == "image/png"


def test_a_word_document_is_recognised_from_its_parts():
    inspected = uploads.inspect(SimpleUploadedFile("lesson.docx", docx_bytes()))
    assert inspected.extension == "docx"


def test_an_opendocument_text_is_recognised_from_its_mimetype_entry():
    data = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
    assert uploads.inspect(SimpleUploadedFile("notes.odt", data)).extension == "odt"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("lesson.pdf", ELF),
        ("slides.pptx", WINDOWS_EXE),
        ("archive.docx", _zip({"payload.exe": WINDOWS_EXE})),
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_renamed_executables_and_other_formats_are_refused(name, data):
    with pytest.raises(uploads.UploadRefused, match="whatever its name says"):
        uploads.inspect(SimpleUploadedFile(name, data))


def test_an_empty_file_is_refused():
    with pytest.raises(uploads.UploadRefused, match="empty"):
        uploads.inspect(SimpleUploadedFile("empty.pdf", b""))


@override_settings(EVIDENCE_MAX_UPLOAD_BYTES=100)
def test_a_file_over_the_limit_is_refused_with_both_sizes():
    with pytest.raises(uploads.UploadRefused, match="100") as refused:
        uploads.inspect(SimpleUploadedFile("plan.pdf", MINIMAL_PDF))
    assert "bytes" in str(refused.value)
