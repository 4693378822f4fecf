"""Issued Open Badges 3.0 credentials, the issuers and keys that sign them, and their status.

A signed credential is stored exactly as it was issued (``IssuedCredential.document``) and
never rewritten: revocation and suspension live in the issuer's status lists, which are
themselves signed credentials served to anyone.
"""

import orjson
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from psycopg.types.json import Jsonb

from microcert.catalog.models import Pathway, SpecificationVersion
from microcert.core.models import PublicIdModel, TimeStampedModel
from microcert.network.models import Organisation


class SignedDocumentField(models.JSONField):
    """A JSON column for whole signed documents (some 16 KB each), inserted as one value per
    row rather than through PostgreSQL's ``UNNEST`` of arrays.

    Django bulk-inserts on PostgreSQL as ``UNNEST(%s::jsonb[])``; psycopg then writes every
    document into an array literal, escaping each double quote with a regular-expression
    substitution (hundreds per credential), which made storing a cohort five times slower
    than signing it. Declaring a placeholder (Django's hook for per-value SQL) keeps the plain
    ``VALUES`` form.
    """

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s"

    def get_db_prep_value(self, value, connection, prepared=False):
        # A whole document is written with orjson: five times quicker than the json module
        # for these documents, and the same JSON (the text is parsed again when read).
        if not isinstance(value, dict):
            return super().get_db_prep_value(value, connection, prepared)
        try:
            text = orjson.dumps(value).decode()
        except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits: the json module's way
            return super().get_db_prep_value(value, connection, prepared)
        if connection.vendor == "postgresql":
            return Jsonb(value, dumps=lambda _value: text)
        return text


# The W3C Bitstring Status List minimum: 131,072 entries (16 KiB) give herd privacy.
STATUS_LIST_SIZE = 131_072


class Issuer(PublicIdModel):
    """An awarding organisation as a credential issuer, identified by a DID."""

    class DidMethod(models.TextChoices):
        WEB = "web", _("did:web, served by this platform")
        KEY = "key", _("did:key, derived from the signing key")

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="issuer",
    )
    did_method = models.CharField(
        _("DID method"), max_length=5, choices=DidMethod.choices, default=DidMethod.WEB
    )
    # Open Badges 3.0 allows one status per credential (its schema wants an object): by
    # default that is revocation. Suspension adds a second entry, as VC 2.0 allows.
    offers_suspension = models.BooleanField(
        _("credentials can be suspended"),
        default=False,
        help_text=_(
            "Adds a suspension entry to each credential. Open Badges 3.0 validators expect "
            "a single status entry, so leave this off unless suspension is needed."
        ),
    )

    class Meta:
        ordering = ["organisation__slug"]
        verbose_name = _("issuer")
        verbose_name_plural = _("issuers")

    def __str__(self) -> str:
        return str(self.organisation)


class IssuerKey(TimeStampedModel):
    """An Ed25519 signing key. The private half is stored only encrypted with a key-encryption
    key from the environment. Retired keys stay published so older credentials keep verifying."""

    issuer = models.ForeignKey(
        Issuer, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="keys"
    )
    public_key_multibase = models.CharField(_("public key (multibase)"), max_length=64, unique=True)
    encrypted_private_key = models.BinaryField(editable=False)
    kek_id = models.CharField(_("key-encryption key id"), max_length=40, editable=False)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["issuer", "-created_at"]
        verbose_name = _("issuer key")
        verbose_name_plural = _("issuer keys")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer"],
                condition=Q(retired_at__isnull=True),
                name="credentials_one_active_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.public_key_multibase[:16]}…"

    def __repr__(self) -> str:
        # Never let the encrypted secret reach a log line through a repr.
        return f"<IssuerKey {self.pk} {self.public_key_multibase}>"

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class StatusPurpose(models.TextChoices):
    REVOCATION = "revocation", _("Revocation")
    SUSPENSION = "suspension", _("Suspension")


class StatusList(PublicIdModel):
    """One Bitstring Status List of an issuer for one purpose, and its signed credential.

    Entries are handed out through a bijection of a counter over the list (``multiplier`` is
    odd, so ``(multiplier * n + offset) mod size`` never repeats), which spreads credentials
    across the list instead of revealing issuance order.
    """

    issuer = models.ForeignKey(
        Issuer, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="status_lists"
    )
    # did:web lists live as long as the issuer; a did:key issuer gets new lists with each key.
    issuer_did = models.CharField(_("issuer DID"), max_length=255)
    purpose = models.CharField(_("purpose"), max_length=12, choices=StatusPurpose.choices)
    size = models.PositiveIntegerField(_("entries"), default=STATUS_LIST_SIZE)
    allocated = models.PositiveIntegerField(_("entries allocated"), default=0)
    multiplier = models.PositiveIntegerField(editable=False)
    offset = models.PositiveIntegerField(editable=False)
    bits = models.BinaryField(editable=False)
    signed_credential = models.JSONField(_("signed status list credential"), default=dict)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        ordering = ["issuer", "purpose"]
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "issuer_did", "purpose"], name="credentials_status_list"
            ),
            models.CheckConstraint(
                condition=Q(allocated__lte=models.F("size")), name="credentials_list_not_overfull"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.purpose}"


