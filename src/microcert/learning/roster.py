"""An institution's list of teachers: adding people one by one or from a CSV file.

The workflow lives in ``services.teachers_add``; this module reads the CSV an admin uploads
into rows, with every problem named by its line, so nothing is stored from a bad file.
"""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from microcert.core.i18n import CONTENT_LANGUAGES

MAX_ROSTER_ROWS = 2000
MAX_ROSTER_BYTES = 1024 * 1024
# Header names an admin might write, per column, in the four languages of the platform.
COLUMNS = {
    "email": {"email", "e-mail", "mail", "courriel", "邮箱", "电子邮件", "thư điện tử"},
    "name": {"name", "legal name", "full name", "nom", "姓名", "họ và tên", "họ tên", "tên"},
    "language": {"language", "langue", "语言", "ngôn ngữ"},
}


def _not_csv(error: csv.Error) -> ValidationError:
    return ValidationError(_("The file is not valid CSV: %(error)s") % {"error": error})


@dataclass(frozen=True)
class NewTeacher:
    email: str
    legal_name: str
    language: str = "en"


def parse_roster(data: bytes) -> list[NewTeacher]:
    """Rows of ``email,name[,language]`` with a header line; UTF-8 (with or without BOM).
    Raises ValidationError listing every bad line."""
    if len(data) > MAX_ROSTER_BYTES:
        raise ValidationError(_("The file is larger than 1 MB; split it into several lists."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text; save it as “CSV UTF-8”.")) from None
    if "\x00" in text:
        raise ValidationError(_("The file is not a CSV text file."))
    # Only the delimiter is sniffed; quoting follows spreadsheets' rules, since a guess from
    # a few lines misreads cells that hold quotes.
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    dialect = type("Spreadsheet", (csv.excel,), {"delimiter": delimiter})
    reader = csv.reader(io.StringIO(text), dialect, strict=True)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        raise ValidationError(_("The file is empty.")) from None
    except csv.Error as error:
        raise _not_csv(error) from None
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        for column, names in COLUMNS.items():
            if cell in names and column not in positions:
                positions[column] = index
    if "email" not in positions or "name" not in positions:
        raise ValidationError(
            _("The first line must name the columns: email, name and, if you like, language.")
        )
    rows: list[NewTeacher] = []
    problems: list[str] = []
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROSTER_ROWS:
                raise ValidationError(
                    _("At most %(count)s people per file.") % {"count": MAX_ROSTER_ROWS}
                )

            def cell(column: str, cells: list[str] = cells) -> str:
                index = positions.get(column)
                return cells[index].strip() if index is not None and index < len(cells) else ""

            language = cell("language").lower().replace("_", "-") or "en"
            language = {"zh": "zh-hans", "zh-cn": "zh-hans"}.get(language, language)
            rows.append(NewTeacher(email=cell("email"), legal_name=cell("name"), language=language))
            problems += [f"{line}: {p}" for p in row_problems(rows[-1])]
    except csv.Error as error:
        raise _not_csv(error) from None
    if problems:
        raise ValidationError([_("Line %(problem)s") % {"problem": p} for p in problems[:50]])
    if not rows:
        raise ValidationError(_("The file lists nobody."))
    return rows


def row_problems(row: NewTeacher) -> list[str]:
    """What is wrong with one person's details, in words; empty when nothing is."""
    problems = []
    try:
        validate_email(row.email)
    except ValidationError:
        problems.append(_("“%(email)s” is not an e-mail address.") % {"email": row.email[:80]})
    if not row.legal_name:
        problems.append(_("the name is missing."))
    elif len(row.legal_name) > 200:
        problems.append(_("the name is longer than 200 characters."))
    if row.language not in CONTENT_LANGUAGES:
        problems.append(
            _("“%(language)s” is not a language of the platform (%(languages)s).")
            % {"language": row.language[:20], "languages": ", ".join(CONTENT_LANGUAGES)}
        )
    return problems
