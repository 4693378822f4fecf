"""Data Integrity proofs with eddsa-rdfc-2022: the published vectors, then our own rules."""

import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from microcert.credentials.dataintegrity import (
    CRYPTOSUITE,
    ProofResult,
    is_verified,
    sign,
    verify,
)
from microcert.credentials.jsonld import UndefinedTermError, canonicalize
from microcert.credentials.multikey import (
    decode_private_key,
    did_key_from_public_key,
    did_key_verification_method,
    generate_private_key,
    public_key_from_verification_method,
    resolve_did_key_verification_method,
)
from microcert.credentials.tests.standards import STANDARDS_DIR as STANDARDS

W3C = STANDARDS / "w3c-vc-di-eddsa"


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- the W3C vc-di-eddsa vector (eddsa-rdfc-2022) ----------------------------------------


def test_w3c_vector_the_document_canonicalizes_and_hashes_as_published():
    canonical = canonicalize(load(W3C / "unsigned.json"))

    assert canonical == (W3C / "canonDocDataInt.txt").read_text(encoding="utf-8")
    assert sha256_hex(canonical) == (W3C / "docHashDataInt.txt").read_text().strip()


def test_w3c_vector_the_proof_configuration_canonicalizes_and_hashes_as_published():
    canonical = canonicalize(load(W3C / "proofConfigDataInt.json"))

    assert canonical == (W3C / "proofCanonDataInt.txt").read_text(encoding="utf-8")
    assert sha256_hex(canonical) == (W3C / "proofHashDataInt.txt").read_text().strip()


def test_w3c_vector_signing_reproduces_the_published_proof_exactly():
    key = decode_private_key(load(W3C / "keyPair.json")["privateKeyMultibase"])
    expected = load(W3C / "signedDataInt.json")

    signed = sign(
        load(W3C / "unsigned.json"),
        private_key=key,
        verification_method=expected["proof"]["verificationMethod"],
        created="2023-02-24T23:36:38Z",
    )

    assert signed["proof"] == [expected["proof"]]  # same proof, but always in an array
    assert {k: v for k, v in signed.items() if k != "proof"} == load(W3C / "unsigned.json")


def test_w3c_vector_the_published_signed_credential_verifies():
    results = verify(
        load(W3C / "signedDataInt.json"), resolve_key=resolve_did_key_verification_method
    )

    assert [r.valid for r in results] == [True]
    assert results[0].controller == did_key_from_public_key(
        decode_private_key(load(W3C / "keyPair.json")["privateKeyMultibase"]).public_key()
    )


# --- the 1EdTech Open Badges 3.0 vector ---------------------------------------------------


def https_resolver(documents: dict):
    """Resolve a verification method from published documents, as a did:web/https resolver
    would: the method must be listed under its controller's assertionMethod."""

    def resolve(method_url: str):
        key, controller = public_key_from_verification_method(documents[method_url])
        listed = documents[controller].get("assertionMethod", [])
        ids = [m if isinstance(m, str) else m.get("id") for m in listed]
        if method_url not in ids:
            raise LookupError(f"{method_url} is not an assertion method of {controller}")
        return key, controller

    return resolve


def test_1edtech_vector_verifies_against_its_published_issuer_key():
    credential = load(STANDARDS / "ob3-testvector-signed.json")
    resolver = https_resolver(load(STANDARDS / "ob3-testvector-extra-docs.json"))

    results = verify(
        credential, resolve_key=resolver, expected_controller=credential["issuer"]["id"]
    )

    assert is_verified(results)
    assert results[0].reason == "signature verified"
    assert results[0].controller == "https://example.edu/issuers/565049"


def test_1edtech_vector_fails_once_any_claim_is_changed():
    credential = load(STANDARDS / "ob3-testvector-signed.json")
    credential["credentialSubject"]["achievement"]["name"] = "Teamwork (Gold)"
    resolver = https_resolver(load(STANDARDS / "ob3-testvector-extra-docs.json"))

    [result] = verify(credential, resolve_key=resolver)

    assert not result.valid
    assert "signature does not match" in result.reason


# --- issuing and verifying our own ---------------------------------------------------------


@pytest.fixture
def key():
    return generate_private_key()


@pytest.fixture
def credential(key):
    """An OB 3.0 credential issued by a did:key."""
    document = load(STANDARDS / "ob3-testvector-signed.json")
    del document["proof"]
    document["issuer"]["id"] = did_key_from_public_key(key.public_key())
    return document


def sign_with(key, document, **options):
    return sign(
        document,
        private_key=key,
        verification_method=did_key_verification_method(key.public_key()),
        **options,
    )


