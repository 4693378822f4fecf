"""Properties of the teachers' CSV: any bytes are read or refused in words, and a list written
by a spreadsheet (any delimiter, quoting, Unicode names) reads back as written."""

import csv
import io

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from microcert.learning.roster import NewTeacher, parse_roster


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_are_read_or_refused_in_words(raw):
    try:
        rows = parse_roster(raw)
    except ValidationError as refused:
        assert refused.messages and all(refused.messages)
    else:
        assert rows and all(isinstance(row, NewTeacher) for row in rows)


NAMES = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._", min_size=1, max_size=12).filter(
    lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s
)


@settings(max_examples=150, deadline=None)
@given(
    people=st.lists(
        st.tuples(LOCAL, NAMES, st.sampled_from(["en", "vi", "zh-hans", "fr"])),
        min_size=1,
        max_size=8,
        unique_by=lambda p: p[0],
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_a_list_a_spreadsheet_writes_reads_back(people, delimiter, quoting):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting)
    writer.writerow(["email", "name", "language"])
    for local, name, language in people:
        writer.writerow([f"{local}@uni.example", name, language])

    rows = parse_roster(out.getvalue().encode("utf-8"))

    assert rows == [
        NewTeacher(email=f"{local}@uni.example", legal_name=name, language=language)
        for local, name, language in people
    ]
