"""Verify a credential from anyone: shape, official schema, proof, issuer DID, dates, status.

Each check says pass or fail with a reason a person can read. Our own issuers' DID documents
and status lists are read from the database; anything else is fetched over HTTPS (with a
cache) or taken from documents the caller supplies.
"""

import ipaddress
import json
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
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


class ResolutionError(Exception):
    """A DID, verification method or status list that cannot be obtained."""


@dataclass
class Check:
    name: str
    passed: bool
    message: str

    def as_json(self) -> dict:
        return {"check": self.name, "passed": self.passed, "message": self.message}


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

    def add(self, name: str, passed: bool, message: str) -> None:
        self.checks.append(Check(name, passed, message))

    def as_json(self) -> dict:
        return {
            "verified": self.verified,
            "checks": [check.as_json() for check in self.checks],
            "warnings": self.warnings,
            "errors": self.errors,
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
    """GET a JSON document over HTTPS, cached for a while."""
    if not url.startswith("https://"):
        raise ResolutionError(_("Only HTTPS addresses are fetched: %(url)s") % {"url": url})
    cache_key = "credentials:remote:" + url
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
    django_cache.set(cache_key, document, settings.CREDENTIALS_REMOTE_CACHE_SECONDS)
    return document


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
    """Finds public keys and status lists; ``documents`` answers first (tests, offline use)."""

    def __init__(self, documents: Mapping[str, dict] | None = None, *, allow_network: bool = True):
        self.documents = dict(documents or {})
        self.allow_network = allow_network

    def document(self, url: str) -> dict:
        if url in self.documents:
            return self.documents[url]
        if not self.allow_network:
            raise ResolutionError(_("%(url)s is not available offline.") % {"url": url})
        return _fetch_json(url)

    def did_document(self, did_value: str) -> dict:
        if did_value.startswith("did:key:"):
            return multikey.did_key_document(did_value)
        if did_value.startswith("did:web:"):
            slug = did.own_issuer_slug(did_value)
            if slug is not None:
                return own_did_document(slug)
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
        controller = self.did_document(controller_id)
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
                % {"method": method_id, "controller": controller_id}
            )
        if method.get("controller") != controller_id:
            raise ResolutionError(_("The verification method names another controller."))
        try:
            public_key = multikey.decode_public_key(method.get("publicKeyMultibase", ""))
        except ValueError as error:
            raise ResolutionError(str(error)) from error
        return public_key, controller_id

    def status_list(self, url: str) -> dict:
        own_prefix = f"{settings.PUBLIC_BASE_URL}/status/"
        if url.startswith(own_prefix):
            status_list = StatusList.objects.filter(uuid__iexact=url[len(own_prefix) :]).first()
            if status_list is None:
                raise ResolutionError(_("No such status list: %(url)s") % {"url": url})
            return status_list.signed_credential
        return self.document(url)


def own_did_document(slug: str) -> dict:
    issuer = (
        Issuer.objects.filter(organisation__slug=slug, did_method=Issuer.DidMethod.WEB)
        .prefetch_related("keys")
        .first()
    )
    if issuer is None:
        raise ResolutionError(_("No issuer %(slug)s on this platform.") % {"slug": slug})
    keys = sorted(issuer.keys.all(), key=lambda k: k.created_at, reverse=True)
    return did.did_web_document(did.did_web_for(slug), [k.public_key_multibase for k in keys])


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


def _check_proofs(credential: Mapping, resolver: Resolver, result: VerificationResult) -> None:
    issuer_id = _issuer_id(credential)
    controllers: list[str] = []

    def resolve_key(method_id: str) -> tuple[Ed25519PublicKey, str]:
        public_key, controller = resolver.key(method_id)
        controllers.append(controller)
        return public_key, controller

    if not credential.get("proof"):
        result.add("proof", False, _("The credential has no proof."))
        return
    try:
        outcomes = dataintegrity.verify(
            dict(credential), resolve_key=resolve_key, extra_documents=resolver.documents
        )
    except ResolutionError as error:
        result.add("issuer", False, str(error))
        return
    except (ValueError, CredentialFormatError) as error:
        result.add("proof", False, str(error))
        return
    failed = [outcome for outcome in outcomes if not outcome.valid]
    if not outcomes or failed:
        reason = "; ".join(o.reason for o in failed) or _("no proof could be checked")
        result.add("proof", False, reason)
        return
    if any(controller != issuer_id for controller in controllers):
        result.add(
            "issuer",
            False,
            _("The proof was made by %(controller)s, not by the issuer %(issuer)s.")
            % {"controller": ", ".join(sorted(set(controllers))), "issuer": issuer_id},
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
            "validity", False, _("Not valid before %(date)s.") % {"date": valid_from.isoformat()}
        )
    elif valid_until and valid_until < now:
        result.add("validity", False, _("Expired on %(date)s.") % {"date": valid_until.isoformat()})
    else:
        result.add("validity", True, _("Within its validity period."))


def _status_entries(credential: Mapping) -> list[Mapping]:
    status = credential.get("credentialStatus")
    if status is None:
        return []
    entries = status if isinstance(status, list) else [status]
    return [entry for entry in entries if isinstance(entry, Mapping)]


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
            list_credential = resolver.status_list(str(entry.get("statusListCredential")))
            subject = list_credential.get("credentialSubject") or {}
            if subject.get("statusPurpose") != purpose:
                raise ResolutionError(_("The status list is for another purpose."))
            if _issuer_id(list_credential) != _issuer_id(credential):
                raise ResolutionError(_("The status list was issued by someone else."))
            proof_check = VerificationResult()
            _check_proofs(list_credential, resolver, proof_check)
            if not proof_check.verified:
                raise ResolutionError(
                    _("The status list's signature does not verify: %(why)s")
                    % {"why": "; ".join(proof_check.errors)}
                )
            is_set = statuslist.get_bit(statuslist.decode(subject.get("encodedList")), index)
        except (
            TypeError,
            ValueError,
            IndexError,
            ResolutionError,
            statuslist.EncodedListError,
        ) as error:
            result.add(name, False, _("Status could not be checked: %(why)s") % {"why": error})
            continue
        if is_set and purpose == "revocation":
            result.revoked = True
            result.add(name, False, _("Revoked by the issuer."))
        elif is_set and purpose == "suspension":
            result.suspended = True
            result.add(name, False, _("Suspended by the issuer."))
        elif is_set:
            result.add(
                name, False, _("The status bit for %(purpose)s is set.") % {"purpose": purpose}
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
            result.add(f"credential {position + 1} {check.name}", check.passed, check.message)
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
