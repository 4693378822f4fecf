"""The REST API of the teacher's journey, read as its specification.

Everything goes through HTTP with personal bearer tokens against the demo data (loaded
without credentials, so every credential counted here is one the API's journey awarded).
"""

import datetime
import io
import json
import uuid
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.crypto import get_random_string

from microcert.accounts import services as account_services
from microcert.accounts.models import PersonalToken, User
from microcert.catalog import services as catalog_services
from microcert.catalog.models import Offering, SpecificationVersion
from microcert.core.models import Event
from microcert.credentials.models import IssuedCredential
from microcert.learning.models import (
    Enrolment,
    EvidenceItem,
    PDPlan,
    PDPlanItem,
    Review,
    SelfAssessment,
    SelfAssessmentAnswer,
    Submission,
)
from microcert.network.models import Organisation

pytestmark = pytest.mark.django_db

API = "/api/v1"
SPEC = "organise-and-facilitate-online-collaborative-learning"
LAN = "lan.pham@hust.example"
HUNG = "hung.le@hust.example"
HUST_ADMIN = "admin@hust.example"
UT_ADMIN = "admin@ut.example"
MANAGER = "manager@centre.example"
ASSESSORS = ("assessor@ain-shams.example", "assessor@must.example")
REFLECTION = (
    "I redesigned the weekly group task so that each team kept a shared log of decisions in "
    "the course forum. I intervened when a log went quiet for more than two days and asked "
    "one open question rather than giving the answer. Quieter students posted more once the "
    "roles rotated each week; next term I will add a short peer check halfway through."
)


def minimal_pdf(text: str = "Collaborative task design") -> bytes:
    """A small but well-formed one-page PDF (header, objects, cross-reference table)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


# --- Calling the API --------------------------------------------------------------------------


class Caller:
    """One person's client with their own personal token."""

    def __init__(self, email: str):
        self.person = User.objects.get(email=email)
        _token, self.token = account_services.personal_token_create(
            person=self.person, name="tests", actor=None
        )
        self.client = Client()

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path: str, **params: Any):
        return self.client.get(API + path, params, **self._headers())

    def send(self, method: str, path: str, body: Any = None, *, raw: str | None = None):
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return getattr(self.client, method)(
            API + path, data=data, content_type="application/json", **self._headers()
        )

    def post(self, path: str, body: Any = None, **kwargs):
        return self.send("post", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs):
        return self.send("put", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs):
        return self.send("patch", path, body, **kwargs)

    def delete(self, path: str):
        return self.client.delete(API + path, **self._headers())

    def upload(self, path: str, fields: dict):
        return self.client.post(API + path, fields, **self._headers())


