"""Restore a backup archive into an empty database, then (with --verify) verify every
credential in it. A damaged, altered or newer archive, a wrong passphrase or a database that
is not empty is refused with the reason, and nothing is changed."""

import time
from pathlib import Path

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from microcert.core.backup import (
    BackupRefused,
    check_restorable,
    open_archive,
    passphrase_from_environment,
    restore_archive,
)

# Verifying credentials belongs to a higher floor than core; its command is called by name.
VERIFY_COMMAND = "verify_all"


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty database (migrating it to the archive's "
        "schema, then forward to this code). See docs/backup.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", metavar="PATH")
        parser.add_argument(
            "--passphrase-env",
            metavar="VAR",
            help="the environment variable holding the passphrase of an encrypted archive",
        )
        parser.add_argument("--database", default="default", help="database alias")
        parser.add_argument(
            "--check",
            action="store_true",
            help="only decrypt and verify the archive against its manifest; change nothing",
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help=f"afterwards, verify every credential ({VERIFY_COMMAND})",
        )

    def handle(
        self,
        *args,
        archive: str,
        passphrase_env: str | None,
        database: str,
        check: bool,
        verify: bool,
        **options,
    ):
        if verify and VERIFY_COMMAND not in get_commands():
            raise CommandError(f"--verify needs the {VERIFY_COMMAND} command (not installed).")
        if verify and database != "default":
            raise CommandError("--verify works on the default database only.")
        started = time.monotonic()
        try:
            passphrase = (
                passphrase_from_environment(passphrase_env, new=False) if passphrase_env else None
            )
            with open_archive(Path(archive), passphrase=passphrase) as opened:
                manifest = opened.manifest
                self.stdout.write(
                    f"Archive checked: made {manifest.get('created_at')} by microcert "
                    f"{manifest.get('platform', {}).get('version')} on "
                    f"{manifest.get('source', {}).get('database')}; {len(manifest['members'])} "
                    "members, each matching its SHA-256"
                    f"{' (decrypted: the passphrase is right)' if opened.encrypted else ''}."
                )
                if check:
                    for warning in check_restorable(opened, using=database):
                        self.stderr.write(f"Warning: {warning}")
                    self.stdout.write("Nothing was changed (--check).")
                    return
                summary = restore_archive(opened, using=database)
        except BackupRefused as error:
            raise CommandError(f"Restore refused: {error}") from error
        for warning in summary.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(
            "Migrated the empty database to the archive's schema: "
            f"{_count(summary.migrations_to_archive, 'migration')}.\n"
            f"Loaded {summary.rows} rows into {summary.tables} tables; every count matches "
            "the manifest.\n"
            f"Restored {_count(summary.files, 'file')} ({filesizeformat(summary.file_bytes)}).\n"
            f"Migrated forward to this code: {_count(summary.migrations_forward, 'migration')}.\n"
            f"Done in {time.monotonic() - started:.1f} s."
        )
        if verify:
            try:
                call_command(VERIFY_COMMAND, stdout=self.stdout, stderr=self.stderr)
            except CommandError as error:
                raise CommandError(f"Restored, but verification found problems: {error}") from error


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
