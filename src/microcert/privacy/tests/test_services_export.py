"""A person's export: every area, their evidence files, a README in their language, an event
for each export, and nothing of anyone else."""

import io
import json
import zipfile

from microcert.core.models import Event
from microcert.credentials.models import IssuedCredential
from microcert.learning.models import EvidenceItem
from microcert.learning.tests.builders import PDF
from microcert.privacy import registry, services
from microcert.recognition.models import LedgerEntry

from .builders import LAN_EMAIL, LAN_NAME, LAN_OLD_NAME, LAN_OTHER_EMAIL, Scene


def _archive(scene: Scene, **kwargs) -> zipfile.ZipFile:
    data = services.person_export(person=scene.lan, actor=scene.lan, **kwargs)
    return zipfile.ZipFile(io.BytesIO(data))


def _area(archive: zipfile.ZipFile, area: str):
    return json.loads(archive.read(f"{area}.json"))


def test_the_archive_holds_every_area_the_evidence_files_and_a_readme(scene):
    archive = _archive(scene)
    names = set(archive.namelist())
    assert {f"{area}.json" for area in registry.AREAS} | {"README.txt"} <= names
    files = EvidenceItem.objects.filter(submission=scene.submission).exclude(file="")
    assert files
    for item in files:
        stored = f"{item.file.name}.pdf"
        assert stored in names
        assert archive.read(stored) == PDF
    readme = archive.read("README.txt").decode("utf-8")
    for area in registry.AREAS:
        assert f"{area}.json" in readme
    assert archive.testzip() is None


def test_each_export_is_recorded_with_who_asked_and_why(scene):
    _archive(scene)
    services.person_export(person=scene.lan, actor=scene.manager, reason="Letter of 3 March")
    events = Event.objects.filter(verb="person.exported", object_id=str(scene.lan.pk))
    assert [(e.actor_id, e.reason) for e in events.order_by("pk")] == [
        (scene.lan.pk, ""),
        (scene.manager.pk, "Letter of 3 March"),
    ]
    assert events.first().details["evidence_files"] >= 1


def test_each_area_shows_the_persons_own_data(scene):
    archive = _archive(scene)
    profile = _area(archive, "profile")
    assert (profile["email"], profile["legal_name"]) == (LAN_EMAIL, LAN_NAME)
    assert LAN_OLD_NAME in {change["new_name"] for change in profile["legal_name_history"]}
    assert {e["email"] for e in _area(archive, "emails")} == {LAN_EMAIL, LAN_OTHER_EMAIL}
    assert [(r["organisation_slug"], r["role"]) for r in _area(archive, "roles")["roles"]] == [
        ("hust", "teacher")
    ]
    (assessment,) = _area(archive, "self_assessments")
    assert assessment["answers"] and {a["level"] for a in assessment["answers"]} == {"B1"}
    (plan,) = _area(archive, "plans")
    assert plan["status"] == "approved" and LAN_NAME in plan["decision_comment"]
    assert plan["items"]
    assert any(e["status"] == "completed" for e in _area(archive, "enrolments"))
    (submission,) = _area(archive, "submissions")
    assert LAN_EMAIL in submission["reflection"] and submission["evidence"]
    (review,) = _area(archive, "reviews_received")
    assert review["decision"] == "pass" and review["rubric_scores"]
    assert LAN_NAME in review["feedback"]
    credentials = {c["uuid"]: c for c in _area(archive, "credentials")}
    for credential in IssuedCredential.objects.filter(recipient=scene.lan):
        assert credentials[str(credential.uuid)]["signed_document"] == credential.document
    assert len(_area(archive, "ledger")) == LedgerEntry.objects.filter(person=scene.lan).count()
    assert len(_area(archive, "ledger")) >= 1
    verbs = {e["verb"] for e in _area(archive, "events")}
    assert {"person.created", "submission.submitted", "credential.issued"} <= verbs
    assert [t["name"] for t in _area(archive, "api_tokens")] == [scene.token_name]
    platforms = _area(archive, "learning_platforms")
    assert [i["user_id"] for i in platforms["identities"]] == ["moodle-user-4242"]


def test_nothing_of_other_people_leaves_with_the_export(scene):
    """Another teacher's data, the assessor and the institution admin who decided the plan
    appear nowhere: the assessor by the role of the review only, others as "(another
    person)"."""
    archive = _archive(scene)
    text = "\n".join(
        archive.read(name).decode("utf-8")
        for name in archive.namelist()
        if name.endswith((".json", ".txt"))
    )
    for other in (scene.hung, scene.assessor, scene.hust_admin, scene.manager):
        assert other.email not in text
        assert other.legal_name not in text
        assert str(other.uuid) not in text
    # Hùng's own reflection (the demo's attempt in review) is not Lan's.
    assert "chatbot" not in text
    (review,) = _area(archive, "reviews_received")
    assert review["review"] == "Review"
    decided = [e for e in _area(archive, "events") if e["verb"] == "pd_plan.approved"]
    assert decided and decided[0]["by"] == "(another person)"
    assessed = [e for e in _area(archive, "events") if e["verb"] == "review.assigned"]
    assert assessed and "(another person)" in json.dumps(assessed[0]["details"])


def test_records_of_others_that_name_the_person_are_listed_without_their_content(scene):
    """An assessor's export lists the reviews they wrote, never the teacher's work."""
    archive = zipfile.ZipFile(
        io.BytesIO(services.person_export(person=scene.assessor, actor=scene.assessor))
    )
    references = _area(archive, "references")
    review = str(scene.submission.reviews.get().uuid)
    assert any(ref["record"] == "learning.Review" and ref["id"] == review for ref in references)
    text = "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    assert LAN_EMAIL not in text and LAN_NAME not in text
    assert "organised the groups well" not in text


def test_a_big_archive_spills_to_disk_instead_of_memory(scene, monkeypatch):
    monkeypatch.setattr(services, "EXPORT_SPOOL_BYTES", 1024)
    archive = services.person_export_file(person=scene.lan, actor=scene.lan)
    try:
        assert archive._rolled  # written to a temporary file, not held in memory
        assert zipfile.ZipFile(archive).testzip() is None
    finally:
        archive.close()
