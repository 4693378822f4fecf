"""News and events of the partner network, and the library of good-practice cases.

An article is public when it is published and its ``publish_at`` has come: the moment is
compared with the clock when the article is read, so scheduled articles appear on their own
without a background job. A good-practice case is written by a member institution and
published by the programme's editors after review.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from microcert.core.models import PublicIdModel, TimeStampedModel
from microcert.frameworks.models import Competence
from microcert.network.models import Organisation

# Slugs that would shadow the pages beside the article and case pages.
RESERVED_SLUGS = frozenset({"manage", "feed", "images", "submit", "mine", "new"})


class Tag(TimeStampedModel):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name or self.slug


class Article(PublicIdModel):
    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        EVENT = "event", _("Event")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class EventType(models.TextChoices):
        VISIT = "visit", _("Visit")
        POLICY_DIALOGUE = "policy_dialogue", _("Policy dialogue")
        PARTNERSHIP_MEETING = "partnership_meeting", _("Annual partnership meeting")
        WORKSHOP = "workshop", _("Workshop")
        OTHER = "other", _("Other event")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.NEWS)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=600, blank=True)
    # Plain text: paragraphs separated by blank lines, "- " list items and "## " headings;
    # rendered by ``text.render_body``, never trusted as HTML.
    body = models.TextField(_("text"), max_length=40000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partners"), blank=True, related_name="news_articles"
    )
    countries = CountryField(_("countries"), multiple=True, blank=True)
    # Events only.
    event_type = models.CharField(
        _("type of event"), max_length=24, choices=EventType.choices, blank=True
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    # Where the event happens: its times are entered and shown in this zone (IANA name).
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    class Meta:
        ordering = ["-publish_at", "-created_at"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="news_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(kind="event") | Q(starts_at__isnull=False),
                name="news_event_has_start",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gte=models.F("starts_at")),
                name="news_event_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "publish_at"])]

    def __str__(self) -> str:
        return self.title or self.slug

    @property
    def time_zone_label(self) -> str:
        return self.time_zone.replace("_", " ")

    @property
    def is_event(self) -> bool:
        return self.kind == self.Kind.EVENT

    def is_public(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= now
        )

    def is_scheduled(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > now
        )

    @property
    def state(self) -> str:
        """draft, scheduled or published, as editors see it."""
        if self.status == self.Status.DRAFT:
            return "draft"
        return "scheduled" if self.is_scheduled() else "published"


def _image_path(image: "ArticleImage", filename: str) -> str:
    # Never the uploaded name: the platform names the file and decides its extension.
    return f"news/images/{image.uuid}.{image.extension}"


class ArticleImage(PublicIdModel):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="images"
    )
    file = models.FileField(_("file"), upload_to=_image_path, max_length=200)
    content_type = models.CharField(_("type"), max_length=20)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    alt = models.CharField(
        _("text alternative"),
        max_length=300,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["article", "position", "created_at"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt or str(self.uuid)

    @property
    def extension(self) -> str:
        return {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
            self.content_type, "bin"
        )


class Case(PublicIdModel):
    """A good practice a member institution shares with the network."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    class Award(models.TextChoices):
        NONE = "none", _("No award")
        NOMINEE = "nominee", _("Pioneer award nominee")
        WINNER = "winner", _("Pioneer award winner")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="news_cases",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), max_length=600, blank=True)
    body = models.TextField(_("text"), max_length=40000, blank=True)
    competences = models.ManyToManyField(
        Competence, verbose_name=_("competences"), blank=True, related_name="+"
    )
    award = models.CharField(_("award"), max_length=10, choices=Award.choices, default=Award.NONE)
    award_year = models.PositiveSmallIntegerField(_("award year"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-submitted_at"]
        verbose_name = _("good-practice case")
        verbose_name_plural = _("good-practice cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(award="none", award_year__isnull=True)
                | (~Q(award="none") & Q(award_year__isnull=False)),
                name="news_case_award_has_year",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="news_case_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.slug


class CaseComment(TimeStampedModel):
    """One step of a case's review, with what the reviewer or the submitter said."""

    class Step(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="comments"
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    text = models.TextField(_("comment"), max_length=4000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["case", "created_at", "pk"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self) -> str:
        return f"{self.case} · {self.get_step_display()}"
