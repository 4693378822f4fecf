"""Build Open Badges 3.0 credentials (unsigned) from the catalogue.

The ``Achievement`` is generated from the specification version a credential is awarded under.
The EU micro-credential elements that Open Badges has no property for, and the names and
descriptions in every language, use terms of a context object embedded in the credential
itself, so a verifier that knows only the standard contexts still understands every claim.
"""

import copy
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from modeltranslation.utils import build_localized_fieldname

from microcert.catalog.models import AchievementKind, SpecificationVersion
from microcert.core.i18n import CONTENT_LANGUAGES
from microcert.frameworks.models import Competence, ProficiencyLevel
from microcert.network.models import Organisation

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

# BCP 47 tags for our content languages (Django says "zh-hans").
BCP47 = {"en": "en", "vi": "vi", "zh-hans": "zh-Hans", "fr": "fr"}

# The terms of the embedded context and what they hold.
EXTENSION_TERMS: dict[str, dict] = {
    "localizedName": {"@id": "https://schema.org/name"},
    "localizedDescription": {"@id": "https://schema.org/description"},
    "learningOutcome": {"suffix": "learningOutcome"},
    "notionalWorkloadHours": {"suffix": "notionalWorkloadHours"},
    "eqfLevel": {"suffix": "eqfLevel"},
    "assessmentType": {"suffix": "assessmentType"},
    "participationForm": {"suffix": "participationForm"},
    "qualityAssurance": {"suffix": "qualityAssurance"},
    "qualityAssuranceDescription": {"suffix": "qualityAssuranceDescription"},
    "supervision": {"suffix": "supervision"},
    "prerequisites": {"suffix": "prerequisites"},
    "gradingScheme": {"suffix": "gradingScheme"},
    "stackability": {"suffix": "stackability"},
    "issuerCountry": {"suffix": "issuerCountry"},
    "issuerRegion": {"suffix": "issuerRegion"},
    "awardingBody": {"suffix": "awardingBody", "@type": "@id"},
    "furtherInformation": {"suffix": "furtherInformation"},
    "specificationVersion": {"suffix": "specificationVersion"},
}


def vocabulary_base() -> str:
    return f"{settings.PUBLIC_BASE_URL}/ns/v1#"


def embedded_context(used: set[str] | None = None) -> dict:
    """The context object carried inside every credential we issue. Only the terms the
    credential uses are defined: an unused definition would be a value that changes nothing
    in the signed data (and so could be altered unnoticed); so is "@protected"."""
    base = vocabulary_base()
    context: dict = {}
    for term, definition in EXTENSION_TERMS.items():
        if used is not None and term not in used:
            continue
        iri = definition.get("@id") or base + definition["suffix"]
        entry = {"@id": iri}
        if "@type" in definition:
            entry["@type"] = definition["@type"]
        context[term] = entry
    return context


def achievement_id(version: SpecificationVersion) -> str:
    return f"{settings.PUBLIC_BASE_URL}/achievements/{version.uuid}"


def page_url(path: str, language: str = "en") -> str:
    return f"{settings.PUBLIC_BASE_URL}/{language}/{path.lstrip('/')}"


OPEN_BADGE_TYPES = {"AchievementCredential", "OpenBadgeCredential"}


def parse_datetime(value: object) -> datetime | None:
    """A VC date-time (with a time zone) or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    try:
        moment.astimezone(UTC)  # a year-1 date with a positive offset cannot be stored
    except OverflowError:
        return None
    return moment


def xsd_datetime(moment: datetime) -> str:
    """UTC with a trailing Z and whole seconds, as the VC data model and OB schema expect."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _translations(instance, field_name: str) -> dict[str, str]:
    values = {}
    for language in CONTENT_LANGUAGES:
        text = getattr(instance, build_localized_fieldname(field_name, language), "") or ""
        if text.strip():
            values[language] = text
    return values


