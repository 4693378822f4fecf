"""Mail leaves through a background task, queued when the transaction commits.

The caller renders the message (in the recipient's language, while it has the objects at
hand); the task only sends the finished text. Each message carries a key made when it is
queued, so a task delivered twice (a worker lost after sending, before acknowledging) sends
it once: a sent key is remembered in the cache for a week. With no broker the task runs in
the process right after the commit, as ``send_mail`` did.
"""

import uuid
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

SENT_KEY_SECONDS = 7 * 24 * 3600


def sent_cache_key(key: str) -> str:
    return f"mail-sent:{key}"


def send_mail_later(
    subject: str,
    body: str,
    to: Sequence[str],
    *,
    from_email: str = "",
    template: str = "",
    key: str = "",
) -> str:
    """Queue one plain-text message once the current transaction commits (at once outside
    one). ``template`` names the message in the log if it cannot be sent. Returns its key."""
    from .tasks import send_mail_task  # the task module imports this one

    key = key or uuid.uuid4().hex
    message = {
        "subject": " ".join(subject.split()),
        "body": body,
        "to": list(to),
        "from_email": from_email or settings.DEFAULT_FROM_EMAIL,
        "template": template,
        "key": key,
    }
    transaction.on_commit(lambda: send_mail_task.delay(**message))
    return key
