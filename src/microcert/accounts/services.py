"""Writes about people. Each is one transaction and records its event."""

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from microcert.core.i18n import CONTENT_LANGUAGES
from microcert.core.services import event_record

from .models import LegalNameChange, User


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    validate_email(email)
    return email


@transaction.atomic
def user_create(
    *,
    email: str,
    legal_name: str,
    password: str | None = None,
    preferred_language: str = "en",
    email_verified: bool = False,
    is_staff: bool = False,
    actor: User | None = None,
) -> User:
    """Create a person with their primary e-mail address."""
    email = _clean_email(email)
    if preferred_language not in CONTENT_LANGUAGES:
        raise ValidationError({"preferred_language": _("Unknown language.")})
    if (
        EmailAddress.objects.filter(email__iexact=email).exists()
        or User.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationError({"email": _("This e-mail address is already in use.")})
    user = User.objects.create_user(
        email=email,
        password=password,
        legal_name=legal_name.strip(),
        preferred_language=preferred_language,
        is_staff=is_staff,
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    if legal_name.strip():
        LegalNameChange.objects.create(
            person=user, old_name="", new_name=user.legal_name, changed_by=actor
        )
    event_record(actor=actor, verb="person.created", target=user, details={"email": email})
    return user


@transaction.atomic
def user_change_legal_name(*, user: User, new_name: str, reason: str, actor: User | None) -> User:
    """Change the name credentials will carry from now on; the old one stays in the history."""
    new_name = (new_name or "").strip()
    if not new_name:
        raise ValidationError({"legal_name": _("The legal name cannot be empty.")})
    if new_name == user.legal_name:
        return user
    change = LegalNameChange.objects.create(
        person=user, old_name=user.legal_name, new_name=new_name, reason=reason, changed_by=actor
    )
    user.legal_name = new_name
    user.save(update_fields=["legal_name", "updated_at"])
    event_record(
        actor=actor,
        verb="person.legal_name_changed",
        target=user,
        reason=reason,
        details={"old": change.old_name, "new": new_name},
    )
    return user


@transaction.atomic
def user_add_email(*, user: User, email: str, actor: User | None) -> EmailAddress:
    """Add another address to a person; it counts once the person has verified it."""
    email = _clean_email(email)
    if (
        EmailAddress.objects.filter(email__iexact=email).exists()
        or User.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationError({"email": _("This e-mail address is already in use.")})
    address = EmailAddress.objects.create(user=user, email=email, primary=False, verified=False)
    event_record(actor=actor, verb="person.email_added", target=user, details={"email": email})
    return address


@transaction.atomic
def user_update_profile(
    *, user: User, display_name: str, preferred_language: str, actor: User | None
) -> User:
    """Change how the person is addressed and in which language they are written to."""
    if preferred_language not in CONTENT_LANGUAGES:
        raise ValidationError({"preferred_language": _("Unknown language.")})
    changed = {
        field: value
        for field, value in (
            ("display_name", display_name.strip()),
            ("preferred_language", preferred_language),
        )
        if getattr(user, field) != value
    }
    if not changed:
        return user
    for field, value in changed.items():
        setattr(user, field, value)
    user.save(update_fields=[*changed, "updated_at"])
    event_record(actor=actor, verb="person.profile_changed", target=user, details=changed)
    return user
