"""Ed25519 keys as W3C Multikey, and the did:key method built on them.

A Multikey value is multibase base58btc ("z" prefix) of a multicodec varint prefix followed by
the raw key: 0xed 0x01 for an Ed25519 public key (so every one starts "z6Mk"), 0x80 0x26 for an
Ed25519 secret key (the 32-byte seed). A did:key DID is "did:key:" + the public Multikey, and
its one verification method is "<did>#<public Multikey>".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .jsonld import CredentialFormatError

__all__ = [
    "DID_KEY_CONTEXTS",
    "ED25519_PUBLIC_PREFIX",
    "ED25519_SECRET_PREFIX",
    "MultikeyError",
    "decode_private_key",
    "decode_public_key",
    "did_key_document",
    "did_key_from_public_key",
    "did_key_verification_method",
    "encode_private_key",
    "encode_public_key",
    "generate_private_key",
    "public_key_from_verification_method",
    "resolve_did_key",
    "resolve_did_key_verification_method",
]

ED25519_PUBLIC_PREFIX: Final = b"\xed\x01"
ED25519_SECRET_PREFIX: Final = b"\x80\x26"
_KEY_LENGTH: Final = 32
_DID_KEY: Final = "did:key:"

DID_KEY_CONTEXTS: Final = (
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/multikey/v1",
)


class MultikeyError(CredentialFormatError):
    """A Multikey value, did:key identifier or verification method is malformed."""


def _encode(prefix: bytes, raw: bytes) -> str:
    return "z" + base58.b58encode(prefix + raw).decode("ascii")


def _decode(value: object, prefix: bytes, what: str) -> bytes:
    if not isinstance(value, str):
        raise MultikeyError(f"{what} must be a string, not {type(value).__name__}")
    if not value.startswith("z"):
        raise MultikeyError(f"{what} must be multibase base58btc (start with 'z'): {value!r}")
    try:
        data = base58.b58decode(value[1:])
    except ValueError as error:
        raise MultikeyError(f"{what} is not valid base58btc: {value!r}") from error
    if not data.startswith(prefix):
        raise MultikeyError(
            f"{what} has multicodec prefix 0x{data[:2].hex()}, expected 0x{prefix.hex()} "
            f"(Ed25519 {'public' if prefix == ED25519_PUBLIC_PREFIX else 'secret'} key)"
        )
    raw = data[len(prefix) :]
    if len(raw) != _KEY_LENGTH:
        raise MultikeyError(f"{what} holds {len(raw)} key bytes, expected {_KEY_LENGTH}")
    return raw


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def encode_public_key(key: Ed25519PublicKey) -> str:
    """``publicKeyMultibase`` of an Ed25519 public key ("z6Mk…")."""
    return _encode(ED25519_PUBLIC_PREFIX, key.public_bytes_raw())


def decode_public_key(multibase: str) -> Ed25519PublicKey:
    raw = _decode(multibase, ED25519_PUBLIC_PREFIX, "publicKeyMultibase")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as error:
        raise MultikeyError(f"not a usable Ed25519 public key: {multibase!r}") from error


def encode_private_key(key: Ed25519PrivateKey) -> str:
    """``secretKeyMultibase`` of an Ed25519 private key: keep it secret."""
    return _encode(ED25519_SECRET_PREFIX, key.private_bytes_raw())


def decode_private_key(multibase: str) -> Ed25519PrivateKey:
    # The value itself is never echoed in errors: it is a secret.
    if not isinstance(multibase, str) or not multibase.startswith("z"):
        raise MultikeyError("secretKeyMultibase must be a multibase base58btc string")
    try:
        data = base58.b58decode(multibase[1:])
    except ValueError as error:
        raise MultikeyError("secretKeyMultibase is not valid base58btc") from error
    if not data.startswith(ED25519_SECRET_PREFIX) or len(data) != 2 + _KEY_LENGTH:
        raise MultikeyError("secretKeyMultibase is not an Ed25519 secret key (0x8026 + 32 bytes)")
    return Ed25519PrivateKey.from_private_bytes(data[2:])


# --- did:key ----------------------------------------------------------------------------


def did_key_from_public_key(key: Ed25519PublicKey) -> str:
    return _DID_KEY + encode_public_key(key)


def did_key_verification_method(did_or_key: str | Ed25519PublicKey) -> str:
    """The verification method URL ``did:key:z6Mk…#z6Mk…`` of a did:key DID or public key."""
    did = did_or_key if isinstance(did_or_key, str) else did_key_from_public_key(did_or_key)
    multibase = _did_key_multibase(did)
    return f"{_DID_KEY}{multibase}#{multibase}"


def _did_key_multibase(did_or_vm_url: str) -> str:
    """The public Multikey inside a did:key DID or verification method URL, validated."""
    if not isinstance(did_or_vm_url, str) or not did_or_vm_url.startswith(_DID_KEY):
        raise MultikeyError(f"not a did:key identifier: {did_or_vm_url!r}")
    did, _, fragment = did_or_vm_url.partition("#")
    multibase = did[len(_DID_KEY) :]
    if fragment and fragment != multibase:
        raise MultikeyError(
            f"did:key verification method fragment {fragment!r} does not match the key"
        )
    decode_public_key(multibase)
    return multibase


def resolve_did_key(did_or_vm_url: str) -> Ed25519PublicKey:
    """The Ed25519 public key named by a did:key DID or its verification method URL."""
    return decode_public_key(_did_key_multibase(did_or_vm_url))


def resolve_did_key_verification_method(vm_url: str) -> tuple[Ed25519PublicKey, str]:
    """A ``resolve_key`` for :func:`dataintegrity.verify`: (public key, controller DID)."""
    return resolve_did_key(vm_url), vm_url.partition("#")[0]


def did_key_document(did_or_key: str | Ed25519PublicKey) -> dict[str, Any]:
    """The DID document of a did:key (Multikey form; no derived X25519 keyAgreement key)."""
    did = did_or_key if isinstance(did_or_key, str) else did_key_from_public_key(did_or_key)
    multibase = _did_key_multibase(did)
    did = _DID_KEY + multibase
    vm_id = f"{did}#{multibase}"
    return {
        "@context": list(DID_KEY_CONTEXTS),
        "id": did,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multibase,
            }
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityDelegation": [vm_id],
        "capabilityInvocation": [vm_id],
    }


def public_key_from_verification_method(
    method: Mapping[str, Any],
) -> tuple[Ed25519PublicKey, str]:
    """(public key, controller) of a Multikey verification method object."""
    types = method.get("type")
    if types != "Multikey" and not (isinstance(types, list) and "Multikey" in types):
        raise MultikeyError(f"verification method type is {types!r}, expected 'Multikey'")
    controller = method.get("controller")
    if not isinstance(controller, str) or not controller:
        raise MultikeyError("verification method has no controller")
    return decode_public_key(method.get("publicKeyMultibase")), controller
