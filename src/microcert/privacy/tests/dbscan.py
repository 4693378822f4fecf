"""A scan of every text column of every table, straight in SQL, for given strings: what an
erasure must leave nowhere."""

import json

from django.db import connection


def _forms(needles: list[str]) -> list[str]:
    """Each needle as typed, lower-cased, and as a JSON column escapes it."""
    forms = set()
    for needle in needles:
        for form in (needle, needle.lower()):
            forms.add(form)
            forms.add(json.dumps(form)[1:-1])
    return sorted(forms)


def find(needles: list[str], *, skip: set[tuple[str, str]] = frozenset()) -> list[str]:
    """``table.column`` (with a row count) of every column holding one of ``needles``, but
    the (table, column) pairs in ``skip``."""
    forms = _forms(needles)
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                if (table, column.name) in skip:
                    continue
                text = f"CAST({quote(column.name)} AS TEXT)"
                condition = " OR ".join(
                    f"{text} LIKE %s OR LOWER({text}) LIKE %s" for _form in forms
                )
                params = [p for form in forms for p in (f"%{form}%", f"%{form}%")]
                cursor.execute(f"SELECT COUNT(*) FROM {quote(table)} WHERE {condition}", params)  # noqa: S608 - names come from the schema
                count = cursor.fetchone()[0]
                if count:
                    found.append(f"{table}.{column.name} ({count})")
    return found
