"""The machine endpoints: DID documents, status lists, achievements and the W3C VC-API.

Read as a specification of what a wallet, a verifier or another platform can rely on.
"""

import copy
import json
import types
import uuid

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path

from microcert.accounts.models import User
from microcert.catalog.models import SpecificationVersion
from microcert.credentials import did, jsonld, openbadges, services, verification
from microcert.credentials.models import ApiToken, IssuedCredential, Issuer, StatusList
from microcert.network.models import Organisation

VC_V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
CENTRE_DID = "did:web:microcert.test:issuers:centre"


# --- helpers -----------------------------------------------------------------------------


def token_for(slug: str, scopes=("issue",)) -> str:
    organisation = Organisation.objects.get(slug=slug)
    _, plain = services.api_token_create(organisation=organisation, name="test", scopes=scopes)
    return plain


def post(client, url: str, body, *, token: str | None = None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json", headers=headers)


def alumni_credential(**changes) -> dict:
    """A plain VC 2.0 credential as the W3C test suites send it."""
    credential = {
        "@context": [VC_V2, EXAMPLES_V2],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "alumniOf": "The School of Examples",
        },
    }
    credential.update(changes)
    return credential


def issue(client, token: str, credential: dict | None = None, **body) -> dict:
    response = post(
        client,
        "/credentials/issue",
        {"credential": credential or alumni_credential(), **body},
        token=token,
    )
    assert response.status_code == 201, response.content
    return response.json()["verifiableCredential"]


def verify(client, credential: dict):
    return post(client, "/credentials/verify", {"verifiableCredential": credential})


def checks(body: dict) -> dict[str, bool]:
    return {check["check"]: check["passed"] for check in body["checks"]}


@pytest.fixture
def centre_token(demo) -> str:
    return token_for("centre")


@pytest.fixture
def lans_credential(demo) -> IssuedCredential:
    """An Open Badges credential from the catalogue, issued by the Centre to Lan."""
    return IssuedCredential.objects.get(
        recipient__email="lan.pham@hust.example",
        issuer__organisation__slug="centre",
        pathway__isnull=True,
        specification_version__micro_credential__slug="assess-learning-from-process-performance",
    )


# --- DID documents -----------------------------------------------------------------------


def test_a_did_web_issuer_publishes_its_did_document_with_a_multikey(client, lans_credential):
    response = client.get("/issuers/centre/did.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/did+json")
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["id"] == CENTRE_DID
    [method] = document["verificationMethod"]
    assert method["type"] == "Multikey"
    assert method["controller"] == CENTRE_DID
    assert method["publicKeyMultibase"].startswith("z6Mk")
    assert method["id"] == f"{CENTRE_DID}#{method['publicKeyMultibase']}"
    assert document["assertionMethod"] == [method["id"]]
    # The key the Centre's credentials name is the one published here.
    [proof] = lans_credential.document["proof"]
    assert proof["verificationMethod"] == method["id"]


def test_a_did_web_names_the_host_port_percent_encoded_and_any_base_path():
    assert (
        did.did_web_for("centre", base_url="http://127.0.0.1:8000")
        == "did:web:127.0.0.1%3A8000:issuers:centre"
    )
    assert (
        did.did_web_for("hust", base_url="https://example.org/microcert/")
        == "did:web:example.org:microcert:issuers:hust"
    )
    assert (
        did.did_web_document_url("did:web:127.0.0.1%3A8000:issuers:centre")
        == "https://127.0.0.1:8000/issuers/centre/did.json"
    )


def test_after_a_key_rotation_both_keys_are_listed_and_old_credentials_keep_verifying(
    client, lans_credential
):
    issuer = lans_credential.issuer
    old_key = issuer.keys.get()
    new_key = services.issuer_rotate_key(issuer=issuer, actor=None, reason="yearly rotation")

    document = client.get("/issuers/centre/did.json").json()

    listed = [m["publicKeyMultibase"] for m in document["verificationMethod"]]
    assert listed == [new_key.public_key_multibase, old_key.public_key_multibase]
    assert document["assertionMethod"] == [m["id"] for m in document["verificationMethod"]]
    assert document["authentication"] == [f"{CENTRE_DID}#{new_key.public_key_multibase}"]
    assert verify(client, lans_credential.document).status_code == 200


def test_there_is_no_did_document_for_an_unknown_or_a_did_key_issuer(client, demo):
    services.issuer_create(
        organisation=Organisation.objects.get(slug="must"), actor=None, did_method="key"
    )

    for slug in ("nobody", "must", "cadi-ayyad"):
        response = client.get(f"/issuers/{slug}/did.json")
        assert response.status_code == 404
        assert "error" in response.json()
        assert response["Access-Control-Allow-Origin"] == "*"


