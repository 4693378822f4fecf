"""Reads of privacy: a person's own records, what stands in the way of erasing them, the
requests the programme office has to look at."""

from django.apps import apps
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.classrooms.models import MaintenanceTicket
from microcert.learning.models import EvidenceItem, Review, Submission
from microcert.network.models import Affiliation

from . import registry
from .models import ErasureRequest


def owned_objects(person: User) -> dict[str, set[str]]:
    """The person's own records as {object type: ids}, named the way the event log names
    them: their account, every row an export area shows in full, and the parts of their
    submissions and plans."""
    owned: dict[str, set[str]] = {"accounts.user": {str(person.pk)}}
    for label, model, field in registry.person_fields():
        rule = registry.RULES.get(label)
        if rule is None or rule.export == registry.REFERENCE or label == "core.Event.actor":
            continue
        ids = model._base_manager.filter(**{field.name: person}).values_list("pk", flat=True)
        owned.setdefault(model._meta.label_lower, set()).update(str(pk) for pk in ids)
    parts = {
        "learning.review": Review.objects.filter(submission__teacher=person),
        "learning.evidenceitem": EvidenceItem.objects.filter(submission__teacher=person),
        "learning.pdplanitem": apps.get_model("learning", "PDPlanItem").objects.filter(
            plan__teacher=person
        ),
        "learning.criterionscore": apps.get_model("learning", "CriterionScore").objects.filter(
            review__submission__teacher=person
        ),
    }
    for object_type, queryset in parts.items():
        owned.setdefault(object_type, set()).update(
            str(pk) for pk in queryset.values_list("pk", flat=True)
        )
    return owned


def erasure_of(person: User) -> ErasureRequest | None:
    """The request by which the person was erased, if they were."""
    return ErasureRequest.objects.filter(person=person, status=ErasureRequest.Status.DONE).first()


def pending_request_of(person: User) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(
        person=person, status=ErasureRequest.Status.PENDING
    ).first()


def pending_requests() -> QuerySet[ErasureRequest]:
    """Requests waiting for the programme office, oldest first."""
    return (
        ErasureRequest.objects.filter(status=ErasureRequest.Status.PENDING)
        .select_related("person")
        .order_by("created_at", "pk")
    )


def recent_erasures(limit: int = 20) -> QuerySet[ErasureRequest]:
    return (
        ErasureRequest.objects.filter(status=ErasureRequest.Status.DONE)
        .select_related("person")
        .order_by("-carried_out_at", "-pk")[:limit]
    )


def erasure_blockers(person: User) -> list[str]:
    """Why the person cannot be erased now, in words saying what to do; empty when nothing
    stands in the way.

    Erasure waits while the person holds something others depend on: the last programme
    manager (nobody could run the programme), a superuser (an operator removes that status on
    purpose first), reviews assigned to them as an assessor, maintenance tickets assigned to
    them, or their own submission waiting for a decision (a pass would issue a credential to
    an identity that no longer exists)."""
    blockers = []
    if person.is_superuser:
        blockers.append(
            _(
                "This account is a superuser. An operator must remove that status first, so "
                "that the platform is never left without one by mistake."
            )
        )
    manages = Affiliation.objects.filter(
        person=person, role=Role.PROGRAMME_MANAGER, is_active=True
    ).exists()
    if manages:
        others = (
            Affiliation.objects.filter(
                role=Role.PROGRAMME_MANAGER, is_active=True, person__is_active=True
            )
            .exclude(person=person)
            .exists()
        )
        if not others:
            blockers.append(
                _(
                    "This is the last programme manager. Give the role to someone else first: "
                    "the programme cannot run without one."
                )
            )
    reviews = Review.objects.filter(assessor=person, status=Review.Status.ASSIGNED).count()
    if reviews:
        blockers.append(
            ngettext(
                "%(count)d review is assigned to this person as an assessor. A programme "
                "manager must assign it to someone else first.",
                "%(count)d reviews are assigned to this person as an assessor. A programme "
                "manager must assign them to someone else first.",
                reviews,
            )
            % {"count": reviews}
        )
    tickets = MaintenanceTicket.objects.filter(
        assignee=person,
        status__in=[MaintenanceTicket.Status.OPEN, MaintenanceTicket.Status.IN_PROGRESS],
    ).count()
    if tickets:
        blockers.append(
            ngettext(
                "%(count)d open maintenance ticket is assigned to this person. It must be "
                "assigned to someone else or closed first.",
                "%(count)d open maintenance tickets are assigned to this person. They must be "
                "assigned to someone else or closed first.",
                tickets,
            )
            % {"count": tickets}
        )
    waiting = Submission.objects.filter(
        teacher=person, status__in=[Submission.Status.SUBMITTED, Submission.Status.IN_REVIEW]
    ).count()
    if waiting:
        blockers.append(
            ngettext(
                "%(count)d submission is waiting for an assessor's decision. Erasure can be "
                "carried out once it is decided.",
                "%(count)d submissions are waiting for an assessor's decision. Erasure can be "
                "carried out once they are decided.",
                waiting,
            )
            % {"count": waiting}
        )
    return blockers
