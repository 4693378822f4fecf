"""The admin lists the registry and applies the services' rules to what staff edit there."""

import pytest
from django.urls import reverse

from microcert.accounts.tests.factories import UserFactory
from microcert.classrooms import services
from microcert.classrooms.models import SmartClassroom

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(world):
    person = UserFactory(is_staff=True)
    person.is_superuser = True
    person.save()
    return person


def test_the_admin_lists_every_part_of_the_registry(client, world, superuser):
    item = services.equipment_add(classroom=world.room, kind="pc", vendor="N", actor=None)
    services.ticket_open(classroom=world.room, title="Broken", equipment=item, actor=None)
    client.force_login(superuser)
    for model in ("smartclassroom", "equipment", "maintenanceticket", "usagesession"):
        assert client.get(reverse(f"admin:classrooms_{model}_changelist")).status_code == 200
    change = reverse("admin:classrooms_smartclassroom_change", args=[world.room.pk])
    assert client.get(change).status_code == 200


def test_the_admin_refuses_a_university_as_sponsor(client, world, superuser):
    client.force_login(superuser)
    change = reverse("admin:classrooms_smartclassroom_change", args=[world.room.pk])
    form = client.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "host": world.hust.pk,
            "sponsor": world.other.pk,
            "installed_on": "2024-11-25",
            "launched_on": "2024-12-10",
            "equipment-TOTAL_FORMS": "0",
            "equipment-INITIAL_FORMS": "0",
        }
    )
    response = client.post(change, data)
    assert response.status_code == 200
    assert "enterprise or an international organisation" in response.text
    assert SmartClassroom.objects.get(pk=world.room.pk).sponsor == world.centre
