"""REST API v1 operations of privacy (mounted by microcert.web.api under /api/v1/privacy/).

Both act on the caller's own account only, whoever they are:

* ``GET /export``: the caller's data as a ZIP archive, the same as on their privacy page;
* ``POST /erasure``: the caller's erasure. Because it cannot be undone, a token or a session
  is not enough: the body repeats the account's e-mail address and its password. The answer
  is 200 when the data was erased (the token used stops working at once), 202 when the
  request is kept because something must be settled first (its ``blockers`` say what), 400
  for an address or password that is not right (nothing changes), 429 after too many wrong
  passwords.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from . import reauth, services
from .forms import wrong_password_message
from .models import ErasureRequest
from .services import REASON_MAX

router = Router(tags=["privacy"])


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in words a person can act on.")


class InvalidOut(Schema):
    detail: list[dict[str, Any]] = Field(
        description="The request did not match the operation's schema: one entry per problem."
    )


class ErasureIn(Schema):
    email: str = Field(max_length=254, description="The account's e-mail address, typed again.")
    password: str = Field(max_length=200, description="The account's password.")
    note: str = Field(
        "", max_length=REASON_MAX, description="Anything the person wants the office to know."
    )
    revoke_credentials: bool = Field(
        False,
        description="Also revoke the credentials (they then no longer verify). By default they "
        "stay valid: the signed documents carry only a salted hash of the e-mail address.",
    )


class ErasureOut(Schema):
    request: UUID = Field(description="The erasure request.")
    status: str = Field(description="`done` (erased) or `pending` (kept, waiting).")
    blockers: list[str] = Field(description="What must be settled before it can be done.")
    carried_out_at: str | None = Field(description="When it was done (ISO 8601).")


def _responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    documented: dict[int, Any] = dict(ok)
    for code in sorted({401, *errors}):
        documented[code] = ErrorOut
    documented[422] = InvalidOut
    return documented


@router.get(
    "/export",
    response=_responses({}),
    summary="Download all my data",
    openapi_extra={
        "responses": {
            "200": {
                "description": "A ZIP archive: one JSON file per area, the evidence files, a "
                "README in the caller's language.",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export(request: HttpRequest) -> FileResponse:
    """The caller's own data. Every export is recorded in the event log."""
    archive = services.person_export_file(person=request.user, actor=request.user)
    response = FileResponse(
        archive,
        as_attachment=True,
        filename=f"microcert-data-{timezone.localdate():%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/erasure",
    response=_responses({200: ErasureOut, 202: ErasureOut}, 400, 429),
    summary="Erase my data",
)
def erasure(request: HttpRequest, body: ErasureIn) -> Any:
    """Erase the caller's own data now, or keep the request when something must be settled
    first. Credentials stay verifiable unless ``revoke_credentials``."""
    person = request.user
    if body.email.strip().casefold() != person.email.casefold():
        raise HttpError(
            400, _("This is not your account's e-mail address. Type it as you sign in with it.")
        )
    try:
        confirmed = reauth.password_confirms(person, body.password)
    except reauth.TooManyAttempts:
        raise HttpError(
            429, _("Too many wrong passwords. Wait a quarter of an hour, then try again.")
        ) from None
    if not confirmed:
        raise HttpError(400, wrong_password_message(person))
    reason = f"{_('Asked by the person through the API.')} {body.note.strip()}".strip()
    try:
        outcome = services.erasure_ask(
            person=person,
            actor=person,
            reason=reason,
            revoke_credentials=body.revoke_credentials,
            channel=ErasureRequest.Channel.API,
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from error
    done = outcome.status == ErasureRequest.Status.DONE
    payload = {
        "request": outcome.uuid,
        "status": outcome.status,
        "blockers": outcome.blockers,
        "carried_out_at": outcome.carried_out_at.isoformat() if outcome.carried_out_at else None,
    }
    return Status(200 if done else 202, payload)
