"""The machine doors of the credentials app: DID documents, status lists, achievements and
the W3C VC-API (issue, verify, fetch).

Thin on purpose: parse, authorise, call a service or selector, render JSON. Every refusal is
a JSON body with a status in the 4xx range; nothing a caller sends should make a 500. Tokens
are compared only through their hash and never written to a response or a log.
"""

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from datetime import UTC
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.views.decorators.csrf import csrf_exempt

from microcert.catalog.models import SpecificationVersion

from . import openbadges, selectors, services, verification
from .models import ApiToken, IssuedCredential

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
# Deeper JSON than this is no credential; refusing it early keeps the JSON-LD processor (which
# recurses) out of trouble.
MAX_JSON_DEPTH = 64
JSON_TYPES = {"application/json", "application/ld+json", "application/vc+ld+json", "application/vc"}
IDEMPOTENCY_KEY_MAX = 200
STATUS_LIST_CACHE = "public, max-age=300"
DID_CACHE = "public, max-age=60"
LD_CACHE = "public, max-age=3600"
API_URLCONF = "microcert.credentials.api_urls"
VISIBLE_VERSIONS = (SpecificationVersion.Status.PUBLISHED, SpecificationVersion.Status.SUPERSEDED)


class ApiError(Exception):
    """A refusal: its status, a message for the caller and any extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# --- responses ---------------------------------------------------------------------------


def _json(
    data: Any,
    *,
    status: int = 200,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    response = JsonResponse(
        data,
        status=status,
        safe=False,
        content_type=content_type,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JsonResponse:
    return _json({"error": message}, status=status, headers=headers)


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag"
    return response


def api_view(methods: list[str], *, cors: bool = False) -> Callable:
    """CSRF-exempt JSON endpoint answering only ``methods`` (GET implies HEAD), with a body
    limit; an :class:`ApiError` raised inside becomes its JSON response. With ``cors`` anyone's
    page may call it, and a preflight (OPTIONS) is answered."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())
    if cors:
        allowed.add("OPTIONS")
    allow_header = ", ".join(sorted(allowed))

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in allowed:
                response = _error(
                    405,
                    f"{request.method} is not allowed here; use {allow_header}.",
                    {"Allow": allow_header},
                )
            elif request.method == "OPTIONS":
                response = HttpResponse(status=204)
                response["Allow"] = allow_header
                response["Access-Control-Allow-Methods"] = allow_header
                response["Access-Control-Allow-Headers"] = (
                    "Content-Type, If-None-Match, If-Modified-Since"
                )
                response["Access-Control-Max-Age"] = "86400"
            else:
                try:
                    _check_body_size(request)
                    response = view(request, *args, **kwargs)
                except ApiError as error:
                    response = _error(error.status, error.message, error.headers)
            if response.status_code == 404:
                # LocaleMiddleware turns the 404 of an unprefixed path into a redirect to
                # /<language>/<path> when a page matches there; resolved against the API's own
                # patterns (which have no language prefix) the API's 404 stays a 404.
                request.urlconf = API_URLCONF
            return _cors(response) if cors else response

        return wrapper

    return decorate


# --- parsing -----------------------------------------------------------------------------


