"""Public, read-only pages of the frameworks."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import CompetencyFramework


def framework_list(request: HttpRequest) -> HttpResponse:
    return render(request, "frameworks/list.html", {"frameworks": selectors.published_frameworks()})


def framework_detail(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    framework = get_object_or_404(
        CompetencyFramework,
        slug=slug,
        version=version,
        status__in=[CompetencyFramework.Status.PUBLISHED, CompetencyFramework.Status.RETIRED],
    )
    levels, areas = selectors.framework_tree(framework)
    return render(
        request,
        "frameworks/detail.html",
        {"framework": framework, "levels": levels, "areas": areas},
    )


def framework_current(request: HttpRequest, slug: str) -> HttpResponse:
    framework = selectors.current_framework(slug)
    if framework is None:
        raise Http404
    return framework_detail(request, slug, framework.version)
