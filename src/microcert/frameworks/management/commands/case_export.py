"""Export a competency framework as a CASE 1.1 CFPackage JSON document."""

import json

from django.core.management.base import BaseCommand, CommandError

from microcert.frameworks import case
from microcert.frameworks.models import CompetencyFramework


class Command(BaseCommand):
    help = "Print a framework as a CASE 1.1 CFPackage (JSON)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument(
            "--framework-version", dest="framework_version", help="default: the newest"
        )

    def handle(self, *args, slug: str, framework_version: str | None, **options) -> None:
        frameworks = CompetencyFramework.objects.filter(slug=slug)
        if framework_version:
            frameworks = frameworks.filter(version=framework_version)
        framework = frameworks.order_by("-published_on", "-created_at").first()
        if framework is None:
            raise CommandError(
                f"No framework {slug!r}"
                + (f" version {framework_version!r}" if framework_version else "")
            )
        self.stdout.write(json.dumps(case.export_package(framework), ensure_ascii=False, indent=2))
