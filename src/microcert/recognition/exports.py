"""Exports of PD reports and of the ledger itself, as CSV and XLSX, in flat memory.

CSV is a ``StreamingHttpResponse``: rows come from the database through a server-side cursor
(``.iterator(chunk_size=...)``) and leave in blocks of a few hundred lines, so a million rows
never sit in memory at once. XLSX is written by xlsxwriter in ``constant_memory`` mode (each
row goes to disk as soon as the next one starts) into an anonymous temporary file, which a
``FileResponse`` then streams and deletes.

The aggregated exports are built from a :class:`~.reports.Report`, so the small-group rule
holds in them exactly as on the page. The row-level ledger is for the few who may read it
(see ``rules.py``); it names people and has no suppression.

Cells that a spreadsheet would run as a formula (text starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) are prefixed with an apostrophe in CSV; XLSX cells are written
with their type (``write_string``, ``write_number``, ``write_datetime``), never guessed.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from .charts import hidden_text
from .models import StaffCategory
from .reports import Report, Row, Scope, ledger_lines, organisation_names

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Lines per block sent to the client; rows per round trip to the database.
LINES_PER_BLOCK = 500
CHUNK_SIZE = 2000
# One worksheet holds at most 1,048,576 rows; a longer ledger continues on the next sheet.
XLSX_MAX_ROWS = 1_048_576
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "yyyy-mm-dd",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text a spreadsheet will show as text, not run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cell(value) -> str | int | Decimal:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _stream_csv(header: list[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    """Encoded CSV in blocks; a byte-order mark first so spreadsheets read UTF-8 names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(value) for value in row])
        if count % LINES_PER_BLOCK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    tail = buffer.getvalue()
    if tail:
        yield tail.encode("utf-8")


