"""Pages of the credentials app: verification for anyone, the holder's credentials and their
sharing, and the issuer's list, status changes and bulk jobs.

Thin: parse, authorise (``rules.py``), call a service or selector, render. A private credential
is "not found" to anyone who may not see it, so its existence is not revealed.
"""

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from microcert.accounts.roles import Role
from microcert.network import selectors as network_selectors
from microcert.network.models import Organisation

from . import bulk, clr, openbadges, selectors, services, sharing, tasks, verification
from .forms import (
    BulkIssueForm,
    BulkRevokeForm,
    StatusChangeForm,
    VerifyForm,
    VisibilityForm,
)
from .models import BulkJob, IssuedCredential
from .pdf import render_certificate_pdf

logger = logging.getLogger(__name__)

MAX_EXCHANGE_BODY = 100_000
JSON_TYPES = {"application/json", "application/ld+json", "application/vp+ld+json"}
PAGE_SIZE = 50
SHOWN_JOB_ERRORS = 500


# --- helpers -----------------------------------------------------------------------------


def _credential(request: HttpRequest, uuid, perm: str | None = None) -> IssuedCredential:
    """The credential if this user may see it (404 otherwise) and hold ``perm`` (403)."""
    credential = selectors.credential_by_uuid(uuid)
    if credential is None or not request.user.has_perm("credentials.view_credential", credential):
        raise Http404
    if perm and not request.user.has_perm(perm, credential):
        raise PermissionDenied
    return credential


def _managed_organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not request.user.has_perm("credentials.manage_organisation_credentials", organisation):
        raise PermissionDenied
    return organisation


CHECK_LABELS = {
    "format": lambda: _("Format"),
    "schema": lambda: _("Open Badges 3.0 schema"),
    "proof": lambda: _("Signature"),
    "issuer": lambda: _("Issuer"),
    "validity": lambda: _("Validity period"),
    "status (revocation)": lambda: _("Revocation"),
    "status (suspension)": lambda: _("Suspension"),
    "status": lambda: _("Status"),
}


# What each failure code means, for the person reading the checks (the code itself is shown
# too: it is what the VC-API returns, and what a support request can quote).
REASON_LABELS = {
    verification.Reason.FORMAT_INVALID: lambda: _("Not a well-formed credential"),
    verification.Reason.SCHEMA_INVALID: lambda: _("Not valid against the Open Badges schema"),
    verification.Reason.PROOF_MISSING: lambda: _("Not signed"),
    verification.Reason.PROOF_INVALID: lambda: _("A proof of a kind that cannot be checked"),
    verification.Reason.SIGNATURE_INVALID: lambda: _("Changed after it was signed"),
    verification.Reason.DID_UNRESOLVABLE: lambda: _("The issuer's identity could not be found"),
    verification.Reason.KEY_UNKNOWN: lambda: _("Signed with a key the issuer does not list"),
    verification.Reason.KEY_RETIRED: lambda: _("Signed with a key after the issuer retired it"),
    verification.Reason.ISSUER_MISMATCH: lambda: _("Signed by someone other than the issuer"),
    verification.Reason.NOT_YET_VALID: lambda: _("Not valid yet"),
    verification.Reason.EXPIRED: lambda: _("Expired"),
    verification.Reason.REVOKED: lambda: _("Revoked"),
    verification.Reason.SUSPENDED: lambda: _("Suspended"),
    verification.Reason.STATUS_SET: lambda: _("A status is set"),
    verification.Reason.STATUS_UNAVAILABLE: lambda: _("The status list could not be read"),
    verification.Reason.STATUS_LIST_PURPOSE_MISMATCH: lambda: _(
        "The status list is for another purpose"
    ),
    verification.Reason.STATUS_LIST_ISSUER_MISMATCH: lambda: _(
        "The status list is not the issuer's"
    ),
    verification.Reason.STATUS_LIST_SIGNATURE_INVALID: lambda: _(
        "The status list was changed after it was signed"
    ),
    verification.Reason.STATUS_LIST_EXPIRED: lambda: _("The status list is out of date"),
    verification.Reason.STATUS_LIST_STALE: lambda: _("An older status list than one already seen"),
}


def _checks(result: verification.VerificationResult) -> list[dict]:
    rows = []
    for check in result.checks:
        label = CHECK_LABELS.get(check.name)
        reason = REASON_LABELS.get(check.code)
        rows.append(
            {
                "name": check.name,
                "label": label() if label else check.name,
                "passed": check.passed,
                "message": check.message,
                "code": check.code,
                "reason": reason() if reason and not check.passed else "",
            }
        )
    return rows


