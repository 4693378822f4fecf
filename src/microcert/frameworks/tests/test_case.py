"""CASE 1.1 packages: export → import loses nothing, and a bad package is refused whole."""

import contextlib
import copy
import json
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcert.core.models import Event
from microcert.frameworks.case import CaseImportError, export_package
from microcert.frameworks.models import Competence, CompetencyFramework
from microcert.frameworks.services import framework_create, framework_import_case

from .factories import tiny_framework_doc

pytestmark = pytest.mark.django_db

SHIPPED = ["digcompedu", "unesco-ict-cft", "unesco-ai-cft"]


def without_timestamps(value: Any) -> Any:
    """The package with every ``lastChangeDateTime`` left out, at any depth."""
    if isinstance(value, dict):
        return {
            key: without_timestamps(item)
            for key, item in value.items()
            if key != "lastChangeDateTime"
        }
    if isinstance(value, list):
        return [without_timestamps(item) for item in value]
    return value


def counts() -> tuple[int, int]:
    return CompetencyFramework.objects.count(), Event.objects.count()


# ---------------------------------------------------------------------------------------------
# Round trip


@pytest.mark.parametrize("slug", SHIPPED)
def test_export_then_import_gives_back_the_same_framework(shipped_frameworks, slug):
    exported = export_package(shipped_frameworks[slug])
    raw = json.dumps(exported)
    shipped_frameworks[slug].delete()

    imported = framework_import_case(raw=raw)

    assert (imported.slug, imported.uuid) == (slug, shipped_frameworks[slug].uuid)
    assert without_timestamps(export_package(imported)) == without_timestamps(exported)


@pytest.mark.parametrize("slug", SHIPPED)
def test_a_round_trip_keeps_all_four_languages(shipped_frameworks, slug):
    framework = shipped_frameworks[slug]
    before = {c.code: (c.name_vi, c.name_zh_hans, c.name_fr) for c in framework.competences.all()}
    title = (framework.title_vi, framework.title_zh_hans, framework.title_fr)
    raw = json.dumps(export_package(framework), ensure_ascii=False).encode()
    framework.delete()

    imported = framework_import_case(raw=raw)

    assert (imported.title_vi, imported.title_zh_hans, imported.title_fr) == title
    after = {c.code: (c.name_vi, c.name_zh_hans, c.name_fr) for c in imported.competences.all()}
    assert after == before
    assert all(vi and zh for vi, zh, _ in after.values())


def test_a_round_trip_keeps_the_vietnamese_and_chinese_names_of_digcompedu(shipped_frameworks):
    raw = json.dumps(export_package(shipped_frameworks["digcompedu"]))
    shipped_frameworks["digcompedu"].delete()
    framework_import_case(raw=raw)
    competence = Competence.objects.get(framework__slug="digcompedu", code="3.3")
    assert competence.name_vi == "Học tập hợp tác"
    assert competence.name_zh_hans == "协作学习"


def test_an_import_records_a_framework_created_event_from_case(tiny_package):
    framework = framework_import_case(raw=json.dumps(tiny_package))
    event = Event.objects.filter(verb="framework.created").order_by("-id").first()
    assert event.object_id == str(framework.pk)
    assert event.details["source"] == "case"


def test_importing_a_package_already_present_is_refused(shipped_frameworks):
    raw = json.dumps(export_package(shipped_frameworks["digcompedu"]))
    before = counts()
    with pytest.raises(ValidationError, match="already exists"):
        framework_import_case(raw=raw)
    assert counts() == before


# ---------------------------------------------------------------------------------------------
# Refused packages


@pytest.fixture
def tiny_package(db) -> dict[str, Any]:
    """The CFPackage of a tiny framework that is no longer in the database."""
    framework = framework_create(doc=tiny_framework_doc())
    package = export_package(framework)
    framework.delete()
    return package


def item(package: dict, code: str) -> dict:
    return next(i for i in package["CFItems"] if i.get("humanCodingScheme") == code)


def descriptors(package: dict) -> list[dict]:
    return [i for i in package["CFItems"] if i["CFItemType"] == "Level Descriptor"]


