"""Writes of news: articles and their images, tags, and good-practice cases with their review.

Each function is one transaction and records its event. Translated content is given as
``{"en": …, "vi": …, "zh-hans": …, "fr": …}``; a missing language stays empty and pages fall
back to English. Steps the present state does not allow are refused with ``NewsError`` and a
message a person can act on; nothing is then changed.

Articles: a draft is published now (``article_publish``) or at a chosen future moment
(``article_schedule``); both leave it ``published`` with its ``publish_at``, and the selectors
decide at read time whether that moment has come. ``article_unpublish`` takes it back to a
draft, scheduled or not.

Cases: submitted → changes requested → resubmitted → … → published or rejected.
"""

import datetime
import uuid
from collections.abc import Iterable, Mapping
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries import countries as all_countries
from modeltranslation.utils import build_localized_fieldname

from microcert.accounts.models import User
from microcert.core.i18n import CONTENT_LANGUAGES, DEFAULT_LANGUAGE
from microcert.core.services import event_record
from microcert.frameworks.models import Competence
from microcert.network.models import Organisation

from . import text, uploads
from .models import RESERVED_SLUGS, Article, ArticleImage, Case, CaseComment, Tag

Translations = Mapping[str, str]

MAX_IMAGES_PER_ARTICLE = 12
FIRST_AWARD_YEAR = 2020


class NewsError(ValidationError):
    """The step cannot be taken as asked; the message says why."""


class NewsConflict(NewsError):
    """The present state does not allow the step (publishing what is public, reviewing a
    case nobody is waiting on, an address already taken)."""


# --- Helpers ----------------------------------------------------------------------------------


def _set_texts(instance, field: str, values: Translations | str | None, *, limit: int) -> None:
    """Set the languages given in ``values`` (others are kept); an empty text clears one."""
    if values is None:
        return
    if isinstance(values, str):
        values = {DEFAULT_LANGUAGE: values}
    unknown = set(values) - set(CONTENT_LANGUAGES)
    if unknown:
        raise NewsError(
            _("Unknown language: %(languages)s.") % {"languages": ", ".join(sorted(unknown))}
        )
    for language, value in values.items():
        cleaned = (value or "").strip()
        if len(cleaned) > limit:
            raise NewsError(
                _("The %(field)s in %(language)s is longer than %(limit)s characters.")
                % {"field": _field_name(field), "language": language, "limit": limit}
            )
        setattr(instance, build_localized_fieldname(field, language), cleaned)


def _field_name(field: str) -> str:
    return {
        "title": _("title"),
        "summary": _("summary"),
        "body": _("text"),
        "place": _("place"),
        "alt": _("text alternative"),
        "caption": _("caption"),
        "name": _("name"),
    }.get(field, field)


def _clean_slug(slug: str) -> str:
    cleaned = slugify(slug or "")
    if not cleaned:
        raise NewsError(_("Give the address (slug) in Latin letters, digits and hyphens."))
    if cleaned in RESERVED_SLUGS:
        raise NewsError(_("“%(slug)s” is reserved; choose another address.") % {"slug": cleaned})
    return cleaned[:100]


def _unique_slug(model, base: str) -> str:
    base = (slugify(base) or "case")[:80]
    if base in RESERVED_SLUGS:
        base = f"{base}-case"
    candidate = base
    while model.objects.filter(slug=candidate).exists():
        candidate = f"{base}-{uuid.uuid4().hex[:6]}"
    return candidate


def _countries(codes: Iterable[str] | None) -> list[str] | None:
    if codes is None:
        return None
    cleaned = []
    for code in codes:
        value = str(code or "").strip().upper()
        if value not in all_countries:
            raise NewsError(_("Unknown country code: %(code)s.") % {"code": value or "—"})
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def _time_zone(name: str) -> str:
    if name not in available_timezones():
        raise NewsError(_("Unknown time zone: %(zone)s.") % {"zone": name or "—"})
    return name


def _full_clean(instance, **kwargs) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        raise NewsError(error.messages) from None


def _actor(actor: User | None) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Tags -------------------------------------------------------------------------------------


