"""The review workflow, service by service: who may review, what a decision does, attempts,
the blind second review with moderation, and that a pass awards exactly once."""

import pytest
from django.core import mail

from microcert.accounts.roles import Role
from microcert.credentials.models import IssuedCredential
from microcert.learning import selectors, services
from microcert.learning.models import (
    AssessmentPolicy,
    CriterionScore,
    Enrolment,
    KnowledgeChoice,
    KnowledgeQuestion,
    Review,
    Submission,
)
from microcert.learning.services import LearningError
from microcert.network.models import Affiliation

from . import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> b.World:
    return b.load_world()


def _only_assessor(person) -> None:
    """Withdraw the assessor role from everyone but ``person``."""
    Affiliation.objects.filter(role=Role.ASSESSOR).exclude(person=person).update(is_active=False)


# --- assignment and conflicts of interest -------------------------------------------------


def test_a_submission_goes_to_an_assessor_of_another_institution(world):
    submission = b.submission_in_review(world.lan)

    assert submission.status == Submission.Status.IN_REVIEW
    review = b.open_review(submission)
    assert review.role == Review.Role.FIRST
    assert review.assessor in (world.mona, world.bat)


def test_an_assessor_of_the_teachers_institution_is_never_auto_assigned(world):
    colleague = b.make_assessor("quality@hust.example", world.hust, name="Đỗ Quang Huy")
    _only_assessor(colleague)

    submission = b.submission_in_review(world.lan)

    # Nobody may take it: it waits for a programme manager instead.
    assert submission.status == Submission.Status.SUBMITTED
    assert not submission.reviews.exists()
    assert colleague not in services.eligible_assessors(submission)
    assert submission in selectors.awaiting_assessor()


def test_the_same_assessor_may_take_a_teacher_of_another_institution(world):
    colleague = b.make_assessor("quality@hust.example", world.hust)
    _only_assessor(colleague)

    submission = b.submission_in_review(world.siti)  # Universitas Terbuka

    assert b.open_review(submission).assessor == colleague


def test_assigning_by_hand_refuses_a_conflict_of_interest(world):
    colleague = b.make_assessor("quality@hust.example", world.hust)
    _only_assessor(colleague)
    submission = b.submission_in_review(world.lan)

    with pytest.raises(LearningError, match="conflict of interest"):
        services.review_assign(submission=submission, assessor=colleague, actor=world.manager)
    assert not submission.reviews.exists()


def test_assigning_by_hand_refuses_someone_who_is_not_an_assessor(world):
    Affiliation.objects.filter(role=Role.ASSESSOR).update(is_active=False)
    submission = b.submission_in_review(world.lan)

    with pytest.raises(LearningError, match="not an assessor"):
        services.review_assign(submission=submission, assessor=world.siti, actor=world.manager)


def test_assigning_by_hand_puts_the_submission_in_review(world):
    Affiliation.objects.filter(role=Role.ASSESSOR).update(is_active=False)
    submission = b.submission_in_review(world.lan)
    assert submission.status == Submission.Status.SUBMITTED
    Affiliation.objects.filter(person=world.bat, role=Role.ASSESSOR).update(is_active=True)

    review = services.review_assign(submission=submission, assessor=world.bat, actor=world.manager)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.IN_REVIEW
    assert (review.assessor, review.role) == (world.bat, Review.Role.FIRST)
    assert submission not in selectors.awaiting_assessor()


def test_a_teacher_never_reviews_their_own_work(world):
    submission = b.submission_in_review(world.lan)

    assert services.has_conflict_of_interest(world.lan, submission)


# --- completing a review ------------------------------------------------------------------


def test_only_the_assigned_assessor_completes_the_review(world):
    review = b.open_review(b.submission_in_review(world.lan))
    other = world.bat if review.assessor == world.mona else world.mona

    with pytest.raises(LearningError, match="someone else"):
        services.review_complete(
            review=review,
            actor=other,
            scores=b.rubric_scores(review.submission),
            decision="pass",
            feedback="Fine.",
        )


def test_a_pass_is_refused_when_a_criterion_is_below_the_standard(world):
    review = b.open_review(b.submission_in_review(world.lan))
    scores = b.rubric_scores(review.submission)
    first = next(iter(scores))
    scores[first] = b.rubric_scores(review.submission, passing=False)[first]

    with pytest.raises(LearningError, match="meet the standard"):
        b.complete(review, "pass", scores=scores)

    review.refresh_from_db()
    assert review.status == Review.Status.ASSIGNED
    assert not CriterionScore.objects.filter(review=review).exists()


