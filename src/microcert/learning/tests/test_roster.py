"""Reading an institution's list of teachers from CSV: every bad line named, nothing guessed."""

import pytest
from django.core.exceptions import ValidationError

from microcert.learning.roster import MAX_ROSTER_ROWS, NewTeacher, parse_roster


def test_a_list_with_a_header_in_any_column_order_and_a_bom():
    data = "\ufeffName;E-mail;Language\nPhạm Thị Lan;Lan@Uni.example;VI\n张伟;wei@uni.example;zh\n"
    assert parse_roster(data.encode()) == [
        NewTeacher(email="Lan@Uni.example", legal_name="Phạm Thị Lan", language="vi"),
        NewTeacher(email="wei@uni.example", legal_name="张伟", language="zh-hans"),
    ]


def test_the_language_column_is_optional_and_blank_lines_are_skipped():
    rows = parse_roster(b"email,name\n\nmarie@uni.example,Marie Curie\n,\n")
    assert rows == [NewTeacher(email="marie@uni.example", legal_name="Marie Curie", language="en")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"who,where\nx,y\n", "first line must name the columns"),
        (b"email,name\n", "lists nobody"),
        (b"email,name\nnot-an-address,Someone\n", "Line 2: \u201cnot-an-address\u201d"),
        (b"email,name\na@uni.example,\n", "Line 2: the name is missing"),
        (b"email,name,language\na@uni.example,A,de\n", "\u201cde\u201d is not a language"),
        (b"email,name\n" + b"x" * (1024 * 1024), "larger than 1 MB"),
        (b'email,name\n"a@uni.example,A\n', "not valid CSV"),
    ],
)
def test_a_bad_file_is_refused_in_words(data, message):
    with pytest.raises(ValidationError) as refused:
        parse_roster(data)
    assert any(message in text for text in refused.value.messages), refused.value.messages


def test_every_bad_line_is_named_not_only_the_first():
    data = b"email,name\nok@uni.example,Ok\nbad,One\nalso-bad,Two\n"
    with pytest.raises(ValidationError) as refused:
        parse_roster(data)
    assert [m.split(":")[0] for m in refused.value.messages] == ["Line 3", "Line 4"]


def test_a_list_longer_than_the_limit_is_refused():
    lines = "".join(f"t{n}@uni.example,T{n}\n" for n in range(MAX_ROSTER_ROWS + 1))
    with pytest.raises(ValidationError, match="At most"):
        parse_roster(("email,name\n" + lines).encode())
