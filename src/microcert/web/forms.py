"""Forms of the web pages: they parse and validate input; services do the writing."""

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
