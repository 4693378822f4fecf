"""E-mail to people about their journey, written in each recipient's own language.

Called after the transaction commits, so a mail never announces a change that rolled back.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

logger = logging.getLogger(__name__)


def _send(person, template: str, context: dict) -> None:
    language = getattr(person, "preferred_language", "") or "en"
    with translation.override(language):
        context = {
            **context,
            "person": person,
            "base_url": settings.PUBLIC_BASE_URL,
            "dashboard_url": settings.PUBLIC_BASE_URL + reverse("learning:dashboard"),
        }
        subject = render_to_string(f"learning/email/{template}_subject.txt", context)
        body = render_to_string(f"learning/email/{template}_body.txt", context)
    try:
        send_mail(
            " ".join(subject.split()),
            body,
            settings.DEFAULT_FROM_EMAIL,
            [person.email],
            fail_silently=False,
        )
    except OSError:
        # The change itself stands; a mail server that is down must not undo a decision.
        logger.exception("could not send the %s mail", template)


def submission_decided(submission) -> None:
    review = submission.reviews.filter(status="completed").order_by("completed_at").last()
    _send(
        submission.teacher,
        "submission_decided",
        {"submission": submission, "review": review, "credential": submission.credential},
    )


def review_assigned(review) -> None:
    _send(review.assessor, "review_assigned", {"review": review})


def enrolment_promoted(enrolment) -> None:
    _send(enrolment.teacher, "enrolment_promoted", {"enrolment": enrolment})


def plan_decided(plan) -> None:
    _send(plan.teacher, "plan_decided", {"plan": plan})
