"""LTI 1.3 core, tool side: the OpenID Connect third-party login and the verification of a
launch's id_token (RS256 against the platform's keys, every claim the specification asks a
tool to check). Nothing here writes to the database; replay safety is the service's job
(``services.launch_record``), because only a unique row survives a cache flush.

Why PyJWT here and not pylti1p3's message launch: see docs/decisions/0009-lti-evidence.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .models import LtiDeployment, LtiPlatform

logger = logging.getLogger(__name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
VERSION = CLAIM + "version"
DEPLOYMENT_ID = CLAIM + "deployment_id"
RESOURCE_LINK = CLAIM + "resource_link"
ROLES = CLAIM + "roles"
CUSTOM = CLAIM + "custom"
CONTEXT = CLAIM + "context"
LAUNCH_PRESENTATION = CLAIM + "launch_presentation"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

ALGORITHM = "RS256"
# Clock skew tolerated between the platform and us.
LEEWAY_SECONDS = 60
# How long a login may take between the redirect to the platform and the launch.
STATE_MAX_AGE = 600
# An id_token valid for longer than this is refused: its nonce would have to be kept as long.
MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600
STATE_SALT = "microcert.lms.state"
# A platform's fetched keyset is trusted this long; an unknown kid refetches it (at most once a
# minute, so unknown kids cannot make us hammer the platform).
KEY_SET_CACHE_SECONDS = 3600
KEY_SET_REFETCH_SECONDS = 60
KEY_SET_MAX_BYTES = 256 * 1024
HTTP_TIMEOUT = (5, 10)


class LaunchRefused(Exception):
    """A login or launch that cannot be accepted; ``message`` is for the person, ``code`` for
    logs and tests, ``status`` the HTTP status of the page that says so."""

    def __init__(self, code: str, message: Any, status: int = 403) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


# --- OpenID Connect third-party login ---------------------------------------------------------


@dataclass(frozen=True)
class LoginState:
    """What the tool remembers between the login redirect and the launch, in a signed cookie
    of the browser (no server state: any web process may receive the launch)."""

    state: str
    nonce: str
    platform_id: int


def login_redirect_url(
    platform: LtiPlatform,
    *,
    login_hint: str,
    lti_message_hint: str,
    redirect_uri: str,
) -> tuple[str, LoginState]:
    """The platform's authentication request, and the state to keep until the launch."""
    login = LoginState(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        platform_id=platform.pk,
    )
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": redirect_uri,
        "login_hint": login_hint,
        "state": login.state,
        "nonce": login.nonce,
    }
    if lti_message_hint:
        params["lti_message_hint"] = lti_message_hint
    separator = "&" if "?" in platform.auth_login_url else "?"
    return f"{platform.auth_login_url}{separator}{urlencode(params)}", login


def state_cookie_name(state: str) -> str:
    """One cookie per login, so two launches in two frames of one page do not collide."""
    return "lti1p3-" + hashlib.sha256(state.encode()).hexdigest()[:24]


def state_write(response: HttpResponse, login: LoginState, *, secure: bool) -> None:
    # Only cookie-safe characters: state and nonce are URL-safe base64, the id a number.
    value = f"{login.platform_id}.{login.state}.{login.nonce}"
    response.set_signed_cookie(
        state_cookie_name(login.state),
        value,
        salt=STATE_SALT,
        max_age=STATE_MAX_AGE,
        path="/lti/",
        secure=secure,
        httponly=True,
        # The launch is a cross-site form post from the platform: only SameSite=None cookies
        # travel with it, and browsers accept those only when Secure.
        samesite="None" if secure else "Lax",
    )


