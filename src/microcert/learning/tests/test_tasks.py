"""Adding teachers through the task: run twice, added and invited once."""

import pytest

from microcert.learning.roster import NewTeacher
from microcert.learning.tasks import add_teachers, enqueue_add_teachers
from microcert.network.models import Affiliation

from . import builders as b

pytestmark = pytest.mark.django_db

ROWS = [{"email": "new.teacher@hust.example", "legal_name": "New Teacher", "language": "vi"}]


@pytest.fixture
def world() -> b.World:
    return b.load_world()


def test_a_roster_added_twice_adds_and_invites_once(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = add_teachers.apply(args=[world.hust.pk, ROWS, world.hust_admin.pk]).get()
    with django_capture_on_commit_callbacks(execute=True):
        second = add_teachers.apply(args=[world.hust.pk, ROWS, world.hust_admin.pk]).get()
    assert (first["created"], first["already"]) == (1, 0)
    assert (second["created"], second["already"]) == (0, 1)
    assert Affiliation.objects.filter(person__email="new.teacher@hust.example").count() == 1
    assert [m.to for m in mailoutbox] == [["new.teacher@hust.example"]]


def test_a_refused_roster_answers_with_its_problems(world):
    rows = [{"email": "nobody", "legal_name": "", "language": "en"}]
    outcome = add_teachers.apply(args=[world.hust.pk, rows, world.hust_admin.pk]).get()
    assert outcome["created"] == 0 and len(outcome["errors"]) == 2


def test_a_roster_is_queued_when_the_transaction_commits(world, django_capture_on_commit_callbacks):
    people = [NewTeacher(email="queued@hust.example", legal_name="Queued")]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_add_teachers(organisation=world.hust, people=people, actor=world.hust_admin)
    assert len(callbacks) >= 1
    assert Affiliation.objects.filter(person__email="queued@hust.example").exists()
