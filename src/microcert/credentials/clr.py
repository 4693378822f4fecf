"""A learner's transcript as a 1EdTech Comprehensive Learner Record (CLR) 2.0 credential.

The ``ClrCredential`` is issued and signed by the programme owner's issuer; its subject
(``ClrSubject``) holds every active Open Badges credential of the learner, each exactly as it
was signed, so a verifier can check the transcript and every credential in it.

Signing needs the CLR 2.0 JSON-LD context, and contexts are never fetched: only a context pinned
in :mod:`.jsonld` can be used. Until the CLR context is pinned there, the transcript is a plain,
unsigned JSON bundle of the signed credentials with a note that says so.
"""

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microcert.core.services import event_record
from microcert.network.selectors import programme_owner

from . import jsonld, openbadges, services
from .models import IssuedCredential

CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
TRANSCRIPT_VERB = "credential.transcript_signed"


class TranscriptError(Exception):
    """A transcript cannot be signed (no programme owner, say); the message says why."""


@dataclass(frozen=True)
class Transcript:
    document: dict
    signed: bool
    credentials: int


def clr_context_available() -> bool:
    """True when the CLR 2.0 context is pinned, so a transcript can be signed."""
    return CLR_V2 in jsonld.PINNED_CONTEXTS


def transcript_credentials(learner) -> list[IssuedCredential]:
    """The learner's active, unexpired Open Badges credentials, oldest first."""
    now = timezone.now()
    found = []
    credentials = IssuedCredential.objects.filter(
        recipient=learner, status=IssuedCredential.Status.ACTIVE
    ).order_by("valid_from", "id")
    for credential in credentials:
        if credential.valid_until and credential.valid_until < now:
            continue
        types = credential.document.get("type") or []
        if openbadges.OPEN_BADGE_TYPES & set(types):
            found.append(credential)
    return found


def _learner_name(learner) -> str:
    return learner.legal_name or learner.display_name or learner.email


def build_clr(*, learner, credentials: list[IssuedCredential], issuer_profile: dict) -> dict:
    """The unsigned ClrCredential for ``credentials`` of ``learner``."""
    now = timezone.now().replace(microsecond=0)
    salt = openbadges.new_salt()
    # ClrSubject.achievement (optional) is left out: each achievement is inside its signed
    # credential already, and a copy outside would need our extension terms defined again.
    subject: dict = {
        "type": ["ClrSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": openbadges.identity_hash(learner.email, salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        ],
        "verifiableCredential": [credential.document for credential in credentials],
    }
    return {
        "@context": [openbadges.VC_V2, CLR_V2, openbadges.OB_V3],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": _("Transcript of micro-credentials: %(name)s") % {"name": _learner_name(learner)},
        "description": _(
            "Every active credential of the learner on this platform, each as it was issued."
        ),
        "issuer": issuer_profile,
        "validFrom": openbadges.xsd_datetime(now),
        "awardedDate": openbadges.xsd_datetime(now),
        "credentialSubject": subject,
    }


def _unsigned(learner, credentials: list[IssuedCredential]) -> Transcript:
    document = {
        "note": _(
            "This transcript is not signed: the CLR 2.0 JSON-LD context is not yet pinned on "
            "this platform, and contexts are never fetched from the network. Each credential "
            "in it is signed by its issuer and verifies on its own."
        ),
        "learner": _learner_name(learner),
        "generated": openbadges.xsd_datetime(timezone.now()),
        "verifiableCredential": [credential.document for credential in credentials],
    }
    return Transcript(document=document, signed=False, credentials=len(credentials))


def transcript_issue(*, learner, actor) -> Transcript:
    """The learner's transcript, signed by the programme owner when the context allows."""
    credentials = transcript_credentials(learner)
    if not clr_context_available():
        return _unsigned(learner, credentials)
    owner = programme_owner()
    if owner is None:
        raise TranscriptError(_("No organisation owns the programme, so nobody can sign."))
    issuer = services.issuer_ensure(organisation=owner, actor=actor)
    key = issuer.keys.get(retired_at__isnull=True)
    profile = openbadges.issuer_profile(owner, services.issuer_did(issuer, key))
    unsigned = build_clr(learner=learner, credentials=credentials, issuer_profile=profile)
    with transaction.atomic():
        signed = services._sign(unsigned, issuer=issuer, key=key)
        event_record(
            actor=actor,
            verb=TRANSCRIPT_VERB,
            target=learner,
            details={
                "transcript_id": signed["id"],
                "credentials": [doc.get("id") for doc in credentials_in(signed)],
            },
        )
    return Transcript(document=signed, signed=True, credentials=len(credentials))


def credentials_in(transcript: dict) -> list[dict]:
    """The credentials a transcript (signed or not) carries."""
    subject = transcript.get("credentialSubject")
    holder = subject if isinstance(subject, dict) else transcript
    found = holder.get("verifiableCredential") or []
    return [doc for doc in found if isinstance(doc, dict)]
