"""Rotate an issuer's signing key: a new key signs from now on; what the old one signed keeps
verifying (it stays in the DID document). Prints the new public key, never a private one."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from microcert.credentials import services
from microcert.credentials.models import Issuer


class Command(BaseCommand):
    help = "Rotate the signing key of the issuer of an organisation (by its slug), with a reason."

    def add_arguments(self, parser) -> None:
        parser.add_argument("organisation", metavar="SLUG")
        parser.add_argument("--reason", required=True, help="recorded in the event log")

    def handle(self, *args, organisation: str, reason: str, **options) -> None:
        issuer = Issuer.objects.filter(organisation__slug=organisation).first()
        if issuer is None:
            raise CommandError(f"{organisation!r} is not an issuer on this platform.")
        try:
            key = services.issuer_rotate_key(issuer=issuer, actor=None, reason=reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{organisation}: new signing key {key.public_key_multibase}; the old one stays "
            "published so what it signed keeps verifying."
        )
