"""The REST API, version 1, described by OpenAPI 3 at /api/v1/openapi.json.

Callers authenticate with a personal token (``Authorization: Bearer <token>``, made with
``create_personal_token``) or, from the platform's own pages, with the browser session, which
must then send the CSRF token on unsafe methods. Every answer is JSON; every refusal is a 4xx
with ``{"detail": …}`` (see ``API_DESCRIPTION`` for the rules).
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InvalidRequest
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from microcert.accounts import services as account_services
from microcert.classrooms.api import router as classrooms_router
from microcert.learning.api import router as learning_router
from microcert.learning.api_schemas import ErrorOut, OrganisationRef
from microcert.network import selectors as network_selectors
from microcert.network.api import router as network_router
from microcert.news.api import router as news_router
from microcert.privacy.api import router as privacy_router
from microcert.recognition.api import router as recognition_router

logger = logging.getLogger(__name__)

API_DESCRIPTION = """\
The teacher's journey of the micro-certification programme: self-assessment against a
competence framework, a yearly professional-development plan approved by the institution,
enrolment in offerings, evidence and its review against a public rubric, and the Open Badges
3.0 credential a pass awards.

**Authentication.** Send a personal token as `Authorization: Bearer <token>` (an
administrator makes one with `manage.py create_personal_token EMAIL --name NAME`; it is shown
once). Calls act as the token's person, with that person's permissions. Pages of the platform
itself may call the API with the browser session instead; unsafe methods (POST, PUT, PATCH,
DELETE) then need the CSRF token in the `X-CSRFToken` header. A bearer token is never subject
to CSRF. Without valid credentials the answer is 401.

**Errors.** Every refusal is JSON with a `detail` message in the language of
`Accept-Language` (English, Vietnamese, Simplified Chinese, French):

* 400: the request's content is refused (an unknown competence code, hours out of range, a
  file that is not an accepted type, a body that is not valid JSON);
* 401: no credentials, or a token that is unknown, expired or revoked;
* 403: the caller may see the resource but not do this, or their role does not allow the
  operation (a teacher approving a plan; CSRF check failed for a session);
* 404: nothing with this identifier exists *or is visible to the caller*: someone else's
  plan, self-assessment or submission answers exactly like one that does not exist;
* 409: the resource's present state does not allow the step (submitting an attempt that still
  misses evidence, changing a submitted plan, completing a review twice);
* 413: the body is larger than the platform accepts (files are limited separately);
* 422: the request does not fit the operation's schema (a missing field, a wrong type);
  `detail` is then a list with one entry per problem (`loc`, `msg`, `type`).

An unknown address answers 404 and a method an address does not take 405, both in JSON.

