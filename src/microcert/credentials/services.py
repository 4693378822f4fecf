"""Writes of the credentials app: issuers and keys, issuance, status changes, stacking.

Every function is one transaction and records its event. Private keys are decrypted only
for the moment of signing and never leave this module.
"""

import calendar
import copy
import hashlib
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from microcert.catalog.models import Pathway, SpecificationVersion
from microcert.core.bulk_insert import bulk_insert
from microcert.core.i18n import CONTENT_LANGUAGES
from microcert.core.models import Event
from microcert.core.services import event_record
from microcert.frameworks.models import ProficiencyLevel
from microcert.network.models import Organisation
from microcert.network.selectors import programme_owner

from . import (
    dataintegrity,
    did,
    jsonld,
    keystore,
    multikey,
    openbadges,
    statuslist,
    verification,
)
from .cohort import CohortSigner
from .models import (
    STATUS_LIST_SIZE,
    ApiToken,
    IssuedCredential,
    Issuer,
    IssuerKey,
    StatusList,
    StatusPurpose,
)
from .signals import credential_changed, credentials_issued
from .verification import schema_errors


class IssuanceError(ValidationError):
    """A credential cannot be issued as asked; the message says why."""


class StatusChangeError(ValidationError):
    """A status change that is not allowed (revoking twice, suspending without an entry…)."""


# --- issuers and keys --------------------------------------------------------------------


def _key_create(issuer: Issuer) -> IssuerKey:
    private_key = Ed25519PrivateKey.generate()
    public_multibase = multikey.encode_public_key(private_key.public_key())
    kek_id, blob = keystore.encrypt_private_key(
        private_key.private_bytes_raw(), bound_to=public_multibase
    )
    return IssuerKey.objects.create(
        issuer=issuer,
        public_key_multibase=public_multibase,
        encrypted_private_key=blob,
        kek_id=kek_id,
    )


def issuer_did(issuer: Issuer, key: IssuerKey | None = None) -> str:
    """The issuer's DID; for did:key it is the DID of ``key`` (the active key by default)."""
    if issuer.did_method == Issuer.DidMethod.WEB:
        return did.did_web_for(issuer.organisation.slug)
    key = key or issuer.keys.get(retired_at__isnull=True)
    return f"did:key:{key.public_key_multibase}"


def verification_method(issuer: Issuer, key: IssuerKey) -> str:
    return did.verification_method_id(issuer_did(issuer, key), key.public_key_multibase)


def _private_key(key: IssuerKey) -> Ed25519PrivateKey:
    raw = keystore.decrypt_private_key(
        key.encrypted_private_key, kek_id=key.kek_id, bound_to=key.public_key_multibase
    )
    return Ed25519PrivateKey.from_private_bytes(raw)


def _sign(document: dict, *, issuer: Issuer, key: IssuerKey) -> dict:
    return dataintegrity.sign(
        document,
        private_key=_private_key(key),
        verification_method=verification_method(issuer, key),
        created=timezone.now(),
    )


def document_sign(*, issuer: Issuer, document: dict) -> dict:
    """``document`` (a VC 2.0 credential, such as an EndorsementCredential) signed with the
    issuer's active key; the document itself is not changed and nothing is stored.

    The document must name this issuer (its DID, or a profile with that ``id``), since a
    verifier checks the issuer against the key's controller; a term no context defines is
    refused rather than signed unnoticed.
    """
    if not isinstance(document, dict):
        raise IssuanceError(_("The document to sign must be a JSON object."))
    contexts = document.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != openbadges.VC_V2:
        raise IssuanceError(
            _("@context must be a list that starts with %(url)s.") % {"url": openbadges.VC_V2}
        )
    if "proof" in document:
        raise IssuanceError(_("The document to sign must not have a proof yet."))
    key = issuer.keys.get(retired_at__isnull=True)
    own = issuer_did(issuer, key)
    named = document.get("issuer")
    named_id = named.get("id") if isinstance(named, dict) else named
    if named_id != own:
        raise IssuanceError(
            _("The document names the issuer %(given)s, not %(own)s.")
            % {"given": named_id if isinstance(named_id, str) else "?", "own": own}
        )
    try:
        return _sign(copy.deepcopy(document), issuer=issuer, key=key)
    except jsonld.CredentialFormatError as error:
        raise IssuanceError(str(error)) from error


@transaction.atomic
def issuer_create(
    *,
    organisation: Organisation,
    actor,
    did_method: str = Issuer.DidMethod.WEB,
    offers_suspension: bool = False,
) -> Issuer:
    if Issuer.objects.filter(organisation=organisation).exists():
        raise IssuanceError(_("%(name)s is already an issuer.") % {"name": organisation.name})
    if did_method not in Issuer.DidMethod.values:
        raise IssuanceError(_("Unknown DID method: %(method)s.") % {"method": did_method})
    issuer = Issuer.objects.create(
        organisation=organisation, did_method=did_method, offers_suspension=offers_suspension
    )
    key = _key_create(issuer)
    _status_list_create(issuer, key)
    event_record(
        actor=actor,
        verb="issuer.created",
        target=issuer,
        details={"did": issuer_did(issuer, key), "key": key.public_key_multibase},
    )
    return issuer


def issuer_ensure(*, organisation: Organisation, actor) -> Issuer:
    """The organisation's issuer, created with a did:web on first use."""
    existing = Issuer.objects.filter(organisation=organisation).first()
    return existing or issuer_create(organisation=organisation, actor=actor)


@transaction.atomic
def issuer_rotate_key(*, issuer: Issuer, actor, reason: str) -> IssuerKey:
    """A new key signs from now on. The old one stays published (did:web) or keeps its own
    did:key, so every credential it signed keeps verifying."""
    if not reason.strip():
        raise IssuanceError(_("Say why the key is rotated."))
    issuer = Issuer.objects.select_for_update().get(pk=issuer.pk)
    old = issuer.keys.get(retired_at__isnull=True)
    IssuerKey.objects.filter(pk=old.pk).update(retired_at=timezone.now())
    new = _key_create(issuer)
    if issuer.did_method == Issuer.DidMethod.WEB:
        for status_list in issuer.status_lists.all():
            _status_list_sign(status_list)
    else:
        _status_list_create(issuer, new)
    # The cached DID document must learn of the retirement at once (and again after commit,
    # in case a reader cached the old one in between).
    slug = issuer.organisation.slug
    verification.own_did_forget(slug)
    transaction.on_commit(lambda: verification.own_did_forget(slug))
    event_record(
        actor=actor,
        verb="issuer.key_rotated",
        target=issuer,
        reason=reason,
        details={"retired": old.public_key_multibase, "new": new.public_key_multibase},
    )
    return new


