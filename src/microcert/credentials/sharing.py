"""How an issued credential is shown to people and handed on: a readable summary of the signed
document, the printable certificate's view, a LinkedIn "add to profile" link, and the offer
of the credential to the DCC Learner Credential Wallet through a one-time exchange.

Everything here reads the signed document (the authoritative record) rather than today's
catalogue, so a page says what the credential says even after the specification moved on.
The document may come from the VC-API and be any VC 2.0 credential: every read is defensive.
"""

import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_countries import countries

from microcert.catalog import models as catalog_models
from microcert.core.selectors import events_for
from microcert.core.services import event_record

from . import openbadges
from .models import IssuedCredential
from .pdf import LANGUAGES as CERTIFICATE_LANGUAGES
from .pdf import CertificateView

# --- reading the signed document ---------------------------------------------------------


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _web_url(value: object) -> str:
    """``value`` if it is an http(s) address, else "": documents from the VC-API may carry
    any string, and only web addresses may become links."""
    text = _text(value)
    return text if text.lower().startswith(("https://", "http://")) else ""


def bcp47(language: str) -> str:
    return openbadges.BCP47.get(language, language)


def localized(values: object, language: str) -> str:
    """The text for ``language`` in a list of JSON-LD language values, or ""."""
    tag = bcp47(language).lower()
    for item in _list(values):
        item = _dict(item)
        if _text(item.get("@language")).lower() == tag and _text(item.get("@value")):
            return item["@value"]
    return ""


def _number(value: object) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else value


def _choice_label(choices, value: object) -> str:
    """The translated label of a catalogue choice, or the value itself if unknown."""
    text = _text(value)
    try:
        return str(choices(text).label)
    except ValueError:
        return text


@dataclass(frozen=True)
class Competence:
    name: str
    framework: str
    url: str
    level_code: str
    level_name: str
    achieved: bool  # True when the credential records the level reached, False for the target


@dataclass(frozen=True)
class Part:
    name: str
    credential_id: str
    uuid: str = ""  # set when the part is a credential on this platform


@dataclass(frozen=True)
class Evidence:
    name: str
    url: str
    narrative: str = ""


@dataclass(frozen=True)
class Summary:
    """What a person reads about a credential; ``title`` and ``description`` are in the
    language asked for when the credential carries it, the rest in ``document_language``."""

    credential_id: str
    title: str
    title_language: str
    description: str
    description_language: str
    document_language: str
    is_certificate: bool
    issuer_name: str
    issuer_id: str
    issuer_url: str
    issuer_country_code: str
    valid_from: datetime | None
    valid_until: datetime | None
    outcomes: list[str] = field(default_factory=list)
    competences: list[Competence] = field(default_factory=list)
    awarding_bodies: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    elements: dict = field(default_factory=dict)


def _competences(achievement: dict, subject: dict) -> list[Competence]:
    achieved = {
        _text(r.get("resultDescription")): _text(r.get("achievedLevel")) or _text(r.get("value"))
        for r in map(_dict, _list(subject.get("result")))
    }
    found = []
    for description in map(_dict, _list(achievement.get("resultDescription"))):
        levels = {
            _text(level.get("id")): level
            for level in map(_dict, _list(description.get("rubricCriterionLevel")))
        }
        reached = achieved.get(_text(description.get("id")), "")
        level_id = reached or _text(description.get("requiredLevel"))
        level = levels.get(level_id) or next(
            (lv for lv in levels.values() if _text(lv.get("level")) == level_id), {}
        )
        alignment = _dict((_list(description.get("alignment")) or [{}])[0])
        found.append(
            Competence(
                name=_text(description.get("name")) or _text(alignment.get("targetName")),
                framework=_text(alignment.get("targetFramework")),
                url=_web_url(alignment.get("targetUrl")),
                level_code=_text(level.get("level")) or (reached if reached else ""),
                level_name=_text(level.get("name")),
                achieved=bool(reached),
            )
        )
    return found


