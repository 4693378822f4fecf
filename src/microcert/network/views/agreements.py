"""Agreement pages: the programme's managers and the parties' admins read an agreement's
lifecycle, documents and cooperation items. Managers move the lifecycle and add items; the
parties' admins upload documents and report progress on the items their organisation owns.

What the caller may not read answers 404, like what does not exist; what they may read but
not change answers 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import selectors, services
from ..forms import AgreementForm, AgreementTransitionForm, DocumentForm, ItemForm, ItemStatusForm
from ..models import Agreement, AgreementDocument, CooperationItem
from .office import require

# The lifecycle as it is drawn: the path to "in force", then the ways it ends.
LIFECYCLE = (
    Agreement.Status.DRAFT,
    Agreement.Status.SIGNED,
    Agreement.Status.IN_FORCE,
    Agreement.Status.EXPIRED,
    Agreement.Status.TERMINATED,
)


@login_required
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    require(request, "network.view_agreements")
    today = timezone.localdate()
    agreements = selectors.agreements_visible_to(request.user).order_by("-signed_on", "reference")
    rows = [
        {
            "agreement": agreement,
            "overdue": sum(1 for item in agreement.items.all() if item.is_overdue_on(today)),
        }
        for agreement in agreements
    ]
    return render(
        request,
        "network/agreements/list.html",
        {"rows": rows, "may_add": request.user.has_perm("network.add_agreement")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request: HttpRequest) -> HttpResponse:
    """A new agreement starts as a draft between its parties."""
    require(request, "network.add_agreement")
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        language = request.LANGUAGE_CODE
        try:
            agreement = services.agreement_create(
                reference=data["reference"],
                kind=data["kind"],
                title={"en": data["title"], language: data["title"]},
                summary={"en": data["summary"], language: data["summary"]},
                parties=list(data["parties"]),
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The agreement is recorded as a draft."))
            return redirect("network:agreement", uuid=agreement.uuid)
    return render(
        request,
        "network/agreements/new.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _visible(request: HttpRequest, uuid) -> Agreement:
    agreement = selectors.agreement_for_page(uuid)
    if agreement is None or not request.user.has_perm("network.read_agreement", agreement):
        raise Http404
    return agreement


def _allowed_transitions(agreement: Agreement) -> list[tuple[str, str]]:
    following = services.agreement_next_statuses(agreement)
    return [(status.value, status.label) for status in LIFECYCLE if status in following]


def _lifecycle_steps(agreement: Agreement) -> list[dict]:
    """The stages with their dates, marking those reached and the present one."""
    drafted = timezone.localdate(agreement.created_at)
    dates = {
        # A memorandum recorded after it was signed has no draft date worth showing.
        Agreement.Status.DRAFT: drafted
        if agreement.signed_on is None or drafted <= agreement.signed_on
        else None,
        Agreement.Status.SIGNED: agreement.signed_on,
        Agreement.Status.IN_FORCE: agreement.effective_from,
    }
    ended = agreement.status in (Agreement.Status.EXPIRED, Agreement.Status.TERMINATED)
    steps = []
    for status in LIFECYCLE[:3]:
        steps.append(
            {
                "status": status.value,
                "label": status.label,
                "on": dates[status],
                "reached": bool(dates[status])
                or status == agreement.status
                or (status == Agreement.Status.DRAFT and agreement.status != status),
                "current": status == agreement.status,
            }
        )
    last = Agreement.Status(agreement.status) if ended else Agreement.Status.EXPIRED
    steps.append(
        {
            "status": last.value,
            "label": last.label if ended else _("Expires"),
            "on": agreement.expires_on,
            "reached": ended,
            "current": ended,
        }
    )
    return steps


def _render(request: HttpRequest, agreement: Agreement, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    items = list(agreement.items.all())
    item_rows = [
        {
            "item": item,
            "overdue": item.is_overdue_on(today),
            "may_change": user.has_perm("network.change_cooperation_item_status", item),
            "form": forms.get(f"item_{item.pk}")
            or ItemStatusForm(initial={"status": item.status}, prefix=f"item{item.pk}"),
        }
        for item in items
    ]
    may_transition = user.has_perm("network.change_agreement_status", agreement)
    allowed = _allowed_transitions(agreement)
    context = {
        "agreement": agreement,
        "parties": list(agreement.parties.all()),
        "steps": _lifecycle_steps(agreement),
        "documents": list(agreement.documents.all()),
        "item_rows": item_rows,
        "overdue_count": sum(1 for row in item_rows if row["overdue"]),
        "designations": list(agreement.national_centre_designations.all()),
        "may_transition": may_transition and bool(allowed),
        "may_upload": user.has_perm("network.add_agreement_document", agreement),
        "may_remove_documents": user.has_perm("network.remove_agreement_document", agreement),
        "may_add_item": user.has_perm("network.add_cooperation_item", agreement),
        "transition_form": forms.get("transition")
        or AgreementTransitionForm(allowed=allowed, initial={"on": today}),
        "document_form": forms.get("document") or DocumentForm(),
        "item_form": forms.get("item") or ItemForm(agreement=agreement),
    }
    return render(request, "network/agreements/detail.html", context, status=status)


@login_required
@require_GET
def agreement_detail(request: HttpRequest, uuid) -> HttpResponse:
    return _render(request, _visible(request, uuid))


def _back(agreement: Agreement, anchor: str) -> HttpResponse:
    response = redirect("network:agreement", uuid=agreement.uuid)
    response["Location"] += f"#{anchor}"
    return response


@login_required
@require_POST
def agreement_transition(request: HttpRequest, uuid) -> HttpResponse:
    agreement = _visible(request, uuid)
    require(request, "network.change_agreement_status", agreement)
    form = AgreementTransitionForm(request.POST, allowed=_allowed_transitions(agreement))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_transition(
                agreement=agreement,
                status=data["status"],
                on=data["on"],
                expires_on=data.get("expires_on"),
                reason=data.get("reason", ""),
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("The agreement is now %(status)s.")
                % {"status": str(Agreement.Status(data["status"]).label).lower()},
            )
            return _back(agreement, "lifecycle")
    return _render(request, _visible(request, uuid), 400, transition=form)


@login_required
@require_POST
def document_add(request: HttpRequest, uuid) -> HttpResponse:
    agreement = _visible(request, uuid)
    require(request, "network.add_agreement_document", agreement)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.agreement_document_add(
                agreement=agreement,
                upload=data["file"],
                title=data["title"],
                kind=data["kind"],
                language=data["language"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(request, _("The document is attached."))
            return _back(agreement, "documents")
    return _render(request, _visible(request, uuid), 400, document=form)


def _document(request: HttpRequest, uuid, document_uuid) -> tuple[Agreement, AgreementDocument]:
    agreement = _visible(request, uuid)
    document = AgreementDocument.objects.filter(agreement=agreement, uuid=document_uuid).first()
    if document is None:
        raise Http404
    return agreement, document


def document_response(document: AgreementDocument) -> FileResponse:
    """A document, always as a download: whatever it holds is never shown inline."""
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    extension = document.file.name.rsplit(".", 1)[-1]
    name = document.original_name or f"{document.title}.{extension}"
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def document_download(request: HttpRequest, uuid, document_uuid) -> FileResponse:
    _agreement, document = _document(request, uuid, document_uuid)
    return document_response(document)


@login_required
@require_POST
def document_remove(request: HttpRequest, uuid, document_uuid) -> HttpResponse:
    agreement, document = _document(request, uuid, document_uuid)
    require(request, "network.remove_agreement_document", agreement)
    services.agreement_document_remove(document=document, actor=request.user)
    messages.success(request, _("The document is removed."))
    return _back(agreement, "documents")


@login_required
@require_POST
def item_add(request: HttpRequest, uuid) -> HttpResponse:
    agreement = _visible(request, uuid)
    require(request, "network.add_cooperation_item", agreement)
    form = ItemForm(request.POST, agreement=agreement)
    if form.is_valid():
        data = form.cleaned_data
        language = request.LANGUAGE_CODE
        title = {"en": data["title"], language: data["title"]}
        description = {"en": data["description"], language: data["description"]}
        try:
            services.cooperation_item_add(
                agreement=agreement,
                kind=data["kind"],
                title=title,
                description=description,
                owner=data.get("owner"),
                due_on=data.get("due_on"),
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The cooperation item is added."))
            return _back(agreement, "items")
    return _render(request, _visible(request, uuid), 400, item=form)


@login_required
@require_http_methods(["POST"])
def item_status(request: HttpRequest, uuid, item_id: int) -> HttpResponse:
    agreement = _visible(request, uuid)
    item = CooperationItem.objects.filter(agreement=agreement, pk=item_id).first()
    if item is None:
        raise Http404
    require(request, "network.change_cooperation_item_status", item)
    form = ItemStatusForm(request.POST, prefix=f"item{item.pk}")
    if form.is_valid():
        item = services.cooperation_item_set_status(
            item=item,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data.get("reason", ""),
            actor=request.user,
        )
        messages.success(
            request,
            _("“%(title)s” is now %(status)s.")
            % {"title": item.title, "status": str(item.get_status_display()).lower()},
        )
        return _back(agreement, f"item-{item.pk}")
    return _render(request, _visible(request, uuid), 400, **{f"item_{item.pk}": form})


urlpatterns: list = [
    path("network/agreements/", agreement_list, name="agreements"),
    path("network/agreements/new/", agreement_new, name="agreement_new"),
    path("network/agreements/<uuid:uuid>/", agreement_detail, name="agreement"),
    path(
        "network/agreements/<uuid:uuid>/status/",
        agreement_transition,
        name="agreement_transition",
    ),
    path("network/agreements/<uuid:uuid>/documents/", document_add, name="document_add"),
    path(
        "network/agreements/<uuid:uuid>/documents/<uuid:document_uuid>/",
        document_download,
        name="document",
    ),
    path(
        "network/agreements/<uuid:uuid>/documents/<uuid:document_uuid>/remove/",
        document_remove,
        name="document_remove",
    ),
    path("network/agreements/<uuid:uuid>/items/", item_add, name="item_add"),
    path(
        "network/agreements/<uuid:uuid>/items/<int:item_id>/status/",
        item_status,
        name="item_status",
    ),
]