# --- status lists ------------------------------------------------------------------------


def centre_revocation_list() -> StatusList:
    return StatusList.objects.get(issuer__organisation__slug="centre", purpose="revocation")


def test_a_status_list_is_served_as_its_signed_credential_with_caching_headers(client, demo):
    status_list = centre_revocation_list()

    response = client.get(f"/status/{status_list.uuid}")

    assert response.status_code == 200
    assert response.json() == status_list.signed_credential
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["ETag"].startswith('"')  # strong, not W/"…"
    assert response["Last-Modified"].endswith("GMT")
    listed = response.json()
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert verification.verify_credential(listed, allow_network=False).verified


def test_a_client_holding_the_current_list_gets_304_until_the_list_changes(client, lans_credential):
    url = f"/status/{lans_credential.revocation_list.uuid}"
    first = client.get(url)

    unchanged = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert unchanged.status_code == 304
    assert unchanged["ETag"] == first["ETag"]
    assert unchanged["Cache-Control"] == "public, max-age=300"
    assert unchanged.content == b""

    services.credential_revoke(credential=lans_credential, actor=None, reason="plagiarism")
    changed = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_an_unknown_status_list_is_404(client, demo):
    assert client.get(f"/status/{uuid.uuid4()}").status_code == 404
    assert client.get("/status/not-a-uuid").status_code == 404


# --- VC-API: issuing ---------------------------------------------------------------------


def test_issuing_needs_a_known_bearer_token(client, centre_token):
    token = ApiToken.objects.get(token_hash=services.token_hash(centre_token))
    body = {"credential": alumni_credential()}
    issued_before = IssuedCredential.objects.count()

    missing = post(client, "/credentials/issue", body)
    unknown = post(client, "/credentials/issue", body, token="mct_not-a-token")
    wrong_scheme = post(client, "/credentials/issue", body, Authorization=f"Basic {centre_token}")
    services.api_token_revoke(token=token, actor=None)
    revoked = post(client, "/credentials/issue", body, token=centre_token)

    for response in (missing, unknown, wrong_scheme, revoked):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert centre_token not in response.content.decode()
    assert IssuedCredential.objects.count() == issued_before


def test_a_token_without_the_issue_scope_is_forbidden(client, demo):
    token = token_for("centre", scopes=["revoke"])

    response = post(client, "/credentials/issue", {"credential": alumni_credential()}, token=token)

    assert response.status_code == 403
    assert '"issue" scope' in response.json()["error"]
    assert 'scope="issue"' in response["WWW-Authenticate"]


def test_a_plain_vc2_credential_with_the_examples_context_is_issued_and_signed(
    client, centre_token
):
    response = post(
        client, "/credentials/issue", {"credential": alumni_credential()}, token=centre_token
    )

    assert response.status_code == 201
    signed = response.json()["verifiableCredential"]
    assert signed["issuer"]["id"] == CENTRE_DID
    assert signed["credentialSubject"]["alumniOf"] == "The School of Examples"
    assert signed["id"].startswith("urn:uuid:")
    assert signed["credentialStatus"]["type"] == "BitstringStatusListEntry"
    [proof] = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    record = IssuedCredential.objects.get(uuid=signed["id"].removeprefix("urn:uuid:"))
    assert record.document == signed
    token = ApiToken.objects.get(token_hash=services.token_hash(centre_token))
    assert token.last_used_at is not None


def test_an_issued_credential_verifies_through_the_api(client, centre_token):
    signed = issue(client, centre_token)

    response = verify(client, signed)

    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is True
    assert body["errors"] == []
    assert checks(body) == {
        "format": True,
        "proof": True,
        "issuer": True,
        "validity": True,
        "status (revocation)": True,
    }


def test_a_tampered_credential_fails_its_proof_check(client, centre_token):
    signed = issue(client, centre_token)
    signed["credentialSubject"]["alumniOf"] = "A School of Forgeries"

    response = verify(client, signed)

    assert response.status_code == 400
    body = response.json()
    assert body["verified"] is False
    assert checks(body)["proof"] is False