def _elements(achievement: dict) -> dict:
    """The EU standard elements the achievement carries, with choice values as labels."""
    return {
        "workload_hours": _number(achievement.get("notionalWorkloadHours")),
        "ects": _number(achievement.get("creditsAvailable")),
        "eqf_level": _number(achievement.get("eqfLevel")),
        "assessment_type": _choice_label(
            catalog_models.AssessmentType, achievement.get("assessmentType")
        ),
        "participation_form": _choice_label(
            catalog_models.ParticipationForm, achievement.get("participationForm")
        ),
        "quality_assurance": _choice_label(
            catalog_models.QualityAssurance, achievement.get("qualityAssurance")
        ),
        "quality_assurance_description": _text(achievement.get("qualityAssuranceDescription")),
        "supervision": _choice_label(catalog_models.Supervision, achievement.get("supervision")),
        "prerequisites": _text(achievement.get("prerequisites")),
        "grading": _choice_label(catalog_models.Grading, achievement.get("gradingScheme")),
        "stackability": _choice_label(catalog_models.Stackability, achievement.get("stackability")),
        "issuer_country": _country_name(_text(achievement.get("issuerCountry"))),
        "issuer_region": _text(achievement.get("issuerRegion")),
        "further_information": _text(achievement.get("furtherInformation")),
        "version": _text(achievement.get("version")),
    }


def _country_name(code: str) -> str:
    if not code:
        return ""
    return str(countries.name(code)) or code


def _achievement(document: dict) -> dict:
    subject = _dict((_list(document.get("credentialSubject")) or [{}])[0])
    return _dict(subject.get("achievement"))


def title(credential: IssuedCredential, language: str | None = None) -> str:
    """The credential's title in ``language`` if it carries one, else its own name."""
    document = _dict(credential.document)
    achievement = _achievement(document)
    return (
        localized(achievement.get("localizedName"), language or translation.get_language() or "en")
        or _text(document.get("name"))
        or _text(achievement.get("name"))
        or str(credential.uuid)
    )


def summarise(credential: IssuedCredential, language: str | None = None) -> Summary:
    """Read a credential's document for a page in ``language`` (the active one by default)."""
    language = language or translation.get_language() or "en"
    document = _dict(credential.document)
    subject = _dict((_list(document.get("credentialSubject")) or [{}])[0])
    achievement = _dict(subject.get("achievement"))
    document_language = _text(achievement.get("inLanguage")) or bcp47(credential.language)
    issuer = document.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {"id": _text(issuer)}

    title = localized(achievement.get("localizedName"), language)
    title_language = bcp47(language) if title else document_language
    title = title or _text(document.get("name")) or _text(achievement.get("name"))
    description = localized(achievement.get("localizedDescription"), language)
    description_language = bcp47(language) if description else document_language
    description = (
        description or _text(document.get("description")) or _text(achievement.get("description"))
    )

    known_parts = {f"urn:uuid:{part.uuid}": part for part in credential.components.all()}
    parts, evidence = [], []
    for item in map(_dict, _list(document.get("evidence"))):
        item_id = _text(item.get("id"))
        if _text(item.get("genre")) == "MicroCredential":
            part = known_parts.get(item_id)
            parts.append(
                Part(
                    name=_text(item.get("name")) or item_id,
                    credential_id=item_id,
                    uuid=str(part.uuid) if part else "",
                )
            )
        elif item_id or _text(item.get("name")):
            evidence.append(
                Evidence(
                    name=_text(item.get("name")) or item_id,
                    url=_web_url(item_id),
                    narrative=_text(item.get("narrative")),
                )
            )

    return Summary(
        credential_id=_text(document.get("id")),
        title=title or str(credential.uuid),
        title_language=title_language,
        description=description,
        description_language=description_language,
        document_language=document_language,
        is_certificate=_text(achievement.get("achievementType")) == "Certificate",
        issuer_name=_text(issuer.get("name")) or str(credential.issuer),
        issuer_id=_text(issuer.get("id")),
        issuer_url=_web_url(issuer.get("url")),
        issuer_country_code=_text(_dict(issuer.get("address")).get("addressCountryCode")),
        valid_from=openbadges.parse_datetime(document.get("validFrom")) or credential.valid_from,
        valid_until=openbadges.parse_datetime(document.get("validUntil")),
        outcomes=[_text(o) for o in _list(achievement.get("learningOutcome")) if _text(o)],
        competences=_competences(achievement, subject),
        awarding_bodies=[
            _text(_dict(body).get("name"))
            for body in _list(achievement.get("awardingBody"))
            if _text(_dict(body).get("name"))
        ],
        parts=parts,
        evidence=evidence,
        elements=_elements(achievement),
    )


