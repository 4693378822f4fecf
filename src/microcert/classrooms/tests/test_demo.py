"""The demo's Smart Classroom at HUST, loaded on top of the programme's demo, twice."""

import datetime

import pytest
from django.utils import timezone

from microcert.classrooms import selectors
from microcert.classrooms.demo import SLUG, load_demo
from microcert.classrooms.models import Equipment, MaintenanceTicket, SmartClassroom, UsageSession
from microcert.core.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    from microcert.demo.services import demo_load

    demo_load(credentials=False)
    load_demo()
    return SmartClassroom.objects.get(slug=SLUG)


def counts() -> tuple[int, ...]:
    return (
        SmartClassroom.objects.count(),
        Equipment.objects.count(),
        MaintenanceTicket.objects.count(),
        UsageSession.objects.count(),
        Event.objects.count(),
    )


def test_loading_twice_adds_nothing(loaded):
    before = counts()
    load_demo()
    assert counts() == before


def test_hust_hosts_a_public_classroom_launched_late_in_2024(loaded):
    assert (loaded.host.slug, loaded.sponsor.slug, loaded.status, loaded.is_public) == (
        "hust",
        "centre",
        "in_service",
        True,
    )
    assert loaded.installed_on <= loaded.launched_on
    assert (loaded.launched_on.year, loaded.launched_on.month) == (2024, 12)
    for language in ("en", "vi", "zh_hans", "fr"):
        assert getattr(loaded, f"name_{language}")
        assert getattr(loaded, f"description_{language}")
    assert list(selectors.classrooms_of(loaded.host)) == [loaded]


def test_its_equipment_has_one_item_under_repair_and_one_warranty_running_out(loaded):
    items = list(loaded.equipment.all())
    assert len(items) == 12
    assert [i.label for i in items if i.status == "under_repair"] == ["Rear camera"]
    alerts = selectors.warranty_alerts(loaded, timezone.localdate())
    assert [a.kind for a in alerts] == ["lecture_capture"]


def test_it_has_an_open_ticket_and_a_resolved_one(loaded):
    tickets = {t.status: t for t in loaded.tickets.all()}
    assert set(tickets) == {"in_progress", "resolved"}
    assert tickets["in_progress"].opened_by.email == "lan.pham@hust.example"
    assert tickets["resolved"].resolution
    assert tickets["resolved"].opened_at.year == 2025


def test_its_recorded_lectures_serve_hust_offerings(loaded):
    lectures = loaded.sessions.filter(kind="recorded_lecture", status="held")
    assert lectures.count() == 3
    assert all(s.offering is not None and s.offering.host == loaded.host for s in lectures)
    offering = lectures.first().offering
    assert set(selectors.sessions_for_offering(offering)) <= set(lectures)
    assert loaded.sessions.filter(status="scheduled", starts_at__gt=timezone.now()).exists()
    now = timezone.now()
    assert all(s.ends_at <= now for s in loaded.sessions.filter(status="held"))
    assert loaded.sessions.filter(starts_at__date__lt=datetime.date(2024, 11, 25)).count() == 0