def check(document, **options) -> list[ProofResult]:
    return verify(document, resolve_key=resolve_did_key_verification_method, **options)


def test_a_signed_credential_verifies(key, credential):
    signed = sign_with(key, credential, created="2024-05-01T08:00:00Z")

    results = check(signed, expected_controller=credential["issuer"]["id"])

    assert is_verified(results)
    [proof] = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == CRYPTOSUITE
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["created"] == "2024-05-01T08:00:00Z"
    assert proof["proofValue"].startswith("z")


def test_the_proof_is_always_an_array_and_the_input_is_left_alone(key, credential):
    before = copy.deepcopy(credential)

    signed = sign_with(key, credential)

    assert isinstance(signed["proof"], list)
    assert credential == before


def test_created_defaults_to_now_in_utc_to_the_second(key, credential):
    signed = sign_with(key, credential)

    created = datetime.strptime(signed["proof"][0]["created"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs(created.replace(tzinfo=UTC) - datetime.now(UTC)) < timedelta(minutes=1)


def test_created_accepts_an_aware_datetime_and_writes_it_in_utc(key, credential):
    moment = datetime(2024, 5, 1, 15, 0, 30, 123456, tzinfo=timezone(timedelta(hours=7)))

    signed = sign_with(key, credential, created=moment)

    assert signed["proof"][0]["created"] == "2024-05-01T08:00:30Z"


@pytest.mark.parametrize(
    "created",
    [datetime(2024, 5, 1, 8, 0), "2024-05-01", "2024-05-01T08:00:00+07:00", "2024-02-30T00:00:00Z"],
)
def test_created_must_be_an_unambiguous_utc_time(key, credential, created):
    with pytest.raises(ValueError):
        sign_with(key, credential, created=created)


def test_changing_one_value_breaks_verification(key, credential):
    signed = sign_with(key, credential)
    signed["validFrom"] = "2011-01-01T00:00:00Z"

    [result] = check(signed)

    assert not result.valid
    assert "signature does not match" in result.reason


def test_changing_the_proof_options_breaks_verification(key, credential):
    signed = sign_with(key, credential, created="2024-05-01T08:00:00Z")
    signed["proof"][0]["created"] = "2024-05-02T08:00:00Z"

    [result] = check(signed)

    assert not result.valid
    assert "signature does not match" in result.reason


def test_a_signature_from_another_key_does_not_verify(key, credential):
    signed = sign_with(key, credential)
    impostor = generate_private_key().public_key()

    [result] = verify(signed, resolve_key=lambda url: (impostor, credential["issuer"]["id"]))

    assert not result.valid
    assert "signature does not match" in result.reason


def test_a_bare_proof_object_is_accepted_when_verifying(key, credential):
    signed = sign_with(key, credential)
    signed["proof"] = signed["proof"][0]

    assert is_verified(check(signed))


def test_signing_again_adds_a_proof_to_the_set_and_each_proof_verifies(key, credential):
    second_key = generate_private_key()

    signed = sign_with(second_key, sign_with(key, credential))

    assert len(signed["proof"]) == 2
    results = check(signed)
    assert [r.valid for r in results] == [True, True]
    assert [r.index for r in results] == [0, 1]


def test_a_proof_with_another_cryptosuite_fails_with_a_reason(key, credential):
    signed = sign_with(key, credential)
    signed["proof"][0]["cryptosuite"] = "ecdsa-rdfc-2019"

    [result] = check(signed)

    assert not result.valid
    assert "unsupported cryptosuite 'ecdsa-rdfc-2019'" in result.reason


@pytest.mark.parametrize(
    "proof_value",
    ["", "garbage", "z0OIl", "zzzz", "u" + "A" * 86, 12345, None],
)
def test_a_garbage_proof_value_fails_with_a_reason_instead_of_raising(key, credential, proof_value):
    signed = sign_with(key, credential)
    signed["proof"][0]["proofValue"] = proof_value

    [result] = check(signed)

    assert not result.valid
    assert "proofValue" in result.reason


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"type": "Ed25519Signature2020"}, "unsupported proof type"),
        ({"proofPurpose": "authentication"}, "proofPurpose is 'authentication'"),
        ({"verificationMethod": None}, "no verificationMethod"),
        ({"created": "yesterday"}, "not an XML Schema dateTime"),
        ({"expires": "2001-01-01T00:00:00Z"}, "expired"),
        ({"previousProof": "urn:uuid:1"}, "not supported"),
    ],
)
def test_unacceptable_proof_options_fail_with_a_reason(key, credential, change, reason):
    signed = sign_with(key, credential)
    signed["proof"][0].update(change)

    [result] = check(signed)

    assert not result.valid
    assert reason in result.reason


