"""The editors' pages: write articles and events, publish or schedule them, add images, and
review the good-practice cases institutions submit.

Editors are the programme managers of the organisation that runs the programme. Anyone else
signed in gets 403 (their role does not allow it); nobody signed in is asked to sign in.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from microcert.core.i18n import CONTENT_LANGUAGES

from .. import selectors, services, text
from ..forms import ArticleForm, CaseReviewForm, ImageForm, ScheduleForm, language_name
from ..models import Article, ArticleImage, Case
from ..services import NewsError


def editors_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm("news.manage_news"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _messages(error: NewsError) -> str:
    return " ".join(error.messages)


@editors_only
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "news/manage/dashboard.html",
        {
            "articles": selectors.articles_for_editors(),
            "waiting": selectors.cases_to_review(),
            "cases": selectors.cases_for_editors().exclude(
                status__in=[Case.Status.SUBMITTED, Case.Status.RESUBMITTED]
            )[:30],
        },
    )


@editors_only
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(
        request.POST if request.method == "POST" else None,
        initial={"kind": request.GET.get("kind") or Article.Kind.NEWS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(
                slug=form.cleaned_data["slug"], actor=request.user, **form.service_arguments()
            )
        except NewsError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The draft is saved. Add images, then publish it."))
            return redirect("news:article_edit", uuid=article.uuid)
    return render(
        request,
        "news/manage/article_form.html",
        {"form": form, "article": None},
        status=400 if form.is_bound and form.errors else 200,
    )


def _render_edit(
    request: HttpRequest,
    article: Article,
    *,
    form: ArticleForm | None = None,
    schedule_form: ScheduleForm | None = None,
    image_form: ImageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "news/manage/article_form.html",
        {
            "article": article,
            "form": form or ArticleForm(initial=ArticleForm.initial_for(article)),
            "schedule_form": schedule_form
            or ScheduleForm(initial={"publish_at": article.publish_at}),
            "image_form": image_form or ImageForm(),
            "images": list(article.images.all()),
        },
        status=status,
    )


@editors_only
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, uuid) -> HttpResponse:
    article = get_object_or_404(Article, uuid=uuid)
    if request.method == "GET":
        return _render_edit(request, article)
    form = ArticleForm(request.POST)
    if form.is_valid():
        try:
            services.article_update(
                article=article,
                actor=request.user,
                slug=form.cleaned_data["slug"],
                **form.service_arguments(),
            )
        except NewsError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("news:article_edit", uuid=article.uuid)
    return _render_edit(request, article, form=form, status=400)


@editors_only
@require_POST
def article_publish(request: HttpRequest, uuid) -> HttpResponse:
    article = get_object_or_404(Article, uuid=uuid)
    try:
        services.article_publish(article=article, actor=request.user)
    except NewsError as error:
        messages.error(request, _messages(error))
    else:
        messages.success(request, _("The article is public."))
    return redirect("news:article_edit", uuid=article.uuid)


@editors_only
@require_POST
def article_schedule(request: HttpRequest, uuid) -> HttpResponse:
    article = get_object_or_404(Article, uuid=uuid)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.article_schedule(
                article=article, publish_at=form.cleaned_data["publish_at"], actor=request.user
            )
        except NewsError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The article is scheduled."))
            return redirect("news:article_edit", uuid=article.uuid)
    return _render_edit(request, article, schedule_form=form, status=400)


@editors_only
@require_POST
def article_unpublish(request: HttpRequest, uuid) -> HttpResponse:
    article = get_object_or_404(Article, uuid=uuid)
    try:
        services.article_unpublish(article=article, actor=request.user)
    except NewsError as error:
        messages.error(request, _messages(error))
    else:
        messages.success(request, _("The article is a draft again; only editors see it."))
    return redirect("news:article_edit", uuid=article.uuid)


@editors_only
@require_POST
def image_add(request: HttpRequest, uuid) -> HttpResponse:
    article = get_object_or_404(Article, uuid=uuid)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.article_image_add(
                article=article,
                upload=form.cleaned_data["file"],
                alt=form.translations("alt"),
                caption=form.translations("caption"),
                actor=request.user,
            )
        except NewsError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The image is added."))
            return redirect("news:article_edit", uuid=article.uuid)
    return _render_edit(request, article, image_form=form, status=400)


@editors_only
@require_POST
def image_remove(request: HttpRequest, uuid) -> HttpResponse:
    image = get_object_or_404(ArticleImage.objects.select_related("article"), uuid=uuid)
    article = image.article
    services.article_image_remove(image=image, actor=request.user)
    messages.success(request, _("The image is removed."))
    return redirect("news:article_edit", uuid=article.uuid)


# --- Reviewing cases --------------------------------------------------------------------------


@editors_only
@require_http_methods(["GET", "POST"])
def case_review(request: HttpRequest, uuid) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("organisation", "submitted_by"), uuid=uuid)
    waiting = case.status in (Case.Status.SUBMITTED, Case.Status.RESUBMITTED)
    form = None
    if waiting:
        form = CaseReviewForm(
            request.POST if request.method == "POST" else None,
            initial={"award": case.award, "award_year": case.award_year},
        )
    if request.method == "POST":
        if form is None:
            messages.info(request, _("This case is not waiting for a review."))
            return redirect("news:case_review", uuid=case.uuid)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["outcome"] == "publish":
                    services.case_publish(
                        case=case,
                        actor=request.user,
                        comment=data["comment"],
                        award=data["award"],
                        award_year=data["award_year"],
                    )
                    messages.success(request, _("The case is published in the library."))
                elif data["outcome"] == "request_changes":
                    services.case_request_changes(
                        case=case, actor=request.user, comment=data["comment"]
                    )
                    messages.success(request, _("The case is returned to the institution."))
                else:
                    services.case_reject(case=case, actor=request.user, comment=data["comment"])
                    messages.success(request, _("The case is rejected."))
            except NewsError as error:
                form.add_error(None, error)
            else:
                return redirect("news:manage")
    return render(
        request,
        "news/manage/case_review.html",
        {
            "case": case,
            "form": form,
            "history": selectors.case_history(case),
            "versions": _case_versions(case),
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _case_versions(case: Case) -> list[dict]:
    """Each language the case is written in, for the reviewer to read one after another."""
    return [
        {
            "language": language,
            "name": language_name(language),
            "title": text.raw(case, "title", language),
            "summary": text.raw(case, "summary", language),
            "body": text.raw(case, "body", language),
        }
        for language in CONTENT_LANGUAGES
        if any(text.raw(case, field, language) for field in ("title", "summary", "body"))
    ]


urlpatterns = [
    path("news/manage/", dashboard, name="manage"),
    path("news/manage/new/", article_new, name="article_new"),
    path("news/manage/<uuid:uuid>/", article_edit, name="article_edit"),
    path("news/manage/<uuid:uuid>/publish/", article_publish, name="article_publish"),
    path("news/manage/<uuid:uuid>/schedule/", article_schedule, name="article_schedule"),
    path("news/manage/<uuid:uuid>/unpublish/", article_unpublish, name="article_unpublish"),
    path("news/manage/<uuid:uuid>/images/", image_add, name="image_add"),
    path("news/manage/images/<uuid:uuid>/remove/", image_remove, name="image_remove"),
    path("news/manage/cases/<uuid:uuid>/", case_review, name="case_review"),
]