@transaction.atomic
def tag_ensure(*, slug: str, name: Translations | str, actor: User | None = None) -> Tag:
    """The tag with ``slug``, created with ``name`` if it does not exist yet."""
    cleaned = _clean_slug(slug)
    existing = Tag.objects.filter(slug=cleaned).first()
    if existing is not None:
        return existing
    tag = Tag(slug=cleaned)
    _set_texts(tag, "name", name, limit=80)
    _full_clean(tag)
    tag.save()
    event_record(actor=actor, verb="news_tag.created", target=tag, details={"slug": cleaned})
    return tag


# --- Articles ---------------------------------------------------------------------------------


def _check_event(article: Article) -> None:
    if article.kind == Article.Kind.EVENT:
        if article.starts_at is None:
            raise NewsError(_("An event needs the date and time it starts."))
        if not article.event_type:
            raise NewsError(_("Choose the type of event."))
        if article.ends_at is not None and article.ends_at < article.starts_at:
            raise NewsError(_("An event cannot end before it starts."))
    else:
        # A news item carries no event details: a kind changed back leaves none behind.
        article.event_type = ""
        article.starts_at = None
        article.ends_at = None
        for language in CONTENT_LANGUAGES:
            setattr(article, build_localized_fieldname("place", language), "")


def _apply(
    article: Article,
    *,
    kind: str | None,
    title: Translations | str | None,
    summary: Translations | str | None,
    body: Translations | str | None,
    event_type: str | None,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    place: Translations | str | None,
    set_dates: bool,
    time_zone: str | None = None,
) -> None:
    if kind is not None:
        if kind not in Article.Kind.values:
            raise NewsError(_("Unknown kind of article: %(kind)s.") % {"kind": kind})
        article.kind = kind
    _set_texts(article, "title", title, limit=200)
    _set_texts(article, "summary", summary, limit=600)
    _set_texts(article, "body", body, limit=40000)
    _set_texts(article, "place", place, limit=200)
    if event_type is not None:
        if event_type and event_type not in Article.EventType.values:
            raise NewsError(_("Unknown type of event: %(type)s.") % {"type": event_type})
        article.event_type = event_type
    if set_dates:
        article.starts_at = starts_at
        article.ends_at = ends_at
    if time_zone is not None:
        article.time_zone = _time_zone(time_zone)
    if not text.raw(article, "title", DEFAULT_LANGUAGE):
        raise NewsError(_("Give the title in English: the other languages fall back to it."))
    _check_event(article)


def _relate(
    article: Article,
    *,
    tags: Iterable[Tag] | None,
    partners: Iterable[Organisation] | None,
) -> None:
    if tags is not None:
        article.tags.set(list(tags))
    if partners is not None:
        article.partners.set(list(partners))


@transaction.atomic
def article_create(
    *,
    slug: str,
    title: Translations | str,
    actor: User | None,
    kind: str = Article.Kind.NEWS,
    summary: Translations | str | None = None,
    body: Translations | str | None = None,
    tags: Iterable[Tag] = (),
    partners: Iterable[Organisation] = (),
    countries: Iterable[str] = (),
    event_type: str = "",
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    place: Translations | str | None = None,
    time_zone: str = "UTC",
) -> Article:
    """A new draft article (or event); an event's times are in ``time_zone``."""
    cleaned_slug = _clean_slug(slug)
    if Article.objects.filter(slug=cleaned_slug).exists():
        raise NewsConflict(
            _("Another article already has the address “%(slug)s”.") % {"slug": cleaned_slug}
        )
    article = Article(slug=cleaned_slug, status=Article.Status.DRAFT, author=_actor(actor))
    _apply(
        article,
        kind=kind,
        title=title,
        summary=summary,
        body=body,
        event_type=event_type,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        set_dates=True,
        time_zone=time_zone,
    )
    article.countries = _countries(countries) or []
    _full_clean(article)
    article.save()
    _relate(article, tags=tags, partners=partners)
    event_record(
        actor=actor,
        verb="article.created",
        target=article,
        details={"slug": article.slug, "kind": article.kind},
    )
    return article


_UNSET = object()


