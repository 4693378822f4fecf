"""Public pages: the news list with its filters, an article, the events, the case library and
a case, and the images of articles. What the reader may not see answers 404, exactly like what
does not exist (a draft, a scheduled article before its moment, a case under review)."""

from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from microcert.frameworks.models import Competence
from microcert.network.models import Organisation

from .. import selectors
from ..forms import ArticleFilterForm, CaseFilterForm
from ..models import Article, ArticleImage, Case, Tag

PAGE_SIZE = 10


def paginate(request: HttpRequest, items, size: int = PAGE_SIZE) -> tuple[Page, dict]:
    """One page of ``items`` (a wrong page number gives the nearest page) and the links to the
    others, keeping the request's filters."""
    page = Paginator(items, size).get_page(request.GET.get("page"))
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}

    def link(number: int) -> str:
        return "?" + urlencode({**kept, "page": number})

    links = {
        "numbers": [
            {"number": n, "url": link(n), "current": n == page.number}
            for n in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            if isinstance(n, int)
        ],
        "previous": link(page.previous_page_number()) if page.has_previous() else "",
        "next": link(page.next_page_number()) if page.has_next() else "",
    }
    return page, links


@require_safe
def article_list(request: HttpRequest) -> HttpResponse:
    form = ArticleFilterForm(
        request.GET or None,
        tags=selectors.tags_in_use(),
        countries=selectors.countries_in_use(),
        partners=selectors.partners_in_use(),
    )
    articles = selectors.published_articles()
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            articles = selectors.filter_articles(
                articles,
                kind=data["kind"],
                tag=Tag.objects.filter(slug=data["tag"]).first() if data["tag"] else None,
                country=data["country"],
                partner=(
                    Organisation.objects.filter(slug=data["partner"]).first()
                    if data["partner"]
                    else None
                ),
            )
        else:
            # A filter that names nothing we know: say so, and show nothing rather than
            # everything under a heading that claims a filter.
            articles = articles.none()
            status = 400
    page, links = paginate(request, articles)
    return render(
        request,
        "news/list.html",
        {"form": form, "page": page, "links": links, "articles": page.object_list},
        status=status,
    )


@require_safe
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = (
        Article.objects.filter(slug=slug)
        .select_related("author")
        .prefetch_related("images", "tags", "partners")
        .first()
    )
    if article is None or not request.user.has_perm("news.read_article", article):
        raise Http404
    may_edit = request.user.has_perm("news.edit_article", article)
    return render(
        request,
        "news/article.html",
        {"article": article, "images": list(article.images.all()), "may_edit": may_edit},
    )


@require_safe
def events(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    past, links = paginate(request, selectors.past_events(now))
    return render(
        request,
        "news/events.html",
        {"upcoming": selectors.upcoming_events(now), "past": past, "links": links},
    )


@require_safe
def image(request: HttpRequest, uuid, extension: str) -> FileResponse:
    """An article's image, served by the platform itself: to anyone once the article is
    public, to editors before. Never sniffed, never run as anything but an image."""
    found = ArticleImage.objects.select_related("article").filter(uuid=uuid).first()
    if (
        found is None
        or found.extension != extension
        or not request.user.has_perm("news.read_article_image", found.article)
    ):
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=found.content_type)
    response["Content-Disposition"] = f'inline; filename="{found.uuid}.{found.extension}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    public = found.article.is_public()
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response


# --- Cases ------------------------------------------------------------------------------------


@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    published = selectors.published_cases()
    competences = (
        Competence.objects.filter(pk__in=published.values("competences"))
        .select_related("framework")
        .order_by("framework__slug", "area__position", "position")
    )
    form = CaseFilterForm(
        request.GET or None,
        organisations=selectors.case_organisations_in_use(),
        competences=competences,
    )
    cases = published
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            competence = (
                competences.filter(uuid=data["competence"]).first() if data["competence"] else None
            )
            cases = selectors.filter_cases(
                cases,
                organisation=(
                    Organisation.objects.filter(slug=data["organisation"]).first()
                    if data["organisation"]
                    else None
                ),
                country=data["country"],
                award=data["award"],
                competence_ids=[competence.pk] if competence else [],
            )
        else:
            cases = cases.none()
            status = 400
    page, links = paginate(request, cases)
    return render(
        request,
        "news/cases.html",
        {
            "form": form,
            "page": page,
            "links": links,
            "cases": page.object_list,
            "may_submit": selectors.submitting_organisations(request.user).exists(),
        },
        status=status,
    )


@require_safe
def case_detail(request: HttpRequest, slug: str) -> HttpResponse:
    case = (
        Case.objects.filter(slug=slug)
        .select_related("organisation")
        .prefetch_related("competences__framework")
        .first()
    )
    if case is None or not request.user.has_perm("news.read_case", case):
        raise Http404
    return render(
        request,
        "news/case.html",
        {
            "case": case,
            "may_review": request.user.has_perm("news.review_case", case),
            "is_submitter": request.user.has_perm("news.resubmit_case", case),
        },
    )


urlpatterns = [
    path("news/", article_list, name="list"),
    path("news/images/<uuid:uuid>.<str:extension>", image, name="image"),
    path("events/", events, name="events"),
    path("cases/", case_list, name="cases"),
]

# After every fixed address under news/ and cases/ (see ``urls.py``).
detail_urlpatterns = [
    path("news/<slug:slug>/", article_detail, name="article"),
    path("cases/<slug:slug>/", case_detail, name="case"),
]