# --- status lists ------------------------------------------------------------------------


def status_list_url(status_list: StatusList) -> str:
    return f"{settings.PUBLIC_BASE_URL}/status/{status_list.uuid}"


def _status_list_create(issuer: Issuer, key: IssuerKey) -> list[StatusList]:
    lists = []
    for purpose in StatusPurpose.values:
        multiplier, offset = statuslist.new_permutation(STATUS_LIST_SIZE)
        status_list = StatusList.objects.create(
            issuer=issuer,
            issuer_did=issuer_did(issuer, key),
            purpose=purpose,
            size=STATUS_LIST_SIZE,
            multiplier=multiplier,
            offset=offset,
            bits=statuslist.empty_bits(STATUS_LIST_SIZE),
        )
        _status_list_sign(status_list)
        lists.append(status_list)
    return lists


def _status_list_signing_key(status_list: StatusList) -> IssuerKey:
    issuer = status_list.issuer
    if issuer.did_method == Issuer.DidMethod.WEB:
        return issuer.keys.get(retired_at__isnull=True)
    # A did:key list is signed by the key its DID is made of.
    public = status_list.issuer_did.removeprefix("did:key:")
    return issuer.keys.get(public_key_multibase=public)


def _status_list_sign(status_list: StatusList) -> None:
    """Sign the list as it is now. It is valid for a short while only (a day by default), so
    an old copy cannot be passed off as current for long: it is signed again on every change
    and before it runs out (``status_list_refresh``)."""
    url = status_list_url(status_list)
    now = timezone.now()
    valid_until = now + timedelta(seconds=verification.status_list_valid_seconds())
    unsigned = {
        "@context": [openbadges.VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": status_list.issuer_did,
        "validFrom": openbadges.xsd_datetime(now),
        "validUntil": openbadges.xsd_datetime(valid_until),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose,
            "encodedList": statuslist.encode(bytes(status_list.bits)),
        },
    }
    key = _status_list_signing_key(status_list)
    status_list.signed_credential = _sign(unsigned, issuer=status_list.issuer, key=key)
    status_list.signed_at = timezone.now()
    status_list.save(update_fields=["signed_credential", "signed_at", "bits", "updated_at"])


@transaction.atomic
def status_list_refresh(*, status_list_id: int, force: bool = False) -> StatusList:
    """Sign the list again, unchanged, when it has no validUntil or has used half of its
    validity (or always with ``force``). Nothing about any credential changes, so no event
    is written; two processes refreshing at once sign it once (the row lock)."""
    status_list = StatusList.objects.select_for_update().get(pk=status_list_id)
    if force or verification.status_list_needs_signing(status_list.signed_credential):
        _status_list_sign(status_list)
    return status_list


def status_lists_refresh() -> int:
    """Sign again every list that needs it (a periodic task runs this); returns how many."""
    refreshed = 0
    for pk, signed in StatusList.objects.values_list("pk", "signed_credential").iterator():
        if verification.status_list_needs_signing(signed):
            status_list_refresh(status_list_id=pk)
            refreshed += 1
    return refreshed


def _status_entry_allocate(issuer: Issuer, issuer_did_value: str, purpose: str):
    """Take the next entry of the issuer's list. The row lock makes concurrent issuers
    queue here for a moment; the permutation then never repeats a position."""
    with transaction.atomic():
        status_list = StatusList.objects.select_for_update().get(
            issuer=issuer, issuer_did=issuer_did_value, purpose=purpose
        )
        if status_list.allocated >= status_list.size:
            raise IssuanceError(
                _("The %(purpose)s list of %(issuer)s is full.")
                % {"purpose": purpose, "issuer": issuer}
            )
        index = statuslist.position(
            status_list.allocated,
            multiplier=status_list.multiplier,
            offset=status_list.offset,
            size=status_list.size,
        )
        StatusList.objects.filter(pk=status_list.pk).update(allocated=F("allocated") + 1)
    return status_list, index


def _status_entries_allocate(issuer: Issuer, issuer_did_value: str) -> list:
    """A revocation entry, and a suspension entry when the issuer offers suspension."""
    purposes = [StatusPurpose.REVOCATION]
    if issuer.offers_suspension:
        purposes.append(StatusPurpose.SUSPENSION)
    return [_status_entry_allocate(issuer, issuer_did_value, purpose) for purpose in purposes]


def _status_fields(entries: list) -> dict:
    """The IssuedCredential fields that record where its status entries are."""
    fields: dict = {}
    for status_list, index in entries:
        fields[f"{status_list.purpose}_list"] = status_list
        fields[f"{status_list.purpose}_index"] = index
    return fields


def _status_bit_set(status_list: StatusList, index: int, value: bool, *, sign: bool = True) -> None:
    status_list = StatusList.objects.select_for_update().get(pk=status_list.pk)
    status_list.bits = statuslist.set_bit(bytes(status_list.bits), index, value)
    if sign:
        _status_list_sign(status_list)
    else:  # published later by ``status_lists_publish``
        status_list.save(update_fields=["bits", "updated_at"])


def status_list_is_stale(status_list: StatusList) -> bool:
    """Whether the list's bits changed since its credential was last signed."""
    subject = (status_list.signed_credential or {}).get("credentialSubject") or {}
    return subject.get("encodedList") != statuslist.encode(bytes(status_list.bits))


