"""The CASE 1.1 endpoints and the public framework pages, as a client meets them."""

import uuid

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import override

from microcert.frameworks.models import CompetencyFramework

pytestmark = pytest.mark.django_db

CASE = "/ims/case/v1p1"


def test_cfdocuments_lists_the_three_shipped_documents(client, shipped_frameworks):
    response = client.get(f"{CASE}/CFDocuments")
    assert response.status_code == 200
    documents = response.json()["CFDocuments"]
    assert {d["identifier"] for d in documents} == {
        str(f.uuid) for f in shipped_frameworks.values()
    }
    assert {d["title"] for d in documents} == {f.title_en for f in shipped_frameworks.values()}


def test_cfdocuments_leaves_out_draft_frameworks(client, shipped_frameworks):
    CompetencyFramework.objects.filter(slug="digcompedu").update(status="draft")
    documents = client.get(f"{CASE}/CFDocuments").json()["CFDocuments"]
    assert len(documents) == 2
    draft = shipped_frameworks["digcompedu"]
    assert client.get(f"{CASE}/CFPackages/{draft.uuid}").status_code == 404


def test_one_cfdocument_is_served_by_its_identifier(client, shipped_frameworks):
    framework = shipped_frameworks["unesco-ict-cft"]
    response = client.get(f"{CASE}/CFDocuments/{framework.uuid}")
    assert response.status_code == 200
    assert response.json()["identifier"] == str(framework.uuid)
    assert response.json()["uri"] == framework.uri


def test_a_cfpackage_holds_the_document_its_items_and_associations(client, shipped_frameworks):
    framework = shipped_frameworks["digcompedu"]
    response = client.get(f"{CASE}/CFPackages/{framework.uuid}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=300"
    package = response.json()
    assert set(package) == {"CFDocument", "CFItems", "CFAssociations"}
    assert package["CFDocument"]["identifier"] == str(framework.uuid)
    # 6 levels + 6 areas + 22 competences + 132 descriptors
    assert len(package["CFItems"]) == 166
    kinds = {a["associationType"] for a in package["CFAssociations"]}
    assert kinds == {"isChildOf", "hasSkillLevel"}


def test_a_cfpackage_is_served_as_utf8_text_not_escapes(client, shipped_frameworks):
    framework = shipped_frameworks["digcompedu"]
    body = client.get(f"{CASE}/CFPackages/{framework.uuid}").content.decode()
    assert framework.title_vi in body


@pytest.mark.parametrize("endpoint", ["CFDocuments", "CFPackages", "CFItems"])
def test_an_unknown_identifier_is_a_404_in_the_case_error_shape(client, db, endpoint):
    response = client.get(f"{CASE}/{endpoint}/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json()["imsx_codeMajor"] == "failure"
    assert response.json()["imsx_severity"] == "error"


@pytest.mark.parametrize("endpoint", ["CFDocuments", "CFPackages", "CFItems"])
@pytest.mark.parametrize("identifier", ["not-a-uuid", "1234", "%00", "' OR 1=1 --"])
def test_an_identifier_that_is_not_a_uuid_is_a_404_never_a_500(client, db, endpoint, identifier):
    response = client.get(f"{CASE}/{endpoint}/{identifier}")
    assert response.status_code == 404
    assert response.json()["imsx_codeMajor"] == "failure"


def test_a_competence_uri_resolves_to_its_cfitem(client, shipped_frameworks):
    competence = shipped_frameworks["digcompedu"].competences.get(code="3.3")
    response = client.get(competence.uri.removeprefix("https://microcert.test"))
    assert response.status_code == 200
    item = response.json()
    assert item["identifier"] == str(competence.uuid)
    assert item["fullStatement"] == "Collaborative learning"
    assert item["humanCodingScheme"] == "3.3"
    assert item["CFItemType"] == "Competence"
    assert item["CFDocumentURI"]["identifier"] == str(shipped_frameworks["digcompedu"].uuid)
    assert response["Cache-Control"] == "public, max-age=300"


def test_areas_levels_and_descriptors_resolve_too(client, shipped_frameworks):
    framework = shipped_frameworks["digcompedu"]
    competence = framework.competences.get(code="3.3")
    for obj, kind in [
        (competence.area, "Area"),
        (framework.levels.get(code="B1"), "Proficiency Level"),
        (competence.descriptors.get(level__code="B1"), "Level Descriptor"),
    ]:
        response = client.get(f"{CASE}/CFItems/{obj.uuid}")
        assert response.status_code == 200, kind
        assert response.json()["CFItemType"] == kind


@pytest.mark.parametrize("endpoint", ["CFDocuments", "CFDocuments/{id}", "CFPackages/{id}"])
def test_the_case_endpoints_are_read_only(client, shipped_frameworks, endpoint):
    framework = shipped_frameworks["digcompedu"]
    response = client.post(f"{CASE}/{endpoint.format(id=framework.uuid)}", data={})
    assert response.status_code == 405


def test_posting_to_a_cfitem_is_refused(client, shipped_frameworks):
    competence = shipped_frameworks["digcompedu"].competences.first()
    assert client.post(f"{CASE}/CFItems/{competence.uuid}").status_code == 405


# ---------------------------------------------------------------------------------------------
# Public pages


def competence_uri(framework: CompetencyFramework, code: str) -> str:
    return framework.competences.get(code=code).uri


def test_the_framework_list_shows_every_published_framework(client, shipped_frameworks):
    response = client.get("/en/frameworks/")
    assert response.status_code == 200
    page = response.content.decode()
    for framework in shipped_frameworks.values():
        assert escape(framework.title_en) in page
        assert f"/en/frameworks/{framework.slug}/{framework.version}/" in page


def test_a_framework_page_shows_its_title_areas_and_competences(client, shipped_frameworks):
    framework = shipped_frameworks["digcompedu"]
    with override("en"):
        url = reverse("frameworks:detail", args=[framework.slug, framework.version])
    assert url == "/en/frameworks/digcompedu/2017/"
    page = client.get(url).content.decode()
    assert escape(framework.title_en) in page
    assert "Collaborative learning" in page
    assert competence_uri(framework, "3.3") in page


def test_a_framework_page_speaks_the_language_of_its_address(client, shipped_frameworks):
    framework = shipped_frameworks["digcompedu"]
    response = client.get(f"/vi/frameworks/{framework.slug}/{framework.version}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(framework.title_vi) in page
    assert "Học tập hợp tác" in page  # competence 3.3
    assert "Collaborative learning" not in page


def test_the_slug_alone_shows_the_current_version(client, shipped_frameworks):
    response = client.get("/en/frameworks/unesco-ai-cft/")
    assert response.status_code == 200
    assert escape(shipped_frameworks["unesco-ai-cft"].title_en) in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/en/frameworks/digcompedu/1999/", "/en/frameworks/nothing-here/"]
)
def test_an_unknown_framework_page_is_a_404(client, shipped_frameworks, path):
    assert client.get(path).status_code == 404


def test_a_draft_framework_has_no_public_page(client, shipped_frameworks):
    CompetencyFramework.objects.filter(slug="digcompedu").update(status="draft")
    assert client.get("/en/frameworks/digcompedu/2017/").status_code == 404
    assert "digcompedu" not in client.get("/en/frameworks/").content.decode()
