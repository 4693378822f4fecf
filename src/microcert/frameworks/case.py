"""1EdTech CASE 1.1 JSON: export a framework as a CFPackage, and parse one back.

Mapping (ours ↔ CASE):
- framework → CFDocument; areas, competences, levels and level descriptors → CFItems with
  CFItemType "Area", "Competence", "Proficiency Level", "Level Descriptor";
- the tree → ``isChildOf`` associations (area → document, competence → area, level → document,
  descriptor → competence), ordered by ``sequenceNumber``;
- a descriptor's level, and a matrix cell's level → ``hasSkillLevel`` associations;
- a name → ``fullStatement``, a description → ``notes``, a code → ``humanCodingScheme``.
CASE strings have one language; the other languages travel in each object's ``extensions``
under ``microcert:translations`` so an export → import round trip loses nothing.
"""

import datetime
import json
import uuid
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.text import slugify

from microcert.core.i18n import CONTENT_LANGUAGES, DEFAULT_LANGUAGE, get_translations

from .documents import (
    AreaDoc,
    CompetenceDoc,
    DescriptorDoc,
    FrameworkDoc,
    LevelDoc,
    case_base_url,
    stable_uuid,
)
from .models import CompetencyFramework, LevelDescriptor

AREA, COMPETENCE, LEVEL, DESCRIPTOR = "Area", "Competence", "Proficiency Level", "Level Descriptor"
IS_CHILD_OF, HAS_SKILL_LEVEL = "isChildOf", "hasSkillLevel"
EXT_TRANSLATIONS = "microcert:translations"
EXT_SLUG = "microcert:slug"
ADOPTION_STATUS = {"draft": "Draft", "published": "Adopted", "retired": "Deprecated"}


class CaseImportError(ValidationError):
    """A package that cannot be imported; ``messages`` name each offending object."""


# ---------------------------------------------------------------------------------------------
# Export


