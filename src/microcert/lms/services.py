"""Writes of the LTI tool. Each is one short transaction; the calls to the platform happen
between them, never inside one (a transaction must not wait on another server).

A launch runs: ``launch_record`` (the nonce, once) → ``identity_resolve`` →
``resource_link_resolve`` → the platform's results (``ags.fetch_result``) → ``result_record``
(evidence through the learning service) → ``launch_conclude``. ``launch_process`` strings them
together.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microcert.accounts.selectors import person_by_any_email
from microcert.catalog.models import SpecificationVersion
from microcert.core.services import event_record
from microcert.learning import services as learning_services
from microcert.learning.models import EvidenceItem, Submission

from . import ags, keys, lti, selectors
from .models import (
    LaunchOutcome,
    LmsResult,
    LtiIdentity,
    LtiLaunch,
    LtiPlatform,
    LtiResourceLink,
    LtiToolKey,
)

logger = logging.getLogger(__name__)

# The custom parameter a course designer adds to the link: microcert_spec=<micro-credential slug>
CUSTOM_SPEC = "microcert_spec"


# --- The tool's keys --------------------------------------------------------------------------


def _key_create() -> LtiToolKey:
    kid, public_jwk, blob, kek_id = keys.generate()
    return LtiToolKey.objects.create(
        kid=kid, public_jwk=public_jwk, encrypted_private_key=blob, kek_id=kek_id
    )


@transaction.atomic
def tool_key_rotate(*, actor) -> LtiToolKey:
    """Retire the active key (it stays published for a while) and make a new one."""
    now = timezone.now()
    retired = list(
        LtiToolKey.objects.select_for_update().filter(is_active=True).values_list("kid", flat=True)
    )
    LtiToolKey.objects.filter(is_active=True).update(
        is_active=False, retired_at=now, updated_at=now
    )
    key = _key_create()
    event_record(
        actor=actor,
        verb="lti.tool_key_rotated",
        target=key,
        details={"kid": key.kid, "retired": retired},
    )
    return key


def tool_key_ensure() -> LtiToolKey:
    """The active key, made on first use so the JWKS is never empty."""
    key = selectors.active_tool_key()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _key_create()
            event_record(
                actor=None, verb="lti.tool_key_created", target=key, details={"kid": key.kid}
            )
            return key
    except IntegrityError:
        # Another process made it first.
        return LtiToolKey.objects.get(is_active=True)


# --- A launch ---------------------------------------------------------------------------------


def launch_record(*, launch: lti.VerifiedLaunch) -> LtiLaunch:
    """Spend the launch's nonce: a second launch with the same nonce is a replay."""
    expires = datetime.datetime.fromtimestamp(int(launch.claims["exp"]), tz=datetime.UTC)
    try:
        with transaction.atomic():
            return LtiLaunch.objects.create(
                platform=launch.platform,
                deployment=launch.deployment,
                nonce=launch.nonce[:255],
                used_at=timezone.now(),
                expires_at=expires,
                sub=launch.sub[:255],
                resource_link_id=str(launch.resource_link["id"])[:255],
            )
    except IntegrityError:
        raise lti.LaunchRefused(
            "replay",
            _("This launch has already been used. Start the activity again from the course."),
        ) from None


def launches_purge(*, now: datetime.datetime | None = None) -> int:
    """Forget launches whose id_token has expired (their nonce can no longer be replayed)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=lti.LEEWAY_SECONDS)
    deleted, _rows = LtiLaunch.objects.filter(expires_at__lt=cutoff, results__isnull=True).delete()
    return deleted


def identity_resolve(*, platform: LtiPlatform, sub: str, email: str):
    """The person behind the platform's user: a link made before, else the person whose
    verified address is the launch's e-mail claim (and the link is made now)."""
    identity = (
        LtiIdentity.objects.filter(platform=platform, sub=sub).select_related("person").first()
    )
    if identity is not None:
        return identity.person if identity.person.is_active else None
    person = person_by_any_email(email) if email else None
    if person is None or not person.is_active:
        return None
    try:
        with transaction.atomic():
            identity = LtiIdentity.objects.create(platform=platform, sub=sub, person=person)
            event_record(
                actor=None,
                verb="lti.identity_linked",
                target=identity,
                details={"platform": str(platform.uuid), "sub": sub, "person": str(person.uuid)},
            )
    except IntegrityError:
        identity = LtiIdentity.objects.select_related("person").get(platform=platform, sub=sub)
        return identity.person
    return person