def test_a_revoked_credential_fails_its_revocation_check(client, centre_token):
    signed = issue(client, centre_token)
    record = IssuedCredential.objects.get(uuid=signed["id"].removeprefix("urn:uuid:"))
    services.credential_revoke(credential=record, actor=None, reason="issued in error")

    response = verify(client, signed)

    assert response.status_code == 400
    body = response.json()
    assert checks(body)["status (revocation)"] is False
    assert checks(body)["proof"] is True
    assert any("Revoked" in error for error in body["errors"])


def test_a_credential_issued_with_a_past_valid_until_does_not_verify(client, centre_token):
    signed = issue(client, centre_token, alumni_credential(validUntil="2000-01-01T00:00:00Z"))

    response = verify(client, signed)

    assert response.status_code == 400
    assert checks(response.json())["validity"] is False


def test_the_issuer_may_be_named_as_our_own_did(client, centre_token):
    signed = issue(client, centre_token, alumni_credential(issuer=CENTRE_DID))

    assert signed["issuer"]["id"] == CENTRE_DID


def test_options_credential_id_becomes_the_id_of_a_credential_without_one(client, centre_token):
    given = f"urn:uuid:{uuid.uuid4()}"
    chosen = issue(client, centre_token, options={"credentialId": given})
    assert chosen["id"] == given

    own = "https://example.edu/credentials/1872"
    kept = issue(client, centre_token, alumni_credential(id=own), options={"credentialId": given})
    assert kept["id"] == own


def test_unknown_options_are_ignored(client, centre_token):
    signed = issue(client, centre_token, options={"created": "2020-01-01T00:00:00Z", "x": 1})

    assert verify(client, signed).status_code == 200


def test_an_idempotency_key_makes_a_retried_request_issue_once(client, centre_token):
    body = {"credential": alumni_credential()}
    retry = {"Idempotency-Key": "k1"}
    first = post(client, "/credentials/issue", body, token=centre_token, **retry)
    again = post(client, "/credentials/issue", body, token=centre_token, **retry)

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert IssuedCredential.objects.filter(idempotency_key="k1").count() == 1


def test_a_token_of_an_organisation_without_an_issuer_makes_it_one(client, demo):
    assert not Issuer.objects.filter(organisation__slug="must").exists()

    signed = issue(client, token_for("must"))

    assert signed["issuer"]["id"] == "did:web:microcert.test:issuers:must"
    assert client.get("/issuers/must/did.json").status_code == 200
    assert verify(client, signed).status_code == 200


def refused(client, token: str, credential) -> str:
    response = post(client, "/credentials/issue", {"credential": credential}, token=token)
    assert response.status_code == 400, response.content
    return response.json()["error"]


def test_a_property_no_context_defines_is_refused_and_named(client, centre_token):
    credential = alumni_credential(**{"@context": [VC_V2]})

    assert "alumniOf" in refused(client, centre_token, credential)


def test_a_vc_1_1_credential_is_refused(client, centre_token):
    credential = alumni_credential(issuanceDate="2020-01-01T00:00:00Z")

    assert "issuanceDate" in refused(client, centre_token, credential)


def test_a_credential_naming_another_issuer_is_refused(client, centre_token):
    error = refused(client, centre_token, alumni_credential(issuer="did:example:someone-else"))

    assert "did:example:someone-else" in error


def test_a_context_that_is_not_pinned_is_refused_not_fetched(client, centre_token):
    credential = alumni_credential(**{"@context": [VC_V2, "https://example.com/ctx.jsonld"]})

    assert "https://example.com/ctx.jsonld" in refused(client, centre_token, credential)


@pytest.mark.parametrize(
    "credential",
    [
        None,
        5,
        [],
        alumni_credential(**{"@context": "https://www.w3.org/ns/credentials/v2"}),
        alumni_credential(type="VerifiableCredential"),
        alumni_credential(type=["VerifiableCredential", {"not": "a string"}]),
        alumni_credential(credentialSubject=[1, 2]),
        alumni_credential(credentialSubject=None),
        alumni_credential(validFrom="yesterday"),
        alumni_credential(validFrom="0001-01-01T00:00:00+01:00"),
        alumni_credential(issuer={"id": ["did:example:x"]}),
        alumni_credential(id="not a url"),
        alumni_credential(**{"@context": [VC_V2, {"@vocab": 5}]}),
        alumni_credential(proof={"type": "DataIntegrityProof"}),
    ],
    ids=lambda value: json.dumps(value)[:40],
)
def test_what_is_not_a_vc2_credential_is_refused_with_a_reason(client, centre_token, credential):
    assert refused(client, centre_token, credential)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ('{"credential": NaN}', "application/json"),
        ("[]", "application/json"),
        ('"a string"', "application/json"),
        (b"\xff\xfe{}", "application/json"),
        ("[" * 5000 + "]" * 5000, "application/json"),
        ('{"credential": ' + "[" * 100 + "]" * 100 + "}", "application/json"),
        (json.dumps({"credential": alumni_credential()}), "text/plain"),
        (json.dumps({"credential": alumni_credential()}), "application/x-www-form-urlencoded"),
        (json.dumps({"credential": alumni_credential(), "options": 5}), "application/json"),
        (json.dumps({"credential": alumni_credential(), "options": {"credentialId": 5}}), None),
    ],
    ids=range(11),
)
def test_malformed_requests_get_a_400_with_the_reason_never_a_500(
    client, centre_token, body, content_type
):
    response = client.post(
        "/credentials/issue",
        body,
        content_type=content_type or "application/json",
        headers={"Authorization": f"Bearer {centre_token}"},
    )

    assert response.status_code == 400
    assert response.json()["error"]


