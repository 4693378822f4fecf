"""Whole launches against the test platform: login initiation → the platform's authentication
endpoint → launch → the platform's token and results endpoints → evidence."""

from __future__ import annotations

import pytest

from microcert.core.models import Event
from microcert.learning.models import EvidenceItem
from microcert.lms.models import LaunchOutcome, LmsResult, LtiIdentity, LtiLaunch, LtiResourceLink

from .conftest import launch
from .platform import RESULT_READONLY, SCORE

pytestmark = pytest.mark.django_db


def _lms_evidence():
    return EvidenceItem.objects.filter(source=EvidenceItem.Source.LMS)


def test_a_completed_activity_becomes_evidence_of_the_open_submission(client, platform, world):
    lineitem = platform.lineitem("quiz-3")
    platform.set_result(
        lineitem,
        "moodle-user-42",
        resultScore=20,
        resultMaximum=20,
        timestamp="2027-01-20T09:30:00+07:00",
    )

    response = launch(client, platform, lineitem=lineitem)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your result is recorded as evidence" in page
    assert world.version.title in page
    item = _lms_evidence().get()
    assert item.submission == world.submission
    assert item.url == lineitem
    assert item.title == "Week 3 quiz: collaborative design · Teaching online (HUST) (HUST Moodle)"
    registration = world.registration
    assert item.details["source_id"] == f"lti:{registration.pk}:{lineitem}:moodle-user-42"
    assert item.details["score"] == 20
    assert item.details["maximum"] == 20
    assert item.details["platform"] == "HUST Moodle"
    assert item.details["timestamp"] == "2027-01-20T09:30:00+07:00"
    # The platform issued a token for the tool's signed assertion, then served the results.
    assert platform.seen.token_errors == []
    [token_request] = platform.seen.token_requests
    assert token_request["scope"] == RESULT_READONLY
    [results] = platform.seen.result_requests
    assert results["query"] == {"type_id": "3", "user_id": "moodle-user-42"}
    # What was received, the mapping and the identity are kept.
    result = LmsResult.objects.get()
    assert (result.outcome, result.evidence, result.person) == ("recorded", item, world.lan)
    assert LtiIdentity.objects.get().person == world.lan
    link = LtiResourceLink.objects.get()
    assert (link.micro_credential.slug, link.completion_threshold) == (
        "organise-and-facilitate-online-collaborative-learning",
        100,
    )
    assert LtiLaunch.objects.get().outcome == LaunchOutcome.RECORDED
    assert Event.objects.filter(verb="evidence.lms_recorded").count() == 1
    # The page may be framed by the platform only.
    assert platform.url in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response


def test_a_better_score_later_updates_the_same_evidence_item(client, platform, world):
    lineitem = platform.lineitem("quiz-3")
    platform.set_result(lineitem, "moodle-user-42", resultScore=17, resultMaximum=20)
    first = launch(client, platform, lineitem=lineitem)
    assert "Not completed yet" in first.content.decode()
    assert not _lms_evidence().exists()

    LtiResourceLink.objects.update(completion_threshold=80)
    launch(client, platform, lineitem=lineitem)
    item = _lms_evidence().get()
    assert item.details["score"] == 17

    platform.set_result(lineitem, "moodle-user-42", resultScore=19.5, resultMaximum=20)
    response = launch(client, platform, lineitem=lineitem)
    assert response.status_code == 200
    updated = _lms_evidence().get()
    assert updated.pk == item.pk
    assert updated.details["score"] == 19.5
    assert updated.details["percent"] == 97.5
    assert Event.objects.filter(verb="evidence.lms_updated").count() == 1

    # The same result once more changes nothing and writes no event.
    again = launch(client, platform, lineitem=lineitem)
    assert "already recorded" in again.content.decode()
    assert Event.objects.filter(verb__startswith="evidence.lms").count() == 2
    assert list(LmsResult.objects.order_by("id").values_list("outcome", flat=True)) == [
        "below_threshold",
        "recorded",
        "recorded",
        "unchanged",
    ]


def test_a_result_below_the_threshold_records_nothing_and_says_why(client, platform, world):
    lineitem = platform.lineitem("quiz-3")
    platform.set_result(lineitem, "moodle-user-42", resultScore=12, resultMaximum=20)

    response = launch(client, platform, lineitem=lineitem)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Not completed yet" in page
    assert "12 of 20" in page
    assert "100% of the maximum" in page
    assert not _lms_evidence().exists()
    result = LmsResult.objects.get()
    assert (result.outcome, result.score, result.maximum) == ("below_threshold", 12, 20)


def test_completed_and_fully_graded_counts_where_no_score_is_given(client, platform, world):
    lineitem = platform.lineitem("discussion")
    platform.set_result(
        lineitem, "moodle-user-42", activityProgress="Completed", gradingProgress="FullyGraded"
    )
    response = launch(client, platform, lineitem=lineitem)
    assert "recorded as evidence" in response.content.decode()
    item = _lms_evidence().get()
    assert item.details["score"] is None
    assert item.details["maximum"] == 1
    assert item.details["activity_progress"] == "Completed"


def test_no_result_yet(client, platform, world):
    response = launch(client, platform, lineitem=platform.lineitem("quiz-9"))
    assert "No result yet" in response.content.decode()
    assert not _lms_evidence().exists()
    assert LtiLaunch.objects.get().outcome == LaunchOutcome.NO_RESULT