def resource_link_resolve(
    *, platform: LtiPlatform, claims: dict[str, Any]
) -> LtiResourceLink | None:
    """The mapping of the launch's resource link: made by staff, or now from the custom
    parameter ``microcert_spec``. A staff mapping wins over the parameter."""
    link_claim = claims[lti.RESOURCE_LINK]
    link_id = str(link_claim["id"])[:255]
    title = str(link_claim.get("title") or "")[:255]
    link = selectors.resource_link(platform, link_id)
    if link is not None:
        if title and link.title != title:
            link.title = title
            link.save(update_fields=["title", "updated_at"])
        return link
    custom = claims.get(lti.CUSTOM)
    slug = custom.get(CUSTOM_SPEC) if isinstance(custom, dict) else None
    micro_credential = selectors.micro_credential_by_slug(slug) if isinstance(slug, str) else None
    if micro_credential is None:
        return None
    try:
        with transaction.atomic():
            link = LtiResourceLink.objects.create(
                platform=platform,
                resource_link_id=link_id,
                title=title,
                micro_credential=micro_credential,
            )
            event_record(
                actor=None,
                verb="lti.resource_link_mapped",
                target=link,
                details={"platform": str(platform.uuid), "micro_credential": micro_credential.slug},
            )
    except IntegrityError:
        return selectors.resource_link(platform, link_id)
    return link


def _evidence_title(link: LtiResourceLink, platform: LtiPlatform, claims: dict[str, Any]) -> str:
    context = claims.get(lti.CONTEXT)
    course = context.get("title") if isinstance(context, dict) else ""
    activity = link.title or link.resource_link_id
    parts = [p for p in (activity, course if isinstance(course, str) else "") if p]
    return f"{' · '.join(parts)} ({platform.name})"


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


@transaction.atomic
def result_record(
    *,
    launch: LtiLaunch,
    link: LtiResourceLink,
    person,
    version: SpecificationVersion,
    lineitem: str,
    result: ags.AgsResult,
    title: str,
) -> LmsResult:
    """Keep what the platform said and, when it shows completion, record it as evidence of
    the person's open attempt (once per line item and user: a later, better result updates
    the same evidence item)."""
    platform = launch.platform
    row = LmsResult(
        platform=platform,
        launch=launch,
        resource_link=link,
        person=person,
        sub=launch.sub,
        lineitem=lineitem,
        score=result.score,
        maximum=result.maximum,
        activity_progress=result.activity_progress,
        grading_progress=result.grading_progress,
        result_timestamp=result.timestamp,
        threshold=link.completion_threshold,
    )
    if not result.is_complete(link.completion_threshold):
        row.outcome = LaunchOutcome.BELOW_THRESHOLD
        row.save()
        return row
    previous = selectors.last_recorded_result(platform, lineitem, launch.sub)
    if (
        previous is not None
        and previous.person_id == person.pk
        and previous.score == result.score
        and previous.maximum == result.maximum
        and previous.result_timestamp == result.timestamp
        and previous.evidence is not None
        and previous.evidence.submission.version_id == version.pk
        and previous.evidence.submission.status == Submission.Status.DRAFT
    ):
        row.outcome = LaunchOutcome.UNCHANGED
        row.evidence = previous.evidence
        row.save()
        return row
    details = {
        "score": _number(result.score),
        "maximum": _number(result.maximum),
        "percent": _number(result.percent()),
        "threshold": link.completion_threshold,
        "activity_progress": result.activity_progress,
        "grading_progress": result.grading_progress,
        "timestamp": result.timestamp.isoformat() if result.timestamp else None,
        "platform": platform.name,
        "platform_id": platform.pk,
        "lineitem": lineitem,
        "resource_link": link.resource_link_id,
    }
    try:
        item: EvidenceItem = learning_services.evidence_record_from_lms(
            teacher=person,
            version=version,
            url=lineitem,
            title=title,
            source_id=f"lti:{platform.pk}:{lineitem}:{launch.sub}",
            details=details,
            actor=None,
        )
    except learning_services.LearningError:
        row.outcome = LaunchOutcome.NO_SUBMISSION
        row.save()
        return row
    row.outcome = LaunchOutcome.RECORDED
    row.evidence = item
    row.save()
    return row