Resources are identified by UUID, states by stable codes, dates and times are ISO 8601.
Lists are paginated with `limit` (1–100, default 20) and `offset`, and answer
`{"count", "limit", "offset", "items"}`.
"""


# --- Authentication ---------------------------------------------------------------------------


class BearerToken(HttpBearer):
    """A personal token: ``Authorization: Bearer <token>``."""

    openapi_bearerFormat = "personal token"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        person = account_services.personal_token_authenticate(token.strip())
        if person is None:
            # A token was presented and is no good: say so rather than fall back on a session.
            raise AuthenticationError(401, _("This token is unknown, expired or revoked."))
        request.user = person
        return person


class SessionCookie(APIKeyCookie):
    """The browser session of a signed-in person (the platform's own pages). Unsafe methods
    must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None  # nobody signed in: nothing to protect, the answer is 401
        if check_csrf(request):
            raise HttpError(
                403,
                _(
                    "CSRF check failed: a signed-in browser must send the csrftoken cookie's "
                    "value in the X-CSRFToken header."
                ),
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


# --- The API ----------------------------------------------------------------------------------


def _json_error(status: int, message: str, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(
        {"detail": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _jsonify(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keep answers JSON where django-ninja would fall back on Django's HTML or plain text:
    a method an address does not answer (405) and a raised 404."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _not_found(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            return _json_error(
                405,
                _("%(method)s is not allowed here; use %(allowed)s.")
                % {"method": request.method, "allowed": allowed},
                {"Allow": allowed},
            )
        return response

    return wrapper


@csrf_exempt
def _not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return _json_error(
        404,
        _("There is nothing at this address; the API is described at %(url)s.")
        % {"url": "/api/v1/openapi.json"},
    )


def _nul_characters(value: Any, location: list[Any]) -> list[dict[str, Any]]:
    """Where ``value`` (parsed JSON or a form value) holds a NUL character, which no text
    column of PostgreSQL can store: one ``InvalidOut`` entry per place."""
    if isinstance(value, str):
        if "\x00" in value:
            message = _("Text may not contain the NUL character (U+0000).")
            return [{"type": "string_nul_character", "loc": location, "msg": message}]
        return []
    if isinstance(value, dict):
        found = [entry for key in value for entry in _nul_characters(key, location)]
        for key, item in value.items():
            found += _nul_characters(item, [*location, key])
        return found
    if isinstance(value, list):
        return [
            entry for i, item in enumerate(value) for entry in _nul_characters(item, [*location, i])
        ]
    return []


class StrictParser(Parser):
    """django-ninja's parser that refuses a NUL character in the body or a query or form value
    (422, like any other invalid field) before it can reach the database as a server error."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if found := _nul_characters(data, ["body"]):
            raise InvalidRequest(found)
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        parsed = super().parse_querydict(data, list_fields, request)
        where = "query" if data is request.GET else "form"
        found = []
        for key, value in parsed.items():
            found += _nul_characters(key, [where]) + _nul_characters(value, [where, key])
        if found:
            raise InvalidRequest(found)
        return parsed


class Api(NinjaAPI):
    """NinjaAPI whose every address answers JSON, including unknown ones."""

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        # django-ninja is pinned (1.7); this hook is where it builds its URL patterns.
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _jsonify(pattern.callback)
        # (?s): a path parameter holding a newline must also get the JSON 404.
        return [*patterns, re_path(r"^[\s\S]*$", _not_found, name="not-found")]

    def get_openapi_operation_id(self, operation: Any) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Every operation that reads a body may answer 400 for one that is not JSON (or too
        big); say so in each of them, pointing at the error shape."""
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {
            "description": "Bad Request",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    operation.setdefault("responses", {}).setdefault(400, error)
        return schema


api = Api(
    title="microcert API",
    version="1",
    description=API_DESCRIPTION,
    urls_namespace="api-v1",
    docs_url=None,
    auth=[BearerToken(), SessionCookie()],
    parser=StrictParser(),
)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message
    if message == "Unauthorized":  # django-ninja's default: nothing was presented
        message = _(
            "Authentication required: send Authorization: Bearer <personal token>, or sign in."
        )
    response = api.create_response(request, {"detail": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="microcert"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, InvalidRequest):  # the parser refused a NUL character
        return api.create_response(request, {"detail": exc.__cause__.errors}, status=422)
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _("The body is not valid JSON; send a JSON object as application/json.")
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": _("The request body is larger than %(limit)s bytes.")
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        },
        status=413,
    )


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("The request is malformed and was refused.")}, status=400
    )


@api.exception_handler(ValidationError)
def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # The workflows' refusals (LearningError) that an operation did not map itself, and the
    # other services' ValidationErrors: the request, as sent, cannot be carried out.
    return api.create_response(request, {"detail": _messages(exc)}, status=400)


@api.exception_handler(ObjectDoesNotExist)
def _gone(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("It no longer exists; it may have just been removed.")}, status=404
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or _("You are not allowed to do this.")}, status=403
    )


@api.exception_handler(IntegrityError)
def _clash(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("A change made at the same moment conflicts with this one; try again.")},
        status=409,
    )


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unexpected error in %s %s", request.method, request.path)
    return api.create_response(
        request, {"detail": _("Something went wrong on our side; it has been logged.")}, status=500
    )


# --- Me ---------------------------------------------------------------------------------------


class RoleOut(Schema):
    role: str
    organisation: OrganisationRef


class MeOut(Schema):
    uuid: UUID
    email: str
    legal_name: str
    display_name: str
    preferred_language: str
    roles: list[RoleOut]


@api.get(
    "/me",
    response={200: MeOut, 401: ErrorOut},
    summary="Who I am",
    tags=["me"],
)
def me(request: HttpRequest) -> dict:
    """The caller: their names as credentials carry them, language and current roles."""
    person = request.user
    return {
        "uuid": person.uuid,
        "email": person.email,
        "legal_name": person.legal_name,
        "display_name": person.display_name,
        "preferred_language": person.preferred_language,
        "roles": [
            {
                "role": affiliation.role,
                "organisation": {
                    "uuid": affiliation.organisation.uuid,
                    "slug": affiliation.organisation.slug,
                    "name": affiliation.organisation.name,
                },
            }
            for affiliation in network_selectors.active_affiliations(person).order_by("pk")
        ],
    }


api.add_router("/", learning_router)
api.add_router("/recognition/", recognition_router)
api.add_router("/network/", network_router)
api.add_router("/news/", news_router)
api.add_router("/classrooms", classrooms_router)
api.add_router("/privacy/", privacy_router)
