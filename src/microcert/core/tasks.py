"""Background tasks of the core: sending mail (see ``core.mail``)."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.core.mail import send_mail

from .mail import SENT_KEY_SECONDS, sent_cache_key

logger = logging.getLogger(__name__)


@shared_task(name="microcert.core.send_mail", acks_late=True)
def send_mail_task(
    *, subject: str, body: str, to: list[str], from_email: str, template: str = "", key: str
) -> bool:
    """Send one message unless its key says it was sent; True when sent now."""
    if cache.get(sent_cache_key(key)):
        return False
    try:
        send_mail(subject, body, from_email, to, fail_silently=False)
    except OSError:
        # The change the mail announces stands; a mail server that is down must not undo it
        # (nor make the worker retry for ever).
        logger.exception("could not send the %s mail", template or "a")
        return False
    cache.set(sent_cache_key(key), True, SENT_KEY_SECONDS)
    return True
