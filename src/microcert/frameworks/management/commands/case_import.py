"""Import a competency framework from a CASE 1.1 CFPackage JSON file."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from microcert.frameworks.services import framework_import_case


class Command(BaseCommand):
    help = "Import a CASE 1.1 CFPackage (JSON file). Nothing is written if the package is refused."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            framework = framework_import_case(raw=raw)
        except ValidationError as exc:
            raise CommandError("The package was refused:\n  " + "\n  ".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {framework} ({framework.competences.count()} competences)."
            )
        )
