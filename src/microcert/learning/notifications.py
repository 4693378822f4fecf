"""E-mail to people about their journey, written in each recipient's own language.

Called after the transaction commits, so a mail never announces a change that rolled back;
the message is then sent by a background task (``core.mail``).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from microcert.accounts.invitations import password_set_url
from microcert.core.mail import send_mail_later


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
    send_mail_later(subject, body, [person.email], template=template)


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


def teacher_invited(person, organisation) -> None:
    """A new account: where to choose a password, and what the platform is for."""
    _send(
        person,
        "teacher_invited",
        {"organisation": organisation, "password_url": password_set_url(person)},
    )


def teacher_added(person, organisation) -> None:
    """Someone who already had an account now teaches at one more institution."""
    _send(person, "teacher_added", {"organisation": organisation})
