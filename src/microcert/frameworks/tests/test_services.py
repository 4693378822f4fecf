"""Writing frameworks: the shipped data, deterministic identifiers, and refusing bad documents."""

import copy
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db.models import RestrictedError

from microcert.core.models import Event
from microcert.frameworks.documents import stable_uuid
from microcert.frameworks.models import (
    Area,
    Competence,
    CompetencyFramework,
    LevelDescriptor,
    ProficiencyLevel,
)
from microcert.frameworks.services import framework_create, framework_load_shipped

from .factories import tiny_framework_doc

pytestmark = pytest.mark.django_db

MODELS = (CompetencyFramework, ProficiencyLevel, Area, Competence, LevelDescriptor, Event)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def shape(framework: CompetencyFramework) -> tuple[int, int, int, int]:
    return (
        framework.areas.count(),
        framework.competences.count(),
        framework.levels.count(),
        LevelDescriptor.objects.filter(competence__framework=framework).count(),
    )


# ---------------------------------------------------------------------------------------------
# Shipped frameworks


def test_the_three_shipped_frameworks_load_with_their_published_shape(shipped_frameworks):
    assert set(shipped_frameworks) == {"digcompedu", "unesco-ict-cft", "unesco-ai-cft"}
    assert shape(shipped_frameworks["digcompedu"]) == (6, 22, 6, 132)
    assert shape(shipped_frameworks["unesco-ict-cft"])[:3] == (6, 18, 3)
    assert shape(shipped_frameworks["unesco-ai-cft"])[:3] == (5, 15, 3)


def test_every_unesco_competence_is_one_cell_of_the_aspect_by_level_matrix(shipped_frameworks):
    for slug, aspects in [("unesco-ict-cft", 6), ("unesco-ai-cft", 5)]:
        framework = shipped_frameworks[slug]
        for level in framework.levels.all():
            assert level.cell_competences.count() == aspects, (slug, level.code)
        assert not framework.competences.filter(level__isnull=True).exists()


def test_digcompedu_describes_every_competence_at_every_level(shipped_frameworks):
    framework = shipped_frameworks["digcompedu"]
    for competence in framework.competences.all():
        assert competence.descriptors.count() == 6, competence.code
        assert competence.level is None


def test_shipped_content_is_held_in_all_four_languages(shipped_frameworks):
    competence = shipped_frameworks["digcompedu"].competences.get(code="3.3")
    assert competence.name_en == "Collaborative learning"
    assert competence.name_vi == "Học tập hợp tác"
    assert competence.name_zh_hans == "协作学习"
    assert competence.name_fr == "Apprentissage collaboratif"


def test_each_shipped_framework_records_one_created_event(shipped_frameworks):
    for framework in shipped_frameworks.values():
        events = Event.objects.filter(verb="framework.created", object_id=str(framework.pk))
        assert events.count() == 1
        assert events.get().details["slug"] == framework.slug


def test_loading_the_shipped_frameworks_twice_creates_nothing_new(shipped_frameworks):
    before = row_counts()
    again = framework_load_shipped()
    assert row_counts() == before
    assert {f.pk for f in again} == {f.pk for f in shipped_frameworks.values()}


def test_shipped_identifiers_are_the_same_on_every_fresh_installation(db):
    expected = stable_uuid("digcompedu", "2017", "competence", "3.3")

    def competence_3_3_uuid() -> uuid.UUID:
        framework_load_shipped()
        return Competence.objects.get(framework__slug="digcompedu", code="3.3").uuid

    first = competence_3_3_uuid()
    for framework in CompetencyFramework.objects.all():
        framework.delete()
    assert not Competence.objects.exists()
    second = competence_3_3_uuid()
    assert first == second == expected


def test_the_uri_of_a_shipped_item_resolves_through_the_case_api(shipped_frameworks):
    competence = shipped_frameworks["digcompedu"].competences.get(code="3.3")
    assert competence.uri == f"https://microcert.test/ims/case/v1p1/CFItems/{competence.uuid}"


# ---------------------------------------------------------------------------------------------
# framework_create


def test_creating_a_framework_writes_it_whole_and_records_a_framework_created_event(db):
    framework = framework_create(doc=tiny_framework_doc(), source="test")
    assert shape(framework) == (2, 3, 2, 4)
    assert framework.competences.get(code="A.2").level.code == "L2"
    event = Event.objects.get(verb="framework.created")
    assert (event.object_type, event.object_id) == (
        "frameworks.competencyframework",
        str(framework.pk),
    )
    assert event.details == {
        "slug": "tiny",
        "version": "1",
        "source": "test",
        "areas": 2,
        "competences": 3,
    }


def test_levels_areas_and_competences_are_numbered_in_document_order(db):
    framework = framework_create(doc=tiny_framework_doc())
    assert [(lv.code, lv.position) for lv in framework.levels.all()] == [("L1", 1), ("L2", 2)]
    assert [(a.code, a.position) for a in framework.areas.all()] == [("A", 1), ("B", 2)]
    assert [(c.code, c.position) for c in framework.competences.all()] == [
        ("A.1", 1),
        ("A.2", 2),
        ("B.1", 1),
    ]


