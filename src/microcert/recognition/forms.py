"""Forms of the recognition pages: they parse and check input; the services do the writing.

Values a person cannot type (a scheme, a version, an organisation) arrive as choices, so a
tampered value is a form error, never an exception further down.
"""

import datetime
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from microcert.catalog.models import SpecificationVersion
from microcert.network.models import Organisation

from .models import InclusionDecision, RecognitionScheme
from .permissions import may_apply_with

MAX_TEXT = 10000
# Days whose scheme period can be asked for: far from the calendar's ends, since periods
# step by years (``services.period_of`` fails near year 1 and year 9999).
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2199, 12, 31)


class _SchemeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: RecognitionScheme) -> str:
        return f"{obj.title} · {obj.authority}"


class _VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: SpecificationVersion) -> str:
        return _("%(title)s (version %(number)s)") % {"title": obj.title, "number": obj.number}


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class ApplicationForm(forms.Form):
    """Ask a scheme to count a published micro-credential."""

    applicant = _OrganisationChoice(
        label=_("On behalf of"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        error_messages={"invalid_choice": _("Choose one of the organisations listed.")},
    )
    scheme = _SchemeChoice(
        label=_("Recognition scheme"),
        queryset=RecognitionScheme.objects.none(),
        to_field_name="slug",
        error_messages={"invalid_choice": _("Choose one of the schemes listed.")},
    )
    version = _VersionChoice(
        label=_("Micro-credential"),
        queryset=SpecificationVersion.objects.none(),
        to_field_name="uuid",
        help_text=_("Only published versions can be submitted."),
        error_messages={"invalid_choice": _("Choose one of the published micro-credentials.")},
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT,
        help_text=_(
            "Why the scheme should count it: the teachers it serves, how it is assessed, "
            "how its quality is assured."
        ),
    )

    def __init__(
        self,
        *args,
        organisations: list[Organisation],
        schemes: QuerySet[RecognitionScheme],
        versions: QuerySet[SpecificationVersion],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        ).order_by("name")
        if len(organisations) == 1:
            self.fields["applicant"].initial = organisations[0].slug
        self.fields["scheme"].queryset = schemes
        self.fields["version"].queryset = versions

    def clean(self) -> dict:
        data = super().clean()
        applicant, version = data.get("applicant"), data.get("version")
        if applicant is not None and version is not None and not may_apply_with(applicant, version):
            self.add_error(
                "version",
                _("%(organisation)s is not an awarding body of this micro-credential.")
                % {"organisation": applicant.name},
            )
        return data


class ResubmitForm(forms.Form):
    motivation = forms.CharField(
        label=_("What changed"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT,
        help_text=_("Answer the authority's request; this replaces the motivation."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class DecisionForm(forms.Form):
    """An authority's decision: approve with terms, ask for changes, or reject."""

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=InclusionDecision.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose approve, ask for changes or reject.")},
    )
    equivalence = forms.DecimalField(
        label=_("Equivalence"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("100000"),
        decimal_places=2,
        max_digits=8,
        localize=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Credentials awarded on or after this day count."),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty while the recognition has no end."),
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Any condition attached to the recognition (optional)."),
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed to ask for changes or to reject: the applicant reads them."),
    )

    def __init__(self, *args, unit_label: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if unit_label:
            self.fields["equivalence"].help_text = _(
                "Recognised per credential, in the scheme's unit: %(unit)s."
            ) % {"unit": unit_label}

    def clean(self) -> dict:
        data = super().clean()
        for name in ("valid_from", "valid_until"):
            day = data.get(name)
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(
                    name,
                    _("Choose a day between %(first)s and %(last)s.")
                    % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
                )
                data[name] = None
        outcome = data.get("outcome")
        if outcome == InclusionDecision.Outcome.APPROVE:
            if data.get("equivalence") is None and "equivalence" not in self.errors:
                self.add_error("equivalence", _("Say what one credential counts for."))
            if data.get("valid_from") is None and "valid_from" not in self.errors:
                self.add_error("valid_from", _("Say from when the recognition is valid."))
            start, end = data.get("valid_from"), data.get("valid_until")
            if start and end and end < start:
                self.add_error("valid_until", _("The recognition cannot end before it starts."))
        elif outcome and not (data.get("reasons") or "").strip():
            self.add_error("reasons", _("Give the reasons, so the applicant knows what to do."))
        return data
