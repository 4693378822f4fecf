"""The recognition REST API, read as its specification: schemes, applications and decisions,
a teacher's ledger and an institution's compliance, through HTTP with personal tokens."""

import json
from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator import validate

from microcert.accounts import services as account_services
from microcert.accounts.models import User
from microcert.core.models import Event
from microcert.recognition.models import InclusionApplication, InclusionDecision, LedgerEntry

from .test_views_authority import ASSESSMENT, COLLABORATION, DATA, World

pytestmark = pytest.mark.django_db

API = "/api/v1/recognition"


class Caller:
    """One person's client with their own personal token."""

    def __init__(self, person: User, language: str = "en"):
        self.person = person
        _token, self.token = account_services.personal_token_create(
            person=person, name="tests", actor=None
        )
        self.client = Client()
        self.language = language

    def _headers(self) -> dict[str, str]:
        return {
            "HTTP_AUTHORIZATION": f"Bearer {self.token}",
            "HTTP_ACCEPT_LANGUAGE": self.language,
        }

    def get(self, path: str, **params: Any):
        return self.client.get(API + path, params, **self._headers())

    def post(self, path: str, body: Any = None, *, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body or {})
        return self.client.post(
            API + path, data=data, content_type="application/json", **self._headers()
        )


def ok(response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json()


def refused(response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert detail
    return detail


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def callers(world) -> dict[str, Caller]:
    return {
        "lan": Caller(world.lan),
        "hung": Caller(world.hung),
        "reviewer": Caller(world.reviewer),
        "manager": Caller(world.manager),
        "hust_admin": Caller(world.hust_admin),
        "ut_admin": Caller(world.ut_admin),
    }


def _submit(caller: Caller, world: World, slug: str = COLLABORATION, applicant: str = "centre"):
    return caller.post(
        "/applications",
        {
            "scheme": world.scheme.slug,
            "version": str(world.version(slug).uuid),
            "applicant": applicant,
            "motivation": "Assessed on evidence from teaching.",
        },
    )


# --- the document -----------------------------------------------------------------------------


def test_the_operations_are_described_in_valid_openapi(client):
    spec = client.get("/api/v1/openapi.json").json()
    validate(spec)
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/recognition/schemes", "get"),
        ("/api/v1/recognition/applications", "get"),
        ("/api/v1/recognition/applications", "post"),
        ("/api/v1/recognition/applications/{application_id}", "get"),
        ("/api/v1/recognition/applications/{application_id}/resubmit", "post"),
        ("/api/v1/recognition/applications/{application_id}/withdraw", "post"),
        ("/api/v1/recognition/applications/{application_id}/decisions", "post"),
        ("/api/v1/recognition/people/{person_id}/ledger", "get"),
        ("/api/v1/recognition/organisations/{organisation}/compliance", "get"),
    ]:
        operation = paths[path][method]
        assert operation["summary"] and operation["tags"] == ["recognition"], (method, path)
        assert "401" in operation["responses"]
    decide = paths["/api/v1/recognition/applications/{application_id}/decisions"]["post"]
    assert {"400", "403", "404", "409"} <= set(decide["responses"])


def test_without_credentials_the_answer_is_401(client, world):
    assert client.get(f"{API}/schemes").status_code == 401


# --- schemes ----------------------------------------------------------------------------------


def test_schemes_are_listed_with_their_unit_requirement_and_period(callers, world):
    page = ok(callers["lan"].get("/schemes", country="vn"))
    (scheme,) = [s for s in page["items"] if s["slug"] == world.scheme.slug]
    assert scheme["unit"] == "lesson45"
    assert (scheme["requirement"], scheme["requirement_hours"]) == (40.0, 30.0)
    assert scheme["authority"]["slug"] == "moet"
    assert scheme["current_period"] == {"start": "2026-09-05", "end": "2027-09-04"}
    assert ok(callers["lan"].get("/schemes", country="ID"))["count"] == 0
    refused(callers["lan"].get("/schemes", limit=0), 422)


# --- applying ---------------------------------------------------------------------------------


def test_the_programme_manager_submits_and_the_reviewer_approves(callers, world):
    submitted = ok(_submit(callers["manager"], world), 201)
    assert submitted["status"] == "submitted"
    assert submitted["applicant"]["slug"] == "centre"
    assert submitted["submitted_by"]["email"] == world.manager.email
    assert submitted["decision"] is None and submitted["decisions"] == []
    uuid = submitted["uuid"]

    queue = ok(callers["reviewer"].get("/applications", role="reviewer", status="submitted"))
    assert [a["uuid"] for a in queue["items"]] == [uuid]

    decision = ok(
        callers["reviewer"].post(
            f"/applications/{uuid}/decisions",
            {
                "outcome": "approve",
                "equivalence": "8",
                "valid_from": "2026-01-01",
                "conditions": "Once per teacher.",
            },
        ),
        201,
    )
    assert (decision["number"], decision["equivalence"], decision["equivalence_hours"]) == (
        1,
        8.0,
        6.0,
    )
    assert decision["decided_by"]["email"] == world.reviewer.email
    assert decision["endorsement"].endswith(f"/recognition/endorsements/{decision['uuid']}.json")

    detail = ok(callers["manager"].get(f"/applications/{uuid}"))
    assert detail["status"] == "approved"
    assert [d["number"] for d in detail["decisions"]] == [1]
    assert Event.objects.filter(verb="inclusion.approve", actor=world.reviewer).exists()


def test_an_institution_admin_applies_only_for_what_it_awards(callers, world):
    detail = refused(_submit(callers["hust_admin"], world, ASSESSMENT, applicant="hust"), 403)
    assert "awarding body" in detail
    refused(_submit(callers["hust_admin"], world, COLLABORATION, applicant="centre"), 403)
    refused(_submit(callers["lan"], world, COLLABORATION, applicant="hust"), 403)
    ok(_submit(callers["hust_admin"], world, COLLABORATION, applicant="hust"), 201)


def test_what_is_named_must_exist(callers, world):
    manager = callers["manager"]
    body = {
        "scheme": world.scheme.slug,
        "version": str(world.version(COLLABORATION).uuid),
        "applicant": "centre",
    }
    refused(manager.post("/applications", {**body, "applicant": "nowhere"}), 404)
    refused(manager.post("/applications", {**body, "scheme": "nope"}), 404)
    refused(
        manager.post("/applications", {**body, "version": "00000000-0000-0000-0000-000000000000"}),
        404,
    )
    refused(manager.post("/applications", {**body, "version": "not-a-uuid"}), 422)
    refused(manager.post("/applications", raw="{not json"), 400)


def test_a_version_already_before_the_scheme_is_a_conflict(callers, world):
    ok(_submit(callers["manager"], world), 201)
    assert "already before" in refused(_submit(callers["manager"], world), 409)
    assert InclusionApplication.objects.count() == 1


def test_applications_are_visible_to_the_applicant_and_the_schemes_reviewers_only(callers, world):
    uuid = ok(_submit(callers["manager"], world), 201)["uuid"]
    for name in ("lan", "ut_admin", "hust_admin"):
        refused(callers[name].get(f"/applications/{uuid}"), 404)
        assert ok(callers[name].get("/applications"))["count"] == 0
    ok(callers["reviewer"].get(f"/applications/{uuid}"))
    refused(callers["lan"].get("/applications/00000000-0000-0000-0000-000000000000"), 404)


# --- deciding ---------------------------------------------------------------------------------


def test_the_applicant_cannot_decide_and_others_do_not_see(callers, world):
    uuid = ok(_submit(callers["manager"], world), 201)["uuid"]
    approve = {"outcome": "approve", "equivalence": "8", "valid_from": "2026-01-01"}
    refused(callers["manager"].post(f"/applications/{uuid}/decisions", approve), 403)
    refused(callers["lan"].post(f"/applications/{uuid}/decisions", approve), 404)
    assert not InclusionDecision.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "approve", "valid_from": "2026-01-01"},
        {"outcome": "approve", "equivalence": "0", "valid_from": "2026-01-01"},
        {"outcome": "approve", "equivalence": "-1", "valid_from": "2026-01-01"},
        {"outcome": "approve", "equivalence": "8"},
        {
            "outcome": "approve",
            "equivalence": "8",
            "valid_from": "2026-01-01",
            "valid_until": "2025-12-31",
        },
        {"outcome": "reject"},
        {"outcome": "request_changes", "reasons": "   "},
    ],
)
def test_a_decision_whose_content_is_wrong_is_a_bad_request(callers, world, body):
    uuid = ok(_submit(callers["manager"], world), 201)["uuid"]
    refused(callers["reviewer"].post(f"/applications/{uuid}/decisions", body), 400)
    assert not InclusionDecision.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "maybe", "reasons": "x"},
        # Thousandths would round to nothing: refused before they reach the workflow.
        {"outcome": "approve", "equivalence": "0.001", "valid_from": "2026-01-01"},
        {"outcome": "approve", "equivalence": "8", "valid_from": "someday"},
        {"outcome": "approve", "equivalence": "8", "valid_from": "0001-01-01"},
        {
            "outcome": "approve",
            "equivalence": "8",
            "valid_from": "2026-01-01",
            "valid_until": "9999-12-31",
        },
    ],
)
def test_a_decision_that_does_not_fit_the_schema(callers, world, body):
    uuid = ok(_submit(callers["manager"], world), 201)["uuid"]
    refused(callers["reviewer"].post(f"/applications/{uuid}/decisions", body), 422)
    assert not InclusionDecision.objects.exists()