def assert_refused(doc, *fragments: str) -> None:
    """The document is refused with a ValidationError naming each fragment; nothing is written."""
    before = row_counts()
    with pytest.raises(ValidationError) as refused:
        framework_create(doc=doc)
    assert row_counts() == before
    text = " ".join(refused.value.messages)
    for fragment in fragments:
        assert fragment in text


def test_a_second_framework_with_the_same_slug_and_version_is_refused(db):
    framework_create(doc=tiny_framework_doc())
    assert_refused(tiny_framework_doc(), "tiny", "already exists")


def test_the_same_slug_in_another_version_is_a_different_framework(db):
    framework_create(doc=tiny_framework_doc(version="1"))
    framework_create(doc=tiny_framework_doc(version="2"))
    assert CompetencyFramework.objects.filter(slug="tiny").count() == 2


def test_a_second_framework_with_the_same_uuid_is_refused(db):
    first = framework_create(doc=tiny_framework_doc())
    assert_refused(
        tiny_framework_doc(slug="other", doc_uuid=first.uuid), str(first.uuid), "already exists"
    )


def test_a_competence_referring_to_an_unknown_level_is_refused(db):
    doc = tiny_framework_doc()
    doc.areas[0].competences[1].level_code = "Z9"
    assert_refused(doc, "A.2", "Z9")


def test_a_descriptor_at_an_unknown_level_is_refused(db):
    doc = tiny_framework_doc()
    doc.areas[1].competences[0].descriptors[0].level_code = "Z9"
    assert_refused(doc, "B.1", "Z9")


def test_a_framework_without_an_english_title_is_refused(db):
    doc = tiny_framework_doc()
    del doc.title["en"]
    assert_refused(doc, "English title")


def test_two_levels_sharing_a_code_are_refused(db):
    doc = tiny_framework_doc()
    doc.levels[1].code = "L1"
    assert_refused(doc, "share a code")


def test_two_areas_sharing_a_code_are_refused(db):
    doc = tiny_framework_doc()
    doc.areas[1].code = "A"
    assert_refused(doc, "Two areas share a code")


def test_two_items_sharing_an_identifier_are_refused(db):
    doc = tiny_framework_doc()
    doc.areas[1].uuid = doc.levels[0].uuid
    assert_refused(doc, "Two items share a uuid")


def test_two_items_sharing_a_uri_are_refused(db):
    doc = tiny_framework_doc()
    doc.areas[1].competences[0].uri = doc.areas[0].uri
    assert_refused(doc, "Two items share a uri")


def test_items_that_belong_to_another_framework_are_refused(db):
    first = tiny_framework_doc()
    framework_create(doc=first)
    borrowed = first.areas[0].competences[0].uuid
    second = tiny_framework_doc(slug="second")
    second.areas[1].competences[0].uuid = borrowed
    assert_refused(second, "already belong to another framework", str(borrowed))


def test_a_framework_copied_under_a_new_identifier_is_refused(db):
    first = tiny_framework_doc()
    framework_create(doc=first)
    copied = copy.deepcopy(first)
    copied.uuid, copied.slug = uuid.uuid4(), "copy"
    assert_refused(copied, "already belong to another framework")


def test_a_code_longer_than_its_column_is_refused(db):
    doc = tiny_framework_doc()
    doc.areas[0].competences[0].code = "A.1-" + "x" * 30
    assert_refused(doc, "A.1-xxx", "code is longer than 20 characters")


def test_a_name_longer_than_its_column_is_refused_in_any_language(db):
    doc = tiny_framework_doc()
    doc.areas[1].name["vi"] = "ừ" * 256
    assert_refused(doc, "B: name is longer than 255 characters")


@pytest.mark.parametrize("where", ["title", "competence name", "descriptor text"])
def test_text_with_a_nul_character_is_refused(db, where):
    """PostgreSQL cannot store NUL; the document is refused the same way on every database."""
    doc = tiny_framework_doc()
    competence = doc.areas[0].competences[0]
    texts = {
        "title": doc.title,
        "competence name": competence.name,
        "descriptor text": competence.descriptors[0].text,
    }[where]
    texts["fr"] = "nul\x00here"
    assert_refused(doc, "contains a NUL character")


def test_two_competences_sharing_a_code_are_refused(db):
    doc = tiny_framework_doc()
    doc.areas[1].competences[0].code = "A.1"
    assert_refused(doc, "A.1", "used twice")


# ---------------------------------------------------------------------------------------------
# Deleting


def test_deleting_a_matrix_framework_removes_its_levels_and_cell_competences(shipped_frameworks):
    shipped_frameworks["unesco-ict-cft"].delete()
    assert not CompetencyFramework.objects.filter(slug="unesco-ict-cft").exists()
    assert not Competence.objects.filter(framework__slug="unesco-ict-cft").exists()
    assert not ProficiencyLevel.objects.filter(framework__slug="unesco-ict-cft").exists()
    assert CompetencyFramework.objects.count() == 2


def test_a_level_that_is_a_matrix_cell_cannot_be_deleted_on_its_own(shipped_frameworks):
    level = shipped_frameworks["unesco-ai-cft"].levels.first()
    with pytest.raises(RestrictedError):
        level.delete()
    assert ProficiencyLevel.objects.filter(pk=level.pk).exists()