def test_every_criterion_must_be_scored(world):
    review = b.open_review(b.submission_in_review(world.lan))
    scores = b.rubric_scores(review.submission)
    scores.popitem()

    with pytest.raises(LearningError, match="Score every criterion"):
        b.complete(review, "pass", scores=scores)


def test_a_level_of_another_rubric_is_refused(world):
    review = b.open_review(b.submission_in_review(world.lan))
    other = b.open_review(
        b.submission_in_review(world.lan, "design-ai-enhanced-learning-activities")
    )
    scores = b.rubric_scores(review.submission)
    criterion = next(iter(scores))
    scores[criterion] = next(iter(b.rubric_scores(other.submission).values()))

    with pytest.raises(LearningError, match="another rubric"):
        b.complete(review, "pass", scores=scores)


def test_a_resubmission_request_says_what_to_fix(world):
    review = b.open_review(b.submission_in_review(world.lan))

    with pytest.raises(LearningError, match="fix"):
        b.complete(review, "resubmit", to_fix="  ")
    with pytest.raises(LearningError, match="feedback"):
        b.complete(review, "resubmit", feedback="")


def test_resubmit_then_pass_awards_the_credential_once(world, django_capture_on_commit_callbacks):
    first_attempt = b.submission_in_review(world.lan)
    with django_capture_on_commit_callbacks(execute=True):
        b.complete(b.open_review(first_attempt), "resubmit", to_fix="Show the rotating roles.")

    first_attempt.refresh_from_db()
    assert first_attempt.status == Submission.Status.RESUBMIT
    assert first_attempt.credential is None
    # Lan reads Vietnamese: "nộp lại" is "resubmit".
    assert [m.to for m in mail.outbox if "nộp lại" in m.subject] == [[world.lan.email]]

    second_attempt = b.submit(first_attempt.enrolment)
    assert second_attempt.attempt == 2
    # The new attempt starts from the evidence of the one before.
    assert second_attempt.evidence.count() == first_attempt.evidence.count()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review = b.complete(b.open_review(second_attempt), "pass")

    second_attempt.refresh_from_db()
    assert second_attempt.status == Submission.Status.PASSED
    assert second_attempt.credential is not None
    assert second_attempt.credential.recipient == world.lan
    assert IssuedCredential.objects.filter(recipient=world.lan).count() == 1
    assert Enrolment.objects.get(pk=second_attempt.enrolment_id).status == "completed"
    assert review.score is not None and 0 < review.score <= 100
    (message,) = mail.outbox
    assert message.to == [world.lan.email]
    # In Lan's language, with the micro-credential's Vietnamese title.
    assert "đã đạt chứng chỉ vi mô" in message.subject
    assert second_attempt.version.title_vi in message.subject


def test_a_pass_sent_twice_awards_once(world):
    review = b.open_review(b.submission_in_review(world.lan))
    b.complete(review, "pass")

    with pytest.raises(LearningError, match="already been completed"):
        b.complete(review, "pass")

    assert IssuedCredential.objects.count() == 1
    assert (
        CriterionScore.objects.filter(review=review).count()
        == review.submission.version.rubric.count()
    )


def test_a_fail_ends_the_enrolments_attempts(world):
    submission = b.submission_in_review(world.lan)
    b.complete(b.open_review(submission), "fail")

    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    with pytest.raises(LearningError, match="No attempts are left"):
        services.submission_start(enrolment=submission.enrolment, actor=world.lan)


def test_a_resubmission_on_the_last_attempt_becomes_a_fail(world):
    slug = "develop-skills-in-virtual-spaces"  # two attempts allowed
    enrolment = b.enrol(world.lan, slug)
    assert enrolment.offering.version.max_attempts == 2

    first = b.submit(enrolment)
    b.complete(b.open_review(first), "resubmit")
    second = b.submit(enrolment)
    b.complete(b.open_review(second), "resubmit")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Submission.Status.RESUBMIT, Submission.Status.FAILED)
    with pytest.raises(LearningError, match="No attempts are left"):
        services.submission_start(enrolment=enrolment, actor=world.lan)


