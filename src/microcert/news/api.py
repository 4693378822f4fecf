"""News, events and good-practice cases as a REST API, mounted under ``/api/v1/news/``.

Reading what is public needs no credentials: ``/articles`` and ``/cases`` list and show only
public articles and published cases (anything else answers 404, like what does not exist).
With credentials:

* editors (programme managers of the organisation that runs the programme) list every
  article, create, change, publish, schedule and unpublish them under ``/manage/``, and
  decide on the cases waiting for review;
* institution admins of a member organisation submit cases for it under ``/my/cases`` and
  resubmit the ones returned for changes.

Refusals follow the rest of the API: 403 when the caller's role does not allow the
operation, 404 for what they may not see, 409 when the present state does not allow the step
(publishing what is public, an address already taken), 400 when the content is refused.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from microcert.core.api_paging import PageParams, paged
from microcert.core.i18n import CONTENT_LANGUAGES
from microcert.frameworks.models import Competence
from microcert.network.models import Organisation

from . import selectors, services, text
from .api_schemas import (
    ArticleDetailOut,
    ArticleIn,
    ArticlePage,
    ArticlePatch,
    CaseDecisionIn,
    CaseDetailOut,
    CaseIn,
    CasePage,
    CaseResubmitIn,
    ErrorOut,
    InvalidOut,
    ManagedArticleOut,
    ManagedArticlePage,
    NewsImageOut,
    OwnCaseOut,
    OwnCasePage,
    PublishIn,
    UnpublishIn,
)
from .models import Article, ArticleImage, Case, Tag
from .services import NewsConflict, NewsError

router = Router(tags=["news"])

# --- Refusals ---------------------------------------------------------------------------------


def _responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    documented: dict[int, Any] = dict(ok)
    for code in sorted(set(errors)):
        documented[code] = ErrorOut
    documented[422] = InvalidOut
    return documented


@contextmanager
def _refusals() -> Iterator[None]:
    """A refusal of the services as an HTTP error: 409 for the state, 400 for the content."""
    try:
        yield
    except NewsConflict as error:
        raise HttpError(409, " ".join(error.messages)) from error
    except NewsError as error:
        raise HttpError(400, " ".join(error.messages)) from error


def _not_found(what: str) -> HttpError:
    return HttpError(404, _("There is no %(what)s with this identifier.") % {"what": what})


def _allowed(request: HttpRequest, perm: str, obj: Any = None, message: str = "") -> None:
    if not request.user.has_perm(f"news.{perm}", obj):
        raise HttpError(403, message or _("You are not allowed to do this."))


def _editor(request: HttpRequest) -> None:
    _allowed(
        request,
        "manage_news",
        message=_("Only the programme's editors (its programme managers) do this."),
    )


# --- Rendering --------------------------------------------------------------------------------


def _text(instance, field: str) -> dict:
    shown = text.localized(instance, field)
    return {"text": shown.text, "language": shown.language}


def _organisation(organisation: Organisation) -> dict:
    return {"uuid": organisation.uuid, "slug": organisation.slug, "name": organisation.name}


def _image(image: ArticleImage) -> dict:
    return {
        "uuid": image.uuid,
        "url": reverse("news:image", kwargs={"uuid": image.uuid, "extension": image.extension}),
        "content_type": image.content_type,
        "width": image.width,
        "height": image.height,
        "alt": _text(image, "alt"),
        "caption": _text(image, "caption"),
    }


def _article(article: Article) -> dict:
    event = None
    if article.is_event and article.starts_at:
        event = {
            "event_type": article.event_type,
            "time_zone": article.time_zone,
            "starts_at": article.starts_at,
            "ends_at": article.ends_at,
            "place": _text(article, "place"),
        }
    return {
        "uuid": article.uuid,
        "slug": article.slug,
        "kind": article.kind,
        "url": reverse("news:article", kwargs={"slug": article.slug}),
        "title": _text(article, "title"),
        "summary": _text(article, "summary"),
        "publish_at": article.publish_at,
        "tags": [
            {"slug": t.slug, "name": text.localized(t, "name").text} for t in article.tags.all()
        ],
        "partners": [_organisation(o) for o in article.partners.all()],
        "countries": [c.code for c in article.countries],
        "event": event,
    }


def _article_detail(article: Article) -> dict:
    return {
        **_article(article),
        "body": _text(article, "body"),
        "images": [_image(i) for i in article.images.all()],
    }


def _managed(article: Article) -> dict:
    article = (
        selectors.articles_for_editors().prefetch_related("tags", "partners").get(pk=article.pk)
    )
    return {
        **_article_detail(article),
        "state": article.state,
        "translations": {
            field: {
                language: text.raw(article, field, language)
                for language in CONTENT_LANGUAGES
                if text.raw(article, field, language)
            }
            for field in ("title", "summary", "body", "place")
        },
    }


def _case(case: Case) -> dict:
    return {
        "uuid": case.uuid,
        "slug": case.slug,
        "url": reverse("news:case", kwargs={"slug": case.slug}),
        "organisation": _organisation(case.organisation),
        "country": case.organisation.country.code,
        "title": _text(case, "title"),
        "summary": _text(case, "summary"),
        "award": case.award,
        "award_year": case.award_year,
        "published_at": case.published_at,
        "competences": [
            {
                "uuid": c.uuid,
                "framework": c.framework.slug,
                "code": c.code,
                "name": c.name,
            }
            for c in case.competences.all()
        ],
    }


def _case_detail(case: Case) -> dict:
    return {**_case(case), "body": _text(case, "body")}


def _own_case(case: Case) -> dict:
    case = selectors.case_with_relations(case.pk)
    return {
        **_case_detail(case),
        "status": case.status,
        "submitted_at": case.submitted_at,
        "history": [
            {"step": step.step, "text": step.text, "at": step.created_at}
            for step in selectors.case_history(case)
        ],
    }


# --- Reading what is public -------------------------------------------------------------------


@router.get(
    "/articles",
    auth=None,
    response=_responses({200: ArticlePage}),
    summary="Public news and events",
)
def article_list(
    request: HttpRequest,
    page: Query[PageParams],
    kind: str | None = Query(None, pattern="^(news|event)$"),
    tag: str | None = Query(None, max_length=60, description="A tag's slug."),
    country: str | None = Query(None, min_length=2, max_length=2, description="ISO 3166-1."),
    partner: str | None = Query(None, max_length=80, description="An organisation's slug."),
) -> dict:
    """Public articles, newest first, in the language of ``Accept-Language`` (English where a
    translation is missing). An unknown tag or partner gives an empty list."""
    articles = selectors.published_articles()
    if tag:
        articles = articles.filter(tags__slug=tag)
    if partner:
        articles = articles.filter(partners__slug=partner)
    articles = selectors.filter_articles(articles, kind=kind or "", country=country or "")
    return paged(articles, page, _article)


@router.get(
    "/articles/{slug}",
    auth=None,
    response=_responses({200: ArticleDetailOut}, 404),
    summary="A public article",
)
def article_get(request: HttpRequest, slug: str) -> dict:
    """A public article with its text and images; drafts and scheduled articles answer 404."""
    article = selectors.published_articles().filter(slug=slug).first()
    if article is None:
        raise _not_found(_("article"))
    return _article_detail(article)


@router.get(
    "/cases",
    auth=None,
    response=_responses({200: CasePage}),
    summary="Published good-practice cases",
)
def case_list(
    request: HttpRequest,
    page: Query[PageParams],
    organisation: str | None = Query(None, max_length=80),
    country: str | None = Query(None, min_length=2, max_length=2),
    award: str | None = Query(None, pattern="^(nominee|winner)$"),
) -> dict:
    cases = selectors.published_cases()
    if organisation:
        cases = cases.filter(organisation__slug=organisation)
    cases = selectors.filter_cases(cases, country=country or "", award=award or "")
    return paged(cases, page, _case)


@router.get(
    "/cases/{slug}",
    auth=None,
    response=_responses({200: CaseDetailOut}, 404),
    summary="A published good-practice case",
)
def case_get(request: HttpRequest, slug: str) -> dict:
    case = selectors.published_cases().filter(slug=slug).first()
    if case is None:
        raise _not_found(_("case"))
    return _case_detail(case)


# --- Editors ----------------------------------------------------------------------------------


def _tags(slugs: list[str] | None) -> list[Tag] | None:
    if slugs is None:
        return None
    found = {t.slug: t for t in Tag.objects.filter(slug__in=slugs)}
    missing = sorted(set(slugs) - set(found))
    if missing:
        raise HttpError(400, _("Unknown tag: %(slugs)s.") % {"slugs": ", ".join(missing)})
    return [found[s] for s in dict.fromkeys(slugs)]


def _partners(slugs: list[str] | None) -> list[Organisation] | None:
    if slugs is None:
        return None
    found = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    missing = sorted(set(slugs) - set(found))
    if missing:
        raise HttpError(400, _("Unknown organisation: %(slugs)s.") % {"slugs": ", ".join(missing)})
    return [found[s] for s in dict.fromkeys(slugs)]


def _managed_article(article_id: UUID) -> Article:
    article = Article.objects.filter(uuid=article_id).first()
    if article is None:
        raise _not_found(_("article"))
    return article


@router.get(
    "/manage/articles",
    response=_responses({200: ManagedArticlePage}, 401, 403),
    summary="Every article, for editors",
)
def managed_article_list(
    request: HttpRequest,
    page: Query[PageParams],
    state: str | None = Query(None, pattern="^(draft|scheduled|published)$"),
) -> dict:
    """Drafts, scheduled and public articles, with every language as stored."""
    _editor(request)
    articles = selectors.articles_for_editors().prefetch_related("tags", "partners")
    if state:
        articles = [a for a in articles if a.state == state]
    return paged(articles, page, _managed)


@router.post(
    "/manage/articles",
    response=_responses({201: ManagedArticleOut}, 400, 401, 403, 409),
    summary="Write a draft article or event",
)
def managed_article_create(request: HttpRequest, data: ArticleIn) -> Status:
    """A new draft; publish or schedule it afterwards. 409 if the slug is taken."""
    _editor(request)
    with _refusals():
        article = services.article_create(
            slug=data.slug,
            kind=data.kind,
            title=data.title,
            summary=data.summary,
            body=data.body,
            tags=_tags(data.tags) or [],
            partners=_partners(data.partners) or [],
            countries=data.countries,
            event_type=data.event_type,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            time_zone=data.time_zone,
            place=data.place,
            actor=request.user,
        )
    return Status(201, _managed(article))


@router.get(
    "/manage/articles/{uuid:article_id}",
    response=_responses({200: ManagedArticleOut}, 401, 403, 404),
    summary="An article, for editors",
)
def managed_article_get(request: HttpRequest, article_id: UUID) -> dict:
    _editor(request)
    return _managed(_managed_article(article_id))


@router.patch(
    "/manage/articles/{uuid:article_id}",
    response=_responses({200: ManagedArticleOut}, 400, 401, 403, 404, 409),
    summary="Change an article",
)
def managed_article_update(request: HttpRequest, article_id: UUID, data: ArticlePatch) -> dict:
    """Changes only the fields sent; a language left out of a translated field is kept, an
    empty text clears it."""
    _editor(request)
    article = _managed_article(article_id)
    sent = data.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {
        key: value
        for key, value in sent.items()
        if key not in ("tags", "partners", "starts_at", "ends_at")
    }
    if "tags" in sent:
        changes["tags"] = _tags(sent["tags"] or [])
    if "partners" in sent:
        changes["partners"] = _partners(sent["partners"] or [])
    for moment in ("starts_at", "ends_at"):
        if moment in sent:
            changes[moment] = sent[moment]
    with _refusals():
        article = services.article_update(article=article, actor=request.user, **changes)
    return _managed(article)


@router.post(
    "/manage/articles/{uuid:article_id}/publish",
    response=_responses({200: ManagedArticleOut}, 400, 401, 403, 404, 409),
    summary="Publish or schedule an article",
)
def managed_article_publish(
    request: HttpRequest, article_id: UUID, data: PublishIn | None = None
) -> dict:
    """Publishes now, or at ``publish_at`` if given (a future moment with its time zone).
    409 if it is already public; 400 if it lacks its English summary or text."""
    _editor(request)
    article = _managed_article(article_id)
    with _refusals():
        if data is not None and data.publish_at is not None:
            article = services.article_schedule(
                article=article, publish_at=data.publish_at, actor=request.user
            )
        else:
            article = services.article_publish(article=article, actor=request.user)
    return _managed(article)


@router.post(
    "/manage/articles/{uuid:article_id}/unpublish",
    response=_responses({200: ManagedArticleOut}, 401, 403, 404, 409),
    summary="Take an article back to a draft",
)
def managed_article_unpublish(
    request: HttpRequest, article_id: UUID, data: UnpublishIn | None = None
) -> dict:
    _editor(request)
    article = _managed_article(article_id)
    with _refusals():
        article = services.article_unpublish(
            article=article, actor=request.user, reason=data.reason if data else ""
        )
    return _managed(article)


@router.post(
    "/manage/articles/{uuid:article_id}/images",
    response=_responses({201: NewsImageOut}, 400, 401, 403, 404),
    summary="Add an image to an article",
)
def managed_image_add(
    request: HttpRequest,
    article_id: UUID,
    file: File[UploadedFile],
    alt_en: Form[str],
    caption_en: Form[str] = "",
) -> Status:
    """A JPEG, PNG or WebP image (judged from its bytes), with its English text alternative;
    other languages of the text alternative are added on the editors' page."""
    _editor(request)
    article = _managed_article(article_id)
    with _refusals():
        image = services.article_image_add(
            article=article,
            upload=file,
            alt={"en": alt_en},
            caption={"en": caption_en},
            actor=request.user,
        )
    return Status(201, _image(image))


