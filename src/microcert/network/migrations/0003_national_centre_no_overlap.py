"""At most one National Centre in force per country on any day, held by the database itself.

The model's partial unique constraint already refuses a second open-ended designation; this
adds the rest where the database allows it:

* PostgreSQL: an exclusion constraint on (country, [starts_on, ends_on]), race-free; it needs
  the ``btree_gist`` extension. Where the extension cannot be created (a role without the
  privilege), the constraint is left out and the service's per-country lock and check remain.
* SQLite: triggers that abort an insert or update overlapping another designation of the same
  country (SQLite writes one transaction at a time, so a trigger is enough). Dates are ISO
  text there, so comparing them as strings compares them as dates.
"""

from django.db import migrations, transaction

_OVERLAP = """
    EXISTS (
        SELECT 1 FROM network_nationalcentre other
        WHERE other.country = NEW.country
          AND other.id <> NEW.id
          AND other.starts_on <= COALESCE(NEW.ends_on, '9999-12-31')
          AND NEW.starts_on <= COALESCE(other.ends_on, '9999-12-31')
    )
"""

SQLITE_UP = [
    f"""CREATE TRIGGER network_national_centre_no_overlap_insert
        BEFORE INSERT ON network_nationalcentre WHEN {_OVERLAP}
        BEGIN SELECT RAISE(ABORT, 'network_national_centre_no_overlap'); END;""",
    f"""CREATE TRIGGER network_national_centre_no_overlap_update
        BEFORE UPDATE ON network_nationalcentre WHEN {_OVERLAP}
        BEGIN SELECT RAISE(ABORT, 'network_national_centre_no_overlap'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS network_national_centre_no_overlap_insert;",
    "DROP TRIGGER IF EXISTS network_national_centre_no_overlap_update;",
]
POSTGRES_CONSTRAINT = """
    ALTER TABLE network_nationalcentre ADD CONSTRAINT network_national_centre_no_overlap
    EXCLUDE USING gist (country WITH =, daterange(starts_on, ends_on, '[]') WITH &&)
"""
POSTGRES_DOWN = [
    "ALTER TABLE network_nationalcentre DROP CONSTRAINT IF EXISTS "
    "network_national_centre_no_overlap",
]


def forwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        try:
            # A savepoint, so a refused CREATE EXTENSION does not abort the migration.
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        except Exception:  # noqa: BLE001 - any refusal means: the service guards alone
            return
        schema_editor.execute(POSTGRES_CONSTRAINT)


def backwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("network", "0002_accessionapplication_accessionaccesskey_and_more")]

    operations = [migrations.RunPython(forwards, backwards)]