def _verdict(result: verification.VerificationResult, document: dict) -> str:
    """The one word a person needs first: verified, revoked, suspended, expired, not yet
    valid, tampered (the signature does not match the content), untrusted (a good signature
    by a key that is not the issuer's, or no longer is) or failed (anything else)."""
    if result.revoked:
        return "revoked"
    if result.suspended:
        return "suspended"
    if result.verified:
        return "verified"
    reasons = set(result.reasons)
    if verification.Reason.SIGNATURE_INVALID in reasons:
        return "tampered"
    if reasons & verification.UNTRUSTED_KEY_REASONS:
        return "untrusted"
    if reasons == {verification.Reason.EXPIRED}:
        return "expired"
    if reasons == {verification.Reason.NOT_YET_VALID}:
        return "not_yet_valid"
    return "failed"


def _verify(document: dict) -> verification.VerificationResult:
    """Verify a credential or a presentation; whatever goes wrong becomes a failed check."""
    try:
        if "VerifiablePresentation" in (document.get("type") or []):
            return verification.verify_presentation(document)
        return verification.verify_credential(document)
    except Exception as error:  # a public page must answer, whatever it was given
        logger.warning("verification failed unexpectedly: %s", error.__class__.__name__)
        result = verification.VerificationResult()
        result.add(
            "format",
            False,
            _("The credential could not be processed (%(error)s).")
            % {"error": error.__class__.__name__},
        )
        return result


def _claimed(document: dict) -> dict:
    """What a pasted credential says about itself (unverified, shown as such)."""
    issuer = document.get("issuer")
    issuer_name = issuer.get("name") if isinstance(issuer, dict) else None
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    name = document.get("name")
    return {
        "id": document.get("id") if isinstance(document.get("id"), str) else "",
        "name": name if isinstance(name, str) else "",
        "issuer": issuer_name if isinstance(issuer_name, str) else "",
        "issuer_id": issuer_id if isinstance(issuer_id, str) else "",
        "valid_from": openbadges.parse_datetime(document.get("validFrom")),
        "valid_until": openbadges.parse_datetime(document.get("validUntil")),
    }


def _own_credential(document: dict, user) -> IssuedCredential | None:
    """The credential on this platform a pasted document is, if its page may be shown."""
    credential_id = document.get("id")
    if not isinstance(credential_id, str) or not credential_id.startswith("urn:uuid:"):
        return None
    try:
        credential = selectors.credential_by_uuid(credential_id.removeprefix("urn:uuid:"))
    except ValidationError:
        return None
    if credential and user.has_perm("credentials.view_credential", credential):
        return credential
    return None


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _managed_organisations(user) -> list[Organisation]:
    if not user.is_authenticated:
        return []
    ids = network_selectors.organisation_ids_where(
        user, Role.INSTITUTION_ADMIN
    ) | network_selectors.organisation_ids_where(user, Role.PROGRAMME_MANAGER)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


# --- anyone ------------------------------------------------------------------------------


def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["document"]
        result = _verify(document)
        context.update(
            result=result,
            verdict=_verdict(result, document),
            checks=_checks(result),
            claimed=_claimed(document),
            own=_own_credential(document, request.user),
        )
    return render(request, "credentials/verify.html", context, status=400 if form.errors else 200)


def detail(request: HttpRequest, uuid) -> HttpResponse:
    credential = _credential(request, uuid)
    summary = sharing.summarise(credential)
    result = _verify(credential.document)
    visible_parts = {
        str(part.uuid)
        for part in credential.components.all()
        if request.user.has_perm("credentials.view_credential", part)
    }
    response = render(
        request,
        "credentials/detail.html",
        {
            "credential": credential,
            "summary": summary,
            "recipient_name": sharing.recipient_name(credential),
            "result": result,
            "verdict": _verdict(result, credential.document),
            "checks": _checks(result),
            "visible_parts": visible_parts,
            "is_holder": request.user.has_perm("credentials.hold_credential", credential),
            "can_manage": request.user.has_perm("credentials.change_credential_status", credential),
            "page_url": sharing.page_url(credential),
        },
    )
    if not credential.is_public:
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "private, no-store"
    return response


