"""The backup archive: one tar stream (optionally encrypted as a whole) holding

* ``database/<app>.<model>.jsonl.gz``: the rows of each model (see ``database``),
* ``files/<app>.<model>/<field>/<name>``: every uploaded file a row points to,
* ``manifest.json``, last: format, time, platform version, the applied migrations per app,
  the row count of every table, the files, and the size and SHA-256 of every other member.

The manifest comes last so that an archive cut short always lacks it. Reading extracts every
member to a private temporary directory and checks it against the manifest before anything
else happens: a restore never starts from an archive it has not fully verified.
"""

import hashlib
import io
import json
import os
import platform
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

import django
from django.conf import settings
from django.db import connections

from . import database, files
from .encryption import MAGIC, DamagedArchive, DecryptingReader, EncryptingWriter, is_encrypted
from .errors import BackupRefused

FORMAT = "microcert-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
COPY_BYTES = 1024 * 1024


def platform_version() -> str:
    try:
        return metadata.version("microcert")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- writing -----------------------------------------------------------------------------


@dataclass
class BackupSummary:
    path: Path
    size: int
    sha256: str
    encrypted: bool
    tables: int
    rows: int
    files: int
    file_bytes: int
    missing_files: list[str] = field(default_factory=list)


class _HashingReader:
    """Hands ``tarfile`` a file's bytes while hashing them, so each file is read once."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.digest.update(data)
        return data


class _CountingSink:
    """The archive file: counts and hashes what is written (the summary prints the hash, so
    a copy kept elsewhere can be checked)."""

    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self._sink.write(data)

    def flush(self) -> None:
        self._sink.flush()


def _tar_info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    return info


def write_archive(*, output: Path, using: str = "default", passphrase: str | None) -> BackupSummary:
    """Back up the database ``using`` and its uploaded files to ``output``. The archive is
    written beside it under a hidden name and renamed once complete, readable by its owner
    only: a failed backup never leaves something that looks like a backup."""
    if output.exists():
        raise BackupRefused(f"{output} exists already; choose another name.")
    if not output.parent.is_dir():
        raise BackupRefused(f"The directory {output.parent} does not exist.")
    unknown = database.recorded_but_unknown(using)
    if unknown:
        raise BackupRefused(
            "The database has migrations this code does not know "
            f"({', '.join(unknown[:5])}): back it up with the release that made them."
        )
    created_at = datetime.now(UTC)
    partial = output.with_name(f".{output.name}.partial")
    with tempfile.TemporaryDirectory(prefix="microcert-backup-") as work:
        with database.snapshot(using):
            migrations = database.applied_migrations(using)
            apps = database.state_apps(migrations, using)
            tables = database.dump(using=using, apps=apps, directory=Path(work))
            references = files.references(using=using, apps=apps)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": created_at.isoformat().replace("+00:00", "Z"),
            "platform": {
                "name": "microcert",
                "version": platform_version(),
                "django": django.get_version(),
                "python": platform.python_version(),
            },
            "source": {
                "database": connections[using].vendor,
                "public_base_url": settings.PUBLIC_BASE_URL,
            },
            "migrations": migrations,
            "tables": {
                table.label: (
                    {"rows": table.rows, "member": _table_member(table.label)}
                    if table.path is not None
                    else {"rows": table.rows}
                )
                for table in tables
            },
        }
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw:
                sink = _CountingSink(raw)
                writer = EncryptingWriter(sink, passphrase) if passphrase else None  # type: ignore[arg-type]
                _write_tar(writer or sink, manifest, tables, references, created_at)
                if writer is not None:
                    writer.close()
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupSummary(
        path=output,
        size=sink.size,
        sha256=sink.digest.hexdigest(),
        encrypted=bool(passphrase),
        tables=len(tables),
        rows=sum(table.rows for table in tables),
        files=len(manifest["files"]),
        file_bytes=sum(manifest["members"][entry["member"]]["size"] for entry in manifest["files"]),
        missing_files=[
            f"{m['model']}.{m['field']}: {m['name']}" for m in manifest["missing_files"]
        ],
    )


def _table_member(label: str) -> str:
    return f"database/{label}.jsonl.gz"


def _write_tar(
    sink: Any,
    manifest: dict[str, Any],
    tables: list[database.DumpedTable],
    references: list[files.FileReference],
    created_at: datetime,
) -> None:
    """Stream the members into a tar and complete ``manifest`` with them; it goes in last."""
    members: dict[str, dict] = {}
    stored: list[dict] = []
    missing: list[dict] = []
    mtime = created_at.timestamp()
    with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for table in tables:
            if table.path is None:
                continue
            name = _table_member(table.label)
            with table.path.open("rb") as stream:
                tar.addfile(_tar_info(name, table.size, mtime), stream)
            members[name] = {"size": table.size, "sha256": table.sha256}
        for reference in references:
            storage = files.storage_for(reference.model, reference.field)
            if not storage.exists(reference.name):
                # Said in the manifest and the summary; the rest of the backup is still worth
                # having.
                missing.append(reference.as_json())
                continue
            size = storage.size(reference.name)
            with storage.open(reference.name, "rb") as stream:
                reader = _HashingReader(stream)
                tar.addfile(_tar_info(reference.member, size, mtime), reader)
            members[reference.member] = {"size": size, "sha256": reader.digest.hexdigest()}
            stored.append(reference.as_json())
        manifest.update(files=stored, missing_files=missing, members=members)
        body = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode()
        tar.addfile(_tar_info(MANIFEST, len(body), mtime), io.BytesIO(body))


# --- reading -----------------------------------------------------------------------------


class OpenedArchive:
    """A verified archive, its members extracted to a private temporary directory (removed
    by ``close()`` or at the end of a ``with`` block)."""

    def __init__(self, manifest: dict, directory: Path, paths: dict[str, Path], encrypted: bool):
        self.manifest = manifest
        self.directory = directory
        self._paths = paths
        self.encrypted = encrypted

    def path(self, member: str) -> Path:
        return self._paths[member]

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "OpenedArchive":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_archive(path: Path, *, passphrase: str | None) -> OpenedArchive:
    """Decrypt (when encrypted), extract and check every member against the manifest; raise
    ``BackupRefused`` with the reason when anything is wrong. Reads no database."""
    if not path.is_file():
        raise BackupRefused(f"{path} is not a file.")
    directory = Path(tempfile.mkdtemp(prefix="microcert-restore-"))
    try:
        with path.open("rb") as raw:
            encrypted = is_encrypted(raw.read(len(MAGIC)))
            raw.seek(0)
            if encrypted and not passphrase:
                raise BackupRefused(
                    "The archive is encrypted: give the environment variable holding its "
                    "passphrase with --passphrase-env."
                )
            if passphrase and not encrypted:
                raise BackupRefused(
                    "A passphrase was given but this archive is not encrypted: it is not the "
                    "archive you expect (or it was replaced)."
                )
            if encrypted:
                reader = DecryptingReader(raw, passphrase or "")
                paths, digests = _extract(io.BufferedReader(reader, COPY_BYTES), directory)
                reader.read_to_end()
            else:
                paths, digests = _extract(raw, directory)
        manifest = _checked_manifest(paths, digests)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return OpenedArchive(manifest, directory, paths, encrypted)


def _extract(stream: BinaryIO, directory: Path) -> tuple[dict[str, Path], dict[str, tuple]]:
    paths: dict[str, Path] = {}
    digests: dict[str, tuple[int, str]] = {}
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for index, member in enumerate(tar):
                name = member.name
                if not member.isfile():
                    raise DamagedArchive(f"The archive holds {name!r}, which is not a file.")
                if name in paths:
                    raise DamagedArchive(f"The archive holds {name!r} twice.")
                if name != MANIFEST and not name.startswith(("database/", "files/")):
                    raise DamagedArchive(
                        f"The archive holds {name!r}, which is no part of a backup."
                    )
                # Members are stored under numbers, never under their names: a name cannot
                # lead outside the directory.
                target = directory / f"{index:08d}"
                source = tar.extractfile(member)
                digest = hashlib.sha256()
                size = 0
                with target.open("wb") as out:
                    while chunk := source.read(COPY_BYTES):  # type: ignore[union-attr]
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                paths[name] = target
                digests[name] = (size, digest.hexdigest())
    except (tarfile.TarError, EOFError) as error:
        raise DamagedArchive(f"The archive is damaged or truncated ({error}).") from error
    return paths, digests


def _checked_manifest(paths: dict[str, Path], digests: dict[str, tuple]) -> dict:
    if MANIFEST not in paths:
        raise DamagedArchive(
            "The archive has no manifest: it is truncated or not a microcert backup."
        )
    try:
        manifest = json.loads(paths[MANIFEST].read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise DamagedArchive(f"The manifest is not readable JSON ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DamagedArchive("The manifest is not a microcert backup manifest.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupRefused(
            f"The archive is in format {version!r}; this code reads up to {FORMAT_VERSION}: "
            "restore it with the release that made it."
        )
    listed = manifest.get("members")
    tables = manifest.get("tables")
    stored_files = manifest.get("files")
    migrations = manifest.get("migrations")
    if not (
        isinstance(listed, dict)
        and isinstance(tables, dict)
        and isinstance(stored_files, list)
        and isinstance(migrations, dict)
    ):
        raise DamagedArchive("The manifest lacks its members, tables, files or migrations.")
    for label, names in migrations.items():
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise DamagedArchive(f"The manifest's migrations of {label!r} are not valid.")
    present = set(paths) - {MANIFEST}
    if missing := sorted(set(listed) - present):
        raise DamagedArchive(f"{missing[0]} is listed in the manifest but not in the archive.")
    if unlisted := sorted(present - set(listed)):
        raise DamagedArchive(f"{unlisted[0]} is in the archive but not in its manifest.")
    for name, expected in sorted(listed.items()):
        if (
            not isinstance(expected, dict)
            or (
                expected.get("size"),
                expected.get("sha256"),
            )
            != digests[name]
        ):
            raise DamagedArchive(
                f"{name} does not match its SHA-256 in the manifest: the archive was altered "
                "or damaged."
            )
    for label, table in tables.items():
        if not isinstance(table, dict) or not isinstance(table.get("rows"), int):
            raise DamagedArchive(f"The manifest's entry for {label} is not valid.")
        if "member" in table and table["member"] not in listed:
            raise DamagedArchive(f"The rows of {label} are missing from the archive.")
    for entry in stored_files:
        try:
            reference = files.FileReference(entry["model"], entry["field"], entry["name"])
        except (KeyError, TypeError) as error:
            raise DamagedArchive(f"The file entry {entry!r} is not valid.") from error
        if not files.safe_name(reference.name) or reference.member != entry.get("member"):
            raise DamagedArchive(f"The file entry {entry!r} is not valid.")
        if reference.member not in listed:
            raise DamagedArchive(f"The file {reference.name} is missing from the archive.")
    return manifest
