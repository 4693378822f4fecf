"""The LTI 1.3 endpoints: OIDC login initiation, launch, and the tool's JWKS.

Login and launch are cross-site requests from a partner's platform, so they carry no CSRF
token: the login only redirects, and the launch proves itself with a signed id_token bound to
the browser's signed state cookie. The pages may be shown inside the platform's course page,
so framing is allowed for the platform's own origins only.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import lti, selectors, services
from .models import LaunchOutcome, LtiPlatform

logger = logging.getLogger(__name__)

LANGUAGE_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans"}


def _frame_ancestors(platforms: list[LtiPlatform]) -> str:
    origins = sorted({origin for p in platforms for origin in p.origins})
    return " ".join(["'self'", *origins])


def _framed(response: HttpResponse, platforms: list[LtiPlatform]) -> HttpResponse:
    """Let the platforms (and only them) show the page in a frame."""
    response["Content-Security-Policy"] = f"frame-ancestors {_frame_ancestors(platforms)}"
    return response


def _refusal(
    request: HttpRequest, refused: lti.LaunchRefused, platforms: list[LtiPlatform] | None = None
) -> HttpResponse:
    logger.info("LTI request refused: %s", refused.code)
    if platforms is None:
        platforms = list(LtiPlatform.objects.filter(is_active=True))
    response = render(
        request,
        "lms/refused.html",
        {"message": refused.message, "code": refused.code},
        status=refused.status,
    )
    return _framed(response, platforms)


def _launch_language(launch: lti.VerifiedLaunch, person) -> str | None:
    """The person's own language, else the platform's locale for the launch."""
    available = {code for code, _name in settings.LANGUAGES}
    if person is not None and person.preferred_language in available:
        return person.preferred_language
    locale = launch.locale.lower().replace("_", "-")
    for candidate in (locale, LANGUAGE_ALIASES.get(locale, ""), locale.split("-")[0]):
        if candidate in available:
            return candidate
    return None


@csrf_exempt
@xframe_options_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """OIDC third-party login initiation: check the platform, remember state and nonce in a
    signed cookie, send the browser to the platform's authentication endpoint."""
    params = request.POST if request.method == "POST" else request.GET
    issuer = params.get("iss", "")
    login_hint = params.get("login_hint", "")
    if not issuer or not login_hint:
        return _refusal(
            request,
            lti.LaunchRefused(
                "login_params", _("A login needs the platform's issuer and a login hint."), 400
            ),
        )
    try:
        platform = selectors.platform_for_login(issuer, params.get("client_id", ""))
    except selectors.AmbiguousPlatform:
        return _refusal(
            request,
            lti.LaunchRefused(
                "login_client",
                _("Several registrations share this issuer; the login must name its client ID."),
                400,
            ),
        )
    if platform is None:
        return _refusal(
            request,
            lti.LaunchRefused("platform", _("This learning platform is not registered.")),
        )
    deployment_id = params.get("lti_deployment_id", "")
    if deployment_id and not platform.deployments.filter(deployment_id=deployment_id).exists():
        return _refusal(
            request,
            lti.LaunchRefused(
                "deployment",
                _("This deployment of the tool is not registered for the platform."),
            ),
            [platform],
        )
    url, state = lti.login_redirect_url(
        platform,
        login_hint=login_hint,
        lti_message_hint=params.get("lti_message_hint", ""),
        redirect_uri=request.build_absolute_uri(reverse("lms:launch")),
    )
    response = HttpResponseRedirect(url)
    lti.state_write(response, state, secure=request.is_secure())
    return response


@csrf_exempt
@xframe_options_exempt
@never_cache
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """The platform's form post of the id_token: verify it, then read the person's result."""
    try:
        verified = lti.verify_launch(request)
        report = services.launch_process(launch=verified)
    except lti.LaunchRefused as refused:
        response = _refusal(request, refused)
        lti.state_clear(response, request.POST.get("state", ""), secure=request.is_secure())
        return response
    language = _launch_language(verified, report.person)
    with translation.override(language or translation.get_language()):
        response = render(
            request,
            "lms/launch.html",
            {
                "report": report,
                "outcome": LaunchOutcome,
                "result": report.result,
                "platform": report.platform,
            },
        )
    lti.state_clear(response, request.POST.get("state", ""), secure=request.is_secure())
    return _framed(response, [verified.platform])


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The tool's public keys, for platforms to verify its client assertions."""
    services.tool_key_ensure()
    response = JsonResponse(selectors.tool_jwks())
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
