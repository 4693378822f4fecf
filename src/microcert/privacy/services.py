"""Writes of privacy: a person's data exported, their erasure asked for, carried out or
withdrawn. Each is one transaction and records its event.

What an erasure does to each kind of record is decided in ``registry.RULES`` and carried out
by the steps of ``erasure.py``; ``docs/privacy.md`` says why.
"""

import tempfile
from typing import IO, Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microcert.accounts.models import User
from microcert.core.services import event_record

from . import erasure, exports, redaction, selectors
from .models import ErasureRequest

# Archives up to this size stay in memory; bigger ones (evidence files) spill to a file.
EXPORT_SPOOL_BYTES = 16 * 1024 * 1024
REASON_MAX = 2000


class ErasureRefused(ValidationError):
    """Something stands in the way of the erasure; each message says what and what to do."""


# --- export -----------------------------------------------------------------------------------


def person_export_to(*, person: User, actor: Any, out: BinaryIO, reason: str = "") -> dict:
    """Write the person's data as a ZIP archive to ``out`` and record that it was exported
    (by whom, and why when it was someone else). Returns what the archive holds."""
    with transaction.atomic():
        contents = exports.write_archive(person, out)
        event_record(
            actor=actor,
            verb="person.exported",
            target=person,
            reason=(reason or "").strip()[:REASON_MAX],
            details=contents,
        )
    return contents


def person_export_file(*, person: User, actor: Any, reason: str = "") -> IO[bytes]:
    """The archive as a file rewound to its start, in memory while small, on disk beyond
    ``EXPORT_SPOOL_BYTES``: big evidence never has to fit in memory. The caller closes it."""
    spool = tempfile.SpooledTemporaryFile(max_size=EXPORT_SPOOL_BYTES)  # noqa: SIM115
    try:
        person_export_to(person=person, actor=actor, out=spool, reason=reason)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def person_export(*, person: User, actor: Any, reason: str = "") -> bytes:
    """The archive as bytes, for callers that need it whole (small archives, tests)."""
    with person_export_file(person=person, actor=actor, reason=reason) as archive:
        return archive.read()


# --- erasure ----------------------------------------------------------------------------------


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the erasure: it stays on the record."))
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("The reason is longer than %(max)s characters.") % {"max": REASON_MAX}
        )
    return reason


