"""Pages of privacy: the signed-in person's own (download my data, ask for erasure), and the
programme office's (requests waiting, carrying one out, exporting for a request received
by letter).

Thin: parse, authorise, call a service, render. A person only ever acts on their own
account here; the office pages need ``privacy.handle_requests`` (403 otherwise).
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcert.accounts.models import User

from . import selectors, services
from .forms import ErasureForm, OfficeErasureForm, OfficeExportForm
from .models import ErasureRequest


def _archive_response(person: User, actor: User, reason: str = "") -> FileResponse:
    archive = services.person_export_file(person=person, actor=actor, reason=reason)
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=f"microcert-data-{timezone.localdate():%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


# --- the person's own pages -------------------------------------------------------------------


@login_required
@require_GET
@never_cache
def mine(request: HttpRequest) -> HttpResponse:
    person = request.user
    return render(
        request,
        "privacy/mine.html",
        {"pending": selectors.pending_request_of(person)},
    )


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """The person's archive, made now and sent as a download."""
    return _archive_response(request.user, request.user)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def erase(request: HttpRequest) -> HttpResponse:
    person = request.user
    form = ErasureForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"].strip()
        reason = _("Asked by the person on their privacy page.")
        try:
            outcome = services.erasure_ask(
                person=person,
                actor=person,
                reason=f"{reason} {note}".strip(),
                revoke_credentials=form.cleaned_data["revoke_credentials"],
                channel=ErasureRequest.Channel.SELF,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if outcome.status == ErasureRequest.Status.DONE:
                logout(request)
                return redirect("privacy:erased")
            messages.warning(
                request,
                _(
                    "Your request is kept, but it cannot be carried out yet: see below what "
                    "must be settled first. The programme office sees it among the requests "
                    "waiting."
                ),
            )
            return redirect("privacy:mine")
    response = render(
        request,
        "privacy/erase.html",
        {"form": form, "blockers": selectors.erasure_blockers(person)},
        status=400 if form.errors else 200,
    )
    return _no_store(response)


@login_required
@require_POST
def withdraw(request: HttpRequest) -> HttpResponse:
    pending = selectors.pending_request_of(request.user)
    if pending is not None:
        services.erasure_request_withdraw(request=pending, actor=request.user)
        messages.success(request, _("Your erasure request is withdrawn; nothing was erased."))
    return redirect("privacy:mine")


@require_GET
def erased(request: HttpRequest) -> HttpResponse:
    """Where a person lands once their data is erased (they are signed out by then)."""
    return render(request, "privacy/erased.html")


# --- the programme office ---------------------------------------------------------------------


def _office(request: HttpRequest) -> None:
    if not request.user.has_perm("privacy.handle_requests"):
        raise PermissionDenied


def _office_page(
    request: HttpRequest,
    *,
    erase_form: OfficeErasureForm | None = None,
    export_form: OfficeExportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    pending = [
        (item, selectors.erasure_blockers(item.person)) for item in selectors.pending_requests()
    ]
    initial = {"person": request.GET.get("person", "")[:254]}
    response = render(
        request,
        "privacy/office.html",
        {
            "pending": pending,
            "recent": selectors.recent_erasures(),
            "erase_form": erase_form or OfficeErasureForm(initial=initial),
            "export_form": export_form or OfficeExportForm(),
        },
        status=status,
    )
    return _no_store(response)


@login_required
@require_GET
def office(request: HttpRequest) -> HttpResponse:
    _office(request)
    return _office_page(request)


@login_required
@require_POST
def office_erase(request: HttpRequest) -> HttpResponse:
    _office(request)
    form = OfficeErasureForm(request.POST)
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            done = services.person_erase(
                person=person,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                revoke_credentials=form.cleaned_data["revoke_credentials"],
                channel=ErasureRequest.Channel.OFFICE,
            )
        except services.ErasureRefused as refused:
            for message in refused.messages:
                form.add_error(None, message)
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            messages.success(
                request,
                _("The data was erased. The account is now %(pseudonym)s.")
                % {"pseudonym": done.pseudonym},
            )
            if person.pk == request.user.pk:
                logout(request)
                return redirect("privacy:erased")
            return redirect("privacy:office")
    return _office_page(request, erase_form=form, status=400)


@login_required
@require_POST
def office_export(request: HttpRequest) -> HttpResponse:
    _office(request)
    form = OfficeExportForm(request.POST)
    if not form.is_valid():
        return _office_page(request, export_form=form, status=400)
    return _archive_response(form.cleaned_data["person"], request.user, form.cleaned_data["reason"])
