"""The database side of a backup: its schema (applied migrations), a consistent snapshot
written model by model as JSON Lines, and loading such a dump into an empty database.

Rows are read and written through the *historical* models of the migration state the data
belongs to, never the code's current models: a database not yet migrated can be backed up,
and an archive made by an older release is loaded at its own schema and then migrated forward.

Every row keeps its primary key, so references (foreign keys, the event log's object ids,
URLs) stay as they were. Only content types and permissions are written by natural key,
because ``migrate`` makes those rows itself and numbers them as it goes.
"""

import datetime
import gzip
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.apps.registry import Apps
from django.core.management.color import no_style
from django.core.serializers import base, jsonl
from django.core.serializers import python as python_serializer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from .errors import BackupRefused

CONTENT_TYPE = "contenttypes.contenttype"
PERMISSION = "auth.permission"
# Made again by `migrate` (content types, permissions) or worthless after a restore (sessions).
NOT_ARCHIVED = {CONTENT_TYPE, PERMISSION, "sessions.session"}
READ_CHUNK_ROWS = 2000
INSERT_BATCH_ROWS = 500


# --- schema ------------------------------------------------------------------------------


def migration_loader(using: str) -> MigrationLoader:
    return MigrationLoader(connections[using], ignore_no_migrations=True)


def applied_migrations(using: str) -> dict[str, list[str]]:
    """{app label: applied migration names}, for the apps this code has migrations for."""
    loader = migration_loader(using)
    applied: dict[str, list[str]] = defaultdict(list)
    for app_label, name in loader.applied_migrations:
        if app_label in loader.migrated_apps:
            applied[app_label].append(name)
    return {label: sorted(names) for label, names in sorted(applied.items())}


def unknown_migrations(migrations: dict[str, list[str]], using: str) -> list[str]:
    """The migrations in ``migrations`` that this code does not have."""
    nodes = set(migration_loader(using).graph.nodes)
    return [
        f"{label}.{name}"
        for label, names in migrations.items()
        for name in names
        if (label, name) not in nodes
    ]


def recorded_but_unknown(using: str) -> list[str]:
    """Migrations the database says it applied that this code does not have (a newer
    release, or another project's database)."""
    loader = migration_loader(using)
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    nodes = set(loader.graph.nodes)
    return sorted(
        f"{label}.{name}"
        for label, name in recorder.applied_migrations()
        if label in loader.migrated_apps and (label, name) not in nodes
    )


def leaf_targets(migrations: dict[str, list[str]], using: str) -> dict[str, str]:
    """For each app, the one migration of ``migrations`` that all its others lead to."""
    graph = migration_loader(using).graph
    targets = {}
    for label, names in migrations.items():
        present = {(label, name) for name in names}
        leaves = [
            node
            for node in present
            if not any(child in present for child in graph.node_map[node].children)
        ]
        if len(leaves) != 1:
            raise BackupRefused(
                f"The migrations of {label} in the archive do not form one line: {sorted(names)}"
            )
        targets[label] = leaves[0][1]
    return targets


def state_apps(migrations: dict[str, list[str]], using: str) -> Apps:
    """The models as they were once ``migrations`` were applied."""
    nodes = [(label, name) for label, names in migrations.items() for name in names]
    return migration_loader(using).project_state(nodes=nodes, at_end=True).apps


def archived_models(apps: Apps) -> list[type[models.Model]]:
    """Every model whose rows a backup holds (auto-created many-to-many tables included),
    in a stable order."""
    chosen = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in NOT_ARCHIVED
    ]
    return sorted(chosen, key=lambda model: model._meta.label_lower)


def is_link_table(model: type[models.Model]) -> bool:
    """An auto-created many-to-many table: its rows travel with the model that declares it."""
    return bool(model._meta.auto_created)


# --- reading a consistent snapshot -------------------------------------------------------


@contextmanager
def snapshot(using: str) -> Iterator[None]:
    """Every read inside sees the database as it was at one moment, and writers are not held
    up: REPEATABLE READ on PostgreSQL, a deferred read transaction on SQLite (WAL)."""
    connection = connections[using]
    if connection.in_atomic_block:
        # Already inside a transaction (a test, a caller's own): it is the snapshot.
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        # Django would BEGIN IMMEDIATE (the settings ask for it), which takes the write lock
        # for the whole dump; a plain BEGIN only reads.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    with transaction.atomic(using=using):
        yield


# --- writing a dump ----------------------------------------------------------------------


