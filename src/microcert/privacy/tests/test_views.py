"""The privacy pages: a person downloads their data and asks for erasure; the programme office
follows waiting requests and carries out the ones received another way."""

import io
import zipfile
from dataclasses import dataclass

import pytest
from django.urls import reverse

from microcert.accounts.models import User
from microcert.core.models import Event
from microcert.privacy.models import ErasureRequest

from .builders import HUNG_EMAIL, LAN_EMAIL, PASSWORD


@dataclass
class People:
    lan: User
    hung: User
    manager: User


@pytest.fixture
def people(db) -> People:
    from microcert.demo.services import demo_load

    demo_load(credentials=False)
    found = {u.email: u for u in User.objects.all()}
    for person in found.values():
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    return People(
        lan=found[LAN_EMAIL], hung=found[HUNG_EMAIL], manager=found["manager@centre.example"]
    )


def _nothing_erased(person: User) -> bool:
    person.refresh_from_db()
    return (
        person.is_active
        and not ErasureRequest.objects.filter(person=person).exists()
        and not Event.objects.filter(verb="person.erased").exists()
    )


def test_the_page_is_for_signed_in_people(client, people):
    for name in ("privacy:mine", "privacy:erase"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("privacy:export")).status_code == 302


def test_the_page_offers_a_download_and_explains_erasure(client, people):
    client.force_login(people.lan)
    page = client.get(reverse("privacy:mine"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("privacy:export") in html and reverse("privacy:erase") in html
    assert "only a salted hash of your e-mail address" in html
    assert client.get("/vi/my/privacy/").status_code == 200


def test_the_download_is_a_post_that_answers_with_the_archive(client, people):
    client.force_login(people.lan)
    assert client.get(reverse("privacy:export")).status_code == 405
    response = client.post(reverse("privacy:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "profile.json" in archive.namelist() and "README.txt" in archive.namelist()
    assert Event.objects.filter(verb="person.exported", actor=people.lan).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "someone@else.example"}, "email"),
        ({"email": ""}, "email"),
        ({"password": "not-my-password"}, "password"),
        ({"understood": ""}, "understood"),
    ],
)
def test_a_wrong_address_or_password_changes_nothing(client, people, changes, field):
    client.force_login(people.lan)
    data = {"email": LAN_EMAIL, "password": PASSWORD, "understood": "on", **changes}
    response = client.post(reverse("privacy:erase"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert _nothing_erased(people.lan)


def test_too_many_wrong_passwords_are_refused_even_with_the_right_one(client, people):
    client.force_login(people.lan)
    data = {"email": LAN_EMAIL, "understood": "on"}
    for _attempt in range(5):
        client.post(reverse("privacy:erase"), {**data, "password": "guess"})
    response = client.post(reverse("privacy:erase"), {**data, "password": PASSWORD})
    assert response.status_code == 400
    assert "Too many wrong passwords" in response.context["form"].errors["password"][0]
    assert _nothing_erased(people.lan)


def test_erasing_oneself_signs_out_and_says_so(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.lan)
    data = {"email": " LAN.PHAM@hust.example ", "password": PASSWORD, "understood": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:erase"), {**data, "note": "Leaving teaching"})
    assert response.status_code == 302 and response["Location"] == reverse("privacy:erased")
    assert client.get(response["Location"]).status_code == 200
    assert client.get(reverse("privacy:mine")).status_code == 302  # signed out
    lan = User.objects.get(pk=people.lan.pk)
    assert not lan.is_active and lan.email.endswith("@erased.invalid")
    request = ErasureRequest.objects.get(person=lan)
    assert request.channel == "self" and request.reason.endswith("Leaving teaching")


def test_a_blocked_request_is_kept_and_shown_with_what_stands_in_the_way(client, people):
    client.force_login(people.manager)  # the only programme manager
    data = {"email": "manager@centre.example", "password": PASSWORD, "understood": "on"}
    response = client.post(reverse("privacy:erase"), data, follow=True)
    html = response.content.decode()
    assert "last programme manager" in html
    assert reverse("privacy:withdraw") in html
    request = ErasureRequest.objects.get(person=people.manager)
    assert request.status == ErasureRequest.Status.PENDING
    people.manager.refresh_from_db()
    assert people.manager.is_active
    response = client.post(reverse("privacy:withdraw"), follow=True)
    assert "withdrawn" in response.content.decode()
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.WITHDRAWN


# --- the programme office ---------------------------------------------------------------------


def test_the_office_page_is_for_staff_and_programme_managers(client, people):
    client.force_login(people.lan)
    assert client.get(reverse("privacy:office")).status_code == 403
    assert client.post(reverse("privacy:office_erase"), {}).status_code == 403
    assert client.post(reverse("privacy:office_export"), {}).status_code == 403
    client.force_login(people.manager)
    assert client.get(reverse("privacy:office")).status_code == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"person": "nobody@nowhere.example"}, "person"),
        ({"checked": ""}, "checked"),
    ],
)
def test_the_office_needs_a_reason_a_known_person_and_a_check(client, people, changes, field):
    client.force_login(people.manager)
    data = {"person": LAN_EMAIL, "reason": "Letter of 3 March", "checked": "on", **changes}
    response = client.post(reverse("privacy:office_erase"), data)
    assert response.status_code == 400
    assert response.context["erase_form"].errors[field]
    assert _nothing_erased(people.lan)


def test_the_office_sees_waiting_requests_and_carries_one_out(
    client, people, django_capture_on_commit_callbacks
):
    ErasureRequest.objects.create(
        person=people.hung, channel="self", reason="Asked", blockers=["Something"]
    )
    client.force_login(people.manager)
    page = client.get(reverse("privacy:office")).content.decode()
    assert HUNG_EMAIL in page and "Nothing stands in the way now" in page
    data = {"person": HUNG_EMAIL, "reason": "Confirmed by phone", "checked": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:office_erase"), data, follow=True)
    hung = User.objects.get(pk=people.hung.pk)
    assert not hung.is_active
    request = ErasureRequest.objects.get(person=hung)
    assert (request.status, request.channel, request.reason) == (
        "done",
        "office",
        "Confirmed by phone",
    )
    assert request.carried_out_by == people.manager
    assert hung.legal_name in response.content.decode()


def test_the_office_reports_what_stands_in_the_way(client, people):
    client.force_login(people.manager)
    data = {"person": "manager@centre.example", "reason": "Asked", "checked": "on"}
    response = client.post(reverse("privacy:office_erase"), data)
    assert response.status_code == 400
    assert "last programme manager" in response.content.decode()


def test_the_office_exports_with_a_reason(client, people):
    client.force_login(people.manager)
    response = client.post(reverse("privacy:office_export"), {"person": LAN_EMAIL, "reason": ""})
    assert response.status_code == 400
    response = client.post(
        reverse("privacy:office_export"), {"person": LAN_EMAIL, "reason": "Letter of 3 March"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    event = Event.objects.get(verb="person.exported")
    assert (event.actor_id, event.object_id, event.reason) == (
        people.manager.pk,
        str(people.lan.pk),
        "Letter of 3 March",
    )