@router.get(
    "/manage/cases",
    response=_responses({200: OwnCasePage}, 401, 403),
    summary="Cases, for editors",
)
def managed_case_list(
    request: HttpRequest,
    page: Query[PageParams],
    waiting: bool = Query(True, description="Only the cases waiting for a review."),
) -> dict:
    _editor(request)
    cases = selectors.cases_to_review() if waiting else selectors.cases_for_editors()
    return paged(cases, page, _own_case)


@router.post(
    "/manage/cases/{uuid:case_id}/decision",
    response=_responses({200: OwnCaseOut}, 400, 401, 403, 404, 409),
    summary="Publish a case, ask for changes or reject it",
)
def managed_case_decide(request: HttpRequest, case_id: UUID, data: CaseDecisionIn) -> dict:
    """``comment`` is required to ask for changes or reject. 409 if the case is not waiting
    for a review."""
    _editor(request)
    case = Case.objects.filter(uuid=case_id).first()
    if case is None:
        raise _not_found(_("case"))
    with _refusals():
        if data.outcome == "publish":
            case = services.case_publish(
                case=case,
                actor=request.user,
                comment=data.comment,
                award=data.award,
                award_year=data.award_year,
            )
        elif data.outcome == "request_changes":
            case = services.case_request_changes(
                case=case, actor=request.user, comment=data.comment
            )
        else:
            case = services.case_reject(case=case, actor=request.user, comment=data.comment)
    return _own_case(case)