def associations(package: dict, kind: str, origin: dict) -> list[dict]:
    return [
        a
        for a in package["CFAssociations"]
        if a["associationType"] == kind and a["originNodeURI"]["identifier"] == origin["identifier"]
    ]


def link(obj: dict) -> dict:
    return {
        "title": obj.get("fullStatement", ""),
        "identifier": obj["identifier"],
        "uri": obj["uri"],
    }


def refused(package: Any, error: type[ValidationError] = CaseImportError) -> str:
    """Import ``package`` (a dict, or raw text); it must be refused and write nothing.

    Returns every message of the refusal, joined, for the test to look for the culprit in.
    Packages that are well-formed CASE but cannot become a framework here (a duplicate, text
    the database cannot hold) are refused by ``framework_create`` with a ValidationError.
    """
    raw = package if isinstance(package, str | bytes) else json.dumps(package)
    before = counts()
    with pytest.raises(error) as refusal:
        framework_import_case(raw=raw)
    assert counts() == before
    return "\n".join(refusal.value.messages)


def test_the_tiny_package_itself_imports(tiny_package):
    framework = framework_import_case(raw=json.dumps(tiny_package))
    assert framework.competences.count() == 3


def test_text_that_is_not_json_is_refused(db):
    assert "not valid JSON" in refused("{this is not json")


def test_bytes_that_are_not_utf8_are_refused(db):
    assert "not valid JSON" in refused(b"\xff\xfe{")


@pytest.mark.parametrize("raw", ["[]", "42", '"CFDocument"', "null"])
def test_json_that_is_not_an_object_is_refused(db, raw):
    assert "JSON object" in refused(raw)


def test_a_package_without_a_cfdocument_is_refused(tiny_package):
    del tiny_package["CFDocument"]
    assert "no CFDocument" in refused(tiny_package)


def test_a_cfdocument_without_an_identifier_is_refused(tiny_package):
    del tiny_package["CFDocument"]["identifier"]
    assert "CFDocument: identifier is missing" in refused(tiny_package)


def test_an_item_without_a_full_statement_is_refused_and_named(tiny_package):
    competence = item(tiny_package, "A.2")
    del competence["fullStatement"]
    message = refused(tiny_package)
    assert f"CFItem {competence['identifier']} (A.2): fullStatement is missing" in message


def test_an_item_whose_identifier_is_not_a_uuid_is_refused_and_named(tiny_package):
    item(tiny_package, "B.1")["identifier"] = "competence-b-1"
    assert "CFItem competence-b-1 (B.1): identifier is missing or not a UUID" in refused(
        tiny_package
    )


def test_two_items_with_the_same_identifier_are_refused(tiny_package):
    first, second = item(tiny_package, "A.1"), item(tiny_package, "B.1")
    second["identifier"] = first["identifier"]
    assert f"CFItem {first['identifier']} (B.1): identifier is used twice" in refused(tiny_package)


def test_an_association_to_an_item_outside_the_package_is_refused(tiny_package):
    stranger = str(uuid.uuid4())
    association = associations(tiny_package, "isChildOf", item(tiny_package, "A.1"))[0]
    association["destinationNodeURI"]["identifier"] = stranger
    message = refused(tiny_package)
    assert f"CFAssociation {association['identifier']}" in message
    assert f"destination {stranger} is not in the package" in message


def test_an_association_from_an_item_outside_the_package_is_refused(tiny_package):
    stranger = str(uuid.uuid4())
    tiny_package["CFAssociations"].append(
        {
            "identifier": str(uuid.uuid4()),
            "associationType": "isChildOf",
            "originNodeURI": {"title": "?", "identifier": stranger, "uri": "urn:x"},
            "destinationNodeURI": link(item(tiny_package, "A")),
        }
    )
    assert f"origin {stranger} is not in the package" in refused(tiny_package)


