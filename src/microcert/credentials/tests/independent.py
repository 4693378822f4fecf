"""Verify credentials with verifiers we did not write (test helper, not a test file).

``verify_independently`` runs ``tools/verifiers/verify.mjs`` under Node, which checks
each credential with two independent stacks, entirely offline:

* ``digitalbazaar``: ``@digitalbazaar/vc`` with ``DataIntegrityProof``/``eddsa-rdfc-2022``
  and ``@digitalbazaar/vc-bitstring-status-list``;
* ``dcc``: the Digital Credentials Consortium's ``@digitalcredentials/verifier-core``.

Each result is ``{"digitalbazaar": {...}, "dcc": {...}}``; the fields are described at
the top of ``verify.mjs``. The ones tests usually want:

* ``digitalbazaar``: ``verified``, ``error``, ``proofs[i].signatureValid`` /
  ``purposeValid``, ``statusChecks`` (``[{"purpose", "index", "set"}]``), ``revoked``,
  ``suspended``. A set status bit does NOT make ``verified`` false: read ``revoked``.
* ``dcc``: ``verified`` (signature, expiry and status steps; the trust-registry step is
  not part of it: no registry is configured), ``signatureValid``, ``revoked``,
  ``suspended``, ``expired``, ``errors``, ``log``, ``schema`` (its OB 3.0 JSON Schema
  check) and ``trace`` (what its signature and proof purpose steps said, since its
  ``invalid_signature`` error hides the reason).
* both: ``offlineMisses``, the URLs the verifier asked for that were not available.

Nothing is fetched from the network: ``documents`` maps URLs (did:web DIDs or their
``https://.../did.json`` URLs, status list credentials, https keys, JSON Schemas) to
JSON; contexts come from the verifier packages and did:key is computed.

``sign_for_tests`` wraps ``tools/verifiers/sign.mjs``, a test-only signer built on
Digital Bazaar's stack, for inputs our own issuer should not be trusted to make.
"""

from __future__ import annotations

import base64
import gzip
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[4]
VERIFIERS_DIR = PROJECT_ROOT / "tools" / "verifiers"
from microcert.credentials.tests.standards import STANDARDS_DIR  # noqa: E402

OB3_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
STATUS_LIST_BITS = 131_072

_BASE_TIMEOUT = 120.0
_TIMEOUT_PER_ITEM = 2.0


class IndependentVerifierError(RuntimeError):
    """The verifier harness could not run (not: a credential failed to verify)."""


def standard_documents() -> dict[str, Any]:
    """Documents from the shared standards data that the verifiers may ask for.

    Today: the official OB 3.0 AchievementCredential JSON Schema, which verifier-core
    fetches for its schema check. Empty when the standards folder is not there.
    """
    schema = STANDARDS_DIR / "ob_v3p0_achievementcredential_schema.json"
    if schema.is_file():
        return {OB3_SCHEMA_URL: json.loads(schema.read_text(encoding="utf-8"))}
    return {}


def _run_node(script: str, request: dict[str, Any], timeout: float) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        raise IndependentVerifierError("`node` is not on PATH; Node 20+ is needed")
    if not (VERIFIERS_DIR / "node_modules" / "@digitalcredentials" / "verifier-core").is_dir():
        raise IndependentVerifierError(
            f"{VERIFIERS_DIR / 'node_modules'} is missing: run `make verifiers`"
        )
    try:
        completed = subprocess.run(  # noqa: S603 - fixed script, JSON on stdin, no shell
            [node, str(VERIFIERS_DIR / script)],
            input=json.dumps(request).encode(),
            capture_output=True,
            cwd=VERIFIERS_DIR,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise IndependentVerifierError(f"{script} timed out after {timeout:.0f}s") from exc
    stderr = completed.stderr.decode(errors="replace").strip()
    if completed.returncode != 0:
        raise IndependentVerifierError(
            f"{script} exited with {completed.returncode}: {stderr or '(no message)'}"
        )
    try:
        return json.loads(completed.stdout)
    except json.JSONDecodeError as exc:
        raise IndependentVerifierError(
            f"{script} wrote no JSON ({exc}); stderr: {stderr or '(none)'}"
        ) from exc


def run_verifiers(request: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
    """Send one raw request to verify.mjs and return its whole response."""
    items = len(request.get("credentials", [])) + len(request.get("presentations", []))
    if timeout is None:
        timeout = _BASE_TIMEOUT + _TIMEOUT_PER_ITEM * items
    return _run_node("verify.mjs", request, timeout)


def verify_independently(
    credentials: list[dict],
    documents: dict[str, dict] | None = None,
    presentations: list[dict] | None = None,
    *,
    challenge: str | None = None,
    with_standard_documents: bool = True,
    timeout: float | None = None,
) -> list[dict]:
    """Verify credentials (and presentations) with both independent verifiers.

    Returns one result per credential, in order, followed by one per presentation
    (``{"digitalbazaar": {..., "credentialResults": [...]}, "dcc": {...}}``).
    ``documents`` win over ``standard_documents()``, which are added unless
    ``with_standard_documents`` is false.
    """
    docs: dict[str, Any] = standard_documents() if with_standard_documents else {}
    docs.update(documents or {})
    request: dict[str, Any] = {"credentials": list(credentials), "documents": docs}
    if presentations:
        request["presentations"] = list(presentations)
    if challenge is not None:
        request["challenge"] = challenge
    response = run_verifiers(request, timeout=timeout)
    return response["results"] + response.get("presentationResults", [])


def sign_for_tests(
    credentials: list[dict],
    *,
    seed: bytes | None = None,
    key_pair: dict[str, str] | None = None,
    controller: str | None = None,
    created: str | None = None,
    proof_as_array: bool = False,
    documents: dict[str, dict] | None = None,
) -> dict[str, Any]:
    """Sign credentials with Digital Bazaar's stack (TEST DATA ONLY).

    Give a 32-byte ``seed`` or a Multikey ``key_pair``. Without ``controller`` the
    key is a did:key. Returns ``{"publicKeyMultibase", "controller",
    "verificationMethod", "controllerDocument", "credentials"}``; pass
    ``credentials=[]`` to learn the DID first.
    """
    request: dict[str, Any] = {
        "credentials": list(credentials),
        "proofAsArray": proof_as_array,
        "documents": documents or {},
    }
    if key_pair is not None:
        request["keyPair"] = key_pair
    elif seed is not None and len(seed) == 32:
        request["seed"] = seed.hex()
    else:
        raise ValueError("give a 32-byte seed or a key_pair")
    if controller is not None:
        request["controller"] = controller
    if created is not None:
        request["created"] = created
    return _run_node("sign.mjs", request, _BASE_TIMEOUT + _TIMEOUT_PER_ITEM * len(credentials))


def encode_status_list(set_bits: set[int] | list[int], length: int = STATUS_LIST_BITS) -> str:
    """Encode a Bitstring Status List: index 0 is the left-most bit, GZIP, base64url
    without padding, multibase prefix ``u``."""
    if length % 8:
        raise ValueError("length must be a multiple of 8")
    bits = bytearray(length // 8)
    for index in set_bits:
        if not 0 <= index < length:
            raise ValueError(f"index {index} is outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")
