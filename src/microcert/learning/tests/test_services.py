"""The workflow rules of the teacher's journey, at the level of the services."""

import datetime
from dataclasses import dataclass

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from microcert.accounts.models import User
from microcert.catalog.models import Offering, SpecificationVersion
from microcert.core.models import Event
from microcert.credentials.models import IssuedCredential
from microcert.frameworks.models import CompetencyFramework
from microcert.learning import selectors, services
from microcert.learning.models import (
    Enrolment,
    EvidenceItem,
    PDPlan,
    Review,
    SelfAssessment,
    Submission,
)
from microcert.learning.services import LearningError
from microcert.network.models import Organisation

from .test_uploads import ELF, MINIMAL_PDF

SPEC = "organise-and-facilitate-online-collaborative-learning"
REFLECTION = "I redesigned the weekly task so that students compare their own drafts. " * 4


@dataclass
class World:
    lan: User
    hung: User
    siti: User
    hust: Organisation
    digcompedu: CompetencyFramework
    version: SpecificationVersion
    offering: Offering

    def requirement(self, kind: str):
        return self.version.evidence_requirements.get(kind=kind)


@pytest.fixture
def world(db, settings) -> World:
    from microcert.demo.services import demo_load

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo_load(credentials=False)
    version = SpecificationVersion.objects.get(micro_credential__slug=SPEC, status="published")
    return World(
        lan=User.objects.get(email="lan.pham@hust.example"),
        hung=User.objects.get(email="hung.le@hust.example"),
        siti=User.objects.get(email="siti@ut.example"),
        hust=Organisation.objects.get(slug="hust"),
        digcompedu=CompetencyFramework.objects.get(slug="digcompedu"),
        version=version,
        offering=version.offerings.order_by("starts_on").first(),
    )


def _complete_draft(world: World, teacher: User) -> Submission:
    enrolment = services.enrolment_create(offering=world.offering, teacher=teacher, actor=teacher)
    submission = services.submission_start(enrolment=enrolment, actor=teacher)
    services.evidence_add_file(
        submission=submission,
        requirement=world.requirement("file"),
        upload=SimpleUploadedFile("design.pdf", MINIMAL_PDF),
        actor=teacher,
    )
    services.evidence_add_link(
        submission=submission,
        requirement=world.requirement("link"),
        url="https://lms.example.org/course/7/activity",
        actor=teacher,
    )
    return services.submission_save_draft(
        submission=submission, reflection=REFLECTION, actor=teacher
    )


# --- Self-assessment --------------------------------------------------------------------------


def test_a_self_assessment_is_answered_in_any_order_saved_and_resumed(world):
    started = services.self_assessment_start(person=world.lan, framework=world.digcompedu)
    services.self_assessment_answer(assessment=started, answers={"6.5": "C1"}, actor=world.lan)
    services.self_assessment_answer(assessment=started, answers={"1.1": "A2"}, actor=world.lan)

    resumed = services.self_assessment_start(person=world.lan, framework=world.digcompedu)

    assert resumed == started
    assert {a.competence.code: a.level.code for a in resumed.answers.all()} == {
        "1.1": "A2",
        "6.5": "C1",
    }


def test_an_answer_can_be_changed_until_completion(world):
    assessment = services.self_assessment_start(person=world.lan, framework=world.digcompedu)
    services.self_assessment_answer(assessment=assessment, answers={"1.1": "A2"}, actor=world.lan)
    services.self_assessment_answer(assessment=assessment, answers={"1.1": "B1"}, actor=world.lan)
    assert assessment.answers.get().level.code == "B1"


def test_completion_needs_every_competence_and_names_the_missing_ones(world):
    assessment = services.self_assessment_start(person=world.lan, framework=world.digcompedu)
    services.self_assessment_answer(assessment=assessment, answers={"1.1": "A2"}, actor=world.lan)
    with pytest.raises(LearningError, match=r"1\.2"):
        services.self_assessment_complete(assessment=assessment, actor=world.lan)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"1.2": "B1", "9.9": "A1"}, "not a competence"),
        ({"1.2": "B1", "1.1": "Z9"}, "not a level"),
        ({}, "No answers"),
    ],
)
def test_invalid_answers_are_refused_and_nothing_is_saved(world, answers, message):
    assessment = services.self_assessment_start(person=world.lan, framework=world.digcompedu)
    with pytest.raises(LearningError, match=message):
        services.self_assessment_answer(assessment=assessment, answers=answers, actor=world.lan)
    assert not assessment.answers.exists()


