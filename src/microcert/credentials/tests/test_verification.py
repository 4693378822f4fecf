"""Our verifier: each check says pass or fail with a reason, for our credentials and others'."""

import copy
import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcert.credentials import services, verification
from microcert.credentials.tests.independent import STANDARDS_DIR


def checks(result) -> dict[str, bool]:
    return {check.name: check.passed for check in result.checks}


def test_the_1edtech_test_vector_verifies_with_its_published_key_documents(db):
    vector = json.loads((STANDARDS_DIR / "ob3-testvector-signed.json").read_text())
    documents = json.loads((STANDARDS_DIR / "ob3-testvector-extra-docs.json").read_text())
    result = verification.verify_credential(vector, documents=documents, allow_network=False)
    assert result.verified, result.as_json()
    assert checks(result) == {
        "format": True,
        "schema": True,
        "proof": True,
        "issuer": True,
        "validity": True,
    }
    assert any("single object" in warning for warning in result.warnings)
    assert any("no status entry" in warning for warning in result.warnings)


def test_the_1edtech_vector_fails_offline_without_its_key_documents_and_says_why(db):
    vector = json.loads((STANDARDS_DIR / "ob3-testvector-signed.json").read_text())
    result = verification.verify_credential(vector, allow_network=False)
    assert not result.verified
    assert "not available offline" in " ".join(result.errors)


def test_a_fresh_credential_passes_every_check(world):
    credential = world.issue()
    result = verification.verify_credential(credential.document, allow_network=False)
    assert checks(result) == {
        "format": True,
        "schema": True,
        "proof": True,
        "issuer": True,
        "validity": True,
        "status (revocation)": True,
    }
    assert result.as_json()["verified"] is True and result.as_json()["errors"] == []


def test_an_expired_credential_fails_the_validity_check(world):
    credential = world.issue()
    later = datetime(2100, 1, 1, tzinfo=UTC)
    document = copy.deepcopy(credential.document)
    result = verification.verify_credential(document, allow_network=False, now=later)
    assert result.verified  # no validUntil: it does not expire
    future = verification.verify_credential(
        document, allow_network=False, now=datetime(2000, 1, 1, tzinfo=UTC)
    )
    assert checks(future)["validity"] is False
    assert "Not valid before" in " ".join(future.errors)


def test_a_proof_by_another_issuer_is_refused(world):
    credential = world.issue()
    hust_did = services.issuer_did(world.hust)
    forged = copy.deepcopy(credential.document)
    forged["issuer"]["id"] = hust_did
    result = verification.verify_credential(forged, allow_network=False)
    assert not result.verified


def test_a_credential_of_an_external_did_web_issuer_verifies_with_its_did_document(world):
    """Another platform's did:web: its DID document normally comes over HTTPS (here: given)."""
    from microcert.credentials import dataintegrity

    foreign_did = "did:web:other.example:issuers:x"
    key = world.centre.keys.get()
    foreign_document = json.loads(
        json.dumps(verification.own_did_document("centre")).replace(
            services.issuer_did(world.centre), foreign_did
        )
    )
    unsigned = copy.deepcopy(world.issue().document)
    for name in ("proof", "credentialStatus"):
        unsigned.pop(name)
    unsigned["issuer"]["id"] = foreign_did
    signed = dataintegrity.sign(
        unsigned,
        private_key=services._private_key(key),
        verification_method=f"{foreign_did}#{key.public_key_multibase}",
    )
    offline = verification.verify_credential(signed, allow_network=False)
    assert not offline.verified and "not available offline" in " ".join(offline.errors)
    resolved = verification.verify_credential(
        signed, documents={foreign_did: foreign_document}, allow_network=False
    )
    assert resolved.verified, resolved.as_json()


