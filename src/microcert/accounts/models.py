"""People: an e-mail identity, the legal name as it must appear on credentials, a language."""

import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcert.core.models import PublicIdModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(PublicIdModel, AbstractBaseUser, PermissionsMixin):
    """A person. Their primary e-mail is the login; more addresses live in allauth's table."""

    email = models.EmailField(_("e-mail address"), unique=True)
    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        blank=True,
        help_text=_("The name exactly as it must appear on credentials."),
    )
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["legal_name", "email"]

    def __str__(self) -> str:
        return self.display_name or self.legal_name or self.email

    def get_full_name(self) -> str:
        return self.legal_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.legal_name or self.email


class LegalNameChange(models.Model):
    """The history of a person's legal name: credentials keep the name they were issued with."""

    person = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="name_changes"
    )
    old_name = models.CharField(_("old name"), max_length=200, blank=True)
    new_name = models.CharField(_("new name"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        User, verbose_name=_("changed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("legal name change")
        verbose_name_plural = _("legal name changes")

    def __str__(self) -> str:
        return f"{self.old_name or '∅'} → {self.new_name}"


class PersonalToken(models.Model):
    """A bearer token with which a person's own programs call the REST API as that person.

    Only the SHA-256 of the token is kept; the token itself is shown once, when it is made.
    A token stops working when it expires, when it is revoked, or when its person is
    deactivated.
    """

    person = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="personal_tokens"
    )
    name = models.CharField(_("name"), max_length=120)
    token_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("personal API token")
        verbose_name_plural = _("personal API tokens")

    def __str__(self) -> str:
        return f"{self.person} · {self.name}"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and self.person.is_active
        )