def status_lists_publish(*, issuer: Issuer | None = None) -> int:
    """Re-sign every status list (of ``issuer``, or of all issuers) whose bits changed since
    it was signed, each in its own transaction; returns how many were re-signed. Idempotent:
    a list already published is left alone, so running it twice signs nothing the second time.
    """
    lists = StatusList.objects.all() if issuer is None else issuer.status_lists.all()
    published = 0
    for pk in lists.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            status_list = StatusList.objects.select_for_update().select_related("issuer").get(pk=pk)
            if not status_list_is_stale(status_list):
                continue
            _status_list_sign(status_list)
            event_record(
                actor=None,
                verb="status_list.published",
                target=status_list,
                details={"purpose": status_list.purpose, "issuer_did": status_list.issuer_did},
            )
            published += 1
    return published


# --- issuance ----------------------------------------------------------------------------


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _credential_language(recipient, version: SpecificationVersion) -> str:
    preferred = getattr(recipient, "preferred_language", "") or "en"
    title = getattr(version, f"title_{preferred.replace('-', '_')}", "")
    return preferred if preferred in CONTENT_LANGUAGES and title else "en"


def _check_may_issue(issuer: Issuer, version: SpecificationVersion) -> None:
    if version.status not in (
        SpecificationVersion.Status.PUBLISHED,
        SpecificationVersion.Status.SUPERSEDED,
    ):
        raise IssuanceError(
            _("%(version)s is %(status)s: only published versions can be awarded.")
            % {"version": version, "status": version.get_status_display().lower()}
        )
    owner = programme_owner()
    awarding = set(version.awarding_bodies.values_list("pk", flat=True))
    if issuer.organisation_id not in awarding and (
        owner is None or issuer.organisation_id != owner.pk
    ):
        raise IssuanceError(
            _("%(issuer)s is not an awarding body of %(version)s.")
            % {"issuer": issuer, "version": version}
        )


def _check_results(version: SpecificationVersion, results: dict[int, ProficiencyLevel]) -> None:
    aligned = {
        a.competence_id: a.competence.framework_id
        for a in version.alignments.select_related("competence")
    }
    for competence_id, level in results.items():
        if competence_id not in aligned:
            raise IssuanceError(
                _("A result names a competence that %(version)s is not aligned to.")
                % {"version": version}
            )
        if level.framework_id != aligned[competence_id]:
            raise IssuanceError(
                _("The level %(level)s is not a level of the competence's framework.")
                % {"level": level.code}
            )


def credential_issue(
    *,
    issuer: Issuer,
    recipient,
    version: SpecificationVersion,
    actor,
    results: dict[int, ProficiencyLevel] | None = None,
    evidence: Sequence[openbadges.Evidence] = (),
    language: str | None = None,
    idempotency_key: str = "",
    valid_from: datetime | None = None,
    pathway: Pathway | None = None,
    parts: Sequence[IssuedCredential] = (),
    stack: bool = True,
    endorsements: Sequence[dict] = (),
) -> IssuedCredential:
    """Issue an Open Badges 3.0 credential for ``version`` to ``recipient``.

    With an ``idempotency_key`` a repeated call returns the credential made the first time.
    Holding every credential a pathway needs then earns its certificate (``stack``).
    ``endorsements`` are signed EndorsementCredentials of the achievement (an authority's
    recognition in force that day), carried in the Achievement's ``endorsement``; the
    caller, a higher floor, chooses them.
    """
    results = results or {}
    if idempotency_key:
        existing = _with_keys(issuer, [idempotency_key]).first()
        if existing:
            return existing
    _check_may_issue(issuer, version)
    _check_results(version, results)
    if not recipient.email:
        raise IssuanceError(_("The recipient has no e-mail address to identify them by."))
    language = language or _credential_language(recipient, version)
    if language not in CONTENT_LANGUAGES:
        raise IssuanceError(_("Unknown language: %(language)s.") % {"language": language})

    key = issuer.keys.get(retired_at__isnull=True)
    issuer_did_value = issuer_did(issuer, key)
    entries = _status_entries_allocate(issuer, issuer_did_value)

    with transaction.atomic():
        public_id = uuid.uuid4()
        valid_from = valid_from or timezone.now().replace(microsecond=0)
        valid_until = (
            _add_months(valid_from, version.validity_months) if version.validity_months else None
        )
        award = openbadges.AwardInput(
            credential_id=f"urn:uuid:{public_id}",
            issuer_profile=openbadges.issuer_profile(issuer.organisation, issuer_did_value),
            recipient=openbadges.Recipient(
                email=recipient.email,
                salt=openbadges.new_salt(),
                did=getattr(recipient, "did", "") or "",
            ),
            valid_from=valid_from,
            valid_until=valid_until,
            language=language,
            results=results,
            evidence=evidence,
            endorsements=endorsements,
            status=[
                openbadges.StatusEntry(
                    purpose=status_list.purpose, index=index, list_url=status_list_url(status_list)
                )
                for status_list, index in entries
            ],
        )
        unsigned = openbadges.build_credential(
            version, award, parts=[(p.document["id"], p.document["name"]) for p in parts]
        )
        signed = _sign(unsigned, issuer=issuer, key=key)
        credential = IssuedCredential.objects.create(
            uuid=public_id,
            issuer=issuer,
            signing_key=key,
            recipient=recipient,
            specification_version=version,
            pathway=pathway,
            document=signed,
            language=language,
            valid_from=valid_from,
            valid_until=valid_until,
            **_status_fields(entries),
            idempotency_key=idempotency_key,
        )
        if parts:
            credential.components.set(parts)
        event_record(
            actor=actor,
            verb="credential.issued",
            target=credential,
            details={
                "specification_version": str(version.uuid),
                "recipient": str(recipient.uuid),
                "credential_id": signed["id"],
                "pathway": str(pathway.uuid) if pathway else None,
            },
        )
        credential_changed.send(sender=IssuedCredential, credential=credential, change="issued")
        if stack and pathway is None:
            _stack_certificates(recipient=recipient, version=version, actor=actor)
    return credential


# --- cohorts ------------------------------------------------------------------------------

# Credentials signed and stored per transaction: small enough that a crash loses little work
# and a lock is held briefly, large enough that the per-batch costs vanish.
COHORT_BATCH_SIZE = 500