class _Encoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a backup keeps every microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _Serializer(jsonl.Serializer):
    """JSON Lines with primary keys, except that content types and permissions are named by
    their natural keys (looked up in ``natural``: {model label: {pk: natural key}})."""

    def __init__(self, natural: dict[str, dict[Any, list]]) -> None:
        super().__init__()
        self._natural = natural

    def _natural_key(self, table: dict[Any, list], pk: Any, field: models.Field) -> list:
        try:
            return table[pk]
        except KeyError:
            raise BackupRefused(
                f"{field.model._meta.label_lower}.{field.name} refers to row {pk} of "
                f"{field.related_model._meta.label_lower}, which does not exist."
            ) from None

    def handle_fk_field(self, obj: models.Model, field: models.Field) -> None:
        table = self._natural.get(field.related_model._meta.label_lower)
        if table is None:
            super().handle_fk_field(obj, field)
            return
        value = getattr(obj, field.attname)
        self._current[field.name] = (
            None if value is None else self._natural_key(table, value, field)
        )

    def handle_m2m_field(self, obj: models.Model, field: models.Field) -> None:
        super().handle_m2m_field(obj, field)
        table = self._natural.get(field.related_model._meta.label_lower)
        if table is not None and field.name in self._current:
            self._current[field.name] = [
                self._natural_key(table, pk, field) for pk in self._current[field.name]
            ]


def _natural_keys(apps: Apps, using: str) -> dict[str, dict[Any, list]]:
    content_type = apps.get_model(CONTENT_TYPE)
    content_types = {
        pk: [app_label, model]
        for pk, app_label, model in content_type._base_manager.using(using).values_list(
            "pk", "app_label", "model"
        )
    }
    permission = apps.get_model(PERMISSION)
    permissions = {
        pk: [codename, *content_types[content_type_id]]
        for pk, codename, content_type_id in permission._base_manager.using(using).values_list(
            "pk", "codename", "content_type_id"
        )
    }
    return {CONTENT_TYPE: content_types, PERMISSION: permissions}


class _HashingSink(io.RawIOBase):
    def __init__(self, sink: BinaryIO) -> None:
        super().__init__()
        self._sink = sink
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.digest.update(data)
        self.size += len(data)
        return self._sink.write(data)


@dataclass(frozen=True)
class DumpedTable:
    label: str
    rows: int
    # None for a many-to-many table: its rows are written with the model that declares it.
    path: Path | None = None
    sha256: str = ""
    size: int = 0


def _counted(rows: Iterable[models.Model], counter: list[int]) -> Iterator[models.Model]:
    for row in rows:
        counter[0] += 1
        yield row


def dump(*, using: str, apps: Apps, directory: Path) -> list[DumpedTable]:
    """Write every archived model's rows to ``directory`` as gzipped JSON Lines, ordered by
    primary key, a chunk of rows at a time. Call inside ``snapshot()``."""
    natural = _natural_keys(apps, using)
    tables = []
    for model in archived_models(apps):
        label = model._meta.label_lower
        manager = model._base_manager.using(using)
        if is_link_table(model):
            tables.append(DumpedTable(label=label, rows=manager.count()))
            continue
        links = [
            field.name
            for field in model._meta.local_many_to_many
            if field.remote_field.through._meta.auto_created
        ]
        queryset = manager.order_by("pk")
        if links:
            queryset = queryset.prefetch_related(*links)
        path = directory / f"{label}.jsonl.gz"
        counter = [0]
        with path.open("wb") as raw:
            sink = _HashingSink(raw)
            # mtime=0 and no file name: the same rows always make the same bytes.
            with gzip.GzipFile(filename="", mode="wb", fileobj=sink, mtime=0) as zipped:
                text = io.TextIOWrapper(zipped, encoding="utf-8", newline="\n")
                _Serializer(natural).serialize(
                    _counted(queryset.iterator(chunk_size=READ_CHUNK_ROWS), counter),
                    stream=text,
                    cls=_Encoder,
                )
                text.flush()
                text.detach()
        tables.append(
            DumpedTable(
                label=label,
                rows=counter[0],
                path=path,
                sha256=sink.digest.hexdigest(),
                size=sink.size,
            )
        )
    return tables


# --- loading a dump ----------------------------------------------------------------------


def rows_present(using: str) -> list[str]:
    """What makes the database not empty, in words (empty list: it is empty). Content types
    and permissions do not count: ``migrate`` makes them."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if not tables:
        return []
    migrations = applied_migrations(using)
    if not migrations:
        return [f"{len(tables)} tables that no microcert migration made ({min(tables)}, …)"]
    found = []
    for model in archived_models(state_apps(migrations, using)):
        if model._meta.db_table not in tables:
            continue
        count = model._base_manager.using(using).count()
        if count:
            found.append(f"{model._meta.label_lower}: {count} rows")
    return found


class _Deserializer(python_serializer.Deserializer):
    """Django's deserializer, reading models from a migration state instead of the code."""

    def __init__(self, records: Iterable[dict], *, apps: Apps, using: str) -> None:
        super().__init__(records, using=using)
        self._apps = apps

    def _get_model_from_node(self, model_identifier: str) -> type[models.Model]:  # type: ignore[override]
        try:
            return self._apps.get_model(model_identifier)
        except (LookupError, TypeError, ValueError) as error:
            raise base.DeserializationError(f"unknown model {model_identifier!r}") from error


