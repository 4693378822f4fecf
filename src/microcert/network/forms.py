"""Forms of the network's pages: they parse and check input; the services do the writing.

Values a person cannot type (an organisation, a status, a kind) arrive as choices, so a
tampered value is a form error, never an exception further down.
"""

import datetime

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import (
    Agreement,
    AgreementDocument,
    CooperationItem,
    Membership,
    NetworkPosition,
    Organisation,
    SubRegion,
)
from .services import MAX_MESSAGE, ContactDetails, ProposedOrganisation

CONTACT_ROWS = 3
FIRST_DAY, LAST_DAY = datetime.date(1990, 1, 1), datetime.date(2199, 12, 31)


def _country_choices() -> list[tuple[str, str]]:
    # Evaluated when the form is drawn, so country names come in the page's language.
    return [("", _("Choose a country")), *((c.code, c.name) for c in countries)]


def _blank(choices, label) -> list[tuple[str, str]]:
    return [("", label), *choices]


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.country.name})"


class _DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(_("Give a date between 1990 and 2199."))
        return day


class JoinForm(forms.Form):
    """The public application to join the network."""

    organisation = _OrganisationChoice(
        label=_("Your institution"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("— It is not listed: I describe it below —"),
        help_text=_("If your institution is already on the platform, choose it here."),
        error_messages={"invalid_choice": _("Choose one of the institutions listed.")},
    )
    name = forms.CharField(label=_("Full name of the institution"), max_length=255, required=False)
    short_name = forms.CharField(label=_("Short name or acronym"), max_length=40, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of institution"),
        choices=_blank(Organisation.Kind.choices, _("Choose a kind")),
        required=False,
    )
    country = forms.ChoiceField(label=_("Country"), choices=_country_choices, required=False)
    subregion = forms.ChoiceField(
        label=_("Region of the world"),
        choices=_blank(SubRegion.choices, _("Choose a region")),
        required=False,
        help_text=_("The United Nations sub-region the country belongs to."),
    )
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        help_text=_("For example https://www.example.edu"),
    )
    membership_kind = forms.ChoiceField(
        label=_("Kind of membership you apply for"),
        choices=Membership.Kind.choices,
        widget=forms.RadioSelect,
        initial=Membership.Kind.PARTNER_HEI,
    )
    intended_cooperation = forms.MultipleChoiceField(
        label=_("Cooperation you intend"),
        choices=CooperationItem.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of cooperation.")},
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Why your institution wants to join, what it brings to the network and what it "
            "hopes to gain."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language for our correspondence"),
        choices=settings.LANGUAGES,
    )

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if not self.is_bound:
            self.fields["language"].initial = translation.get_language()
        for number in range(CONTACT_ROWS):
            required = number == 0
            self.fields[f"contact{number}_name"] = forms.CharField(
                label=_("Name"), max_length=200, required=required
            )
            self.fields[f"contact{number}_email"] = forms.EmailField(
                label=_("E-mail address"), required=required
            )
            self.fields[f"contact{number}_position"] = forms.CharField(
                label=_("Position"), max_length=200, required=False
            )
            self.fields[f"contact{number}_phone"] = forms.CharField(
                label=_("Phone"), max_length=40, required=False
            )
        self.fields["contact0_email"].help_text = _(
            "We send the private link to follow your application here."
        )

    NEW_ORGANISATION_FIELDS = (
        "name",
        "short_name",
        "kind",
        "country",
        "subregion",
        "city",
        "website",
    )

    def new_organisation_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.NEW_ORGANISATION_FIELDS]

    def contact_groups(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"contact{n}_{part}"] for part in ("name", "email", "position", "phone")]
            for n in range(CONTACT_ROWS)
        ]

    def clean(self) -> dict:
        data = super().clean()
        described = any(data.get(name) for name in ("name", "short_name", "city", "website"))
        if data.get("organisation") is not None:
            if described:
                raise forms.ValidationError(
                    _(
                        "You chose an institution from the list and also described one: keep "
                        "one of the two."
                    )
                )
        elif "organisation" not in self.errors:
            for name, message in (
                ("name", _("Give the institution's name, or choose it from the list.")),
                ("kind", _("Choose the kind of institution.")),
                ("country", _("Choose the country.")),
                ("subregion", _("Choose the region of the world.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        for number in range(1, CONTACT_ROWS):
            given = [data.get(f"contact{number}_{part}") for part in ("name", "email")]
            rest = [data.get(f"contact{number}_{part}") for part in ("position", "phone")]
            if any(given + rest) and not all(given):
                for part, value in zip(("name", "email"), given, strict=True):
                    field = f"contact{number}_{part}"
                    if not value and field not in self.errors:
                        self.add_error(field, _("Give this contact's name and e-mail address."))
        return data

    def contacts(self) -> list[ContactDetails]:
        data = self.cleaned_data
        found = []
        for number in range(CONTACT_ROWS):
            if not data.get(f"contact{number}_email"):
                continue
            found.append(
                ContactDetails(
                    name=data[f"contact{number}_name"],
                    email=data[f"contact{number}_email"],
                    position=data.get(f"contact{number}_position", ""),
                    phone=data.get(f"contact{number}_phone", ""),
                    is_primary=number == 0,
                )
            )
        return found

    def proposed(self) -> ProposedOrganisation | None:
        data = self.cleaned_data
        if data.get("organisation") is not None:
            return None
        return ProposedOrganisation(
            name=data["name"],
            kind=data["kind"],
            country=data["country"],
            subregion=data["subregion"],
            short_name=data.get("short_name", ""),
            city=data.get("city", ""),
            website=data.get("website", ""),
        )


class ReplyForm(forms.Form):
    message = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you withdraw (optional)"),
        max_length=MAX_MESSAGE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OfficeActionForm(forms.Form):
    """One of the network office's steps on an application; the message it needs depends on
    the step (a request and reasons for declining are required, a note on approval is not)."""

    ACTIONS = {
        "request_information": _("Ask for more information"),
        "approve": _("Approve"),
        "decline": _("Decline"),
    }

    action = forms.ChoiceField(choices=list(ACTIONS.items()), widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("Message"),
        max_length=MAX_MESSAGE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if not (data.get("message") or "").strip():
            if action == "request_information":
                self.add_error("message", _("Say what the applicant should add."))
            elif action == "decline":
                self.add_error("message", _("Give the reasons for declining."))
        return data


class AgreementTransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    on = _DateField(label=_("On"), help_text=_("The day it was signed, took effect or ended."))
    expires_on = _DateField(
        label=_("Expires on"),
        required=False,
        help_text=_("Only when it comes into force, if the agreement has an end date."),
    )
    reason = forms.CharField(
        label=_("Note"),
        max_length=MAX_MESSAGE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, allowed: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = allowed
        self.fields["status"].error_messages["invalid_choice"] = _(
            "The agreement cannot go to that status from where it is."
        )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgreementDocument.Kind.choices)
    language = forms.ChoiceField(label=_("Language of the document"), choices=settings.LANGUAGES)
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, Word (DOCX) or OpenDocument text (ODT).")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["language"].initial = translation.get_language()
        self.fields["file"].widget.attrs["accept"] = ".pdf,.docx,.odt"


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CooperationItem.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    owner = _OrganisationChoice(
        label=_("Owner"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("— No owner yet —"),
        error_messages={"invalid_choice": _("Choose one of the parties.")},
    )
    due_on = _DateField(label=_("Due on"), required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_MESSAGE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, agreement: Agreement, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = agreement.parties.order_by("name")


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CooperationItem.Status.choices)
    reason = forms.CharField(label=_("Note"), max_length=MAX_MESSAGE, required=False)


class AgreementForm(forms.Form):
    """A new agreement, as a draft; its lifecycle is moved on its page."""

    reference = forms.CharField(
        label=_("Reference"),
        max_length=40,
        help_text=_("Unique, for example MOU-2026-004."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Agreement.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=255)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=MAX_MESSAGE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("At least two; hold Ctrl (or ⌘) to choose several."),
        error_messages={"invalid_choice": _("Choose the parties from the list.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = Organisation.objects.order_by("name")

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].strip()
        if Agreement.objects.filter(reference__iexact=reference).exists():
            raise forms.ValidationError(_("Another agreement has this reference."))
        return reference

    def clean_parties(self):
        parties = self.cleaned_data["parties"]
        if len(parties) < 2:
            raise forms.ValidationError(_("Choose at least two parties."))
        return parties


class NationalCentreForm(forms.Form):
    organisation = _OrganisationChoice(
        label=_("Institution"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        help_text=_("An active member institution."),
        error_messages={"invalid_choice": _("Choose one of the member institutions listed.")},
    )
    agreement = forms.ModelChoiceField(
        label=_("Designating agreement"),
        queryset=Agreement.objects.none(),
        to_field_name="reference",
        help_text=_("A signed agreement or one in force, to which the institution is a party."),
        error_messages={"invalid_choice": _("Choose one of the agreements listed.")},
    )
    starts_on = _DateField(label=_("From"))
    ends_on = _DateField(
        label=_("Until"), required=False, help_text=_("Empty while it has no end date.")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.HEI, memberships__status=Membership.Status.ACTIVE
        ).order_by("country", "name")
        self.fields["agreement"].queryset = Agreement.objects.filter(
            status__in=[Agreement.Status.SIGNED, Agreement.Status.IN_FORCE]
        ).order_by("reference")
        self.fields["agreement"].label_from_instance = lambda a: f"{a.reference} · {a.title}"


class EndCentreForm(forms.Form):
    on = _DateField(label=_("Last day"))
    reason = forms.CharField(label=_("Why it ends"), max_length=MAX_MESSAGE, required=False)


class PositionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Position"), choices=NetworkPosition.Kind.choices)
    subregion = forms.ChoiceField(
        label=_("Sub-region"),
        choices=_blank(SubRegion.choices, _("Only for regional coordinators")),
        required=False,
    )
    organisation = _OrganisationChoice(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        error_messages={"invalid_choice": _("Choose one of the organisations listed.")},
    )
    person = forms.EmailField(
        label=_("Person (e-mail address)"),
        required=False,
        help_text=_("Someone with a role at the organisation; leave empty to name only it."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The Centre itself, and members (the service checks membership in the year).
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(
                Q(is_programme_owner=True)
                | Q(memberships__status__in=[Membership.Status.ACTIVE, Membership.Status.ENDED])
            )
            .distinct()
            .order_by("name")
        )