def _timestamp(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _texts(obj, field: str) -> dict[str, str]:
    return get_translations(obj, field)


def _extensions(**fields: dict[str, str]) -> dict[str, Any]:
    kept = {name: texts for name, texts in fields.items() if texts}
    return {EXT_TRANSLATIONS: kept} if kept else {}


def _link(title: str, identifier: uuid.UUID, uri: str) -> dict[str, str]:
    return {"title": title, "identifier": str(identifier), "uri": uri}


def document_json(framework: CompetencyFramework) -> dict[str, Any]:
    title = _texts(framework, "title")
    description = _texts(framework, "description")
    document = {
        "identifier": str(framework.uuid),
        "uri": framework.uri,
        "creator": framework.publisher or "microcert",
        "title": title.get(DEFAULT_LANGUAGE, ""),
        "lastChangeDateTime": _timestamp(framework.updated_at),
        "officialSourceURL": framework.official_source_url or None,
        "publisher": framework.publisher or None,
        "description": description.get(DEFAULT_LANGUAGE) or None,
        "version": framework.version,
        "adoptionStatus": ADOPTION_STATUS.get(framework.status, "Adopted"),
        "statusStartDate": framework.published_on.isoformat() if framework.published_on else None,
        "language": DEFAULT_LANGUAGE,
        "CFPackageURI": _link(
            title.get(DEFAULT_LANGUAGE, ""),
            framework.uuid,
            f"{case_base_url()}/CFPackages/{framework.uuid}",
        ),
        "extensions": {
            EXT_SLUG: framework.slug,
            **_extensions(title=title, description=description),
        },
    }
    return {key: value for key, value in document.items() if value is not None}


ITEM_SHAPES = {
    # model name → (CFItemType, field for fullStatement, field for notes)
    "area": (AREA, "name", "description"),
    "competence": (COMPETENCE, "name", "description"),
    "proficiencylevel": (LEVEL, "name", "description"),
    "leveldescriptor": (DESCRIPTOR, "text", None),
}


def document_link(framework: CompetencyFramework) -> dict[str, str]:
    return _link(
        get_translations(framework, "title").get(DEFAULT_LANGUAGE, ""),
        framework.uuid,
        framework.uri,
    )


def item_json(obj, doc_link: dict[str, str]) -> dict[str, Any]:
    """One area, competence, level or descriptor as a CFItem."""
    item_type, name_field, note_field = ITEM_SHAPES[obj._meta.model_name]
    names = _texts(obj, name_field)
    notes = _texts(obj, note_field) if note_field else {}
    sequence = obj.level.position if item_type == DESCRIPTOR else obj.position
    data = {
        "identifier": str(obj.uuid),
        "uri": obj.uri,
        "fullStatement": names.get(DEFAULT_LANGUAGE, ""),
        "humanCodingScheme": getattr(obj, "code", None),
        "listEnumeration": str(sequence),
        "CFItemType": item_type,
        "CFDocumentURI": doc_link,
        "language": DEFAULT_LANGUAGE,
        "notes": notes.get(DEFAULT_LANGUAGE) or None,
        "lastChangeDateTime": _timestamp(obj.updated_at),
        "extensions": _extensions(fullStatement=names, notes=notes) or None,
    }
    return {k: v for k, v in data.items() if v is not None}


def export_package(framework: CompetencyFramework) -> dict[str, Any]:
    """The whole framework as a CASE 1.1 CFPackage (a JSON-ready dict)."""
    doc_link = document_link(framework)
    items: list[dict[str, Any]] = []
    associations: list[dict[str, Any]] = []

    def add(obj) -> dict[str, str]:
        data = item_json(obj, doc_link)
        items.append(data)
        return _link(data["fullStatement"], obj.uuid, obj.uri)

    def associate(
        origin: dict, kind: str, destination: dict, sequence: int | None, changed
    ) -> None:
        identifier = stable_uuid(
            "association", origin["identifier"], kind, destination["identifier"]
        )
        data = {
            "identifier": str(identifier),
            "uri": f"{case_base_url()}/CFAssociations/{identifier}",
            "associationType": kind,
            "CFDocumentURI": doc_link,
            "sequenceNumber": sequence,
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": _timestamp(changed),
        }
        associations.append({k: v for k, v in data.items() if v is not None})

    level_links = {}
    for level in framework.levels.all():
        level_links[level.pk] = add(level)
        associate(level_links[level.pk], IS_CHILD_OF, doc_link, level.position, level.updated_at)
    by_area = defaultdict(list)
    competences = framework.competences.prefetch_related(
        Prefetch("descriptors", queryset=LevelDescriptor.objects.select_related("level"))
    )
    for competence in competences:
        by_area[competence.area_id].append(competence)
    for area in framework.areas.all():
        area_link = add(area)
        associate(area_link, IS_CHILD_OF, doc_link, area.position, area.updated_at)
        for competence in by_area[area.pk]:
            competence_link = add(competence)
            associate(
                competence_link, IS_CHILD_OF, area_link, competence.position, competence.updated_at
            )
            if competence.level_id:
                associate(
                    competence_link,
                    HAS_SKILL_LEVEL,
                    level_links[competence.level_id],
                    None,
                    competence.updated_at,
                )
            for descriptor in competence.descriptors.all():
                descriptor_link = add(descriptor)
                associate(
                    descriptor_link,
                    IS_CHILD_OF,
                    competence_link,
                    descriptor.level.position,
                    descriptor.updated_at,
                )
                associate(
                    descriptor_link,
                    HAS_SKILL_LEVEL,
                    level_links[descriptor.level_id],
                    None,
                    descriptor.updated_at,
                )
    return {
        "CFDocument": document_json(framework),
        "CFItems": items,
        "CFAssociations": associations,
    }


# ---------------------------------------------------------------------------------------------
# Import


def _describe(obj: Any, index: int, kind: str) -> str:
    if isinstance(obj, dict):
        label = obj.get("humanCodingScheme") or obj.get("fullStatement") or ""
        ident = obj.get("identifier") or f"#{index + 1}"
        return f"{kind} {ident}" + (f" ({str(label)[:60]})" if label else "")
    return f"{kind} #{index + 1}"


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def _translations(obj: dict, field: str) -> dict[str, str]:
    """The English (or only) text of ``field`` plus every translation in the extensions."""
    texts: dict[str, str] = {}
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):
        stored = extensions.get(EXT_TRANSLATIONS, {})
        if isinstance(stored, dict) and isinstance(stored.get(field), dict):
            texts.update(
                {
                    k: v
                    for k, v in stored[field].items()
                    if k in CONTENT_LANGUAGES and isinstance(v, str) and v
                }
            )
    value = obj.get(field)
    if isinstance(value, str) and value.strip():
        texts[DEFAULT_LANGUAGE] = value
    return texts


