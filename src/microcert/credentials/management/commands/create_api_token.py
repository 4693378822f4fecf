"""Make a VC-API token for an organisation and print it once (as the last line)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from microcert.credentials import services
from microcert.credentials.models import ApiToken
from microcert.network.models import Organisation
from microcert.network.selectors import programme_owner


class Command(BaseCommand):
    help = (
        "Create an API token for the W3C VC-API (POST /credentials/issue). The organisation "
        "becomes an issuer (did:web) if it is not one yet. The token is printed once, as the "
        "last line; only its hash is stored."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scope",
            dest="scopes",
            action="append",
            required=True,
            metavar="SCOPE",
            help=f"repeat for several: {', '.join(ApiToken.Scope.values)}",
        )
        parser.add_argument("--organisation", metavar="SLUG", help="default: the programme owner")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, scopes: list[str], organisation: str | None, name: str, **options):
        unknown = sorted(set(scopes) - set(ApiToken.Scope.values))
        if unknown:
            raise CommandError(
                f"Unknown scope: {', '.join(unknown)}. "
                f"Known scopes: {', '.join(ApiToken.Scope.values)}."
            )
        if organisation:
            owner = Organisation.objects.filter(slug=organisation).first()
            if owner is None:
                raise CommandError(f"No organisation with the slug {organisation!r}.")
        else:
            owner = programme_owner()
            if owner is None:
                raise CommandError(
                    "There is no programme owner yet; name one with --organisation SLUG."
                )
        try:
            issuer = services.issuer_ensure(organisation=owner, actor=None)
            token, plain = services.api_token_create(
                organisation=owner,
                name=name or "VC-API (" + ", ".join(sorted(set(scopes))) + ")",
                scopes=scopes,
                actor=None,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        did = services.issuer_did(issuer)
        self.stdout.write(
            f"API token {token.name!r} for {owner.name}, issuing as {did}, "
            f"scopes: {', '.join(token.scopes)}.\n"
            "Send it as 'Authorization: Bearer <token>'. It is shown only this once; "
            "keep it secret. The token:"
        )
        self.stdout.write(plain)