def launch_conclude(*, launch: LtiLaunch, outcome: str, person=None) -> LtiLaunch:
    launch.outcome = outcome
    launch.person = person
    launch.save(update_fields=["outcome", "person", "updated_at"])
    return launch


# --- The whole launch -------------------------------------------------------------------------


@dataclass
class LaunchReport:
    """What the person is told after a launch."""

    platform: LtiPlatform
    outcome: str
    person: Any = None
    link: LtiResourceLink | None = None
    version: SpecificationVersion | None = None
    result: LmsResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def recorded(self) -> bool:
        return self.outcome in (LaunchOutcome.RECORDED, LaunchOutcome.UNCHANGED)


def launch_process(*, launch: lti.VerifiedLaunch) -> LaunchReport:
    """Everything a verified launch leads to. Refuses a replay; otherwise always reports."""
    record = launch_record(launch=launch)
    platform = launch.platform
    email = launch.claims.get("email")
    person = identity_resolve(
        platform=platform, sub=launch.sub, email=email if isinstance(email, str) else ""
    )
    report = LaunchReport(platform=platform, outcome=LaunchOutcome.UNKNOWN_PERSON, person=person)
    if person is None:
        launch_conclude(launch=record, outcome=report.outcome)
        return report
    link = resource_link_resolve(platform=platform, claims=launch.claims)
    report.link = link
    if link is None:
        report.outcome = LaunchOutcome.UNKNOWN_SPECIFICATION
        launch_conclude(launch=record, outcome=report.outcome, person=person)
        return report
    report.version = selectors.version_for(link, person)
    endpoint = launch.ags
    lineitem = endpoint.get("lineitem")
    scopes = endpoint.get("scope") if isinstance(endpoint.get("scope"), list) else []
    if (
        not isinstance(lineitem, str)
        or not lineitem.startswith(("https://", "http://"))
        or ags.SCOPE_RESULT_READONLY not in scopes
    ):
        report.outcome = LaunchOutcome.NO_GRADES_SERVICE
        launch_conclude(launch=record, outcome=report.outcome, person=person)
        return report
    if report.version is None:
        report.outcome = LaunchOutcome.NO_SUBMISSION
        launch_conclude(launch=record, outcome=report.outcome, person=person)
        return report
    tool_key_ensure()
    try:
        result = ags.fetch_result(platform, lineitem=lineitem, user_id=launch.sub)
    except ags.AgsError as error:
        logger.warning("LTI results of platform %s could not be read: %s", platform.pk, error)
        report.outcome = LaunchOutcome.SERVICE_ERROR
        launch_conclude(launch=record, outcome=report.outcome, person=person)
        return report
    if result is None:
        report.outcome = LaunchOutcome.NO_RESULT
        launch_conclude(launch=record, outcome=report.outcome, person=person)
        return report
    report.result = result_record(
        launch=record,
        link=link,
        person=person,
        version=report.version,
        lineitem=lineitem[:1000],
        result=result,
        title=_evidence_title(link, platform, launch.claims),
    )
    report.outcome = report.result.outcome
    launch_conclude(launch=record, outcome=report.outcome, person=person)
    return report
