"""Background tasks of the recognition app: large ledger exports written to a file.

The pages stream exports as they are asked for (``exports``), in flat memory; a national
ledger of a million rows still takes minutes, longer than a request should. ``export_ledger``
writes the same file under ``MEDIA_ROOT/exports/`` for a worker to make and a permission-
checked view to hand out later.
"""

import os
import tempfile
from pathlib import Path

import xlsxwriter
from celery import shared_task
from django.conf import settings
from django.utils import translation

from microcert.network.models import Organisation

from . import exports
from .models import RecognitionScheme
from .reports import Scope, parse_period

EXPORT_DIRECTORY = "exports"
FORMATS = ("csv", "xlsx")


def export_path(name: str) -> Path:
    """Where the export ``name`` (a file name the caller chose, e.g. a UUID) is written."""
    if Path(name).name != name or not name or name.startswith("."):
        raise ValueError("an export name is a plain file name")
    return Path(settings.MEDIA_ROOT) / EXPORT_DIRECTORY / name


def _write(scope: Scope, fmt: str, path: Path) -> int:
    """Write the export into a temporary file beside ``path``, then move it into place, so
    ``path`` only ever holds a whole file. Returns the number of ledger rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
    try:
        if fmt == "csv":
            rows = 0

            def counted():
                nonlocal rows
                for record in exports.ledger_records(scope):
                    rows += 1
                    yield record

            with os.fdopen(handle, "wb") as out:
                for block in exports._stream_csv(exports.ledger_header(scope), counted()):
                    out.write(block)
        else:
            os.close(handle)
            workbook = xlsxwriter.Workbook(temporary, exports.WORKBOOK_OPTIONS)
            rows = exports.write_ledger(workbook, scope)
            workbook.close()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return rows


@shared_task(name="microcert.recognition.export_ledger", acks_late=True)
def export_ledger(
    *,
    scheme_id: int,
    period: str,
    organisation_id: int | None,
    fmt: str,
    name: str,
    language: str = "en",
) -> dict:
    """Write a ledger export (``period`` as the pages take it: a day of the period, "all",
    or empty for the current one) to ``export_path(name)``. Idempotent: a finished file is
    kept as it is; a worker killed while writing leaves only a partial temporary file, and
    the task delivered again writes the whole file anew. The caller checks permission."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format: {fmt}")
    path = export_path(name)
    if path.exists():
        return {"path": str(path), "written": False}
    scheme = RecognitionScheme.objects.get(pk=scheme_id)
    organisation = (
        Organisation.objects.get(pk=organisation_id) if organisation_id is not None else None
    )
    with translation.override(language):
        scope = Scope(scheme=scheme, period=parse_period(scheme, period), organisation=organisation)
        rows = _write(scope, fmt, path)
    return {"path": str(path), "written": True, "rows": rows}
