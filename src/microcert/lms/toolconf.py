"""pylti1p3's view of our registrations: a ``ToolConfAbstract`` built from the models, so the
library's service connector (client assertion, token request, bearer calls) works from the
same rows the launch uses. Every issuer may have several client IDs (one per registration)."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.request import Request
from pylti1p3.tool_config import ToolConfAbstract

from . import keys, selectors
from .models import LtiPlatform


class ModelToolConf(ToolConfAbstract[Request]):
    """Registrations read from :class:`LtiPlatform`; the tool's active key signs."""

    def __init__(self, *, with_private_key: bool = False) -> None:
        # Decrypt the private key only for the callers that sign something.
        self._with_private_key = with_private_key

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def registration_of(self, platform: LtiPlatform) -> Registration:
        registration = (
            Registration()
            .set_issuer(platform.issuer)
            .set_client_id(platform.client_id)
            .set_auth_login_url(platform.auth_login_url)
            .set_auth_token_url(platform.auth_token_url)
            .set_key_set_url(platform.key_set_url or None)
            .set_key_set(platform.key_set or None)
        )
        if platform.auth_audience:
            registration.set_auth_audience(platform.auth_audience)
        if self._with_private_key:
            key = selectors.active_tool_key()
            if key is not None:
                registration.set_tool_private_key(keys.private_key_pem(key))
                registration.set_tool_public_key(keys.public_key_pem(key))
        return registration

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        platforms = list(LtiPlatform.objects.filter(issuer=iss, is_active=True)[:2])
        if len(platforms) != 1:
            return None  # type: ignore[return-value]  # pylti1p3 checks for a falsy value
        return self.registration_of(platforms[0])

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        platform = selectors.platform_by_client(iss, client_id)
        return self.registration_of(platform) if platform else None  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        platforms = list(LtiPlatform.objects.filter(issuer=iss, is_active=True)[:2])
        if len(platforms) != 1:
            return None
        return self._deployment(platforms[0], deployment_id)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = selectors.platform_by_client(iss, client_id)
        return self._deployment(platform, deployment_id) if platform else None

    @staticmethod
    def _deployment(platform: LtiPlatform, deployment_id: str) -> Deployment | None:
        if not platform.deployments.filter(deployment_id=deployment_id).exists():
            return None
        return Deployment().set_deployment_id(deployment_id)

    def get_jwks(self, iss: str | None = None, client_id: str | None = None, **kwargs: Any):
        """The tool's published keys: the same set for every platform."""
        return selectors.tool_jwks()
