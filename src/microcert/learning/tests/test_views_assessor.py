"""The assessor's pages as people use them: the queue, the review form, evidence files, and
the programme manager's page of submissions waiting for an assessor."""

import pytest
from django.core import mail
from django.urls import reverse

from microcert.accounts.roles import Role
from microcert.credentials.models import IssuedCredential
from microcert.learning import services
from microcert.learning.models import AssessmentPolicy, Enrolment, Review, Submission
from microcert.network.models import Affiliation

from . import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> b.World:
    return b.load_world()


@pytest.fixture
def submission(world) -> Submission:
    return b.submission_in_review(world.lan)


@pytest.fixture
def review(submission) -> Review:
    return b.open_review(submission)


def _other_assessor(world, review: Review):
    return world.bat if review.assessor == world.mona else world.mona


def _as(client, person):
    client.force_login(person)
    return client


def _review_url(review: Review) -> str:
    return reverse("learning:review", args=[review.uuid])


def _evidence_url(review: Review, item) -> str:
    return reverse("learning:review_evidence", args=[review.uuid, item.uuid])


def _form(review: Review, decision: str, *, passing: bool | None = None, **fields) -> dict:
    """What the review form posts: a level per criterion, the decision and the texts."""
    passing = decision == "pass" if passing is None else passing
    data = {
        f"score-{criterion}": level
        for criterion, level in b.rubric_scores(review.submission, passing=passing).items()
    }
    data.update(decision=decision, feedback="Clear evidence of facilitation.", to_fix="")
    data.update(fields)
    return data