def test_a_pass_needs_the_knowledge_check_passed(world):
    version = world.version()
    question = KnowledgeQuestion.objects.create(version=version, text="Which grouping is best?")
    KnowledgeChoice.objects.create(question=question, text="Random", is_correct=False)
    right = KnowledgeChoice.objects.create(question=question, text="Mixed", is_correct=True)
    enrolment = b.enrol(world.lan)
    submission = services.submission_start(enrolment=enrolment, actor=world.lan)
    b.fill(submission)
    wrong = question.choices.exclude(pk=right.pk).get()
    services.submission_save_draft(
        submission=submission, actor=world.lan, knowledge_answers={question.pk: wrong.pk}
    )
    submission = services.submission_submit(submission=submission, actor=world.lan)
    assert submission.knowledge_score == 0

    with pytest.raises(LearningError, match="pass mark"):
        b.complete(b.open_review(submission), "pass")


# --- the blind second review and moderation -----------------------------------------------


@pytest.fixture
def double_review(world):
    AssessmentPolicy.objects.update_or_create(
        version=world.version(), defaults={"second_review": True}
    )
    moderator = b.make_assessor("moderator@centre.example", "centre", name="Claire Martin")
    return b.submission_in_review(world.lan), moderator


def test_a_second_assessor_reviews_blind_after_the_first(world, double_review):
    submission, _moderator = double_review
    first = b.open_review(submission)
    b.complete(first, "pass", feedback="FIRST-JUDGEMENT")

    submission.refresh_from_db()
    assert submission.status == Submission.Status.IN_REVIEW  # not decided by one review
    assert submission.credential is None
    second = b.open_review(submission, Review.Role.SECOND)
    assert second.assessor != first.assessor

    detail = selectors.submission_detail(submission.uuid)
    assert selectors.reviews_visible_to(detail, second.assessor) == []
    assert selectors.reviews_visible_to(detail, world.lan) == []  # not decided yet


def test_agreeing_reviews_decide_without_moderation(world, double_review):
    submission, _moderator = double_review
    b.complete(b.open_review(submission), "pass")
    b.complete(b.open_review(submission, Review.Role.SECOND), "pass")

    submission.refresh_from_db()
    assert submission.status == Submission.Status.PASSED
    assert not submission.reviews.filter(role=Review.Role.MODERATION).exists()
    assert IssuedCredential.objects.count() == 1


def test_disagreeing_reviews_go_to_a_moderator_whose_decision_is_final(world, double_review):
    submission, moderator = double_review
    first = b.complete(b.open_review(submission), "pass")
    second = b.complete(b.open_review(submission, Review.Role.SECOND), "resubmit")

    moderation = b.open_review(submission, Review.Role.MODERATION)
    assert moderation.assessor == moderator  # the only assessor who has not reviewed it
    submission.refresh_from_db()
    assert submission.status == Submission.Status.IN_REVIEW

    detail = selectors.submission_detail(submission.uuid)
    assert {r.pk for r in selectors.reviews_visible_to(detail, moderator)} == {first.pk, second.pk}

    b.complete(moderation, "pass")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PASSED
    assert IssuedCredential.objects.filter(recipient=world.lan).count() == 1


def test_a_second_review_nobody_can_take_waits_for_a_programme_manager(world):
    AssessmentPolicy.objects.update_or_create(
        version=world.version(), defaults={"second_review": True}
    )
    _only_assessor(world.mona)
    submission = b.submission_in_review(world.lan)
    b.complete(b.open_review(submission), "pass")

    assert submission in selectors.awaiting_assessor()
    Affiliation.objects.filter(person=world.bat, role=Role.ASSESSOR).update(is_active=True)
    review = services.review_assign(submission=submission, assessor=world.bat, actor=world.manager)
    assert review.role == Review.Role.SECOND
    assert submission not in selectors.awaiting_assessor()


# --- PD plans -----------------------------------------------------------------------------


def test_returning_a_plan_needs_a_comment(world):
    plan = b.submitted_plan(world.lan, world.hust, 2030)

    with pytest.raises(LearningError, match="what should change"):
        services.pd_plan_return(plan=plan, actor=world.hust_admin, comment=" ")

    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_a_plan_is_decided_once_and_the_teacher_is_told(world, django_capture_on_commit_callbacks):
    plan = b.submitted_plan(world.lan, world.hust, 2030)
    with django_capture_on_commit_callbacks(execute=True):
        services.pd_plan_approve(plan=plan, actor=world.hust_admin, comment="")

    plan.refresh_from_db()
    assert (plan.status, plan.decided_by) == ("approved", world.hust_admin)
    assert [m.to for m in mail.outbox] == [[world.lan.email]]
    with pytest.raises(LearningError, match="Only a submitted plan"):
        services.pd_plan_return(plan=plan, actor=world.hust_admin, comment="Too late.")