@transaction.atomic
def article_update(
    *,
    article: Article,
    actor: User | None,
    slug: str | None = None,
    kind: str | None = None,
    title: Translations | str | None = None,
    summary: Translations | str | None = None,
    body: Translations | str | None = None,
    tags: Iterable[Tag] | None = None,
    partners: Iterable[Organisation] | None = None,
    countries: Iterable[str] | None = None,
    event_type: str | None = None,
    starts_at=_UNSET,
    ends_at=_UNSET,
    place: Translations | str | None = None,
    time_zone: str | None = None,
) -> Article:
    """Change what is given, keep the rest. A public article stays public: the change is
    visible at once."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if slug is not None:
        cleaned_slug = _clean_slug(slug)
        if Article.objects.filter(slug=cleaned_slug).exclude(pk=article.pk).exists():
            raise NewsConflict(
                _("Another article already has the address “%(slug)s”.") % {"slug": cleaned_slug}
            )
        article.slug = cleaned_slug
    set_dates = starts_at is not _UNSET or ends_at is not _UNSET
    _apply(
        article,
        kind=kind,
        title=title,
        summary=summary,
        body=body,
        event_type=event_type,
        starts_at=article.starts_at if starts_at is _UNSET else starts_at,
        ends_at=article.ends_at if ends_at is _UNSET else ends_at,
        place=place,
        set_dates=set_dates,
        time_zone=time_zone,
    )
    if countries is not None:
        article.countries = _countries(countries) or []
    if article.status == Article.Status.PUBLISHED:
        _check_publishable(article)
    _full_clean(article)
    article.save()
    _relate(article, tags=tags, partners=partners)
    event_record(
        actor=actor, verb="article.updated", target=article, details={"slug": article.slug}
    )
    return article


def _check_publishable(article: Article) -> None:
    missing = [
        _field_name(field)
        for field in ("title", "summary", "body")
        if not text.raw(article, field, DEFAULT_LANGUAGE)
    ]
    if missing:
        raise NewsError(
            _("Before it is published, the article needs in English: %(fields)s.")
            % {"fields": ", ".join(missing)}
        )
    _check_event(article)


@transaction.atomic
def article_publish(*, article: Article, actor: User | None) -> Article:
    """Make the article public now."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.is_public():
        raise NewsConflict(_("This article is already public."))
    _check_publishable(article)
    was_scheduled_for = article.publish_at if article.is_scheduled() else None
    article.status = Article.Status.PUBLISHED
    article.publish_at = timezone.now()
    article.save(update_fields=["status", "publish_at", "updated_at"])
    event_record(
        actor=actor,
        verb="article.published",
        target=article,
        details={
            "publish_at": article.publish_at.isoformat(),
            "was_scheduled_for": was_scheduled_for.isoformat() if was_scheduled_for else None,
        },
    )
    return article


@transaction.atomic
def article_schedule(
    *, article: Article, publish_at: datetime.datetime, actor: User | None
) -> Article:
    """Publish the article at ``publish_at``, a moment in the future; until then only editors
    see it. A scheduled article may be scheduled again."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if publish_at is None or timezone.is_naive(publish_at):
        raise NewsError(_("Give the date and time of publication, with its time zone."))
    if publish_at <= timezone.now():
        raise NewsError(
            _("Choose a moment in the future to schedule it, or publish the article now.")
        )
    if article.is_public():
        raise NewsConflict(
            _("This article is already public; take it back to a draft before scheduling it.")
        )
    _check_publishable(article)
    article.status = Article.Status.PUBLISHED
    article.publish_at = publish_at
    article.save(update_fields=["status", "publish_at", "updated_at"])
    event_record(
        actor=actor,
        verb="article.scheduled",
        target=article,
        details={"publish_at": publish_at.isoformat()},
    )
    return article


@transaction.atomic
def article_unpublish(*, article: Article, actor: User | None, reason: str = "") -> Article:
    """Take a public or scheduled article back to a draft."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == Article.Status.DRAFT:
        raise NewsConflict(_("This article is a draft already."))
    was = article.state
    article.status = Article.Status.DRAFT
    article.publish_at = None
    article.save(update_fields=["status", "publish_at", "updated_at"])
    event_record(
        actor=actor,
        verb="article.unpublished",
        target=article,
        reason=(reason or "").strip()[:2000],
        details={"was": was},
    )
    return article


