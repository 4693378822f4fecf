"""Sign again the status lists that have used half of their validity (run it hourly or daily;
the Celery task ``microcert.credentials.refresh_status_lists`` does the same)."""

from django.core.management.base import BaseCommand

from microcert.credentials import services


class Command(BaseCommand):
    help = "Re-sign every status list whose validUntil is near (or missing)."

    def handle(self, *args, **options) -> None:
        count = services.status_lists_refresh()
        self.stdout.write(f"{count} status list(s) signed again.")