@dataclass(frozen=True)
class CohortAward:
    """One credential of a cohort: its recipient and what differs from the others."""

    recipient: Any
    results: Mapping[int, ProficiencyLevel] = field(default_factory=dict)
    evidence: Sequence[openbadges.Evidence] = ()
    language: str | None = None
    # Unique per issuer; empty: derived from the cohort's ``batch_key`` and the recipient.
    idempotency_key: str = ""


@dataclass
class CohortOutcome:
    """What a cohort issuance did, award by award (indexes into the ``awards`` given)."""

    issued: dict[int, IssuedCredential] = field(default_factory=dict)
    existing: dict[int, IssuedCredential] = field(default_factory=dict)
    refused: dict[int, str] = field(default_factory=dict)
    signed_fast: int = 0
    signed_general: int = 0


def cohort_key(batch_key: str, recipient) -> str:
    """The idempotency key of a recipient's credential in the cohort ``batch_key``."""
    material = f"{batch_key}\n{recipient.uuid}"
    return "cohort:" + hashlib.sha256(material.encode()).hexdigest()


def _status_entries_allocate_many(issuer: Issuer, issuer_did_value: str, count: int) -> list:
    """``count`` sets of status entries (as ``_status_entries_allocate`` gives one), taken
    under one lock per list."""
    purposes = [StatusPurpose.REVOCATION]
    if issuer.offers_suspension:
        purposes.append(StatusPurpose.SUSPENSION)
    per_purpose = []
    with transaction.atomic():
        for purpose in purposes:
            status_list = StatusList.objects.select_for_update().get(
                issuer=issuer, issuer_did=issuer_did_value, purpose=purpose
            )
            if status_list.allocated + count > status_list.size:
                raise IssuanceError(
                    _("The %(purpose)s list of %(issuer)s is full.")
                    % {"purpose": purpose, "issuer": issuer}
                )
            first = status_list.allocated
            per_purpose.append(
                [
                    (
                        status_list,
                        statuslist.position(
                            n,
                            multiplier=status_list.multiplier,
                            offset=status_list.offset,
                            size=status_list.size,
                        ),
                    )
                    for n in range(first, first + count)
                ]
            )
            StatusList.objects.filter(pk=status_list.pk).update(allocated=F("allocated") + count)
    return [list(entries) for entries in zip(*per_purpose, strict=True)]


def _events_record_many(*, actor, verb: str, targets_and_details: list[tuple]) -> None:
    """``event_record`` for many targets in one INSERT (same rows, same rules)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events must be recorded inside the transaction of the change")
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    bulk_insert(
        Event,
        [
            Event(
                actor=actor if authenticated else None,
                actor_label=(getattr(actor, "email", "") or "") if authenticated else "",
                verb=verb,
                object_type=target._meta.label_lower,
                object_id=str(target.pk),
                object_repr=str(target)[:255],
                details=details,
            )
            for target, details in targets_and_details
        ],
    )


def _cohort_refusal(
    award: CohortAward, version: SpecificationVersion, aligned: dict[int, int]
) -> str | None:
    """Why one award of a cohort cannot be issued (what ``credential_issue`` checks), or None."""
    recipient = award.recipient
    if not getattr(recipient, "email", ""):
        return _("The recipient has no e-mail address to identify them by.")
    for competence_id, level in award.results.items():
        if competence_id not in aligned:
            return _("A result names a competence that %(version)s is not aligned to.") % {
                "version": version
            }
        if level.framework_id != aligned[competence_id]:
            return _("The level %(level)s is not a level of the competence's framework.") % {
                "level": level.code
            }
    language = award.language or _credential_language(recipient, version)
    if language not in CONTENT_LANGUAGES:
        return _("Unknown language: %(language)s.") % {"language": language}
    return None


def credential_issue_cohort(
    *,
    issuer: Issuer,
    version: SpecificationVersion,
    awards: Sequence[CohortAward],
    actor,
    batch_key: str = "",
    valid_from: datetime | None = None,
    endorsements: Sequence[dict] = (),
    stack: bool = True,
    batch_size: int = COHORT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> CohortOutcome:
    """Issue ``version`` to a cohort: what ``credential_issue`` does for each award, in batches.

    Each batch takes its status entries under one lock, is signed through a
    :class:`~.cohort.CohortSigner` (the JSON-LD work done once per shape of credential; output
    identical to the general path) and stored with its events in one transaction, announcing
    each credential (``credential_changed``) and the batch (``credentials_issued``).

    Every credential has an idempotency key (the award's, or one derived from ``batch_key``
    and the recipient): a re-run after a crash issues nothing twice; what was issued before
    comes back in ``existing``. An award that cannot be issued is ``refused`` with the reason
    and the others go on. ``progress`` is told how many awards are settled after each batch.
    """
    keys = [award.idempotency_key for award in awards]
    for index, award in enumerate(awards):
        if not keys[index]:
            if not batch_key:
                raise IssuanceError(_("Give each award an idempotency key, or a batch key."))
            keys[index] = cohort_key(batch_key, award.recipient)
    outcome = CohortOutcome()
    # As in ``credential_issue``, what was issued before is answered before any other check.
    issued_before = _existing_by_key(issuer, keys)
    todo: list[int] = []
    first_with_key: dict[str, int] = {}
    for index, award_key in enumerate(keys):
        if award_key in issued_before:
            outcome.existing[index] = issued_before[award_key]
        elif award_key not in first_with_key:
            first_with_key[award_key] = index
            todo.append(index)
    if todo:
        _check_may_issue(issuer, version)
    aligned = {
        a.competence_id: a.competence.framework_id
        for a in version.alignments.select_related("competence")
    }
    for index in todo:
        refusal = _cohort_refusal(awards[index], version, aligned)
        if refusal:
            outcome.refused[index] = refusal
    todo = [index for index in todo if index not in outcome.refused]

    key = issuer.keys.get(retired_at__isnull=True)
    issuer_did_value = issuer_did(issuer, key)
    signer = CohortSigner(
        private_key=_private_key(key), verification_method=verification_method(issuer, key)
    )
    profile = openbadges.issuer_profile(issuer.organisation, issuer_did_value)
    stacks = stack and Pathway.objects.filter(is_active=True, members=version.micro_credential)
    stacks = bool(stacks and stacks.exists())
    moment = (valid_from or timezone.now()).replace(microsecond=0)
    valid_until = _add_months(moment, version.validity_months) if version.validity_months else None

    run = _CohortRun(
        issuer=issuer,
        key=key,
        issuer_did=issuer_did_value,
        version=version,
        actor=actor,
        signer=signer,
        profile=profile,
        endorsements=endorsements,
        valid_from=moment,
        valid_until=valid_until,
        stacks=stacks,
        ui_language=translation.get_language(),
    )
    _cohort_issue_batches(run, awards, keys, todo, outcome, batch_size, progress)
    for index, award_key in enumerate(keys):
        # An award repeating an earlier one's key gets what that one got.
        first = first_with_key.get(award_key, index)
        if first != index and index not in outcome.existing:
            if first in outcome.refused:
                outcome.refused[index] = outcome.refused[first]
            else:
                outcome.existing[index] = outcome.issued.get(first) or outcome.existing[first]
    outcome.signed_fast, outcome.signed_general = signer.fast, signer.general
    if progress is not None:
        progress(len(awards))
    return outcome


def _with_keys(issuer: Issuer, keys: Sequence[str]) -> QuerySet[IssuedCredential]:
    """The issuer's credentials with these idempotency keys.

    The unique index on (issuer, key) is partial (non-empty keys only): the planners of SQLite
    and PostgreSQL use it only when the query states that condition too. Without it they read
    every credential of the issuer (on SQLite through the 16 KB documents stored before the key).
    """
    return IssuedCredential.objects.filter(issuer=issuer, idempotency_key__in=keys).exclude(
        idempotency_key=""
    )


def _existing_by_key(issuer: Issuer, keys: list[str]) -> dict[str, IssuedCredential]:
    """The issuer's credentials with these idempotency keys (without their documents)."""
    found: dict[str, IssuedCredential] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), COHORT_BATCH_SIZE):
        chunk = unique[start : start + COHORT_BATCH_SIZE]
        for credential in _with_keys(issuer, chunk).defer("document"):
            found[credential.idempotency_key] = credential
    return found


