"""Links that let a person who was given an account choose their own password.

A person added by someone else (an institution's admin, the network office) has no usable
password; the link is allauth's password-reset link, so it expires like one
(``PASSWORD_RESET_TIMEOUT``) and stops working once used, and "forgot your password" gives a
fresh one later.
"""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .models import User


def password_set_url(user: User) -> str:
    """An absolute link, in the person's own language, to choose a password."""
    with translation.override(user.preferred_language or "en"):
        path = reverse(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
        )
    return f"{settings.PUBLIC_BASE_URL}{path}"
