"""``bulk_insert``: Django's ``bulk_create``, through ``COPY`` on PostgreSQL.

Storing a cohort's credentials (some 16 KB of JSON each) with ``INSERT … VALUES`` spends most
of its time outside the database: Django compiles one placeholder per field and row, psycopg
splits the long statement and quotes every document into it as a literal, and the server
parses that statement again. ``COPY … FROM STDIN`` sends the rows as a stream that psycopg
formats in C and the server reads without a parser: measured on the cohort's documents, a
third of the time per row (ADR 0017).

``COPY`` returns no ids, so the ids are drawn from the table's sequence first, in one query,
and written with the rows. Everything else is as ``bulk_create`` does it: each field's
``pre_save`` (``auto_now_add`` and the like) and ``get_db_prep_save``, related objects' ids
copied, the instances marked as stored; no ``save`` signals are sent, and a constraint that
fails raises Django's ``IntegrityError`` with nothing of the call stored. Other databases get
``bulk_create`` itself.
"""

from collections.abc import Sequence
from typing import TypeVar

from django.db import connections, models
from django.db.models.expressions import DatabaseDefault

M = TypeVar("M", bound=models.Model)


def bulk_insert(model: type[M], objs: Sequence[M], *, using: str = "default") -> list[M]:
    """Insert ``objs`` (new instances of ``model``) and return them with their primary keys."""
    objs = list(objs)
    connection = connections[using]
    meta = model._meta
    stored = [obj.pk for obj in objs if obj.pk is not None]
    if stored:
        raise ValueError(f"{meta.label} {stored[0]} has an id already: bulk_insert adds new rows")
    if not objs or connection.vendor != "postgresql":
        return model._default_manager.using(using).bulk_create(objs)
    pk = meta.pk
    if not isinstance(pk, models.AutoField | models.BigAutoField):
        raise TypeError(f"bulk_insert draws ids from a sequence; {meta.label}'s key is not one")
    fields = [field for field in meta.concrete_fields if not field.generated]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        for obj, new_id in zip(objs, ids, strict=True):
            obj._prepare_related_fields_for_save(operation_name="bulk_insert")
            obj.pk = new_id
        # Errors raised by psycopg's own cursor become Django's, as for any query.
        with connection.wrap_database_errors:
            statement = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                for obj in objs:
                    copy.write_row([_column_value(field, obj, connection) for field in fields])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
    return objs


def _column_value(field: models.Field, obj: models.Model, connection) -> object:
    value = field.pre_save(obj, add=True)
    if isinstance(value, DatabaseDefault):
        raise TypeError(f"bulk_insert cannot write database defaults ({field.name})")
    return field.get_db_prep_save(value, connection)