def _in_language(instance, field_name: str, language: str) -> str:
    values = _translations(instance, field_name)
    return values.get(language) or values.get("en") or ""


def _language_values(instance, field_name: str) -> list[dict]:
    return [
        {"@value": text, "@language": BCP47[language]}
        for language, text in _translations(instance, field_name).items()
    ]


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 IdentityHash of an e-mail address: ``sha256$`` + hex(SHA-256(email + salt))."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return f"sha256${digest}"


def new_salt() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Recipient:
    email: str
    salt: str
    did: str = ""


@dataclass(frozen=True)
class StatusEntry:
    purpose: str
    index: int
    list_url: str

    def as_json(self) -> dict:
        return {
            "id": f"{self.list_url}#{self.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.purpose,
            "statusListIndex": str(self.index),
            "statusListCredential": self.list_url,
        }


@dataclass(frozen=True)
class Evidence:
    url: str
    name: str
    narrative: str = ""
    genre: str = ""

    def as_json(self) -> dict:
        entry = {"id": self.url, "type": ["Evidence"], "name": self.name}
        if self.narrative:
            entry["narrative"] = self.narrative
        if self.genre:
            entry["genre"] = self.genre
        return entry


@dataclass(frozen=True)
class AwardInput:
    """Everything about one award that does not come from the specification."""

    credential_id: str
    issuer_profile: dict
    recipient: Recipient
    valid_from: datetime
    valid_until: datetime | None = None
    language: str = "en"
    # competence id -> proficiency level achieved
    results: dict[int, ProficiencyLevel] = field(default_factory=dict)
    evidence: Sequence[Evidence] = ()
    status: Sequence[StatusEntry] = ()
    # Signed EndorsementCredentials of the Achievement (e.g. an authority's recognition),
    # carried whole in its ``endorsement`` array so they verify on their own.
    endorsements: Sequence[dict] = ()


def issuer_profile(organisation: Organisation, did: str) -> dict:
    profile = {
        "id": did,
        "type": ["Profile"],
        "name": organisation.name,
        "url": organisation.website or page_url("partners/"),
        "address": {
            "type": ["Address"],
            "addressCountry": str(organisation.country.name),
            "addressCountryCode": organisation.country.code,
        },
    }
    return profile


def _alignment(competence: Competence, language: str) -> dict:
    framework = competence.framework
    return {
        "type": ["Alignment"],
        "targetType": "CFItem",
        "targetName": _in_language(competence, "name", language),
        "targetDescription": _in_language(competence, "description", language)
        or _in_language(competence, "name", language),
        "targetUrl": competence.uri,
        "targetCode": str(competence.uuid),
        "targetFramework": _in_language(framework, "title", language),
    }


def _criteria_narrative(version: SpecificationVersion, language: str) -> str:
    lines = []
    for criterion in version.rubric.all():
        passing = [
            _in_language(level, "label", language)
            for level in criterion.levels.all()
            if level.passing
        ]
        title = _in_language(criterion, "title", language)
        lines.append(f"- **{title}**: {' / '.join(passing)}" if passing else f"- **{title}**")
    with translation.override(language):
        heading = translation.gettext(
            "Evidence from teaching practice is reviewed against this public rubric; "
            "every criterion must reach a passing level:"
        )
    return heading + "\n\n" + "\n".join(lines)


def _level_json(level: ProficiencyLevel, language: str) -> dict:
    return {
        "id": level.uri,
        "type": ["RubricCriterionLevel"],
        "name": _in_language(level, "name", language) or level.code,
        "level": level.code,
    }