def credential_json(request: HttpRequest, uuid) -> HttpResponse:
    credential = _credential(request, uuid)
    response = JsonResponse(
        credential.document, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="credential-{credential.uuid}.json"'
    if not credential.is_public:
        response["Cache-Control"] = "private, no-store"
    return response


# --- the holder --------------------------------------------------------------------------


@login_required
def certificate_pdf(request: HttpRequest, uuid) -> HttpResponse:
    credential = _credential(request, uuid, "credentials.download_certificate")
    pdf = render_certificate_pdf(sharing.certificate_view(credential))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{sharing.certificate_file_name(credential)}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_credentials(request: HttpRequest) -> HttpResponse:
    rows = []
    for credential in selectors.credentials_of(request.user).prefetch_related("components"):
        summary = sharing.summarise(credential)
        rows.append(
            {
                "credential": credential,
                "summary": summary,
                "linkedin_url": sharing.linkedin_url(credential),
            }
        )
    return render(
        request,
        "credentials/my_credentials.html",
        {
            "rows": rows,
            "organisations": _managed_organisations(request.user),
            "transcript_signed": clr.clr_context_available(),
        },
    )


@login_required
@require_POST
def set_visibility(request: HttpRequest, uuid) -> HttpResponse:
    credential = _credential(request, uuid, "credentials.hold_credential")
    form = VisibilityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose public or private."))
    else:
        is_public = form.cleaned_data["is_public"]
        services.credential_set_visibility(
            credential=credential, actor=request.user, is_public=is_public
        )
        messages.success(
            request,
            _("Anyone with the link can now see and verify this credential.")
            if is_public
            else _("The credential's page is now private: only you and its issuer see it."),
        )
    return redirect(_safe_next(request, reverse("credentials:mine")))


@login_required
@never_cache
def wallet(request: HttpRequest, uuid) -> HttpResponse:
    credential = _credential(request, uuid, "credentials.hold_credential")
    revoked = credential.status == IssuedCredential.Status.REVOKED
    return render(
        request,
        "credentials/wallet.html",
        {
            "credential": credential,
            "summary": sharing.summarise(credential),
            "offer": None if revoked else sharing.wallet_offer(credential),
            "minutes": sharing.EXCHANGE_MAX_AGE_SECONDS // 60,
        },
    )


@csrf_exempt
@never_cache
def exchange(request: HttpRequest, uuid, token: str) -> HttpResponse:
    """The VC-API exchange a wallet calls: POST with the challenge, get the credential."""
    if request.method != "POST":
        response = JsonResponse({"error": _("Use POST.")}, status=405)
        response["Allow"] = "POST"
        return response
    credential = IssuedCredential.objects.filter(uuid=uuid).first()
    if credential is None:
        return JsonResponse({"error": _("Unknown exchange.")}, status=404)
    if len(request.body) > MAX_EXCHANGE_BODY:
        return JsonResponse({"error": _("The request is too large.")}, status=413)
    presentation = None
    if request.content_type in JSON_TYPES and request.body.strip():
        try:
            body = json.loads(request.body)
        except (ValueError, RecursionError):
            return JsonResponse({"error": _("The body is not JSON.")}, status=400)
        presentation = body.get("verifiablePresentation", body) if isinstance(body, dict) else None
    try:
        document = sharing.wallet_exchange(
            credential=credential,
            token=token,
            authorization=request.headers.get("Authorization", ""),
            presentation=presentation,
        )
    except sharing.ExchangeError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@login_required
def transcript(request: HttpRequest) -> HttpResponse:
    try:
        result = clr.transcript_issue(learner=request.user, actor=request.user)
    except clr.TranscriptError as error:
        return JsonResponse({"error": str(error)}, status=409)
    response = JsonResponse(result.document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="transcript.json"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the issuer --------------------------------------------------------------------------


@login_required
def organisation_credentials(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _managed_organisation(request, slug)
    status = request.GET.get("status", "")
    credentials = selectors.credentials_issued_by(organisation)
    if status in IssuedCredential.Status.values:
        credentials = credentials.filter(status=status)
    else:
        status = ""
    page = Paginator(credentials, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"credential": c, "title": sharing.title(c), "recipient": c.recipient}
        for c in page.object_list
    ]
    return render(
        request,
        "credentials/organisation_credentials.html",
        {
            "organisation": organisation,
            "rows": rows,
            "page": page,
            "status": status,
            "statuses": IssuedCredential.Status.choices,
            "jobs": BulkJob.objects.filter(issuer__organisation=organisation)
            .select_related("created_by")
            .order_by("-created_at")[:10],
        },
    )


def _allowed_actions(credential: IssuedCredential) -> list[str]:
    actions = []
    if credential.status == IssuedCredential.Status.ACTIVE and credential.suspension_list_id:
        actions.append(StatusChangeForm.SUSPEND)
    if credential.status == IssuedCredential.Status.SUSPENDED:
        actions.append(StatusChangeForm.REINSTATE)
    if credential.status != IssuedCredential.Status.REVOKED:
        actions.append(StatusChangeForm.REVOKE)
    return actions


STATUS_SERVICES = {
    StatusChangeForm.REVOKE: services.credential_revoke,
    StatusChangeForm.SUSPEND: services.credential_suspend,
    StatusChangeForm.REINSTATE: services.credential_reinstate,
}


@login_required
def change_status(request: HttpRequest, uuid) -> HttpResponse:
    credential = _credential(request, uuid, "credentials.change_credential_status")
    allowed = _allowed_actions(credential)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {name: StatusChangeForm(prefix=name) for name in allowed}
    failed = False
    if action is not None:
        if action not in allowed:
            failed = True
            messages.error(request, _("This change is not possible for this credential now."))
        else:
            form = forms[action] = StatusChangeForm(request.POST, prefix=action)
            if form.is_valid():
                try:
                    STATUS_SERVICES[action](
                        credential=credential,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        {
                            StatusChangeForm.REVOKE: _("The credential was revoked."),
                            StatusChangeForm.SUSPEND: _("The credential was suspended."),
                            StatusChangeForm.REINSTATE: _("The credential was reinstated."),
                        }[action],
                    )
                    return redirect(
                        "credentials:organisation",
                        slug=credential.issuer.organisation.slug,
                    )
            failed = True
    return render(
        request,
        "credentials/change_status.html",
        {
            "credential": credential,
            "summary": sharing.summarise(credential),
            "recipient_name": sharing.recipient_name(credential),
            "forms": [(name, forms[name]) for name in allowed],
        },
        status=400 if failed else 200,
    )


def _bulk_upload(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    organisation = _managed_organisation(request, slug)
    form_class = BulkIssueForm if kind == BulkJob.Kind.ISSUE else BulkRevokeForm
    form = form_class(request.POST, request.FILES) if request.method == "POST" else form_class()
    if request.method == "POST" and form.is_valid():
        if kind == BulkJob.Kind.ISSUE:
            issuer = services.issuer_ensure(organisation=organisation, actor=request.user)
        else:
            issuer = selectors.issuer_of(organisation)
        if issuer is None:
            form.add_error(
                None, _("%(name)s has not issued any credential.") % {"name": organisation.name}
            )
        else:
            job = bulk.bulk_job_create(
                kind=kind,
                issuer=issuer,
                actor=request.user,
                file_name=form.cleaned_data["file"].name,
                rows=form.upload.rows,
                reason=form.cleaned_data.get("reason", ""),
            )
            tasks.enqueue_bulk_job(job)
            return redirect("credentials:bulk_job", uuid=job.uuid)
    return render(
        request,
        "credentials/bulk_upload.html",
        {"organisation": organisation, "form": form, "kind": kind},
        status=400 if form.errors else 200,
    )


@login_required
def bulk_issue(request: HttpRequest, slug: str) -> HttpResponse:
    return _bulk_upload(request, slug, BulkJob.Kind.ISSUE)


@login_required
def bulk_revoke(request: HttpRequest, slug: str) -> HttpResponse:
    return _bulk_upload(request, slug, BulkJob.Kind.REVOKE)


@login_required
def bulk_job(request: HttpRequest, uuid) -> HttpResponse:
    job = get_object_or_404(
        BulkJob.objects.select_related("issuer__organisation", "created_by"), uuid=uuid
    )
    if not request.user.has_perm("credentials.view_bulk_job", job):
        raise PermissionDenied
    running = job.state in (BulkJob.State.QUEUED, BulkJob.State.RUNNING)
    response = render(
        request,
        "credentials/bulk_job.html",
        {
            "job": job,
            "organisation": job.issuer.organisation,
            "running": running,
            "errors": job.errors[:SHOWN_JOB_ERRORS],
            "more_errors": max(0, len(job.errors) - SHOWN_JOB_ERRORS),
            "summary": bulk.outcome_summary(job),
        },
    )
    response["Cache-Control"] = "no-store"
    return response
