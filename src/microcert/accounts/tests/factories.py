"""Factories for people, built through the accounts services."""

import factory

from microcert.accounts import services
from microcert.accounts.models import User


class UserFactory(factory.Factory):
    """A person created by ``user_create``, so they get their e-mail row, history and event."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    legal_name = factory.Sequence(lambda n: f"Person Number {n}")
    password = "a-test-password"
    preferred_language = "en"
    email_verified = True

    @classmethod
    def _build(cls, model_class, **kwargs):
        kwargs.pop("password", None)
        kwargs.pop("email_verified", None)
        return model_class(**kwargs)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.user_create(**kwargs)