def test_the_did_web_document_address_follows_the_did_web_rules():
    from microcert.credentials import did

    assert did.did_web_document_url("did:web:example.com") == (
        "https://example.com/.well-known/did.json"
    )
    assert did.did_web_document_url("did:web:localhost%3A8443:issuers:hust") == (
        "https://localhost:8443/issuers/hust/did.json"
    )
    assert did.did_web_for("hust", base_url="http://127.0.0.1:8000") == (
        "did:web:127.0.0.1%3A8000:issuers:hust"
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "JSON object"),
        ({"@context": ["https://www.w3.org/2018/credentials/v1"]}, "first @context"),
        ({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "X"}, "type must"),
    ],
)
def test_malformed_credentials_fail_the_format_check_with_the_reason(db, document, message):
    result = verification.verify_credential(document, allow_network=False)
    assert not result.verified and message in " ".join(result.errors)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=12), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_any_json_gets_an_answer_and_never_an_exception(db, value):
    result = verification.verify_credential(value, allow_network=False)
    assert result.verified is False
    assert result.errors


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=st.sampled_from(["issuer", "validFrom", "credentialStatus", "proof", "credentialSubject"]),
    value=st.none() | st.integers() | st.text(max_size=10) | st.lists(st.integers(), max_size=2),
)
def test_a_credential_with_a_broken_part_fails_and_never_raises(world_credential, key, value):
    broken = {**world_credential, key: value}
    result = verification.verify_credential(broken, allow_network=False)
    assert result.verified is False


@pytest.fixture
def world_credential(world):
    return world.issue().document


@pytest.mark.parametrize(
    "change",
    [
        {"type": [{"x": 1}, "VerifiableCredential"]},
        {"credentialStatus": {"type": "BitstringStatusListEntry", "statusListIndex": None}},
        {"credentialStatus": {"type": "BitstringStatusListEntry", "statusListIndex": [1]}},
    ],
)
def test_odd_shapes_fail_with_a_reason_instead_of_raising(world_credential, change):
    result = verification.verify_credential({**world_credential, **change}, allow_network=False)
    assert not result.verified and result.errors


@pytest.mark.parametrize("kind", [5, None, {"a": 1}, ["VerifiablePresentation"]])
def test_presentations_of_any_shape_get_an_answer(db, kind):
    result = verification.verify_presentation({"type": kind, "verifiableCredential": 3})
    assert not result.verified


def test_a_presentation_signed_by_someone_other_than_its_holder_fails(world_credential, world):
    from microcert.credentials import dataintegrity, multikey

    key = multikey.generate_private_key()
    signer = multikey.did_key_from_public_key(key.public_key())
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "verifiableCredential": [world_credential],
    }
    signed = dataintegrity.sign(
        presentation,
        private_key=key,
        verification_method=multikey.did_key_verification_method(signer),
        proof_purpose="authentication",
        challenge="c-1",
    )
    result = verification.verify_presentation(signed, challenge="c-1", allow_network=False)
    assert not result.verified
    assert "other than its holder" in " ".join(result.errors)
    signed_by_holder = dataintegrity.sign(
        {**presentation, "holder": signer},
        private_key=key,
        verification_method=multikey.did_key_verification_method(signer),
        proof_purpose="authentication",
        challenge="c-1",
    )
    assert verification.verify_presentation(
        signed_by_holder, challenge="c-1", allow_network=False
    ).verified
    wrong_challenge = verification.verify_presentation(
        signed_by_holder, challenge="c-2", allow_network=False
    )
    assert not wrong_challenge.verified


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/did.json",
        "https://localhost/x",
        "https://10.1.2.3/status",
        "https://[::1]/x",
    ],
)
def test_private_and_loopback_addresses_are_never_fetched(db, url):
    with pytest.raises(verification.ResolutionError, match="not a public address"):
        verification.Resolver().document(url)


def test_plain_http_is_never_fetched(db):
    with pytest.raises(verification.ResolutionError, match="Only HTTPS"):
        verification.Resolver().document("http://example.org/did.json")
