"""What an agreement document really is, judged by its bytes, never by its name.

Agreements are exchanged as PDF, Word (DOCX) or OpenDocument text (ODT); nothing else is
taken. ``filetype`` reads the magic number; DOCX and ODT are ZIP containers, so a ZIP counts
only when its directory holds the part that makes it such a document.
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

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
# MIME type -> the extension the stored file is known by.
ACCEPTED = {PDF: "pdf", DOCX: "docx", ODT: "odt"}

# Signed agreements with annexes are often scans; 25 MB holds a long one.
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
_HEAD_BYTES = 8192

_READABLE_NAMES = {
    "application/x-msdownload": gettext_lazy("a Windows program"),
    "application/x-executable": gettext_lazy("a program"),
    "application/x-elf": gettext_lazy("a program"),
    "application/zip": gettext_lazy("a ZIP archive"),
    "image/jpeg": gettext_lazy("an image"),
    "image/png": gettext_lazy("an image"),
    "application/msword": gettext_lazy("an old Word document (.doc)"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": gettext_lazy(
        "a spreadsheet"
    ),
    "application/vnd.oasis.opendocument.spreadsheet": gettext_lazy("a spreadsheet"),
}


class UploadRefused(ValueError):
    """The file cannot be taken; the message says why in the user's language."""


@dataclass(frozen=True)
class Inspected:
    content_type: str
    extension: str
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return int(getattr(settings, "AGREEMENT_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _container_type(upload: UploadedFile) -> str:
    """DOCX or ODT when the ZIP container is one, else the name of what it is."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return archive.read("mimetype").decode("ascii", "replace").strip()[:100]
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return ""
    return "application/zip"


def inspect(upload: UploadedFile) -> Inspected:
    """Check an upload's size and real type; raise ``UploadRefused`` with a clear reason."""
    limit = max_upload_bytes()
    if not upload.size:
        raise UploadRefused(_("The file is empty."))
    if upload.size > limit:
        raise UploadRefused(
            _("The file is %(size)s; files of up to %(limit)s are accepted.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(_HEAD_BYTES))
    content_type = kind.mime if kind else ""
    if content_type == "application/zip" or (kind and kind.extension in ("docx", "odt", "xlsx")):
        content_type = _container_type(upload)
    if content_type not in ACCEPTED:
        described = _READABLE_NAMES.get(content_type) or (
            content_type if content_type else _("an unrecognised format")
        )
        raise UploadRefused(
            _(
                "This file is %(kind)s, whatever its name says. Agreements are accepted as "
                "PDF, Word (DOCX) or OpenDocument text (ODT)."
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