@dataclass
class _CohortRun:
    """What every batch of one cohort issuance shares."""

    issuer: Issuer
    key: IssuerKey
    issuer_did: str
    version: SpecificationVersion
    actor: Any
    signer: CohortSigner
    profile: dict
    endorsements: Sequence[dict]
    valid_from: datetime
    valid_until: datetime | None
    stacks: bool
    ui_language: str | None
    # The specification's facts by content language, filled as languages come up.
    facts: dict[str, openbadges.SpecificationFacts] = field(default_factory=dict)


@dataclass
class _ReadyAward:
    """One award with everything signing needs from the database already read."""

    index: int  # into the cohort's awards
    award: CohortAward
    idempotency_key: str
    language: str
    entries: list[tuple[StatusList, int]]
    status: list[openbadges.StatusEntry]


@dataclass
class _SignedBatch:
    """A batch's credentials, signed and not yet stored, and the awards refused on the way."""

    rows: list[tuple[int, IssuedCredential]] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def _cohort_issue_batches(
    run: _CohortRun,
    awards: Sequence[CohortAward],
    keys: list[str],
    todo: list[int],
    outcome: CohortOutcome,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> None:
    """Issue the awards ``todo`` in batches, signing each batch while the one before is stored.

    Signing is computation in this process; storing is mostly waiting for the database
    (PostgreSQL parses, compresses and indexes every document; SQLite writes its pages), and
    the driver lets other threads run while it waits. So one thread signs batch N+1 while this
    one stores batch N. That thread never touches the database: the status entries, languages
    and facts it needs are read here first (:func:`_cohort_batch_ready`).
    """

    def report() -> None:
        if progress is not None:
            progress(len(outcome.refused) + len(outcome.issued) + len(outcome.existing))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cohort-signing") as signing:
        in_flight: tuple[list[int], Future[_SignedBatch]] | None = None
        for start in range(0, len(todo), batch_size):
            upcoming = None
            batch = _cohort_pending(run, todo[start : start + batch_size], keys, outcome)
            if batch:
                ready = _cohort_batch_ready(run, awards, keys, batch)
                upcoming = (batch, signing.submit(_cohort_batch_sign, run, ready))
            if in_flight is not None:
                _cohort_batch_settle(run, awards, keys, outcome, in_flight, upcoming)
                report()
            in_flight = upcoming
        if in_flight is not None:
            _cohort_batch_settle(run, awards, keys, outcome, in_flight, None)
            report()


def _cohort_pending(
    run: _CohortRun, batch: list[int], keys: list[str], outcome: CohortOutcome
) -> list[int]:
    """The awards of ``batch`` still to issue. Asked again per batch: another run with the
    same keys may have stored some meanwhile; theirs go to ``outcome.existing``."""
    existing = _existing_by_key(run.issuer, [keys[index] for index in batch])
    for index in batch:
        if keys[index] in existing:
            outcome.existing[index] = existing[keys[index]]
    return [index for index in batch if keys[index] not in existing]


def _cohort_batch_settle(
    run: _CohortRun,
    awards: Sequence[CohortAward],
    keys: list[str],
    outcome: CohortOutcome,
    in_flight: tuple[list[int], Future[_SignedBatch]],
    signing_next: tuple[list[int], Future[_SignedBatch]] | None,
) -> None:
    """Store a batch once it is signed; if a concurrent run stored some of its keys first,
    take theirs and issue the rest again, here and without the signing thread."""
    batch, signing = in_flight
    try:
        _cohort_batch_store(run, signing.result(), outcome)
        return
    except IntegrityError:
        pass
    if signing_next is not None:
        # The signer keeps per-shape state: one thread at a time uses it.
        wait([signing_next[1]])
    for _attempt in range(2):
        batch = _cohort_pending(run, batch, keys, outcome)
        if not batch:
            return
        try:
            ready = _cohort_batch_ready(run, awards, keys, batch)
            _cohort_batch_store(run, _cohort_batch_sign(run, ready), outcome)
            return
        except IntegrityError:
            # The status entries taken for the attempt stay unused, which is harmless.
            continue
    raise IssuanceError(_("The cohort kept colliding with another issuance; run it again."))


def _cohort_batch_ready(
    run: _CohortRun, awards: Sequence[CohortAward], keys: list[str], batch: list[int]
) -> list[_ReadyAward]:
    """Read what signing ``batch`` needs from the database: status entries (taken under one
    lock per list), each credential's language and the specification's facts in it."""
    entries = _status_entries_allocate_many(run.issuer, run.issuer_did, len(batch))
    list_urls: dict[int, str] = {}
    ready = []
    for index, own_entries in zip(batch, entries, strict=True):
        award = awards[index]
        language = award.language or _credential_language(award.recipient, run.version)
        if language not in run.facts:
            run.facts[language] = openbadges.specification_facts(
                run.version, language=language
            ).with_endorsements(run.endorsements)
        status = []
        for status_list, position in own_entries:
            if status_list.pk not in list_urls:
                list_urls[status_list.pk] = status_list_url(status_list)
            status.append(
                openbadges.StatusEntry(
                    purpose=status_list.purpose, index=position, list_url=list_urls[status_list.pk]
                )
            )
        ready.append(_ReadyAward(index, award, keys[index], language, own_entries, status))
    return ready


def _no_queries_while_signing(execute, sql, params, many, context):
    raise RuntimeError("the cohort's signing thread must not query the database")


def _cohort_batch_sign(run: _CohortRun, ready: list[_ReadyAward]) -> _SignedBatch:
    """Assemble and sign a batch; runs in the signing thread, so reads nothing from the
    database (a query here raises)."""
    signed_batch = _SignedBatch()
    created = dataintegrity.format_datetime(timezone.now())
    with (
        connection.execute_wrapper(_no_queries_while_signing),
        translation.override(run.ui_language),
    ):
        for item in ready:
            public_id = uuid.uuid4()
            unsigned = openbadges.assemble_credential(
                run.facts[item.language],
                openbadges.AwardInput(
                    credential_id=f"urn:uuid:{public_id}",
                    issuer_profile=run.profile,
                    recipient=openbadges.Recipient(
                        email=item.award.recipient.email,
                        salt=openbadges.new_salt(),
                        did=getattr(item.award.recipient, "did", "") or "",
                    ),
                    valid_from=run.valid_from,
                    valid_until=run.valid_until,
                    language=item.language,
                    results=dict(item.award.results),
                    evidence=item.award.evidence,
                    status=item.status,
                ),
            )
            try:
                signed = run.signer.sign(unsigned, created=created)
            except jsonld.CredentialFormatError as error:
                # Refused alone (its status entries stay unused); the rest of the batch goes on.
                signed_batch.refused[item.index] = str(error)
                continue
            credential = IssuedCredential(
                uuid=public_id,
                issuer=run.issuer,
                signing_key=run.key,
                recipient=item.award.recipient,
                specification_version=run.version,
                document=signed,
                language=item.language,
                valid_from=run.valid_from,
                valid_until=run.valid_until,
                **_status_fields(item.entries),
                idempotency_key=item.idempotency_key,
            )
            signed_batch.rows.append((item.index, credential))
    return signed_batch


def _cohort_batch_store(run: _CohortRun, signed: _SignedBatch, outcome: CohortOutcome) -> None:
    """Store a signed batch with its events in one transaction and announce it; the outcome
    learns of it only once it is stored."""
    version, actor = run.version, run.actor
    with transaction.atomic():
        rows = [credential for _index, credential in signed.rows]
        records = bulk_insert(IssuedCredential, rows)
        _events_record_many(
            actor=actor,
            verb="credential.issued",
            targets_and_details=[
                (
                    record,
                    {
                        "specification_version": str(version.uuid),
                        "recipient": str(record.recipient.uuid),
                        "credential_id": record.document["id"],
                        "pathway": None,
                        "via": "cohort",
                    },
                )
                for record in records
            ],
        )
        for record in records:
            credential_changed.send(
                sender=IssuedCredential, credential=record, change="issued", in_batch=True
            )
        if records:
            credentials_issued.send(sender=IssuedCredential, credentials=records)
        if run.stacks:
            ready = _stack_candidates([r.recipient_id for r in records], version)
            for record in records:
                if record.recipient_id in ready:
                    _stack_certificates(recipient=record.recipient, version=version, actor=actor)
    # bulk_insert stores and returns the very instances it was given.
    outcome.issued.update(dict(signed.rows))
    outcome.refused.update(signed.refused)


def _issuer_for_document(issuer: Issuer, key: IssuerKey, credential: dict) -> dict | str:
    """The issuer the platform signs as: it fills in its own profile and refuses any other."""
    own = issuer_did(issuer, key)
    given = credential.get("issuer")
    given_id = given.get("id") if isinstance(given, dict) else given
    if given is not None and given_id != own:
        raise IssuanceError(
            _("This token issues as %(own)s; the credential names the issuer %(given)s.")
            % {"own": own, "given": given_id if isinstance(given_id, str) else "?"}
        )
    if openbadges.OPEN_BADGE_TYPES & set(credential.get("type") or []):
        return (
            {**openbadges.issuer_profile(issuer.organisation, own), **(given or {})}
            if isinstance(given, dict)
            else openbadges.issuer_profile(issuer.organisation, own)
        )
    if isinstance(given, dict):
        return {"name": issuer.organisation.name, **given}
    return {"id": own, "name": issuer.organisation.name}


def _check_vc2_shape(credential: object) -> dict:
    if not isinstance(credential, dict):
        raise IssuanceError(_("credential must be a JSON object."))
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] != openbadges.VC_V2:
        raise IssuanceError(
            _("@context must be a list that starts with %(url)s.") % {"url": openbadges.VC_V2}
        )
    types = credential.get("type")
    if (
        not isinstance(types, list)
        or not all(isinstance(t, str) for t in types)
        or "VerifiableCredential" not in types
    ):
        raise IssuanceError(_("type must be a list of names that includes VerifiableCredential."))
    for legacy in ("issuanceDate", "expirationDate"):
        if legacy in credential:
            raise IssuanceError(
                _("%(name)s is a VC 1.1 property; VC 2.0 uses validFrom and validUntil.")
                % {"name": legacy}
            )
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    if not subject or not all(isinstance(s, dict) and s for s in subjects):
        raise IssuanceError(_("credentialSubject is required (an object or a list of objects)."))
    if "proof" in credential:
        raise IssuanceError(_("The credential to issue must not have a proof yet."))
    if "credentialStatus" in credential:
        raise IssuanceError(_("credentialStatus is set by the issuer; leave it out."))
    for name in ("validFrom", "validUntil"):
        value = credential.get(name)
        if value is not None and openbadges.parse_datetime(value) is None:
            raise IssuanceError(
                _("%(name)s must be a date-time with a time zone, such as 2026-01-31T12:00:00Z.")
                % {"name": name}
            )
    if "id" in credential and (
        not isinstance(credential["id"], str) or ":" not in credential["id"]
    ):
        raise IssuanceError(_("id must be a URI, such as urn:uuid:… or https://…"))
    return credential


