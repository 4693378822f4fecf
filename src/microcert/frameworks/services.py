"""Writes of the frameworks app. Each is one transaction and records its event."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from microcert.accounts.models import User
from microcert.core.i18n import set_translations
from microcert.core.services import event_record

from . import case
from .documents import FrameworkDoc, from_shipped_data
from .models import Area, Competence, CompetencyFramework, LevelDescriptor, ProficiencyLevel

DATA_DIR = Path(__file__).resolve().parent / "data"


def _check_document(doc: FrameworkDoc) -> list[str]:
    """Consistency rules every framework must satisfy, whatever its source."""
    errors: list[str] = []
    if not doc.title.get("en"):
        errors.append(_("The framework has no English title."))
    level_codes = [level.code for level in doc.levels]
    if len(set(level_codes)) != len(level_codes):
        errors.append(_("Two proficiency levels share a code."))
    area_codes = [area.code for area in doc.areas]
    if len(set(area_codes)) != len(area_codes):
        errors.append(_("Two areas share a code."))
    for attribute in ("uuid", "uri"):
        values = [str(getattr(item, attribute)) for item in _items(doc)]
        if len(set(values)) != len(values):
            errors.append(_("Two items share a %(attribute)s.") % {"attribute": attribute})
    seen_codes: set[str] = set()
    for area in doc.areas:
        for competence in area.competences:
            if competence.code in seen_codes:
                errors.append(
                    _("Competence code %(code)s is used twice.") % {"code": competence.code}
                )
            seen_codes.add(competence.code)
            if competence.level_code and competence.level_code not in level_codes:
                errors.append(
                    _("Competence %(code)s refers to unknown level %(level)s.")
                    % {"code": competence.code, "level": competence.level_code}
                )
            for descriptor in competence.descriptors:
                if descriptor.level_code not in level_codes:
                    errors.append(
                        _("A descriptor of competence %(code)s refers to unknown level %(level)s.")
                        % {"code": competence.code, "level": descriptor.level_code}
                    )
    return errors + _check_texts(doc)


def _items(doc: FrameworkDoc):
    """Every level, area, competence and descriptor of the document."""
    yield from doc.levels
    for area in doc.areas:
        yield area
        for competence in area.competences:
            yield competence
            yield from competence.descriptors


def _taken_items(doc: FrameworkDoc) -> list[str]:
    """Item UUIDs or URIs of the document that already belong to a stored framework."""
    items = list(_items(doc))
    taken: set[str] = set()
    for model in (ProficiencyLevel, Area, Competence, LevelDescriptor):
        for attribute in ("uuid", "uri"):
            values = [str(getattr(item, attribute)) for item in items]
            stored = model.objects.filter(**{f"{attribute}__in": values})
            taken.update(str(value) for value in stored.values_list(attribute, flat=True))
    return sorted(taken)


def _check_texts(doc: FrameworkDoc) -> list[str]:
    """Text a column cannot hold: longer than the column, or with a NUL character (PostgreSQL
    refuses both with a DataError)."""
    errors: list[str] = []

    def check(model, label: str, **values) -> None:
        for field, value in values.items():
            limit = model._meta.get_field(field).max_length
            texts = [str(text) for text in (value.values() if isinstance(value, dict) else [value])]
            if limit and any(len(text) > limit for text in texts):
                errors.append(
                    _("%(item)s: %(field)s is longer than %(limit)d characters.")
                    % {"item": label[:60], "field": field, "limit": limit}
                )
            if any("\x00" in text for text in texts):
                errors.append(
                    _("%(item)s: %(field)s contains a NUL character.")
                    % {"item": label[:60], "field": field}
                )

    check(
        CompetencyFramework,
        doc.slug,
        slug=doc.slug,
        version=doc.version,
        uri=doc.uri,
        title=doc.title,
        description=doc.description,
        publisher=doc.publisher,
        official_source_url=doc.official_source_url,
    )
    for level in doc.levels:
        check(
            ProficiencyLevel,
            level.code,
            code=level.code,
            uri=level.uri,
            name=level.name,
            description=level.description,
        )
    for area in doc.areas:
        check(
            Area,
            area.code,
            code=area.code,
            uri=area.uri,
            name=area.name,
            description=area.description,
        )
        for competence in area.competences:
            check(
                Competence,
                competence.code,
                code=competence.code,
                uri=competence.uri,
                name=competence.name,
                description=competence.description,
            )
            for descriptor in competence.descriptors:
                check(
                    LevelDescriptor,
                    f"{competence.code}@{descriptor.level_code}",
                    uri=descriptor.uri,
                    text=descriptor.text,
                )
    return errors


@transaction.atomic
def framework_create(
    *, doc: FrameworkDoc, actor: User | None = None, source: str = ""
) -> CompetencyFramework:
    """Write a whole framework from a validated document; refuses one that already exists."""
    errors = _check_document(doc)
    if CompetencyFramework.objects.filter(uuid=doc.uuid).exists():
        errors.append(_("A framework with identifier %(id)s already exists.") % {"id": doc.uuid})
    elif CompetencyFramework.objects.filter(slug=doc.slug, version=doc.version).exists():
        errors.append(
            _("Framework %(slug)s version %(version)s already exists.")
            % {"slug": doc.slug, "version": doc.version}
        )
    elif taken := _taken_items(doc):
        errors.append(
            _("These items already belong to another framework: %(items)s.")
            % {"items": ", ".join(taken[:5]) + (" …" if len(taken) > 5 else "")}
        )
    if errors:
        raise ValidationError(errors)

    framework = CompetencyFramework(
        uuid=doc.uuid,
        uri=doc.uri,
        slug=doc.slug,
        version=doc.version,
        publisher=doc.publisher,
        official_source_url=doc.official_source_url,
        published_on=doc.published_on,
        status=doc.status,
    )
    set_translations(framework, "title", doc.title)
    set_translations(framework, "description", doc.description)
    framework.save()

    levels: dict[str, ProficiencyLevel] = {}
    for position, level_doc in enumerate(doc.levels, start=1):
        level = ProficiencyLevel(
            uuid=level_doc.uuid,
            uri=level_doc.uri,
            framework=framework,
            code=level_doc.code,
            position=position,
        )
        set_translations(level, "name", level_doc.name)
        set_translations(level, "description", level_doc.description)
        level.save()
        levels[level.code] = level

    descriptors: list[LevelDescriptor] = []
    for area_position, area_doc in enumerate(doc.areas, start=1):
        area = Area(
            uuid=area_doc.uuid,
            uri=area_doc.uri,
            framework=framework,
            code=area_doc.code,
            position=area_position,
        )
        set_translations(area, "name", area_doc.name)
        set_translations(area, "description", area_doc.description)
        area.save()
        for position, competence_doc in enumerate(area_doc.competences, start=1):
            competence = Competence(
                uuid=competence_doc.uuid,
                uri=competence_doc.uri,
                framework=framework,
                area=area,
                code=competence_doc.code,
                position=position,
                level=levels.get(competence_doc.level_code) if competence_doc.level_code else None,
            )
            set_translations(competence, "name", competence_doc.name)
            set_translations(competence, "description", competence_doc.description)
            competence.save()
            for descriptor_doc in competence_doc.descriptors:
                descriptor = LevelDescriptor(
                    uuid=descriptor_doc.uuid,
                    uri=descriptor_doc.uri,
                    competence=competence,
                    level=levels[descriptor_doc.level_code],
                )
                set_translations(descriptor, "text", descriptor_doc.text)
                descriptors.append(descriptor)
    LevelDescriptor.objects.bulk_create(descriptors)

    event_record(
        actor=actor,
        verb="framework.created",
        target=framework,
        details={
            "slug": doc.slug,
            "version": doc.version,
            "source": source,
            "areas": len(doc.areas),
            "competences": sum(len(a.competences) for a in doc.areas),
        },
    )
    return framework


def framework_import_case(*, raw: bytes | str, actor: User | None = None) -> CompetencyFramework:
    """Import a CASE 1.1 CFPackage; a malformed or inconsistent package writes nothing."""
    doc = case.parse_package(raw)
    return framework_create(doc=doc, actor=actor, source="case")


def framework_load_shipped(*, actor: User | None = None) -> list[CompetencyFramework]:
    """Load the frameworks shipped with the platform; ones already present are left alone."""
    loaded = []
    for path in sorted(DATA_DIR.glob("*.json")):
        doc = from_shipped_data(json.loads(path.read_text(encoding="utf-8")))
        existing = CompetencyFramework.objects.filter(uuid=doc.uuid).first()
        loaded.append(existing or framework_create(doc=doc, actor=actor, source=path.name))
    return loaded