def test_an_oversized_body_gets_413(client, centre_token):
    padding = "x" * 1_100_000
    response = post(
        client,
        "/credentials/issue",
        {"credential": alumni_credential(description=padding)},
        token=centre_token,
    )

    assert response.status_code == 413
    assert "error" in response.json()


def test_an_overlong_idempotency_key_is_refused(client, centre_token):
    response = post(
        client,
        "/credentials/issue",
        {"credential": alumni_credential()},
        token=centre_token,
        **{"Idempotency-Key": "k" * 201},
    )

    assert response.status_code == 400


def test_each_endpoint_answers_only_its_methods(client, demo):
    for method, url in [
        ("get", "/credentials/issue"),
        ("get", "/credentials/verify"),
        ("put", "/presentations/verify"),
        ("post", "/issuers/centre/did.json"),
        ("delete", f"/status/{centre_revocation_list().uuid}"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url)
        assert response["Allow"]
        assert "error" in response.json()


def test_the_api_needs_no_csrf_token(centre_token):
    strict = Client(enforce_csrf_checks=True)

    signed = issue(strict, centre_token)

    assert verify(strict, signed).status_code == 200


# --- VC-API: verifying -------------------------------------------------------------------


def test_a_catalogue_credential_verifies_with_the_open_badges_schema(client, lans_credential):
    response = post(
        client,
        "/credentials/verify",
        {"verifiableCredential": lans_credential.document, "options": {"checks": ["proof"]}},
    )

    assert response.status_code == 200
    assert checks(response.json())["schema"] is True


def test_verifying_a_malformed_request_says_why(client, demo):
    for body in ("{oops", {"options": {}}, {"verifiableCredential": {}, "options": []}):
        response = post(client, "/credentials/verify", body)
        assert response.status_code == 400
        result = response.json()
        assert result["verified"] is False
        assert result["errors"]


def test_verifying_something_that_is_not_a_credential_is_a_failed_check(client, demo):
    for document in (5, "text", [], {"type": ["VerifiableCredential"]}):
        response = verify(client, document)
        assert response.status_code == 400
        assert response.json()["verified"] is False


def test_documents_that_trip_the_verifier_are_not_verified_rather_than_a_500(
    client, lans_credential
):
    odd_type = copy.deepcopy(lans_credential.document)
    odd_type["type"] = [{"not": "a string"}, "VerifiableCredential"]
    no_index = copy.deepcopy(lans_credential.document)
    no_index["credentialStatus"]["statusListIndex"] = None

    for document in (odd_type, no_index):
        response = verify(client, document)
        assert response.status_code == 400
        assert response.json()["verified"] is False
    odd_presentation = {"verifiablePresentation": {"type": 5}}
    assert post(client, "/presentations/verify", odd_presentation).status_code == 400


def test_verification_can_be_called_from_any_web_page(client, demo):
    preflight = client.options("/credentials/verify")

    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight["Access-Control-Allow-Headers"]


def presentation(*credentials: dict) -> dict:
    return {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": list(credentials),
    }


def test_an_unsigned_presentation_of_our_credential_verifies_with_a_warning(
    client, lans_credential
):
    response = post(
        client,
        "/presentations/verify",
        {"verifiablePresentation": presentation(lans_credential.document)},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is True
    assert any("not signed" in warning for warning in body["warnings"])


def test_a_presentation_with_a_tampered_credential_does_not_verify(client, lans_credential):
    tampered = copy.deepcopy(lans_credential.document)
    tampered["credentialSubject"]["achievement"]["name"] = "Something else entirely"

    response = post(
        client, "/presentations/verify", {"verifiablePresentation": presentation(tampered)}
    )

    assert response.status_code == 400
    assert checks(response.json())["credential 1 proof"] is False


def test_an_unsigned_presentation_cannot_answer_a_challenge(client, lans_credential):
    body = {
        "verifiablePresentation": presentation(lans_credential.document),
        "options": {"challenge": "a1b2c3", "domain": "verifier.example"},
    }

    response = post(client, "/presentations/verify", body)

    assert response.status_code == 400
    assert checks(response.json())["proof"] is False


def test_presentation_options_must_be_strings(client, lans_credential):
    body = {
        "verifiablePresentation": presentation(lans_credential.document),
        "options": {"challenge": 5},
    }

    response = post(client, "/presentations/verify", body)

    assert response.status_code == 400
    assert "challenge" in response.json()["error"]


# --- VC-API: fetching a credential -------------------------------------------------------


def test_the_holder_and_the_issuer_can_fetch_a_credential_and_nobody_else_learns_of_it(
    client, lans_credential
):
    url = f"/credentials/{lans_credential.uuid}"
    expected = {"verifiableCredential": lans_credential.document}

    anonymous = client.get(url)
    client.force_login(User.objects.get(email="hung.le@hust.example"))
    stranger = client.get(url)
    client.force_login(lans_credential.recipient)
    holder = client.get(url)
    client.logout()
    issuing = client.get(url, headers={"Authorization": f"Bearer {token_for('centre')}"})
    other = client.get(url, headers={"Authorization": f"Bearer {token_for('hust')}"})
    unknown = client.get(f"/credentials/{uuid.uuid4()}")

    assert holder.status_code == issuing.status_code == 200
    assert holder.json() == issuing.json() == expected
    for response in (anonymous, stranger, other, unknown):
        assert response.status_code == 404
        assert response.json() == unknown.json()
    assert holder["Cache-Control"] == "private, no-store"
    assert client.get("/credentials/not-a-uuid").status_code == 404


# --- achievements and the vocabulary -----------------------------------------------------


def test_a_published_achievement_is_served_as_json_ld_that_drops_nothing(client, lans_credential):
    version = lans_credential.specification_version
    url = openbadges.achievement_id(version)
    assert url == f"https://microcert.test/achievements/{version.uuid}"

    response = client.get(f"/achievements/{version.uuid}")

    assert response.status_code == 200
    document = response.json()
    assert document["id"] == url
    assert document["type"] == ["Achievement"]
    assert document["@context"][:2] == [openbadges.VC_V2, openbadges.OB_V3]
    assert document["id"] == lans_credential.document["credentialSubject"]["achievement"]["id"]
    jsonld.assert_no_dropped_terms(document)


def test_a_draft_or_withdrawn_achievement_is_not_served(client, lans_credential):
    version = lans_credential.specification_version
    SpecificationVersion.objects.filter(pk=version.pk).update(status="withdrawn")

    assert client.get(f"/achievements/{version.uuid}").status_code == 404
    assert client.get(f"/achievements/{uuid.uuid4()}").status_code == 404
    assert client.get("/achievements/nope").status_code == 404


def test_the_vocabulary_defines_and_describes_every_extension_term(client, demo):
    response = client.get("/ns/v1")

    assert response.status_code == 200
    document = response.json()
    for term in openbadges.EXTENSION_TERMS:
        assert term in document["@context"]
    described = {entry["rdfs:label"]: entry for entry in document["@graph"]}
    assert described["notionalWorkloadHours"]["@id"] == (
        "https://microcert.test/ns/v1#notionalWorkloadHours"
    )
    assert all(entry["rdfs:comment"] for entry in described.values())


def test_an_api_404_stays_a_404_when_a_page_of_the_same_path_exists_under_a_language(
    client, settings, demo
):
    # Pages such as /en/credentials/<uuid>/ may exist; LocaleMiddleware must not redirect
    # API clients (or strangers probing for a credential) there.
    urls = types.ModuleType("urls_with_pages")
    urls.urlpatterns = [
        path("", include("microcert.credentials.api_urls")),
        *i18n_patterns(
            path("credentials/<str:anything>/", lambda request, anything: HttpResponse()),
            path("achievements/<str:anything>", lambda request, anything: HttpResponse()),
        ),
    ]
    settings.ROOT_URLCONF = urls

    for url in (f"/credentials/{uuid.uuid4()}", f"/achievements/{uuid.uuid4()}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"error": response.json()["error"]}
