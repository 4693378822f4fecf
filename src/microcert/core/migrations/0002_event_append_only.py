"""Make the event table append-only in the database itself, so not even raw SQL can rewrite
history: UPDATE is refused on every database, row DELETE on PostgreSQL. TRUNCATE (PostgreSQL)
and a bulk DELETE on SQLite stay possible for the table's owner, because test isolation and
restoring a backup need them; the ORM refuses deletes everywhere."""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER core_event_no_update BEFORE UPDATE ON core_event
       BEGIN SELECT RAISE(ABORT, 'core_event is append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_event_no_update;",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION core_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'core_event is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_event_append_only BEFORE UPDATE OR DELETE ON core_event
       FOR EACH ROW EXECUTE FUNCTION core_event_append_only();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS core_event_append_only ON core_event;",
    "DROP FUNCTION IF EXISTS core_event_append_only();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