def recipient_name(credential: IssuedCredential) -> str:
    person = credential.recipient
    if person is None:
        return ""
    return person.legal_name or person.display_name or ""


# --- addresses ---------------------------------------------------------------------------


def page_url(credential: IssuedCredential, language: str | None = None) -> str:
    """The absolute address of the credential's public page, in ``language``'s prefix."""
    with translation.override(language or translation.get_language() or "en"):
        path = reverse("credentials:detail", args=[credential.uuid])
    return settings.PUBLIC_BASE_URL + path


# --- the printable certificate -----------------------------------------------------------


def certificate_view(credential: IssuedCredential) -> CertificateView:
    """The certificate of ``credential``, in the language it was issued in."""
    language = credential.language if credential.language in CERTIFICATE_LANGUAGES else "en"
    with translation.override(language):
        summary = summarise(credential, language)
        elements = summary.elements
        type_label = _("Certificate") if summary.is_certificate else _("Micro-credential")
        country = elements["issuer_country"] or _country_name(summary.issuer_country_code)
        workload = elements["workload_hours"]
        return CertificateView(
            language=language,
            recipient_name=recipient_name(credential) or "—",
            title=summary.title,
            description=summary.description,
            achievement_type_label=type_label,
            issuer_name=summary.issuer_name,
            issuer_country=country,
            issued_on=(summary.valid_from or credential.valid_from).date(),
            credential_id=summary.credential_id or f"urn:uuid:{credential.uuid}",
            verification_url=page_url(credential, language),
            awarding_bodies=tuple(summary.awarding_bodies),
            valid_until=summary.valid_until.date() if summary.valid_until else None,
            workload_hours=round(workload) if workload is not None else None,
            ects=str(elements["ects"]) if elements["ects"] is not None else None,
            eqf_level=str(elements["eqf_level"]) if elements["eqf_level"] is not None else None,
            learning_outcomes=tuple(summary.outcomes),
            competences=tuple(
                (c.name, c.level_code or c.level_name) for c in summary.competences if c.name
            ),
            components=tuple(part.name for part in summary.parts),
        )


def certificate_file_name(credential: IssuedCredential) -> str:
    return f"certificate-{credential.uuid}.pdf"


# --- LinkedIn ----------------------------------------------------------------------------

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def linkedin_url(credential: IssuedCredential) -> str:
    """LinkedIn's "add licence or certification" link, filled in from the credential."""
    summary = summarise(credential, credential.language)
    issued = summary.valid_from or credential.valid_from
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": summary.title,
        "organizationName": summary.issuer_name,
        "issueYear": issued.year,
        "issueMonth": issued.month,
    }
    if summary.valid_until:
        params["expirationYear"] = summary.valid_until.year
        params["expirationMonth"] = summary.valid_until.month
    params["certUrl"] = page_url(credential, credential.language)
    params["certId"] = str(credential.uuid)
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(params)}"


# --- the Learner Credential Wallet -------------------------------------------------------
#
# The wallet is given a deep link with an exchange URL and a challenge. It POSTs a DID
# Authentication presentation (holding the challenge) to the URL, with the challenge as a
# bearer token, and expects the credential in return. The exchange URL carries a signed,
# short-lived token bound to one credential; once redeemed it is spent (the redemption is an
# event, written under a lock of the credential row, so two requests cannot both spend it).

EXCHANGE_SALT = "microcert.credentials.wallet-exchange"
EXCHANGE_MAX_AGE_SECONDS = 10 * 60
EXCHANGE_VERB = "credential.sent_to_wallet"
LCW_DEEP_LINK = "dccrequest://request"
LCW_UNIVERSAL_LINK = "https://lcw.app/request.html"


