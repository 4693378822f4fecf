"""Institution admins share cases for their organisation, follow the review and resubmit
what the editors returned; nobody else submits, and another organisation's case is 404."""

import pytest

from microcert.news import services
from microcert.news.models import Case

from .builders import case

pytestmark = pytest.mark.django_db


def case_form(organisation, **changes) -> dict:
    data = {
        "organisation": str(organisation.pk),
        "title_vi": "Học tập cộng tác",
        "summary_vi": "Tóm tắt ngắn.",
        "body_vi": "Nội dung điển hình.",
        "award": "none",
        "award_year": "",
        "comment": "",
    }
    data.update(changes)
    return data


def test_an_admin_submits_a_case_in_vietnamese(client, network):
    client.force_login(network.hust_admin)
    assert client.get("/vi/cases/submit/").status_code == 200
    response = client.post("/vi/cases/submit/", case_form(network.hust))
    submitted = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/vi/cases/mine/{submitted.uuid}/"
    assert (submitted.organisation, submitted.title_vi) == (network.hust, "Học tập cộng tác")
    assert "Học tập cộng tác" in client.get("/vi/cases/mine/").content.decode()


def test_only_admins_of_members_reach_the_form(client, network):
    assert client.get("/en/cases/submit/").status_code == 302
    for person in (network.teacher, network.editor, network.outsider_admin):
        client.force_login(person)
        assert client.get("/en/cases/submit/").status_code == 403
        assert client.post("/en/cases/submit/", case_form(network.hust)).status_code == 403
    assert not Case.objects.exists()


def test_an_admin_cannot_submit_for_another_organisation(client, network):
    client.force_login(network.hust_admin)
    response = client.post("/en/cases/submit/", case_form(network.ut))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title_vi": "", "title_en": "Only a title"}, "at least one language"),
        ({"award": "nominee"}, "Give the year of the award"),
        ({"award": "winner", "award_year": "2025"}, "Select a valid choice"),
        ({"award_year": "1066", "award": "nominee"}, "Select a valid choice"),
        ({"competences": ["not-a-number"]}, "is not a valid value"),
        ({"body_vi": "x" * 40001}, "at most 40000 characters"),
    ],
)
def test_bad_input_is_said_and_nothing_is_stored(client, network, changes, message):
    client.force_login(network.hust_admin)
    response = client.post("/en/cases/submit/", case_form(network.hust, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_a_returned_case_is_resubmitted_from_its_page(client, network):
    returned = services.case_request_changes(
        case=case(network), actor=network.editor, comment="Add an English summary."
    )
    client.force_login(network.hust_admin)
    html = client.get(f"/en/cases/mine/{returned.uuid}/").content.decode()
    assert "Add an English summary." in html and "Resubmit" in html
    response = client.post(
        f"/en/cases/mine/{returned.uuid}/",
        case_form(network.hust, title_en="Peer circles", summary_en="S", body_en="B"),
    )
    assert response.status_code == 302
    returned.refresh_from_db()
    assert (returned.status, returned.title_en) == (Case.Status.RESUBMITTED, "Peer circles")


def test_a_case_waiting_for_review_cannot_be_changed_from_its_page(client, network):
    waiting = case(network)
    client.force_login(network.hust_admin)
    response = client.post(f"/en/cases/mine/{waiting.uuid}/", case_form(network.hust))
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Case.Status.SUBMITTED


def test_another_organisations_case_answers_404(client, network):
    waiting = case(network)
    client.force_login(network.ut_admin)
    assert client.get(f"/en/cases/mine/{waiting.uuid}/").status_code == 404
    assert client.post(f"/en/cases/mine/{waiting.uuid}/", {}).status_code == 404
