"""Load the demo data (idempotent) and print the demo logins."""

from django.core.management.base import BaseCommand

from microcert.demo.services import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the programme's demo data; running it again adds nothing."

    def handle(self, *args, **options) -> None:
        report = demo_load()
        created = (
            ", ".join(f"{n} {what}" for what, n in sorted(report.created.items())) or "nothing new"
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({created})."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, roles in report.logins:
            self.stdout.write(f"  {email:32} {roles}")