class ExchangeError(Exception):
    """A refused exchange: an HTTP status and a message for the wallet."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class WalletOffer:
    exchange_url: str
    challenge: str
    deep_link: str
    universal_link: str
    qr_svg: str
    expires_at: datetime


def _signer(credential: IssuedCredential) -> signing.TimestampSigner:
    # The salt binds a token to one credential; the timestamp makes it expire.
    return signing.TimestampSigner(salt=f"{EXCHANGE_SALT}:{credential.uuid}")


def exchange_challenge(token: str) -> str:
    """The challenge that goes with an exchange token (derived, so nothing is stored)."""
    return salted_hmac(EXCHANGE_SALT + ".challenge", token).hexdigest()[:32]


def _token_fingerprint(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def qr_svg(payload: str, *, title: str = "") -> str:
    """An inline SVG QR code (no XML declaration), scaled by CSS."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    # Low error correction keeps the code sparse: it is read from a screen, not from paper.
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=4)
    qr.add_data(payload)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(image_factory=SvgPathImage).save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    label = f' role="img" aria-label="{_escape_attribute(title)}"' if title else ""
    return svg.replace("<svg", f'<svg class="qr"{label}', 1)


def _escape_attribute(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def wallet_offer(credential: IssuedCredential) -> WalletOffer:
    """A fresh exchange for ``credential``: its URL, challenge, deep links and QR code."""
    token = _signer(credential).sign(secrets.token_urlsafe(12))
    path = reverse("credentials:exchange", args=[credential.uuid, token])
    exchange_url = settings.PUBLIC_BASE_URL + path
    challenge = exchange_challenge(token)
    issuer = _dict(credential.document.get("issuer")).get("id") or credential.document.get("issuer")
    query = urlencode(
        {
            "issuer": issuer if isinstance(issuer, str) else settings.PUBLIC_BASE_URL,
            "vc_request_url": exchange_url,
            "challenge": challenge,
            "auth_type": "bearer",
        }
    )
    universal_link = f"{LCW_UNIVERSAL_LINK}?{query}"
    return WalletOffer(
        exchange_url=exchange_url,
        challenge=challenge,
        deep_link=f"{LCW_DEEP_LINK}?{query}",
        universal_link=universal_link,
        qr_svg=qr_svg(universal_link, title=_("QR code for the Learner Credential Wallet")),
        expires_at=timezone.now() + timedelta(seconds=EXCHANGE_MAX_AGE_SECONDS),
    )


def _presented_challenge(authorization: str, presentation: object) -> str:
    scheme, _sep, value = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    proofs = _list(_dict(presentation).get("proof"))
    for proof in map(_dict, proofs):
        if _text(proof.get("challenge")):
            return _text(proof.get("challenge"))
    return ""


def _holder(presentation: object) -> str:
    holder = _dict(presentation).get("holder")
    holder = _dict(holder).get("id") if isinstance(holder, dict) else holder
    return _text(holder)[:200]


def wallet_exchange(
    *, credential: IssuedCredential, token: str, authorization: str = "", presentation=None
) -> dict:
    """Redeem an exchange token and return the signed credential for the wallet.

    Raises :class:`ExchangeError` for a token that is forged, for another credential,
    expired or spent, for a missing or wrong challenge, and for a revoked credential.
    """
    try:
        nonce = _signer(credential).unsign(token, max_age=EXCHANGE_MAX_AGE_SECONDS)
    except signing.SignatureExpired as error:
        raise ExchangeError(410, _("This wallet link has expired; ask for a new one.")) from error
    except signing.BadSignature as error:  # forged, or made for another credential
        raise ExchangeError(404, _("Unknown exchange.")) from error
    if not constant_time_compare(
        _presented_challenge(authorization, presentation), exchange_challenge(token)
    ):
        raise ExchangeError(401, _("The challenge is missing or does not match this exchange."))
    fingerprint = _token_fingerprint(nonce)
    with transaction.atomic():
        locked = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
        if locked.status == IssuedCredential.Status.REVOKED:
            raise ExchangeError(409, _("This credential has been revoked."))
        spent = _exchange_events(locked).filter(details__exchange=fingerprint).exists()
        if spent:
            raise ExchangeError(410, _("This wallet link has already been used."))
        event_record(
            actor=locked.recipient,
            verb=EXCHANGE_VERB,
            target=locked,
            details={"exchange": fingerprint, "holder": _holder(presentation)},
        )
    return locked.document


def _exchange_events(credential: IssuedCredential):
    return events_for(credential).filter(verb=EXCHANGE_VERB)
