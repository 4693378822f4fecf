"""Properties of reading a bulk-issuance CSV: any bytes are read or refused in words, and a
file a spreadsheet writes reads back cell for cell."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from microcert.credentials.bulk import BulkUploadError, read_issue_csv

HEADER = ["email", "specification", "evidence_url", "evidence_name"]


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("cohort.csv", data, "text/csv")


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=400)
    | st.text(max_size=300).map(lambda t: (",".join(HEADER) + "\n" + t).encode())
)
def test_any_bytes_are_read_or_refused_in_words(raw):
    try:
        upload = read_issue_csv(_upload(raw))
    except BulkUploadError as refused:
        assert refused.messages and all(refused.messages)
    else:
        assert set(HEADER) <= set(upload.header) and upload.rows
        for row in upload.rows:
            assert row["line"] >= 2 and set(row["values"]) <= set(upload.header)


CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30
).map(str.strip)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(CELL, CELL, CELL, CELL).filter(any), min_size=1, max_size=8),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_a_file_a_spreadsheet_writes_reads_back_cell_for_cell(rows, quoting):
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting)
    writer.writerow(HEADER)
    writer.writerows(rows)

    upload = read_issue_csv(_upload(out.getvalue().encode("utf-8")))

    assert [tuple(r["values"][name] for name in HEADER) for r in upload.rows] == rows
