"""Let an erasure redact the event log, and nothing else.

The event log stays append-only (core migration 0002): an UPDATE is still refused, except
inside a transaction that holds a row of ``privacy_redactionwindow`` (an erasure inserts one
at its start and deletes it before it commits, so no other transaction can ever see it), and
even then only the personal parts may change: the actor's label, the object's label, the
reason and the details. The id, the time, the actor, the verb and the object it concerns
never change; deleting a row stays refused as before.

The triggers keep core's names, so core's own reverse migration still removes them.
"""

from django.db import migrations

IMMUTABLE = ("id", "occurred_at", "actor_id", "verb", "object_type", "object_id")

SQLITE_CHANGED = " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in IMMUTABLE)
SQLITE_UP = [
    "DROP TRIGGER IF EXISTS core_event_no_update;",
    f"""CREATE TRIGGER core_event_no_update BEFORE UPDATE ON core_event
       WHEN NOT EXISTS (SELECT 1 FROM privacy_redactionwindow) OR {SQLITE_CHANGED}
       BEGIN SELECT RAISE(ABORT, 'core_event is append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_event_no_update;",
    """CREATE TRIGGER core_event_no_update BEFORE UPDATE ON core_event
       BEGIN SELECT RAISE(ABORT, 'core_event is append-only'); END;""",
]

POSTGRES_UNCHANGED = " AND ".join(
    f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}" for column in IMMUTABLE
)
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION core_event_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE'
            AND EXISTS (SELECT 1 FROM privacy_redactionwindow)
            AND {POSTGRES_UNCHANGED} THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'core_event is append-only';
       END; $$ LANGUAGE plpgsql;""",
]
POSTGRES_DOWN = [
    """CREATE OR REPLACE FUNCTION core_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'core_event is append-only'; END; $$ LANGUAGE plpgsql;""",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_event_append_only"),
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
