"""Forms of the Smart Classroom pages: they parse and check input; the services write.

Values a person picks (an organisation, an equipment item, an offering, an assignee) arrive
as choices limited to what makes sense here, so a tampered value is a form error, never an
exception further down.
"""

import datetime
import zoneinfo

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from microcert.accounts.models import User
from microcert.catalog.models import Offering
from microcert.network.models import Organisation

from .models import MAX_SESSION_MINUTES, Equipment, MaintenanceTicket, UsageSession
from .services import MAX_PARTICIPANTS, MAX_TEXT

# Dates a person can mean: far from the calendar's ends, where date arithmetic fails.
FIRST_DAY, LAST_DAY = datetime.date(1990, 1, 1), datetime.date(2199, 12, 31)


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
        **kwargs,
    )


def _in_range(day: datetime.date | None) -> datetime.date | None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise forms.ValidationError(
            _("Enter a date between %(first)s and %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
        )
    return day


class FilterForm(forms.Form):
    """The public list's filters; every choice is a country or host that has classrooms."""

    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the countries listed.")},
    )
    host = forms.ChoiceField(
        label=_("Host institution"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the host institutions listed.")},
    )

    def __init__(
        self, *args, countries: list[tuple[str, str]], hosts: list[Organisation], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *countries]
        self.fields["host"].choices = [("", _("All host institutions"))] + [
            (h.slug, h.name) for h in hosts
        ]


class _EquipmentChoice(forms.ModelChoiceField):
    """Teachers pick an item by its type, label, vendor and model, never its serial."""

    def label_from_instance(self, obj: Equipment) -> str:
        name = " ".join(part for part in (obj.vendor, obj.model) if part)
        return f"{obj.public_name} ({name})"


class EquipmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Equipment.Kind.choices)
    label = forms.CharField(
        label=_("Label"),
        max_length=80,
        required=False,
        help_text=_("How people in the room call it, e.g. “rear camera”."),
    )
    vendor = forms.CharField(label=_("Vendor"), max_length=100)
    model = forms.CharField(label=_("Model"), max_length=120, required=False)
    serial = forms.CharField(
        label=_("Serial number"),
        max_length=80,
        required=False,
        help_text=_("As printed on the device; unique for each vendor."),
    )
    warranty_until = _date_field(
        _("Warranty until"),
        required=False,
        help_text=_("An ended warranty is accepted and flagged in the inventory."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Equipment.Status.choices)
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_TEXT,
        required=False,
    )

    def __init__(self, *args, adding: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if adding:
            # New items are in service or under repair; retiring is a later change.
            self.fields["status"].choices = [
                c for c in Equipment.Status.choices if c[0] != Equipment.Status.RETIRED
            ]

    def clean_warranty_until(self) -> datetime.date | None:
        return _in_range(self.cleaned_data.get("warranty_until"))


class TicketForm(forms.Form):
    """Report a problem; managers may also take the item out of service at once."""

    title = forms.CharField(
        label=_("What is wrong"),
        max_length=200,
        help_text=_("One line, e.g. “The rear camera shows no picture”."),
    )
    equipment = _EquipmentChoice(
        label=_("Equipment concerned"),
        queryset=Equipment.objects.none(),
        to_field_name="uuid",
        required=False,
        empty_label=_("Not one item in particular"),
        error_messages={"invalid_choice": _("Choose one of the items listed.")},
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=MaintenanceTicket.Priority.choices,
        initial=MaintenanceTicket.Priority.NORMAL,
    )
    description = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_TEXT,
        required=False,
        help_text=_("When it happens, what you tried, and how it affects teaching."),
    )
    mark_under_repair = forms.BooleanField(
        label=_("Mark the equipment as under repair"), required=False
    )

    def __init__(self, *args, equipment: QuerySet[Equipment], manager: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["equipment"].queryset = equipment
        if not manager:
            del self.fields["mark_under_repair"]


class TicketStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=MaintenanceTicket.Status.choices,
        error_messages={"invalid_choice": _("Choose one of the statuses listed.")},
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_TEXT,
        required=False,
        help_text=_(
            "Required to resolve (what was done), to close without a resolution, and to "
            "reopen (why)."
        ),
    )
    equipment_back_in_service = forms.BooleanField(
        label=_("Put the equipment back in service"), required=False
    )

    def __init__(self, *args, allowed: list[str], equipment_under_repair: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # No status is preselected: reopening by mistake must not be one click away.
        self.fields["status"].choices = [("", _("Choose…"))] + [
            c for c in MaintenanceTicket.Status.choices if c[0] in allowed
        ]
        if not equipment_under_repair:
            del self.fields["equipment_back_in_service"]


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.email})"


class AssignForm(forms.Form):
    assignee = _PersonChoice(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        to_field_name="uuid",
        required=False,
        empty_label=_("Nobody"),
        error_messages={"invalid_choice": _("Choose one of the people listed.")},
    )

    def __init__(self, *args, people: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            pk__in=[p.pk for p in people]
        ).order_by("legal_name", "email")


class _OfferingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Offering) -> str:
        return _("%(title)s · %(host)s · %(start)s to %(end)s · %(language)s") % {
            "title": obj.version.title,
            "host": obj.host,
            "start": obj.starts_on.isoformat(),
            "end": obj.ends_on.isoformat(),
            "language": obj.get_language_display(),
        }


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=UsageSession.Kind.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=UsageSession.Status.choices,
        initial=UsageSession.Status.HELD,
        help_text=_("Held: it has ended. Scheduled: it is still to come."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(
        label=_("Language of the session"),
        choices=settings.LANGUAGES,
        help_text=_("The title is shown in this language."),
    )
    starts_on = _date_field(_("Date"))
    starts_time = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time as HH:MM.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=MAX_SESSION_MINUTES
    )
    participants = forms.IntegerField(
        label=_("Participants"),
        min_value=0,
        max_value=MAX_PARTICIPANTS,
        initial=0,
        help_text=_("In the room and online; for a scheduled session, those expected."),
    )
    recording_url = forms.CharField(
        label=_("Recording link"),
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"inputmode": "url"}),
        help_text=_("Optional; a web address starting with https:// or http://."),
    )
    offering = _OfferingChoice(
        label=_("Offering served"),
        queryset=Offering.objects.none(),
        to_field_name="uuid",
        required=False,
        empty_label=_("None"),
        help_text=_(
            "Offerings the host runs or awards, from a year ago to a year and a half ahead."
        ),
        error_messages={"invalid_choice": _("Choose one of the offerings listed.")},
    )

    def __init__(
        self, *args, offerings: QuerySet[Offering], zone: zoneinfo.ZoneInfo, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["offering"].queryset = offerings
        self.fields["starts_time"].help_text = _("The classroom's local time (%(zone)s).") % {
            "zone": zone.key
        }

    def clean_starts_on(self) -> datetime.date | None:
        return _in_range(self.cleaned_data.get("starts_on"))

    def starts_at(self) -> datetime.datetime:
        data = self.cleaned_data
        moment = datetime.datetime.combine(data["starts_on"], data["starts_time"])
        return moment.replace(second=0, microsecond=0, tzinfo=self.zone)

    @classmethod
    def initial_from(cls, session: UsageSession, zone: zoneinfo.ZoneInfo) -> dict:
        local = session.starts_at.astimezone(zone)
        return {
            "kind": session.kind,
            "status": session.status,
            "title": session.title,
            "language": session.language,
            "starts_on": local.date(),
            "starts_time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": session.duration_minutes,
            "participants": session.participants,
            "recording_url": session.recording_url,
            "offering": session.offering.uuid if session.offering else None,
        }