def build_achievement(version: SpecificationVersion, *, language: str) -> dict:
    """The Achievement for a specification version, in ``language`` with all translations."""
    achievement_uri = achievement_id(version)
    is_certificate = version.micro_credential.kind == AchievementKind.CERTIFICATE
    alignments = list(
        version.alignments.select_related(
            "competence__framework", "target_level__framework"
        ).order_by("position")
    )
    levels_by_framework: dict[int, list[ProficiencyLevel]] = {}
    for alignment in alignments:
        framework = alignment.competence.framework
        if framework.pk not in levels_by_framework:
            levels_by_framework[framework.pk] = list(framework.levels.order_by("position"))

    achievement: dict = {
        "id": achievement_uri,
        "type": ["Achievement"],
        "achievementType": "Certificate" if is_certificate else "MicroCredential",
        "name": _in_language(version, "title", language),
        "description": _in_language(version, "description", language)
        or _in_language(version, "summary", language)
        or _in_language(version, "title", language),
        "localizedName": _language_values(version, "title"),
        "localizedDescription": _language_values(version, "description")
        or _language_values(version, "summary"),
        "criteria": {
            "id": page_url(
                f"catalogue/{version.micro_credential.slug}/v{version.number}/", language
            ),
            "narrative": _criteria_narrative(version, language),
        },
        "inLanguage": BCP47.get(language, "en"),
        "version": str(version.number),
        "humanCode": version.micro_credential.slug,
    }
    if version.ects is not None:
        achievement["creditsAvailable"] = float(version.ects)
    if alignments:
        achievement["alignment"] = [_alignment(a.competence, language) for a in alignments]
        achievement["resultDescription"] = [
            {
                "id": f"{achievement_uri}#competence-{a.competence.uuid}",
                "type": ["ResultDescription"],
                "name": _in_language(a.competence, "name", language),
                "resultType": "RubricCriterionLevel",
                "alignment": [_alignment(a.competence, language)],
                "requiredLevel": a.target_level.uri,
                "rubricCriterionLevel": [
                    _level_json(level, language)
                    for level in levels_by_framework[a.competence.framework_id]
                ],
            }
            for a in alignments
        ]
    achievement.update(_eu_elements(version, language))
    return {key: value for key, value in achievement.items() if value not in ("", [], None)}


def _eu_elements(version: SpecificationVersion, language: str) -> dict:
    bodies = [
        {"id": page_url(f"partners/#{org.slug}"), "type": ["Profile"], "name": org.name}
        for org in version.awarding_bodies.order_by("awardingbody__position")
    ]
    elements: dict = {
        "learningOutcome": [_in_language(o, "text", language) for o in version.outcomes.all()],
        "notionalWorkloadHours": _number(version.workload_hours),
        "eqfLevel": version.eqf_level,
        "assessmentType": version.assessment_type,
        "participationForm": version.participation_form,
        "qualityAssurance": version.quality_assurance,
        "qualityAssuranceDescription": _in_language(
            version, "quality_assurance_description", language
        ),
        "supervision": version.supervision,
        "prerequisites": _in_language(version, "prerequisites", language),
        "gradingScheme": version.grading,
        "stackability": version.stackability,
        "issuerCountry": version.issuer_country.code,
        "issuerRegion": version.issuer_region,
        "awardingBody": bodies,
        "furtherInformation": _in_language(version, "further_information", language),
        "specificationVersion": version.number,
    }
    return elements


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True)
class SpecificationFacts:
    """What a credential takes from its specification version, read from the database once:
    the Achievement in one language and what the results and credits need. Credentials of a
    cohort share it (and its ``achievement`` object: treat it as read-only)."""

    achievement: dict
    achievement_keys: frozenset[str]
    ects: Decimal | None
    # (competence id, competence UUID) of each alignment, in order: what a result points at.
    result_targets: tuple[tuple[int, str], ...]

    def with_endorsements(self, endorsements: Sequence[dict]) -> "SpecificationFacts":
        """The same facts with ``endorsements`` carried in the Achievement (copied once)."""
        if not endorsements:
            return self
        copies = [copy.deepcopy(e) for e in endorsements]
        return SpecificationFacts(
            achievement={**self.achievement, "endorsement": copies},
            achievement_keys=self.achievement_keys | {"endorsement"} | _keys(copies),
            ects=self.ects,
            result_targets=self.result_targets,
        )


