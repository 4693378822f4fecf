"""Exports: CSV and XLSX of a report keep the small-group rule and parse back; the row-level
ledger goes only to those who may read names, streams, and reads back row for row.

XLSX files are read back with the standard library (``zipfile`` and ``xml.etree``): the sheet
XML that xlsxwriter writes in constant-memory mode holds inline strings and numbers.
"""

import csv
import io
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse

from microcert.recognition import exports, reports
from microcert.recognition.reports import Dimension

from .test_reports import THIS_PERIOD, Ledger, build_standard, scope

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture
def ledger(db) -> Ledger:
    ledger = Ledger()
    build_standard(ledger)
    return ledger


@pytest.fixture
def people(ledger):
    from microcert.accounts.roles import Role
    from microcert.network.models import Organisation

    return {
        "reviewer": ledger.role("reviewer@moet.example", Role.AUTHORITY_REVIEWER, ledger.moet),
        "manager": ledger.role(
            "manager@centre.example",
            Role.PROGRAMME_MANAGER,
            Organisation.objects.get(slug="centre"),
        ),
        "admin_a": ledger.role("admin@uni-a.example", Role.INSTITUTION_ADMIN, ledger.a),
        "teacher": ledger.role("teacher@uni-a.example", Role.TEACHER, ledger.a),
    }


