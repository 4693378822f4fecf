"""Writes about people. Each is one transaction and records its event."""

import datetime
import hashlib
import hmac
import secrets

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microcert.core.i18n import CONTENT_LANGUAGES
from microcert.core.services import event_record

from .models import LegalNameChange, PersonalToken, User


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


# --- Personal API tokens ----------------------------------------------------------------------

# Tokens read as ``mct_`` and 43 URL-safe characters (256 random bits), so they are easy to
# recognise in a leaked file or a secret scanner.
PERSONAL_TOKEN_PREFIX = "mct_"  # noqa: S105 - a public marker, not a secret
PERSONAL_TOKEN_NAME_MAX = 120
# Writing "last used" on every request would turn reads into writes; once a minute is enough.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def personal_token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def personal_token_create(
    *,
    person: User,
    name: str,
    actor: User | None,
    expires_at: datetime.datetime | None = None,
) -> tuple[PersonalToken, str]:
    """Make a token for ``person``; return it with the token in clear, which is never stored
    and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the token after what will use it.")})
    if len(name) > PERSONAL_TOKEN_NAME_MAX:
        raise ValidationError(
            {
                "name": _("The name is longer than %(max)s characters.")
                % {"max": PERSONAL_TOKEN_NAME_MAX}
            }
        )
    if not person.is_active:
        raise ValidationError(_("A deactivated account cannot have API tokens."))
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            raise ValidationError({"expires_at": _("Give the expiry with its time zone.")})
        if expires_at <= timezone.now():
            raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    plain = PERSONAL_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalToken.objects.create(
        person=person,
        name=name,
        token_hash=personal_token_hash(plain),
        expires_at=expires_at,
    )
    event_record(
        actor=actor,
        verb="personal_token.created",
        target=token,
        details={
            "person": str(person.uuid),
            "name": name,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, plain


@transaction.atomic
def personal_token_revoke(
    *, token: PersonalToken, actor: User | None, reason: str = ""
) -> PersonalToken:
    """Stop a token from working, now and for good. Revoking it again changes nothing."""
    token = PersonalToken.objects.select_for_update().select_related("person").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    event_record(
        actor=actor,
        verb="personal_token.revoked",
        target=token,
        reason=reason,
        details={"person": str(token.person.uuid), "name": token.name},
    )
    return token


def personal_token_authenticate(token: str) -> User | None:
    """The active person a usable token belongs to, or None.

    The token is looked up by its hash, so the comparison never touches the secret itself and
    takes no longer for a near miss; expired and revoked tokens, and tokens of deactivated
    people, are refused. Records when the token was last used (to the minute).
    """
    if not token or len(token) > 200:
        return None
    digest = personal_token_hash(token)
    found = PersonalToken.objects.select_related("person").filter(token_hash=digest).first()
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    now = timezone.now()
    if not found.is_usable(now):
        return None
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_PRECISION:
        PersonalToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.person
