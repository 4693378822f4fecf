"""LTI 1.3 registrations of partner learning platforms, the tool's own keys, and what the
platforms told us: launches (for replay safety) and the results read through their
Assignment and Grade Services.

Rows hold data and the invariants of one row; the protocol lives in ``lti.py`` and ``ags.py``,
the writes in ``services.py``.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcert.catalog.models import MicroCredential, SpecificationVersion
from microcert.core.models import PublicIdModel, TimeStampedModel
from microcert.learning.models import EvidenceItem
from microcert.network.models import Organisation


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class LtiPlatform(PublicIdModel):
    """A partner's learning platform (Moodle, Canvas, …) registered with this tool."""

    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="lti_platforms",
    )
    issuer = models.CharField(
        _("issuer"),
        max_length=255,
        help_text=_("The platform's issuer identifier (the 'iss' of its launches), exactly."),
    )
    client_id = models.CharField(
        _("client ID"), max_length=255, help_text=_("The client ID the platform gave this tool.")
    )
    auth_login_url = models.URLField(
        _("authentication request URL"),
        max_length=500,
        help_text=_("Where the tool sends the browser to finish the OpenID Connect login."),
    )
    auth_token_url = models.URLField(
        _("access token URL"),
        max_length=500,
        help_text=_("The OAuth 2 token endpoint used for Assignment and Grade Services."),
    )
    auth_audience = models.CharField(
        _("access token audience"),
        max_length=500,
        blank=True,
        help_text=_("Only if the platform asks for one; empty means the access token URL."),
    )
    key_set_url = models.URLField(
        _("public keyset URL"),
        max_length=500,
        blank=True,
        help_text=_("The platform's JWKS address, from which its signing keys are fetched."),
    )
    key_set = models.JSONField(
        _("public keyset"),
        null=True,
        blank=True,
        help_text=_(
            'A fixed JWKS ({"keys": [...]}) for closed networks where the keyset URL cannot '
            "be reached; used instead of the URL when given."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("learning platform")
        verbose_name_plural = _("learning platforms")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lms_platform_client")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.key_set_url and not self.key_set:
            raise ValidationError(_("Give the platform's keyset URL or paste its keyset."))
        if self.key_set:
            keys = self.key_set.get("keys") if isinstance(self.key_set, dict) else None
            if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
                raise ValidationError(
                    {"key_set": _('A keyset is a JSON object {"keys": [ ... ]} of JWKs.')}
                )

    @property
    def origins(self) -> list[str]:
        """Web origins the platform's pages are served from (for frame-ancestors)."""
        found = {_origin(self.issuer), _origin(self.auth_login_url)}
        return sorted(o for o in found if o)


class LtiDeployment(TimeStampedModel):
    """One deployment of the tool on a platform; launches must name a registered one."""

    platform = models.ForeignKey(
        LtiPlatform,
        verbose_name=_("platform"),
        on_delete=models.CASCADE,
        related_name="deployments",
    )
    deployment_id = models.CharField(_("deployment ID"), max_length=255)

    class Meta:
        ordering = ["platform", "deployment_id"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "deployment_id"], name="lms_deployment_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} · {self.deployment_id}"


class LtiToolKey(TimeStampedModel):
    """An RSA key the tool signs its client assertions with. The private half is stored only
    encrypted under a key-encryption key from the environment; the public half is published at
    ``/lti/jwks.json``. A retired key stays published for a while, then drops out."""

    kid = models.CharField(_("key ID"), max_length=100, unique=True, editable=False)
    public_jwk = models.JSONField(_("public key (JWK)"), editable=False)
    encrypted_private_key = models.BinaryField(editable=False)
    kek_id = models.CharField(_("key-encryption key id"), max_length=40, editable=False)
    is_active = models.BooleanField(_("active"), default=True, editable=False)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tool key")
        verbose_name_plural = _("tool keys")
        constraints = [
            # NULLs are distinct in a unique index, so the flag, not ``retired_at``, is unique.
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="lms_one_active_tool_key"
            )
        ]

    def __str__(self) -> str:
        return self.kid

    def __repr__(self) -> str:
        # Never let the encrypted secret reach a log line through a repr.
        return f"<LtiToolKey {self.pk} {self.kid}>"


class LtiResourceLink(TimeStampedModel):
    """A link placed in a course of the platform, mapped to the micro-credential whose
    evidence a completion of it counts as. Made by staff, or on the first launch that carries
    the custom parameter ``microcert_spec=<micro-credential slug>``."""

    platform = models.ForeignKey(
        LtiPlatform,
        verbose_name=_("platform"),
        on_delete=models.CASCADE,
        related_name="resource_links",
    )
    resource_link_id = models.CharField(_("resource link ID"), max_length=255)
    title = models.CharField(_("title in the platform"), max_length=255, blank=True)
    micro_credential = models.ForeignKey(
        MicroCredential,
        verbose_name=_("micro-credential"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.ForeignKey(
        SpecificationVersion,
        verbose_name=_("only this version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Empty: the result counts for whichever version of the micro-credential the "
            "teacher has an open submission for."
        ),
    )
    completion_threshold = models.PositiveSmallIntegerField(
        _("completion threshold (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of the line item's maximum score that counts as completed."),
    )

    class Meta:
        ordering = ["platform", "title"]
        verbose_name = _("resource link")
        verbose_name_plural = _("resource links")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "resource_link_id"], name="lms_resource_link_once"
            ),
            models.CheckConstraint(
                condition=Q(completion_threshold__gte=1, completion_threshold__lte=100),
                name="lms_threshold_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title or self.resource_link_id} → {self.micro_credential}"

    def clean(self) -> None:
        if self.version_id and self.version.micro_credential_id != self.micro_credential_id:
            raise ValidationError(
                {"version": _("The version must be one of the chosen micro-credential.")}
            )


class LtiIdentity(TimeStampedModel):
    """A platform's user (its ``sub``) known to be one of our people. Made on the first launch
    whose e-mail claim matches a verified address; later launches need no e-mail."""

    platform = models.ForeignKey(
        LtiPlatform,
        verbose_name=_("platform"),
        on_delete=models.CASCADE,
        related_name="identities",
    )
    sub = models.CharField(_("user ID in the platform"), max_length=255)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="lti_identities",
    )

    class Meta:
        ordering = ["platform", "sub"]
        verbose_name = _("platform identity")
        verbose_name_plural = _("platform identities")
        constraints = [
            models.UniqueConstraint(fields=["platform", "sub"], name="lms_identity_once")
        ]

    def __str__(self) -> str:
        return f"{self.platform} · {self.sub} → {self.person}"


class LaunchOutcome(models.TextChoices):
    RECORDED = "recorded", _("Recorded as evidence")
    UNCHANGED = "unchanged", _("Already recorded, unchanged")
    BELOW_THRESHOLD = "below_threshold", _("Not completed yet")
    NO_RESULT = "no_result", _("No result in the platform yet")
    NO_SUBMISSION = "no_submission", _("No open submission")
    UNKNOWN_PERSON = "unknown_person", _("Person not recognised")
    UNKNOWN_SPECIFICATION = "unknown_spec", _("Link not mapped to a micro-credential")
    NO_GRADES_SERVICE = "no_ags", _("No grades service in the launch")
    SERVICE_ERROR = "service_error", _("The platform's grades service failed")


class LtiLaunch(TimeStampedModel):
    """A verified launch. Its nonce is unique per platform, so a replayed id_token is refused
    even if the state cookie and cache were lost."""

    platform = models.ForeignKey(
        LtiPlatform,
        verbose_name=_("platform"),
        on_delete=models.CASCADE,
        related_name="launches",
    )
    deployment = models.ForeignKey(
        LtiDeployment,
        verbose_name=_("deployment"),
        on_delete=models.CASCADE,
        related_name="launches",
    )
    nonce = models.CharField(_("nonce"), max_length=255)
    used_at = models.DateTimeField(_("used at"))
    # When the id_token expired: after that its nonce can no longer be replayed, and the row
    # may be purged.
    expires_at = models.DateTimeField(_("token expires at"), db_index=True)
    sub = models.CharField(_("user ID in the platform"), max_length=255)
    resource_link_id = models.CharField(_("resource link ID"), max_length=255, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=LaunchOutcome.choices, blank=True
    )

    class Meta:
        ordering = ["-used_at"]
        verbose_name = _("launch")
        verbose_name_plural = _("launches")
        constraints = [models.UniqueConstraint(fields=["platform", "nonce"], name="lms_nonce_once")]

    def __str__(self) -> str:
        return f"{self.platform} · {self.sub} · {self.used_at:%Y-%m-%d %H:%M}"


class LmsResult(TimeStampedModel):
    """A result read from a platform's line item for one user, and what we did with it."""

    platform = models.ForeignKey(
        LtiPlatform,
        verbose_name=_("platform"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    launch = models.ForeignKey(
        LtiLaunch,
        verbose_name=_("launch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="results",
    )
    resource_link = models.ForeignKey(
        LtiResourceLink,
        verbose_name=_("resource link"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="results",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="lms_results",
    )
    sub = models.CharField(_("user ID in the platform"), max_length=255)
    lineitem = models.URLField(_("line item"), max_length=1000)
    score = models.DecimalField(
        _("score given"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    maximum = models.DecimalField(
        _("maximum score"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    activity_progress = models.CharField(_("activity progress"), max_length=30, blank=True)
    grading_progress = models.CharField(_("grading progress"), max_length=30, blank=True)
    result_timestamp = models.DateTimeField(_("result time"), null=True, blank=True)
    threshold = models.PositiveSmallIntegerField(_("completion threshold (%)"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=LaunchOutcome.choices)
    evidence = models.ForeignKey(
        EvidenceItem,
        verbose_name=_("evidence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("learning platform result")
        verbose_name_plural = _("learning platform results")
        indexes = [models.Index(fields=["platform", "lineitem", "sub"])]

    def __str__(self) -> str:
        return f"{self.platform} · {self.sub} · {self.score}/{self.maximum}"

    @property
    def source_id(self) -> str:
        """The idempotency key of the evidence item this result feeds."""
        return f"lti:{self.platform_id}:{self.lineitem}:{self.sub}"
