"""Object-level permissions of the teacher's journey. Anything not granted here is denied.

A teacher sees only their own work; an assessor only the submissions assigned to them (and,
in a blind second review, not the other assessor's judgement); an institution admin decides
the plans of their institution's teachers and follows their progress, without reading their
evidence; programme managers assign assessors.
"""

import rules

from microcert.accounts.roles import Role
from microcert.network import selectors as network_selectors

from .models import Enrolment, EvidenceItem, PDPlan, Review, SelfAssessment, Submission


@rules.predicate
def is_programme_manager(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and network_selectors.has_role(user, Role.PROGRAMME_MANAGER)
    )


@rules.predicate
def is_teacher(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and network_selectors.has_role(user, Role.TEACHER)
    )


@rules.predicate
def is_assessor(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and network_selectors.has_role(user, Role.ASSESSOR)
    )


@rules.predicate
def is_institution_admin(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and network_selectors.has_role(user, Role.INSTITUTION_ADMIN)
    )


def _owner_id(obj) -> int | None:
    if isinstance(obj, (SelfAssessment,)):
        return obj.person_id
    if isinstance(obj, (PDPlan, Enrolment, Submission)):
        return obj.teacher_id
    if isinstance(obj, EvidenceItem):
        return obj.submission.teacher_id
    return None


@rules.predicate
def is_owner(user, obj) -> bool:
    return (
        obj is not None and getattr(user, "is_authenticated", False) and _owner_id(obj) == user.pk
    )


@rules.predicate
def is_assigned_assessor(user, obj) -> bool:
    """The user has an assignment on this submission (or on the evidence's submission) that
    was not withdrawn."""
    if obj is None or not getattr(user, "is_authenticated", False):
        return False
    submission_id = obj.submission_id if isinstance(obj, EvidenceItem) else obj.pk
    return Review.objects.filter(
        submission_id=submission_id, assessor=user, status__in=["assigned", "completed"]
    ).exists()


@rules.predicate
def is_the_reviewer(user, review: Review | None) -> bool:
    return (
        review is not None
        and getattr(user, "is_authenticated", False)
        and review.assessor_id == user.pk
    )


@rules.predicate
def administers_plan(user, plan: PDPlan | None) -> bool:
    return plan is not None and network_selectors.has_role(
        user, Role.INSTITUTION_ADMIN, plan.organisation
    )


@rules.predicate
def administers_organisation(user, organisation) -> bool:
    return organisation is not None and network_selectors.has_role(
        user, Role.INSTITUTION_ADMIN, organisation
    )


# The teacher's own work.
rules.add_perm("learning.take_self_assessment", is_owner)
rules.add_perm("learning.view_self_assessment", is_owner)
rules.add_perm("learning.enrol", is_teacher)
rules.add_perm("learning.view_enrolment", is_owner)
rules.add_perm("learning.withdraw_enrolment", is_owner)
rules.add_perm("learning.change_submission", is_owner)
rules.add_perm("learning.view_submission", is_owner | is_assigned_assessor | is_programme_manager)
rules.add_perm("learning.view_evidence", is_owner | is_assigned_assessor | is_programme_manager)

# PD plans: the teacher writes, their institution decides.
rules.add_perm("learning.change_plan", is_owner)
rules.add_perm("learning.view_plan", is_owner | administers_plan | is_programme_manager)
# Nobody approves their own plan, even an admin who also teaches there.
rules.add_perm("learning.decide_plan", administers_plan & ~is_owner)

# Reviews.
rules.add_perm("learning.view_queue", is_assessor)
rules.add_perm("learning.complete_review", is_the_reviewer)
rules.add_perm("learning.assign_reviewer", is_programme_manager)

# An institution's progress: its admins and the programme's managers.
rules.add_perm(
    "learning.view_organisation_progress", administers_organisation | is_programme_manager
)
rules.add_perm("learning.add_teachers", administers_organisation | is_programme_manager)
