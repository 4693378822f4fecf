"""allauth's account mails leave through the platform's mail task."""

import socket

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from microcert.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends


def test_a_password_reset_mail_leaves_when_the_request_has_committed(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="ana@example.org", email_verified=True)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = client.post(reverse("account_reset_password"), {"email": "ana@example.org"})
        assert answer.status_code == 302
    assert mail.outbox == [] and len(queued) == 1  # queued, not sent in the request
    queued[0]()
    (sent,) = mail.outbox
    assert sent.to == ["ana@example.org"]
    assert "/password/reset/key/" in sent.body


def test_a_mail_server_that_does_not_answer_does_not_break_the_page(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="ana@example.org", email_verified=True)
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": _closed_port(),
        "EMAIL_TIMEOUT": 2,
    }
    with override_settings(**smtp), django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("account_reset_password"), {"email": "ana@example.org"})
    assert answer.status_code == 302
    assert answer["Location"] == reverse("account_reset_password_done")