def parse_package(raw: bytes | str) -> FrameworkDoc:
    """Parse and check a CFPackage. Raises CaseImportError listing every problem found."""
    try:
        package = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise CaseImportError([f"The package is not valid JSON: {exc}"]) from exc
    if not isinstance(package, dict):
        raise CaseImportError(["The package must be a JSON object with a CFDocument."])
    errors: list[str] = []
    document = package.get("CFDocument")
    raw_items = package.get("CFItems", [])
    raw_associations = package.get("CFAssociations", [])
    if not isinstance(document, dict):
        raise CaseImportError(["The package has no CFDocument object."])
    if not isinstance(raw_items, list) or not isinstance(raw_associations, list):
        raise CaseImportError(["CFItems and CFAssociations must be lists."])

    doc_uuid = _uuid(document.get("identifier"))
    if doc_uuid is None:
        errors.append("CFDocument: identifier is missing or not a UUID.")
    doc_title = _translations(document, "title")
    if not doc_title:
        errors.append("CFDocument: title is missing.")
    if not document.get("uri"):
        errors.append("CFDocument: uri is missing.")

    items: dict[str, dict] = {}
    for index, obj in enumerate(raw_items):
        where = _describe(obj, index, "CFItem")
        if not isinstance(obj, dict):
            errors.append(f"{where}: is not an object.")
            continue
        ident = _uuid(obj.get("identifier"))
        if ident is None:
            errors.append(f"{where}: identifier is missing or not a UUID.")
            continue
        if str(ident) in items or ident == doc_uuid:
            errors.append(f"{where}: identifier is used twice.")
            continue
        if not isinstance(obj.get("fullStatement"), str) or not obj["fullStatement"].strip():
            errors.append(f"{where}: fullStatement is missing.")
        if not obj.get("uri"):
            errors.append(f"{where}: uri is missing.")
        items[str(ident)] = obj

    parent_of: dict[str, str] = {}
    sequence_of: dict[str, int] = {}
    level_of: dict[str, str] = {}
    doc_id = str(doc_uuid) if doc_uuid else None
    for index, assoc in enumerate(raw_associations):
        where = _describe(assoc, index, "CFAssociation")
        if not isinstance(assoc, dict):
            errors.append(f"{where}: is not an object.")
            continue
        kind = assoc.get("associationType")
        origin = assoc.get("originNodeURI") or {}
        destination = assoc.get("destinationNodeURI") or {}
        origin_id = str(_uuid(origin.get("identifier") if isinstance(origin, dict) else None))
        destination_id = str(
            _uuid(destination.get("identifier") if isinstance(destination, dict) else None)
        )
        if kind not in (IS_CHILD_OF, HAS_SKILL_LEVEL):
            continue  # other association kinds (isRelatedTo, exactMatchOf, …) are not modelled
        if origin_id not in items:
            errors.append(
                f"{where}: dangling association: origin {origin_id} is not in the package."
            )
            continue
        if destination_id not in items and destination_id != doc_id:
            errors.append(
                f"{where}: dangling association: destination {destination_id} "
                "is not in the package."
            )
            continue
        if kind == IS_CHILD_OF:
            if origin_id in parent_of:
                errors.append(
                    f"{_describe(items[origin_id], 0, 'CFItem')}: has more than one parent."
                )
                continue
            parent_of[origin_id] = destination_id
            try:
                sequence_of[origin_id] = int(assoc.get("sequenceNumber") or 0)
            except (TypeError, ValueError):
                errors.append(f"{where}: sequenceNumber is not a number.")
        else:
            level_of[origin_id] = destination_id

    # Cycles and orphans: every item must reach the document by following parents.
    for ident in items:
        path = [ident]
        current = ident
        while current in parent_of and current != doc_id:
            current = parent_of[current]
            if current in path:
                cycle = " → ".join(
                    _describe(items[i], 0, "CFItem")
                    for i in [*path[path.index(current) :], current]
                )
                errors.append(f"Cycle in isChildOf associations: {cycle}.")
                break
            path.append(current)
        else:
            if current != doc_id:
                errors.append(
                    f"{_describe(items[ident], 0, 'CFItem')}: is not attached to the document."
                )

    if errors:
        raise CaseImportError(_unique(errors))

    def item_type(ident: str) -> str:
        declared = items[ident].get("CFItemType")
        if declared in (AREA, COMPETENCE, LEVEL, DESCRIPTOR):
            return declared
        # A plain CASE framework: the document's children are areas, theirs competences.
        parent = parent_of.get(ident)
        if parent == doc_id:
            return AREA
        if parent in items and parent_of.get(parent) == doc_id:
            return COMPETENCE
        return "unsupported"

    types = {ident: item_type(ident) for ident in items}
    children: dict[str, list[str]] = defaultdict(list)
    for ident, parent in parent_of.items():
        children[parent].append(ident)
    for siblings in children.values():
        siblings.sort(
            key=lambda i: (
                sequence_of.get(i, 0),
                str(items[i].get("humanCodingScheme") or ""),
            )
        )

    expected_parent = {
        AREA: {"document"},
        LEVEL: {"document"},
        COMPETENCE: {AREA},
        DESCRIPTOR: {COMPETENCE},
    }
    for ident, kind in types.items():
        where = _describe(items[ident], 0, "CFItem")
        if kind == "unsupported":
            errors.append(f"{where}: items nested below competences are not supported.")
            continue
        parent = parent_of[ident]
        parent_kind = "document" if parent == doc_id else types.get(parent)
        if parent_kind not in expected_parent[kind]:
            errors.append(f"{where}: a {kind} cannot be a child of a {parent_kind}.")
        if kind == DESCRIPTOR and ident not in level_of:
            errors.append(f"{where}: a level descriptor needs a hasSkillLevel association.")
        if ident in level_of and types.get(level_of[ident]) != LEVEL:
            errors.append(f"{where}: hasSkillLevel must point at a Proficiency Level item.")
        if kind in (AREA, COMPETENCE, LEVEL) and not items[ident].get("humanCodingScheme"):
            errors.append(f"{where}: humanCodingScheme (its code) is missing.")
    if errors:
        raise CaseImportError(_unique(errors))

    def code(ident: str) -> str:
        return str(items[ident].get("humanCodingScheme", "")).strip()

    extensions = document.get("extensions") if isinstance(document.get("extensions"), dict) else {}
    slug = (
        slugify(extensions.get(EXT_SLUG) or doc_title.get(DEFAULT_LANGUAGE, ""))[:80] or "framework"
    )
    status = {v: k for k, v in ADOPTION_STATUS.items()}.get(
        str(document.get("adoptionStatus")), "published"
    )
    published_on = None
    if document.get("statusStartDate"):
        try:
            published_on = datetime.date.fromisoformat(str(document["statusStartDate"])[:10])
        except ValueError:
            raise CaseImportError(["CFDocument: statusStartDate is not a date."]) from None

    doc = FrameworkDoc(
        uuid=doc_uuid,
        uri=document["uri"],
        slug=slug,
        version=str(document.get("version") or "1"),
        title=doc_title,
        description=_translations(document, "description"),
        publisher=str(document.get("publisher") or document.get("creator") or ""),
        official_source_url=str(document.get("officialSourceURL") or ""),
        published_on=published_on,
        status=status,
    )
    for ident in children[doc_id]:
        obj = items[ident]
        if types[ident] == LEVEL:
            doc.levels.append(
                LevelDoc(
                    uuid.UUID(ident),
                    obj["uri"],
                    code(ident),
                    _translations(obj, "fullStatement"),
                    _translations(obj, "notes"),
                )
            )
    for ident in children[doc_id]:
        obj = items[ident]
        if types[ident] != AREA:
            continue
        area = AreaDoc(
            uuid.UUID(ident),
            obj["uri"],
            code(ident),
            _translations(obj, "fullStatement"),
            _translations(obj, "notes"),
        )
        for competence_id in children[ident]:
            cobj = items[competence_id]
            competence = CompetenceDoc(
                uuid.UUID(competence_id),
                cobj["uri"],
                code(competence_id),
                _translations(cobj, "fullStatement"),
                _translations(cobj, "notes"),
                level_code=code(level_of[competence_id]) if competence_id in level_of else None,
            )
            for descriptor_id in children[competence_id]:
                dobj = items[descriptor_id]
                competence.descriptors.append(
                    DescriptorDoc(
                        uuid.UUID(descriptor_id),
                        dobj["uri"],
                        code(level_of[descriptor_id]),
                        _translations(dobj, "fullStatement"),
                    )
                )
            area.competences.append(competence)
        doc.areas.append(area)
    return doc


def _unique(messages: list[str]) -> list[str]:
    return list(dict.fromkeys(messages))
