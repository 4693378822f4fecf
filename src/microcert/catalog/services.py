"""Writes of the catalogue. Each is one transaction and records its event.

Specification content is given as a plain mapping (the shape of ``demo/data/catalogue.json``):
texts as {language: text}, organisations by slug, competences as
{"framework", "competence", "target_level"}. The same shape serves the admin, the API and imports.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microcert.accounts.models import User
from microcert.core.i18n import CONTENT_LANGUAGES, set_translations
from microcert.core.services import event_record
from microcert.frameworks import selectors as framework_selectors
from microcert.network import selectors as network_selectors
from microcert.network.models import Organisation

from .models import (
    AchievementKind,
    AwardingBody,
    CompetenceAlignment,
    EvidenceRequirement,
    LearningOutcome,
    MicroCredential,
    Offering,
    Pathway,
    PathwayMember,
    RubricCriterion,
    RubricLevel,
    SpecificationVersion,
)

Content = Mapping[str, Any]

# Plain fields of a version, copied as they are.
_SCALAR_FIELDS = (
    "issuer_country",
    "issuer_region",
    "workload_hours",
    "ects",
    "eqf_level",
    "assessment_type",
    "participation_form",
    "quality_assurance",
    "supervision",
    "grading",
    "stackability",
    "languages",
    "max_attempts",
    "validity_months",
)
_TEXT_FIELDS = (
    "title",
    "summary",
    "description",
    "quality_assurance_description",
    "prerequisites",
    "further_information",
)
_CHILD_KEYS = (
    "awarding_bodies",
    "learning_outcomes",
    "alignments",
    "evidence_requirements",
    "rubric",
)
KNOWN_KEYS = frozenset(_SCALAR_FIELDS + _TEXT_FIELDS + _CHILD_KEYS)


def _decimal(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({field: _("Not a number.")}) from None


def _apply_scalars(version: SpecificationVersion, content: Content) -> None:
    unknown = set(content) - KNOWN_KEYS
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    for field in _SCALAR_FIELDS:
        if field in content:
            value = content[field]
            if field in ("workload_hours", "ects"):
                value = _decimal(value, field)
            setattr(version, field, value)
    for field in _TEXT_FIELDS:
        if field in content:
            set_translations(version, field, content[field] or "")
    languages = version.languages or []
    if not isinstance(languages, list) or not set(languages) <= set(CONTENT_LANGUAGES):
        raise ValidationError(
            {
                "languages": _("Languages must be a list of: %(langs)s")
                % {"langs": ", ".join(CONTENT_LANGUAGES)}
            }
        )


def _refuse_duplicates(content: Content) -> None:
    """Duplicates would only hit a database constraint; say plainly what is repeated."""
    checks = {
        "awarding_bodies": lambda rows: list(rows),
        "alignments": lambda rows: [(r.get("framework"), r.get("competence")) for r in rows],
    }
    for key, keys_of in checks.items():
        if key in content:
            keys = keys_of(content[key])
            if len(keys) != len(set(keys)):
                raise ValidationError({key: _("The same entry is listed twice.")})
    for row in content.get("rubric", []):
        scores = [level.get("score") for level in row.get("levels", [])]
        if len(scores) != len(set(scores)):
            raise ValidationError({"rubric": _("Two levels of one criterion have the same score.")})


def _replace_children(version: SpecificationVersion, content: Content) -> None:
    """Write the listed child collections of a draft version, replacing what was there."""
    _refuse_duplicates(content)
    if "awarding_bodies" in content:
        slugs = list(content["awarding_bodies"])
        found = network_selectors.organisations_by_slug(slugs)
        missing = [s for s in slugs if s not in found]
        if missing or not slugs:
            raise ValidationError(
                {
                    "awarding_bodies": _("Unknown or missing awarding bodies: %(s)s")
                    % {"s": ", ".join(missing) or "—"}
                }
            )
        version.awardingbody_set.all().delete()
        AwardingBody.objects.bulk_create(
            AwardingBody(version=version, organisation=found[slug], position=i)
            for i, slug in enumerate(slugs)
        )
    if "learning_outcomes" in content:
        version.outcomes.all().delete()
        for i, text in enumerate(content["learning_outcomes"]):
            outcome = LearningOutcome(version=version, position=i)
            set_translations(outcome, "text", text)
            outcome.full_clean(exclude=["version"])
            outcome.save()
    if "alignments" in content:
        version.alignments.all().delete()
        for i, ref in enumerate(content["alignments"]):
            _alignment_create(version, ref, i)
    if "evidence_requirements" in content:
        version.evidence_requirements.all().delete()
        for i, req in enumerate(content["evidence_requirements"]):
            requirement = EvidenceRequirement(version=version, position=i, kind=req.get("kind"))
            set_translations(requirement, "title", req.get("title") or "")
            set_translations(requirement, "description", req.get("description") or "")
            requirement.full_clean(exclude=["version"])
            requirement.save()
    if "rubric" in content:
        version.rubric.all().delete()
        for i, row in enumerate(content["rubric"]):
            criterion = RubricCriterion(version=version, position=i, weight=row.get("weight", 1))
            set_translations(criterion, "title", row.get("title") or "")
            set_translations(criterion, "description", row.get("description") or "")
            criterion.full_clean(exclude=["version"])
            criterion.save()
            for j, level in enumerate(row.get("levels", [])):
                rubric_level = RubricLevel(
                    criterion=criterion,
                    position=j,
                    score=level.get("score"),
                    passing=bool(level.get("passing")),
                )
                set_translations(rubric_level, "label", level.get("label") or "")
                set_translations(rubric_level, "descriptor", level.get("descriptor") or "")
                rubric_level.full_clean(exclude=["criterion"])
                rubric_level.save()


def _alignment_create(version: SpecificationVersion, ref: Mapping[str, str], position: int) -> None:
    framework = framework_selectors.current_framework(str(ref.get("framework", "")))
    if framework is None:
        raise ValidationError(
            {"alignments": _("Unknown framework %(f)s.") % {"f": ref.get("framework")}}
        )
    competence = framework_selectors.competence_by_code(framework, str(ref.get("competence", "")))
    if competence is None:
        raise ValidationError(
            {
                "alignments": _("Framework %(f)s has no competence %(c)s.")
                % {"f": framework.slug, "c": ref.get("competence")}
            }
        )
    level = framework_selectors.level_by_code(framework, str(ref.get("target_level", "")))
    if level is None:
        raise ValidationError(
            {
                "alignments": _("Framework %(f)s has no level %(l)s.")
                % {"f": framework.slug, "l": ref.get("target_level")}
            }
        )
    if competence.level_id and competence.level_id != level.pk:
        raise ValidationError(
            {
                "alignments": _("Competence %(c)s exists only at level %(l)s.")
                % {"c": competence.code, "l": competence.level.code}
            }
        )
    CompetenceAlignment.objects.create(
        version=version, competence=competence, target_level=level, position=position
    )


def _publication_problems(version: SpecificationVersion) -> list[str]:
    problems = []
    if not version.title_en:
        problems.append(_("The specification needs an English title."))
    if not version.awardingbody_set.exists():
        problems.append(_("At least one awarding body is required."))
    if not version.outcomes.exists():
        problems.append(_("At least one learning outcome is required."))
    if not version.alignments.exists():
        problems.append(_("At least one competence alignment is required."))
    if not version.languages:
        problems.append(_("At least one language is required."))
    criteria = list(version.rubric.prefetch_related("levels"))
    if not criteria:
        problems.append(_("The public rubric needs at least one criterion."))
    for criterion in criteria:
        levels = list(criterion.levels.all())
        if len(levels) < 2 or not any(level.passing for level in levels):
            problems.append(
                _("Rubric criterion “%(c)s” needs at least two levels, one of them passing.")
                % {"c": criterion.title_en}
            )
    return problems


@transaction.atomic
def specification_create(
    *,
    slug: str,
    content: Content,
    kind: str = AchievementKind.MICRO_CREDENTIAL,
    actor: User | None = None,
) -> SpecificationVersion:
    """Create a micro-credential with its first version, as a draft."""
    if MicroCredential.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("A micro-credential with this slug already exists.")})
    micro_credential = MicroCredential(slug=slug, kind=kind)
    micro_credential.full_clean()
    micro_credential.save()
    version = SpecificationVersion(micro_credential=micro_credential, number=1)
    _apply_scalars(version, content)
    version.full_clean(exclude=["micro_credential"])
    version.save()
    _replace_children(version, content)
    event_record(
        actor=actor,
        verb="specification.created",
        target=version,
        details={"slug": slug, "version": 1},
    )
    return version


def _copy_version(source: SpecificationVersion) -> SpecificationVersion:
    """A new draft carrying everything of ``source``; the source row is not touched."""
    children = {
        "awarding": list(source.awardingbody_set.all()),
        "outcomes": list(source.outcomes.all()),
        "alignments": list(source.alignments.all()),
        "evidence": list(source.evidence_requirements.all()),
        "rubric": [(c, list(c.levels.all())) for c in source.rubric.all()],
    }
    number = (
        source.micro_credential.versions.order_by("-number").values_list("number", flat=True)[0] + 1
    )
    draft = SpecificationVersion.objects.get(pk=source.pk)
    draft.pk = draft.id = None
    draft._state.adding = True
    draft.uuid = SpecificationVersion._meta.get_field("uuid").default()
    draft.number = number
    draft.status = SpecificationVersion.Status.DRAFT
    draft.published_at = None
    draft.save()
    for group in ("awarding", "outcomes", "alignments", "evidence"):
        for row in children[group]:
            row.pk = None
            row.version = draft
            row.save()
    for criterion, levels in children["rubric"]:
        criterion.pk = None
        criterion.version = draft
        criterion.save()
        for level in levels:
            level.pk = None
            level.criterion = criterion
            level.save()
    return draft


@transaction.atomic
def specification_update(
    *, version: SpecificationVersion, changes: Content, actor: User | None = None
) -> SpecificationVersion:
    """Edit a specification. A draft is edited in place; editing a published version makes a
    new draft version (or edits the existing draft) and leaves the published one as it was."""
    version = SpecificationVersion.objects.select_for_update().get(pk=version.pk)
    if version.status in (
        SpecificationVersion.Status.SUPERSEDED,
        SpecificationVersion.Status.WITHDRAWN,
    ):
        # A new draft copied from an old version would silently undo the newer one's changes.
        raise ValidationError(_("Only the current version of a specification can be edited."))
    if version.status != SpecificationVersion.Status.DRAFT:
        existing_draft = version.micro_credential.versions.filter(
            status=SpecificationVersion.Status.DRAFT
        ).first()
        target = existing_draft or _copy_version(version)
        if existing_draft is None:
            event_record(
                actor=actor,
                verb="specification.version_created",
                target=target,
                details={"from_version": version.number, "version": target.number},
            )
    else:
        target = version
    _apply_scalars(target, changes)
    target.full_clean(exclude=["micro_credential"])
    target.save()
    _replace_children(target, changes)
    event_record(
        actor=actor,
        verb="specification.updated",
        target=target,
        details={"version": target.number, "fields": sorted(changes)},
    )
    return target


@transaction.atomic
def specification_publish(
    *, version: SpecificationVersion, actor: User | None = None
) -> SpecificationVersion:
    """Publish a draft; the previously published version becomes superseded (it stays valid
    for the credentials issued under it)."""
    version = SpecificationVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != SpecificationVersion.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    problems = _publication_problems(version)
    if problems:
        raise ValidationError(problems)
    previous = version.micro_credential.versions.filter(
        status=SpecificationVersion.Status.PUBLISHED
    )
    for old in previous:
        old.status = SpecificationVersion.Status.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
    version.status = SpecificationVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at", "updated_at"])
    event_record(
        actor=actor,
        verb="specification.published",
        target=version,
        details={"version": version.number},
    )
    return version


@transaction.atomic
def specification_withdraw(
    *, version: SpecificationVersion, reason: str, actor: User | None = None
) -> SpecificationVersion:
    if version.status != SpecificationVersion.Status.PUBLISHED:
        raise ValidationError(_("Only a published version can be withdrawn."))
    version.status = SpecificationVersion.Status.WITHDRAWN
    version.save(update_fields=["status", "updated_at"])
    event_record(actor=actor, verb="specification.withdrawn", target=version, reason=reason)
    return version


@transaction.atomic
def pathway_create(
    *,
    slug: str,
    title: Mapping[str, str] | str,
    description: Mapping[str, str] | str,
    required_count: int,
    members: Iterable[MicroCredential],
    certificate: MicroCredential,
    revocation_policy: str = Pathway.RevocationPolicy.FLAG,
    actor: User | None = None,
) -> Pathway:
    members = list(members)
    if certificate.kind != AchievementKind.CERTIFICATE:
        raise ValidationError({"certificate": _("The pathway's award must be a certificate.")})
    if certificate in members:
        raise ValidationError({"members": _("A certificate cannot be one of its own parts.")})
    if not 1 <= required_count <= len(members):
        raise ValidationError(
            {
                "required_count": _("N must be between 1 and the number of members (%(m)s).")
                % {"m": len(members)}
            }
        )
    pathway = Pathway(
        slug=slug,
        required_count=required_count,
        certificate=certificate,
        revocation_policy=revocation_policy,
    )
    set_translations(pathway, "title", title)
    set_translations(pathway, "description", description)
    pathway.full_clean()
    pathway.save()
    PathwayMember.objects.bulk_create(
        PathwayMember(pathway=pathway, micro_credential=m, position=i)
        for i, m in enumerate(members)
    )
    event_record(
        actor=actor,
        verb="pathway.created",
        target=pathway,
        details={"required": required_count, "members": [m.slug for m in members]},
    )
    return pathway


@transaction.atomic
def offering_create(
    *,
    version: SpecificationVersion,
    host: Organisation,
    starts_on: datetime.date,
    ends_on: datetime.date,
    language: str,
    mode: str,
    capacity: int,
    status: str = Offering.Status.OPEN,
    actor: User | None = None,
) -> Offering:
    if version.status != SpecificationVersion.Status.PUBLISHED:
        raise ValidationError(_("Only a published specification can be offered."))
    if language not in (version.languages or []):
        raise ValidationError(
            {"language": _("The specification is not available in this language.")}
        )
    offering = Offering(
        version=version,
        host=host,
        starts_on=starts_on,
        ends_on=ends_on,
        language=language,
        mode=mode,
        capacity=capacity,
        status=status,
    )
    offering.full_clean()
    offering.save()
    event_record(
        actor=actor,
        verb="offering.created",
        target=offering,
        details={"version": str(version.uuid), "host": host.slug},
    )
    return offering
