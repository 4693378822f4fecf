"""What an uploaded image really is, judged from its bytes, and the clean copy we keep.

The first bytes decide the type (``filetype`` reads the magic numbers): JPEG, PNG and WebP are
accepted, whatever the file's name says. Pillow must then decode the whole picture in that
same format. What is stored is never the upload itself but a copy Pillow draws again from the
pixels: metadata (GPS positions included) and anything hidden after or inside the picture (a
polyglot that is also an HTML page or a ZIP archive) is left behind.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# MIME type -> the Pillow format that must decode it.
ACCEPTED = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# Larger pictures are scaled down to this many pixels on their longer side.
MAX_SIDE = 2400
# More pixels than this is refused before decoding (a small file can unpack into gigabytes).
MAX_PIXELS = 40_000_000
_HEAD_BYTES = 512


class ImageRefused(ValueError):
    """The file cannot be taken as an image; the message says why in the user's language."""


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    content_type: str
    width: int
    height: int
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def max_bytes() -> int:
    return int(getattr(settings, "NEWS_IMAGE_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def _refuse_kind(described: str) -> ImageRefused:
    return ImageRefused(
        _("This file is %(kind)s, whatever its name says. Accepted: JPEG, PNG and WebP images.")
        % {"kind": described}
    )


def _encode(picture: Image.Image, pillow_format: str) -> bytes:
    buffer = io.BytesIO()
    if pillow_format == "JPEG":
        if picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")
        picture.save(buffer, "JPEG", quality=88, optimize=True)
    elif pillow_format == "PNG":
        if picture.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            picture = picture.convert("RGBA")
        picture.save(buffer, "PNG", optimize=True)
    else:
        if picture.mode not in ("RGB", "RGBA"):
            picture = picture.convert("RGBA")
        picture.save(buffer, "WEBP", quality=85)
    return buffer.getvalue()


def clean_image(upload: UploadedFile | bytes) -> CleanImage:
    """Check an upload's size and real type and draw the copy to keep; raise ``ImageRefused``
    with a clear reason when it is no acceptable image."""
    data = upload if isinstance(upload, bytes) else None
    size = len(data) if data is not None else (upload.size or 0)
    limit = max_bytes()
    if size == 0:
        raise ImageRefused(_("The file is empty."))
    if size > limit:
        raise ImageRefused(
            _("The image is %(size)s; images of up to %(limit)s are accepted.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if data is None:
        upload.seek(0)
        data = upload.read(limit + 1)
        upload.seek(0)
        if len(data) > limit:
            raise ImageRefused(
                _("The image is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
            )
    kind = filetype.guess(data[:_HEAD_BYTES])
    if kind is None:
        raise _refuse_kind(_("not an image in a format we recognise"))
    if kind.mime not in ACCEPTED:
        raise _refuse_kind(kind.mime)
    pillow_format = ACCEPTED[kind.mime]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise ImageRefused(
                        _("The image has too many pixels (%(width)s × %(height)s).")
                        % {"width": opened.width, "height": opened.height}
                    )
                # Decode every pixel: a file that only starts like an image fails here.
                opened.load()
                picture = ImageOps.exif_transpose(opened)
                picture.thumbnail((MAX_SIDE, MAX_SIDE))
                content = _encode(picture, pillow_format)
                width, height = picture.size
    except ImageRefused:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ):
        raise ImageRefused(
            _("The file starts like a %(format)s image but is not a whole, readable one.")
            % {"format": _FORMAT_NAMES[pillow_format]}
        ) from None
    return CleanImage(
        content=content,
        content_type=kind.mime,
        width=width,
        height=height,
        sha256=hashlib.sha256(content).hexdigest(),
    )
