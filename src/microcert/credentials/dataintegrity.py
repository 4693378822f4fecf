"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C vc-di-eddsa).

Signing, per the spec: the proof configuration (the proof options plus the document's
``@context``) and the document without its proofs are each canonicalized with RDFC-1.0 and
hashed with SHA-256; the Ed25519 signature over ``proofConfigHash || documentHash`` is the
``proofValue``, multibase base58btc. Proofs already on the document form a proof set: each one
covers the document without any proof.

We always emit ``proof`` as an array (the Open Badges 3.0 schema and some verifiers reject a
bare object) and accept either form when verifying.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from .jsonld import CredentialFormatError, DocumentLoader, canonicalize
from .multikey import resolve_did_key

__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "KeyResolver",
    "ProofResult",
    "format_datetime",
    "is_verified",
    "sign",
    "verify",
]

PROOF_TYPE: Final = "DataIntegrityProof"
CRYPTOSUITE: Final = "eddsa-rdfc-2022"
_SIGNATURE_LENGTH: Final = 64

# What we write: XML Schema dateTime in UTC to the second.
_CREATED_FORMAT: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# What we accept from others: any XML Schema dateTime with a time zone.
_XSD_DATETIME: Final = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"
)

KeyResolver = Callable[[str], tuple[Ed25519PublicKey, str]]
"""Maps a verificationMethod URL to (public key, controller); raises if it cannot."""


@dataclass(frozen=True)
class ProofResult:
    """The outcome for one proof. ``reason`` says why, in words a person can act on."""

    valid: bool
    reason: str
    index: int | None = None
    verification_method: str | None = None
    controller: str | None = None
    created: str | None = None


def is_verified(results: Sequence[ProofResult]) -> bool:
    """True only if there is at least one proof and every proof is valid."""
    return bool(results) and all(result.valid for result in results)


