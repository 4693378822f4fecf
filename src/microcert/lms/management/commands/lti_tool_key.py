"""Show, make or rotate the LTI tool's signing key; forget launches whose tokens expired."""

from django.core.management.base import BaseCommand, CommandParser

from microcert.lms import selectors, services


class Command(BaseCommand):
    help = (
        "The LTI tool's RSA key: print the active key ID (making the first key if there is "
        "none), or --rotate it (the old key stays published for two days). --purge forgets "
        "launches whose id_token has expired."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rotate", action="store_true", help="retire the key, make a new one")
        parser.add_argument(
            "--purge", action="store_true", help="forget launches whose id_token has expired"
        )

    def handle(self, *args, rotate: bool = False, purge: bool = False, **options) -> None:
        key = services.tool_key_rotate(actor=None) if rotate else services.tool_key_ensure()
        published = ", ".join(k.kid for k in selectors.published_tool_keys())
        self.stdout.write(f"active key: {key.kid}\npublished: {published}")
        if purge:
            self.stdout.write(f"launches forgotten: {services.launches_purge()}")
