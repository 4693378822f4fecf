"""Pages of the network office (the programme's managers): accession applications, to ask
for more, approve or decline; National Centres and the yearly positions; and a partner's
timeline, which the partner's own admins read too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcert.accounts.models import User

from .. import selectors, services
from ..forms import EndCentreForm, NationalCentreForm, OfficeActionForm, PositionForm
from ..models import AccessionApplication, NationalCentre, NetworkPosition, Organisation

STATUS_FILTERS = ("open", *AccessionApplication.Status.values, "all")


def require(request: HttpRequest, perm: str, obj=None) -> None:
    """Deny (403) unless the rules grant ``perm`` on ``obj``."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


@login_required
@require_GET
def accession_list(request: HttpRequest) -> HttpResponse:
    require(request, "network.manage_accessions")
    shown = request.GET.get("status", "open")
    if shown not in STATUS_FILTERS:
        shown = "open"
    counts = selectors.accession_counts()
    return render(
        request,
        "network/office/accessions.html",
        {
            "applications": selectors.accessions_for_office(shown),
            "shown": shown,
            "statuses": AccessionApplication.Status.choices,
            "counts": counts,
            "open_count": sum(counts.get(s, 0) for s in AccessionApplication.OPEN_STATUSES),
        },
    )


def _done(application: AccessionApplication, action: str) -> str:
    if action == "approve":
        return _("%(organisation)s is a member now; its admin has been sent the welcome mail.") % {
            "organisation": application.organisation_name
        }
    if action == "decline":
        return _("The application is declined; the reasons have been mailed.")
    return _("Your request has been mailed to the applicant.")


@login_required
@require_http_methods(["GET", "POST"])
def accession_detail(request: HttpRequest, uuid) -> HttpResponse:
    require(request, "network.manage_accessions")
    application = selectors.accessions().filter(uuid=uuid).first()
    if application is None:
        raise Http404
    bound = request.method == "POST"
    form = OfficeActionForm(request.POST if bound else None)
    if bound:
        if form.is_valid():
            action, message = form.cleaned_data["action"], form.cleaned_data["message"]
            try:
                if action == "approve":
                    services.accession_approve(
                        application=application, actor=request.user, note=message
                    )
                elif action == "decline":
                    services.accession_decline(
                        application=application, reasons=message, actor=request.user
                    )
                else:
                    services.accession_request_information(
                        application=application, message=message, actor=request.user
                    )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                application.refresh_from_db()
                messages.success(request, _done(application, action))
                return redirect("network:accession_detail", uuid=application.uuid)
        application = selectors.accessions().get(pk=application.pk)
    failed_action = form.data.get("action") if bound else ""
    return render(
        request,
        "network/office/accession.html",
        {
            "application": application,
            "form": form,
            "failed_action": failed_action,
            "contacts": list(application.contacts.all()),
            "thread": list(application.messages.all()),
        },
        status=400 if bound else 200,
    )


@login_required
@require_GET
def partner_timeline(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404
    require(request, "network.view_partner_timeline", organisation)
    return render(
        request,
        "network/partner_timeline.html",
        {
            "organisation": organisation,
            "timeline": selectors.partner_timeline(organisation, viewer=request.user),
        },
    )


# --- National Centres -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def centres(request: HttpRequest) -> HttpResponse:
    """Every designation, past and present, and the form to designate a new one."""
    require(request, "network.manage_network")
    form = NationalCentreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.national_centre_designate(
                organisation=data["organisation"],
                agreement=data["agreement"],
                starts_on=data["starts_on"],
                ends_on=data.get("ends_on"),
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("%(organisation)s is designated National Centre.")
                % {"organisation": data["organisation"].name},
            )
            return redirect("network:centres")
    today = timezone.localdate()
    designations = list(
        NationalCentre.objects.select_related("organisation", "agreement").order_by(
            "country", "-starts_on"
        )
    )
    return render(
        request,
        "network/office/centres.html",
        {
            "rows": [
                {
                    "centre": c,
                    "in_force": c.in_force_on(today),
                    "form": EndCentreForm(prefix=f"end{c.pk}", initial={"on": today}),
                }
                for c in designations
            ],
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def centre_end(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "network.manage_network")
    designation = NationalCentre.objects.filter(pk=pk).first()
    if designation is None:
        raise Http404
    form = EndCentreForm(request.POST, prefix=f"end{pk}")
    if form.is_valid():
        try:
            services.national_centre_end(
                designation=designation,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The designation ends on the day given."))
    else:
        messages.error(request, _("Give the designation's last day as a date."))
    return redirect("network:centres")


# --- Positions --------------------------------------------------------------------------------


def _position_year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or "")
    except ValueError:
        return timezone.localdate().year
    return year if 1990 <= year <= 2200 else timezone.localdate().year


@login_required
@require_http_methods(["GET", "POST"])
def positions(request: HttpRequest) -> HttpResponse:
    """One year's presidency, secretariat and coordinators, and the form to appoint."""
    require(request, "network.manage_network")
    year = _position_year(request)
    form = PositionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = None
        if data.get("person"):
            person = User.objects.filter(email__iexact=data["person"]).first()
            if person is None:
                form.add_error("person", _("Nobody on the platform has this e-mail address."))
        if not form.errors:
            try:
                services.position_appoint(
                    year=year,
                    kind=data["kind"],
                    subregion=data.get("subregion", ""),
                    organisation=data["organisation"],
                    person=person,
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("The position is recorded."))
                return redirect(f"{reverse('network:positions')}?year={year}")
    years = sorted({*selectors.network_years(), year, year + 1}, reverse=True)
    return render(
        request,
        "network/office/positions.html",
        {
            "year": year,
            "years": years,
            "positions": selectors.positions_of_year(year),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def position_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, "network.manage_network")
    position = NetworkPosition.objects.select_related("organisation").filter(pk=pk).first()
    if position is None:
        raise Http404
    year = position.year
    services.position_remove(position=position, actor=request.user)
    messages.success(request, _("The position is removed."))
    return redirect(f"{reverse('network:positions')}?year={year}")


urlpatterns: list = [
    path("network/accessions/", accession_list, name="accessions"),
    path("network/accessions/<uuid:uuid>/", accession_detail, name="accession_detail"),
    path("network/members/<slug:slug>/timeline/", partner_timeline, name="partner_timeline"),
    path("network/centres/", centres, name="centres"),
    path("network/centres/<int:pk>/end/", centre_end, name="centre_end"),
    path("network/positions/", positions, name="positions"),
    path("network/positions/<int:pk>/remove/", position_remove, name="position_remove"),
]
