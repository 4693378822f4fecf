"""Migrations run forward over real data: the demo (with credentials, a revoked one, evidence,
events and the PD ledger), projected back onto the earliest schema in which every app exists,
is migrated to the latest schema in a separate, new database and comes out intact.

The earlier schema is each app's first migration (with whatever those depend on), so every
later migration of every app runs over the demo rows. Rows are written through that schema's
historical models: fields added later are left to their migration's default, models added
later start empty. A later migration that drops or renames a column the demo fills would need
a value here (``FILL``): the test says which one is missing.
"""

import gzip
import json
from pathlib import Path

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import load_backend

from microcert.core.backup import database
from microcert.core.tests.databases import fresh_database

ALIAS = "migration_check"
# {(model label, field name): value} for columns of the earlier schema that the latest demo
# rows no longer carry (dropped or renamed since). Empty while no migration does that.
FILL: dict[tuple[str, str], object] = {}


@pytest.fixture
def separate_database(db, tmp_path):
    """A new, empty database reachable as ``connections[ALIAS]`` for the length of the test.
    It is not in the settings: Django's test isolation lets such a connection be."""
    with fresh_database(tmp_path) as fresh:
        settings_dict = connections.configure_settings({"default": fresh["settings"]})["default"]
        connections[ALIAS] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
            settings_dict, ALIAS
        )
        try:
            yield ALIAS
        finally:
            connections[ALIAS].close()
            del connections[ALIAS]


def _earliest_schema(executor: MigrationExecutor) -> dict[str, list[str]]:
    """Every app's first migration and everything those depend on."""
    graph = executor.loader.graph
    firsts = [
        node
        for node in graph.nodes
        if not any(parent[0] == node[0] for parent in graph.node_map[node].parents)
    ]
    schema: dict[str, list[str]] = {}
    for label, name in {ancestor for first in firsts for ancestor in graph.forwards_plan(first)}:
        schema.setdefault(label, []).append(name)
    return {label: sorted(names) for label, names in sorted(schema.items())}


def _migrate(using: str, targets: list[tuple[str, str]]) -> int:
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(targets)
    state = executor.migrate(targets, plan=plan)
    state.clear_delayed_apps_cache()
    # As `migrate` does: content types and permissions for the schema just reached.
    emit_post_migrate_signal(0, False, using, apps=state.apps, plan=plan)
    return len(plan)


def _read(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return [json.loads(line) for line in stream]


def _project(rows: list[dict], model, directory: Path) -> Path:
    """The demo rows of a model as the earlier schema holds them (permissions of models that
    did not exist yet left out)."""
    label = model._meta.label_lower
    existing = {(m._meta.app_label, m._meta.model_name) for m in model._meta.apps.get_models()}
    permission_links = {
        f.name
        for f in model._meta.local_many_to_many
        if f.related_model._meta.label_lower == database.PERMISSION
    }
    names = {f.name for f in model._meta.local_fields if not f.primary_key}
    names |= {f.name for f in model._meta.local_many_to_many}
    required = {
        f.name
        for f in model._meta.local_fields
        if not f.primary_key and not f.null and not f.has_default() and not f.auto_created
    }
    for row in rows:
        fields = {name: value for name, value in row["fields"].items() if name in names}
        for name in permission_links & set(fields):
            fields[name] = [key for key in fields[name] if tuple(key[1:]) in existing]
        for name in required - set(fields):
            if (label, name) not in FILL:
                pytest.fail(
                    f"{label}.{name} exists in the earlier schema but not in today's rows: "
                    "a later migration dropped or renamed it. Give it a value in FILL."
                )
            fields[name] = FILL[(label, name)]
        row["fields"] = fields
    path = directory / f"{label}.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        for row in rows:
            stream.write(json.dumps(row) + "\n")
    return path


def test_migrations_carry_the_demo_data_forward_from_every_apps_first_migration(
    separate_database, tmp_path
):
    from microcert.credentials.models import IssuedCredential
    from microcert.credentials.services import credential_revoke
    from microcert.demo.services import demo_load

    demo_load(credentials=True)
    revoked = IssuedCredential.objects.get(recipient__email="hung.le@hust.example")
    credential_revoke(credential=revoked, actor=None, reason="Issued in error (test).")
    today = database.state_apps(database.applied_migrations("default"), "default")
    (tmp_path / "today").mkdir()
    demo = {
        table.label: table
        for table in database.dump(using="default", apps=today, directory=tmp_path / "today")
    }

    executor = MigrationExecutor(connections[separate_database])
    earliest = _earliest_schema(executor)
    _migrate(separate_database, list(database.leaf_targets(earliest, separate_database).items()))
    assert database.applied_migrations(separate_database) == earliest
    then = database.state_apps(earliest, separate_database)
    (tmp_path / "then").mkdir()
    projected = {
        model._meta.label_lower: _project(
            _read(demo[model._meta.label_lower].path), model, tmp_path / "then"
        )
        for model in database.archived_models(then)
        if not database.is_link_table(model)
    }
    with transaction.atomic(using=separate_database):
        database.load(using=separate_database, apps=then, members=sorted(projected.items()))

    forward = _migrate(separate_database, executor.loader.graph.leaf_nodes())
    assert forward > 0, "no migration ran over the data: the test proves nothing"
    assert database.applied_migrations(separate_database) == database.applied_migrations("default")

    latest = database.state_apps(database.applied_migrations(separate_database), separate_database)
    (tmp_path / "after").mkdir()
    after = {
        table.label: table
        for table in database.dump(
            using=separate_database, apps=latest, directory=tmp_path / "after"
        )
    }
    carried = [m for m in database.archived_models(then) if not database.is_link_table(m)]
    assert len(carried) > 50
    for model in carried:
        label = model._meta.label_lower
        # Every row is there, and every value the earlier schema held (many-to-many links
        # included) is unchanged.
        assert after[label].rows == demo[label].rows, label
        names = {f.name for f in model._meta.local_fields} | {
            f.name for f in model._meta.local_many_to_many
        }
        held_then = {row["pk"]: row["fields"] for row in _read(projected[label])}
        for row in _read(after[label].path):
            kept = {name: value for name, value in row["fields"].items() if name in names}
            assert kept == held_then[row["pk"]], (label, row["pk"])

    # A few things that matter, read through today's models in the migrated database.
    assert after["core.event"].rows > 100
    assert after["recognition.ledgerentry"].rows > 0
    migrated = IssuedCredential.objects.using(separate_database)
    assert migrated.get(uuid=revoked.uuid).status == "revoked"
    assert {c.uuid: c.document for c in migrated} == {
        c.uuid: c.document for c in IssuedCredential.objects.all()
    }
