import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError

from microcert.accounts import services
from microcert.accounts.models import LegalNameChange, User
from microcert.core.models import Event

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def events(verb: str, user: User) -> list[Event]:
    return list(
        Event.objects.filter(verb=verb, object_type="accounts.user", object_id=str(user.pk))
    )


# user_create


def test_user_create_makes_a_primary_email_address_with_the_login_email():
    user = services.user_create(email="Ana.Silva@Example.org", legal_name="Ana Silva")

    assert user.email == "ana.silva@example.org"
    address = EmailAddress.objects.get(user=user)
    assert address.email == "ana.silva@example.org"
    assert address.primary is True
    assert address.verified is False


def test_user_create_marks_the_primary_address_verified_when_asked():
    user = services.user_create(email="ana@example.org", legal_name="Ana", email_verified=True)

    assert EmailAddress.objects.get(user=user).verified is True


def test_user_create_records_the_first_legal_name_in_the_history():
    actor = UserFactory()
    user = services.user_create(email="ana@example.org", legal_name="  Ana Silva ", actor=actor)

    assert user.legal_name == "Ana Silva"
    change = LegalNameChange.objects.get(person=user)
    assert (change.old_name, change.new_name, change.changed_by) == ("", "Ana Silva", actor)


def test_user_create_records_a_person_created_event():
    actor = UserFactory()
    user = services.user_create(email="ana@example.org", legal_name="Ana Silva", actor=actor)

    [event] = events("person.created", user)
    assert event.actor == actor
    assert event.details == {"email": "ana@example.org"}


def test_user_create_refuses_an_email_already_used_whatever_its_case():
    UserFactory(email="ana@example.org")
    before = Event.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        services.user_create(email="ANA@Example.ORG", legal_name="Someone Else")

    assert "email" in excinfo.value.message_dict
    assert User.objects.count() == 1
    assert Event.objects.count() == before


def test_user_create_refuses_an_email_that_is_someone_elses_secondary_address():
    owner = UserFactory(email="ana@example.org")
    services.user_add_email(user=owner, email="ana.old@example.org", actor=owner)

    with pytest.raises(ValidationError) as excinfo:
        services.user_create(email="Ana.Old@example.org", legal_name="Someone Else")

    assert "email" in excinfo.value.message_dict
    assert not User.objects.filter(email="ana.old@example.org").exists()


@pytest.mark.parametrize("email", ["", "not-an-address", "ana@", "@example.org", "a b@example.org"])
def test_user_create_refuses_an_invalid_email(email):
    with pytest.raises(ValidationError):
        services.user_create(email=email, legal_name="Ana Silva")

    assert not User.objects.exists()
    assert not Event.objects.exists()


def test_user_create_refuses_an_unknown_language():
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(email="ana@example.org", legal_name="Ana", preferred_language="de")

    assert "preferred_language" in excinfo.value.message_dict
    assert not User.objects.exists()


# user_change_legal_name


def test_user_change_legal_name_keeps_the_old_name_in_the_history_with_the_reason():
    user = UserFactory(legal_name="Ana Silva")
    officer = UserFactory()

    services.user_change_legal_name(
        user=user, new_name=" Ana Costa ", reason="Marriage certificate", actor=officer
    )

    user.refresh_from_db()
    assert user.legal_name == "Ana Costa"
    latest = user.name_changes.first()
    assert latest.old_name == "Ana Silva"
    assert latest.new_name == "Ana Costa"
    assert latest.reason == "Marriage certificate"
    assert latest.changed_by == officer
    assert [c.new_name for c in user.name_changes.all()] == ["Ana Costa", "Ana Silva"]


def test_user_change_legal_name_records_an_event_with_old_and_new_name():
    user = UserFactory(legal_name="Ana Silva")

    services.user_change_legal_name(
        user=user, new_name="Ana Costa", reason="Marriage certificate", actor=user
    )

    [event] = events("person.legal_name_changed", user)
    assert event.actor == user
    assert event.reason == "Marriage certificate"
    assert event.details == {"old": "Ana Silva", "new": "Ana Costa"}


@pytest.mark.parametrize("empty", ["", "   "])
def test_user_change_legal_name_refuses_an_empty_name(empty):
    user = UserFactory(legal_name="Ana Silva")
    history = user.name_changes.count()
    before = Event.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        services.user_change_legal_name(user=user, new_name=empty, reason="", actor=None)

    assert "legal_name" in excinfo.value.message_dict
    user.refresh_from_db()
    assert user.legal_name == "Ana Silva"
    assert user.name_changes.count() == history
    assert Event.objects.count() == before


def test_user_change_legal_name_to_the_same_name_changes_nothing():
    user = UserFactory(legal_name="Ana Silva")
    before = Event.objects.count()

    services.user_change_legal_name(user=user, new_name="Ana Silva", reason="", actor=None)

    assert user.name_changes.count() == 1
    assert Event.objects.count() == before


# user_add_email


def test_user_add_email_adds_an_unverified_secondary_address_and_records_an_event():
    user = UserFactory(email="ana@example.org")

    address = services.user_add_email(user=user, email=" Ana.Work@Example.org ", actor=user)

    assert address.user == user
    assert address.email == "ana.work@example.org"
    assert address.verified is False
    assert address.primary is False
    assert EmailAddress.objects.filter(user=user).count() == 2
    [event] = events("person.email_added", user)
    assert event.details == {"email": "ana.work@example.org"}


def test_user_add_email_refuses_an_address_held_by_anyone_whatever_its_case():
    UserFactory(email="ana@example.org")
    other = UserFactory(email="bao@example.org")

    with pytest.raises(ValidationError):
        services.user_add_email(user=other, email="ANA@example.org", actor=other)

    assert EmailAddress.objects.filter(user=other).count() == 1
    assert not events("person.email_added", other)


def test_user_add_email_refuses_the_login_email_of_a_person_without_an_address_row():
    # People made by `createsuperuser` have a login e-mail but no allauth address row.
    User.objects.create_superuser(email="root@example.org", password="x")
    other = UserFactory()

    with pytest.raises(ValidationError):
        services.user_add_email(user=other, email="Root@example.org", actor=other)

    assert not EmailAddress.objects.filter(email__iexact="root@example.org").exists()


def test_user_add_email_refuses_an_invalid_address():
    user = UserFactory()

    with pytest.raises(ValidationError):
        services.user_add_email(user=user, email="not-an-address", actor=user)

    assert EmailAddress.objects.filter(user=user).count() == 1


# user_update_profile


def test_user_update_profile_changes_name_and_language_and_records_what_changed():
    user = UserFactory()

    services.user_update_profile(
        user=user, display_name=" Lan ", preferred_language="zh-hans", actor=user
    )

    user.refresh_from_db()
    assert (user.display_name, user.preferred_language) == ("Lan", "zh-hans")
    [event] = events("person.profile_changed", user)
    assert event.details == {"display_name": "Lan", "preferred_language": "zh-hans"}


def test_user_update_profile_with_nothing_changed_records_nothing():
    user = UserFactory()

    services.user_update_profile(
        user=user, display_name=user.display_name, preferred_language="en", actor=user
    )

    assert not events("person.profile_changed", user)


def test_user_update_profile_refuses_an_unknown_language():
    user = UserFactory()

    with pytest.raises(ValidationError):
        services.user_update_profile(
            user=user, display_name="x", preferred_language="xx", actor=user
        )

    user.refresh_from_db()
    assert user.preferred_language == "en" and user.display_name == ""
    assert not events("person.profile_changed", user)
