"""Uploaded files in a backup: found through the models' file fields, so a new app's uploads
are covered without anyone listing them here."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from django.apps import apps as code_apps
from django.apps.registry import Apps
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import models

from .database import archived_models
from .errors import BackupRefused

READ_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FileReference:
    """A stored file named by a row: the model and field say which storage holds it."""

    model: str
    field: str
    name: str

    @property
    def member(self) -> str:
        return f"files/{self.model}/{self.field}/{self.name}"

    def as_json(self) -> dict[str, str]:
        return {"member": self.member, "model": self.model, "field": self.field, "name": self.name}


def safe_name(name: str) -> bool:
    """A relative name inside its storage: no absolute path, no way up, no odd parts."""
    path = PurePosixPath(name)
    return (
        bool(name)
        and "\\" not in name
        and "\x00" not in name
        and not path.is_absolute()
        and all(part not in ("", ".", "..") for part in name.split("/"))
    )


def file_fields(apps: Apps) -> Iterator[tuple[type[models.Model], models.FileField]]:
    for model in archived_models(apps):
        for field in model._meta.local_fields:
            if isinstance(field, models.FileField):
                yield model, field


def references(*, using: str, apps: Apps) -> list[FileReference]:
    """Every file a row points to, once per model and field. Call inside ``snapshot()``."""
    found = []
    for model, field in file_fields(apps):
        names = (
            model._base_manager.using(using)
            .exclude(**{field.attname: ""})
            .exclude(**{f"{field.attname}__isnull": True})
            .order_by(field.attname)
            .values_list(field.attname, flat=True)
            .distinct()
        )
        for name in names.iterator(chunk_size=2000):
            if not safe_name(name):
                raise BackupRefused(
                    f"{model._meta.label_lower}.{field.name} names a file outside its "
                    f"storage: {name!r}"
                )
            found.append(FileReference(model._meta.label_lower, field.name, name))
    return found


def storage_for(model_label: str, field_name: str) -> Storage:
    """Where this code keeps the files of a model's field (the default storage for a model
    or field the code no longer has)."""
    try:
        field = code_apps.get_model(model_label)._meta.get_field(field_name)
    except LookupError:
        return default_storage
    return field.storage if isinstance(field, models.FileField) else default_storage


def digest_of(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(READ_BYTES):
        digest.update(chunk)
    return digest.hexdigest()


def stored_digest(storage: Storage, name: str) -> str | None:
    """The SHA-256 of a stored file, or None when there is no such file."""
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as stream:
        return digest_of(stream)


def write(storage: Storage, name: str, source: BinaryIO) -> None:
    saved = storage.save(name, File(source, name=PurePosixPath(name).name))
    if saved != name:
        # The storage picked another name (one appeared meanwhile): take it back, refuse.
        storage.delete(saved)
        raise BackupRefused(f"The file {name} appeared in the storage while restoring.")
