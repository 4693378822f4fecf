"""Acceptance: an assessor's pass sent twice at the same moment awards one credential
(PostgreSQL, real processes racing on the same review)."""

import multiprocessing
import traceback

import pytest
from django.db import connection, connections

from microcert.credentials.models import IssuedCredential
from microcert.learning import services
from microcert.learning.models import Review, Submission

from .test_services import _complete_draft
from .test_services import world as world  # the fixture

RACERS = 4

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks across processes need PostgreSQL"
    ),
]


def _press_pass(review_pk: int, scores: dict, start, outcomes) -> None:
    try:
        review = Review.objects.select_related("assessor").get(pk=review_pk)
        start.wait(timeout=60)
        services.review_complete(
            review=review,
            actor=review.assessor,
            scores=scores,
            decision="pass",
            feedback="Meets every criterion.",
        )
        outcomes.put("passed")
    except services.LearningError as refused:
        outcomes.put(f"refused: {refused.messages[0]}")
    except Exception:
        outcomes.put(f"crashed: {traceback.format_exc()}")
    finally:
        connections.close_all()


def test_a_pass_submitted_by_several_processes_at_once_awards_exactly_once(world):
    submission = services.submission_submit(
        submission=_complete_draft(world, world.lan), actor=None
    )
    review = submission.reviews.get()
    scores = {
        c.pk: c.levels.filter(passing=True).order_by("score").first().pk
        for c in submission.version.rubric.all()
    }
    context = multiprocessing.get_context("fork")
    start, outcomes = context.Event(), context.Queue()
    connections.close_all()
    racers = [
        context.Process(target=_press_pass, args=(review.pk, scores, start, outcomes))
        for _ in range(RACERS)
    ]
    for process in racers:
        process.start()
    start.set()
    for process in racers:
        process.join(timeout=120)

    results = sorted(outcomes.get(timeout=10) for _ in range(RACERS))
    assert results.count("passed") == 1, results
    assert all(
        r.startswith("refused: This review has already been completed") for r in results[1:]
    ), results
    assert IssuedCredential.objects.filter(recipient=world.lan).count() == 1
    assert Submission.objects.get(pk=submission.pk).credential is not None