def ok(response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json() if response.content else None


def refused(response, status: int | None = None) -> str:
    """A refusal is a 4xx with a JSON ``detail``; returns the detail."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:500])
    if status is not None:
        assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert detail
    return detail


@pytest.fixture(scope="module")
def _demo_once(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the module inside a transaction rolled back at its end;
    each test runs in a savepoint within it."""
    from microcert.demo.services import demo_load

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        demo_load(credentials=False)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo_data(_demo_once, db) -> None:
    return None


@pytest.fixture
def people(demo_data) -> dict[str, Caller]:
    return {
        email: Caller(email) for email in (LAN, HUNG, HUST_ADMIN, UT_ADMIN, MANAGER, *ASSESSORS)
    }


@pytest.fixture
def lan(people) -> Caller:
    return people[LAN]


@pytest.fixture
def hung(people) -> Caller:
    return people[HUNG]


@pytest.fixture
def hust_admin(people) -> Caller:
    return people[HUST_ADMIN]


@pytest.fixture
def offering(demo_data) -> Offering:
    """A run of the collaborative-learning micro-credential at HUST that is open today."""
    version = SpecificationVersion.objects.get(
        micro_credential__slug=SPEC, status=SpecificationVersion.Status.PUBLISHED
    )
    today = timezone.localdate()
    return catalog_services.offering_create(
        version=version,
        host=Organisation.objects.get(slug="hust"),
        starts_on=today,
        ends_on=today + datetime.timedelta(days=60),
        language="vi",
        mode="online",
        capacity=30,
    )


def next_year() -> int:
    # The plan deadline falls within the plan's year, so next year's is always ahead.
    return timezone.localdate().year + 1


# --- Steps of the journey ---------------------------------------------------------------------


def self_assess(caller: Caller) -> dict:
    frameworks = ok(caller.get("/frameworks"))["items"]
    digcompedu = next(f for f in frameworks if f["slug"] == "digcompedu")
    started = ok(caller.post("/self-assessments", {"framework": "digcompedu"}), 201)
    assert started["status"] == "in_progress"
    assert started["answered"] == 0 and started["total"] == digcompedu["competences"]
    codes = [c["code"] for area in started["profile"]["areas"] for c in area["competences"]]
    levels = [level["code"] for level in started["levels"]]
    answers = {code: levels[i % 3] for i, code in enumerate(codes)}  # A1, A2, B1, …
    path = f"/self-assessments/{started['uuid']}"
    ok(caller.put(f"{path}/answers", dict(list(answers.items())[:5])))
    answered = ok(caller.put(f"{path}/answers", dict(list(answers.items())[5:])))
    assert answered["answered"] == len(codes)
    done = ok(caller.post(f"{path}/complete"))
    assert done["status"] == "completed" and done["completed_at"]
    assert done["profile"]["overall"] is not None and done["profile"]["level"] in levels
    return done


def plan_and_submit(caller: Caller, hours: float = 25) -> dict:
    plan = ok(caller.post("/plans", {"year": next_year(), "organisation": "hust"}), 201)
    assert plan["status"] == "draft" and plan["organisation"]["slug"] == "hust"
    item = ok(caller.put(f"/plans/{plan['uuid']}/items/{SPEC}", {"planned_hours": hours}))
    assert item == {
        "micro_credential": SPEC,
        "title": item["title"],
        "planned_hours": hours,
        "note": "",
    }
    submitted = ok(caller.post(f"/plans/{plan['uuid']}/submit"))
    assert submitted["status"] == "submitted" and submitted["planned_hours"] == hours
    return submitted


def enrol_and_start(caller: Caller, offering: Offering) -> dict:
    listed = ok(caller.get("/offerings", micro_credential=SPEC))["items"]
    mine = next(o for o in listed if o["uuid"] == str(offering.uuid))
    assert mine["places_left"] == offering.capacity and mine["waiting"] == 0
    enrolment = ok(caller.post("/enrolments", {"offering": str(offering.uuid)}), 201)
    assert enrolment["status"] == "enrolled"
    return ok(caller.post(f"/enrolments/{enrolment['uuid']}/submissions"), 201)


def requirement_id(submission: dict, kind: str) -> int:
    return next(r["id"] for r in submission["requirements"] if r["kind"] == kind)


def fill_in(caller: Caller, submission: dict) -> dict:
    path = f"/submissions/{submission['uuid']}"
    for requirement in submission["requirements"]:
        if requirement["kind"] == "file":
            upload = SimpleUploadedFile("task design.pdf", minimal_pdf(), "application/pdf")
            item = ok(
                caller.upload(
                    f"{path}/evidence/files", {"requirement": requirement["id"], "file": upload}
                ),
                201,
            )
            assert item["content_type"] == "application/pdf" and item["has_file"]
            assert item["file_name"] == "task design.pdf"
        elif requirement["kind"] == "link":
            ok(
                caller.post(
                    f"{path}/evidence/links",
                    {"requirement": requirement["id"], "url": "https://video.example/group-work"},
                ),
                201,
            )
    answers = correct_answers(submission)
    draft = ok(caller.patch(path, {"reflection": REFLECTION, "knowledge_answers": answers}))
    assert draft["missing"] == []
    return draft


def correct_answers(submission: dict) -> dict[str, int]:
    from microcert.learning.models import KnowledgeChoice

    return {
        str(q["id"]): KnowledgeChoice.objects.get(question_id=q["id"], is_correct=True).pk
        for q in submission["knowledge_questions"]
    }


def assigned_review(people: dict[str, Caller], submission_uuid: str) -> tuple[Caller, dict]:
    """The assessor holding the open review of the submission, and that review."""
    for email in ASSESSORS:
        queue = ok(people[email].get("/reviews"))["items"]
        for review in queue:
            if review["submission"]["uuid"] == submission_uuid:
                return people[email], review
    raise AssertionError("no assessor has the submission in their queue")


def passing_scores(review: dict) -> dict[str, int]:
    return {
        str(criterion["id"]): next(lv["id"] for lv in criterion["levels"] if lv["passing"])
        for criterion in review["submission"]["rubric"]
    }


def credentials_of(person: User) -> int:
    return IssuedCredential.objects.filter(recipient=person).count()


# --- The whole journey ------------------------------------------------------------------------


def test_the_whole_journey_through_the_api_awards_one_credential(people, offering):
    lan, admin = people[LAN], people[HUST_ADMIN]
    me = ok(lan.get("/me"))
    assert (
        me["email"] == LAN
        and {"role": "teacher", "organisation": me["roles"][0]["organisation"]} in me["roles"]
    )
    assert me["roles"][0]["organisation"]["slug"] == "hust"

    profile = self_assess(lan)
    suggestions = ok(lan.get(f"/self-assessments/{profile['uuid']}/suggestions"))
    assert all(s["target_level"] != s["current_level"] for s in suggestions)
    assert ok(lan.get("/self-assessments"))["count"] == 1

    plan = plan_and_submit(lan)
    waiting = ok(admin.get("/organisations/hust/plans-to-decide"))["items"]
    assert plan["uuid"] in [p["uuid"] for p in waiting]
    approved = ok(admin.post(f"/plans/{plan['uuid']}/approve", {"comment": "Good plan."}))
    assert approved["status"] == "approved" and approved["decided_by"]["email"] == HUST_ADMIN
    assert ok(lan.get(f"/plans/{plan['uuid']}"))["status"] == "approved"

    submission = enrol_and_start(lan, offering)
    assert submission["status"] == "draft" and submission["attempt"] == 1
    assert len(submission["missing"]) == len(submission["requirements"])
    fill_in(lan, submission)
    sent = ok(lan.post(f"/submissions/{submission['uuid']}/submit"))
    assert sent["status"] == "in_review" and sent["submitted_at"]
    assert sent["reviews"] == []  # the teacher reads reviews once decided

    assert credentials_of(lan.person) == 0
    last: tuple[Caller, str, dict] | None = None
    for _round in range(3):  # a first review, and a second one where the policy asks for it
        if Submission.objects.get(uuid=submission["uuid"]).status != "in_review":
            break
        assessor, queued = assigned_review(people, submission["uuid"])
        review = ok(assessor.get(f"/reviews/{queued['uuid']}"))
        assert review["submission"]["reflection"] == REFLECTION
        assert {e["content_type"] for e in review["submission"]["evidence"]} >= {"application/pdf"}
        assert all(c["levels"] for c in review["submission"]["rubric"])
        body = {
            "scores": passing_scores(review),
            "decision": "pass",
            "feedback": "Clear design and honest reflection.",
        }
        done = ok(assessor.post(f"/reviews/{queued['uuid']}/complete", body))
        assert done["status"] == "completed" and done["decision"] == "pass"
        assert done["score"] is not None
        last = (assessor, queued["uuid"], body)

    decided = ok(lan.get(f"/submissions/{submission['uuid']}"))
    assert decided["status"] == "passed"
    assert decided["credential"] and decided["credential"]["status"] == "active"
    assert decided["reviews"] and decided["reviews"][0]["decision"] == "pass"
    assert credentials_of(lan.person) == 1

    # The same completion sent again is refused with a reason, and awards nothing more.
    assert last is not None
    assessor, review_uuid, body = last
    detail = refused(assessor.post(f"/reviews/{review_uuid}/complete", body), 409)
    assert "already" in detail
    assert credentials_of(lan.person) == 1
    enrolment = ok(lan.get(f"/enrolments/{submission['enrolment']}"))
    assert enrolment["status"] == "completed"

    # The evidence file comes back as uploaded, for the teacher.
    file_item = next(e for e in decided["evidence"] if e["has_file"])
    download = lan.client.get(
        f"{API}/evidence/{file_item['uuid']}/file", HTTP_AUTHORIZATION=f"Bearer {lan.token}"
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == minimal_pdf()
    assert download["Content-Type"] == "application/pdf"


# --- Who may see and do what ------------------------------------------------------------------


@pytest.fixture
def lans_work(people, offering) -> dict[str, dict]:
    """Lan's self-assessment (open), a submitted plan and a draft attempt with evidence."""
    lan = people[LAN]
    assessment = ok(lan.post("/self-assessments", {"framework": "digcompedu"}), 201)
    plan = plan_and_submit(lan)
    submission = enrol_and_start(lan, offering)
    submission = fill_in(lan, submission)
    return {"assessment": assessment, "plan": plan, "submission": submission}


def test_another_teacher_cannot_read_or_touch_my_work_and_learns_nothing(hung, lans_work):
    assessment = lans_work["assessment"]["uuid"]
    plan = lans_work["plan"]["uuid"]
    submission = lans_work["submission"]["uuid"]
    enrolment = lans_work["submission"]["enrolment"]
    evidence = lans_work["submission"]["evidence"][0]["uuid"]
    before = snapshot()

    attempts = [
        hung.get(f"/self-assessments/{assessment}"),
        hung.get(f"/self-assessments/{assessment}/suggestions"),
        hung.put(f"/self-assessments/{assessment}/answers", {"1.1": "C2"}),
        hung.post(f"/self-assessments/{assessment}/complete"),
        hung.get(f"/plans/{plan}"),
        hung.put(f"/plans/{plan}/items/{SPEC}", {"planned_hours": 1}),
        hung.delete(f"/plans/{plan}/items/{SPEC}"),
        hung.post(f"/plans/{plan}/submit"),
        hung.get(f"/enrolments/{enrolment}"),
        hung.post(f"/enrolments/{enrolment}/withdraw"),
        hung.post(f"/enrolments/{enrolment}/submissions"),
        hung.get(f"/submissions/{submission}"),
        hung.patch(f"/submissions/{submission}", {"reflection": "mine now"}),
        hung.post(f"/submissions/{submission}/submit"),
        hung.delete(f"/submissions/{submission}/evidence/{evidence}"),
        hung.get(f"/evidence/{evidence}/file"),
    ]
    for response in attempts:
        refused(response, 404)
    # Exactly what a made-up identifier gets: nothing tells that Lan's work exists.
    for path in (f"/plans/{plan}", f"/submissions/{submission}", f"/enrolments/{enrolment}"):
        made_up = path.rsplit("/", 1)[0] + f"/{uuid.uuid4()}"
        assert hung.get(path).json() == hung.get(made_up).json()
    assert snapshot() == before
    assert ok(hung.get("/plans"))["count"] == 0
    assert ok(hung.get("/self-assessments"))["count"] == 0


def test_a_teacher_cannot_approve_plans_not_even_their_own(people, lans_work):
    lan, hung = people[LAN], people[HUNG]
    plan = lans_work["plan"]["uuid"]

    assert "admin" in refused(lan.post(f"/plans/{plan}/approve"), 403)
    refused(lan.post(f"/plans/{plan}/return", {"comment": "Let me change it."}), 403)
    refused(hung.post(f"/plans/{plan}/approve"), 404)  # not his to see at all
    refused(lan.get("/organisations/hust/plans-to-decide"), 403)
    refused(lan.get("/organisations/hust/progress"), 403)
    assert PDPlan.objects.get(uuid=plan).status == "submitted"


def test_only_the_admins_of_the_plans_institution_decide_it(people, lans_work):
    plan = lans_work["plan"]["uuid"]
    refused(people[UT_ADMIN].post(f"/plans/{plan}/approve"), 404)
    refused(people[UT_ADMIN].get("/organisations/hust/progress"), 403)
    # Programme managers follow plans but do not decide them.
    assert ok(people[MANAGER].get(f"/plans/{plan}"))["uuid"] == plan
    refused(people[MANAGER].post(f"/plans/{plan}/approve"), 403)

    admin = people[HUST_ADMIN]
    progress = ok(admin.get("/organisations/hust/progress", year=next_year()))["items"]
    lans_row = next(row for row in progress if row["teacher"]["email"] == LAN)
    assert lans_row["plan"]["uuid"] == plan and lans_row["plan"]["status"] == "submitted"
    # Enrolments count in the year their offering starts: this one starts this year.
    assert lans_row["enrolments"] == 0
    this_year = ok(admin.get("/organisations/hust/progress", year=next_year() - 1))["items"]
    assert next(row for row in this_year if row["teacher"]["email"] == LAN)["enrolments"] == 1
    # An admin reads the plan but cannot change it in the teacher's place.
    refused(admin.put(f"/plans/{plan}/items/{SPEC}", {"planned_hours": 1}), 403)
    refused(admin.get(f"/submissions/{lans_work['submission']['uuid']}"), 404)

    returned = ok(admin.post(f"/plans/{plan}/return", {"comment": "Add a second item."}))
    assert returned["status"] == "returned" and returned["comment"] == "Add a second item."
    # Returned for changes: the teacher may edit it again.
    ok(people[LAN].put(f"/plans/{plan}/items/{SPEC}", {"planned_hours": 30, "note": "more"}))


def test_an_assessor_sees_only_the_submissions_assigned_to_them(people, lans_work):
    lan = people[LAN]
    submission = lans_work["submission"]["uuid"]
    ok(lan.post(f"/submissions/{submission}/submit"))
    assessor, queued = assigned_review(people, submission)
    other = next(people[e] for e in ASSESSORS if people[e] is not assessor)

    refused(other.get(f"/reviews/{queued['uuid']}"), 404)
    refused(other.get(f"/submissions/{submission}"), 404)
    evidence = lans_work["submission"]["evidence"][0]["uuid"]
    refused(other.get(f"/evidence/{evidence}/file"), 404)
    review = ok(assessor.get(f"/reviews/{queued['uuid']}"))
    body = {"scores": passing_scores(review), "decision": "pass", "feedback": "Fine."}
    refused(other.post(f"/reviews/{queued['uuid']}/complete", body), 404)
    assert Review.objects.get(uuid=queued["uuid"]).status == "assigned"

    # The assigned assessor reads the submission and its files, but cannot change it.
    assert ok(assessor.get(f"/submissions/{submission}"))["status"] == "in_review"
    assert assessor.get(f"/evidence/{evidence}/file").status_code == 200
    refused(assessor.patch(f"/submissions/{submission}", {"reflection": "x" * 300}), 403)
    # Teachers have no queue and cannot complete a review.
    refused(lan.get("/reviews"), 403)
    refused(lan.post(f"/reviews/{queued['uuid']}/complete", body), 404)
    assert credentials_of(lan.person) == 0


def test_only_teachers_enrol_or_plan(people, offering):
    assessor = people[ASSESSORS[0]]
    refused(assessor.post("/enrolments", {"offering": str(offering.uuid)}), 403)
    refused(assessor.post("/plans", {"year": next_year(), "organisation": "hust"}), 403)
    # A teacher of one institution cannot plan at another.
    refused(people[LAN].post("/plans", {"year": next_year(), "organisation": "ut"}), 400)
    assert not Enrolment.objects.filter(teacher=assessor.person).exists()


def test_a_programme_manager_assigns_an_assessor_and_sees_who_waits(people, lans_work):
    lan, manager = people[LAN], people[MANAGER]
    submission = lans_work["submission"]["uuid"]
    ok(lan.post(f"/submissions/{submission}/submit"))
    first, queued = assigned_review(people, submission)
    other = next(people[e] for e in ASSESSORS if people[e] is not first)

    refused(
        lan.post(f"/submissions/{submission}/reviews", {"assessor": str(other.person.uuid)}), 403
    )
    refused(lan.get("/submissions/awaiting-assessor"), 403)
    assert ok(manager.get("/submissions/awaiting-assessor"))["count"] >= 0
    moved = ok(
        manager.post(f"/submissions/{submission}/reviews", {"assessor": str(other.person.uuid)}),
        201,
    )
    assert moved["role"] == "first" and moved["status"] == "assigned"
    assert Review.objects.get(uuid=queued["uuid"]).status == "withdrawn"
    # Neither the teacher herself nor an unknown person can be made an assessor.
    refused(
        manager.post(f"/submissions/{submission}/reviews", {"assessor": str(lan.person.uuid)}), 400
    )
    refused(
        manager.post(f"/submissions/{submission}/reviews", {"assessor": str(uuid.uuid4())}), 404
    )
    # A manager reads the review (to follow it) but does not complete it.
    review = ok(manager.get(f"/reviews/{moved['uuid']}"))
    body = {"scores": passing_scores(review), "decision": "pass", "feedback": "Fine."}
    refused(manager.post(f"/reviews/{moved['uuid']}/complete", body), 403)


# --- Helpers for "nothing changed" ------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    """What a refused request must leave exactly as it was."""
    return {
        "events": Event.objects.count(),
        "assessments": list(SelfAssessment.objects.values_list("uuid", "status")),
        "answers": list(SelfAssessmentAnswer.objects.values_list("pk", "level_id")),
        "plans": list(PDPlan.objects.values_list("uuid", "status", "comment")),
        "items": list(PDPlanItem.objects.values_list("pk", "planned_hours", "note")),
        "enrolments": list(Enrolment.objects.values_list("uuid", "status")),
        "submissions": list(
            Submission.objects.values_list("uuid", "status", "reflection", "knowledge_answers")
        ),
        "evidence": list(EvidenceItem.objects.values_list("uuid", "url", "file")),
        "reviews": list(Review.objects.values_list("uuid", "status", "decision")),
        "credentials": IssuedCredential.objects.count(),
    }


# --- Bad input --------------------------------------------------------------------------------


@pytest.fixture
def drafts(people, offering) -> dict[str, Any]:
    """Lan's open self-assessment, draft plan with one item and draft attempt with evidence."""
    lan = people[LAN]
    assessment = ok(lan.post("/self-assessments", {"framework": "digcompedu"}), 201)
    plan = ok(lan.post("/plans", {"year": next_year(), "organisation": "hust"}), 201)
    ok(lan.put(f"/plans/{plan['uuid']}/items/{SPEC}", {"planned_hours": 12.5, "note": "spring"}))
    submission = fill_in(lan, enrol_and_start(lan, offering))
    first_code = assessment["profile"]["areas"][0]["competences"][0]["code"]
    ok(lan.put(f"/self-assessments/{assessment['uuid']}/answers", {first_code: "B1"}))
    return {
        "assessment": assessment["uuid"],
        "code": first_code,
        "plan": plan["uuid"],
        "submission": submission["uuid"],
        "enrolment": submission["enrolment"],
        "evidence": submission["evidence"][0]["uuid"],
        "file_req": requirement_id(submission, "file"),
        "link_req": requirement_id(submission, "link"),
        "offering": str(offering.uuid),
    }


HUGE = "x" * 200_000
NO_SUCH = "00000000-0000-4000-8000-000000000000"

# (what, method, path, JSON body, expected status); ``raw:`` bodies are sent as they are.
BAD_JSON = [
    (
        "answers: a level as a number",
        "put",
        "/self-assessments/{assessment}/answers",
        {"{code}": 3},
        422,
    ),
    (
        "answers: unknown competence",
        "put",
        "/self-assessments/{assessment}/answers",
        {"9.9": "B1"},
        400,
    ),
    (
        "answers: unknown level",
        "put",
        "/self-assessments/{assessment}/answers",
        {"{code}": "Z9"},
        400,
    ),
    ("answers: none", "put", "/self-assessments/{assessment}/answers", {}, 400),
    ("answers: a list", "put", "/self-assessments/{assessment}/answers", ["B1"], 422),
    ("answers: nested", "put", "/self-assessments/{assessment}/answers", {"{code}": {"a": 1}}, 422),
    ("answers: huge code", "put", "/self-assessments/{assessment}/answers", {HUGE: "B1"}, 422),
    ("complete with answers missing", "post", "/self-assessments/{assessment}/complete", None, 409),
    ("self-assessment: unknown framework", "post", "/self-assessments", {"framework": "nope"}, 404),
    ("self-assessment: huge slug", "post", "/self-assessments", {"framework": HUGE}, 422),
    ("self-assessment: no framework", "post", "/self-assessments", {}, 422),
    ("plan: year as text", "post", "/plans", {"year": "soon", "organisation": "hust"}, 422),
    ("plan: year out of range", "post", "/plans", {"year": 1999, "organisation": "hust"}, 400),
    ("plan: huge year", "post", "/plans", {"year": 10**40, "organisation": "hust"}, 400),
    ("plan: no organisation", "post", "/plans", {"year": 2030}, 422),
    ("plan: unknown organisation", "post", "/plans", {"year": 2030, "organisation": "nope"}, 404),
    (
        "plan: the same year again",
        "post",
        "/plans",
        {"year": "{year}", "organisation": "hust"},
        409,
    ),
    ("item: negative hours", "put", "/plans/{plan}/items/" + SPEC, {"planned_hours": -5}, 400),
    ("item: too many hours", "put", "/plans/{plan}/items/" + SPEC, {"planned_hours": 1e6}, 400),
    ("item: hours as words", "put", "/plans/{plan}/items/" + SPEC, {"planned_hours": "ten"}, 422),
    (
        "item: hours not a number",
        "put",
        "/plans/{plan}/items/" + SPEC,
        {"planned_hours": "NaN"},
        None,
    ),
    ("item: no hours", "put", "/plans/{plan}/items/" + SPEC, {"note": "x"}, 422),
    (
        "item: huge note",
        "put",
        "/plans/{plan}/items/" + SPEC,
        {"planned_hours": 1, "note": HUGE},
        422,
    ),
    (
        "item: unknown micro-credential",
        "put",
        "/plans/{plan}/items/nope",
        {"planned_hours": 1},
        404,
    ),
    (
        "item: remove one not planned",
        "delete",
        "/plans/{plan}/items/develop-skills-in-virtual-spaces",
        None,
        404,
    ),
    ("plan: return a draft", "post", "/plans/{plan}/return", {"comment": "x"}, 403),
    ("enrol: not a UUID", "post", "/enrolments", {"offering": "42"}, 422),
    ("enrol: unknown offering", "post", "/enrolments", {"offering": NO_SUCH}, 404),
    ("enrol: twice", "post", "/enrolments", {"offering": "{offering}"}, 409),
    ("draft: reflection as a number", "patch", "/submissions/{submission}", {"reflection": 5}, 422),
    (
        "draft: reflection too long",
        "patch",
        "/submissions/{submission}",
        {"reflection": "x" * 20_001},
        400,
    ),
    (
        "draft: unknown question",
        "patch",
        "/submissions/{submission}",
        {"knowledge_answers": {"999999": 1}},
        400,
    ),
    (
        "draft: answers as text",
        "patch",
        "/submissions/{submission}",
        {"knowledge_answers": "a"},
        422,
    ),
    (
        "link: javascript",
        "post",
        "/submissions/{submission}/evidence/links",
        {"requirement": "{link_req}", "url": "javascript:alert(1)"},
        400,
    ),
    (
        "link: ftp",
        "post",
        "/submissions/{submission}/evidence/links",
        {"requirement": "{link_req}", "url": "ftp://files.example/x"},
        400,
    ),
    (
        "link: for a file requirement",
        "post",
        "/submissions/{submission}/evidence/links",
        {"requirement": "{file_req}", "url": "https://ok.example"},
        400,
    ),
    (
        "link: unknown requirement",
        "post",
        "/submissions/{submission}/evidence/links",
        {"requirement": 999999, "url": "https://ok.example"},
        404,
    ),
    (
        "link: huge",
        "post",
        "/submissions/{submission}/evidence/links",
        {"requirement": "{link_req}", "url": "https://a.example/" + HUGE},
        422,
    ),
    (
        "link: no url",
        "post",
        "/submissions/{submission}/evidence/links",
        {"requirement": "{link_req}"},
        422,
    ),
    (
        "remove unknown evidence",
        "delete",
        "/submissions/{submission}/evidence/" + NO_SUCH,
        None,
        404,
    ),
    ("unknown plan", "get", "/plans/" + NO_SUCH, None, 404),
    ("malformed plan UUID", "get", "/plans/12345", None, 404),
    ("malformed submission UUID", "post", "/submissions/not-a-uuid/submit", None, 404),
    ("unknown submission", "post", "/submissions/" + NO_SUCH + "/submit", None, 404),
    (
        "unknown self-assessment",
        "put",
        "/self-assessments/" + NO_SUCH + "/answers",
        {"1.1": "B1"},
        404,
    ),
    ("unknown enrolment", "post", "/enrolments/" + NO_SUCH + "/withdraw", None, 404),
    ("unknown review", "get", "/reviews/" + NO_SUCH, None, 404),
    ("unknown institution", "get", "/organisations/nope/progress", None, 404),
    ("limit zero", "get", "/plans?limit=0", None, 422),
    ("limit huge", "get", "/offerings?limit=100000", None, 422),
    ("offset negative", "get", "/enrolments?offset=-1", None, 422),
    ("limit as words", "get", "/self-assessments?limit=ten", None, 422),
    ("year far out", "get", "/plans?year=99999", None, 422),
    ("malformed JSON", "post", "/plans", 'raw:{"year": 2030,', 400),
    ("not JSON at all", "put", "/plans/{plan}/items/" + SPEC, "raw:planned_hours=5", 400),
    ("JSON with NaN", "post", "/plans", 'raw:{"year": NaN, "organisation": "hust"}', 422),
    ("empty body", "post", "/plans", "raw:", 422),
    (
        "body larger than accepted",
        "patch",
        "/submissions/{submission}",
        "raw:" + json.dumps({"reflection": "x" * 3_000_000}),
        413,
    ),
    ("wrong method", "delete", "/offerings", None, 405),
    ("unknown address", "get", "/no/such/thing", None, 404),
]


def _fill(template: Any, values: dict[str, Any]) -> Any:
    if isinstance(template, str):
        if template.startswith("{") and template.endswith("}") and template[1:-1] in values:
            value = values[template[1:-1]]
            return value
        for name, value in values.items():
            template = template.replace("{" + name + "}", str(value))
        return template
    if isinstance(template, dict):
        return {_fill(k, values): _fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, values) for v in template]
    return template


@pytest.mark.parametrize(
    ("what", "method", "path", "body", "status"), BAD_JSON, ids=[c[0] for c in BAD_JSON]
)
def test_bad_input_gets_a_4xx_with_a_detail_and_changes_nothing(
    people, drafts, what, method, path, body, status
):
    lan = people[LAN]
    values = {**drafts, "year": next_year()}
    path = _fill(path, values)
    before = snapshot()

    if isinstance(body, str) and body.startswith("raw:"):
        response = lan.send(method, path, raw=body[4:])
    elif method in ("get", "delete"):
        response = getattr(lan.client, method)(API + path, **lan._headers())
    else:
        response = lan.send(method, path, _fill(body, values))

    refused(response, status)
    assert snapshot() == before, what


def _upload(lan: Caller, drafts: dict, name: str, content: bytes, requirement: Any = None):
    return lan.upload(
        f"/submissions/{drafts['submission']}/evidence/files",
        {
            "requirement": drafts["file_req"] if requirement is None else requirement,
            "file": SimpleUploadedFile(name, content, "application/pdf"),
        },
    )


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
PE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" * 8
)
BAD_UPLOADS = [
    ("an executable renamed .pdf", "report.pdf", ELF, None, 400),
    ("a Windows program renamed .docx", "notes.docx", PE, None, 400),
    ("a shell script renamed .pdf", "plan.pdf", b"#!/bin/sh\nrm -rf /\n", None, 400),
    ("an empty file", "empty.pdf", b"", None, 400),
    ("a zip that is no office document", "slides.pptx", _zip({"run.sh": b"echo hi"}), None, 400),
    ("HTML posing as a PDF", "page.pdf", b"<html><script>alert(1)</script></html>", None, 400),
    ("a PDF for a link requirement", "ok.pdf", minimal_pdf(), "link_req", 400),
    ("a requirement that does not exist", "ok.pdf", minimal_pdf(), 999999, 404),
    ("a requirement that is not a number", "ok.pdf", minimal_pdf(), "first", 422),
]