@pytest.mark.parametrize(
    ("proof", "reason"),
    [
        (None, "no proof"),
        ([], "no proof"),
        ("z123", "must be an object"),
        (["z123"], "not an object"),
    ],
)
def test_a_missing_or_malformed_proof_fails_and_is_never_vacuously_valid(credential, proof, reason):
    if proof is not None:
        credential["proof"] = proof

    results = check(credential)

    assert not is_verified(results)
    assert reason in results[0].reason


def test_errors_of_the_callers_key_resolver_reach_the_caller(key, credential):
    # Not finding a key just now says nothing about the credential: the caller decides.
    signed = sign_with(key, credential)

    def unreachable(url):
        raise LookupError("issuer DID document not found")

    with pytest.raises(LookupError, match="not found"):
        verify(signed, resolve_key=unreachable)


def test_a_resolver_that_returns_no_ed25519_key_gives_a_failed_result(key, credential):
    signed = sign_with(key, credential)

    [result] = verify(signed, resolve_key=lambda url: ("not a key", "did:example:issuer"))

    assert not result.valid
    assert "not an Ed25519 key" in result.reason


def test_the_key_must_belong_to_the_expected_controller(key, credential):
    signed = sign_with(key, credential)

    [result] = check(signed, expected_controller="did:web:another-university.example")

    assert not result.valid
    assert "controlled by" in result.reason


def test_challenge_and_domain_are_signed_and_checked(key, credential):
    signed = sign_with(
        key,
        credential,
        proof_purpose="authentication",
        challenge="c0ffee",
        domain="https://verifier.example",
    )
    options = {"expected_proof_purpose": "authentication"}

    assert is_verified(check(signed, **options, expected_challenge="c0ffee"))
    assert is_verified(check(signed, **options, expected_domain="https://verifier.example"))
    assert not is_verified(check(signed, **options, expected_challenge="replayed"))
    assert not is_verified(check(signed, **options, expected_domain="https://other.example"))


# --- safe mode when signing and verifying ---------------------------------------------------


def test_signing_refuses_an_undefined_top_level_property_by_name(key, credential):
    credential["issuanceDate"] = "2010-01-01T00:00:00Z"

    with pytest.raises(UndefinedTermError, match="issuanceDate") as error:
        sign_with(key, credential)
    assert error.value.paths == ["issuanceDate"]


def test_signing_refuses_an_undefined_nested_property_with_its_path(key, credential):
    credential["credentialSubject"]["achievement"]["foo"] = 1

    with pytest.raises(UndefinedTermError) as error:
        sign_with(key, credential)
    assert error.value.paths == ["credentialSubject.achievement.foo"]


def test_signing_refuses_a_proof_whose_terms_the_context_does_not_define(key, credential):
    # Without the VC 2.0 context nothing defines DataIntegrityProof and its properties.
    credential["@context"] = ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]

    with pytest.raises(UndefinedTermError) as error:
        sign_with(key, credential)
    assert any(path and path.startswith("proof.") for path in error.value.paths)


def test_signing_refuses_a_did_key_method_of_a_different_key(key, credential):
    other = did_key_verification_method(generate_private_key().public_key())

    with pytest.raises(ValueError, match="different key"):
        sign(credential, private_key=key, verification_method=other)


def test_a_property_added_after_signing_fails_verification_even_though_rdf_ignores_it(
    key, credential
):
    # The signature still matches (the property is not in the RDF), but a reader of the JSON
    # would take it for signed data.
    signed = sign_with(key, credential)
    signed["credentialSubject"]["grade"] = "A+"

    [result] = check(signed)

    assert not result.valid
    assert "credentialSubject.grade" in result.reason


def test_a_credential_with_an_unknown_context_fails_verification_with_a_reason(key, credential):
    signed = sign_with(key, credential)
    signed["@context"].append("https://example.org/unknown-context")

    [result] = check(signed)

    assert not result.valid
    assert "https://example.org/unknown-context" in result.reason


def test_extra_documents_are_used_for_signing_and_verifying(key, credential):
    extension = "https://example.org/badge-extension/v1"
    extra = {extension: {"@context": {"shoeSize": "https://example.org/#shoeSize"}}}
    credential["@context"].append(extension)
    credential["credentialSubject"]["shoeSize"] = 42

    signed = sign_with(key, credential, extra_documents=extra)

    assert is_verified(check(signed, extra_documents=extra))
    assert not is_verified(check(signed))
