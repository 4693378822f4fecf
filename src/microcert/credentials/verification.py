"""Verify a credential from anyone: shape, official schema, proof, issuer DID, dates, status.

Each check says pass or fail with a reason a person can read and a reason code a program can
act on (:class:`Reason`). Our own issuers' DID documents come from the database through a
small cache that key changes clear; our status lists are read live from the database; anything
else is fetched over HTTPS (cached as its headers and its validUntil allow) or taken from
documents the caller supplies. The expensive part of a proof (RDFC-1.0 and Ed25519) is
remembered for the exact bytes of a document, never the trust in its key or its status: see
docs/decisions/0015-verification-caching.md.
"""

import hashlib
import ipaddress
import json
import re
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.cache import cache as django_cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import dataintegrity, did, multikey, statuslist
from .jsonld import CredentialFormatError
from .models import Issuer, StatusList
from .openbadges import parse_datetime

SCHEMA_PATH = Path(__file__).parent / "schemas" / "ob_v3p0_achievementcredential_schema.json"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGE_TYPES = {"AchievementCredential", "OpenBadgeCredential"}
MAX_REMOTE_BYTES = 1_000_000
# Bump when what is remembered about a proof changes shape or meaning.
PROOF_MEMO_VERSION = "1"
# A status list dated this far in the future is still taken (clocks differ a little).
CLOCK_SKEW = timedelta(minutes=5)


class Reason:
    """Why a check passed or failed, as a stable code for programs (the message is for people)."""

    OK = "ok"
    FORMAT_INVALID = "format_invalid"
    SCHEMA_INVALID = "schema_invalid"
    PROOF_MISSING = "proof_missing"
    PROOF_INVALID = "proof_invalid"  # malformed or unsupported proof
    SIGNATURE_INVALID = "signature_invalid"  # the content or proof changed after signing
    DID_UNRESOLVABLE = "did_unresolvable"
    KEY_UNKNOWN = "key_unknown"  # not an assertion method of the DID it names
    KEY_RETIRED = "key_retired"  # signed after the key was retired
    ISSUER_MISMATCH = "issuer_mismatch"  # a valid key, but not the issuer's
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    STATUS_SET = "status_set"
    STATUS_UNAVAILABLE = "status_list_unavailable"
    STATUS_LIST_PURPOSE_MISMATCH = "status_list_purpose_mismatch"
    STATUS_LIST_ISSUER_MISMATCH = "status_list_issuer_mismatch"
    STATUS_LIST_SIGNATURE_INVALID = "status_list_signature_invalid"
    STATUS_LIST_EXPIRED = "status_list_expired"
    STATUS_LIST_STALE = "status_list_stale"  # older than one already seen: a replay


# The proof reasons that mean "not signed by the issuer it names" rather than "changed".
UNTRUSTED_KEY_REASONS = {Reason.KEY_UNKNOWN, Reason.KEY_RETIRED, Reason.ISSUER_MISMATCH}


class ResolutionError(Exception):
    """A DID, verification method or status list that cannot be obtained or used."""

    def __init__(self, message: str, code: str = Reason.DID_UNRESOLVABLE):
        super().__init__(message)
        self.code = code


@dataclass
class Check:
    name: str
    passed: bool
    message: str
    code: str = Reason.OK

    def as_json(self) -> dict:
        return {
            "check": self.name,
            "passed": self.passed,
            "message": self.message,
            "code": self.code,
        }


@dataclass
class VerificationResult:
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    revoked: bool = False
    suspended: bool = False

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def errors(self) -> list[str]:
        return [f"{check.name}: {check.message}" for check in self.checks if not check.passed]

    @property
    def reasons(self) -> list[str]:
        """The codes of the failed checks, in order, each once."""
        return list(dict.fromkeys(check.code for check in self.checks if not check.passed))

    def add(self, name: str, passed: bool, message: str, code: str | None = None) -> None:
        if code is None:
            code = Reason.OK if passed else _DEFAULT_FAILURE.get(name, Reason.FORMAT_INVALID)
        self.checks.append(Check(name, passed, message, code))

    def as_json(self) -> dict:
        return {
            "verified": self.verified,
            "checks": [check.as_json() for check in self.checks],
            "warnings": self.warnings,
            "errors": self.errors,
            "reasons": self.reasons,
        }