class IssuedCredential(PublicIdModel):
    """A signed credential as issued. ``document`` is the exact JSON that was signed."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    issuer = models.ForeignKey(
        Issuer, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="credentials"
    )
    signing_key = models.ForeignKey(
        IssuerKey, verbose_name=_("signing key"), on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="credentials",
        null=True,
        blank=True,
    )
    specification_version = models.ForeignKey(
        SpecificationVersion,
        verbose_name=_("specification version"),
        on_delete=models.PROTECT,
        related_name="issued_credentials",
        null=True,
        blank=True,
    )
    pathway = models.ForeignKey(
        Pathway,
        verbose_name=_("pathway"),
        on_delete=models.PROTECT,
        related_name="certificates",
        null=True,
        blank=True,
        help_text=_("Set on a stacked certificate: the pathway it completes."),
    )
    components = models.ManyToManyField(
        "self",
        verbose_name=_("parts"),
        symmetrical=False,
        related_name="certificates",
        blank=True,
    )
    document = SignedDocumentField(_("signed credential"))
    language = models.CharField(_("language"), max_length=10, default="en")
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    needs_review = models.BooleanField(
        _("flagged for review"),
        default=False,
        help_text=_("A part of this certificate was revoked; the pathway asks for a review."),
    )
    is_public = models.BooleanField(
        _("public verification page"),
        default=True,
        help_text=_("Anyone with the link can see the verification page."),
    )
    revocation_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    revocation_index = models.PositiveIntegerField(null=True, blank=True)
    suspension_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    suspension_index = models.PositiveIntegerField(null=True, blank=True)
    # Makes a repeated request (a CSV row, a retried API call) issue nothing twice.
    idempotency_key = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("issued credential")
        verbose_name_plural = _("issued credentials")
        constraints = [
            models.UniqueConstraint(
                fields=["revocation_list", "revocation_index"], name="credentials_revocation_entry"
            ),
            models.UniqueConstraint(
                fields=["suspension_list", "suspension_index"], name="credentials_suspension_entry"
            ),
            # A list without an index (or the reverse) would slip past the two constraints
            # above, whose NULLs never collide: an entry is both or neither.
            models.CheckConstraint(
                condition=Q(revocation_list__isnull=True, revocation_index__isnull=True)
                | Q(revocation_list__isnull=False, revocation_index__isnull=False),
                name="credentials_revocation_entry_whole",
            ),
            models.CheckConstraint(
                condition=Q(suspension_list__isnull=True, suspension_index__isnull=True)
                | Q(suspension_list__isnull=False, suspension_index__isnull=False),
                name="credentials_suspension_entry_whole",
            ),
            models.UniqueConstraint(
                fields=["issuer", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="credentials_idempotency",
            ),
            # A learner earns a pathway's certificate once (a revoked one may be re-earned).
            models.UniqueConstraint(
                fields=["recipient", "pathway"],
                condition=Q(pathway__isnull=False) & ~Q(status="revoked"),
                name="credentials_one_certificate_per_pathway",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "status"])]

    def __str__(self) -> str:
        return str(self.document.get("name") or self.uuid)


class ApiToken(TimeStampedModel):
    """A bearer token for the VC-API, acting for one organisation's issuer with some scopes.
    Only a SHA-256 of the token is kept; the token itself is shown once, when it is made."""

    class Scope(models.TextChoices):
        ISSUE = "issue", _("Issue credentials")
        REVOKE = "revoke", _("Change credential status")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=120)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class BulkJob(PublicIdModel):
    """A cohort issuance from a CSV file, or a bulk revocation, run as a background task."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("Issue from a CSV file")
        REVOKE = "revoke", _("Revoke in bulk")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="bulk_jobs")
    specification_version = models.ForeignKey(
        SpecificationVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    rows = models.JSONField(default=list, editable=False)
    reason = models.TextField(_("reason"), blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bulk job")
        verbose_name_plural = _("bulk jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent_done(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 0
