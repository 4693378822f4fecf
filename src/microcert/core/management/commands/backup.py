"""Back up the whole platform into one archive: the database, every uploaded file and a
manifest with checksums, optionally encrypted with a passphrase from the environment."""

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from microcert.core.backup import BackupRefused, passphrase_from_environment, write_archive


class Command(BaseCommand):
    help = (
        "Write a backup archive (tar) of the database and uploaded files. Issuer keys stay "
        "encrypted as they are in the database; keep KEY_ENCRYPTION_KEYS and SECRET_KEY "
        "elsewhere. See docs/backup.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            metavar="PATH",
            help="the archive to write (default: var/backups/microcert-<UTC time>.tar[.enc])",
        )
        parser.add_argument(
            "--passphrase-env",
            metavar="VAR",
            help="encrypt the archive with the passphrase held by this environment variable",
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(
        self, *args, output: str | None, passphrase_env: str | None, database: str, **options
    ):
        try:
            passphrase = (
                passphrase_from_environment(passphrase_env, new=True) if passphrase_env else None
            )
            summary = write_archive(
                output=Path(output) if output else _default_output(encrypted=bool(passphrase)),
                using=database,
                passphrase=passphrase,
            )
        except BackupRefused as error:
            raise CommandError(str(error)) from error
        for missing in summary.missing_files:
            self.stderr.write(f"Missing when backed up (recorded in the manifest): {missing}")
        self.stdout.write(
            f"Backup written: {summary.path} ({filesizeformat(summary.size)}, "
            f"{'encrypted' if summary.encrypted else 'NOT encrypted'})\n"
            f"  {summary.rows} rows in {summary.tables} tables; {summary.files} files "
            f"({filesizeformat(summary.file_bytes)})\n"
            f"  SHA-256 of the archive: {summary.sha256}\n"
            "  Issuer keys are in it encrypted, as in the database: a restore needs "
            "KEY_ENCRYPTION_KEYS to sign again (not to verify). Keep it off this machine."
        )


def _default_output(*, encrypted: bool) -> Path:
    directory = Path(settings.VAR_DIR) / "backups"
    directory.mkdir(mode=0o700, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return directory / f"microcert-{stamp}.tar{'.enc' if encrypted else ''}"