def test_changes_resubmission_and_the_states_that_refuse_a_step(callers, world):
    uuid = ok(_submit(callers["manager"], world, DATA), 201)["uuid"]
    reviewer, manager = callers["reviewer"], callers["manager"]
    # Nothing to resubmit yet.
    refused(manager.post(f"/applications/{uuid}/resubmit", {"motivation": "x"}), 409)
    ok(
        reviewer.post(
            f"/applications/{uuid}/decisions",
            {"outcome": "request_changes", "reasons": "Describe the external QA."},
        ),
        201,
    )
    # The reviewer waits for the applicant: even a well-formed decision is a conflict.
    refused(
        reviewer.post(
            f"/applications/{uuid}/decisions",
            {"outcome": "approve", "equivalence": "8", "valid_from": "2026-01-01"},
        ),
        409,
    )
    refused(reviewer.post(f"/applications/{uuid}/resubmit", {"motivation": "x"}), 403)
    resubmitted = ok(manager.post(f"/applications/{uuid}/resubmit", {"motivation": "QA added."}))
    assert (resubmitted["status"], resubmitted["motivation"]) == ("submitted", "QA added.")
    ok(
        reviewer.post(
            f"/applications/{uuid}/decisions", {"outcome": "reject", "reasons": "Out of scope."}
        ),
        201,
    )
    # Closed.
    refused(
        reviewer.post(f"/applications/{uuid}/decisions", {"outcome": "reject", "reasons": "x"}),
        409,
    )


