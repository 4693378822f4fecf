"""Encryption at rest of the issuers' private keys (AES-256-GCM under a key-encryption key).

The key-encryption keys come from the environment (``KEY_ENCRYPTION_KEYS``), never from the
database, so a copy of the database alone cannot sign anything. The ciphertext is bound to its
public key (associated data), so a private key cannot be swapped onto another key's row.
"""

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12


class KeyDecryptionError(Exception):
    """The stored key cannot be decrypted with the configured key-encryption keys."""


def _key_encryption_keys() -> dict[str, bytes]:
    """{kek id: 32-byte key}, in the configured order (the first encrypts)."""
    configured = settings.KEY_ENCRYPTION_KEYS
    if not configured:
        # Development only (settings refuse this when DEBUG is false).
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"microcert dev kek"
        ).derive(settings.SECRET_KEY.encode())
        return {"dev": derived}
    keys: dict[str, bytes] = {}
    for item in configured:
        kek_id, _, encoded = item.partition(":")
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError as error:
            raise ImproperlyConfigured(f"KEY_ENCRYPTION_KEYS: {kek_id!r} is not base64") from error
        if not kek_id or len(raw) != 32:
            raise ImproperlyConfigured(
                "KEY_ENCRYPTION_KEYS entries must be 'id:<base64url of 32 bytes>'"
            )
        keys[kek_id] = raw
    return keys


def encrypt_private_key(private_key: bytes, *, bound_to: str) -> tuple[str, bytes]:
    """Encrypt ``private_key`` under the current key-encryption key; returns (kek id, blob)."""
    kek_id, kek = next(iter(_key_encryption_keys().items()))
    nonce = os.urandom(NONCE_BYTES)
    return kek_id, nonce + AESGCM(kek).encrypt(nonce, private_key, bound_to.encode())


def decrypt_private_key(blob: bytes, *, kek_id: str, bound_to: str) -> bytes:
    kek = _key_encryption_keys().get(kek_id)
    if kek is None:
        raise KeyDecryptionError(f"key-encryption key {kek_id!r} is not configured")
    blob = bytes(blob)
    try:
        return AESGCM(kek).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], bound_to.encode())
    except InvalidTag as error:
        raise KeyDecryptionError("the stored key does not match its key-encryption key") from error
