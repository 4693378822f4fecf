"""Erasure requests, and the short-lived window that lets an erasure redact the event log.

A request is kept after it is carried out: it is the record that the person's data was
erased, when, by whom and why, and it holds the salt with which identifiers in the event log
were hashed (so a lawful request naming an e-mail address can still be matched to the log).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcert.core.models import PublicIdModel


class ErasureRequest(PublicIdModel):
    """A person's (or an office's, on their behalf) request that their data be erased."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting: something must be settled first")
        DONE = "done", _("Carried out")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Channel(models.TextChoices):
        SELF = "self", _("Asked by the person on the platform")
        API = "api", _("Asked by the person through the API")
        OFFICE = "office", _("Through the programme office")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="erasure_requests",
    )
    channel = models.CharField(_("asked through"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Identifiers in the reason are hashed like everywhere else when the erasure is done.
    reason = models.TextField(_("reason"))
    revoke_credentials = models.BooleanField(_("also revoke the credentials"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    blockers = models.JSONField(
        _("what stood in the way"),
        default=list,
        blank=True,
        help_text=_("Why the erasure could not be carried out when it was last tried."),
    )
    carried_out_at = models.DateTimeField(_("carried out at"), null=True, blank=True)
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("carried out by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=80, blank=True)
    salt = models.CharField(_("salt of the hashed identifiers"), max_length=64, blank=True)
    summary = models.JSONField(_("what was done"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="pending"),
                name="privacy_one_pending_request",
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="done"), name="privacy_erased_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} · {self.created_at:%Y-%m-%d}"


class RedactionWindow(models.Model):
    """A row that exists only inside an erasure's transaction (inserted at its start, deleted
    before it commits, so no other transaction ever sees one). While it exists, the event
    log's database trigger lets that transaction rewrite the personal parts of events (actor
    label, object label, reason, details) but never who, what, which object or when."""

    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event redaction window")
        verbose_name_plural = _("event redaction windows")

    def __str__(self) -> str:
        return f"{self.opened_at:%Y-%m-%d %H:%M:%S}"