def _check_body_size(request: HttpRequest) -> None:
    length = request.META.get("CONTENT_LENGTH") or "0"
    try:
        declared = int(length)
    except ValueError:
        raise ApiError(400, "Content-Length is not a number.") from None
    if declared > MAX_BODY_BYTES:
        raise ApiError(413, f"The body is larger than {MAX_BODY_BYTES} bytes.")


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return False


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _json_body(request: HttpRequest) -> dict:
    """The request's JSON object, or an :class:`ApiError` saying what is wrong with it."""
    if request.content_type not in JSON_TYPES and not request.content_type.endswith("+json"):
        raise ApiError(
            400,
            f"Send JSON with Content-Type: application/json (got {request.content_type or '-'}).",
        )
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, f"The body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise ApiError(400, "The body is not UTF-8 text.") from None
    except RecursionError:
        raise ApiError(400, "The JSON is nested too deeply.") from None
    except ValueError as error:
        raise ApiError(400, f"The body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.")
    if _too_deep(data):
        raise ApiError(400, f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.")
    return data


def _options(body: dict) -> dict:
    options = body.get("options")
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise ApiError(400, "options must be a JSON object.")
    return options


def _parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# --- authentication ----------------------------------------------------------------------

_REALM = 'Bearer realm="microcert"'


def bearer_token(request: HttpRequest, *, required: bool = True) -> ApiToken | None:
    """The API token the request presents as ``Authorization: Bearer <token>``.

    Without a header: None, or a 401 when ``required``. An unknown or revoked token is always
    a 401 (whether or not a token was required, presenting a bad one is a mistake worth
    telling)."""
    header = request.headers.get("Authorization", "")
    if not header:
        if required:
            raise ApiError(401, "An API token is required.", {"WWW-Authenticate": _REALM})
        return None
    scheme, _, plain = header.partition(" ")
    plain = plain.strip()
    if scheme.lower() != "bearer" or not plain:
        raise ApiError(
            401,
            "Send the token as: Authorization: Bearer <token>.",
            {"WWW-Authenticate": f'{_REALM}, error="invalid_request"'},
        )
    token = selectors.api_token_by_hash(services.token_hash(plain))
    if token is None:
        raise ApiError(
            401,
            "The API token is unknown or revoked.",
            {"WWW-Authenticate": f'{_REALM}, error="invalid_token"'},
        )
    services.api_token_touch(token)
    return token


def _require_scope(token: ApiToken, scope: str) -> None:
    scope = str(scope)
    if scope not in (token.scopes or []):
        raise ApiError(
            403,
            f'This token lacks the "{scope}" scope.',
            {"WWW-Authenticate": f'{_REALM}, error="insufficient_scope", scope="{scope}"'},
        )


# --- DID documents, status lists, achievements, vocabulary -------------------------------


@api_view(["GET"], cors=True)
def did_document(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        document = verification.own_did_document(slug)
    except verification.ResolutionError:
        raise ApiError(404, f"No did:web issuer {slug!r} on this platform.") from None
    return _json(
        document, content_type="application/did+json", headers={"Cache-Control": DID_CACHE}
    )


@api_view(["GET"], cors=True)
def status_list(request: HttpRequest, list_id: str) -> HttpResponse:
    public_id = _parse_uuid(list_id)
    found = selectors.status_list_by_uuid(public_id) if public_id else None
    if found is None or not found.signed_credential:
        raise ApiError(404, "No such status list.")
    if verification.status_list_needs_signing(found.signed_credential):
        # Lists are valid for a day: one asked for near its end is signed again first.
        found = services.status_list_refresh(status_list_id=found.pk)
    body = json.dumps(found.signed_credential, ensure_ascii=False, separators=(",", ":"))
    payload = body.encode("utf-8")
    etag = quote_etag(hashlib.sha256(payload).hexdigest()[:32])
    last_modified = found.signed_at.timestamp() if found.signed_at else None
    headers = {"Cache-Control": STATUS_LIST_CACHE, "ETag": etag}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    response = HttpResponse(payload, content_type="application/vc+ld+json; charset=utf-8")
    for name, value in headers.items():
        response[name] = value
    conditional = get_conditional_response(
        request, etag=etag, last_modified=int(last_modified) if last_modified else None
    )
    if conditional is not None:
        for name, value in headers.items():
            conditional[name] = value
        response = conditional
    return response


@api_view(["GET"], cors=True)
def achievement(request: HttpRequest, version_id: str) -> HttpResponse:
    public_id = _parse_uuid(version_id)
    version = (
        SpecificationVersion.objects.filter(uuid=public_id, status__in=VISIBLE_VERSIONS)
        .select_related("micro_credential")
        .first()
        if public_id
        else None
    )
    if version is None:
        raise ApiError(404, "No such published achievement.")
    document = {
        "@context": [openbadges.VC_V2, openbadges.OB_V3, openbadges.embedded_context()],
        **openbadges.build_achievement(version, language="en"),
    }
    return _json(document, content_type="application/ld+json", headers={"Cache-Control": LD_CACHE})


_TERM_COMMENTS = {
    "localizedName": "The name in every language it is written in (language-tagged strings).",
    "localizedDescription": "The description in every language it is written in.",
    "learningOutcome": "A learning outcome (EU micro-credential element).",
    "notionalWorkloadHours": "Notional workload in hours (EU micro-credential element).",
    "eqfLevel": "Level in the European Qualifications Framework, if applicable.",
    "assessmentType": "Type of assessment (EU micro-credential element).",
    "participationForm": "Form of participation: online, on site or blended.",
    "qualityAssurance": "Type of quality assurance (EU micro-credential element).",
    "qualityAssuranceDescription": "How the quality of the micro-credential is assured.",
    "supervision": "Supervision and identity verification during assessment.",
    "prerequisites": "Prerequisites for enrolment.",
    "gradingScheme": "How the result is graded.",
    "stackability": "Whether and how the micro-credential stacks into a larger credential.",
    "issuerCountry": "Country (ISO 3166-1 alpha-2) of the issuer.",
    "issuerRegion": "Region of the issuer.",
    "awardingBody": "An organisation that awards the micro-credential.",
    "furtherInformation": "Further information about the micro-credential.",
    "specificationVersion": "The version of the specification the credential was issued under.",
}


@api_view(["GET"], cors=True)
def vocabulary(request: HttpRequest) -> HttpResponse:
    """The extension terms of our credentials: usable as a JSON-LD context, and a list of the
    terms with what each one means."""
    context = openbadges.embedded_context()
    base = openbadges.vocabulary_base()
    terms = [
        {
            "@id": definition["@id"],
            "@type": "rdf:Property",
            "rdfs:label": term,
            "rdfs:comment": _TERM_COMMENTS.get(term, ""),
        }
        for term, definition in context.items()
        if definition["@id"].startswith(base)
    ]
    document = {
        "@context": {
            **context,
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        },
        "@id": base.rstrip("#"),
        "rdfs:comment": (
            "Terms that microcert credentials add to Open Badges 3.0: the elements of the "
            "European approach to micro-credentials and multilingual names. Every credential "
            "carries the definitions it uses in an embedded context."
        ),
        "@graph": terms,
    }
    return _json(document, content_type="application/ld+json", headers={"Cache-Control": LD_CACHE})


# --- the W3C VC-API ----------------------------------------------------------------------


def _messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _shape_problem(credential: Any) -> str | None:
    """Problems that the issuing service does not look for before it trips over them (see the
    report on ``services._check_vc2_shape``); everything else is left to the service."""
    if not isinstance(credential, dict):
        return "credential must be a JSON object."
    types = credential.get("type")
    if isinstance(types, list) and not all(isinstance(t, str) for t in types):
        return "type must be a list of strings."
    subjects = credential.get("credentialSubject")
    if isinstance(subjects, list) and not all(isinstance(s, dict) for s in subjects):
        return "credentialSubject must be an object or a list of objects."
    for name in ("validFrom", "validUntil"):
        moment = openbadges.parse_datetime(credential.get(name))
        try:
            if moment is not None:
                moment.astimezone(UTC)
        except OverflowError:
            return f"{name} is out of range."
    return None


@api_view(["POST"])
def credentials_issue(request: HttpRequest) -> HttpResponse:
    """VC-API IssueCredential: sign the given credential as the token's organisation."""
    token = bearer_token(request)
    _require_scope(token, ApiToken.Scope.ISSUE)
    body = _json_body(request)
    options = _options(body)
    credential = body.get("credential")
    problem = _shape_problem(credential)
    if problem:
        raise ApiError(400, problem)
    credential_id = options.get("credentialId")
    if credential_id is not None:
        if not isinstance(credential_id, str):
            raise ApiError(400, "options.credentialId must be a string (a URL).")
        if "id" not in credential:
            credential = {**credential, "id": credential_id}
    idempotency_key = request.headers.get("Idempotency-Key", "").strip()
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
        raise ApiError(400, f"Idempotency-Key is longer than {IDEMPOTENCY_KEY_MAX} characters.")
    issuer = services.issuer_ensure(organisation=token.organisation, actor=token.created_by)

    def issue() -> IssuedCredential:
        return services.credential_issue_document(
            issuer=issuer,
            credential=credential,
            actor=token.created_by,
            idempotency_key=idempotency_key,
        )

    try:
        try:
            issued = issue()
        except IntegrityError:
            if not idempotency_key:
                raise
            # A concurrent request with the same key committed first; asking again returns
            # the credential it made.
            issued = issue()
    except services.IssuanceError as error:
        raise ApiError(400, _messages(error)) from None
    return _json({"verifiableCredential": issued.document}, status=201)


def _verification_response(result: verification.VerificationResult) -> HttpResponse:
    return _json(result.as_json(), status=200 if result.verified else 400)


def _not_verified(message: str) -> HttpResponse:
    return _json(
        {"verified": False, "checks": [], "warnings": [], "errors": [message], "error": message},
        status=400,
    )


def _verify(check: Callable[[], verification.VerificationResult]) -> HttpResponse:
    """Run a verification; a document that trips the verifier is not verified, not a 500."""
    try:
        return _verification_response(check())
    except DatabaseError:
        raise
    except Exception:
        logger.exception("The verifier failed on a submitted document")
        return _not_verified("The document could not be processed by the verifier.")


def _verify_request(request: HttpRequest, key: str) -> tuple[Any, dict] | HttpResponse:
    try:
        body = _json_body(request)
        options = _options(body)
    except ApiError as error:
        if error.status != 400:
            raise
        return _not_verified(error.message)
    if key not in body:
        return _not_verified(f"{key} is required.")
    # options.checks (VC-API) may name checks; every check is always run, so it is accepted
    # and otherwise ignored.
    return body[key], options


@api_view(["POST"], cors=True)
def credentials_verify(request: HttpRequest) -> HttpResponse:
    """VC-API VerifyCredential: public; 200 when verified, 400 with the failed checks."""
    parsed = _verify_request(request, "verifiableCredential")
    if isinstance(parsed, HttpResponse):
        return parsed
    credential = parsed[0]
    return _verify(lambda: verification.verify_credential(credential))


@api_view(["POST"], cors=True)
def presentations_verify(request: HttpRequest) -> HttpResponse:
    """VC-API VerifyPresentation with an optional challenge and domain."""
    parsed = _verify_request(request, "verifiablePresentation")
    if isinstance(parsed, HttpResponse):
        return parsed
    presentation, options = parsed
    challenge, domain = options.get("challenge"), options.get("domain")
    for name, value in (("challenge", challenge), ("domain", domain)):
        if value is not None and not isinstance(value, str):
            return _not_verified(f"options.{name} must be a string.")
    return _verify(
        lambda: verification.verify_presentation(presentation, challenge=challenge, domain=domain)
    )


@api_view(["GET"])
def credential_detail(request: HttpRequest, credential_id: str) -> HttpResponse:
    """A credential for its holder (the signed-in recipient) or its issuer (an API token of
    the issuing organisation). Anyone else learns nothing, not even that it exists."""
    token = bearer_token(request, required=False)
    public_id = _parse_uuid(credential_id)
    credential = selectors.credential_by_uuid(public_id) if public_id else None
    user = request.user
    allowed = credential is not None and (
        (token is not None and token.organisation_id == credential.issuer.organisation_id)
        or (
            user.is_authenticated
            and credential.recipient_id is not None
            and credential.recipient_id == user.pk
        )
    )
    if not allowed:
        response = _error(404, "No such credential.")
    else:
        response = _json({"verifiableCredential": credential.document})
    response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["Authorization", "Cookie"])
    return response