def body(response) -> bytes:
    """The whole content. ``response.close()`` is not called: it would end the request and
    with it the test's database connection; the test client closes what it served, and the
    temporary file of a workbook made here is closed by hand."""
    if not getattr(response, "streaming", False):
        return response.content
    data = b"".join(response.streaming_content)
    handle = getattr(response, "file_to_stream", None)
    if handle is not None:
        handle.close()
    return data


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xml(data: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(data)  # noqa: S314 -- files this test just wrote


def column_index(reference: str) -> int:
    letters = "".join(ch for ch in reference if ch.isalpha())
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def read_xlsx(data: bytes) -> dict[str, list[list]]:
    """Every sheet as rows of cell values (str for text, float for numbers)."""
    sheets: dict[str, list[list]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = _xml(archive.read("xl/workbook.xml"))
        names = [sheet.get("name") for sheet in workbook.iterfind("m:sheets/m:sheet", NS)]
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            strings = _xml(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(si.itertext()) for si in strings.iterfind("m:si", NS)]
        for number, name in enumerate(names, start=1):
            root = _xml(archive.read(f"xl/worksheets/sheet{number}.xml"))
            rows = []
            for row in root.iterfind("m:sheetData/m:row", NS):
                values: list = []
                for cell in row.iterfind("m:c", NS):
                    index = column_index(cell.get("r"))
                    values.extend([None] * (index - len(values)))
                    kind = cell.get("t")
                    if kind == "inlineStr":
                        value = "".join(cell.find("m:is", NS).itertext())
                    elif kind == "s":
                        value = shared[int(cell.find("m:v", NS).text)]
                    else:
                        value = float(cell.find("m:v", NS).text)
                    values.append(value)
                rows.append(values)
            sheets[name] = rows
    return sheets


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(name, args=["vn-lecturers"]), params)


# --- Aggregated report -----------------------------------------------------------------------


def test_the_report_csv_streams_and_keeps_small_groups_hidden(client, ledger, people):
    response = get(client, people["manager"], "recognition:report_csv", period="2026-09-05")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "vn-lecturers-2026-09-05-institution.csv" in response["Content-Disposition"]
    rows = read_csv(body(response))
    assert rows[0][:3] == ["Institution", "People", "Credentials"]
    assert rows[0][3] == "Recognised (lesson of 45 minutes (tiết))"
    table = {row[0]: row[1:] for row in rows[1:]}
    assert table["University A"] == ["6", "15", "122.00", "91.50", "2", ""]
    assert table["University B"] == ["", "", "", "", "", "withheld"]
    assert table["University C"] == ["", "", "", "", "", "fewer than 5"]
    assert table["University D"] == ["7", "7", "56.00", "42.00", "0", ""]
    assert table["Total"] == ["20", "33", "266.00", "199.50", "3", ""]


def test_the_report_xlsx_keeps_small_groups_hidden_and_parses_back(client, ledger, people):
    response = get(
        client, people["reviewer"], "recognition:report_xlsx", period="2026-09-05", by="area"
    )
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    sheets = read_xlsx(body(response))
    (rows,) = sheets.values()
    assert rows[0] == ["Lecturers' regular fostering"]
    header = rows.index(next(r for r in rows if r and r[0] == "Competence area"))
    table = {row[0]: row[1:] for row in rows[header + 1 :]}
    # Area 5 has 2 people: hidden, and area 3 with it (the only other group).
    assert table["digcompedu:5"] == [None, None, None, None, None, "fewer than 5"]
    assert table["digcompedu:3"] == [None, None, None, None, None, "withheld"]
    assert table["Total"] == [20.0, 33.0, 266.0, 199.5, 3.0]


def test_every_report_export_agrees_with_the_page(ledger):
    for dimension in Dimension.FIELDS:
        for threshold in (1, 5, 7, 25):
            report = reports.build_report(scope(ledger), dimension, threshold=threshold)
            lines = list(exports.report_lines(report))
            for row, line in zip([*report.rows, report.total], lines, strict=True):
                if row.suppressed:
                    assert line[1:6] == [None] * 5
                else:
                    assert line[1] >= threshold
                    assert line[1:6] == [
                        row.people,
                        row.credentials,
                        row.amount,
                        row.hours,
                        row.completed,
                    ]
            hidden = [row for row in report.rows if row.suppressed]
            assert len(hidden) != 1 or report.total.suppressed


def test_a_teacher_gets_no_export(client, ledger, people):
    for name in ("recognition:report_csv", "recognition:report_xlsx", "recognition:ledger_csv"):
        assert get(client, people["teacher"], name).status_code == 403


# --- Row-level ledger ------------------------------------------------------------------------


def test_the_ledger_csv_is_for_the_schemes_reviewers(client, ledger, people):
    response = get(client, people["reviewer"], "recognition:ledger_csv", period="2026-09-05")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    rows = read_csv(body(response))
    assert rows[0][:3] == ["Credential", "E-mail", "Name"]
    assert len(rows) == 1 + 33
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["E-mail"] == "a0@example.org"
    assert first["Institution"] == "University A"
    assert first["Period starts"] == THIS_PERIOD.isoformat()
    assert first["Recognised (lesson of 45 minutes (tiết))"] == "8.00"
    assert sum(Decimal(row[-2]) for row in rows[1:]) == Decimal("266.00")
    # Every period when asked.
    response = get(client, people["reviewer"], "recognition:ledger_csv", period="all")
    assert len(read_csv(body(response))) == 1 + 38

    assert get(client, people["manager"], "recognition:ledger_csv").status_code == 403
    # An institution admin asking for the scheme's ledger gets their own teachers' rows.
    response = get(client, people["admin_a"], "recognition:ledger_csv", period="2026-09-05")
    rows = read_csv(body(response))
    assert len(rows) == 1 + 15 and {row[3] for row in rows[1:]} == {"University A"}


def test_an_institution_admin_exports_their_own_teachers_only(client, ledger, people):
    response = get(
        client,
        people["admin_a"],
        "recognition:ledger_xlsx",
        period="2026-09-05",
        institution="uni-a",
    )
    assert response.status_code == 200
    assert "vn-lecturers-uni-a-ledger-2026-09-05.xlsx" in response["Content-Disposition"]
    (rows,) = read_xlsx(body(response)).values()
    assert rows[0][0] == "Credential"
    assert len(rows) == 1 + 15
    assert {row[3] for row in rows[1:]} == {"University A"}
    assert sum(row[10] for row in rows[1:]) == 122.0
    # Dates are dates (serial numbers with a date format), not text.
    assert isinstance(rows[1][8], float)
    forbidden = get(
        client, people["admin_a"], "recognition:ledger_csv", period="all", institution="uni-b"
    )
    assert forbidden.status_code == 403


def test_text_that_looks_like_a_formula_stays_text(client, ledger, people):
    person = ledger.people["a0"]
    person.legal_name = '=HYPERLINK("http://evil.example","click")'
    person.save()
    data = body(get(client, people["reviewer"], "recognition:ledger_csv", period="2026-09-05"))
    names = {row[2] for row in read_csv(data)[1:]}
    assert '\'=HYPERLINK("http://evil.example","click")' in names
    response = get(client, people["reviewer"], "recognition:ledger_xlsx", period="2026-09-05")
    raw = body(response)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_a_long_ledger_continues_on_a_new_sheet(ledger, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 11)
    response = exports.ledger_xlsx(scope(ledger), chunk_size=7)
    sheets = read_xlsx(body(response))
    assert list(sheets) == ["Ledger", "Ledger (2)", "Ledger (3)", "Ledger (4)"]
    assert [len(rows) for rows in sheets.values()] == [11, 11, 11, 4]
    assert all(rows[0][0] == "Credential" for rows in sheets.values())


def test_an_empty_ledger_exports_its_header(ledger):
    empty = scope(ledger, start=THIS_PERIOD.replace(year=2030))
    assert read_csv(body(exports.ledger_csv(empty))) == [exports.ledger_header(empty)]
    (rows,) = read_xlsx(body(exports.ledger_xlsx(empty))).values()
    assert rows == [exports.ledger_header(empty)]


def test_csv_leaves_in_blocks_not_one_line_at_a_time(ledger, monkeypatch):
    monkeypatch.setattr(exports, "LINES_PER_BLOCK", 10)
    blocks = list(exports.ledger_csv(scope(ledger)).streaming_content)
    assert len(blocks) == 4  # 33 rows: three blocks of ten and the rest
    assert blocks[0].startswith("\ufeff".encode())
