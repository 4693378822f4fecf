"""The network's REST API: public operations, the office's, agreements by permission."""

import datetime

import pytest

from microcert.network import services
from microcert.network.models import AccessionApplication

from .conftest import submit

pytestmark = pytest.mark.django_db

API = "/api/v1/network"


def application_body(**overrides) -> dict:
    body = {
        "proposed": {
            "name": "API University",
            "kind": "hei",
            "country": "KE",
            "subregion": "sub_saharan_africa",
        },
        "membership_kind": "partner_hei",
        "contacts": [{"name": "Wanjiru", "email": "w@api.example"}],
        "motivation": "To certify our lecturers.",
        "intended_cooperation": ["network_accession"],
        "language": "en",
    }
    body.update(overrides)
    return body


def test_anyone_may_submit_an_application_without_credentials(client, office):
    response = client.post(
        f"{API}/applications", application_body(), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "submitted"
    # The private link is never in the answer.
    assert "status/" not in response.text
    assert AccessionApplication.objects.get().proposed_name == "API University"


def test_submitting_refusals_are_400_409_and_422(client, office):
    bad = application_body(contacts=[{"name": "X", "email": "not-an-address"}])
    assert (
        client.post(f"{API}/applications", bad, content_type="application/json").status_code == 400
    )
    member = application_body(organisation="uni-a", proposed=None)
    assert (
        client.post(f"{API}/applications", member, content_type="application/json").status_code
        == 409
    )
    shapeless = application_body(intended_cooperation=["nonsense"])
    assert (
        client.post(f"{API}/applications", shapeless, content_type="application/json").status_code
        == 422
    )


def test_applications_are_the_offices(client, office):
    application, _key = submit()
    assert client.get(f"{API}/applications").status_code == 401
    client.force_login(office.admin_a)
    assert client.get(f"{API}/applications").status_code == 403
    client.force_login(office.manager)
    page = client.get(f"{API}/applications?status=submitted").json()
    assert page["count"] == 1 and page["items"][0]["uuid"] == str(application.uuid)
    detail = client.get(f"{API}/applications/{application.uuid}").json()
    assert detail["contacts"][0]["is_primary"] is True


def test_the_office_decides_and_a_second_decision_is_409(client, office):
    application, _key = submit()
    client.force_login(office.manager)
    url = f"{API}/applications/{application.uuid}/decision"
    empty = client.post(url, {"action": "decline", "message": ""}, content_type="application/json")
    assert empty.status_code == 400
    approved = client.post(url, {"action": "approve"}, content_type="application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = client.post(
        url, {"action": "decline", "message": "No"}, content_type="application/json"
    )
    assert again.status_code == 409


def test_agreements_by_permission(client, office):
    url = f"{API}/agreements/{office.mou.uuid}"
    client.force_login(office.admin_b)
    assert client.get(f"{API}/agreements").json()["count"] == 0
    assert client.get(url).status_code == 404
    client.force_login(office.admin_a)
    detail = client.get(url).json()
    assert detail["reference"] == "MOU-A-001" and detail["items"][0]["overdue"] is True
    status = {"status": "terminated"}
    assert client.post(f"{url}/status", status, content_type="application/json").status_code == 403
    item = f"{url}/items/{office.item.pk}/status"
    assert client.post(item, {"status": "done"}, content_type="application/json").status_code == 200
    client.force_login(office.manager)
    skip = client.post(f"{url}/status", {"status": "signed"}, content_type="application/json")
    assert skip.status_code == 409
    done = client.post(f"{url}/status", {"status": "expired"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "expired"


def test_national_centres_and_positions_are_public(client, office):
    services.national_centre_designate(
        organisation=office.a, agreement=office.mou, starts_on=datetime.date(2025, 1, 1)
    )
    services.position_appoint(year=2026, kind="presidency", organisation=office.a)
    centres = client.get(f"{API}/national-centres?on=2025-06-01")
    assert centres.status_code == 200 and centres.json()[0]["organisation"]["slug"] == "uni-a"
    assert client.get(f"{API}/national-centres?on=2024-06-01").json() == []
    positions = client.get(f"{API}/positions?year=2026").json()
    assert positions[0]["kind"] == "presidency"
    assert client.get(f"{API}/positions?year=1800").status_code == 422


def test_every_network_operation_declares_its_security(client):
    spec = client.get("/api/v1/openapi.json").json()
    public = {
        ("/api/v1/network/applications", "post"),
        ("/api/v1/network/national-centres", "get"),
        ("/api/v1/network/positions", "get"),
    }
    for path, item in spec["paths"].items():
        if not path.startswith("/api/v1/network/"):
            continue
        for method, operation in item.items():
            names = {n for requirement in operation.get("security", []) for n in requirement}
            if (path, method) in public:
                assert not names and "401" not in operation["responses"], (method, path)
            else:
                assert names == {"BearerToken", "SessionCookie"}, (method, path)
                assert "401" in operation["responses"], (method, path)
