"""Builders of small framework documents for the tests of the frameworks app."""

import uuid

from microcert.frameworks.documents import (
    AreaDoc,
    CompetenceDoc,
    DescriptorDoc,
    FrameworkDoc,
    LevelDoc,
    document_uri,
    item_uri,
)


def texts(en: str) -> dict[str, str]:
    """The same text in all four content languages, marked by language."""
    return {"en": en, "vi": f"{en} (vi)", "zh-hans": f"{en} 中文", "fr": f"{en} (fr)"}


def _ids() -> tuple[uuid.UUID, str]:
    value = uuid.uuid4()
    return value, item_uri(value)


def tiny_framework_doc(
    *, slug: str = "tiny", version: str = "1", doc_uuid: uuid.UUID | None = None
) -> FrameworkDoc:
    """Two levels; area A with a levelled competence and a matrix cell; area B with one more.

    Every item gets a fresh random UUID, so two calls never collide on item identifiers.
    """
    doc_uuid = doc_uuid or uuid.uuid4()

    def competence(code: str, level_code: str | None, descriptor_levels: list[str]):
        return CompetenceDoc(
            *_ids(),
            code=code,
            name=texts(f"Competence {code}"),
            description=texts(f"What competence {code} means."),
            level_code=level_code,
            descriptors=[
                DescriptorDoc(*_ids(), level_code=level, text=texts(f"{code} at {level}"))
                for level in descriptor_levels
            ],
        )

    return FrameworkDoc(
        uuid=doc_uuid,
        uri=document_uri(doc_uuid),
        slug=slug,
        version=version,
        title=texts(f"Tiny framework {slug} {version}"),
        description=texts("A framework small enough to read in one go."),
        publisher="Test Publisher",
        levels=[
            LevelDoc(*_ids(), code="L1", name=texts("Novice"), description=texts("Starting.")),
            LevelDoc(*_ids(), code="L2", name=texts("Expert"), description=texts("Leading.")),
        ],
        areas=[
            AreaDoc(
                *_ids(),
                code="A",
                name=texts("Area A"),
                description=texts("The first area."),
                competences=[
                    competence("A.1", None, ["L1", "L2"]),
                    competence("A.2", "L2", ["L2"]),
                ],
            ),
            AreaDoc(
                *_ids(),
                code="B",
                name=texts("Area B"),
                description={},
                competences=[competence("B.1", None, ["L1"])],
            ),
        ],
    )
