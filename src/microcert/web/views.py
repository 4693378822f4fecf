"""Pages of the site. Thin: parse, authorise, call a selector or service, render."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from microcert.accounts import services as account_services
from microcert.accounts.models import PersonalToken, User
from microcert.network import selectors as network_selectors
from microcert.network.models import Organisation

from .forms import ProfileForm, TokenForm


def _require(request: HttpRequest, perm: str, obj=None) -> None:
    """Deny unless the rules grant ``perm`` on ``obj`` to this user."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/dashboard.html",
        {"affiliations": network_selectors.active_affiliations(request.user)},
    )


@login_required
def person_detail(request: HttpRequest, uuid) -> HttpResponse:
    person = get_object_or_404(User, uuid=uuid)
    _require(request, "accounts.view_person", person)
    return render(
        request,
        "web/person_detail.html",
        {
            "person": person,
            "emails": person.emailaddress_set.order_by("-primary", "email"),
            "name_changes": person.name_changes.all(),
            "affiliations": network_selectors.active_affiliations(person),
            "can_edit": request.user.has_perm("accounts.change_person", person),
        },
    )


@login_required
def person_edit(request: HttpRequest, uuid) -> HttpResponse:
    person = get_object_or_404(User, uuid=uuid)
    _require(request, "accounts.change_person", person)
    initial = {
        "display_name": person.display_name,
        "preferred_language": person.preferred_language,
        "legal_name": person.legal_name,
    }
    form = ProfileForm(request.POST or None, initial=initial, current_legal_name=person.legal_name)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                account_services.user_update_profile(
                    user=person,
                    display_name=data["display_name"],
                    preferred_language=data["preferred_language"],
                    actor=request.user,
                )
                account_services.user_change_legal_name(
                    user=person,
                    new_name=data["legal_name"],
                    reason=data["reason"],
                    actor=request.user,
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("web:person", uuid=person.uuid)
    return render(
        request,
        "web/person_edit.html",
        {"person": person, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in person's tokens for the REST API: make one (shown once), revoke one."""
    form = TokenForm(request.POST if request.POST.get("action") == "create" else None)
    new_token = ""
    if request.method == "POST" and request.POST.get("action") == "revoke":
        token = get_object_or_404(
            PersonalToken, pk=_int_or_404(request.POST.get("token")), person=request.user
        )
        account_services.personal_token_revoke(token=token, actor=request.user)
        messages.success(request, _("The token was revoked; programs using it are refused now."))
        return redirect("web:api_tokens")
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["days"]
        try:
            _token, new_token = account_services.personal_token_create(
                person=request.user,
                name=form.cleaned_data["name"],
                actor=request.user,
                expires_at=timezone.now() + datetime.timedelta(days=days) if days else None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenForm()
    response = render(
        request,
        "web/api_tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": PersonalToken.objects.filter(person=request.user),
        },
        status=400 if form.errors else 200,
    )
    # The page may show a secret: no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@login_required
def organisation_people(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    _require(request, "network.view_organisation_people", organisation)
    return render(
        request,
        "web/organisation_people.html",
        {
            "organisation": organisation,
            "people": network_selectors.people_of_organisation(organisation),
        },
    )


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
