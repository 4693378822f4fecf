"""The public registry: the list with its filters and cards, and a classroom's page, in every
language; never a serial or a ticket; 404 for a classroom that is not public."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from microcert.classrooms import services

from .factories import classroom, hours_ago

pytestmark = pytest.mark.django_db

LIST = reverse("classrooms:list")


def detail(room, language: str = "en") -> str:
    with translation.override(language):
        return reverse("classrooms:detail", args=[room.slug])


def test_the_list_shows_public_classrooms_as_cards(client, world):
    classroom(world.hust, slug="private", is_public=False, name="Hidden room")
    page = client.get(LIST)
    assert page.status_code == 200
    assert world.room.name in page.text
    assert "Hidden room" not in page.text
    assert detail(world.room) in page.text
    assert escape(world.centre.name) in page.text  # the sponsor on the card


def test_the_list_filters_by_country_and_host(client, world):
    mongolian = classroom(world.other, slug="ulaanbaatar", name="Ulaanbaatar studio")
    by_country = client.get(LIST, {"country": "MN"})
    assert [c.pk for c in by_country.context["classrooms"]] == [mongolian.pk]
    by_host = client.get(LIST, {"host": "hust"})
    assert [c.pk for c in by_host.context["classrooms"]] == [world.room.pk]
    both = client.get(LIST, {"country": "MN", "host": "hust"})
    assert list(both.context["classrooms"]) == []


def test_an_unknown_filter_is_refused_with_a_message(client, world):
    page = client.get(LIST, {"country": "ZZ", "host": "<script>"})
    assert page.status_code == 400
    assert "Choose one of the countries listed." in page.text
    assert "Choose one of the host institutions listed." in page.text
    assert "<script>" not in page.text


def test_the_classroom_page_shows_the_public_summary(client, world, offerings):
    services.equipment_add(
        classroom=world.room,
        kind="camera",
        vendor="Vistacam",
        serial="SECRET-SERIAL",
        actor=None,
    )
    services.ticket_open(classroom=world.room, title="Private trouble", actor=world.teacher)
    services.session_record(
        classroom=world.room,
        kind="recorded_lecture",
        title="Lecture on collaboration",
        starts_at=hours_ago(4),
        duration_minutes=45,
        offering=offerings["hust"],
        recording_url="https://video.example/private-link",
        actor=world.admin,
    )
    page = client.get(detail(world.room))
    assert page.status_code == 200
    text = page.text
    assert "Lecture on collaboration" in text
    assert escape(offerings["hust"].version.title) in text
    assert escape(world.hust.name) in text and escape(world.centre.name) in text
    assert "Camera" in text
    for secret in ("SECRET-SERIAL", "Private trouble", "private-link", "Manage this classroom"):
        assert secret not in text


def test_the_page_speaks_every_language_with_the_content_translated(client, world):
    page = client.get(detail(world.room, "vi"))
    assert page.status_code == 200
    assert 'lang="vi"' in page.text
    assert escape(world.room.name_vi) in page.text


def test_a_private_classroom_is_not_found_for_outsiders(client, world):
    private = classroom(world.hust, slug="private", is_public=False)
    assert client.get(detail(private)).status_code == 404
    client.force_login(world.other_admin)
    assert client.get(detail(private)).status_code == 404
    client.force_login(world.teacher)
    assert client.get(detail(private)).status_code == 200
    assert client.get(detail(world.room).replace("hust-room", "nowhere")).status_code == 404


def test_managers_and_teachers_find_their_way_from_the_page(client, world):
    client.force_login(world.admin)
    page = client.get(detail(world.room)).text
    assert reverse("classrooms:manage", args=[world.room.slug]) in page
    client.force_login(world.teacher)
    page = client.get(detail(world.room)).text
    assert reverse("classrooms:manage", args=[world.room.slug]) not in page
    assert reverse("classrooms:ticket_new", args=[world.room.slug]) in page
    listing = client.get(LIST)
    assert [c.pk for c in listing.context["mine"]] == [world.room.pk]
    assert reverse("classrooms:ticket_new", args=[world.room.slug]) in listing.text


def test_the_cards_partial_renders_classrooms_of_an_organisation(world):
    from django.template.loader import render_to_string

    from microcert.classrooms.selectors import classrooms_of

    html = render_to_string(
        "classrooms/_cards.html", {"classrooms": classrooms_of(world.hust), "heading_level": 4}
    )
    assert f'<h4><a href="{detail(world.room)}">' in html
    assert "Sessions held" in html


def test_pages_only_answer_get(client, world):
    assert client.post(LIST).status_code == 405
    assert client.post(detail(world.room)).status_code == 405
