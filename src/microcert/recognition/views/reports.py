"""Pages for the reports: the schemes a person may read, a scheme's report with its chart,
and the CSV and XLSX exports of the report and of the row-level ledger.

Query parameters (all optional): ``period`` (a day of the period, ISO, or ``all``; the current
period by default), ``by`` (the grouping) and ``institution`` (an organisation's slug, for one
institution's teachers). A parameter that means nothing gets a 400 page that says why.
``institution`` is for that institution's admins; national readers read national tables only.
"""

import re
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from microcert.accounts.roles import Role
from microcert.network import selectors as network_selectors
from microcert.network.models import Organisation

from .. import charts, exports, reports
from ..models import RecognitionScheme
from ..reports import ReportParameterError, Scope

SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")


def _administered_in(user, scheme: RecognitionScheme) -> list[Organisation]:
    """The institutions in the scheme's country whose admin the user is."""
    ids = network_selectors.organisation_ids_where(user, Role.INSTITUTION_ADMIN)
    if not ids:
        return []
    return list(Organisation.objects.filter(pk__in=ids, country=scheme.country).order_by("name"))


def _scheme(request: HttpRequest, slug: str) -> RecognitionScheme:
    """The scheme, if the user may read some report of it."""
    scheme = get_object_or_404(
        RecognitionScheme.objects.select_related("authority__organisation"), slug=slug
    )
    user = request.user
    if not (
        user.has_perm("recognition.view_national_report", scheme) or _administered_in(user, scheme)
    ):
        raise PermissionDenied
    return scheme


def _scope(request: HttpRequest, scheme: RecognitionScheme) -> Scope:
    period = reports.parse_period(scheme, request.GET.get("period"))
    user = request.user
    national = user.has_perm("recognition.view_national_report", scheme)
    slug = request.GET.get("institution", "").strip()
    if slug:
        if not SLUG.match(slug):
            raise ReportParameterError(_("“institution” must be the short name of an institution."))
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise ReportParameterError(
                _("There is no institution “%(slug)s”.") % {"slug": slug[:80]}
            )
        # Only the institution's own admins: for a national reader, one institution's report
        # grouped by level would be a cross-tabulation (institution x level) whose margins
        # they already have, and the small-group rule could be worked around by subtraction.
        if not user.has_perm("recognition.view_institution_report", organisation):
            raise PermissionDenied
        return Scope(scheme=scheme, period=period, organisation=organisation)
    if national:
        return Scope(scheme=scheme, period=period)
    return Scope(scheme=scheme, period=period, organisation=_administered_in(user, scheme)[0])


def _bad_request(request: HttpRequest, error: ReportParameterError, scheme=None) -> HttpResponse:
    return render(
        request,
        "recognition/reports/bad_request.html",
        {"message": error.message, "scheme": scheme},
        status=400,
    )


def _query(scope: Scope, dimension: str | None = None) -> str:
    params = {"period": scope.period_param}
    if dimension:
        params["by"] = dimension
    if scope.organisation is not None:
        params["institution"] = scope.organisation.slug
    return urlencode(params)


def _may_export_ledger(user, scope: Scope) -> bool:
    if user.has_perm("recognition.export_ledger", scope.scheme):
        return True
    return scope.organisation is not None and user.has_perm(
        "recognition.export_institution_ledger", scope.organisation
    )


@login_required
@require_safe
def report_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    administered = list(
        Organisation.objects.filter(
            pk__in=network_selectors.organisation_ids_where(user, Role.INSTITUTION_ADMIN)
        ).order_by("name")
    )
    entries = []
    for scheme in RecognitionScheme.objects.select_related("authority__organisation"):
        national = user.has_perm("recognition.view_national_report", scheme)
        mine = [o for o in administered if o.country == scheme.country]
        if national or mine:
            entries.append({"scheme": scheme, "national": national, "institutions": mine})
    if not entries and not user.has_perm("recognition.view_reports"):
        raise PermissionDenied
    return render(request, "recognition/reports/index.html", {"entries": entries})


@login_required
@require_safe
def report_detail(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = _scheme(request, slug)
    try:
        scope = _scope(request, scheme)
        dimension = reports.parse_dimension(request.GET.get("by"))
    except ReportParameterError as error:
        return _bad_request(request, error, scheme)
    report = reports.build_report(scope, dimension)
    periods = reports.periods_of(scheme)
    if scope.period is not None and scope.period not in periods:
        periods = sorted([*periods, scope.period], reverse=True)
    return render(
        request,
        "recognition/reports/report.html",
        {
            "scheme": scheme,
            "scope": scope,
            "report": report,
            "chart": charts.report_chart(report),
            "periods": periods,
            "dimensions": reports.Dimension.choices(),
            "query": _query(scope, dimension),
            "ledger_query": _query(scope),
            "may_export_ledger": _may_export_ledger(request.user, scope),
            "institutions": (
                _administered_in(request.user, scheme)
                if not request.user.has_perm("recognition.view_national_report", scheme)
                else []
            ),
        },
    )


@login_required
@require_safe
def report_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    scheme = _scheme(request, slug)
    try:
        scope = _scope(request, scheme)
        dimension = reports.parse_dimension(request.GET.get("by"))
    except ReportParameterError as error:
        return _bad_request(request, error, scheme)
    report = reports.build_report(scope, dimension)
    return exports.report_csv(report) if fmt == "csv" else exports.report_xlsx(report)


@login_required
@require_safe
def ledger_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    scheme = _scheme(request, slug)
    try:
        scope = _scope(request, scheme)
    except ReportParameterError as error:
        return _bad_request(request, error, scheme)
    if not _may_export_ledger(request.user, scope):
        raise PermissionDenied
    return exports.ledger_csv(scope) if fmt == "csv" else exports.ledger_xlsx(scope)


urlpatterns: list = [
    path("reports/", report_index, name="reports"),
    path("reports/<slug:slug>/", report_detail, name="report"),
    path("reports/<slug:slug>/export.csv", report_export, {"fmt": "csv"}, name="report_csv"),
    path("reports/<slug:slug>/export.xlsx", report_export, {"fmt": "xlsx"}, name="report_xlsx"),
    path("reports/<slug:slug>/ledger.csv", ledger_export, {"fmt": "csv"}, name="ledger_csv"),
    path("reports/<slug:slug>/ledger.xlsx", ledger_export, {"fmt": "xlsx"}, name="ledger_xlsx"),
]
