"""Management commands of the credentials app."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from microcert.credentials import services
from microcert.credentials.models import ApiToken, Issuer


def create_api_token(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_create_api_token_prints_a_working_token_as_its_last_line(client, demo):
    lines = create_api_token("--scope", "issue")

    plain = lines[-1]
    token = ApiToken.objects.get(token_hash=services.token_hash(plain))
    assert token.organisation.slug == "centre"  # the programme owner by default
    assert token.scopes == ["issue"]
    assert plain not in json.dumps(
        list(ApiToken.objects.values("name", "prefix", "token_hash", "scopes"))
    ), "only a hash of the token is stored"
    assert any("did:web:microcert.test:issuers:centre" in line for line in lines[:-1])

    response = client.post(
        "/credentials/issue",
        json.dumps(
            {
                "credential": {
                    "@context": [
                        "https://www.w3.org/ns/credentials/v2",
                        "https://www.w3.org/ns/credentials/examples/v2",
                    ],
                    "type": ["VerifiableCredential"],
                    "credentialSubject": {"id": "did:example:123"},
                }
            }
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert response.status_code == 201


def test_a_token_for_another_organisation_with_several_scopes_makes_it_an_issuer(demo):
    assert not Issuer.objects.filter(organisation__slug="must").exists()

    lines = create_api_token(
        "--organisation", "must", "--scope", "issue", "--scope", "revoke", "--name", "LMS"
    )

    token = ApiToken.objects.get(token_hash=services.token_hash(lines[-1]))
    assert token.organisation.slug == "must"
    assert token.name == "LMS"
    assert token.scopes == ["issue", "revoke"]
    assert Issuer.objects.filter(organisation__slug="must").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "issue", "--organisation", "atlantis"], "atlantis"),
        (["--scope", "everything"], "everything"),
        ([], "--scope"),
    ],
)
def test_an_unknown_organisation_or_scope_is_a_clear_error(demo, args, message):
    with pytest.raises(CommandError, match=message):
        create_api_token(*args)
    assert not ApiToken.objects.exists()


def test_without_a_programme_owner_the_organisation_must_be_named(db):
    with pytest.raises(CommandError, match="--organisation"):
        create_api_token("--scope", "issue")


def test_rotate_issuer_key_rotates_and_says_the_new_public_key(demo):
    from microcert.credentials import verification

    issuer = Issuer.objects.get(organisation__slug="centre")
    before = issuer.keys.get(retired_at__isnull=True)
    out = io.StringIO()

    call_command("rotate_issuer_key", "centre", "--reason", "Yearly rotation", stdout=out)

    after = issuer.keys.get(retired_at__isnull=True)
    assert after.pk != before.pk and after.public_key_multibase in out.getvalue()
    published = json.dumps(verification.own_did_document("centre"))
    assert before.public_key_multibase in published and after.public_key_multibase in published


@pytest.mark.parametrize(
    ("args", "message"),
    [(["nowhere", "--reason", "x"], "not an issuer"), (["centre", "--reason", " "], "why")],
)
def test_rotate_issuer_key_refuses_in_words(demo, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("rotate_issuer_key", *args)
