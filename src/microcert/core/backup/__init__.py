"""Backups of the whole platform (database and uploaded files) and their restore.

``write_archive`` makes one archive; ``open_archive`` decrypts and verifies one without
touching any database; ``restore_archive`` loads a verified archive into an empty database.
The management commands ``backup`` and ``restore`` are thin layers over these; see
``docs/backup.md``.
"""

from .archive import BackupSummary, OpenedArchive, open_archive, write_archive
from .encryption import DamagedArchive, WrongPassphrase, passphrase_from_environment
from .errors import BackupRefused
from .restore import RestoreSummary, check_restorable, restore_archive

__all__ = [
    "BackupRefused",
    "BackupSummary",
    "DamagedArchive",
    "OpenedArchive",
    "RestoreSummary",
    "WrongPassphrase",
    "check_restorable",
    "open_archive",
    "passphrase_from_environment",
    "restore_archive",
    "write_archive",
]
