"""Assignment and Grade Services, read side: the result of one user on one line item.

The access token (client-credentials grant with a JWT client assertion signed RS256 by the
tool's active key) and the bearer request go through pylti1p3's ``ServiceConnector``, fed by
:class:`~microcert.lms.toolconf.ModelToolConf`. Its HTTP session here has timeouts and never
follows redirects. Nothing the platform answers reaches a page or a log verbatim.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from django.utils.dateparse import parse_datetime
from pylti1p3.exception import LtiException
from pylti1p3.service_connector import REQUESTS_USER_AGENT, ServiceConnector

from microcert.credentials.keystore import KeyDecryptionError

from .models import LtiPlatform
from .toolconf import ModelToolConf

logger = logging.getLogger(__name__)

SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"
HTTP_TIMEOUT = (5, 15)


class AgsError(Exception):
    """The platform's grades service could not be used; the message is for logs only."""


class _BoundedSession(requests.Session):
    """A session that gives up after a timeout and does not follow redirects."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any):
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)


def _session() -> requests.Session:
    session = _BoundedSession()
    session.headers["User-Agent"] = f"microcert ({REQUESTS_USER_AGENT})"
    return session


@dataclass(frozen=True)
class AgsResult:
    """What the platform says about one user's result on a line item."""

    user_id: str
    score: Decimal | None
    maximum: Decimal
    activity_progress: str
    grading_progress: str
    timestamp: datetime.datetime | None

    def percent(self) -> Decimal | None:
        if self.score is None or self.maximum <= 0:
            return None
        return self.score * 100 / self.maximum

    def is_complete(self, threshold: int) -> bool:
        """Completed when the score reaches ``threshold`` % of the maximum; where the platform
        gives no score, when the activity is completed and fully graded."""
        percent = self.percent()
        if percent is not None:
            return percent >= threshold
        return self.activity_progress == "Completed" and self.grading_progress == "FullyGraded"


def results_url(lineitem: str, user_id: str) -> str:
    """``<lineitem>/results?user_id=<sub>``, keeping any query the line item URL has."""
    parts = urlsplit(lineitem)
    path = parts.path.rstrip("/") + "/results"
    query = "&".join(q for q in (parts.query, urlencode({"user_id": user_id})) if q)
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _text(value: Any) -> str:
    return value[:30] if isinstance(value, str) else ""


def parse_result(entry: Any, user_id: str) -> AgsResult | None:
    if not isinstance(entry, dict) or str(entry.get("userId", "")) != user_id:
        return None
    maximum = _number(entry.get("resultMaximum"))
    # AGS: without a resultMaximum the maximum is 1.
    if maximum is None or maximum <= 0:
        maximum = Decimal(1)
    timestamp = entry.get("timestamp")
    return AgsResult(
        user_id=user_id,
        score=_number(entry.get("resultScore")),
        maximum=maximum,
        activity_progress=_text(entry.get("activityProgress")),
        grading_progress=_text(entry.get("gradingProgress")),
        timestamp=parse_datetime(timestamp) if isinstance(timestamp, str) else None,
    )


def fetch_result(platform: LtiPlatform, *, lineitem: str, user_id: str) -> AgsResult | None:
    """The user's result on the line item, or None when the platform has none yet."""
    try:
        registration = ModelToolConf(with_private_key=True).registration_of(platform)
    except KeyDecryptionError:
        raise AgsError("the tool's key cannot be decrypted with the configured KEKs") from None
    if not registration.get_tool_private_key():
        raise AgsError("the tool has no active key")
    connector = ServiceConnector(registration, _session())
    url = results_url(lineitem, user_id)
    try:
        response = connector.make_service_request(
            [SCOPE_RESULT_READONLY], url, accept=RESULT_CONTAINER
        )
    except LtiException as error:
        status = getattr(getattr(error, "response", None), "status_code", None)
        raise AgsError(f"the platform refused the request (HTTP {status})") from None
    except requests.RequestException as error:
        raise AgsError(f"the platform could not be reached ({type(error).__name__})") from None
    except (ValueError, KeyError, TypeError):
        # A token response without an access_token, or a body that is not JSON.
        raise AgsError("the platform's answer could not be read") from None
    body = response["body"]
    entries = body if isinstance(body, list) else []
    for entry in entries:
        result = parse_result(entry, user_id)
        if result is not None:
            return result
    return None