def specification_facts(version: SpecificationVersion, *, language: str) -> SpecificationFacts:
    achievement = build_achievement(version, language=language)
    alignments = version.alignments.select_related("competence").order_by("position")
    return SpecificationFacts(
        achievement=achievement,
        achievement_keys=frozenset(_keys(achievement)),
        ects=version.ects,
        result_targets=tuple((a.competence_id, str(a.competence.uuid)) for a in alignments),
    )


def build_credential(
    version: SpecificationVersion,
    award: AwardInput,
    *,
    parts: Iterable[tuple[str, str]] = (),
) -> dict:
    """The unsigned AchievementCredential. ``parts`` are (credential id, name) of the
    micro-credentials a stacked certificate is made of."""
    facts = specification_facts(version, language=award.language)
    return assemble_credential(facts, award, parts=parts)


def assemble_credential(
    facts: SpecificationFacts,
    award: AwardInput,
    *,
    parts: Iterable[tuple[str, str]] = (),
) -> dict:
    """The unsigned AchievementCredential from facts read before: no database access, so a
    cohort pays for the specification once. The result shares ``facts.achievement``."""
    facts = facts.with_endorsements(award.endorsements)
    achievement = facts.achievement
    subject: dict = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(award.recipient.email, award.recipient.salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": award.recipient.salt,
            }
        ],
        "achievement": achievement,
    }
    if award.recipient.did:
        subject = {"id": award.recipient.did, **subject}
    if facts.ects is not None:
        subject["creditsEarned"] = float(facts.ects)
    results = []
    for competence_id, competence_uuid in facts.result_targets:
        level = award.results.get(competence_id)
        if level is None:
            continue
        results.append(
            {
                "type": ["Result"],
                "resultDescription": f"{achievement['id']}#competence-{competence_uuid}",
                "achievedLevel": level.uri,
                "value": level.code,
            }
        )
    if results:
        subject["result"] = results

    evidence = [item.as_json() for item in award.evidence]
    evidence += [
        {"id": part_id, "type": ["Evidence"], "name": name, "genre": "MicroCredential"}
        for part_id, name in parts
    ]
    credential: dict = {
        "@context": [VC_V2, OB_V3],
        "id": award.credential_id,
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": achievement["name"],
        "description": achievement["description"],
        "issuer": award.issuer_profile,
        "validFrom": xsd_datetime(award.valid_from),
        "awardedDate": xsd_datetime(award.valid_from),
        "credentialSubject": subject,
    }
    if award.valid_until is not None:
        credential["validUntil"] = xsd_datetime(award.valid_until)
    if evidence:
        credential["evidence"] = evidence
    statuses = [entry.as_json() for entry in award.status]
    if len(statuses) == 1:
        # OB 3.0 allows one status (the schema wants an object); VC 2.0 allows a list.
        credential["credentialStatus"] = statuses[0]
    elif statuses:
        credential["credentialStatus"] = statuses
    # The keys of the whole credential, the Achievement's counted once in ``facts``.
    outside = {k: v for k, v in credential.items() if k != "credentialSubject"}
    inside = {k: v for k, v in subject.items() if k != "achievement"}
    used = _keys(outside) | _keys(inside) | {"credentialSubject", "achievement"}
    credential["@context"].append(embedded_context(used | facts.achievement_keys))
    return credential


def _keys(node) -> set[str]:
    """Every key of every object in ``node``, at any depth (walked without recursion: this
    runs once per credential of a cohort)."""
    found: set[str] = set()
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, dict):
            found.update(current)
            pending.extend(v for v in current.values() if isinstance(v, dict | list))
        elif isinstance(current, list):
            pending.extend(v for v in current if isinstance(v, dict | list))
    return found