@transaction.atomic
def person_erase(
    *,
    person: User,
    actor: Any,
    reason: str,
    revoke_credentials: bool = False,
    channel: str = ErasureRequest.Channel.OFFICE,
) -> ErasureRequest:
    """Erase the person's data, in one transaction. Returns the erasure's record.

    Credentials already issued stay verifiable (their signed documents and, unless
    ``revoke_credentials``, their status are untouched) but their pages become private; the
    account is renamed to a pseudonym and can no longer sign in; e-mail addresses, names,
    tokens, sessions, platform identities, self-assessments and the person's free text go;
    evidence files are deleted from disk once the transaction has committed; reviews keep
    their rubric scores; the PD ledger keeps its rows; the event log keeps who did what and
    when, with e-mail addresses and names replaced by salted hashes.

    Erasing someone already erased changes nothing and returns the first record. Raises
    ``ErasureRefused`` when something stands in the way (``selectors.erasure_blockers``) and
    ``ValidationError`` without a reason; nothing is changed then.
    """
    reason = _clean_reason(reason)
    if channel not in ErasureRequest.Channel.values:
        raise ValidationError(_("Unknown channel."))
    person = User.objects.select_for_update().get(pk=person.pk)
    done = selectors.erasure_of(person)
    if done is not None:
        return done
    blockers = selectors.erasure_blockers(person)
    if blockers:
        raise ErasureRefused(blockers)
    if getattr(actor, "pk", None) == person.pk:
        actor = person  # so the closing event carries the pseudonym, not the old address

    request = selectors.pending_request_of(person) or ErasureRequest(person=person)
    salt = redaction.new_salt()
    owned = selectors.owned_objects(person)
    identifiers = erasure.identifiers_of(person, salt, owned)
    folders = erasure.evidence_folders(person)

    summary: dict[str, Any] = {}
    summary.update(erasure.credentials(person, actor=actor, revoke=revoke_credentials))
    summary.update(erasure.learning(person, actor=actor))
    summary["roles_withdrawn"] = erasure.roles(person, actor=actor)
    erasure.learning_platforms(person, identifiers)
    summary["rows_erased"] = erasure.generic(person)
    pseudonym, pseudonym_email = erasure.new_pseudonym()
    erasure.account(person, pseudonym=pseudonym, email=pseudonym_email)
    summary["sessions_ended"] = erasure.sessions(person)

    redactor = redaction.Redactor(identifiers)
    reason = redactor.text(reason, wide=False)
    summary["events_redacted"] = redaction.redact_events(redactor, person_id=person.pk, owned=owned)
    swept = redaction.sweep(redactor, owned=owned)
    summary["rows_redacted"] = swept.rows
    summary["signed_documents_naming_them"] = swept.signed
    summary["evidence_folders"] = len(folders)

    now = timezone.now()
    request.channel = channel
    request.status = ErasureRequest.Status.DONE
    request.reason = reason
    request.revoke_credentials = revoke_credentials
    request.requested_by = request.requested_by or _signed_in(actor)
    request.blockers = []
    request.carried_out_at = now
    request.carried_out_by = _signed_in(actor)
    request.pseudonym = pseudonym
    request.salt = salt
    request.summary = summary
    request.save()
    event_record(
        actor=actor,
        verb="person.erased",
        target=person,
        reason=reason,
        details={
            "request": str(request.uuid),
            "pseudonym": pseudonym,
            "channel": channel,
            "revoke_credentials": revoke_credentials,
            "credentials_revoked": summary["credentials_revoked"],
            "events_redacted": summary["events_redacted"],
        },
    )
    storage = erasure.evidence_storage()
    transaction.on_commit(lambda: erasure.delete_folders(storage, folders))
    return request


def _signed_in(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def erasure_request_record(
    *,
    person: User,
    actor: Any,
    reason: str,
    revoke_credentials: bool,
    channel: str,
    blockers: list[str],
) -> ErasureRequest:
    """Keep a request that cannot be carried out yet, with what stands in the way, for the
    programme office to follow. Asking again updates the same request."""
    reason = _clean_reason(reason)
    person = User.objects.select_for_update().get(pk=person.pk)
    request = selectors.pending_request_of(person)
    created = request is None
    if created:
        request = ErasureRequest(person=person, requested_by=_signed_in(actor))
    request.channel = channel
    request.reason = reason
    request.revoke_credentials = revoke_credentials
    request.blockers = list(blockers)
    request.save()
    event_record(
        actor=actor,
        verb="person.erasure_requested" if created else "person.erasure_request_updated",
        target=person,
        details={"request": str(request.uuid), "channel": channel, "blockers": len(blockers)},
    )
    return request


def erasure_ask(
    *,
    person: User,
    actor: Any,
    reason: str,
    revoke_credentials: bool = False,
    channel: str = ErasureRequest.Channel.SELF,
) -> ErasureRequest:
    """Carry out the erasure now if nothing stands in the way; otherwise keep the request
    (status pending, with what stands in the way) for the programme office."""
    try:
        return person_erase(
            person=person,
            actor=actor,
            reason=reason,
            revoke_credentials=revoke_credentials,
            channel=channel,
        )
    except ErasureRefused as refused:
        return erasure_request_record(
            person=person,
            actor=actor,
            reason=reason,
            revoke_credentials=revoke_credentials,
            channel=channel,
            blockers=refused.messages,
        )


@transaction.atomic
def erasure_request_withdraw(*, request: ErasureRequest, actor: Any) -> ErasureRequest:
    """The person changed their mind before the erasure was carried out."""
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ErasureRequest.Status.PENDING:
        raise ValidationError(_("Only a request that is still waiting can be withdrawn."))
    request.status = ErasureRequest.Status.WITHDRAWN
    request.save(update_fields=["status", "updated_at"])
    event_record(
        actor=actor,
        verb="person.erasure_request_withdrawn",
        target=request.person,
        details={"request": str(request.uuid)},
    )
    return request
