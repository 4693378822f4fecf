"""Forms of the web pages: they parse and validate input; services do the writing."""

import re
import uuid
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=120, required=False)
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=settings.LANGUAGES
    )
    legal_name = forms.CharField(
        label=_("Legal name on credentials"),
        max_length=200,
        help_text=_("Credentials issued from now on carry this name; earlier ones keep theirs."),
    )
    reason = forms.CharField(
        label=_("Reason for a change of legal name"),
        max_length=500,
        required=False,
        widget=forms.TextInput,
    )

    def __init__(self, *args, current_legal_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.current_legal_name = current_legal_name

    def clean(self):
        cleaned = super().clean()
        legal_name = (cleaned.get("legal_name") or "").strip()
        if (
            legal_name
            and legal_name != self.current_legal_name
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error(
                "reason", _("Say why the legal name changes; it is kept in the history.")
            )
        return cleaned


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What will use the token"),
        max_length=120,
        help_text=_("For example: “grading script” or “LMS sync”."),
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("one year")), (0, _("no expiry"))],
        initial=90,
    )


CREDENTIAL_UUID = re.compile(
    r"(?:^|/credentials/|urn:uuid:)([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
    re.IGNORECASE,
)


class CredentialLinkForm(forms.Form):
    """A link to a credential on this platform: its page, the address in the certificate's QR
    code, its JSON download, or its identifier (``urn:uuid:…``)."""

    link = forms.CharField(
        label=_("Link or identifier of the credential"),
        max_length=2000,
        help_text=_(
            "The address of its page, the link in the certificate's QR code, or its identifier "
            "(urn:uuid:…)."
        ),
        error_messages={"required": _("Enter a link to a credential to check it.")},
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )

    def __init__(self, *args, our_hosts: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.our_hosts = {host.lower() for host in our_hosts}

    def clean_link(self) -> uuid.UUID:
        link = self.cleaned_data["link"].strip()
        parts = urlsplit(link)
        if parts.scheme in ("http", "https"):
            host = (parts.hostname or "").lower()
            if parts.port:
                host = f"{host}:{parts.port}"
            if host not in self.our_hosts:
                # Another site's link is not fetched from here: that would let anyone make
                # this server call any address.
                raise forms.ValidationError(
                    _(
                        "This link points to another site (%(host)s). Download the credential "
                        "from there and paste it or choose its file here."
                    )
                    % {"host": parts.hostname or link},
                    code="foreign",
                )
            found = CREDENTIAL_UUID.search(parts.path)
        else:
            found = CREDENTIAL_UUID.search(link)
        if not found:
            raise forms.ValidationError(
                _(
                    "This is not the link of a credential: it should contain /credentials/ "
                    "and its identifier."
                ),
                code="not_a_credential",
            )
        return uuid.UUID(found.group(1))