def test_a_cycle_of_parents_is_refused_and_names_its_members(tiny_package):
    area_a, area_b = item(tiny_package, "A"), item(tiny_package, "B")
    associations(tiny_package, "isChildOf", area_a)[0]["destinationNodeURI"] = link(area_b)
    associations(tiny_package, "isChildOf", area_b)[0]["destinationNodeURI"] = link(area_a)
    message = refused(tiny_package)
    assert "Cycle in isChildOf associations" in message
    assert area_a["identifier"] in message and area_b["identifier"] in message


def test_an_item_not_attached_to_the_document_is_refused(tiny_package):
    orphan = item(tiny_package, "B.1")
    parent = associations(tiny_package, "isChildOf", orphan)[0]
    tiny_package["CFAssociations"].remove(parent)
    assert f"CFItem {orphan['identifier']} (B.1): is not attached to the document" in refused(
        tiny_package
    )


def test_an_item_with_two_parents_is_refused(tiny_package):
    competence = item(tiny_package, "A.1")
    tiny_package["CFAssociations"].append(
        {
            "identifier": str(uuid.uuid4()),
            "associationType": "isChildOf",
            "originNodeURI": link(competence),
            "destinationNodeURI": link(item(tiny_package, "B")),
        }
    )
    assert f"CFItem {competence['identifier']} (A.1): has more than one parent" in refused(
        tiny_package
    )


def test_a_level_descriptor_without_a_level_is_refused(tiny_package):
    descriptor = descriptors(tiny_package)[0]
    for association in associations(tiny_package, "hasSkillLevel", descriptor):
        tiny_package["CFAssociations"].remove(association)
    message = refused(tiny_package)
    assert descriptor["identifier"] in message
    assert "needs a hasSkillLevel association" in message


def test_every_problem_of_a_package_is_reported_at_once(tiny_package):
    first, second = item(tiny_package, "A.1"), item(tiny_package, "B")
    del first["fullStatement"]
    del second["uri"]
    message = refused(tiny_package)
    assert f"{first['identifier']} (A.1): fullStatement is missing" in message
    assert f"{second['identifier']} (B): uri is missing" in message


