"""What an evidence upload really is, judged by its content, never by its name.

The first bytes decide the type (``filetype`` reads the magic numbers). Office documents in the
Open XML and OpenDocument formats are ZIP files, so a ZIP is accepted only when its directory
holds the parts that make it such a document; anything else, executables included, is refused.
"""

import hashlib
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# MIME type -> the extension the stored file is known by.
ACCEPTED = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}

_OPEN_XML_MAIN_PART = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
_HEAD_BYTES = 8192

# What people call the formats most often refused, instead of a MIME type.
_READABLE_NAMES = {
    "application/x-msdownload": gettext_lazy("a Windows program"),
    "application/x-executable": gettext_lazy("a program"),
    "application/x-elf": gettext_lazy("a program"),
    "application/x-mach-binary": gettext_lazy("a program"),
    "application/zip": gettext_lazy("a ZIP archive"),
    "application/x-rar-compressed": gettext_lazy("a RAR archive"),
    "application/x-7z-compressed": gettext_lazy("a 7-Zip archive"),
    "application/gzip": gettext_lazy("a compressed archive"),
    "video/mp4": gettext_lazy("a video (share videos as a link)"),
    "audio/mpeg": gettext_lazy("an audio file"),
}


class UploadRefused(ValueError):
    """The file cannot be taken; the message says why in the user's language."""


@dataclass(frozen=True)
class Inspected:
    content_type: str
    extension: str
    size: int
    sha256: str


def _office_type(upload: UploadedFile) -> str | None:
    """The document type of a ZIP container, or None when it is no office document."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in ACCEPTED else None
            if "[Content_Types].xml" not in names:
                return None
            for part, content_type in _OPEN_XML_MAIN_PART.items():
                if part in names:
                    return content_type
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def inspect(upload: UploadedFile) -> Inspected:
    """Check an upload's size and real type; raise ``UploadRefused`` with a clear reason."""
    limit = settings.EVIDENCE_MAX_UPLOAD_BYTES
    if upload.size is None or upload.size == 0:
        raise UploadRefused(_("The file is empty."))
    if upload.size > limit:
        raise UploadRefused(
            _("The file is %(size)s; files of up to %(limit)s are accepted.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else ""
    if content_type in ("application/zip",) or (
        kind and kind.extension in ("docx", "xlsx", "pptx", "odt", "ods", "odp")
    ):
        content_type = _office_type(upload) or ""
    if content_type not in ACCEPTED:
        described = (
            _READABLE_NAMES.get(kind.mime, kind.mime) if kind else _("an unrecognised format")
        )
        raise UploadRefused(
            _(
                "This file is %(kind)s, whatever its name says. Accepted: PDF, images (PNG, "
                "JPEG, GIF, WebP) and office documents (Word, Excel, PowerPoint, OpenDocument)."
            )
            % {"kind": described}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return Inspected(
        content_type=content_type,
        extension=ACCEPTED[content_type],
        size=upload.size,
        sha256=digest.hexdigest(),
    )
