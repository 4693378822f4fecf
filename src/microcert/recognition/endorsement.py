"""The authority's word, verifiable: an approving inclusion decision as an Open Badges 3.0
``EndorsementCredential``.

The authority (its organisation, as a did:web issuer of this platform) endorses the
Achievement of the specification version: the subject's ``id`` is the very id the
AchievementCredential builder gives that Achievement, so a verifier can match the two. The
comment says what the decision says: the scheme, the equivalence in the scheme's unit, the
window and the conditions. ``application_decide(..., endorse=build_and_sign)`` stores the
signed document on the decision; credentials awarded while the decision is in force carry it
inside their Achievement (``selectors.endorsements_in_force``).

The signed text is in English (``language``), the working language of the credential
ecosystem; the pages show the same terms in the reader's language.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from microcert.credentials import openbadges
from microcert.credentials import services as credential_services

from .models import InclusionDecision, Unit

ENDORSEMENT_TYPES = ["VerifiableCredential", "EndorsementCredential"]


def endorsement_url(decision: InclusionDecision) -> str:
    """Where anyone can download the signed endorsement (also its ``id``)."""
    path = reverse("recognition_api:endorsement", kwargs={"decision_id": decision.uuid})
    return f"{settings.PUBLIC_BASE_URL}{path}"


def _plain(amount: Decimal) -> str:
    """10.00 -> "10", 7.50 -> "7.5"."""
    return format(amount.normalize(), "f")


def amount_text(amount: Decimal, unit: str) -> str:
    """An amount in a unit, in the active language: "8 lessons of 45 minutes (tiết)"."""
    count = int(amount) if amount == amount.to_integral_value() else 2
    values = {"amount": _plain(amount)}
    if unit == Unit.CLOCK_HOUR:
        return ngettext("%(amount)s clock hour", "%(amount)s clock hours", count) % values
    if unit == Unit.LESSON_45:
        return (
            ngettext(
                "%(amount)s lesson of 45 minutes (tiết)",
                "%(amount)s lessons of 45 minutes (tiết)",
                count,
            )
            % values
        )
    if unit == Unit.STANDARD_HOUR_50:
        return (
            ngettext(
                "%(amount)s standard hour of 50 minutes",
                "%(amount)s standard hours of 50 minutes",
                count,
            )
            % values
        )
    if unit == Unit.ECTS:
        return ngettext("%(amount)s ECTS credit", "%(amount)s ECTS credits", count) % values
    if unit == Unit.CEU:
        return (
            ngettext(
                "%(amount)s continuing education unit (CEU)",
                "%(amount)s continuing education units (CEU)",
                count,
            )
            % values
        )
    return ngettext("%(amount)s CPD unit", "%(amount)s CPD units", count) % values


def equivalence_text(decision: InclusionDecision) -> str:
    """The equivalence in the active language: 1 credential = 8 lessons of 45 minutes (tiết)."""
    scheme = decision.application.scheme
    return _("1 credential = %(amount)s") % {
        "amount": amount_text(decision.equivalence, scheme.unit)
    }


def _window_text(decision: InclusionDecision) -> str:
    if decision.valid_until:
        return _("valid from %(start)s until %(end)s") % {
            "start": decision.valid_from.isoformat(),
            "end": decision.valid_until.isoformat(),
        }
    return _("valid from %(start)s until further notice") % {
        "start": decision.valid_from.isoformat()
    }


def comment(decision: InclusionDecision) -> str:
    """The endorsement's claim in words (Markdown allowed, plain text used)."""
    scheme = decision.application.scheme
    text = f"{scheme.title}: {equivalence_text(decision)}, {_window_text(decision)}."
    if decision.conditions:
        text += " " + _("Conditions: %(conditions)s") % {"conditions": decision.conditions}
    return text


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=datetime.UTC)


def build(decision: InclusionDecision, *, issuer_did: str, language: str = "en") -> dict:
    """The unsigned EndorsementCredential of an approving decision."""
    if decision.outcome != InclusionDecision.Outcome.APPROVE:
        raise ValueError("only an approval is endorsed")
    application = decision.application
    scheme = application.scheme
    organisation = scheme.authority.organisation
    version = application.version
    with translation.override(language):
        document: dict = {
            "@context": [openbadges.VC_V2, openbadges.OB_V3],
            "id": endorsement_url(decision),
            "type": list(ENDORSEMENT_TYPES),
            "name": _("%(authority)s recognises “%(title)s”")
            % {"authority": organisation.name, "title": version.title},
            "description": _(
                "Decision %(number)s on the inclusion of “%(title)s” (version %(version)s) "
                "in %(scheme)s."
            )
            % {
                "number": decision.number,
                "title": version.title,
                "version": version.number,
                "scheme": scheme.title,
            },
            "issuer": openbadges.issuer_profile(organisation, issuer_did),
            "validFrom": openbadges.xsd_datetime(_midnight(decision.valid_from)),
            "credentialSubject": {
                "id": openbadges.achievement_id(version),
                "type": ["EndorsementSubject"],
                "endorsementComment": comment(decision),
            },
        }
    if decision.valid_until:
        # The decision's last day counts in full.
        last = _midnight(decision.valid_until + datetime.timedelta(days=1))
        document["validUntil"] = openbadges.xsd_datetime(last - datetime.timedelta(seconds=1))
    return document


def build_and_sign(decision: InclusionDecision) -> dict:
    """The EndorsementCredential of ``decision``, signed by the authority's own issuer (a
    did:web of this platform, made on first use)."""
    organisation = decision.application.scheme.authority.organisation
    issuer = credential_services.issuer_ensure(organisation=organisation, actor=None)
    unsigned = build(decision, issuer_did=credential_services.issuer_did(issuer))
    return credential_services.document_sign(issuer=issuer, document=unsigned)