def test_json_nested_too_deeply_to_read_is_refused(db):
    assert "not valid JSON" in refused("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize("field", ["fullStatement", "humanCodingScheme", "notes"])
def test_an_item_with_a_nul_character_is_refused(tiny_package, field):
    item(tiny_package, "A.1")[field] = "A.1\x00"
    assert "contains a NUL character" in refused(tiny_package, ValidationError)


def test_an_item_code_longer_than_the_column_is_refused_and_named(tiny_package):
    item(tiny_package, "B.1")["humanCodingScheme"] = "B.1-" + "x" * 30
    assert "B.1-xxx" in refused(tiny_package, ValidationError)


def test_a_copy_of_a_stored_framework_under_a_new_identifier_is_refused(shipped_frameworks):
    framework = shipped_frameworks["unesco-ai-cft"]
    raw = json.dumps(export_package(framework)).replace(str(framework.uuid), str(uuid.uuid4()))
    package = json.loads(raw)
    package["CFDocument"]["version"] = "2025"
    assert "already belong to another framework" in refused(package, ValidationError)


def test_translations_in_languages_the_platform_does_not_hold_are_ignored(tiny_package):
    translations = tiny_package["CFDocument"]["extensions"]["microcert:translations"]
    translations["title"]["de"] = "Winziges Rahmenwerk"
    framework = framework_import_case(raw=json.dumps(tiny_package))
    assert framework.title_en == tiny_package["CFDocument"]["title"]
    assert framework.title_vi == translations["title"]["vi"]


@pytest.mark.parametrize(
    ("code", "field", "value"),
    [
        ("L1", "humanCodingScheme", 7),  # sorts beside area A, which has the same sequence
        ("A", "humanCodingScheme", True),
        ("A.1", "CFItemType", ["Competence"]),
    ],
)
def test_odd_item_values_are_read_or_refused_never_crashed_on(tiny_package, code, field, value):
    item(tiny_package, code)[field] = value
    with contextlib.suppress(CaseImportError):
        framework_import_case(raw=json.dumps(tiny_package))


@pytest.mark.parametrize("status", [["Adopted"], {"x": 1}, 3, None])
def test_an_adoption_status_we_do_not_know_imports_as_published(tiny_package, status):
    tiny_package["CFDocument"]["adoptionStatus"] = status
    framework = framework_import_case(raw=json.dumps(tiny_package))
    assert framework.status == CompetencyFramework.Status.PUBLISHED


# ---------------------------------------------------------------------------------------------
# Packages from other publishers


def test_a_plain_case_framework_imports_as_areas_and_competences(db):
    """Untyped items: the document's children become areas, theirs become competences."""
    document_id = str(uuid.uuid4())
    base = "https://case.example.org/uri"
    document = {"identifier": document_id, "uri": f"{base}/{document_id}", "title": "Other"}

    def node(code: str, statement: str) -> dict:
        identifier = str(uuid.uuid4())
        return {
            "identifier": identifier,
            "uri": f"{base}/{identifier}",
            "fullStatement": statement,
            "humanCodingScheme": code,
        }

    def child_of(child: dict, parent: dict, sequence: int) -> dict:
        return {
            "identifier": str(uuid.uuid4()),
            "associationType": "isChildOf",
            "sequenceNumber": sequence,
            "originNodeURI": link(child),
            "destinationNodeURI": {
                "title": parent.get("fullStatement") or parent.get("title"),
                "identifier": parent["identifier"],
                "uri": parent["uri"],
            },
        }

    reading, writing = node("R", "Reading"), node("W", "Writing")
    r1, r2, w1 = node("R1", "Skims a text"), node("R2", "Reads closely"), node("W1", "Drafts")
    package = {
        "CFDocument": {
            **document,
            "creator": "Another Standards Body",
            "version": "2.0",
            "adoptionStatus": "Adopted",
            "statusStartDate": "2021-09-01",
        },
        "CFItems": [w1, r2, writing, r1, reading],
        "CFAssociations": [
            child_of(writing, document, 2),
            child_of(reading, document, 1),
            child_of(r2, reading, 2),
            child_of(r1, reading, 1),
            child_of(w1, writing, 1),
            # Kinds we do not model are ignored, not refused.
            {
                "identifier": str(uuid.uuid4()),
                "associationType": "isRelatedTo",
                "originNodeURI": link(r1),
                "destinationNodeURI": link(w1),
            },
        ],
    }

    framework = framework_import_case(raw=json.dumps(package))

    assert (framework.slug, framework.version, framework.title) == ("other", "2.0", "Other")
    assert framework.publisher == "Another Standards Body"
    assert framework.published_on.isoformat() == "2021-09-01"
    assert [(a.code, a.name) for a in framework.areas.all()] == [("R", "Reading"), ("W", "Writing")]
    assert [(c.area.code, c.code, c.name) for c in framework.competences.all()] == [
        ("R", "R1", "Skims a text"),
        ("R", "R2", "Reads closely"),
        ("W", "W1", "Drafts"),
    ]
    assert str(framework.competences.get(code="R1").uuid) == r1["identifier"]
    assert framework.competences.get(code="R1").uri == r1["uri"]
    assert not framework.levels.exists()


# ---------------------------------------------------------------------------------------------
# Any damaged package: refused cleanly, never a crash

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def damage(package: dict, data: st.DataObject) -> dict:
    """Delete one key of one object of the package, or replace one of its values."""
    damaged = copy.deepcopy(package)
    targets = [damaged["CFDocument"], *damaged["CFItems"], *damaged["CFAssociations"]]
    target = data.draw(st.sampled_from(targets), label="object")
    key = data.draw(st.sampled_from(sorted(target)), label="key")
    if data.draw(st.booleans(), label="delete"):
        del target[key]
    else:
        target[key] = data.draw(json_values, label="value")
    return damaged


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_damaged_package_is_imported_or_refused_never_a_crash(tiny_package, data):
    raw = json.dumps(damage(tiny_package, data))
    with transaction.atomic():
        with contextlib.suppress(CaseImportError, ValidationError):
            framework_import_case(raw=raw)
        # Each example starts from an empty database again.
        transaction.set_rollback(True)