def format_datetime(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` for an aware datetime (naive ones are ambiguous: refused)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _created(created: datetime | str | None) -> str:
    if created is None:
        return format_datetime(datetime.now(UTC))
    if isinstance(created, datetime):
        return format_datetime(created)
    if not _CREATED_FORMAT.fullmatch(created):
        raise ValueError(f"created must look like 2024-01-31T12:00:00Z, not {created!r}")
    datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")  # rejects 2024-02-30 and the like
    return created


def _proof_list(proof: Any) -> list[Any]:
    if proof is None:
        return []
    if isinstance(proof, Mapping):
        return [proof]
    if isinstance(proof, list):
        return list(proof)
    raise CredentialFormatError("proof must be an object or an array of objects")


def _hash_data(
    proof_config: Mapping[str, Any], unsecured: Mapping[str, Any], loader: DocumentLoader
) -> bytes:
    """proofConfigHash || documentHash, per eddsa-rdfc-2022."""
    config = canonicalize(proof_config, loader=loader, path_prefix="proof")
    document = canonicalize(unsecured, loader=loader)
    return hashlib.sha256(config.encode()).digest() + hashlib.sha256(document.encode()).digest()


def sign(
    document: Mapping[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | str | None = None,
    proof_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    extra_documents: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A copy of ``document`` with an ``eddsa-rdfc-2022`` proof appended to its ``proof`` array.

    Raises :class:`~.jsonld.UndefinedTermError` (naming the paths) if any term would be
    dropped by JSON-LD, since it would not be signed.
    """
    if not isinstance(private_key, Ed25519PrivateKey):
        raise TypeError("private_key must be an Ed25519PrivateKey")
    if not isinstance(document, Mapping):
        raise TypeError("document must be a JSON object")
    if "@context" not in document:
        raise CredentialFormatError("document has no @context")
    if not isinstance(verification_method, str) or not verification_method:
        raise ValueError("verification_method must be a URL")
    if verification_method.startswith("did:key:"):
        # A did:key names its key, so a mismatch is certain to fail verification: stop now.
        expected = private_key.public_key().public_bytes_raw()
        if resolve_did_key(verification_method).public_bytes_raw() != expected:
            raise ValueError("verification_method is a did:key for a different key")

    existing = _proof_list(document.get("proof"))
    unsecured = {k: copy.deepcopy(v) for k, v in document.items() if k != "proof"}

    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _created(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if challenge is not None:
        proof["challenge"] = challenge
    if domain is not None:
        proof["domain"] = domain

    loader = DocumentLoader(extra_documents)
    proof_config = {**proof, "@context": unsecured["@context"]}
    signature = private_key.sign(_hash_data(proof_config, unsecured, loader))
    proof["proofValue"] = "z" + base58.b58encode(signature).decode("ascii")

    return {**unsecured, "proof": [*copy.deepcopy(existing), proof]}


def _check_options(
    proof: Mapping[str, Any],
    *,
    expected_proof_purpose: str,
    expected_challenge: str | None,
    expected_domain: str | None,
    now: datetime,
) -> str | None:
    """Why this proof cannot be accepted before any cryptography, or None."""
    if proof.get("type") != PROOF_TYPE:
        return f"unsupported proof type {proof.get('type')!r} (expected {PROOF_TYPE!r})"
    if proof.get("cryptosuite") != CRYPTOSUITE:
        return f"unsupported cryptosuite {proof.get('cryptosuite')!r} (expected {CRYPTOSUITE!r})"
    purpose = proof.get("proofPurpose")
    if purpose != expected_proof_purpose:
        return f"proofPurpose is {purpose!r}, expected {expected_proof_purpose!r}"
    if not isinstance(proof.get("verificationMethod"), str):
        return "proof has no verificationMethod"
    if "previousProof" in proof:
        return "proof chains (previousProof) are not supported"
    for name in ("created", "expires"):
        value = proof.get(name)
        if value is not None and not (isinstance(value, str) and _XSD_DATETIME.fullmatch(value)):
            return f"proof {name} {value!r} is not an XML Schema dateTime"
    if "expires" in proof:
        try:
            expires = datetime.fromisoformat(proof["expires"].replace("Z", "+00:00"))
        except ValueError:
            return f"proof expires {proof['expires']!r} is not a valid date and time"
        if expires <= now:
            return f"proof expired at {proof['expires']}"
    if expected_challenge is not None and proof.get("challenge") != expected_challenge:
        return "proof challenge does not match the expected challenge"
    if expected_domain is not None:
        domains = proof.get("domain")
        domains = domains if isinstance(domains, list) else [domains]
        if expected_domain not in domains:
            return "proof domain does not match the expected domain"
    return None


def _signature(proof_value: object) -> bytes | None:
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        return None
    try:
        signature = base58.b58decode(proof_value[1:])
    except ValueError:
        return None
    return signature if len(signature) == _SIGNATURE_LENGTH else None


def verify(
    document: Mapping[str, Any],
    *,
    resolve_key: KeyResolver,
    extra_documents: Mapping[str, Any] | None = None,
    expected_proof_purpose: str = "assertionMethod",
    expected_controller: str | None = None,
    expected_challenge: str | None = None,
    expected_domain: str | None = None,
    now: datetime | None = None,
) -> list[ProofResult]:
    """Check every ``eddsa-rdfc-2022`` proof on ``document``; one result per proof.

    Never raises for a bad, foreign or malformed proof or document: that is a failed result
    with a reason. A document without proofs gives one failed result, so "all valid" can
    never be vacuously true (see :func:`is_verified`). Exceptions raised by ``resolve_key``
    propagate unchanged. ``expected_controller`` (typically the credential's issuer id) must
    then be the controller of each verification method.
    """
    if not isinstance(document, Mapping):
        raise TypeError("document must be a JSON object")
    try:
        proofs = _proof_list(document.get("proof"))
    except CredentialFormatError as error:
        return [ProofResult(False, str(error))]
    if not proofs:
        return [ProofResult(False, "the document has no proof")]

    loader = DocumentLoader(extra_documents)
    moment = now or datetime.now(UTC)
    return [
        _verify_one(
            document,
            proof,
            index,
            loader=loader,
            resolve_key=resolve_key,
            expected_proof_purpose=expected_proof_purpose,
            expected_controller=expected_controller,
            expected_challenge=expected_challenge,
            expected_domain=expected_domain,
            now=moment,
        )
        for index, proof in enumerate(proofs)
    ]


def _verify_one(
    document: Mapping[str, Any],
    proof: Any,
    index: int,
    *,
    loader: DocumentLoader,
    resolve_key: KeyResolver,
    expected_proof_purpose: str,
    expected_controller: str | None,
    expected_challenge: str | None,
    expected_domain: str | None,
    now: datetime,
) -> ProofResult:
    if not isinstance(proof, Mapping):
        return ProofResult(False, "proof is not an object", index)
    method = proof.get("verificationMethod")
    created = proof.get("created")

    def failed(reason: str, controller: str | None = None) -> ProofResult:
        vm = method if isinstance(method, str) else None
        when = created if isinstance(created, str) else None
        return ProofResult(False, reason, index, vm, controller, when)

    problem = _check_options(
        proof,
        expected_proof_purpose=expected_proof_purpose,
        expected_challenge=expected_challenge,
        expected_domain=expected_domain,
        now=now,
    )
    if problem:
        return failed(problem)
    signature = _signature(proof.get("proofValue"))
    if signature is None:
        return failed("proofValue is not a multibase base58btc Ed25519 signature")

    # The spec lets a proof carry its own @context, which must open the document's.
    context = document.get("@context")
    if "@context" in proof:
        own = proof["@context"]
        own_list = own if isinstance(own, list) else [own]
        doc_list = context if isinstance(context, list) else [context]
        if doc_list[: len(own_list)] != own_list:
            return failed("proof @context does not match the start of the document's @context")
        context = own
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    unsecured["@context"] = context
    proof_config = {k: v for k, v in proof.items() if k != "proofValue"}
    proof_config["@context"] = context
    try:
        hash_data = _hash_data(proof_config, unsecured, loader)
    except CredentialFormatError as error:
        return failed(str(error))

    # Resolver errors propagate: "the key could not be fetched just now" says nothing about
    # the credential, and the caller knows its own errors (and whether to retry).
    public_key, controller = resolve_key(method)
    if not isinstance(public_key, Ed25519PublicKey):
        return failed(f"verification method {method!r} is not an Ed25519 key")
    if expected_controller is not None and controller != expected_controller:
        return failed(
            f"verification method is controlled by {controller!r}, "
            f"expected {expected_controller!r}",
            controller,
        )
    try:
        public_key.verify(signature, hash_data)
    except InvalidSignature:
        return failed(
            "signature does not match: the document or proof was changed after signing, "
            "or it was signed with another key",
            controller,
        )
    return ProofResult(True, "signature verified", index, method, controller, created)