# --- Images -----------------------------------------------------------------------------------


@transaction.atomic
def article_image_add(
    *,
    article: Article,
    upload: UploadedFile | bytes,
    alt: Translations | str,
    actor: User | None,
    caption: Translations | str | None = None,
    position: int | None = None,
) -> ArticleImage:
    """Add an image, judged from its bytes and kept as a clean copy (see ``uploads``)."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.images.count() >= MAX_IMAGES_PER_ARTICLE:
        raise NewsError(
            _("An article holds at most %(count)s images.") % {"count": MAX_IMAGES_PER_ARTICLE}
        )
    try:
        clean = uploads.clean_image(upload)
    except uploads.ImageRefused as refusal:
        raise NewsError(str(refusal)) from None
    image = ArticleImage(
        article=article,
        content_type=clean.content_type,
        width=clean.width,
        height=clean.height,
        size=clean.size,
        sha256=clean.sha256,
        position=position if position is not None else article.images.count(),
    )
    _set_texts(image, "alt", alt, limit=300)
    _set_texts(image, "caption", caption, limit=300)
    if not text.raw(image, "alt", DEFAULT_LANGUAGE):
        raise NewsError(
            _("Describe the image in English (its text alternative) for people who cannot see it.")
        )
    image.file.save(f"{image.uuid}.{image.extension}", ContentFile(clean.content), save=False)
    try:
        _full_clean(image)
        image.save()
        event_record(
            actor=actor,
            verb="article.image_added",
            target=article,
            details={"image": str(image.uuid), "type": clean.content_type, "sha256": clean.sha256},
        )
    except Exception:
        # The file is written outside the transaction: remove it when the row is not kept.
        image.file.delete(save=False)
        raise
    return image


@transaction.atomic
def article_image_remove(*, image: ArticleImage, actor: User | None) -> None:
    article = image.article
    name = image.file.name
    storage = image.file.storage
    details = {"image": str(image.uuid), "sha256": image.sha256}
    image.delete()
    event_record(actor=actor, verb="article.image_removed", target=article, details=details)
    # Only once the row is gone for good does the file go.
    transaction.on_commit(lambda: storage.delete(name))


# --- Cases ------------------------------------------------------------------------------------


def _check_award(award: str, award_year: int | None) -> int | None:
    if award not in Case.Award.values:
        raise NewsError(_("Unknown award: %(award)s.") % {"award": award})
    if award == Case.Award.NONE:
        return None
    latest = timezone.now().year + 1
    if award_year is None or not FIRST_AWARD_YEAR <= int(award_year) <= latest:
        raise NewsError(
            _("Give the year of the award, between %(first)s and %(last)s.")
            % {"first": FIRST_AWARD_YEAR, "last": latest}
        )
    return int(award_year)


def _check_case_content(case: Case) -> None:
    if not text.languages_written(case, ("title", "summary", "body")):
        raise NewsError(
            _(
                "Write the title, the summary and the text of the case in at least one "
                "language (the same one for all three)."
            )
        )


def _set_case_content(
    case: Case,
    *,
    title: Translations | str | None,
    summary: Translations | str | None,
    body: Translations | str | None,
) -> None:
    _set_texts(case, "title", title, limit=200)
    _set_texts(case, "summary", summary, limit=600)
    _set_texts(case, "body", body, limit=40000)
    _check_case_content(case)


def _comment(case: Case, step: str, actor: User | None, comment: str = "") -> CaseComment:
    return CaseComment.objects.create(
        case=case, step=step, text=(comment or "").strip()[:4000], author=_actor(actor)
    )


@transaction.atomic
def case_submit(
    *,
    organisation: Organisation,
    actor: User | None,
    title: Translations | str,
    summary: Translations | str,
    body: Translations | str,
    competences: Iterable[Competence] = (),
    award: str = Case.Award.NONE,
    award_year: int | None = None,
    comment: str = "",
) -> Case:
    """A member organisation shares a good practice; the editors review it before anyone
    else sees it. (Who may submit for the organisation is the caller's check.)"""
    if not organisation.memberships.filter(status="active").exists():
        raise NewsError(_("Only members of the partner network submit good-practice cases."))
    case = Case(
        organisation=organisation,
        submitted_by=_actor(actor),
        status=Case.Status.SUBMITTED,
        submitted_at=timezone.now(),
        award=award,
        award_year=_check_award(award, award_year),
    )
    _set_case_content(case, title=title, summary=summary, body=body)
    first_title = text.localized(case, "title", DEFAULT_LANGUAGE).text
    case.slug = _unique_slug(Case, f"{organisation.slug} {first_title}")
    _full_clean(case)
    case.save()
    case.competences.set(list(competences))
    _comment(case, CaseComment.Step.SUBMITTED, actor, comment)
    event_record(
        actor=actor,
        verb="case.submitted",
        target=case,
        details={"organisation": organisation.slug, "slug": case.slug},
    )
    return case


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


_REVIEWABLE = (Case.Status.SUBMITTED, Case.Status.RESUBMITTED)


def _refuse_unless_waiting(case: Case) -> None:
    if case.status not in _REVIEWABLE:
        raise NewsConflict(
            _("This case is %(status)s: it is not waiting for a review.")
            % {"status": case.get_status_display().lower()}
        )


@transaction.atomic
def case_request_changes(*, case: Case, actor: User | None, comment: str) -> Case:
    """Return the case to its organisation, saying what to change."""
    case = _locked_case(case)
    _refuse_unless_waiting(case)
    if not (comment or "").strip():
        raise NewsError(_("Say what the organisation should change."))
    case.status = Case.Status.CHANGES_REQUESTED
    case.save(update_fields=["status", "updated_at"])
    _comment(case, CaseComment.Step.CHANGES_REQUESTED, actor, comment)
    event_record(actor=actor, verb="case.changes_requested", target=case, reason=comment.strip())
    return case


@transaction.atomic
def case_resubmit(
    *,
    case: Case,
    actor: User | None,
    title: Translations | str | None = None,
    summary: Translations | str | None = None,
    body: Translations | str | None = None,
    competences: Iterable[Competence] | None = None,
    award: str | None = None,
    award_year: int | None = None,
    comment: str = "",
) -> Case:
    """The organisation sends the case back for review with the changes asked for."""
    case = _locked_case(case)
    if case.status != Case.Status.CHANGES_REQUESTED:
        raise NewsConflict(_("Only a case returned for changes can be resubmitted."))
    _set_case_content(case, title=title, summary=summary, body=body)
    if award is not None:
        case.award = award
        case.award_year = _check_award(award, award_year)
    case.status = Case.Status.RESUBMITTED
    case.submitted_at = timezone.now()
    _full_clean(case)
    case.save()
    if competences is not None:
        case.competences.set(list(competences))
    _comment(case, CaseComment.Step.RESUBMITTED, actor, comment)
    event_record(actor=actor, verb="case.resubmitted", target=case)
    return case


@transaction.atomic
def case_publish(
    *,
    case: Case,
    actor: User | None,
    comment: str = "",
    award: str | None = None,
    award_year: int | None = None,
) -> Case:
    """Publish a case waiting for review; the editors may set its award (a winner is known
    only to them)."""
    case = _locked_case(case)
    _refuse_unless_waiting(case)
    _check_case_content(case)
    if award is not None:
        case.award = award
        case.award_year = _check_award(award, award_year)
    case.status = Case.Status.PUBLISHED
    case.published_at = timezone.now()
    _full_clean(case)
    case.save()
    _comment(case, CaseComment.Step.PUBLISHED, actor, comment)
    event_record(
        actor=actor,
        verb="case.published",
        target=case,
        details={"award": case.award, "award_year": case.award_year},
    )
    return case


@transaction.atomic
def case_reject(*, case: Case, actor: User | None, comment: str) -> Case:
    """Decline a case for good, saying why."""
    case = _locked_case(case)
    _refuse_unless_waiting(case)
    if not (comment or "").strip():
        raise NewsError(_("Say why the case is not published."))
    case.status = Case.Status.REJECTED
    case.save(update_fields=["status", "updated_at"])
    _comment(case, CaseComment.Step.REJECTED, actor, comment)
    event_record(actor=actor, verb="case.rejected", target=case, reason=comment.strip())
    return case
