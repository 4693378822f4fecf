"""Background tasks of the learning app: adding an institution's teachers from a roster."""

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from microcert.accounts.models import User
from microcert.network.models import Organisation

from . import services
from .roster import NewTeacher


@shared_task(name="microcert.learning.add_teachers", acks_late=True)
def add_teachers(organisation_id: int, rows: list[dict], actor_id: int) -> dict:
    """Add a roster (``[{"email", "legal_name", "language"}]``) as ``services.teachers_add``
    does. Idempotent: people already teaching there count as ``already``, so a re-run (a task
    delivered twice, or after its worker died: the list is one transaction) adds nobody twice
    and invites nobody twice. A refused list answers with its problems."""
    organisation = Organisation.objects.get(pk=organisation_id)
    actor = User.objects.get(pk=actor_id)
    people = [
        NewTeacher(
            email=row["email"], legal_name=row["legal_name"], language=row.get("language", "en")
        )
        for row in rows
    ]
    # Problems are written in the words of the admin who sent the list.
    with translation.override(actor.preferred_language or "en"):
        try:
            added = services.teachers_add(organisation=organisation, people=people, actor=actor)
        except ValidationError as error:
            messages = [str(message) for message in error.messages]
            return {"created": 0, "attached": 0, "already": 0, "errors": messages}
    return {
        "created": len(added.created),
        "attached": len(added.attached),
        "already": len(added.already),
        "errors": [],
    }


def enqueue_add_teachers(*, organisation: Organisation, people: list[NewTeacher], actor) -> None:
    """Queue a roster once the current transaction commits (a large list, off the request)."""
    rows = [{"email": p.email, "legal_name": p.legal_name, "language": p.language} for p in people]
    organisation_id, actor_id = organisation.pk, actor.pk
    transaction.on_commit(lambda: add_teachers.delay(organisation_id, rows, actor_id))
