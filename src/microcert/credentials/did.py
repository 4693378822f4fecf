"""DIDs of our issuers: ``did:web`` served by this platform, or ``did:key``.

A did:web for ``https://host:8443/base`` and the issuer ``hust`` is
``did:web:host%3A8443:base:issuers:hust``; its document is served at
``https://host:8443/base/issuers/hust/did.json``.
"""

from urllib.parse import quote, unquote, urlsplit

from django.conf import settings

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def did_web_for(slug: str, *, base_url: str | None = None) -> str:
    parts = urlsplit(base_url or settings.PUBLIC_BASE_URL)
    segments = [quote(parts.netloc, safe="")]
    segments += [quote(s, safe="") for s in parts.path.split("/") if s]
    return "did:web:" + ":".join([*segments, "issuers", slug])


def did_web_document_url(did: str) -> str:
    """The HTTPS address of a did:web document (a bare domain serves /.well-known/did.json)."""
    if not did.startswith("did:web:"):
        raise ValueError(f"{did} is not a did:web")
    segments = [unquote(s) for s in did.removeprefix("did:web:").split(":")]
    host, path = segments[0], segments[1:]
    if not host or "/" in host:
        raise ValueError(f"{did} has no valid host")
    if not path:
        return f"https://{host}/.well-known/did.json"
    return f"https://{host}/" + "/".join(quote(s) for s in path) + "/did.json"


def own_issuer_slug(did: str, *, base_url: str | None = None) -> str | None:
    """The slug of our own issuer a did:web names, or None if it is not one of ours."""
    prefix = did_web_for("", base_url=base_url)
    if did.startswith(prefix) and ":" not in did[len(prefix) :]:
        return did[len(prefix) :] or None
    return None


def verification_method_id(did: str, public_key_multibase: str) -> str:
    return f"{did}#{public_key_multibase}"


def multikey_method(did: str, public_key_multibase: str) -> dict:
    return {
        "id": verification_method_id(did, public_key_multibase),
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": public_key_multibase,
    }


def did_web_document(did: str, public_keys: list[str]) -> dict:
    """The DID document. Every key that ever signed stays an assertion method (newest first),
    so older credentials keep verifying; only the newest key authenticates."""
    methods = [multikey_method(did, key) for key in public_keys]
    ids = [method["id"] for method in methods]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids[:1],
        "capabilityInvocation": ids[:1],
    }