def test_without_an_open_submission_nothing_is_recorded(client, platform, world):
    from microcert.learning import services as learning_services

    learning_services.enrolment_withdraw(enrolment=world.submission.enrolment, actor=world.lan)
    lineitem = platform.lineitem("quiz-3")
    platform.set_result(lineitem, "moodle-user-42", resultScore=20, resultMaximum=20)

    response = launch(client, platform, lineitem=lineitem)

    page = response.content.decode()
    assert response.status_code == 200
    assert "No open submission" in page
    assert world.version.title in page
    assert not _lms_evidence().exists()
    assert LmsResult.objects.get().outcome == LaunchOutcome.NO_SUBMISSION


def test_an_unknown_person_is_told_how_to_link_their_account(client, platform, world):
    lineitem = platform.lineitem("quiz-3")
    platform.set_result(lineitem, "stranger-1", resultScore=20, resultMaximum=20)

    response = launch(
        client, platform, sub="stranger-1", email="someone@else.example", lineitem=lineitem
    )

    assert response.status_code == 200
    assert "We could not tell who you are" in response.content.decode()
    assert not LtiIdentity.objects.exists()
    assert not _lms_evidence().exists()
    # The platform was not asked for anyone's grades.
    assert platform.seen.result_requests == []


def test_a_known_identity_needs_no_email_on_later_launches(client, platform, world):
    lineitem = platform.lineitem("quiz-3")
    platform.set_result(lineitem, "moodle-user-42", resultScore=5, resultMaximum=20)
    launch(client, platform, lineitem=lineitem)
    platform.set_result(lineitem, "moodle-user-42", resultScore=20, resultMaximum=20)

    response = launch(client, platform, email=None, lineitem=lineitem)

    assert "recorded as evidence" in response.content.decode()
    assert _lms_evidence().get().submission == world.submission


def test_an_unverified_address_does_not_identify_anyone(client, platform, world):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(email="lan.pham@hust.example").update(verified=False)
    response = launch(client, platform, lineitem=platform.lineitem("quiz-3"))
    assert "We could not tell who you are" in response.content.decode()


def test_a_link_without_mapping_is_explained(client, platform, world):
    response = launch(client, platform, spec=None, lineitem=platform.lineitem("quiz-3"))
    assert "not linked to a micro-credential" in response.content.decode()
    assert not LtiResourceLink.objects.exists()


def test_a_staff_mapping_wins_over_the_custom_parameter(client, platform, world):
    from microcert.catalog.models import MicroCredential

    other = MicroCredential.objects.get(slug="assess-learning-from-process-performance")
    LtiResourceLink.objects.create(
        platform=world.registration,
        resource_link_id="resource-link-77",
        micro_credential=other,
    )
    lineitem = platform.lineitem("quiz-3")
    platform.set_result(lineitem, "moodle-user-42", resultScore=20, resultMaximum=20)
    response = launch(client, platform, lineitem=lineitem)
    # Lan has no open submission for the other micro-credential.
    assert "No open submission" in response.content.decode()
    assert not _lms_evidence().exists()


def test_a_launch_without_the_grades_service_says_so(client, platform, world):
    response = launch(client, platform)
    assert "No access to the grades" in response.content.decode()
    response = launch(client, platform, lineitem=platform.lineitem("quiz-3"), scopes=(SCORE,))
    assert "No access to the grades" in response.content.decode()
    assert platform.seen.token_requests == []


def test_a_platform_that_refuses_the_tool_is_reported_not_crashed(client, platform, world):
    # The platform no longer knows the tool's keys (say, it was registered with another JWKS).
    platform.tool_jwks = {"keys": []}
    lineitem = platform.lineitem("quiz-3")
    platform.set_result(lineitem, "moodle-user-42", resultScore=20, resultMaximum=20)

    response = launch(client, platform, lineitem=lineitem)

    assert response.status_code == 200
    assert "The grades could not be read" in response.content.decode()
    assert platform.seen.token_errors == ["unknown kid"]
    assert not _lms_evidence().exists()


def test_the_page_speaks_the_persons_language(client, platform, world):
    world.lan.preferred_language = "vi"
    world.lan.save(update_fields=["preferred_language"])
    response = launch(client, platform, lineitem=platform.lineitem("quiz-3"))
    assert '<html lang="vi">' in response.content.decode()


def test_a_rotated_tool_key_keeps_working(client, platform, world):
    from microcert.lms import services

    services.tool_key_rotate(actor=None)
    platform.tool_jwks = client.get("/lti/jwks.json").json()
    assert len(platform.tool_jwks["keys"]) == 2
    lineitem = platform.lineitem("quiz-3")
    platform.set_result(lineitem, "moodle-user-42", resultScore=20, resultMaximum=20)
    response = launch(client, platform, lineitem=lineitem)
    assert "recorded as evidence" in response.content.decode()
    assert platform.seen.token_errors == []


def test_results_of_another_user_in_the_answer_are_ignored(client, platform, world):
    """A platform that ignores the user_id filter must not give Lan someone else's score."""
    lineitem = platform.lineitem("quiz-3")
    platform.set_result(lineitem, "someone-else", resultScore=20, resultMaximum=20)
    original = platform.results_for

    def unfiltered(path, query, authorization):
        return original(path, {k: v for k, v in query.items() if k != "user_id"}, authorization)

    platform.results_for = unfiltered  # type: ignore[method-assign]
    try:
        response = launch(client, platform, lineitem=lineitem)
    finally:
        del platform.results_for
    assert "No result yet" in response.content.decode()