# --- who may see what ---------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, review, submission):
    item = submission.evidence.exclude(file="").first()
    for url in (
        reverse("learning:queue"),
        _review_url(review),
        _evidence_url(review, item),
        reverse("learning:unassigned"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_a_teacher_has_no_queue_and_cannot_review(client, world, review):
    _as(client, world.lan)

    assert client.get(reverse("learning:queue")).status_code == 403
    assert client.get(_review_url(review)).status_code == 403
    assert client.post(_review_url(review), _form(review, "pass")).status_code == 403


def test_another_assessor_sees_neither_the_review_nor_the_evidence(client, world, review):
    _as(client, _other_assessor(world, review))
    item = review.submission.evidence.exclude(file="").first()

    assert client.get(_review_url(review)).status_code == 403
    assert client.post(_review_url(review), _form(review, "pass")).status_code == 403
    assert client.get(_evidence_url(review, item)).status_code == 403
    assert not IssuedCredential.objects.exists()


def test_the_queue_lists_the_assessors_own_reviews(client, world, review):
    other = b.submission_in_review(world.hung)
    other_review = b.open_review(other)
    if other_review.assessor == review.assessor:  # keep one review per assessor
        services.review_assign(
            submission=other,
            assessor=_other_assessor(world, review),
            actor=world.manager,
        )
    _as(client, review.assessor)

    response = client.get(reverse("learning:queue"))

    assert response.status_code == 200
    page = response.content.decode()
    assert _review_url(review) in page
    assert world.lan.legal_name in page  # reviews are not anonymous to assessors
    assert review.submission.version.title in page
    assert world.hung.legal_name not in page
    assert "review.css" in page


def test_the_review_page_shows_the_evidence_and_the_rubric(client, world, review):
    _as(client, review.assessor)
    submission = review.submission

    response = client.get(_review_url(review))

    assert response.status_code == 200
    page = response.content.decode()
    assert submission.reflection[:60] in page
    link = submission.evidence.exclude(url="").get()
    assert f'href="{link.url}" rel="noopener noreferrer nofollow"' in page
    for item in submission.evidence.exclude(file=""):
        assert _evidence_url(review, item) in page
    for criterion in submission.version.rubric.prefetch_related("levels"):
        assert page.count(f'name="score-{criterion.pk}"') == criterion.levels.count()
        assert f'name="comment-{criterion.pk}"' in page
    assert "meets the standard" in page
    for decision in ("pass", "resubmit", "fail"):
        assert f'value="{decision}"' in page


def test_an_evidence_file_is_served_as_a_download(client, review):
    _as(client, review.assessor)
    item = review.submission.evidence.exclude(file="").first()

    response = client.get(_evidence_url(review, item))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "plan.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_evidence_of_another_submission_is_not_found_through_this_review(client, world, review):
    other = b.submission_in_review(world.hung)
    item = other.evidence.exclude(file="").first()
    _as(client, review.assessor)

    assert client.get(_evidence_url(review, item)).status_code == 404


def test_a_link_is_not_a_file_to_download(client, review):
    _as(client, review.assessor)
    link = review.submission.evidence.exclude(url="").get()

    assert client.get(_evidence_url(review, link)).status_code == 404


# --- the review form ----------------------------------------------------------------------


def test_a_resubmission_needs_what_to_fix_and_keeps_what_was_typed(client, review):
    _as(client, review.assessor)
    data = _form(review, "resubmit", feedback="KEEP-THIS-FEEDBACK")

    response = client.post(_review_url(review), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "fix before resubmitting" in page
    assert "KEEP-THIS-FEEDBACK" in page
    some_criterion, some_level = next(
        iter(b.rubric_scores(review.submission, passing=False).items())
    )
    assert f'name="score-{some_criterion}" value="{some_level}" checked' in page
    review.refresh_from_db()
    assert review.status == Review.Status.ASSIGNED


def test_an_unscored_criterion_is_marked(client, review):
    _as(client, review.assessor)
    data = _form(review, "pass")
    criterion = review.submission.version.rubric.first()
    del data[f"score-{criterion.pk}"]

    response = client.post(_review_url(review), data)

    assert response.status_code == 400
    assert "Choose a level for this criterion." in response.content.decode()


def test_a_pass_below_the_standard_is_refused_with_the_reason(client, review):
    _as(client, review.assessor)
    data = _form(review, "pass", passing=False, feedback="Not quite.")

    response = client.post(_review_url(review), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "A pass needs every criterion to meet the standard" in page
    assert "Not quite." in page
    assert not IssuedCredential.objects.exists()


def test_the_full_review_flow(client, world, review, django_capture_on_commit_callbacks):
    """Resubmit with what to fix, the teacher's second attempt, then a pass and the award."""
    _as(client, review.assessor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _review_url(review),
            _form(review, "resubmit", to_fix="Add the peer-feedback round to the brief."),
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:queue")
    first = Submission.objects.get(pk=review.submission_id)
    assert first.status == Submission.Status.RESUBMIT
    resubmit_mail = [m for m in mail.outbox if m.to == [world.lan.email]]
    # In Lan's language: "nộp lại" is Vietnamese for "resubmit".
    assert len(resubmit_mail) == 1 and "nộp lại" in resubmit_mail[0].subject

    # The teacher (preferring Vietnamese) starts attempt 2 and sends it.
    assert world.lan.preferred_language == "vi"
    second = b.submit(first.enrolment)
    assert second.attempt == 2
    again = b.open_review(second)
    _as(client, again.assessor)

    page = client.get(_review_url(again)).content.decode()
    assert "Add the peer-feedback round to the brief." in page  # the earlier attempt's ask

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_review_url(again), _form(again, "pass"))
    assert response.status_code == 302

    second.refresh_from_db()
    assert second.status == Submission.Status.PASSED
    assert second.credential is not None
    assert IssuedCredential.objects.count() == 1
    assert Enrolment.objects.get(pk=second.enrolment_id).status == Enrolment.Status.COMPLETED
    (message,) = [m for m in mail.outbox if m.to == [world.lan.email]]
    # The subject names the micro-credential in the teacher's language (its title is
    # translated in the catalogue; the mail's own words wait for the message catalogues).
    assert second.version.title_vi in message.subject
    queue = client.get(reverse("learning:queue")).content.decode()
    assert "passed and the credential was issued" in queue


def test_a_pass_posted_twice_issues_once(client, review):
    _as(client, review.assessor)
    data = _form(review, "pass")

    first = client.post(_review_url(review), data)
    second = client.post(_review_url(review), data, follow=True)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "This review has already been completed." in second.content.decode()
    assert IssuedCredential.objects.count() == 1
    assert Submission.objects.get(pk=review.submission_id).credential is not None


def test_a_race_between_two_posts_is_answered_with_a_message(client, review, monkeypatch):
    """The second request read the review as open, but the service finds it completed."""
    _as(client, review.assessor)
    data = _form(review, "pass")
    real = services.review_complete

    def first_wins(**kwargs):
        real(**kwargs)
        return real(**kwargs)  # the same pass again, as a concurrent request would

    monkeypatch.setattr(services, "review_complete", first_wins)
    response = client.post(_review_url(review), data, follow=True)

    assert response.status_code == 200
    assert "This review has already been completed." in response.content.decode()
    assert IssuedCredential.objects.count() == 1


def test_a_completed_review_is_read_only(client, review):
    b.complete(review, "pass", feedback="READ-ONLY-FEEDBACK", comments={})
    _as(client, review.assessor)

    page = client.get(_review_url(review)).content.decode()

    assert "READ-ONLY-FEEDBACK" in page
    assert 'type="radio"' not in page
    assert "<textarea" not in page


def test_a_review_given_to_someone_else_closes_its_evidence(client, world, review):
    services.review_assign(
        submission=review.submission,
        assessor=_other_assessor(world, review),
        actor=world.manager,
    )
    item = review.submission.evidence.exclude(file="").first()
    _as(client, review.assessor)

    page = client.get(_review_url(review)).content.decode()

    assert "given to another assessor" in page
    assert _evidence_url(review, item) not in page
    assert client.get(_evidence_url(review, item)).status_code == 403
    response = client.post(_review_url(review), _form(review, "pass"), follow=True)
    assert "This review was given to another assessor." in response.content.decode()
    assert not IssuedCredential.objects.exists()


# --- blind second review and moderation ---------------------------------------------------


def test_blind_second_review_then_moderation(client, world):
    AssessmentPolicy.objects.update_or_create(
        version=world.version(), defaults={"second_review": True}
    )
    moderator = b.make_assessor("moderator@centre.example", "centre", name="Claire Martin")
    submission = b.submission_in_review(world.lan)
    first = b.open_review(submission)
    b.complete(first, "pass", feedback="FIRST-ASSESSOR-FEEDBACK")

    second = b.open_review(submission, Review.Role.SECOND)
    _as(client, second.assessor)
    queue = client.get(reverse("learning:queue")).content.decode()
    assert "Second blind review" in queue
    page = client.get(_review_url(second)).content.decode()
    assert "FIRST-ASSESSOR-FEEDBACK" not in page
    assert "blind second review" in page

    response = client.post(
        _review_url(second),
        _form(second, "resubmit", feedback="SECOND-ASSESSOR-FEEDBACK", to_fix="More samples."),
    )
    assert response.status_code == 302
    moderation = b.open_review(submission, Review.Role.MODERATION)
    assert moderation.assessor == moderator

    # The first assessor still sees only their own review.
    _as(client, first.assessor)
    page = client.get(_review_url(first)).content.decode()
    assert "SECOND-ASSESSOR-FEEDBACK" not in page

    _as(client, moderator)
    page = client.get(_review_url(moderation)).content.decode()
    assert "FIRST-ASSESSOR-FEEDBACK" in page and "SECOND-ASSESSOR-FEEDBACK" in page
    assert 'class="side-by-side"' in page

    response = client.post(_review_url(moderation), _form(moderation, "pass"))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.PASSED
    assert IssuedCredential.objects.count() == 1


# --- assigning by hand --------------------------------------------------------------------


@pytest.fixture
def waiting(world) -> Submission:
    """A submission nobody could take: the only assessor works at the teacher's institution."""
    colleague = b.make_assessor("quality@hust.example", world.hust, name="Đỗ Quang Huy")
    Affiliation.objects.filter(role=Role.ASSESSOR).exclude(person=colleague).update(is_active=False)
    submission = b.submission_in_review(world.lan)
    assert submission.status == Submission.Status.SUBMITTED
    return submission


def test_only_programme_managers_assign(client, world, waiting):
    for person in (world.lan, world.hust_admin, world.mona):
        _as(client, person)
        assert client.get(reverse("learning:unassigned")).status_code == 403


def test_a_programme_manager_assigns_an_eligible_assessor(client, world, waiting):
    colleague = Affiliation.objects.get(role=Role.ASSESSOR, is_active=True).person
    outsider = b.make_assessor("outsider@ut.example", world.ut, name="Dewi Lestari")
    _as(client, world.manager)

    page = client.get(reverse("learning:unassigned")).content.decode()
    assert world.lan.legal_name in page
    assert f'value="{outsider.uuid}"' in page
    assert f'value="{colleague.uuid}"' not in page  # conflict of interest: not offered

    response = client.post(
        reverse("learning:unassigned"),
        {"submission": waiting.uuid, "assessor": colleague.uuid},
    )
    assert response.status_code == 400
    assert not waiting.reviews.exists()

    response = client.post(
        reverse("learning:unassigned"),
        {"submission": waiting.uuid, "assessor": outsider.uuid},
        follow=True,
    )
    assert response.status_code == 200
    assert "now reviews the submission" in response.content.decode()
    assert b.open_review(waiting).assessor == outsider
    assert Submission.objects.get(pk=waiting.pk).status == Submission.Status.IN_REVIEW


def test_assigning_a_submission_that_is_no_longer_waiting(client, world, review):
    _as(client, world.manager)

    response = client.post(
        reverse("learning:unassigned"),
        {"submission": review.submission.uuid, "assessor": world.bat.uuid},
        follow=True,
    )

    assert "no longer waiting" in response.content.decode()
    assert b.open_review(review.submission) == review  # not silently replaced


def test_the_dashboard_links_each_role_to_its_pages(client, world):
    _as(client, world.mona)
    assert reverse("learning:queue") in client.get(reverse("web:dashboard")).content.decode()
    _as(client, world.manager)
    assert reverse("learning:unassigned") in client.get(reverse("web:dashboard")).content.decode()
