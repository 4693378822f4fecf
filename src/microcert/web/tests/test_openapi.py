"""The OpenAPI document of the REST API: valid, complete, and honest about auth and errors."""

import re

import pytest
from openapi_spec_validator import validate

from microcert.web.api import api

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def routes() -> set[tuple[str, str]]:
    """Every (path, method) the API's routers answer, in OpenAPI's path notation."""
    found = set()
    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            full = "/".join(part for part in ("api/v1", router.prefix.strip("/"), path) if part)
            full = "/" + re.sub(r"\{\w+:(\w+)\}", r"{\1}", full).replace("//", "/")
            for operation in path_view.operations:
                if not operation.include_in_schema:
                    continue
                for method in operation.methods:
                    found.add((full.rstrip("/") or "/", method.lower()))
    return found


def test_the_document_is_valid_openapi(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "microcert API" and spec["info"]["version"] == "1"


def test_every_route_of_the_api_is_described(spec):
    described = {(path, method) for path, method, _op in operations(spec)}
    expected = routes()
    assert expected, "no routes found"
    assert expected <= described, expected - described
    # And nothing is described that is not served.
    assert described <= expected, described - expected
    assert len(expected) >= 30


def test_the_teachers_journey_is_all_there(spec):
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/me", "get"),
        ("/api/v1/frameworks", "get"),
        ("/api/v1/self-assessments", "post"),
        ("/api/v1/self-assessments/{assessment_id}/answers", "put"),
        ("/api/v1/self-assessments/{assessment_id}/complete", "post"),
        ("/api/v1/self-assessments/{assessment_id}/suggestions", "get"),
        ("/api/v1/plans", "post"),
        ("/api/v1/plans/{plan_id}/items/{micro_credential}", "put"),
        ("/api/v1/plans/{plan_id}/items/{micro_credential}", "delete"),
        ("/api/v1/plans/{plan_id}/submit", "post"),
        ("/api/v1/plans/{plan_id}/approve", "post"),
        ("/api/v1/plans/{plan_id}/return", "post"),
        ("/api/v1/offerings", "get"),
        ("/api/v1/enrolments", "post"),
        ("/api/v1/enrolments/{enrolment_id}/withdraw", "post"),
        ("/api/v1/enrolments/{enrolment_id}/submissions", "post"),
        ("/api/v1/submissions/{submission_id}", "patch"),
        ("/api/v1/submissions/{submission_id}/evidence/files", "post"),
        ("/api/v1/submissions/{submission_id}/evidence/links", "post"),
        ("/api/v1/submissions/{submission_id}/evidence/{evidence_id}", "delete"),
        ("/api/v1/submissions/{submission_id}/submit", "post"),
        ("/api/v1/reviews", "get"),
        ("/api/v1/reviews/{review_id}", "get"),
        ("/api/v1/reviews/{review_id}/complete", "post"),
        ("/api/v1/organisations/{organisation}/progress", "get"),
        ("/api/v1/organisations/{organisation}/plans-to-decide", "get"),
    ]:
        assert method in paths.get(path, {}), (method, path)


def test_every_operation_has_a_summary_an_id_and_a_tag(spec):
    ids = []
    for path, method, operation in operations(spec):
        assert operation.get("summary"), (method, path)
        assert operation.get("tags"), (method, path)
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))


# What anyone may call without signing in: the public face of the network. Each is listed
# here on purpose, so an operation cannot become public by forgetting its auth.
PUBLIC_OPERATIONS = {
    ("/api/v1/network/applications", "post"),
    ("/api/v1/network/national-centres", "get"),
    ("/api/v1/network/positions", "get"),
    ("/api/v1/news/articles", "get"),
    ("/api/v1/news/articles/{slug}", "get"),
    ("/api/v1/news/cases", "get"),
    ("/api/v1/news/cases/{slug}", "get"),
    ("/api/v1/classrooms", "get"),
    ("/api/v1/classrooms/{slug}", "get"),
}
# Successes that are files, not JSON.
FILE_OPERATIONS = {("/api/v1/privacy/export", "get")}


def test_both_security_schemes_are_declared_and_required_everywhere_but_the_public_ones(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["BearerToken"]["type"] == "http"
    assert schemes["BearerToken"]["scheme"] == "bearer"
    assert schemes["SessionCookie"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}
    public = set()
    for path, method, operation in operations(spec):
        names = {name for requirement in operation.get("security", []) for name in requirement}
        if not names:
            public.add((path, method))
            continue
        assert names == {"BearerToken", "SessionCookie"}, (method, path)
    assert public == PUBLIC_OPERATIONS


def test_public_operations_answer_without_credentials(client, spec):
    for path, method in PUBLIC_OPERATIONS:
        if method != "get" or "{" in path:
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        assert "401" not in spec["paths"][path][method]["responses"]


def _schema_ref(response: dict) -> str:
    return response["content"]["application/json"]["schema"].get("$ref", "")


def test_every_operation_documents_its_success_and_its_errors(spec):
    for path, method, operation in operations(spec):
        responses = operation["responses"]
        successes = [code for code in responses if code.startswith("2")]
        assert successes, (method, path)
        for code in successes:
            if code != "204" and "/file" not in path and (path, method) not in FILE_OPERATIONS:
                assert "application/json" in responses[code]["content"], (method, path, code)
        if (path, method) not in PUBLIC_OPERATIONS:
            assert "401" in responses, (method, path)
        for code, response in responses.items():
            if code == "422":
                assert _schema_ref(response).endswith("/InvalidOut")
            elif code.startswith("4"):
                assert _schema_ref(response).endswith("/ErrorOut"), (method, path, code)
        if "{" in path:
            assert "404" in responses, (method, path)
        if method in ("post", "put", "patch") and operation.get("requestBody"):
            assert "422" in responses, (method, path)


def test_refusal_codes_follow_the_documented_rule(spec):
    description = spec["info"]["description"]
    for code in ("400", "401", "403", "404", "409", "422"):
        assert f"* {code}:" in description
    paths = spec["paths"]
    # State transitions declare 409; reads do not.
    assert "409" in paths["/api/v1/submissions/{submission_id}/submit"]["post"]["responses"]
    assert "409" in paths["/api/v1/reviews/{review_id}/complete"]["post"]["responses"]
    assert "409" not in paths["/api/v1/plans/{plan_id}"]["get"]["responses"]
    # Role-level refusals declare 403.
    assert "403" in paths["/api/v1/plans/{plan_id}/approve"]["post"]["responses"]
    assert "403" in paths["/api/v1/reviews"]["get"]["responses"]


def test_the_upload_is_described_as_multipart(spec):
    body = spec["paths"]["/api/v1/submissions/{submission_id}/evidence/files"]["post"][
        "requestBody"
    ]
    schema_ref = body["content"]["multipart/form-data"]["schema"]
    schema = schema_ref
    if "$ref" in schema_ref:
        schema = spec["components"]["schemas"][schema_ref["$ref"].rsplit("/", 1)[-1]]
    assert {"requirement", "file"} <= set(schema["properties"])
    assert schema["properties"]["file"]["format"] == "binary"


def test_lists_are_paginated_with_limit_and_offset(spec):
    for path, method, operation in operations(spec):
        response = operation["responses"].get("200", {})
        ref = _schema_ref(response) if response.get("content", {}).get("application/json") else ""
        if not ref.endswith("Page"):
            continue
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert {"limit", "offset"} <= names, (method, path)
        page = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        assert {"count", "limit", "offset", "items"} <= set(page["properties"])


def test_the_document_is_public(client):
    # Anyone may read what the API offers; using it needs credentials.
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/me").status_code == 401