def _answer_everything(world: World, level_for) -> SelfAssessment:
    assessment = services.self_assessment_start(person=world.lan, framework=world.digcompedu)
    answers = {c.code: level_for(c.code) for c in services.assessable_competences(world.digcompedu)}
    services.self_assessment_answer(assessment=assessment, answers=answers, actor=world.lan)
    return services.self_assessment_complete(assessment=assessment, actor=world.lan)


def test_the_profile_averages_each_area_and_overall(world):
    # Area 2 at A1 (position 1), everything else at C2 (position 6).
    assessment = _answer_everything(world, lambda code: "A1" if code.startswith("2.") else "C2")

    profile = selectors.self_assessment_profile(assessment)

    scores = {a.area.code: a.score for a in profile.areas}
    assert scores["2"] == 1.0
    assert scores["1"] == 6.0
    assert profile.answered == profile.total == 22
    # 3 competences at 1 and 19 at 6: (3 + 114) / 22
    assert profile.overall == pytest.approx(117 / 22)
    assert profile.level_at(profile.overall).code == "C1"  # 5.3 rounds down to C1 (5)


def test_suggestions_address_the_weakest_competences_first_with_their_reasons(world):
    assessment = _answer_everything(
        world, lambda code: {"2.2": "A1", "3.3": "A2", "4.1": "A2"}.get(code, "C2")
    )

    suggested = selectors.suggestions(selectors.self_assessment_profile(assessment))

    assert suggested[0].competence.code == "2.2"
    assert suggested[0].version.micro_credential.slug == "design-ai-enhanced-learning-activities"
    assert (suggested[0].current.code, suggested[0].target.code) == ("A1", "B1")
    assert {s.competence.code for s in suggested} <= {"2.2", "3.3", "4.1"}
    assert all(s.target.position > s.current.position for s in suggested)


def test_what_the_teacher_already_takes_is_not_suggested_again(world):
    assessment = _answer_everything(world, lambda code: "A1" if code == "2.2" else "C2")
    design = SpecificationVersion.objects.get(
        micro_credential__slug="design-ai-enhanced-learning-activities", status="published"
    )
    profile = selectors.self_assessment_profile(assessment)
    assert [s.version for s in selectors.suggestions(profile)] == [design]

    services.enrolment_create(offering=design.offerings.first(), teacher=world.lan, actor=None)

    assert selectors.suggestions(profile) == []


def test_nothing_is_suggested_where_the_teacher_is_already_above_every_target(world):
    assessment = _answer_everything(world, lambda code: "C2")
    assert selectors.suggestions(selectors.self_assessment_profile(assessment)) == []


def test_history_keeps_each_completed_assessment(world):
    _answer_everything(world, lambda code: "A2")
    _answer_everything(world, lambda code: "B2")
    history = selectors.self_assessment_history(world.lan, world.digcompedu)
    assert [round(p.overall) for p in history] == [2, 4]


# --- PD plan ----------------------------------------------------------------------------------


def test_a_plan_in_viet_nam_is_due_on_31_may(world):
    plan = services.pd_plan_create(
        teacher=world.lan, organisation=world.hust, year=2027, actor=world.lan
    )
    assert plan.deadline == datetime.date(2027, 5, 31)


def test_elsewhere_the_platform_default_deadline_applies(world, settings):
    settings.PD_PLAN_DEFAULT_DEADLINE = "06-30"
    ut = Organisation.objects.get(slug="ut")
    plan = services.pd_plan_create(teacher=world.siti, organisation=ut, year=2027, actor=None)
    assert plan.deadline == datetime.date(2027, 6, 30)


def test_only_a_teacher_of_the_institution_can_plan_there(world):
    ut = Organisation.objects.get(slug="ut")
    with pytest.raises(LearningError, match="not a teacher"):
        services.pd_plan_create(teacher=world.lan, organisation=ut, year=2027, actor=world.lan)