def state_read(request: HttpRequest, state: str) -> LoginState:
    """The login this launch answers; refused unless the browser holds its signed cookie."""
    if not state:
        raise LaunchRefused("state_missing", _("The launch carries no state."), 400)
    name = state_cookie_name(state)
    try:
        raw = request.get_signed_cookie(name, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except KeyError:
        raise LaunchRefused(
            "state_unknown",
            _(
                "This launch does not match a login started in this browser. If the course page "
                "shows the tool inside a frame, your browser may block its cookies: open the "
                "activity in a new window and try again."
            ),
        ) from None
    except signing.SignatureExpired:
        raise LaunchRefused(
            "state_expired", _("The login took too long; start the activity again.")
        ) from None
    except signing.BadSignature:
        raise LaunchRefused("state_forged", _("The login state has been altered.")) from None
    platform_id, _dot, rest = raw.partition(".")
    saved_state, _dot, nonce = rest.partition(".")
    if not platform_id.isdigit() or not saved_state or not nonce:
        raise LaunchRefused("state_forged", _("The login state has been altered."))
    login = LoginState(state=saved_state, nonce=nonce, platform_id=int(platform_id))
    if not hmac.compare_digest(login.state.encode(), state.encode()):
        raise LaunchRefused("state_mismatch", _("The launch state does not match the login."))
    return login


def state_clear(response: HttpResponse, state: str, *, secure: bool) -> None:
    """Forget the login: its nonce is spent, or the launch was refused."""
    response.delete_cookie(
        state_cookie_name(state), path="/lti/", samesite="None" if secure else "Lax"
    )


# --- The platform's keys ----------------------------------------------------------------------


def _fetch_key_set(url: str) -> list[dict]:
    try:
        with requests.get(
            url,
            timeout=HTTP_TIMEOUT,
            allow_redirects=False,
            headers={"Accept": "application/json"},
            stream=True,
        ) as response:
            response.raise_for_status()
            body = response.raw.read(KEY_SET_MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        logger.warning("LTI keyset %s could not be fetched: %s", url, type(error).__name__)
        raise LaunchRefused(
            "keyset_unreachable",
            _("The learning platform's public keys could not be fetched; try again later."),
            502,
        ) from None
    if len(body) > KEY_SET_MAX_BYTES:
        raise LaunchRefused("keyset_invalid", _("The platform's keyset is not valid."), 502)
    try:
        keys = json.loads(body)["keys"]
        if not isinstance(keys, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise LaunchRefused(
            "keyset_invalid", _("The platform's keyset is not valid."), 502
        ) from None
    return [k for k in keys if isinstance(k, dict)]


def _key_set_cache_key(platform: LtiPlatform) -> str:
    digest = hashlib.sha256(platform.key_set_url.encode()).hexdigest()[:16]
    return f"lms:keyset:{platform.pk}:{digest}"


def platform_key(platform: LtiPlatform, kid: str) -> dict:
    """The platform's public JWK named ``kid``: from its fixed keyset if it has one, else from
    its keyset URL (cached; refetched once when a new kid appears, as after a rotation)."""
    if platform.key_set:
        fixed = platform.key_set.get("keys") if isinstance(platform.key_set, dict) else None
        keys = [k for k in fixed if isinstance(k, dict)] if isinstance(fixed, list) else []
    else:
        cache_key = _key_set_cache_key(platform)
        keys = cache.get(cache_key)
        stale = keys is not None and not any(k.get("kid") == kid for k in keys)
        if keys is None or (
            stale and cache.add(cache_key + ":refetch", 1, KEY_SET_REFETCH_SECONDS)
        ):
            keys = _fetch_key_set(platform.key_set_url)
            cache.set(cache_key, keys, KEY_SET_CACHE_SECONDS)
    for key in keys:
        if key.get("kid") == kid:
            return key
    raise LaunchRefused(
        "unknown_key", _("The launch is signed with a key the platform does not publish.")
    )


# --- The launch -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedLaunch:
    platform: LtiPlatform
    deployment: LtiDeployment
    claims: dict[str, Any]

    @property
    def sub(self) -> str:
        return str(self.claims["sub"])

    @property
    def nonce(self) -> str:
        return str(self.claims["nonce"])

    @property
    def resource_link(self) -> dict[str, Any]:
        return self.claims[RESOURCE_LINK]

    @property
    def custom(self) -> dict[str, Any]:
        custom = self.claims.get(CUSTOM)
        return custom if isinstance(custom, dict) else {}

    @property
    def ags(self) -> dict[str, Any]:
        ags = self.claims.get(AGS_ENDPOINT)
        return ags if isinstance(ags, dict) else {}

    @property
    def locale(self) -> str:
        presentation = self.claims.get(LAUNCH_PRESENTATION)
        if isinstance(presentation, dict) and isinstance(presentation.get("locale"), str):
            return presentation["locale"]
        return ""


def _refuse_token(code: str, message: Any) -> LaunchRefused:
    return LaunchRefused(code, message, 403)


def verify_id_token(token: str, *, platform: LtiPlatform, nonce: str) -> dict[str, Any]:
    """The claims of ``token`` once its signature, issuer, audience, times and nonce check
    out; :class:`LaunchRefused` otherwise."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError:
        raise LaunchRefused(
            "malformed", _("The launch token is not a valid JSON Web Token."), 400
        ) from None
    if header.get("alg") != ALGORITHM:
        raise _refuse_token("algorithm", _("The launch token must be signed with RS256."))
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _refuse_token("no_kid", _("The launch token does not name its signing key."))
    jwk = platform_key(platform, kid)
    if jwk.get("kty") != "RSA" or jwk.get("alg", ALGORITHM) != ALGORITHM:
        raise _refuse_token("key_type", _("The platform's key is not an RS256 key."))
    try:
        key = jwt.PyJWK(jwk, algorithm=ALGORITHM)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        raise _refuse_token("key_type", _("The platform's key is not an RS256 key.")) from None
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub", "nonce"]},
        )
    except jwt.InvalidSignatureError:
        raise _refuse_token(
            "signature", _("The launch token's signature does not verify.")
        ) from None
    except jwt.ExpiredSignatureError:
        raise _refuse_token(
            "expired", _("The launch token has expired; start the activity again.")
        ) from None
    except jwt.ImmatureSignatureError:
        raise _refuse_token(
            "not_yet_valid", _("The launch token is dated in the future.")
        ) from None
    except jwt.InvalidAudienceError:
        raise _refuse_token("audience", _("The launch token is meant for another tool.")) from None
    except jwt.InvalidIssuerError:
        raise _refuse_token("issuer", _("The launch token comes from another platform.")) from None
    except jwt.MissingRequiredClaimError as error:
        raise _refuse_token(
            "missing_claim",
            _("The launch token lacks the “%(claim)s” claim.") % {"claim": error.claim},
        ) from None
    except (jwt.PyJWTError, ValueError, TypeError):
        raise _refuse_token("invalid", _("The launch token is not valid.")) from None
    if claims["exp"] > time.time() + MAX_TOKEN_LIFETIME_SECONDS:
        raise _refuse_token("lifetime", _("The launch token is valid for too long."))
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != platform.client_id:
        raise _refuse_token("azp", _("The launch token is meant for another tool."))
    if not isinstance(claims["nonce"], str) or not hmac.compare_digest(
        claims["nonce"].encode(), nonce.encode()
    ):
        raise _refuse_token("nonce", _("The launch token does not answer this login."))
    return claims


def check_resource_link_launch(claims: dict[str, Any]) -> None:
    """An LTI 1.3 resource link launch, with what such a message must carry."""
    if claims.get(MESSAGE_TYPE) != "LtiResourceLinkRequest":
        raise LaunchRefused(
            "message_type", _("This tool only accepts resource link launches."), 400
        )
    if claims.get(VERSION) != "1.3.0":
        raise LaunchRefused("version", _("This tool only accepts LTI 1.3.0 launches."), 400)
    link = claims.get(RESOURCE_LINK)
    if not isinstance(link, dict) or not isinstance(link.get("id"), str) or not link["id"]:
        raise LaunchRefused("resource_link", _("The launch names no resource link."), 400)
    if not isinstance(claims.get(ROLES), list):
        raise LaunchRefused("roles", _("The launch carries no roles claim."), 400)
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise LaunchRefused("sub", _("The launch names no user."), 400)


def verify_launch(request: HttpRequest) -> VerifiedLaunch:
    """Everything a launch request must prove before it is looked at: the login it answers
    (signed cookie), the platform and deployment, the id_token and its LTI claims."""
    token = request.POST.get("id_token", "")
    if not token:
        raise LaunchRefused("no_token", _("The launch carries no id_token."), 400)
    login = state_read(request, request.POST.get("state", ""))
    platform = LtiPlatform.objects.filter(pk=login.platform_id, is_active=True).first()
    if platform is None:
        raise LaunchRefused("platform", _("This learning platform is not registered."))
    claims = verify_id_token(token, platform=platform, nonce=login.nonce)
    deployment_id = claims.get(DEPLOYMENT_ID)
    deployment = (
        LtiDeployment.objects.filter(platform=platform, deployment_id=deployment_id).first()
        if isinstance(deployment_id, str)
        else None
    )
    if deployment is None:
        raise LaunchRefused(
            "deployment", _("This deployment of the tool is not registered for the platform.")
        )
    check_resource_link_launch(claims)
    return VerifiedLaunch(platform=platform, deployment=deployment, claims=claims)
