"""Restoring a verified archive into an empty database.

In order: refuse an archive from a newer schema, a database that is not empty, or a stored
file that differs from the archive's; migrate the database to the archive's schema; load the
rows, write the files and compare every table's row count with the manifest, all in one
transaction (files written are removed again if it fails); migrate forward to this code.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connections, transaction
from django.db.migrations.exceptions import InconsistentMigrationHistory
from django.db.migrations.executor import MigrationExecutor

from . import database, files
from .archive import OpenedArchive
from .errors import BackupRefused


@dataclass
class RestoreSummary:
    tables: int
    rows: int
    files: int
    file_bytes: int
    migrations_to_archive: int
    migrations_forward: int
    warnings: list[str] = field(default_factory=list)


def check_restorable(archive: OpenedArchive, *, using: str = "default") -> list[str]:
    """Refuse what would make a restore fail or lose something; changes nothing. Returns
    warnings worth telling the person restoring."""
    manifest = archive.manifest
    unknown = database.unknown_migrations(manifest["migrations"], using)
    if unknown:
        raise BackupRefused(
            "The archive comes from a newer schema than this code: it has migrations this "
            f"code does not know ({', '.join(unknown[:5])}). Restore it with the release that "
            "made it (or a later one)."
        )
    warnings = []
    made_for = manifest.get("source", {}).get("public_base_url")
    if made_for and made_for != settings.PUBLIC_BASE_URL:
        warnings.append(
            f"The archive was made at {made_for} but PUBLIC_BASE_URL is "
            f"{settings.PUBLIC_BASE_URL}: credentials and DIDs name the first one, so set "
            "PUBLIC_BASE_URL to it before serving or verifying them."
        )
    if manifest.get("missing_files"):
        warnings.append(
            f"{len(manifest['missing_files'])} files were already missing when the backup was "
            "made (listed under missing_files in its manifest)."
        )
    return warnings


def _check_database_empty(using: str) -> None:
    ahead = database.recorded_but_unknown(using)
    if ahead:
        raise BackupRefused(
            "The database has migrations this code does not know "
            f"({', '.join(ahead[:5])}): restore into a new, empty database."
        )
    present = database.rows_present(using)
    if present:
        shown = "; ".join(present[:5]) + ("; …" if len(present) > 5 else "")
        raise BackupRefused(
            f"The database is not empty ({shown}). A restore only goes into a new, empty "
            "database: create one, point DATABASE_URL at it and run restore again. Nothing "
            "was changed."
        )


def _check_files_absent(archive: OpenedArchive) -> None:
    for entry in archive.manifest["files"]:
        storage = files.storage_for(entry["model"], entry["field"])
        present = files.stored_digest(storage, entry["name"])
        expected = archive.manifest["members"][entry["member"]]["sha256"]
        if present is not None and present != expected:
            raise BackupRefused(
                f"The file {entry['name']} already exists with other content; restore into an "
                "empty media directory (MEDIA_ROOT). Nothing was changed."
            )


def _migrate_to(migrations: dict[str, list[str]], using: str) -> int:
    """Bring the (empty) database to exactly the archive's migrations, as ``migrate`` would
    (with the signals that make content types and permissions); how many migrations ran."""
    connection = connections[using]
    targets = database.leaf_targets(migrations, using)
    executor = MigrationExecutor(connection)
    try:
        executor.loader.check_consistent_history(connection)
    except InconsistentMigrationHistory as error:
        raise BackupRefused(f"The database's migration history is inconsistent: {error}") from error
    wanted = [(label, targets.get(label)) for label in sorted(executor.loader.migrated_apps)]
    plan = executor.migration_plan(wanted)
    if not plan:
        return 0
    if any(backwards for _migration, backwards in plan):
        raise BackupRefused(
            "The database was migrated further than the archive; its tables are empty, but "
            "a restore does not migrate backwards: restore into a new database. Nothing was "
            "changed."
        )
    before = executor.loader.project_state(list(executor.loader.applied_migrations))
    emit_pre_migrate_signal(0, False, using, apps=before.apps, plan=plan)
    state = executor.migrate(wanted, plan=plan)
    state.clear_delayed_apps_cache()
    emit_post_migrate_signal(0, False, using, apps=state.apps, plan=plan)
    if database.applied_migrations(using) != migrations:
        raise BackupRefused(
            "The database could not be brought to the archive's migrations; its tables are "
            "still empty. Restore into a new database."
        )
    return len(plan)


def _migrate_forward(using: str) -> int:
    executor = MigrationExecutor(connections[using])
    steps = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    if steps:
        call_command("migrate", database=using, verbosity=0, interactive=False)
    return steps


def restore_archive(archive: OpenedArchive, *, using: str = "default") -> RestoreSummary:
    warnings = check_restorable(archive, using=using)
    _check_database_empty(using)
    _check_files_absent(archive)
    manifest = archive.manifest
    migrations = manifest["migrations"]
    to_archive = _migrate_to(migrations, using)

    apps = database.state_apps(migrations, using)
    expected = {label: table["rows"] for label, table in manifest["tables"].items()}
    known = {model._meta.label_lower for model in database.archived_models(apps)}
    if set(expected) != known:
        raise BackupRefused(
            "The manifest's tables do not match the archive's migrations "
            f"(only in the manifest: {sorted(set(expected) - known)[:3]}, only in the schema: "
            f"{sorted(known - set(expected))[:3]}). The database tables are still empty."
        )
    members = [
        (label, archive.path(table["member"]))
        for label, table in sorted(manifest["tables"].items())
        if "member" in table
    ]
    written: list[tuple] = []
    file_bytes = 0
    try:
        with transaction.atomic(using=using):
            database.load(using=using, apps=apps, members=members)
            counts = database.row_counts(using, apps)
            differing = {
                label: (rows, counts.get(label))
                for label, rows in expected.items()
                if counts.get(label) != rows
            }
            if differing:
                shown = ", ".join(
                    f"{label}: {got} rows, manifest {rows}"
                    for label, (rows, got) in sorted(differing.items())[:5]
                )
                raise BackupRefused(f"Row counts differ from the manifest ({shown}); rolled back.")
            for entry in manifest["files"]:
                storage = files.storage_for(entry["model"], entry["field"])
                file_bytes += manifest["members"][entry["member"]]["size"]
                if storage.exists(entry["name"]):
                    continue  # the same bytes (checked above)
                with archive.path(entry["member"]).open("rb") as source:
                    files.write(storage, entry["name"], source)
                written.append((storage, entry["name"]))
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    forward = _migrate_forward(using)
    return RestoreSummary(
        tables=len(expected),
        rows=sum(expected.values()),
        files=len(manifest["files"]),
        file_bytes=file_bytes,
        migrations_to_archive=to_archive,
        migrations_forward=forward,
        warnings=warnings,
    )
