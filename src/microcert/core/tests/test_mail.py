"""Mail through a task: queued on commit, sent once even when the task is delivered twice."""

import pytest
from django.core import mail
from django.db import transaction

from microcert.core.mail import send_mail_later
from microcert.core.tasks import send_mail_task

pytestmark = pytest.mark.django_db


def test_a_mail_leaves_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        send_mail_later("  A   subject\n", "Body", ["a@example.org"], template="t")
        assert mail.outbox == []
    assert len(callbacks) == 1
    (sent,) = mail.outbox
    assert (sent.subject, sent.body, sent.to) == ("A subject", "Body", ["a@example.org"])


def test_nothing_leaves_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_mail_later("Subject", "Body", ["a@example.org"])
        raise RuntimeError("rolled back")
    assert mail.outbox == []


def test_the_same_message_delivered_twice_is_sent_once():
    message = {
        "subject": "S",
        "body": "B",
        "to": ["a@example.org"],
        "from_email": "x@example.org",
        "key": "twice-" + "0" * 8,
    }
    assert send_mail_task.apply(kwargs=message).get() is True
    assert send_mail_task.apply(kwargs=message).get() is False
    assert len(mail.outbox) == 1


def test_a_mail_server_that_is_down_is_logged_not_raised(monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no server")

    monkeypatch.setattr("microcert.core.tasks.send_mail", refuse)
    message = {"subject": "S", "body": "B", "to": ["a@example.org"], "from_email": "x@e.org"}
    assert send_mail_task.apply(kwargs={**message, "key": "down", "template": "t"}).get() is False
    assert "could not send the t mail" in caplog.text
    # Not marked as sent: a later delivery may still send it.
    monkeypatch.undo()
    assert send_mail_task.apply(kwargs={**message, "key": "down"}).get() is True