def credential_issue_document(
    *,
    issuer: Issuer,
    credential: object,
    actor=None,
    idempotency_key: str = "",
    via: str = "vc-api",
) -> IssuedCredential:
    """Sign a credential given as JSON (the VC-API): Open Badges or any VC 2.0 credential.

    The platform fills in its issuer, an id, ``validFrom`` when missing, and status entries;
    a term that no context defines makes it refuse, never sign a partly understood claim.
    """
    document = copy.deepcopy(_check_vc2_shape(credential))
    if idempotency_key:
        existing = _with_keys(issuer, [idempotency_key]).first()
        if existing:
            return existing
    key = issuer.keys.get(retired_at__isnull=True)
    issuer_did_value = issuer_did(issuer, key)
    document["issuer"] = _issuer_for_document(issuer, key, document)
    public_id = uuid.uuid4()
    document.setdefault("id", f"urn:uuid:{public_id}")
    now = timezone.now().replace(microsecond=0)
    document.setdefault("validFrom", openbadges.xsd_datetime(now))
    try:
        jsonld.assert_no_dropped_terms(document)
    except jsonld.CredentialFormatError as error:
        raise IssuanceError(str(error)) from error
    if openbadges.OPEN_BADGE_TYPES & set(document["type"]):
        # Checked as it will be signed (with a status entry), so nothing invalid is signed.
        probe = {**document, "credentialStatus": {"id": "urn:x", "type": "x"}, "proof": [{}]}
        problems = schema_errors(probe)
        if problems:
            raise IssuanceError(
                _("Not a valid Open Badges 3.0 credential: %(problems)s")
                % {"problems": "; ".join(problems[:5])}
            )
    entries = _status_entries_allocate(issuer, issuer_did_value)
    statuses = [
        openbadges.StatusEntry(sl.purpose, index, status_list_url(sl)).as_json()
        for sl, index in entries
    ]
    document["credentialStatus"] = statuses[0] if len(statuses) == 1 else statuses
    with transaction.atomic():
        try:
            signed = _sign(document, issuer=issuer, key=key)
        except jsonld.CredentialFormatError as error:
            raise IssuanceError(str(error)) from error
        valid_until = openbadges.parse_datetime(signed.get("validUntil"))
        try:
            with transaction.atomic():
                record = IssuedCredential.objects.create(
                    uuid=public_id,
                    issuer=issuer,
                    signing_key=key,
                    document=signed,
                    valid_from=openbadges.parse_datetime(signed["validFrom"]) or now,
                    valid_until=valid_until,
                    **_status_fields(entries),
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:
            # A concurrent request with the same idempotency key won the race: answer with
            # its credential (our status entries stay unused, which is harmless).
            existing = _with_keys(issuer, [idempotency_key]).first()
            if not idempotency_key or existing is None:
                raise
            return existing
        event_record(
            actor=actor,
            verb="credential.issued",
            target=record,
            details={"credential_id": signed["id"], "via": via},
        )
    return record


def _active_parts(recipient, pathway: Pathway) -> list[IssuedCredential]:
    """The recipient's newest active credential for each micro-credential of the pathway."""
    held: dict[int, IssuedCredential] = {}
    credentials = (
        IssuedCredential.objects.filter(
            recipient=recipient,
            status=IssuedCredential.Status.ACTIVE,
            pathway__isnull=True,
            specification_version__micro_credential__in=pathway.members.all(),
        )
        .select_related("specification_version")
        .order_by("valid_from")
    )
    now = timezone.now()
    for credential in credentials:
        if credential.valid_until and credential.valid_until < now:
            continue
        held[credential.specification_version.micro_credential_id] = credential
    return list(held.values())


def _stack_candidates(recipient_ids: list[int], version: SpecificationVersion) -> set[int]:
    """Of these recipients, those who may now complete a pathway ``version`` belongs to: they
    hold enough of its parts (active, unexpired, counted as ``_active_parts`` counts them).
    One query per pathway instead of one look per recipient; the rest is
    ``_stack_certificates``'s."""
    ready: set[int] = set()
    now = timezone.now()
    for pathway in Pathway.objects.filter(is_active=True, members=version.micro_credential):
        counts = (
            IssuedCredential.objects.filter(
                recipient_id__in=recipient_ids,
                status=IssuedCredential.Status.ACTIVE,
                pathway__isnull=True,
                specification_version__micro_credential__in=pathway.members.all(),
            )
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=now))
            .values("recipient_id")
            .annotate(parts=Count("specification_version__micro_credential", distinct=True))
            .filter(parts__gte=pathway.required_count)
        )
        ready.update(row["recipient_id"] for row in counts)
    return ready


