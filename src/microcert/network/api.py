"""The partner network as a REST API, mounted under ``/api/v1/network/``.

Thin like the pages: parse (``api_schemas``), authorise (``rules.py``), call a service or a
selector, render. Refusals:

* submitting an application, the National Centres and the positions are public (no
  credentials; ``auth=None``); submitting answers what the web form does, and the private
  status link goes by mail to the primary contact, never in the answer;
* applications are the network office's (``network.manage_accessions``): anyone else 403;
* an agreement the caller may not read answers 404, like one that does not exist; what they
  read but may not change answers 403;
* a step the present state does not allow answers 409 (deciding a decided application,
  skipping a step of an agreement's lifecycle); content the services refuse answers 400.
"""

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from microcert.core.api_paging import PageParams, paged

from . import selectors, services
from .api_schemas import (
    AccessionApplicationDetailOut,
    AccessionApplicationFilter,
    AccessionApplicationIn,
    AccessionApplicationPage,
    AccessionApplicationReceivedOut,
    AccessionDecisionIn,
    AgreementDetailOut,
    AgreementPage,
    AgreementStatusIn,
    CentresFilter,
    ErrorOut,
    InvalidOut,
    ItemOut,
    ItemStatusIn,
    NationalCentreOut,
    PositionOut,
)
from .models import AccessionApplication, Agreement, CooperationItem, Organisation

router = Router(tags=["network"])


def _responses(ok: dict[int, Any], *errors: int, public: bool = False) -> dict[int, Any]:
    documented: dict[int, Any] = dict(ok)
    for code in sorted({*errors, *(() if public else (401,))}):
        documented[code] = ErrorOut
    documented[422] = InvalidOut
    return documented


def _refused(error: ValidationError) -> HttpError:
    status = 409 if isinstance(error, services.StepRefused) else 400
    return HttpError(status, " ".join(error.messages))


# --- Rendering --------------------------------------------------------------------------------


def _organisation(organisation: Organisation | None) -> dict | None:
    if organisation is None:
        return None
    return {
        "uuid": organisation.uuid,
        "slug": organisation.slug,
        "name": organisation.name,
        "country": organisation.country.code,
    }


def _application_out(application: AccessionApplication) -> dict:
    return {
        "uuid": application.uuid,
        "status": application.status,
        "organisation": _organisation(application.organisation),
        "organisation_name": application.organisation_name,
        "is_new_organisation": application.is_new_organisation,
        "country": str(application.country.code or ""),
        "membership_kind": application.membership_kind,
        "intended_cooperation": list(application.intended_cooperation),
        "language": application.language,
        "created_at": application.created_at,
        "decided_at": application.decided_at,
    }


def _application_detail(application: AccessionApplication) -> dict:
    return {
        **_application_out(application),
        "motivation": application.motivation,
        "contacts": [
            {
                "name": c.name,
                "email": c.email,
                "position": c.position,
                "phone": c.phone,
                "is_primary": c.is_primary,
            }
            for c in application.contacts.all()
        ],
        "messages": [
            {
                "kind": m.kind,
                "body": m.body,
                "from_applicant": m.from_applicant,
                "created_at": m.created_at,
            }
            for m in application.messages.all()
        ],
    }


def _item_out(item: CooperationItem, today: datetime.date) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "owner": _organisation(item.owner),
        "due_on": item.due_on,
        "status": item.status,
        "overdue": item.is_overdue_on(today),
    }


def _agreement_out(agreement: Agreement) -> dict:
    return {
        "uuid": agreement.uuid,
        "reference": agreement.reference,
        "kind": agreement.kind,
        "title": agreement.title,
        "status": agreement.status,
        "parties": [_organisation(p) for p in agreement.parties.all()],
        "signed_on": agreement.signed_on,
        "effective_from": agreement.effective_from,
        "expires_on": agreement.expires_on,
    }


def _agreement_detail(agreement: Agreement) -> dict:
    today = timezone.localdate()
    return {
        **_agreement_out(agreement),
        "summary": agreement.summary,
        "items": [_item_out(item, today) for item in agreement.items.all()],
        "next_statuses": sorted(services.agreement_next_statuses(agreement)),
    }


# --- Accession --------------------------------------------------------------------------------