def test_a_plan_is_submitted_approved_and_then_frozen(world, django_capture_on_commit_callbacks):
    plan = services.pd_plan_create(
        teacher=world.lan, organisation=world.hust, year=2027, actor=world.lan
    )
    services.pd_plan_set_item(
        plan=plan, micro_credential=world.version.micro_credential, planned_hours="25", actor=None
    )
    services.pd_plan_submit(plan=plan, actor=world.lan, today=datetime.date(2027, 5, 31))
    admin = User.objects.get(email="admin@hust.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.pd_plan_approve(plan=plan, actor=admin, comment="Good balance.")

    plan.refresh_from_db()
    assert (plan.status, plan.decided_by, plan.comment) == ("approved", admin, "Good balance.")
    with pytest.raises(LearningError, match="cannot be changed"):
        services.pd_plan_set_item(
            plan=plan, micro_credential=world.version.micro_credential, planned_hours=5, actor=None
        )
    assert [m.to for m in mail.outbox] == [[world.lan.email]]


def test_a_late_first_submission_is_refused_but_a_returned_plan_may_come_back(world):
    plan = services.pd_plan_create(
        teacher=world.lan, organisation=world.hust, year=2027, actor=world.lan
    )
    services.pd_plan_set_item(
        plan=plan, micro_credential=world.version.micro_credential, planned_hours=25, actor=None
    )
    with pytest.raises(LearningError, match="due by May 31, 2027"):
        services.pd_plan_submit(plan=plan, actor=world.lan, today=datetime.date(2027, 6, 1))

    services.pd_plan_submit(plan=plan, actor=world.lan, today=datetime.date(2027, 5, 30))
    admin = User.objects.get(email="admin@hust.example")
    with pytest.raises(LearningError, match="Say what should change"):
        services.pd_plan_return(plan=plan, actor=admin, comment="  ")
    services.pd_plan_return(plan=plan, actor=admin, comment="Add one AI micro-credential.")
    services.pd_plan_submit(plan=plan, actor=world.lan, today=datetime.date(2027, 6, 10))
    assert PDPlan.objects.get(pk=plan.pk).status == "submitted"


@pytest.mark.parametrize("hours", ["-1", "abc", "1e9", "NaN", None])
def test_planned_hours_must_be_a_sensible_number(world, hours):
    plan = services.pd_plan_create(
        teacher=world.lan, organisation=world.hust, year=2027, actor=world.lan
    )
    with pytest.raises(LearningError, match="Planned hours"):
        services.pd_plan_set_item(
            plan=plan,
            micro_credential=world.version.micro_credential,
            planned_hours=hours,
            actor=None,
        )
    assert not plan.items.exists()


def test_an_empty_plan_cannot_be_submitted(world):
    plan = services.pd_plan_create(
        teacher=world.lan, organisation=world.hust, year=2027, actor=world.lan
    )
    with pytest.raises(LearningError, match="at least one"):
        services.pd_plan_submit(plan=plan, actor=world.lan, today=datetime.date(2027, 1, 1))


# --- Enrolment --------------------------------------------------------------------------------


def test_a_full_offering_puts_people_on_a_waiting_list_and_a_withdrawal_promotes_the_first(
    world, django_capture_on_commit_callbacks
):
    Offering.objects.filter(pk=world.offering.pk).update(capacity=1)
    first = services.enrolment_create(offering=world.offering, teacher=world.lan, actor=None)
    second = services.enrolment_create(offering=world.offering, teacher=world.hung, actor=None)
    third = services.enrolment_create(offering=world.offering, teacher=world.siti, actor=None)
    assert [e.status for e in (first, second, third)] == ["enrolled", "waitlisted", "waitlisted"]
    assert selectors.waiting_position(third) == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_withdraw(enrolment=first, actor=world.lan)

    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == "enrolled"
    assert selectors.waiting_position(third) == 1
    assert mail.outbox[-1].to == [world.hung.email]


def test_enrolling_twice_is_refused_but_coming_back_after_withdrawal_works(world):
    enrolment = services.enrolment_create(offering=world.offering, teacher=world.lan, actor=None)
    with pytest.raises(LearningError, match="already enrolled"):
        services.enrolment_create(offering=world.offering, teacher=world.lan, actor=None)
    services.enrolment_withdraw(enrolment=enrolment, actor=world.lan)
    again = services.enrolment_create(offering=world.offering, teacher=world.lan, actor=None)
    assert (again.pk, again.status) == (enrolment.pk, "enrolled")


def test_closed_and_finished_offerings_take_nobody(world):
    Offering.objects.filter(pk=world.offering.pk).update(status="closed")
    with pytest.raises(LearningError, match="closed"):
        services.enrolment_create(offering=world.offering, teacher=world.lan, actor=None)
    Offering.objects.filter(pk=world.offering.pk).update(status="open")
    after_the_end = world.offering.ends_on + datetime.timedelta(days=1)
    with pytest.raises(LearningError, match="ended"):
        services.enrolment_create(
            offering=world.offering, teacher=world.lan, actor=None, today=after_the_end
        )


def test_only_teachers_enrol(world):
    assessor = User.objects.get(email="assessor@must.example")
    with pytest.raises(LearningError, match="Only teachers"):
        services.enrolment_create(offering=world.offering, teacher=assessor, actor=None)


def test_withdrawal_waits_while_a_submission_is_in_review(world):
    submission = services.submission_submit(
        submission=_complete_draft(world, world.lan), actor=None
    )
    with pytest.raises(LearningError, match="being reviewed"):
        services.enrolment_withdraw(enrolment=submission.enrolment, actor=world.lan)


# --- Submission and evidence ------------------------------------------------------------------


def test_a_submission_needs_every_piece_of_evidence_asked_for(world):
    enrolment = services.enrolment_create(offering=world.offering, teacher=world.lan, actor=None)
    submission = services.submission_start(enrolment=enrolment, actor=world.lan)
    with pytest.raises(LearningError, match="Still missing") as refused:
        services.submission_submit(submission=submission, actor=world.lan)
    for requirement in world.version.evidence_requirements.all():
        assert requirement.title in str(refused.value)
    assert Submission.objects.get(pk=submission.pk).status == "draft"


def test_a_renamed_executable_is_refused_and_nothing_is_stored(world):
    enrolment = services.enrolment_create(offering=world.offering, teacher=world.lan, actor=None)
    submission = services.submission_start(enrolment=enrolment, actor=world.lan)
    with pytest.raises(LearningError, match="whatever its name says"):
        services.evidence_add_file(
            submission=submission,
            requirement=world.requirement("file"),
            upload=SimpleUploadedFile("lesson-plan.pdf", ELF),
            actor=world.lan,
        )
    assert not EvidenceItem.objects.exists()


def test_evidence_must_match_the_kind_the_requirement_asks_for(world):
    enrolment = services.enrolment_create(offering=world.offering, teacher=world.lan, actor=None)
    submission = services.submission_start(enrolment=enrolment, actor=world.lan)
    with pytest.raises(LearningError, match="asks for"):
        services.evidence_add_link(
            submission=submission,
            requirement=world.requirement("file"),
            url="https://example.org/",
            actor=world.lan,
        )
    with pytest.raises(LearningError, match="web address"):
        services.evidence_add_link(
            submission=submission,
            requirement=world.requirement("link"),
            url="javascript:alert(1)",
            actor=world.lan,
        )


def test_submitting_assigns_an_assessor_without_a_conflict_of_interest(
    world, django_capture_on_commit_callbacks
):
    draft = _complete_draft(world, world.lan)
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.submission_submit(submission=draft, actor=None)

    review = submission.reviews.get()
    assert submission.status == "in_review"
    assert not services.has_conflict_of_interest(review.assessor, submission)
    assert review.assessor.email in ("assessor@ain-shams.example", "assessor@must.example")
    assert mail.outbox[-1].to == [review.assessor.email]


def test_a_submitted_attempt_is_frozen(world):
    submission = services.submission_submit(
        submission=_complete_draft(world, world.lan), actor=None
    )
    with pytest.raises(LearningError, match="can no longer be changed"):
        services.submission_save_draft(submission=submission, reflection="x", actor=world.lan)


def _pass(submission: Submission) -> Review:
    review = submission.reviews.get(status="assigned")
    scores = {
        c.pk: c.levels.filter(passing=True).order_by("score").first().pk
        for c in submission.version.rubric.all()
    }
    return services.review_complete(
        review=review,
        actor=review.assessor,
        scores=scores,
        decision="pass",
        feedback="Convincing evidence from real teaching.",
    )


def test_a_pass_awards_the_credential_once_with_levels_and_evidence(world):
    submission = services.submission_submit(
        submission=_complete_draft(world, world.lan), actor=None
    )
    review = _pass(submission)

    submission.refresh_from_db()
    credential = submission.credential
    assert submission.status == "passed"
    assert submission.enrolment.status == Enrolment.Status.COMPLETED
    assert credential.recipient == world.lan
    achievement = credential.document["credentialSubject"]
    assert {r["achievedLevel"] for r in achievement["result"]} == {
        a.target_level.uri for a in world.version.alignments.all()
    }
    assert len(credential.document["evidence"]) == 1 + submission.evidence.count()

    with pytest.raises(LearningError, match="already been completed"):
        services.review_complete(
            review=review,
            actor=review.assessor,
            scores={},
            decision="pass",
            feedback="Again.",
        )
    assert IssuedCredential.objects.filter(recipient=world.lan).count() == 1


def test_a_resubmission_starts_from_the_previous_evidence_and_attempts_are_limited(world):
    SpecificationVersion.objects.filter(pk=world.version.pk).update(max_attempts=2)
    submission = services.submission_submit(
        submission=_complete_draft(world, world.lan), actor=None
    )
    for attempt in (1, 2):
        review = submission.reviews.get(status="assigned")
        scores = {c.pk: c.levels.order_by("score").first().pk for c in world.version.rubric.all()}
        services.review_complete(
            review=review,
            actor=review.assessor,
            scores=scores,
            decision="resubmit",
            feedback="Not yet.",
            to_fix="Show the students' drafts.",
        )
        submission.refresh_from_db()
        if attempt == 1:
            assert submission.status == "resubmit"
            submission = services.submission_start(enrolment=submission.enrolment, actor=None)
            assert submission.attempt == 2
            assert submission.evidence.count() == 2
            assert submission.reflection == REFLECTION.strip()
            submission = services.submission_submit(submission=submission, actor=None)
    assert submission.status == "failed"
    with pytest.raises(LearningError, match="No attempts are left"):
        services.submission_start(enrolment=submission.enrolment, actor=None)


def test_lms_results_attach_to_the_open_attempt_once_per_source(world):
    enrolment = services.enrolment_create(offering=world.offering, teacher=world.lan, actor=None)
    services.submission_start(enrolment=enrolment, actor=world.lan)
    for score in (70, 95):
        item = services.evidence_record_from_lms(
            teacher=world.lan,
            version=world.version,
            url="https://lms.example.org/mod/quiz/7",
            title="Module quiz",
            source_id="lti:1:quiz-7:user-9",
            details={"score": score, "maximum": 100},
        )
    assert EvidenceItem.objects.filter(source="lms").count() == 1
    assert item.details["score"] == 95
    assert Event.objects.filter(verb="evidence.lms_updated").count() == 1
    services.evidence_record_from_lms(
        teacher=world.lan,
        version=world.version,
        url="https://lms.example.org/mod/quiz/7",
        title="Module quiz",
        source_id="lti:1:quiz-7:user-9",
        details={"score": 95, "maximum": 100},
    )
    assert Event.objects.filter(verb="evidence.lms_updated").count() == 1  # nothing changed


def test_an_lms_result_can_count_for_a_requirement(world):
    enrolment = services.enrolment_create(offering=world.offering, teacher=world.lan, actor=None)
    submission = services.submission_start(enrolment=enrolment, actor=world.lan)
    services.evidence_record_from_lms(
        teacher=world.lan,
        version=world.version,
        url="https://lms.example.org/mod/forum/3",
        title="Group forum",
        source_id="lti:1:forum-3:user-9",
        details={},
        requirement=world.requirement("link"),
    )
    assert world.requirement("link").title not in services.missing_evidence(submission)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://lms.example.org/x", ""])
def test_an_lms_result_needs_a_web_address(world, url):
    enrolment = services.enrolment_create(offering=world.offering, teacher=world.lan, actor=None)
    services.submission_start(enrolment=enrolment, actor=world.lan)
    with pytest.raises(LearningError, match="web address"):
        services.evidence_record_from_lms(
            teacher=world.lan,
            version=world.version,
            url=url,
            title="Quiz",
            source_id="x",
            details={},
        )
    assert not EvidenceItem.objects.exists()


def test_lms_results_without_an_open_attempt_are_refused(world):
    with pytest.raises(LearningError, match="no open submission"):
        services.evidence_record_from_lms(
            teacher=world.lan,
            version=world.version,
            url="https://lms.example.org/",
            title="Quiz",
            source_id="x",
            details={},
        )


def test_every_step_leaves_an_event(world):
    submission = services.submission_submit(
        submission=_complete_draft(world, world.lan), actor=None
    )
    _pass(submission)
    verbs = set(Event.objects.values_list("verb", flat=True))
    assert {
        "enrolment.created",
        "submission.started",
        "evidence.file_added",
        "evidence.link_added",
        "submission.submitted",
        "review.assigned",
        "review.completed",
        "submission.passed",
        "credential.issued",
    } <= verbs


# --- An institution's teachers ----------------------------------------------------------------


def test_an_admin_adds_new_and_existing_people_as_teachers(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    from microcert.learning.roster import NewTeacher
    from microcert.network.models import Affiliation

    people = [
        NewTeacher(email="Minh.Tran@hust.example", legal_name="Trần Văn Minh", language="vi"),
        NewTeacher(email=world.siti.email, legal_name="Ignored", language="en"),
        NewTeacher(email=world.lan.email, legal_name="Phạm Thị Lan", language="vi"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        added = services.teachers_add(
            organisation=world.hust,
            people=people,
            actor=User.objects.get(email="admin@hust.example"),
        )

    minh = User.objects.get(email="minh.tran@hust.example")
    assert (added.created, added.attached, added.already) == ([minh], [world.siti], [world.lan])
    assert not minh.has_usable_password() and minh.preferred_language == "vi"
    assert Affiliation.objects.filter(
        person=world.siti, organisation=world.hust, role="teacher", is_active=True
    ).exists()
    assert world.siti.legal_name != "Ignored"  # an existing person's name is theirs to change
    invitation, notice = sorted(mailoutbox, key=lambda m: m.to[0])
    assert invitation.to == ["minh.tran@hust.example"]
    assert "/vi/accounts/password/reset/key/" in invitation.body
    assert notice.to == [world.siti.email]
    assert Event.objects.filter(verb="teachers.added", details__created=1).count() == 1


def test_one_bad_row_refuses_the_whole_list(world):
    from microcert.learning.roster import NewTeacher

    before = (User.objects.count(), Event.objects.count())
    people = [
        NewTeacher(email="new.one@hust.example", legal_name="New One"),
        NewTeacher(email="new.one@hust.example", legal_name="Twice"),
        NewTeacher(email="nobody", legal_name=""),
    ]
    with pytest.raises(LearningError) as refused:
        services.teachers_add(
            organisation=world.hust,
            people=people,
            actor=User.objects.get(email="admin@hust.example"),
        )

    assert refused.value.messages == [
        "Row 2: “new.one@hust.example” is listed twice.",
        "Row 3: “nobody” is not an e-mail address.",
        "Row 3: the name is missing.",
    ]
    assert (User.objects.count(), Event.objects.count()) == before


def test_teachers_are_added_to_universities_only(world):
    from microcert.learning.roster import NewTeacher
    from microcert.network.models import Organisation

    moet = Organisation.objects.get(slug="moet")
    with pytest.raises(LearningError, match="higher-education"):
        services.teachers_add(
            organisation=moet,
            people=[NewTeacher(email="x@moet.example", legal_name="X")],
            actor=User.objects.get(email="manager@centre.example"),
        )
