"""Confirming, with the password, that the person at the keyboard is the account's owner
before an erasure. A session or a token alone is not enough for something that cannot be
undone; wrong passwords are counted so the form cannot be used to guess one."""

from django.core.cache import cache

MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60


class TooManyAttempts(Exception):
    """Too many wrong passwords lately; try again later."""


def _key(person) -> str:
    return f"privacy:password-failures:{person.pk}"


def password_confirms(person, password: str) -> bool:
    """True when ``password`` is the person's; raises ``TooManyAttempts`` after
    ``MAX_FAILURES`` wrong ones within ``FAILURE_WINDOW_SECONDS``."""
    key = _key(person)
    if cache.get(key, 0) >= MAX_FAILURES:
        raise TooManyAttempts
    if password and person.has_usable_password() and person.check_password(password):
        cache.delete(key)
        return True
    if not cache.add(key, 1, FAILURE_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, FAILURE_WINDOW_SECONDS)
    return False