# --- Institutions' own cases ------------------------------------------------------------------


def _competences(ids: list[UUID] | None) -> list[Competence] | None:
    if ids is None:
        return None
    found = list(Competence.objects.filter(uuid__in=ids))
    if len(found) != len(set(ids)):
        raise HttpError(400, _("One of the competences does not exist."))
    return found


@router.get(
    "/my/cases",
    response=_responses({200: OwnCasePage}, 401, 403),
    summary="The cases of the organisations I administer",
)
def own_case_list(request: HttpRequest, page: Query[PageParams]) -> dict:
    _allowed(request, "view_own_cases", message=_("Only institution admins have cases here."))
    return paged(selectors.cases_of_submitter(request.user), page, _own_case)


@router.post(
    "/my/cases",
    response=_responses({201: OwnCaseOut}, 400, 401, 403, 404),
    summary="Submit a good-practice case",
)
def own_case_submit(request: HttpRequest, data: CaseIn) -> Status:
    """Shares a case for a member organisation the caller administers; the editors review it
    before it is published. Write title, summary and body in at least one language."""
    organisation = Organisation.objects.filter(slug=data.organisation).first()
    if organisation is None:
        raise _not_found(_("organisation"))
    _allowed(
        request,
        "submit_case",
        organisation,
        _("Only the admins of a member organisation submit cases for it."),
    )
    with _refusals():
        case = services.case_submit(
            organisation=organisation,
            actor=request.user,
            title=data.title,
            summary=data.summary,
            body=data.body,
            competences=_competences(data.competences) or [],
            award=data.award,
            award_year=data.award_year,
            comment=data.comment,
        )
    return Status(201, _own_case(case))


def _own(request: HttpRequest, case_id: UUID) -> Case:
    case = selectors.cases_of_submitter(request.user).filter(uuid=case_id).first()
    if case is None:
        raise _not_found(_("case"))
    return case


@router.get(
    "/my/cases/{uuid:case_id}",
    response=_responses({200: OwnCaseOut}, 401, 404),
    summary="One of my organisations' cases",
)
def own_case_get(request: HttpRequest, case_id: UUID) -> dict:
    return _own_case(_own(request, case_id))


@router.post(
    "/my/cases/{uuid:case_id}/resubmit",
    response=_responses({200: OwnCaseOut}, 400, 401, 403, 404, 409),
    summary="Resubmit a case returned for changes",
)
def own_case_resubmit(request: HttpRequest, case_id: UUID, data: CaseResubmitIn) -> dict:
    case = _own(request, case_id)
    _allowed(request, "resubmit_case", case)
    with _refusals():
        case = services.case_resubmit(
            case=case,
            actor=request.user,
            title=data.title,
            summary=data.summary,
            body=data.body,
            competences=_competences(data.competences),
            award=data.award,
            award_year=data.award_year,
            comment=data.comment,
        )
    return _own_case(case)