@router.post(
    "/applications",
    auth=None,
    response=_responses({201: AccessionApplicationReceivedOut}, 400, 409, public=True),
    summary="Apply to join the network",
)
def network_application_submit(request: HttpRequest, data: AccessionApplicationIn) -> Status:
    """An institution on the platform (``organisation``) or a new one (``proposed``) applies
    for membership. No credentials needed. The private link to follow the application is
    mailed to the first contact. 409 when the institution is a member or already applying."""
    organisation = None
    if data.organisation:
        organisation = selectors.organisations_that_may_apply().filter(slug=data.organisation)
        organisation = organisation.first()
        if organisation is None:
            raise HttpError(
                409,
                _("This organisation is unknown, or already a member of the network."),
            )
    proposed = None
    if data.proposed is not None:
        proposed = services.ProposedOrganisation(**data.proposed.dict())
    contacts = [
        services.ContactDetails(**contact.dict(), is_primary=number == 0)
        for number, contact in enumerate(data.contacts)
    ]
    try:
        # Anonymous by design: no session stands behind a public submission.
        application, _key = services.accession_submit(
            organisation=organisation,
            proposed=proposed,
            membership_kind=data.membership_kind,
            contacts=contacts,
            motivation=data.motivation,
            intended_cooperation=data.intended_cooperation,
            language=data.language,
            actor=None,
        )
    except ValidationError as error:
        raise _refused(error) from None
    return Status(
        201,
        {
            "uuid": application.uuid,
            "status": application.status,
            "detail": _("Received; the private link to follow it is mailed to %(email)s.")
            % {"email": contacts[0].email},
        },
    )


def _office(request: HttpRequest) -> None:
    if not request.user.has_perm("network.manage_accessions"):
        raise HttpError(403, _("Only the network office reviews applications."))


def _application(request: HttpRequest, application_id: UUID) -> AccessionApplication:
    _office(request)
    application = selectors.accessions().filter(uuid=application_id).first()
    if application is None:
        raise HttpError(404, _("There is no application with this identifier."))
    return application


@router.get(
    "/applications",
    response=_responses({200: AccessionApplicationPage}, 403),
    summary="Applications to join the network",
)
def network_application_list(
    request: HttpRequest,
    page: Query[PageParams],
    filters: Query[AccessionApplicationFilter],
) -> dict:
    """The network office's applications, the newest first; for programme managers."""
    _office(request)
    return paged(selectors.accessions_for_office(filters.status), page, _application_out)


@router.get(
    "/applications/{uuid:application_id}",
    response=_responses({200: AccessionApplicationDetailOut}, 403, 404),
    summary="An application to join the network",
)
def network_application_detail(request: HttpRequest, application_id: UUID) -> dict:
    """An application with its contacts and its thread of messages; for programme managers."""
    return _application_detail(_application(request, application_id))


@router.post(
    "/applications/{uuid:application_id}/decision",
    response=_responses({200: AccessionApplicationDetailOut}, 400, 403, 404, 409),
    summary="Decide on an application",
)
def network_application_decide(
    request: HttpRequest, application_id: UUID, data: AccessionDecisionIn
) -> dict:
    """Ask for more information (``message`` says what), approve (creating the organisation
    if new, its membership and its admin's account, and mailing the welcome) or decline
    (``message`` gives the reasons). 409 once the application is decided or withdrawn."""
    application = _application(request, application_id)
    try:
        if data.action == "approve":
            services.accession_approve(
                application=application, actor=request.user, note=data.message
            )
        elif data.action == "decline":
            services.accession_decline(
                application=application, reasons=data.message, actor=request.user
            )
        else:
            services.accession_request_information(
                application=application, message=data.message, actor=request.user
            )
    except ValidationError as error:
        raise _refused(error) from None
    return _application_detail(selectors.accessions().get(pk=application.pk))


# --- Agreements -------------------------------------------------------------------------------


def _agreement(request: HttpRequest, agreement_id: UUID) -> Agreement:
    agreement = selectors.agreement_for_page(agreement_id)
    if agreement is None or not request.user.has_perm("network.read_agreement", agreement):
        raise HttpError(404, _("There is no agreement with this identifier."))
    return agreement