def _stack_certificates(*, recipient, version: SpecificationVersion, actor) -> None:
    pathways = Pathway.objects.filter(is_active=True, members=version.micro_credential)
    for pathway in pathways:
        parts = _active_parts(recipient, pathway)
        if len(parts) < pathway.required_count:
            continue
        if (
            IssuedCredential.objects.filter(recipient=recipient, pathway=pathway)
            .exclude(status=IssuedCredential.Status.REVOKED)
            .exists()
        ):
            continue
        certificate_version = pathway.certificate.versions.filter(
            status=SpecificationVersion.Status.PUBLISHED
        ).first()
        if certificate_version is None:
            continue
        certificate_issuer = _certificate_issuer(certificate_version, actor)
        try:
            # A concurrent award may have stacked the same certificate a moment earlier; the
            # unique constraint then refuses this one and the savepoint keeps the rest.
            with transaction.atomic():
                credential_issue(
                    issuer=certificate_issuer,
                    recipient=recipient,
                    version=certificate_version,
                    actor=actor,
                    pathway=pathway,
                    parts=sorted(parts, key=lambda c: c.valid_from),
                    stack=False,
                )
        except IntegrityError:
            continue


def _certificate_issuer(version: SpecificationVersion, actor) -> Issuer:
    body = version.awarding_bodies.order_by("awardingbody__position").first()
    organisation = body or programme_owner()
    return issuer_ensure(organisation=organisation, actor=actor)