_DEFAULT_FAILURE = {
    "format": Reason.FORMAT_INVALID,
    "schema": Reason.SCHEMA_INVALID,
    "proof": Reason.PROOF_INVALID,
    "issuer": Reason.DID_UNRESOLVABLE,
}


@cache
def _schema_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def schema_errors(credential: Mapping) -> list[str]:
    """Messages of the official OB 3.0 AchievementCredential schema (empty when valid)."""
    errors = sorted(_schema_validator().iter_errors(credential), key=lambda e: list(e.path))
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in errors
    ]


# --- resolution --------------------------------------------------------------------------


def _fetch_json(url: str) -> dict:
    """GET a JSON document over HTTPS, cached as long as the settings, the response's
    Cache-Control and the document's own validUntil all allow."""
    if not url.startswith("https://"):
        raise ResolutionError(_("Only HTTPS addresses are fetched: %(url)s") % {"url": url})
    cache_key = "credentials:remote:" + hashlib.sha256(url.encode()).hexdigest()
    cached = django_cache.get(cache_key)
    if cached is not None:
        return cached
    _refuse_private_address(url)
    try:
        response = requests.get(
            url,
            timeout=5,
            # A redirect could lead the server to an internal address: follow none.
            allow_redirects=False,
            headers={"Accept": "application/did+json, application/ld+json, application/json"},
            stream=True,
        )
        response.raise_for_status()
        body = response.raw.read(MAX_REMOTE_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise ResolutionError(
            _("Could not fetch %(url)s: %(error)s") % {"url": url, "error": error}
        ) from error
    if len(body) > MAX_REMOTE_BYTES:
        raise ResolutionError(_("%(url)s is too large.") % {"url": url})
    try:
        document = json.loads(body)
    except ValueError as error:
        raise ResolutionError(_("%(url)s is not JSON.") % {"url": url}) from error
    seconds = remote_cache_seconds(
        response.headers.get("Cache-Control", ""), document, datetime.now(UTC)
    )
    if seconds > 0:
        django_cache.set(cache_key, document, seconds)
    return document


_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def remote_cache_seconds(cache_control: str, document: Any, now: datetime) -> int:
    """How long a fetched document may be kept: never past its Cache-Control max-age (none
    with no-store or no-cache), its validUntil, or CREDENTIALS_REMOTE_CACHE_SECONDS."""
    seconds = settings.CREDENTIALS_REMOTE_CACHE_SECONDS
    directives = cache_control.lower()
    if "no-store" in directives or "no-cache" in directives or "private" in directives:
        return 0
    ages = [int(age) for age in _MAX_AGE.findall(cache_control)]
    if ages:
        seconds = min(seconds, *ages)
    valid_until = (
        parse_datetime(document.get("validUntil")) if isinstance(document, Mapping) else None
    )
    if valid_until is not None:
        seconds = min(seconds, int((valid_until - now).total_seconds()))
    return max(seconds, 0)


def _refuse_private_address(url: str) -> None:
    """Only public hosts are fetched: the verifier must not become a way into our network."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, 443)}
    except (OSError, UnicodeError) as error:
        raise ResolutionError(_("Could not resolve %(host)s.") % {"host": host}) from error
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            raise ResolutionError(
                _("%(host)s is not a public address and is not fetched.") % {"host": host}
            )


class Resolver:
    """Finds public keys and status lists; ``documents`` answers first (tests, offline use).

    It remembers, for each verification method it resolved, when that key was retired (our
    key records for our own issuers; ``revoked`` or ``expires`` in another's DID document),
    so a proof made after that moment is refused.
    """

    def __init__(self, documents: Mapping[str, dict] | None = None, *, allow_network: bool = True):
        self.documents = dict(documents or {})
        self.allow_network = allow_network
        self.retired_at: dict[str, datetime] = {}

    def document(self, url: str) -> dict:
        if url in self.documents:
            return self.documents[url]
        if not self.allow_network:
            raise ResolutionError(_("%(url)s is not available offline.") % {"url": url})
        return _fetch_json(url)

    def did_document(self, did_value: str, *, fresh: bool = False) -> dict:
        if did_value.startswith("did:key:"):
            try:
                return multikey.did_key_document(did_value)
            except ValueError as error:
                raise ResolutionError(str(error)) from error
        if did_value.startswith("did:web:"):
            slug = did.own_issuer_slug(did_value)
            if slug is not None:
                entry = own_did_entry(slug, fresh=fresh)
                for method_id, retired in entry["retired"].items():
                    self.retired_at[method_id] = datetime.fromisoformat(retired)
                return entry["document"]
            try:
                url = did.did_web_document_url(did_value)
            except ValueError as error:
                raise ResolutionError(str(error)) from error
            document = self.documents.get(did_value) or self.document(url)
            if document.get("id") != did_value:
                raise ResolutionError(
                    _("The DID document at %(url)s is for another DID.") % {"url": url}
                )
            return document
        if did_value.startswith("https://"):
            return self.document(did_value)
        raise ResolutionError(
            _("Unsupported DID method or address: %(did)s") % {"did": did_value[:80]}
        )

    def key(self, method_id: str) -> tuple[Ed25519PublicKey, str]:
        """The public key of a verification method that may assert credentials, and its
        controller."""
        controller_id = method_id.split("#", 1)[0]
        try:
            return self._key_in(self.did_document(controller_id), method_id, controller_id)
        except ResolutionError as error:
            if error.code != Reason.KEY_UNKNOWN or did.own_issuer_slug(controller_id) is None:
                raise
        # Our cache may predate a key made a moment ago in another process: read it again.
        return self._key_in(self.did_document(controller_id, fresh=True), method_id, controller_id)

    def _key_in(
        self, controller: dict, method_id: str, controller_id: str
    ) -> tuple[Ed25519PublicKey, str]:
        methods = {
            m.get("id"): m for m in controller.get("verificationMethod", []) if isinstance(m, dict)
        }
        for entry in controller.get("assertionMethod", []):
            if isinstance(entry, dict):
                methods.setdefault(entry.get("id"), entry)
        asserting = {
            entry if isinstance(entry, str) else entry.get("id")
            for entry in controller.get("assertionMethod", [])
        }
        method = methods.get(method_id)
        if method is None and method_id in self.documents:
            method = self.documents[method_id]
        if method is None or method_id not in asserting:
            raise ResolutionError(
                _("%(method)s is not an assertion method of %(controller)s.")
                % {"method": method_id, "controller": controller_id},
                Reason.KEY_UNKNOWN,
            )
        if method.get("controller") != controller_id:
            raise ResolutionError(
                _("The verification method names another controller."), Reason.KEY_UNKNOWN
            )
        try:
            public_key = multikey.decode_public_key(method.get("publicKeyMultibase", ""))
        except ValueError as error:
            raise ResolutionError(str(error), Reason.KEY_UNKNOWN) from error
        # Another's DID document may date the end of a key (Controlled Identifiers 1.0).
        ends = [parse_datetime(method.get(name)) for name in ("revoked", "expires")]
        ends = [end for end in ends if end is not None]
        if ends:
            self.retired_at[method_id] = min(ends)
        return public_key, controller_id

    def status_list(self, url: str) -> dict:
        own_prefix = f"{settings.PUBLIC_BASE_URL}/status/"
        if url.startswith(own_prefix):
            return own_status_list_credential(url[len(own_prefix) :])
        return self.document(url)


def own_status_list_credential(list_id: str) -> dict:
    """Our status list as signed now, read live (one indexed query): a revocation is seen at
    once in every process. A list near the end of its validity is signed again first."""
    try:
        public_id = uuid.UUID(list_id)
    except ValueError:
        public_id = None
    row = (
        StatusList.objects.filter(uuid=public_id).only("signed_credential").first()
        if public_id
        else None
    )
    if row is None:
        raise ResolutionError(
            _("No such status list: %(id)s") % {"id": list_id[:80]}, Reason.STATUS_UNAVAILABLE
        )
    if status_list_needs_signing(row.signed_credential):
        # Signing belongs to services, which import this module: import it when needed.
        from .services import status_list_refresh

        row = status_list_refresh(status_list_id=row.pk)
    return row.signed_credential


def status_list_needs_signing(signed: Mapping, now: datetime | None = None) -> bool:
    """True when a status list credential has no validUntil or is in the last half of it."""
    valid_until = parse_datetime(signed.get("validUntil")) if signed else None
    if valid_until is None:
        return True
    remaining = valid_until - (now or datetime.now(UTC))
    return remaining < timedelta(seconds=status_list_valid_seconds() / 2)


def status_list_valid_seconds() -> int:
    """How long a status list credential we sign is valid (and so the longest a verifier
    may keep a copy)."""
    return int(getattr(settings, "CREDENTIALS_STATUS_LIST_VALID_SECONDS", 86_400))


# --- our own DID documents, cached ---------------------------------------------------------


def _own_did_cache_key(slug: str) -> str:
    return f"credentials:own-did:{hashlib.sha256(slug.encode()).hexdigest()[:32]}"


def own_did_entry(slug: str, *, fresh: bool = False) -> dict:
    """{"document": the DID document, "retired": {method id: ISO time}} of our did:web issuer
    ``slug``, from the cache unless ``fresh``. Key changes clear it (see signals in apps)."""
    cache_key = _own_did_cache_key(slug)
    if not fresh:
        cached = django_cache.get(cache_key)
        if cached is not None:
            return cached
    issuer = (
        Issuer.objects.filter(organisation__slug=slug, did_method=Issuer.DidMethod.WEB)
        .prefetch_related("keys")
        .first()
    )
    if issuer is None:
        raise ResolutionError(_("No issuer %(slug)s on this platform.") % {"slug": slug})
    keys = sorted(issuer.keys.all(), key=lambda k: k.created_at, reverse=True)
    did_value = did.did_web_for(slug)
    entry = {
        "document": did.did_web_document(did_value, [k.public_key_multibase for k in keys]),
        "retired": {
            did.verification_method_id(did_value, k.public_key_multibase): k.retired_at.isoformat()
            for k in keys
            if k.retired_at is not None
        },
    }
    django_cache.set(cache_key, entry, own_did_cache_seconds())
    return entry


def own_did_document(slug: str) -> dict:
    return own_did_entry(slug)["document"]


def own_did_forget(slug: str) -> None:
    django_cache.delete(_own_did_cache_key(slug))


def own_did_cache_seconds() -> int:
    """The most a process may serve a stale DID document of ours, when a key change made in
    another process could not clear its cache (the local-memory cache is per process)."""
    return int(getattr(settings, "CREDENTIALS_OWN_DID_CACHE_SECONDS", 60))


# --- verification ------------------------------------------------------------------------


def _issuer_id(credential: Mapping) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return issuer["id"]
    return None


def _check_shape(credential: Any, result: VerificationResult) -> bool:
    problems = []
    if not isinstance(credential, Mapping):
        result.add("format", False, _("A credential must be a JSON object."))
        return False
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != VC_V2:
        problems.append(_("the first @context must be https://www.w3.org/ns/credentials/v2"))
    types = credential.get("type")
    if (
        not isinstance(types, list)
        or not all(isinstance(t, str) for t in types)
        or "VerifiableCredential" not in types
    ):
        problems.append(_("type must be a list that includes VerifiableCredential"))
    if _issuer_id(credential) is None:
        problems.append(_("issuer must be a URL or an object with an id"))
    if not isinstance(credential.get("credentialSubject"), Mapping | list):
        problems.append(_("credentialSubject is missing"))
    for name in ("validFrom", "validUntil"):
        if name in credential and parse_datetime(credential[name]) is None:
            problems.append(_("%(name)s is not a date-time with a time zone") % {"name": name})
    if problems:
        result.add("format", False, "; ".join(problems))
        return False
    result.add("format", True, _("A W3C Verifiable Credential (data model 2.0)."))
    return True


def _check_schema(credential: Mapping, result: VerificationResult) -> None:
    if not OPEN_BADGE_TYPES & set(credential.get("type") or []):
        result.warnings.append(
            _("Not an Open Badges credential: the OB 3.0 schema was not applied.")
        )
        return
    if isinstance(credential.get("proof"), Mapping):
        # VC 2.0 allows a single proof object; the OB 3.0 schema wants a list.
        credential = {**credential, "proof": [credential["proof"]]}
        result.warnings.append(
            _("The proof is a single object; the Open Badges 3.0 schema expects a list.")
        )
    status = credential.get("credentialStatus")
    if isinstance(status, list) and status:
        # VC 2.0 allows several status entries (revocation and suspension); the OB 3.0 schema
        # describes one. Every entry is validated in its place, and the reader is told.
        errors = sorted(
            {
                e
                for entry in status
                for e in schema_errors({**credential, "credentialStatus": entry})
            }
        )
        result.warnings.append(
            ngettext(
                "credentialStatus is a list of %(count)d entry; the Open Badges 3.0 schema "
                "expects an object, so it was validated in its place.",
                "credentialStatus is a list of %(count)d entries; the Open Badges 3.0 schema "
                "expects one, so each was validated in its place.",
                len(status),
            )
            % {"count": len(status)}
        )
    else:
        errors = schema_errors(credential)
    if errors:
        result.add("schema", False, "; ".join(errors[:5]))
    else:
        result.add("schema", True, _("Valid against the official Open Badges 3.0 JSON Schema."))


@dataclass(frozen=True)
class _Signed:
    """A proof whose signature checked out: who made it, with which key, when."""

    method: str
    controller: str
    created: str | None
    public_key: str


def _document_digest(document: Mapping) -> str | None:
    try:
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _proof_memo_key(digest: str) -> str:
    return f"credentials:proof:{PROOF_MEMO_VERSION}:{digest}"


def _proofs_memoizable(credential: Mapping, resolver: Resolver) -> bool:
    """Only the cryptography of a document on its own is remembered: not when the caller
    brings documents (contexts, keys) of its own, nor for a proof that expires."""
    if resolver.documents:
        return False
    proofs = credential.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    return all(isinstance(p, Mapping) and "expires" not in p for p in proofs)


def _remembered_proofs(digest: str, resolver: Resolver) -> list[_Signed] | None:
    """The proofs of these exact bytes as checked before, if every key still resolves to the
    same public key now (the key's trust is always looked up again)."""
    remembered = django_cache.get(_proof_memo_key(digest))
    if not remembered:
        return None
    signed = [_Signed(**item) for item in remembered]
    for item in signed:
        public_key, _controller = resolver.key(item.method)
        if multikey.encode_public_key(public_key) != item.public_key:
            return None
    return signed


def _verify_signatures(
    credential: Mapping, resolver: Resolver
) -> tuple[list[_Signed], str | None, str]:
    """(valid proofs, failure message, reason code); raises ResolutionError."""
    digest = _document_digest(credential) if _proofs_memoizable(credential, resolver) else None
    if digest is not None:
        remembered = _remembered_proofs(digest, resolver)
        if remembered is not None:
            return remembered, None, Reason.OK
    keys: dict[str, Ed25519PublicKey] = {}

    def resolve_key(method_id: str) -> tuple[Ed25519PublicKey, str]:
        public_key, controller = resolver.key(method_id)
        keys[method_id] = public_key
        return public_key, controller

    outcomes = dataintegrity.verify(
        dict(credential), resolve_key=resolve_key, extra_documents=resolver.documents
    )
    failed = [outcome for outcome in outcomes if not outcome.valid]
    if not outcomes or failed:
        reason = "; ".join(o.reason for o in failed) or _("no proof could be checked")
        # A failure after the key was found is the signature itself; before, the proof's form.
        code = (
            Reason.SIGNATURE_INVALID
            if any(o.verification_method in keys for o in failed)
            else Reason.PROOF_INVALID
        )
        return [], reason, code
    signed = [
        _Signed(
            method=str(o.verification_method),
            controller=str(o.controller),
            created=o.created,
            public_key=multikey.encode_public_key(keys[str(o.verification_method)]),
        )
        for o in outcomes
    ]
    if digest is not None:
        django_cache.set(
            _proof_memo_key(digest),
            [item.__dict__ for item in signed],
            int(getattr(settings, "CREDENTIALS_PROOF_CACHE_SECONDS", 600)),
        )
    return signed, None, Reason.OK


def _retired_after(item: _Signed, resolver: Resolver) -> datetime | None:
    """The retirement of the key, when this proof was made after it (or cannot be dated)."""
    retired = resolver.retired_at.get(item.method)
    if retired is None:
        return None
    created = parse_datetime(item.created)
    return retired if created is None or created > retired else None


def _check_proofs(credential: Mapping, resolver: Resolver, result: VerificationResult) -> None:
    issuer_id = _issuer_id(credential)
    if not credential.get("proof"):
        result.add("proof", False, _("The credential has no proof."), Reason.PROOF_MISSING)
        return
    try:
        signed, failure, code = _verify_signatures(credential, resolver)
    except ResolutionError as error:
        result.add("issuer", False, str(error), error.code)
        return
    except (ValueError, CredentialFormatError) as error:
        result.add("proof", False, str(error), Reason.PROOF_INVALID)
        return
    if failure is not None:
        result.add("proof", False, failure, code)
        return
    controllers = sorted({item.controller for item in signed})
    if any(controller != issuer_id for controller in controllers):
        result.add("proof", True, _("The eddsa-rdfc-2022 signature is valid."))
        result.add(
            "issuer",
            False,
            _("The proof was made by a key of %(controller)s, not of the issuer %(issuer)s.")
            % {"controller": ", ".join(controllers), "issuer": issuer_id},
            Reason.ISSUER_MISMATCH,
        )
        return
    for item in signed:
        retired = _retired_after(item, resolver)
        if retired is not None:
            result.add("proof", True, _("The eddsa-rdfc-2022 signature is valid."))
            result.add(
                "issuer",
                False,
                _(
                    "Signed on %(created)s with a key the issuer retired on %(retired)s: "
                    "a retired key signs nothing new."
                )
                % {"created": item.created or "?", "retired": retired.isoformat()},
                Reason.KEY_RETIRED,
            )
            return
    result.add("proof", True, _("The eddsa-rdfc-2022 signature is valid."))
    result.add(
        "issuer", True, _("Signed by a key of the issuer %(issuer)s.") % {"issuer": issuer_id}
    )


def _check_dates(credential: Mapping, result: VerificationResult, now: datetime) -> None:
    valid_from = parse_datetime(credential.get("validFrom"))
    valid_until = parse_datetime(credential.get("validUntil"))
    if valid_from and valid_from > now:
        result.add(
            "validity",
            False,
            _("Not valid before %(date)s.") % {"date": valid_from.isoformat()},
            Reason.NOT_YET_VALID,
        )
    elif valid_until and valid_until < now:
        result.add(
            "validity",
            False,
            _("Expired on %(date)s.") % {"date": valid_until.isoformat()},
            Reason.EXPIRED,
        )
    else:
        result.add("validity", True, _("Within its validity period."))


def _status_entries(credential: Mapping) -> list[Mapping]:
    status = credential.get("credentialStatus")
    if status is None:
        return []
    entries = status if isinstance(status, list) else [status]
    return [entry for entry in entries if isinstance(entry, Mapping)]


class _StatusListRefused(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def _seen_key(url: str) -> str:
    return "credentials:status-seen:" + hashlib.sha256(url.encode()).hexdigest()


def _status_list_issued(list_credential: Mapping) -> datetime | None:
    """When a status list credential was made: its validFrom, else its proof's created."""
    issued = parse_datetime(list_credential.get("validFrom"))
    if issued is not None:
        return issued
    proofs = list_credential.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    dates = [parse_datetime(p.get("created")) for p in proofs if isinstance(p, Mapping)]
    return max((d for d in dates if d is not None), default=None)


def _trusted_status_list(
    credential: Mapping, entry: Mapping, resolver: Resolver, url: str
) -> Mapping:
    """The status list credential of ``entry`` once it is shown to be the issuer's, current
    and no older than one this verifier has already seen for the same address."""
    try:
        list_credential = resolver.status_list(url)
    except ResolutionError as error:
        raise _StatusListRefused(str(error), Reason.STATUS_UNAVAILABLE) from error
    if not isinstance(list_credential, Mapping):
        raise _StatusListRefused(
            _("The status list is not a JSON object."), Reason.STATUS_UNAVAILABLE
        )
    subject = list_credential.get("credentialSubject") or {}
    if not isinstance(subject, Mapping) or subject.get("statusPurpose") != entry.get(
        "statusPurpose"
    ):
        raise _StatusListRefused(
            _("The status list is for another purpose."), Reason.STATUS_LIST_PURPOSE_MISMATCH
        )
    if _issuer_id(list_credential) != _issuer_id(credential):
        raise _StatusListRefused(
            _("The status list was issued by someone else."), Reason.STATUS_LIST_ISSUER_MISMATCH
        )
    proof_check = VerificationResult()
    _check_proofs(list_credential, resolver, proof_check)
    if not proof_check.verified:
        code = (
            Reason.STATUS_LIST_ISSUER_MISMATCH
            if set(proof_check.reasons) & UNTRUSTED_KEY_REASONS
            else Reason.STATUS_LIST_SIGNATURE_INVALID
        )
        raise _StatusListRefused(
            _("The status list's signature does not verify: %(why)s")
            % {"why": "; ".join(proof_check.errors)},
            code,
        )
    # Freshness is judged by the clock now, whatever date the credential is checked for:
    # it says whether this copy of the list may still be believed.
    now = datetime.now(UTC)
    valid_until = parse_datetime(list_credential.get("validUntil"))
    if valid_until is not None and valid_until < now:
        raise _StatusListRefused(
            _("The status list expired on %(date)s: a current one is needed.")
            % {"date": valid_until.isoformat()},
            Reason.STATUS_LIST_EXPIRED,
        )
    valid_from = parse_datetime(list_credential.get("validFrom"))
    if valid_from is not None and valid_from > now + CLOCK_SKEW:
        raise _StatusListRefused(
            _("The status list is not valid before %(date)s.") % {"date": valid_from.isoformat()},
            Reason.STATUS_LIST_EXPIRED,
        )
    issued = _status_list_issued(list_credential)
    if issued is not None:
        seen_key = _seen_key(url)
        seen = django_cache.get(seen_key)
        if seen is not None and issued < datetime.fromisoformat(seen):
            raise _StatusListRefused(
                _(
                    "This status list was made on %(issued)s, but one made on %(seen)s has "
                    "already been seen: an old copy is being replayed."
                )
                % {"issued": issued.isoformat(), "seen": seen},
                Reason.STATUS_LIST_STALE,
            )
        if seen is None or issued > datetime.fromisoformat(seen):
            django_cache.set(seen_key, issued.isoformat(), SEEN_STATUS_LIST_SECONDS)
    return list_credential


# How long the newest status list seen per address is remembered to refuse older copies.
SEEN_STATUS_LIST_SECONDS = 30 * 24 * 3600


def _check_status(credential: Mapping, resolver: Resolver, result: VerificationResult) -> None:
    entries = _status_entries(credential)
    if not entries:
        result.warnings.append(_("The credential has no status entry: it cannot be revoked."))
        return
    for entry in entries:
        purpose = entry.get("statusPurpose")
        name = f"status ({purpose})" if isinstance(purpose, str) else "status"
        if entry.get("type") != "BitstringStatusListEntry":
            result.warnings.append(
                _("Status type %(type)s is not checked.") % {"type": entry.get("type")}
            )
            continue
        try:
            index = int(entry.get("statusListIndex", ""))
            list_credential = _trusted_status_list(
                credential, entry, resolver, str(entry.get("statusListCredential"))
            )
            subject = list_credential["credentialSubject"]
            is_set = statuslist.get_bit(statuslist.decode(subject.get("encodedList")), index)
        except _StatusListRefused as error:
            result.add(
                name, False, _("Status could not be checked: %(why)s") % {"why": error}, error.code
            )
            continue
        except (TypeError, ValueError, IndexError, statuslist.EncodedListError) as error:
            result.add(
                name,
                False,
                _("Status could not be checked: %(why)s") % {"why": error},
                Reason.STATUS_UNAVAILABLE,
            )
            continue
        if is_set and purpose == "revocation":
            result.revoked = True
            result.add(name, False, _("Revoked by the issuer."), Reason.REVOKED)
        elif is_set and purpose == "suspension":
            result.suspended = True
            result.add(name, False, _("Suspended by the issuer."), Reason.SUSPENDED)
        elif is_set:
            result.add(
                name,
                False,
                _("The status bit for %(purpose)s is set.") % {"purpose": purpose},
                Reason.STATUS_SET,
            )
        else:
            result.add(name, True, _not_set_message(purpose))


def _not_set_message(purpose: Any) -> str:
    if purpose == "revocation":
        return _("Not revoked.")
    if purpose == "suspension":
        return _("Not suspended.")
    return _("The status bit is not set.")


def verify_credential(
    credential: Any,
    *,
    documents: Mapping[str, dict] | None = None,
    now: datetime | None = None,
    allow_network: bool = True,
) -> VerificationResult:
    result = VerificationResult()
    if not _check_shape(credential, result):
        return result
    resolver = Resolver(documents, allow_network=allow_network)
    _check_schema(credential, result)
    _check_proofs(credential, resolver, result)
    _check_dates(credential, result, now or datetime.now(UTC))
    _check_status(credential, resolver, result)
    return result


def verify_presentation(
    presentation: Any,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    documents: Mapping[str, dict] | None = None,
    allow_network: bool = True,
) -> VerificationResult:
    """A presentation verifies when its own proof (if any) is valid for the holder, matches
    the expected challenge and domain, and every credential in it verifies."""
    result = VerificationResult()
    types = presentation.get("type") if isinstance(presentation, Mapping) else None
    types = types if isinstance(types, list) else [types]
    if not isinstance(presentation, Mapping) or "VerifiablePresentation" not in types:
        result.add("format", False, _("A presentation must have the type VerifiablePresentation."))
        return result
    resolver = Resolver(documents, allow_network=allow_network)
    if presentation.get("proof"):
        _check_presentation_proof(presentation, resolver, result, challenge, domain)
    elif challenge:
        result.add("proof", False, _("A challenge was given but the presentation is not signed."))
    else:
        result.warnings.append(_("The presentation is not signed by its holder."))
    credentials = presentation.get("verifiableCredential") or []
    if isinstance(credentials, Mapping):
        credentials = [credentials]
    if not isinstance(credentials, list):
        result.add("format", False, _("verifiableCredential must be a list of credentials."))
        return result
    for position, credential in enumerate(credentials):
        inner = verify_credential(credential, documents=documents, allow_network=allow_network)
        for check in inner.checks:
            result.add(
                f"credential {position + 1} {check.name}", check.passed, check.message, check.code
            )
        result.warnings += inner.warnings
        result.revoked |= inner.revoked
        result.suspended |= inner.suspended
    if not result.checks:
        result.add("format", True, _("An empty presentation."))
    return result


def _check_presentation_proof(
    presentation: Mapping,
    resolver: Resolver,
    result: VerificationResult,
    challenge: str | None,
    domain: str | None,
) -> None:
    proofs = presentation["proof"]
    proofs = proofs if isinstance(proofs, list) else [proofs]
    for proof in proofs:
        if not isinstance(proof, Mapping):
            result.add("proof", False, _("A proof must be an object."))
            return
        if challenge is not None and proof.get("challenge") != challenge:
            result.add("proof", False, _("The presentation was made for another challenge."))
            return
        if domain is not None and proof.get("domain") != domain:
            result.add("proof", False, _("The presentation was made for another domain."))
            return
    try:
        outcomes = dataintegrity.verify(
            dict(presentation),
            resolve_key=_holder_key_resolver(resolver),
            extra_documents=resolver.documents,
            expected_proof_purpose="authentication",
        )
    except (ValueError, ResolutionError, CredentialFormatError) as error:
        result.add("proof", False, str(error))
        return
    failed = [outcome.reason for outcome in outcomes if not outcome.valid]
    holder = presentation.get("holder")
    holder_id = holder.get("id") if isinstance(holder, Mapping) else holder
    if holder_id and any(o.controller != holder_id for o in outcomes if o.valid):
        failed.append(_("The presentation was signed by someone other than its holder."))
    if failed or not outcomes:
        result.add("proof", False, "; ".join(failed) or _("no proof could be checked"))
    else:
        result.add("proof", True, _("Signed by the holder."))


def _holder_key_resolver(resolver: Resolver) -> Callable[[str], tuple[Ed25519PublicKey, str]]:
    def resolve(method_id: str) -> tuple[Ed25519PublicKey, str]:
        controller_id = method_id.split("#", 1)[0]
        document = resolver.did_document(controller_id)
        for method in document.get("verificationMethod", []):
            if isinstance(method, dict) and method.get("id") == method_id:
                return multikey.decode_public_key(method["publicKeyMultibase"]), controller_id
        raise ResolutionError(
            _("%(method)s is not in the holder's DID document.") % {"method": method_id}
        )

    return resolve