@pytest.mark.parametrize(
    ("what", "name", "content", "requirement", "status"),
    BAD_UPLOADS,
    ids=[c[0] for c in BAD_UPLOADS],
)
def test_uploads_are_judged_by_their_content_and_refused_files_leave_nothing(
    people, drafts, what, name, content, requirement, status
):
    lan = people[LAN]
    if requirement == "link_req":
        requirement = drafts["link_req"]
    before = snapshot()

    detail = refused(_upload(lan, drafts, name, content, requirement), status)

    assert snapshot() == before, what
    if status == 400 and requirement is None and content:
        assert "whatever its name says" in detail or "Accepted" in detail


def test_an_upload_without_a_file_is_refused(people, drafts):
    lan = people[LAN]
    response = lan.upload(
        f"/submissions/{drafts['submission']}/evidence/files", {"requirement": drafts["file_req"]}
    )
    refused(response, 422)


def test_an_upload_over_the_size_limit_is_refused(people, drafts, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1000
    before = snapshot()
    detail = refused(_upload(people[LAN], drafts, "big.pdf", minimal_pdf() + b"%" * 2000), 400)
    assert "accepted" in detail
    assert snapshot() == before


def test_a_refused_review_changes_nothing_and_awards_nothing(people, drafts):
    lan = people[LAN]
    ok(lan.post(f"/submissions/{drafts['submission']}/submit"))
    assessor, queued = assigned_review(people, drafts["submission"])
    review = ok(assessor.get(f"/reviews/{queued['uuid']}"))
    scores = passing_scores(review)
    failing = {
        str(c["id"]): next(lv["id"] for lv in c["levels"] if not lv["passing"])
        for c in review["submission"]["rubric"]
        if any(not lv["passing"] for lv in c["levels"])
    }
    path = f"/reviews/{queued['uuid']}/complete"
    cases = [
        ({"scores": scores, "decision": "maybe", "feedback": "x"}, 422),
        ({"scores": scores, "decision": "pass"}, 422),
        ({"scores": scores, "decision": "pass", "feedback": "   "}, 400),
        ({"scores": {"abc": 1}, "decision": "pass", "feedback": "x"}, 400),
        ({"scores": {"999999": 1}, "decision": "pass", "feedback": "x"}, 400),
        ({"scores": dict(list(scores.items())[:1]), "decision": "pass", "feedback": "x"}, 400),
        ({"scores": {**scores, **failing}, "decision": "pass", "feedback": "x"}, 400),
        ({"scores": scores, "decision": "resubmit", "feedback": "x"}, 400),
        ({"scores": scores, "decision": "pass", "feedback": "x" * 20_001}, 422),
        ({"scores": scores, "decision": "pass", "feedback": "x", "comments": "no"}, 422),
        ([], 422),
    ]
    before = snapshot()
    for body, status in cases:
        refused(assessor.post(path, body), status)
    refused(assessor.post(path, raw="{not json"), 400)
    assert snapshot() == before
    assert Review.objects.get(uuid=queued["uuid"]).status == "assigned"


def test_state_conflicts_answer_409_with_the_reason(people, drafts):
    lan = people[LAN]
    # Withdrawing twice.
    enrolment = drafts["enrolment"]
    ok(lan.post(f"/submissions/{drafts['submission']}/submit"))
    assert "review" in refused(lan.post(f"/enrolments/{enrolment}/withdraw"), 409)
    # A submitted attempt cannot change.
    detail = refused(lan.patch(f"/submissions/{drafts['submission']}", {"reflection": "new"}), 409)
    assert "no longer be changed" in detail
    refused(lan.post(f"/submissions/{drafts['submission']}/submit"), 409)
    refused(lan.delete(f"/submissions/{drafts['submission']}/evidence/{drafts['evidence']}"), 409)
    # A submitted plan cannot change, and cannot be submitted again.
    plan = drafts["plan"]
    ok(lan.post(f"/plans/{plan}/submit"))
    refused(lan.put(f"/plans/{plan}/items/{SPEC}", {"planned_hours": -1}), 409)
    refused(lan.post(f"/plans/{plan}/submit"), 409)


def test_a_completed_self_assessment_cannot_change(people, demo_data):
    lan = people[LAN]
    done = self_assess(lan)
    code = done["profile"]["areas"][0]["competences"][0]["code"]
    before = snapshot()
    detail = refused(lan.put(f"/self-assessments/{done['uuid']}/answers", {code: "C2"}), 409)
    assert "completed" in detail
    refused(lan.post(f"/self-assessments/{done['uuid']}/complete"), 409)
    assert snapshot() == before
    # A new sitting starts fresh.
    again = ok(lan.post("/self-assessments", {"framework": "digcompedu"}), 201)
    assert again["uuid"] != done["uuid"] and again["answered"] == 0


def test_a_plan_without_items_cannot_be_submitted(people, demo_data):
    lan = people[LAN]
    plan = ok(lan.post("/plans", {"year": next_year(), "organisation": "hust"}), 201)
    assert "at least one" in refused(lan.post(f"/plans/{plan['uuid']}/submit"), 409)


def test_resuming_returns_the_open_self_assessment_and_attempt(people, offering):
    lan = people[LAN]
    first = ok(lan.post("/self-assessments", {"framework": "digcompedu"}), 201)
    again = ok(lan.post("/self-assessments", {"framework": "digcompedu"}), 200)
    assert again["uuid"] == first["uuid"]
    submission = enrol_and_start(lan, offering)
    resumed = ok(lan.post(f"/enrolments/{submission['enrolment']}/submissions"), 200)
    assert resumed["uuid"] == submission["uuid"]


def test_withdrawing_frees_the_place_and_lists_show_it(people, offering):
    lan = people[LAN]
    enrolment = ok(lan.post("/enrolments", {"offering": str(offering.uuid)}), 201)
    listed = ok(lan.get("/offerings", micro_credential=SPEC))["items"]
    assert next(o for o in listed if o["uuid"] == str(offering.uuid))["places_left"] == (
        offering.capacity - 1
    )
    withdrawn = ok(lan.post(f"/enrolments/{enrolment['uuid']}/withdraw"))
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawn_at"]
    assert "withdrawn" in refused(lan.post(f"/enrolments/{enrolment['uuid']}/withdraw"), 409)
    page = ok(lan.get("/enrolments", limit=1, offset=0))
    assert page["count"] == 1 and page["limit"] == 1 and page["items"][0]["status"] == "withdrawn"
    assert ok(lan.get("/enrolments", offset=5))["items"] == []


# --- Authentication ---------------------------------------------------------------------------


def test_without_credentials_every_operation_answers_401_in_json(demo_data, offering):
    client = Client()
    for method, path in [
        ("get", "/me"),
        ("get", "/plans"),
        ("post", "/plans"),
        ("post", "/enrolments"),
        ("get", f"/submissions/{uuid.uuid4()}"),
    ]:
        response = getattr(client, method)(API + path)
        assert "Authorization: Bearer" in refused(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer mct_not-a-token",
        "Bearer ",
        "Bearer",
        "bearer " + "x" * 5000,
        "Token whatever",
        "Basic bGFuOnB3",
    ],
)
def test_a_bad_or_foreign_authorization_header_is_401(demo_data, header):
    refused(Client().get(f"{API}/me", HTTP_AUTHORIZATION=header), 401)