# --- status changes ----------------------------------------------------------------------


def _require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise StatusChangeError(_("A reason is required."))


@transaction.atomic
def credential_revoke(
    *, credential: IssuedCredential, actor, reason: str, cascade: bool = True, publish: bool = True
) -> IssuedCredential:
    """Revoke for good. Certificates that depend on it follow their pathway's policy.

    ``publish=False`` sets the status bit without re-signing the list, for a caller revoking
    many at once that then calls ``status_lists_publish`` (one signature per list)."""
    _require_reason(reason)
    credential = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
    if credential.status == IssuedCredential.Status.REVOKED:
        raise StatusChangeError(_("This credential is already revoked."))
    if credential.revocation_list is None:
        raise StatusChangeError(_("This credential was issued without a revocation entry."))
    _status_bit_set(credential.revocation_list, credential.revocation_index, True, sign=publish)
    credential.status = IssuedCredential.Status.REVOKED
    credential.status_reason = reason
    credential.save(update_fields=["status", "status_reason", "updated_at"])
    event_record(actor=actor, verb="credential.revoked", target=credential, reason=reason)
    credential_changed.send(sender=IssuedCredential, credential=credential, change="revoked")
    if cascade:
        _after_part_revoked(credential, actor=actor, reason=reason)
    return credential


def _after_part_revoked(part: IssuedCredential, *, actor, reason: str) -> None:
    dependants = part.certificates.exclude(status=IssuedCredential.Status.REVOKED).select_related(
        "pathway"
    )
    for certificate in dependants:
        pathway = certificate.pathway
        if pathway is None:
            continue
        if len(_active_parts(certificate.recipient, pathway)) >= pathway.required_count:
            continue  # still earned through other parts
        why = _("A micro-credential it is made of was revoked: %(reason)s") % {"reason": reason}
        if pathway.revocation_policy == Pathway.RevocationPolicy.REVOKE:
            credential_revoke(credential=certificate, actor=actor, reason=why)
        else:
            IssuedCredential.objects.filter(pk=certificate.pk).update(needs_review=True)
            event_record(
                actor=actor,
                verb="credential.flagged",
                target=certificate,
                reason=why,
                details={"part": str(part.uuid)},
            )


@transaction.atomic
def credential_suspend(*, credential: IssuedCredential, actor, reason: str) -> IssuedCredential:
    _require_reason(reason)
    credential = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
    if credential.status != IssuedCredential.Status.ACTIVE:
        raise StatusChangeError(
            _("Only an active credential can be suspended; this one is %(status)s.")
            % {"status": credential.get_status_display().lower()}
        )
    if credential.suspension_list is None:
        raise StatusChangeError(
            _("This credential was issued without a suspension entry; it can only be revoked.")
        )
    _status_bit_set(credential.suspension_list, credential.suspension_index, True)
    credential.status = IssuedCredential.Status.SUSPENDED
    credential.status_reason = reason
    credential.save(update_fields=["status", "status_reason", "updated_at"])
    event_record(actor=actor, verb="credential.suspended", target=credential, reason=reason)
    credential_changed.send(sender=IssuedCredential, credential=credential, change="suspended")
    return credential


@transaction.atomic
def credential_reinstate(*, credential: IssuedCredential, actor, reason: str) -> IssuedCredential:
    _require_reason(reason)
    credential = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
    if credential.status != IssuedCredential.Status.SUSPENDED:
        raise StatusChangeError(_("Only a suspended credential can be reinstated."))
    _status_bit_set(credential.suspension_list, credential.suspension_index, False)
    credential.status = IssuedCredential.Status.ACTIVE
    credential.status_reason = reason
    credential.save(update_fields=["status", "status_reason", "updated_at"])
    event_record(actor=actor, verb="credential.reinstated", target=credential, reason=reason)
    credential_changed.send(sender=IssuedCredential, credential=credential, change="reinstated")
    return credential


@transaction.atomic
def credential_set_visibility(
    *, credential: IssuedCredential, actor, is_public: bool
) -> IssuedCredential:
    IssuedCredential.objects.filter(pk=credential.pk).update(is_public=is_public)
    credential.is_public = is_public
    event_record(
        actor=actor,
        verb="credential.made_public" if is_public else "credential.made_private",
        target=credential,
    )
    return credential


# --- API tokens --------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, organisation: Organisation, name: str, scopes: Iterable[str], actor=None
) -> tuple[ApiToken, str]:
    """A new token; the plain token is returned once and only its hash is stored."""
    scopes = sorted(set(scopes))
    unknown = set(scopes) - set(ApiToken.Scope.values)
    if unknown or not scopes:
        raise ValidationError(
            _("Unknown or missing scope: %(scopes)s. Known scopes: %(known)s.")
            % {"scopes": ", ".join(sorted(unknown)) or "-", "known": ", ".join(ApiToken.Scope)}
        )
    plain = "mct_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        token_hash=token_hash(plain),
        prefix=plain[:10],
        scopes=scopes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    event_record(actor=actor, verb="api_token.created", target=token, details={"scopes": scopes})
    return token, plain


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    event_record(actor=actor, verb="api_token.revoked", target=token)


def api_token_touch(token: ApiToken) -> None:
    # Coarse on purpose: one write per token per minute at most.
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