# --- the ledger and compliance ----------------------------------------------------------------


def _approve_and_issue(callers, world) -> None:
    uuid = ok(_submit(callers["manager"], world), 201)["uuid"]
    ok(
        callers["reviewer"].post(
            f"/applications/{uuid}/decisions",
            {"outcome": "approve", "equivalence": "8", "valid_from": "2026-01-01"},
        ),
        201,
    )
    world.issue(world.lan, COLLABORATION)


def test_a_teachers_ledger(callers, world):
    _approve_and_issue(callers, world)
    ledger = ok(callers["lan"].get(f"/people/{world.lan.uuid}/ledger"))
    assert ledger["person"]["email"] == world.lan.email
    (ours,) = [s for s in ledger["schemes"] if s["scheme"]["slug"] == world.scheme.slug]
    current = ours["periods"][0]
    assert (current["start"], current["is_current"]) == ("2026-09-05", True)
    assert (current["amount"], current["hours"], current["met"], current["missing"]) == (
        8.0,
        6.0,
        False,
        32.0,
    )
    (entry,) = current["entries"]
    assert entry["credential"]["title"] == world.version(COLLABORATION).title
    assert entry["decision_number"] == 1
    assert LedgerEntry.objects.get().decision.uuid.hex == entry["decision"].replace("-", "")


