"""An in-memory framework document: what both the shipped data files and CASE packages are
parsed into before anything is written, so validation happens once and nothing half-imports."""

import datetime
import uuid
from dataclasses import dataclass, field

from django.conf import settings

# Namespace for the deterministic UUIDs of shipped frameworks: every installation gives the
# same item the same UUID, so credentials aligned on one platform line up with another's.
MICROCERT_NAMESPACE = uuid.UUID("6b0e6c52-8f1f-5d64-9a57-3f0b6c1d2e11")

Text = dict[str, str]


@dataclass
class DescriptorDoc:
    uuid: uuid.UUID
    uri: str
    level_code: str
    text: Text


@dataclass
class CompetenceDoc:
    uuid: uuid.UUID
    uri: str
    code: str
    name: Text
    description: Text
    level_code: str | None = None
    descriptors: list[DescriptorDoc] = field(default_factory=list)


@dataclass
class AreaDoc:
    uuid: uuid.UUID
    uri: str
    code: str
    name: Text
    description: Text
    competences: list[CompetenceDoc] = field(default_factory=list)


@dataclass
class LevelDoc:
    uuid: uuid.UUID
    uri: str
    code: str
    name: Text
    description: Text


@dataclass
class FrameworkDoc:
    uuid: uuid.UUID
    uri: str
    slug: str
    version: str
    title: Text
    description: Text
    publisher: str = ""
    official_source_url: str = ""
    published_on: datetime.date | None = None
    status: str = "published"
    levels: list[LevelDoc] = field(default_factory=list)
    areas: list[AreaDoc] = field(default_factory=list)


def case_base_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/ims/case/v1p1"


def item_uri(item_uuid: uuid.UUID) -> str:
    return f"{case_base_url()}/CFItems/{item_uuid}"


def document_uri(doc_uuid: uuid.UUID) -> str:
    return f"{case_base_url()}/CFDocuments/{doc_uuid}"


def stable_uuid(*parts: str) -> uuid.UUID:
    return uuid.uuid5(MICROCERT_NAMESPACE, ":".join(parts))


def from_shipped_data(data: dict) -> FrameworkDoc:
    """Build a document from one of the JSON files in ``frameworks/data``."""
    slug, version = data["slug"], data["version"]

    def ids(kind: str, code: str) -> tuple[uuid.UUID, str]:
        item_uuid = stable_uuid(slug, version, kind, code)
        return item_uuid, item_uri(item_uuid)

    doc_uuid = stable_uuid(slug, version, "document")
    doc = FrameworkDoc(
        uuid=doc_uuid,
        uri=document_uri(doc_uuid),
        slug=slug,
        version=version,
        title=data["title"],
        description=data.get("description", {}),
        publisher=data.get("publisher", ""),
        official_source_url=data.get("official_source_url", ""),
        published_on=(
            datetime.date.fromisoformat(data["published_on"]) if data.get("published_on") else None
        ),
    )
    for level in data["levels"]:
        doc.levels.append(
            LevelDoc(
                *ids("level", level["code"]),
                code=level["code"],
                name=level["name"],
                description=level.get("description", {}),
            )
        )
    for area in data["areas"]:
        area_doc = AreaDoc(
            *ids("area", area["code"]),
            code=area["code"],
            name=area["name"],
            description=area.get("description", {}),
        )
        for competence in area["competences"]:
            competence_doc = CompetenceDoc(
                *ids("competence", competence["code"]),
                code=competence["code"],
                name=competence["name"],
                description=competence.get("description", {}),
                level_code=competence.get("level"),
            )
            for level_code, text in competence.get("descriptors", {}).items():
                competence_doc.descriptors.append(
                    DescriptorDoc(
                        *ids("descriptor", f"{competence['code']}@{level_code}"),
                        level_code=level_code,
                        text=text,
                    )
                )
            area_doc.competences.append(competence_doc)
        doc.areas.append(area_doc)
    return doc