def _csv_response(filename: str, content: Iterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _xlsx_response(filename: str, build) -> FileResponse:
    """Write a workbook with ``build(workbook)`` into a temporary file and stream it."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes (and so deletes) it
    try:
        workbook = xlsxwriter.Workbook(handle, WORKBOOK_OPTIONS)
        build(workbook)
        workbook.close()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Aggregated report ------------------------------------------------------------------------


def report_header(report: Report) -> list[str]:
    unit = report.scheme.get_unit_display()
    return [
        report.dimension_label,
        _("People"),
        _("Credentials"),
        _("Recognised (%(unit)s)") % {"unit": unit},
        _("Clock hours"),
        _("Completed the period"),
        _("Note"),
    ]


def _report_line(report: Report, row: Row) -> list:
    if row.suppressed:
        return [row.label, None, None, None, None, None, hidden_text(row, report.min_group_size)]
    return [row.label, row.people, row.credentials, row.amount, row.hours, row.completed, ""]


def report_lines(report: Report) -> Iterator[list]:
    """The report as table lines: one per group, then the total. Hidden numbers are empty."""
    for row in report.rows:
        yield _report_line(report, row)
    yield _report_line(report, report.total)


def report_filename(report: Report, extension: str) -> str:
    scope = report.scope
    parts = [scope.scheme.slug, scope.period_param, report.dimension]
    if scope.organisation is not None:
        parts.insert(1, scope.organisation.slug)
    return "-".join(parts) + f".{extension}"


def report_csv(report: Report) -> StreamingHttpResponse:
    return _csv_response(
        report_filename(report, "csv"), _stream_csv(report_header(report), report_lines(report))
    )


def report_xlsx(report: Report) -> FileResponse:
    def build(workbook) -> None:
        bold = workbook.add_format({"bold": True})
        muted = workbook.add_format({"italic": True, "font_color": "#5a6478"})
        sheet = workbook.add_worksheet(_("Report")[:31])
        scope = report.scope
        sheet.write_string(0, 0, safe_text(str(scope.scheme.title)), bold)
        period = (
            f"{scope.period[0].isoformat()} – {scope.period[1].isoformat()}"
            if scope.period
            else _("Every period")
        )
        sheet.write_string(1, 0, _("Period"))
        sheet.write_string(1, 1, period)
        sheet.write_string(2, 0, _("Institution"))
        sheet.write_string(
            2,
            1,
            safe_text(str(scope.organisation.name)) if scope.organisation else _("All (national)"),
        )
        sheet.write_string(3, 0, _("Required per period"))
        sheet.write_number(3, 1, float(scope.scheme.requirement))
        sheet.write_string(
            4,
            0,
            _("Groups of fewer than %(n)s people are not shown; numbers are withheld.")
            % {"n": report.min_group_size},
            muted,
        )
        first = 6
        for column, title in enumerate(report_header(report)):
            sheet.write_string(first, column, title, bold)
        for offset, line in enumerate(report_lines(report), start=1):
            _write_line(sheet, first + offset, line)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 6, 16)

    return _xlsx_response(report_filename(report, "xlsx"), build)


def _write_line(sheet, row: int, values: list, date_format=None) -> None:
    for column, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(row, column, float(value))
        elif isinstance(value, datetime.date):
            sheet.write_datetime(row, column, value, date_format)
        else:
            sheet.write_string(row, column, safe_text(str(value)))


# --- Row-level ledger -------------------------------------------------------------------------


def ledger_header(scope: Scope) -> list[str]:
    unit = scope.scheme.get_unit_display()
    return [
        _("Credential"),
        _("E-mail"),
        _("Name"),
        _("Institution"),
        _("Region or province"),
        _("Staff category"),
        _("Competence area"),
        _("Proficiency level"),
        _("Awarded on"),
        _("Period starts"),
        _("Recognised (%(unit)s)") % {"unit": unit},
        _("Clock hours"),
    ]


LEDGER_TEXT_COLUMNS = range(8)
LEDGER_DATE_COLUMNS = (8, 9)
LEDGER_NUMBER_COLUMNS = (10, 11)
# Day 0 of spreadsheet dates (the 1900 date system, with its leap-year quirk folded in).
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def ledger_records(scope: Scope, *, chunk_size: int = CHUNK_SIZE) -> Iterator[list]:
    """The scope's ledger, one list per row, read through a server-side cursor."""
    institutions = organisation_names(scope)
    categories = {value: str(label) for value, label in StaffCategory.choices}
    for (
        credential,
        email,
        name,
        organisation_id,
        province,
        category,
        area,
        level,
        awarded_on,
        period_start,
        amount,
        hours,
    ) in ledger_lines(scope).iterator(chunk_size=chunk_size):
        yield [
            str(credential),
            email,
            name,
            institutions.get(organisation_id, ""),
            province,
            categories.get(category, category),
            area,
            level,
            awarded_on,
            period_start,
            amount,
            hours,
        ]


def ledger_filename(scope: Scope, extension: str) -> str:
    parts = [scope.scheme.slug, "ledger", scope.period_param]
    if scope.organisation is not None:
        parts.insert(1, scope.organisation.slug)
    return "-".join(parts) + f".{extension}"


def ledger_csv(scope: Scope, *, chunk_size: int = CHUNK_SIZE) -> StreamingHttpResponse:
    return _csv_response(
        ledger_filename(scope, "csv"),
        _stream_csv(ledger_header(scope), ledger_records(scope, chunk_size=chunk_size)),
    )


def write_ledger(workbook, scope: Scope, *, chunk_size: int = CHUNK_SIZE) -> int:
    """Write the ledger into ``workbook`` (constant memory), a new sheet every
    :data:`XLSX_MAX_ROWS` rows; returns how many ledger rows were written."""
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    header = ledger_header(scope)
    widths = [38, 30, 28, 36, 18, 20, 16, 10, 12, 12, 14, 12]
    sheet = None
    sheets = 0
    row = XLSX_MAX_ROWS
    written = 0
    serials: dict[datetime.date, int] = {}  # a few hundred distinct days
    for record in ledger_records(scope, chunk_size=chunk_size):
        if row >= XLSX_MAX_ROWS:
            sheets += 1
            title = _("Ledger") if sheets == 1 else f"{_('Ledger')} ({sheets})"
            sheet = workbook.add_worksheet(title[:31])
            for column, (text, width) in enumerate(zip(header, widths, strict=True)):
                sheet.set_column(column, column, width)
                sheet.write_string(0, column, text, bold)
            sheet.freeze_panes(1, 0)
            write_string, write_number = sheet.write_string, sheet.write_number
            row = 1
        # The columns' types are known: no guessing per cell (this loop runs a million times).
        for column in LEDGER_TEXT_COLUMNS:
            value = record[column]
            if value:
                write_string(row, column, safe_text(value))
        for column in LEDGER_DATE_COLUMNS:
            day = record[column]
            serial = serials.get(day)
            if serial is None:
                serial = serials[day] = (day - EXCEL_EPOCH).days
            write_number(row, column, serial, dates)
        for column in LEDGER_NUMBER_COLUMNS:
            write_number(row, column, float(record[column]))
        row += 1
        written += 1
    if sheet is None:  # an empty ledger still gets its header
        sheet = workbook.add_worksheet(_("Ledger")[:31])
        for column, text in enumerate(header):
            sheet.write_string(0, column, text, bold)
    return written


def ledger_xlsx(scope: Scope, *, chunk_size: int = CHUNK_SIZE) -> FileResponse:
    return _xlsx_response(
        ledger_filename(scope, "xlsx"),
        lambda workbook: write_ledger(workbook, scope, chunk_size=chunk_size),
    )
