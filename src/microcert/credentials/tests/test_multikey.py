"""Ed25519 keys as W3C Multikey, and did:key."""

import json

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from microcert.credentials.jsonld import CredentialFormatError, find_dropped_terms
from microcert.credentials.multikey import (
    MultikeyError,
    decode_private_key,
    decode_public_key,
    did_key_document,
    did_key_from_public_key,
    did_key_verification_method,
    encode_private_key,
    encode_public_key,
    generate_private_key,
    public_key_from_verification_method,
    resolve_did_key,
    resolve_did_key_verification_method,
)
from microcert.credentials.tests.standards import STANDARDS_DIR as STANDARDS

W3C_KEY_PAIR = json.loads((STANDARDS / "w3c-vc-di-eddsa" / "keyPair.json").read_text())
PUBLIC = W3C_KEY_PAIR["publicKeyMultibase"]
SECRET = W3C_KEY_PAIR["privateKeyMultibase"]


def raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes_raw()


# --- Multikey ---------------------------------------------------------------------------


def test_the_w3c_secret_key_yields_the_w3c_public_key():
    private_key = decode_private_key(SECRET)

    assert encode_public_key(private_key.public_key()) == PUBLIC
    assert encode_private_key(private_key) == SECRET


def test_a_public_multikey_is_base58btc_of_0xed01_and_32_key_bytes():
    key = generate_private_key().public_key()

    value = encode_public_key(key)

    assert value.startswith("z6Mk")
    assert base58.b58decode(value[1:]) == b"\xed\x01" + raw(key)
    assert raw(decode_public_key(value)) == raw(key)


def test_a_secret_multikey_is_base58btc_of_0x8026_and_the_32_byte_seed():
    key = generate_private_key()

    value = encode_private_key(key)

    assert base58.b58decode(value[1:]) == b"\x80\x26" + key.private_bytes_raw()
    assert decode_private_key(value).private_bytes_raw() == key.private_bytes_raw()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (42, "must be a string"),
        ("", "start with 'z'"),
        (PUBLIC[1:], "start with 'z'"),
        ("u7QFDx", "start with 'z'"),
        ("z0OIl", "not valid base58btc"),
        (SECRET, "prefix 0x8026, expected 0xed01"),
        ("z" + base58.b58encode(b"\xed\x01" + bytes(31)).decode(), "31 key bytes, expected 32"),
        ("z" + base58.b58encode(b"\xed\x01" + bytes(33)).decode(), "33 key bytes"),
    ],
)
def test_malformed_public_multikeys_are_refused_with_a_reason(value, message):
    with pytest.raises(MultikeyError, match=message):
        decode_public_key(value)


def test_multikey_errors_are_credential_format_errors():
    assert issubclass(MultikeyError, CredentialFormatError)


@pytest.mark.parametrize("value", [PUBLIC, SECRET[:-2], SECRET[1:], "z0OIl-not-a-key", None])
def test_malformed_secret_keys_are_refused_without_echoing_them(value):
    with pytest.raises(MultikeyError) as error:
        decode_private_key(value)
    if isinstance(value, str) and len(value) > 5:
        assert value not in str(error.value)


# --- did:key ----------------------------------------------------------------------------

DID = f"did:key:{PUBLIC}"
VM = f"{DID}#{PUBLIC}"


def test_a_did_key_is_the_public_multikey_under_did_key():
    key = decode_public_key(PUBLIC)

    assert did_key_from_public_key(key) == DID
    assert did_key_verification_method(key) == VM
    assert did_key_verification_method(DID) == VM


def test_a_did_key_resolves_to_its_public_key_from_the_did_or_its_verification_method():
    assert raw(resolve_did_key(DID)) == raw(decode_public_key(PUBLIC))
    assert raw(resolve_did_key(VM)) == raw(decode_public_key(PUBLIC))


def test_the_did_key_resolver_for_verification_names_the_did_as_controller():
    key, controller = resolve_did_key_verification_method(VM)

    assert raw(key) == raw(decode_public_key(PUBLIC))
    assert controller == DID


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("did:web:example.edu", "not a did:key"),
        (f"{DID}#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "does not match"),
        (f"did:key:{SECRET}", "expected 0xed01"),
        ("did:key:", "start with 'z'"),
    ],
)
def test_malformed_did_keys_are_refused(value, message):
    with pytest.raises(MultikeyError, match=message):
        resolve_did_key(value)


def test_the_did_key_document_has_one_multikey_method_for_every_relationship():
    document = did_key_document(DID)

    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["id"] == DID
    assert document["verificationMethod"] == [
        {"id": VM, "type": "Multikey", "controller": DID, "publicKeyMultibase": PUBLIC}
    ]
    for relationship in (
        "authentication",
        "assertionMethod",
        "capabilityDelegation",
        "capabilityInvocation",
    ):
        assert document[relationship] == [VM]


def test_the_did_key_document_is_well_formed_json_ld():
    assert find_dropped_terms(did_key_document(decode_public_key(PUBLIC))) == ()


def test_a_did_key_document_can_be_made_from_a_key_or_a_verification_method_url():
    assert did_key_document(decode_public_key(PUBLIC)) == did_key_document(VM)


# --- verification methods published as documents ----------------------------------------


def test_a_multikey_verification_method_gives_its_key_and_controller():
    method_url = (
        "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
    )
    method = json.loads((STANDARDS / "ob3-testvector-extra-docs.json").read_text())[method_url]

    key, controller = public_key_from_verification_method(method)

    assert raw(key) == raw(decode_public_key(method["publicKeyMultibase"]))
    assert controller == "https://example.edu/issuers/565049"


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ({"type": "Ed25519VerificationKey2020", "controller": DID}, "expected 'Multikey'"),
        ({"type": "Multikey", "publicKeyMultibase": PUBLIC}, "no controller"),
        ({"type": "Multikey", "controller": DID}, "must be a string"),
    ],
)
def test_other_verification_methods_are_refused(method, message):
    with pytest.raises(MultikeyError, match=message):
        public_key_from_verification_method(method)