@router.get(
    "/agreements",
    response=_responses({200: AgreementPage}),
    summary="Agreements",
)
def network_agreement_list(request: HttpRequest, page: Query[PageParams]) -> dict:
    """The agreements the caller may read: all of them for programme managers, their
    organisations' for institution admins, none for anyone else."""
    agreements = selectors.agreements_visible_to(request.user).order_by("reference")
    return paged(agreements, page, _agreement_out)


@router.get(
    "/agreements/{uuid:agreement_id}",
    response=_responses({200: AgreementDetailOut}, 404),
    summary="An agreement",
)
def network_agreement_detail(request: HttpRequest, agreement_id: UUID) -> dict:
    """An agreement with its cooperation items and the statuses it may move to next."""
    return _agreement_detail(_agreement(request, agreement_id))


@router.post(
    "/agreements/{uuid:agreement_id}/status",
    response=_responses({200: AgreementDetailOut}, 400, 403, 404, 409),
    summary="Move an agreement along its lifecycle",
)
def network_agreement_status(
    request: HttpRequest, agreement_id: UUID, data: AgreementStatusIn
) -> dict:
    """Draft → signed → in force → expired, or terminated from any open step; for programme
    managers. 409 when the agreement's present status does not lead to the one asked for."""
    agreement = _agreement(request, agreement_id)
    if not request.user.has_perm("network.change_agreement_status", agreement):
        raise HttpError(403, _("Only the programme's managers move an agreement's lifecycle."))
    if data.status not in services.agreement_next_statuses(agreement):
        raise HttpError(
            409,
            _("An agreement cannot go from %(old)s to %(new)s.")
            % {"old": agreement.status, "new": data.status},
        )
    try:
        services.agreement_transition(
            agreement=agreement,
            status=data.status,
            on=data.on,
            expires_on=data.expires_on,
            reason=data.reason,
            actor=request.user,
        )
    except ValidationError as error:
        raise _refused(error) from None
    return _agreement_detail(_agreement(request, agreement_id))


@router.post(
    "/agreements/{uuid:agreement_id}/items/{int:item_id}/status",
    response=_responses({200: ItemOut}, 400, 403, 404),
    summary="Report a cooperation item's progress",
)
def network_item_status(
    request: HttpRequest, agreement_id: UUID, item_id: int, data: ItemStatusIn
) -> dict:
    """Set a cooperation item's status; for the admins of the organisation that owns it and
    the programme's managers."""
    agreement = _agreement(request, agreement_id)
    item = agreement.items.filter(pk=item_id).select_related("owner").first()
    if item is None:
        raise HttpError(404, _("There is no such item in this agreement."))
    if not request.user.has_perm("network.change_cooperation_item_status", item):
        raise HttpError(403, _("Only the item owner's admins and the managers report on it."))
    try:
        item = services.cooperation_item_set_status(
            item=item, status=data.status, reason=data.note, actor=request.user
        )
    except ValidationError as error:
        raise _refused(error) from None
    return _item_out(item, timezone.localdate())


# --- The network (public) ---------------------------------------------------------------------


@router.get(
    "/national-centres",
    auth=None,
    response=_responses({200: list[NationalCentreOut]}, public=True),
    summary="National Centres",
)
def network_national_centres(
    request: HttpRequest,
    filters: Query[CentresFilter],
) -> list[dict]:
    """The National Centre of each country on a day. No credentials needed."""
    return [
        {
            "country": centre.country.code,
            "organisation": _organisation(centre.organisation),
            "agreement": centre.agreement.reference,
            "starts_on": centre.starts_on,
            "ends_on": centre.ends_on,
        }
        for centre in selectors.national_centres_in_force(filters.on)
    ]


@router.get(
    "/positions",
    auth=None,
    response=_responses({200: list[PositionOut]}, public=True),
    summary="The network's positions in a year",
)
def network_positions(
    request: HttpRequest,
    year: int | None = Query(None, ge=1990, le=2200, description="This year if absent."),
) -> list[dict]:
    """The presidency, the secretariat and the regional coordinators of a year. No
    credentials needed."""
    return [
        {
            "year": position.year,
            "kind": position.kind,
            "subregion": position.subregion,
            "organisation": _organisation(position.organisation),
            "person": str(position.person) if position.person else None,
        }
        for position in selectors.positions_of_year(year or timezone.localdate().year)
    ]
