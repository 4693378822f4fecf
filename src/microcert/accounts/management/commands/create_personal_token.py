"""Make a personal API token for a person and print it once (as the last line)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from microcert.accounts import services
from microcert.accounts.models import User


class Command(BaseCommand):
    help = (
        "Create a personal token for the REST API (/api/v1/): programs holding it act as the "
        "person, with that person's permissions. The token is printed once, as the last line; "
        "only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the person's login e-mail address")
        parser.add_argument("--name", required=True, help="what will use the token")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            metavar="N",
            help="the token expires after N days (default: it does not expire)",
        )

    def handle(self, *args, email: str, name: str, days: int | None, **options) -> None:
        person = User.objects.filter(email__iexact=email.strip()).first()
        if person is None:
            raise CommandError(f"Nobody logs in as {email!r}.")
        expires_at = None
        if days is not None:
            if days < 1:
                raise CommandError("--days must be 1 or more.")
            expires_at = timezone.now() + datetime.timedelta(days=days)
        try:
            token, plain = services.personal_token_create(
                person=person, name=name, expires_at=expires_at, actor=None
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        expiry = (
            f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC"
            if token.expires_at
            else ("does not expire")
        )
        self.stdout.write(
            f"Personal API token {token.name!r} for {person.email} ({expiry}).\n"
            "Send it as 'Authorization: Bearer <token>'. It is shown only this once; "
            "keep it secret. The token:"
        )
        self.stdout.write(plain)
