"""Pages anyone may open: the network (its presidency, secretariat, National Centres and
members), the form to apply for membership, and the applicant's private status page, opened
by the link mailed to the primary contact."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors, services
from ..forms import JoinForm, ReplyForm, WithdrawForm
from ..models import AccessionApplication, Membership

# --- The network ------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 1990 <= year <= 2200 else timezone.localdate().year


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    years = selectors.network_years()
    year = _year(request)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    today = timezone.localdate()
    current = year == today.year
    centres = (
        selectors.national_centres_in_force(today)
        if current
        else selectors.national_centres_during(year)
    )
    counts = selectors.member_counts_by_subregion(year)
    return render(
        request,
        "network/overview.html",
        {
            "year": year,
            "years": years,
            "is_current_year": current,
            "secretariat": selectors.secretariat_of_year(year),
            "national_centres": centres,
            "member_counts": counts,
            "member_total": sum(n for _code, _label, n in counts),
        },
    )


# --- Applying ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisations_that_may_apply()
    form = JoinForm(request.POST or None, organisations=organisations)
    status = 200
    if request.method == "POST":
        # Floods are held back before this by the rate-limit middleware (``public-forms``).
        if not form.is_valid():
            status = 400
        else:
            data = form.cleaned_data
            try:
                application, _key = services.accession_submit(
                    organisation=data.get("organisation"),
                    proposed=form.proposed(),
                    membership_kind=data["membership_kind"],
                    contacts=form.contacts(),
                    motivation=data["motivation"],
                    intended_cooperation=data["intended_cooperation"],
                    language=data["language"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
                status = 400
            else:
                request.session["network_join_sent_to"] = form.contacts()[0].email
                request.session["network_join_name"] = application.organisation_name
                return redirect("network:join_done")
    return render(
        request,
        "network/join.html",
        {"form": form, "membership_kinds": Membership.Kind},
        status=status,
    )


@require_GET
def join_done(request: HttpRequest) -> HttpResponse:
    sent_to = request.session.get("network_join_sent_to")
    if not sent_to:
        return redirect("network:join")
    return render(
        request,
        "network/join_done.html",
        {"sent_to": sent_to, "name": request.session.get("network_join_name", "")},
    )


def _private(response: HttpResponse) -> HttpResponse:
    # The address holds the key: it must not leak through a Referer, a cache or a search engine.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_http_methods(["GET", "POST"])
def accession_status(request: HttpRequest, key: str) -> HttpResponse:
    """The applicant's page: the status, the thread, and the answer to a request."""
    application = selectors.accession_by_key(key)
    if application is None:
        raise Http404
    reply_form = ReplyForm(request.POST if request.POST.get("step") == "reply" else None)
    withdraw_form = WithdrawForm(request.POST if request.POST.get("step") == "withdraw" else None)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("step") == "reply" and reply_form.is_valid():
                services.accession_reply(
                    application=application, message=reply_form.cleaned_data["message"]
                )
                messages.success(request, _("Thank you: your answer is with the network office."))
                return _private(redirect("network:accession_status", key=key))
            if request.POST.get("step") == "withdraw" and withdraw_form.is_valid():
                services.accession_withdraw(
                    application=application, reason=withdraw_form.cleaned_data["reason"]
                )
                messages.success(request, _("Your application is withdrawn."))
                return _private(redirect("network:accession_status", key=key))
        except ValidationError as error:
            (reply_form if request.POST.get("step") == "reply" else withdraw_form).add_error(
                None, error.messages
            )
        status = 400
        application = selectors.accessions().get(pk=application.pk)
    return _private(
        render(
            request,
            "network/accession_status.html",
            {
                "application": application,
                "reply_form": reply_form,
                "withdraw_form": withdraw_form,
                "can_reply": application.status
                == AccessionApplication.Status.INFORMATION_REQUESTED,
            },
            status=status,
        )
    )


urlpatterns: list = [
    path("network/", overview, name="overview"),
    path("network/join/", join, name="join"),
    path("network/join/thanks/", join_done, name="join_done"),
    path("network/join/status/<str:key>/", accession_status, name="accession_status"),
]
