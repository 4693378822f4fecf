"""Images are judged from their bytes: JPEG, PNG and WebP that Pillow can decode whole, not
too large; what is kept is a copy drawn again from the pixels, so nothing hidden in the
upload (metadata, a second file, a script) survives."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from microcert.news import uploads
from microcert.news.uploads import ImageRefused, clean_image

from .builders import gif, jpeg, png, webp


def upload(content: bytes, name: str = "picture.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(png(), "image/png"), (jpeg(), "image/jpeg"), (webp(), "image/webp")],
)
def test_jpeg_png_and_webp_are_taken(content, content_type):
    clean = clean_image(upload(content))
    assert clean.content_type == content_type
    assert (clean.width, clean.height) == (40, 30)
    assert Image.open(io.BytesIO(clean.content)).size == (40, 30)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"<html><script>alert(1)</script></html>", "not an image"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "application/pdf"),
        (b"MZ\x90\x00" + b"\x00" * 200, "whatever its name says"),
        (gif(), "image/gif"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "not an"),
    ],
)
def test_files_that_are_not_accepted_images_are_refused_whatever_their_name(content, reason):
    with pytest.raises(ImageRefused, match=reason):
        clean_image(upload(content, "photo.png"))


def test_a_file_that_only_starts_like_a_png_is_refused():
    fake = png()[:16] + b"<script>alert('polyglot')</script>" * 20
    with pytest.raises(ImageRefused, match="not a whole, readable one"):
        clean_image(upload(fake))


def test_a_truncated_jpeg_is_refused():
    with pytest.raises(ImageRefused, match="JPEG"):
        clean_image(upload(jpeg(400, 300)[:300]))


def test_what_hides_after_or_inside_a_real_image_is_left_behind():
    # A real PNG followed by an HTML page and a ZIP archive (a classic polyglot), and a PNG
    # with a text chunk carrying a script.
    html = b"<html><body><script>alert('polyglot')</script></body></html>"
    archive = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("payload.js", "alert('zip')")
    appended = png() + html + archive.getvalue()

    chunk_data = b"Comment\x00" + html
    chunk = (
        struct.pack(">I", len(chunk_data))
        + b"tEXt"
        + chunk_data
        + struct.pack(">I", zlib.crc32(b"tEXt" + chunk_data))
    )
    original = png()
    inside = original[:33] + chunk + original[33:]  # after the IHDR chunk

    for polyglot in (appended, inside):
        clean = clean_image(upload(polyglot))
        assert b"<script>" not in clean.content and b"PK\x03\x04" not in clean.content
        assert clean.content.startswith(b"\x89PNG")


def test_location_metadata_is_not_kept():
    buffer = io.BytesIO()
    picture = Image.new("RGB", (20, 20), (1, 2, 3))
    exif = picture.getexif()
    exif[0x010E] = "secret description"
    picture.save(buffer, "JPEG", exif=exif)
    assert b"secret description" in buffer.getvalue()
    assert b"secret description" not in clean_image(upload(buffer.getvalue())).content


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.NEWS_IMAGE_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ImageRefused, match="images of up to"):
        clean_image(upload(png(400, 400, colour=(1, 2, 3)) + b"\x00" * 2000))


def test_too_many_pixels_are_refused_without_decoding(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS", 100)
    with pytest.raises(ImageRefused, match="too many pixels"):
        clean_image(upload(png(20, 20)))


def test_large_pictures_are_scaled_down(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_SIDE", 50)
    clean = clean_image(upload(png(200, 100)))
    assert (clean.width, clean.height) == (50, 25)
