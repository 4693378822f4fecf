"""The tool's RSA keys: made here, stored encrypted (``credentials.keystore``, AES-256-GCM under a
key-encryption key from the environment), decrypted only in memory when a client assertion is
signed. The key ID is the key's RFC 7638 thumbprint, which is also what pylti1p3 puts in the
``kid`` header of the assertions it signs."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

from microcert.credentials import keystore

from .models import LtiToolKey

KEY_BITS = 2048
ALGORITHM = "RS256"


def public_jwk_of(public_key: rsa.RSAPublicKey) -> dict:
    jwk = JWK.from_pyca(public_key)
    public = jwk.export_public(as_dict=True)
    public.update({"kid": jwk.thumbprint(), "alg": ALGORITHM, "use": "sig"})
    return public


def generate() -> tuple[str, dict, bytes, str]:
    """A new key: (kid, public JWK, encrypted private key, key-encryption key id)."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    public_jwk = public_jwk_of(private_key.public_key())
    pem = private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    kek_id, blob = keystore.encrypt_private_key(pem, bound_to=public_jwk["kid"])
    return public_jwk["kid"], public_jwk, blob, kek_id


def private_key_pem(key: LtiToolKey) -> str:
    """The private key in PEM, decrypted in memory. Never log or return it."""
    return keystore.decrypt_private_key(
        key.encrypted_private_key, kek_id=key.kek_id, bound_to=key.kid
    ).decode()


def public_key_pem(key: LtiToolKey) -> str:
    return JWK(**key.public_jwk).export_to_pem().decode()
