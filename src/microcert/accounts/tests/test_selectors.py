import pytest

from microcert.accounts import selectors, services

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_person_by_any_email_finds_a_person_by_a_verified_address_whatever_its_case():
    user = UserFactory(email="ana@example.org", email_verified=True)

    assert selectors.person_by_any_email("  ANA@example.org ") == user


def test_person_by_any_email_finds_a_person_by_a_verified_secondary_address():
    user = UserFactory(email="ana@example.org")
    address = services.user_add_email(user=user, email="ana.old@example.org", actor=user)
    address.verified = True
    address.save()

    assert selectors.person_by_any_email("ana.old@example.org") == user


def test_person_by_any_email_ignores_an_unverified_secondary_address():
    user = UserFactory(email="ana@example.org")
    services.user_add_email(user=user, email="ana.old@example.org", actor=user)

    assert selectors.person_by_any_email("ana.old@example.org") is None


def test_person_by_any_email_ignores_an_unverified_primary_address():
    UserFactory(email="ana@example.org", email_verified=False)

    assert selectors.person_by_any_email("ana@example.org") is None


def test_person_by_any_email_returns_none_for_an_unknown_address():
    UserFactory(email="ana@example.org")

    assert selectors.person_by_any_email("nobody@example.org") is None


def test_verified_emails_lists_only_the_verified_addresses():
    user = UserFactory(email="ana@example.org", email_verified=True)
    services.user_add_email(user=user, email="ana.unproven@example.org", actor=user)

    assert selectors.verified_emails(user) == ["ana@example.org"]
