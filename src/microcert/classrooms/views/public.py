"""The public registry: the list of public classrooms with filters, and a classroom's page
(its summary: host, sponsor, phase, dates, equipment by type and status, recent sessions with
the offerings they served). Serials and tickets are never shown here."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from .. import selectors
from ..forms import FilterForm
from . import visible_classroom


@require_GET
def classroom_list(request: HttpRequest) -> HttpResponse:
    countries, hosts = selectors.filter_choices()
    asked = {k: v for k, v in request.GET.items() if k in ("country", "host") and v}
    form = FilterForm(asked or None, countries=countries, hosts=hosts)
    classrooms = selectors.public_classrooms()
    if form.is_bound and form.is_valid():
        if form.cleaned_data["country"]:
            classrooms = classrooms.filter(host__country=form.cleaned_data["country"])
        if form.cleaned_data["host"]:
            classrooms = classrooms.filter(host__slug=form.cleaned_data["host"])
    refused = form.is_bound and bool(form.errors)
    mine = list(selectors.classrooms_for_staff(request.user))
    for classroom in mine:
        classroom.may_manage = request.user.has_perm("classrooms.manage_classroom", classroom)
        classroom.may_report = request.user.has_perm("classrooms.open_ticket", classroom)
    return render(
        request,
        "classrooms/list.html",
        {
            "form": form,
            # A refused filter shows nothing rather than everything under its heading.
            "classrooms": classrooms.none() if refused else classrooms,
            "filtered": bool(asked),
            "mine": mine,
        },
        status=400 if refused else 200,
    )


@require_GET
def classroom_detail(request: HttpRequest, slug: str) -> HttpResponse:
    classroom = visible_classroom(request, slug)
    user = request.user
    return render(
        request,
        "classrooms/detail.html",
        {
            "classroom": classroom,
            "summary": selectors.classroom_summary(classroom),
            "may_manage": user.has_perm("classrooms.manage_classroom", classroom),
            "may_report": user.has_perm("classrooms.open_ticket", classroom),
        },
    )


urlpatterns = [
    path("classrooms/", classroom_list, name="list"),
    path("classrooms/<slug:slug>/", classroom_detail, name="detail"),
]