def test_who_reads_a_ledger(callers, world):
    path = f"/people/{world.lan.uuid}/ledger"
    for name in ("lan", "hust_admin", "manager"):
        ok(callers[name].get(path))
    for name in ("hung", "ut_admin", "reviewer"):
        refused(callers[name].get(path), 404)
    refused(callers["lan"].get("/people/00000000-0000-0000-0000-000000000000/ledger"), 404)


def test_an_institutions_compliance(callers, world):
    _approve_and_issue(callers, world)
    page = ok(callers["hust_admin"].get("/organisations/hust/compliance", scheme=world.scheme.slug))
    assert page["period"] == {"start": "2026-09-05", "end": "2027-09-04"}
    assert (page["requirement"], page["requirement_hours"]) == (40.0, 30.0)
    rows = {row["teacher"]["email"]: row for row in page["items"]}
    assert rows[world.lan.email]["amount"] == 8.0
    assert rows[world.lan.email]["missing_hours"] == 24.0
    assert page["count"] == len(page["items"]) >= 2
    earlier = ok(
        callers["manager"].get(
            "/organisations/hust/compliance", scheme=world.scheme.slug, on="2026-03-01"
        )
    )
    assert earlier["period"]["start"] == "2025-09-05"
    ok(callers["reviewer"].get("/organisations/hust/compliance", scheme=world.scheme.slug))


def test_compliance_refusals(callers, world):
    scheme = world.scheme.slug
    refused(callers["ut_admin"].get("/organisations/hust/compliance", scheme=scheme), 403)
    refused(callers["lan"].get("/organisations/hust/compliance", scheme=scheme), 403)
    refused(callers["hust_admin"].get("/organisations/nowhere/compliance", scheme=scheme), 404)
    refused(callers["hust_admin"].get("/organisations/hust/compliance", scheme="nope"), 404)
    # The scheme counts Vietnamese lecturers, not UT's teachers.
    refused(callers["ut_admin"].get("/organisations/ut/compliance", scheme=scheme), 404)
    refused(callers["hust_admin"].get("/organisations/hust/compliance"), 422)
    for day in ("0001-01-01", "9999-12-31"):
        path = "/organisations/hust/compliance"
        refused(callers["hust_admin"].get(path, scheme=scheme, on=day), 400)


def test_the_applicant_withdraws_through_the_api_until_an_approval_exists(callers, world):
    manager, reviewer = callers["manager"], callers["reviewer"]
    uuid = ok(_submit(manager, world, DATA), 201)["uuid"]
    refused(reviewer.post(f"/applications/{uuid}/withdraw", {"reason": "x"}), 403)
    refused(manager.post(f"/applications/{uuid}/withdraw", {"reason": "x" * 2001}), 422)
    assert InclusionApplication.objects.get(uuid=uuid).status == "submitted"

    withdrawn = ok(manager.post(f"/applications/{uuid}/withdraw", {"reason": "Rework."}))

    assert withdrawn["status"] == "withdrawn"
    refused(manager.post(f"/applications/{uuid}/withdraw", {}), 409)