def _natural_pks(apps: Apps, using: str) -> dict[str, dict[tuple, Any]]:
    """{model label: {natural key: pk}} of the content types and permissions ``migrate`` made
    in this database (the inverse of what ``_natural_keys`` wrote)."""
    return {
        label: {tuple(key): pk for pk, key in table.items()}
        for label, table in _natural_keys(apps, using).items()
    }


def _records(
    path: Path, model: type[models.Model], natural_pks: dict[str, dict[tuple, Any]]
) -> Iterator[dict]:
    """The rows of a dump file, with natural keys turned back into this database's ids."""
    label = model._meta.label_lower
    natural_fields = {
        field.name: natural_pks[field.related_model._meta.label_lower]
        for field in [*model._meta.local_fields, *model._meta.local_many_to_many]
        if field.is_relation and field.related_model._meta.label_lower in natural_pks
    }

    def resolved(table: dict[tuple, Any], key: Any, field_name: str) -> Any:
        try:
            return table[tuple(key)]
        except (KeyError, TypeError):
            raise BackupRefused(
                f"{label}.{field_name} refers to {key!r}, which migrating this database did "
                "not create (a content type or permission made by hand?)."
            ) from None

    with gzip.open(path, "rt", encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            record = json.loads(line)
            if not isinstance(record, dict) or record.get("model") != label:
                raise BackupRefused(f"Line {number} of the {label} rows is not a {label} row.")
            values = record.get("fields") or {}
            for name, table in natural_fields.items():
                value = values.get(name)
                if value is None:
                    continue
                if isinstance(model._meta.get_field(name), models.ManyToManyField):
                    values[name] = [resolved(table, key, name) for key in value]
                else:
                    values[name] = resolved(table, value, name)
            yield record


def _insert(model: type[models.Model], batch: list[base.DeserializedObject], using: str) -> None:
    connection = connections[using]
    fields = [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]
    objects = [item.object for item in batch]
    size = max(1, connection.ops.bulk_batch_size(fields, objects))
    for start in range(0, len(objects), size):
        # What Model.save_base(raw=True) does for one row (as loaddata does), for many at once:
        # the stored values go in as they are, automatic timestamps included.
        model._base_manager.using(using)._insert(
            objects[start : start + size], fields=fields, using=using, raw=True
        )
    links: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for item in batch:
        for name, related_pks in (item.m2m_data or {}).items():
            field = model._meta.get_field(name)
            through = field.remote_field.through
            source = through._meta.get_field(field.m2m_field_name()).attname
            target = through._meta.get_field(field.m2m_reverse_field_name()).attname
            links[through] += [
                through(**{source: item.object.pk, target: pk}) for pk in related_pks
            ]
    for through, rows in links.items():
        through._base_manager.using(using).bulk_create(rows, batch_size=INSERT_BATCH_ROWS)


def load(*, using: str, apps: Apps, members: list[tuple[str, Path]]) -> None:
    """Insert the rows of each (model label, dump file) into the empty tables of ``apps``'
    schema; then check every foreign key and move the id sequences past the loaded ids.
    Call inside a transaction: foreign keys are checked as a whole at the end."""
    loaded: list[type[models.Model]] = []
    natural_pks = _natural_pks(apps, using)
    for label, path in members:
        model = apps.get_model(label)
        batch: list[base.DeserializedObject] = []
        try:
            records = _records(path, model, natural_pks)
            for item in _Deserializer(records, apps=apps, using=using):
                batch.append(item)
                if len(batch) >= INSERT_BATCH_ROWS:
                    _insert(model, batch, using)
                    batch = []
            if batch:
                _insert(model, batch, using)
        except base.DeserializationError as error:
            raise BackupRefused(f"The {label} rows cannot be read: {error}") from error
        loaded.append(model)
        loaded += [
            field.remote_field.through
            for field in model._meta.local_many_to_many
            if field.remote_field.through._meta.auto_created
        ]
    connection = connections[using]
    connection.check_constraints()
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), loaded):
            cursor.execute(statement)


def row_counts(using: str, apps: Apps) -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.using(using).count()
        for model in archived_models(apps)
    }