def test_a_revoked_or_expired_token_is_refused_with_401(demo_data):
    lan = Caller(LAN)
    assert ok(lan.get("/me"))["email"] == LAN
    token = PersonalToken.objects.get(person=lan.person)

    account_services.personal_token_revoke(token=token, actor=lan.person)
    assert "revoked" in refused(lan.get("/me"), 401)

    expiring = Caller(LAN)
    PersonalToken.objects.filter(
        token_hash=account_services.personal_token_hash(expiring.token)
    ).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert "expired" in refused(expiring.get("/me"), 401)
    before = snapshot()
    refused(expiring.post("/plans", {"year": next_year(), "organisation": "hust"}), 401)
    assert snapshot() == before


def test_a_token_of_a_deactivated_person_stops_working(demo_data):
    lan = Caller(LAN)
    User.objects.filter(pk=lan.person.pk).update(is_active=False)
    refused(lan.get("/me"), 401)


def test_a_valid_token_wins_over_a_session_and_needs_no_csrf(demo_data):
    lan, hung = Caller(LAN), User.objects.get(email=HUNG)
    client = Client(enforce_csrf_checks=True)
    client.force_login(hung)
    response = client.post(
        f"{API}/self-assessments",
        data=json.dumps({"framework": "digcompedu"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {lan.token}",
    )
    assert ok(response, 201)
    assert SelfAssessment.objects.get(uuid=response.json()["uuid"]).person == lan.person


def test_a_session_reads_freely_but_writes_only_with_the_csrf_token(demo_data):
    lan = User.objects.get(email=LAN)
    client = Client(enforce_csrf_checks=True)
    client.force_login(lan)
    assert ok(client.get(f"{API}/me"))["email"] == LAN

    body = json.dumps({"framework": "digcompedu"})
    before = snapshot()
    detail = refused(
        client.post(f"{API}/self-assessments", data=body, content_type="application/json"), 403
    )
    assert "CSRF" in detail
    csrf = get_random_string(32)
    client.cookies["csrftoken"] = csrf
    detail = refused(
        client.post(
            f"{API}/self-assessments",
            data=body,
            content_type="application/json",
            HTTP_X_CSRFTOKEN="wrong" + csrf[5:],
        ),
        403,
    )
    assert snapshot() == before

    created = client.post(
        f"{API}/self-assessments", data=body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert ok(created, 201)["status"] == "in_progress"


def test_without_a_session_an_unsafe_method_is_401_not_a_csrf_error(demo_data):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{API}/self-assessments", data="{}", content_type="application/json")
    refused(response, 401)


def test_messages_are_in_the_language_of_accept_language(people, drafts):
    lan = people[LAN]
    response = lan.client.post(
        f"{API}/submissions/{drafts['submission']}/evidence/files",
        {"requirement": drafts["file_req"], "file": SimpleUploadedFile("empty.pdf", b"")},
        HTTP_AUTHORIZATION=f"Bearer {lan.token}",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert refused(response, 400) == "Le fichier est vide."


def test_an_admin_adds_teachers_through_the_api_all_or_nothing(people, hust_admin, lan):
    from microcert.accounts.models import User

    path = "/organisations/hust/teachers"
    refused(lan.post(path, {"people": [{"email": "x@hust.example", "name": "X"}]}), 403)
    refused(
        people[UT_ADMIN].post(path, {"people": [{"email": "x@hust.example", "name": "X"}]}), 403
    )
    one = {"people": [{"email": "x@hust.example", "name": "X"}]}
    refused(hust_admin.post("/organisations/nowhere/teachers", one), 404)
    refused(hust_admin.post(path, {"people": []}), 422)
    detail = refused(
        hust_admin.post(
            path,
            {
                "people": [
                    {"email": "good@hust.example", "name": "Good"},
                    {"email": "bad", "name": "Bad", "language": "de"},
                ]
            },
        ),
        400,
    )
    assert "Row 2" in detail and "de" in detail
    assert not User.objects.filter(email="good@hust.example").exists()

    added = ok(
        hust_admin.post(
            path,
            {
                "people": [
                    {"email": "good@hust.example", "name": "Nguyễn Thị Hoa", "language": "vi"},
                    {"email": LAN, "name": "Lan"},
                ]
            },
        ),
        201,
    )

    assert [p["email"] for p in added["created"]] == ["good@hust.example"]
    assert [p["email"] for p in added["already"]] == [LAN]
