"""Forms of the privacy pages: a person confirming their own erasure, the programme office
carrying out or exporting for someone else."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from microcert.accounts import selectors as account_selectors
from microcert.accounts.models import User

from . import reauth
from .services import REASON_MAX


def wrong_password_message(person: User) -> str:
    if not person.has_usable_password():
        return str(
            _(
                "Your account has no password yet. Choose one with “Forgot your password?” on "
                "the sign-in page, then come back: it is how we know the request is yours."
            )
        )
    return str(_("The password is not right."))


def check_identity(person: User, email: str, password: str) -> dict[str, str]:
    """{field: message} of what does not confirm the person; empty when all is right."""
    problems = {}
    if (email or "").strip().casefold() != person.email.casefold():
        problems["email"] = str(
            _("This is not your account's e-mail address. Type it as you sign in with it.")
        )
    try:
        if not reauth.password_confirms(person, password or ""):
            problems["password"] = wrong_password_message(person)
    except reauth.TooManyAttempts:
        problems["password"] = str(
            _("Too many wrong passwords. Wait a quarter of an hour, then try again.")
        )
    return problems


class ErasureForm(forms.Form):
    """The person asks for their own erasure: they type their address and password."""

    email = forms.CharField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("Type the address you sign in with, to show this is deliberate."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    password = forms.CharField(
        label=_("Your password"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    note = forms.CharField(
        label=_("Anything you want us to know (optional)"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    revoke_credentials = forms.BooleanField(
        label=_("Also revoke my credentials"),
        required=False,
        help_text=_(
            "Revoked credentials no longer verify anywhere. Leave this unticked to keep them "
            "valid in your wallet and with your employers."
        ),
    )
    understood = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick this box to confirm.")},
    )

    def __init__(self, *args, person: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean(self) -> dict:
        cleaned = super().clean()
        # Every problem at once, even when the box is not ticked yet.
        if "email" in cleaned and "password" in cleaned:
            for field, message in check_identity(
                self.person, cleaned["email"], cleaned["password"]
            ).items():
                self.add_error(field, message)
        return cleaned


class PersonByEmailField(forms.CharField):
    """A person named by any of their addresses."""

    def clean(self, value) -> User:
        email = super().clean(value).strip()
        person = User.objects.filter(email__iexact=email).first()
        person = person or account_selectors.person_by_any_email(email)
        if person is None:
            raise ValidationError(_("Nobody on the platform has this e-mail address."))
        return person


class OfficeErasureForm(forms.Form):
    """The programme office carries out an erasure request received some other way."""

    person = PersonByEmailField(
        label=_("E-mail address of the person"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        help_text=_(
            "How the request came and how the person's identity was checked. It stays on the "
            "record; the person's name and address in it are replaced by hashes."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    revoke_credentials = forms.BooleanField(
        label=_("Also revoke their credentials (only if they asked for it)"), required=False
    )
    checked = forms.BooleanField(
        label=_("I have checked that the request comes from this person."),
        error_messages={"required": _("Tick this box to confirm.")},
    )


class OfficeExportForm(forms.Form):
    """The programme office exports someone's data for a request received some other way."""

    person = PersonByEmailField(
        label=_("E-mail address of the person"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        help_text=_("The request you are answering; it stays on the record."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
