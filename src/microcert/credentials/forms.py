"""Forms of the credentials pages: they parse and validate input; services do the writing."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from . import bulk

MAX_CREDENTIAL_BYTES = 1_000_000
# A credential is never this deep; refusing deeper JSON keeps the JSON-LD processor (which
# recurses) out of trouble.
MAX_JSON_DEPTH = 64


def _too_deep(value, depth: int = 0) -> bool:
    if depth > MAX_JSON_DEPTH:
        return True
    if isinstance(value, dict):
        return any(_too_deep(item, depth + 1) for item in value.values())
    if isinstance(value, list):
        return any(_too_deep(item, depth + 1) for item in value)
    return False


class VerifyForm(forms.Form):
    credential_text = forms.CharField(
        label=_("Paste the credential (JSON)"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "code"}),
    )
    credential_file = forms.FileField(
        label=_("or choose a file"),
        required=False,
        help_text=_("A .json file of at most 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json,.jsonld"}),
    )

    def _read_file(self, upload) -> str:
        if upload.size > MAX_CREDENTIAL_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."), code="too_large")
        data = upload.read(MAX_CREDENTIAL_BYTES + 1)
        if len(data) > MAX_CREDENTIAL_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."), code="too_large")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                _("The file is not UTF-8 text, so it cannot be a JSON credential."),
                code="encoding",
            ) from error

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("credential_file")
        text = cleaned.get("credential_text") or ""
        if self.errors:
            return cleaned
        if upload and text:
            raise forms.ValidationError(
                _("Paste a credential or choose a file, not both."), code="both"
            )
        if upload:
            text = self._read_file(upload)
        elif len(text.encode()) > MAX_CREDENTIAL_BYTES:
            raise forms.ValidationError(_("The text is longer than 1 MB."), code="too_large")
        if not text.strip():
            raise forms.ValidationError(
                _("Paste a credential or choose a file to verify."), code="empty"
            )
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("This is not valid JSON: %(error)s (line %(line)s, column %(column)s).")
                % {"error": error.msg, "line": error.lineno, "column": error.colno},
                code="json",
            ) from error
        except RecursionError as error:
            raise forms.ValidationError(_("The JSON is nested too deeply."), code="deep") from error
        if _too_deep(document):
            raise forms.ValidationError(_("The JSON is nested too deeply."), code="deep")
        if not isinstance(document, dict):
            raise forms.ValidationError(
                _("A credential is a JSON object ({…}); this is JSON of another kind."),
                code="not_object",
            )
        cleaned["document"] = document
        return cleaned


class VisibilityForm(forms.Form):
    is_public = forms.TypedChoiceField(
        choices=[("1", _("Public")), ("0", _("Private"))], coerce=lambda value: value == "1"
    )


class StatusChangeForm(forms.Form):
    """One status change; the page shows a form per allowed action, each with its prefix."""

    REVOKE, SUSPEND, REINSTATE = "revoke", "suspend", "reinstate"
    ACTIONS = (REVOKE, SUSPEND, REINSTATE)

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with the change and shown on the credential's public page."),
        error_messages={"required": _("Say why: a reason is required.")},
    )


class BulkIssueForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, at most 2 MB and 5,000 rows. Columns: email, specification (the "
            "micro-credential's slug), evidence_url, evidence_name; optionally a column "
            "level_<competence code> per competence with the level reached."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.upload = bulk.read_issue_csv(upload)
        except bulk.BulkUploadError as error:
            raise forms.ValidationError(error.messages, code="csv") from error
        return upload


class BulkRevokeForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, at most 2 MB and 5,000 rows, with a column “credential” holding each "
            "credential's UUID, its urn:uuid: id or the address of its page."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with every revocation and shown on each credential's page."),
        error_messages={"required": _("Say why: a reason is required.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.upload = bulk.read_revoke_csv(upload)
        except bulk.BulkUploadError as error:
            raise forms.ValidationError(error.messages, code="csv") from error
        return upload
