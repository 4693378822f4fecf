"""Forms of the news pages: filters, the editors' article form, images, cases and reviews.

Translated content has one field per language (``title_en``, ``title_vi`` …); the templates
group them by language in fieldsets marked with their ``lang``.
"""

import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_countries import countries as all_countries

from microcert.core.i18n import CONTENT_LANGUAGES, DEFAULT_LANGUAGE
from microcert.frameworks.models import Competence
from microcert.network.models import Organisation

from . import uploads
from .models import Article, Case, Tag
from .services import FIRST_AWARD_YEAR
from .text import current_language, raw

LIMITS = {"title": 200, "summary": 600, "body": 40000, "place": 200, "alt": 300, "caption": 300}


def suffix(language: str) -> str:
    return language.replace("-", "_")


def language_name(language: str) -> str:
    return str(get_language_info(language)["name_translated"])


class LanguageGroup:
    """The fields of one language, for a fieldset."""

    def __init__(self, form: forms.Form, language: str, fields: tuple[str, ...], lead: str):
        self.language = language
        self.name = language_name(language)
        self.is_default = language == lead
        self.fields = [form[f"{field}_{suffix(language)}"] for field in fields]
        # Shown open when it holds something to read or to correct.
        self.is_open = self.is_default or any(
            bound.errors or (bound.value() or "").strip() for bound in self.fields
        )


class TranslatedFieldsMixin:
    """Adds ``<field>_<language>`` fields for ``translated`` and reads them back as
    {language: text}."""

    translated: tuple[str, ...] = ()
    required_in_default: tuple[str, ...] = ()
    labels: dict[str, str] = {}
    multiline: tuple[str, ...] = ("summary", "body")

    def add_translated_fields(self) -> None:
        for field in self.translated:
            for language in CONTENT_LANGUAGES:
                widget: forms.Widget
                if field in self.multiline:
                    rows = 14 if field == "body" else 4
                    widget = forms.Textarea(attrs={"rows": rows, "lang": language})
                else:
                    widget = forms.TextInput(attrs={"lang": language})
                self.fields[f"{field}_{suffix(language)}"] = forms.CharField(
                    label=self.labels.get(field, field),
                    required=language == DEFAULT_LANGUAGE and field in self.required_in_default,
                    max_length=LIMITS[field],
                    widget=widget,
                    strip=True,
                )

    def translations(self, field: str) -> dict[str, str]:
        return {
            language: self.cleaned_data.get(f"{field}_{suffix(language)}", "")
            for language in CONTENT_LANGUAGES
        }

    # The language written first and shown open; English, which the others fall back to,
    # unless a form says otherwise.
    lead_language: str = DEFAULT_LANGUAGE

    def language_groups(self) -> list[LanguageGroup]:
        others = [lang for lang in CONTENT_LANGUAGES if lang != self.lead_language]
        order = [self.lead_language, *others]
        return [
            LanguageGroup(self, language, self.translated, self.lead_language) for language in order
        ]

    @staticmethod
    def initial_translations(instance, fields: tuple[str, ...]) -> dict[str, str]:
        return {
            f"{field}_{suffix(language)}": raw(instance, field, language)
            for field in fields
            for language in CONTENT_LANGUAGES
        }


class OrganisationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return str(obj.name)


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


def _in_zone(value: datetime.datetime | None, zone: str) -> datetime.datetime | None:
    """The wall-clock time the editor typed, read in the event's time zone (the form field
    read it in the active one)."""
    if value is None:
        return None
    wall = timezone.make_naive(value) if timezone.is_aware(value) else value
    return timezone.make_aware(wall, ZoneInfo(zone))


def _wall_clock(value: datetime.datetime | None, zone: str) -> datetime.datetime | None:
    """What to show in a datetime-local input: the moment in the event's time zone."""
    if value is None:
        return None
    return timezone.localtime(value, ZoneInfo(zone)).replace(tzinfo=None)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _datetime_field(label, *, required: bool = False, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=help_text,
    )


# --- Public filters ---------------------------------------------------------------------------


class ArticleFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    tag = forms.ChoiceField(label=_("Topic"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    partner = forms.ChoiceField(label=_("Partner"), required=False)

    def __init__(self, data, *, tags, countries, partners):
        super().__init__(data)
        everything = [("", _("All"))]
        self.fields["kind"].choices = everything + list(Article.Kind.choices)
        self.fields["tag"].choices = everything + [(t.slug, str(t.name)) for t in tags]
        self.fields["country"].choices = everything + list(countries)
        self.fields["partner"].choices = everything + [(o.slug, str(o.name)) for o in partners]

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class CaseFilterForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Institution"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    award = forms.ChoiceField(label=_("Pioneer award"), required=False)
    competence = forms.ChoiceField(label=_("Competence"), required=False)

    def __init__(self, data, *, organisations, competences):
        super().__init__(data)
        everything = [("", _("All"))]
        self.fields["organisation"].choices = everything + [
            (o.slug, str(o.name)) for o in organisations
        ]
        codes = sorted({o.country.code for o in organisations})
        self.fields["country"].choices = everything + sorted(
            ((c, str(all_countries.name(c))) for c in codes), key=lambda pair: pair[1]
        )
        self.fields["award"].choices = [
            *everything,
            (Case.Award.NOMINEE, _("Nominees")),
            (Case.Award.WINNER, _("Winners")),
        ]
        self.fields["competence"].choices = everything + [
            (str(c.uuid), f"{c.framework.title} {c.code} · {c.name}") for c in competences
        ]


# --- The editors' article form ----------------------------------------------------------------


class ArticleForm(TranslatedFieldsMixin, forms.Form):
    translated = ("title", "summary", "body", "place")
    required_in_default = ("title",)
    labels = {
        "title": _("Title"),
        "summary": _("Summary"),
        "body": _("Text"),
        "place": _("Place"),
    }

    kind = forms.ChoiceField(
        label=_("Kind"), choices=Article.Kind.choices, widget=forms.RadioSelect
    )
    slug = forms.SlugField(
        label=_("Address (slug)"),
        max_length=100,
        help_text=_("Latin letters, digits and hyphens; it appears in the page's address."),
    )
    event_type = forms.ChoiceField(
        label=_("Type of event"),
        required=False,
        choices=[("", "—"), *Article.EventType.choices],
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone of the event"),
        choices=[],
        initial="UTC",
        help_text=_("The times are entered and shown in this zone, e.g. Asia/Ho Chi Minh."),
    )
    starts_at = _datetime_field(_("Starts"))
    ends_at = _datetime_field(_("Ends"))
    tags = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners = OrganisationChoiceField(
        label=_("Partners involved"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        required=False,
        choices=[],
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_translated_fields()
        self.fields["tags"].queryset = Tag.objects.order_by("slug")
        self.fields["partners"].queryset = Organisation.objects.order_by("name")
        self.fields["countries"].choices = list(all_countries)
        self.fields["time_zone"].choices = time_zone_choices()

    @classmethod
    def initial_for(cls, article: Article) -> dict:
        return {
            "kind": article.kind,
            "slug": article.slug,
            "event_type": article.event_type,
            "time_zone": article.time_zone,
            "starts_at": _wall_clock(article.starts_at, article.time_zone),
            "ends_at": _wall_clock(article.ends_at, article.time_zone),
            "tags": list(article.tags.all()),
            "partners": list(article.partners.all()),
            "countries": [c.code for c in article.countries],
            **cls.initial_translations(article, cls.translated),
        }

    def clean(self):
        data = super().clean()
        zone = data.get("time_zone") or "UTC"
        for moment in ("starts_at", "ends_at"):
            if data.get(moment):
                data[moment] = _in_zone(data[moment], zone)
        if data.get("kind") == Article.Kind.EVENT:
            if not data.get("starts_at") and "starts_at" not in self.errors:
                self.add_error("starts_at", _("An event needs the date and time it starts."))
            if not data.get("event_type"):
                self.add_error("event_type", _("Choose the type of event."))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("An event cannot end before it starts."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": self.translations("title"),
            "summary": self.translations("summary"),
            "body": self.translations("body"),
            "place": self.translations("place"),
            "event_type": data.get("event_type") or "",
            "time_zone": data.get("time_zone") or "UTC",
            "starts_at": data.get("starts_at"),
            "ends_at": data.get("ends_at"),
            "tags": data.get("tags") or [],
            "partners": data.get("partners") or [],
            "countries": data.get("countries") or [],
        }

    def event_fields(self) -> list:
        return [self["event_type"], self["time_zone"], self["starts_at"], self["ends_at"]]


class ScheduleForm(forms.Form):
    publish_at = _datetime_field(
        _("Publish at (UTC)"),
        required=True,
        help_text=_("The article becomes public by itself at this moment."),
    )

    def clean_publish_at(self):
        value = _aware(self.cleaned_data["publish_at"])
        if value <= timezone.now():
            raise forms.ValidationError(
                _("Choose a moment in the future, or publish the article now.")
            )
        return value


class ImageForm(TranslatedFieldsMixin, forms.Form):
    translated = ("alt", "caption")
    required_in_default = ("alt",)
    multiline = ()
    labels = {"alt": _("Text alternative"), "caption": _("Caption")}

    file = forms.FileField(
        label=_("Image"),
        help_text=_("JPEG, PNG or WebP."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_translated_fields()
        self.fields["file"].help_text = _("JPEG, PNG or WebP, up to %(limit)s MB.") % {
            "limit": uploads.max_bytes() // (1024 * 1024)
        }
        self.fields["alt_en"].help_text = _(
            "Say what the image shows, for people who cannot see it."
        )


# --- Cases ------------------------------------------------------------------------------------


class CompetenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Competence) -> str:
        return f"{obj.code} {obj.name}"


def _award_years() -> list[tuple[str, str]]:
    latest = timezone.now().year + 1
    return [("", "—")] + [(str(y), str(y)) for y in range(latest, FIRST_AWARD_YEAR - 1, -1)]


class CaseForm(TranslatedFieldsMixin, forms.Form):
    translated = ("title", "summary", "body")
    labels = {"title": _("Title"), "summary": _("Summary"), "body": _("The practice")}

    organisation = forms.ModelChoiceField(
        label=_("Institution"), queryset=Organisation.objects.none(), empty_label=None
    )
    competences = CompetenceChoiceField(
        label=_("Competences it illustrates"),
        queryset=Competence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    award = forms.ChoiceField(
        label=_("Pioneer award"),
        choices=[
            (Case.Award.NONE, _("Not nominated")),
            (Case.Award.NOMINEE, _("Nominated")),
        ],
        initial=Case.Award.NONE,
        widget=forms.RadioSelect,
    )
    award_year = forms.TypedChoiceField(
        label=_("Year of the award"), required=False, coerce=int, empty_value=None
    )
    comment = forms.CharField(
        label=_("A note for the reviewers"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_translated_fields()
        # An institution writes in its own language: the reader's comes first.
        self.lead_language = current_language()
        self.fields["organisation"].queryset = organisations
        self.fields["competences"].queryset = Competence.objects.select_related(
            "framework", "area"
        ).order_by("framework__slug", "area__position", "position")
        self.fields["award_year"].choices = _award_years()

    def competence_groups(self) -> list[tuple[str, list]]:
        """The competence checkboxes by framework, for one fieldset each."""
        by_framework: dict[str, list] = {}
        titles = {str(c.pk): c.framework.title for c in self.fields["competences"].queryset}
        for widget in self["competences"]:
            title = titles.get(str(widget.data["value"]), "")
            by_framework.setdefault(title, []).append(widget)
        return list(by_framework.items())

    def clean(self):
        data = super().clean()
        if data.get("award") == Case.Award.NOMINEE and not data.get("award_year"):
            self.add_error("award_year", _("Give the year of the award."))
        languages = [
            language
            for language in CONTENT_LANGUAGES
            if all(
                (data.get(f"{field}_{suffix(language)}") or "").strip() for field in self.translated
            )
        ]
        if not languages and not self.errors:
            raise forms.ValidationError(
                _(
                    "Write the title, the summary and the text in at least one language "
                    "(the same one for all three)."
                )
            )
        return data


class CaseReviewForm(forms.Form):
    OUTCOMES = [
        ("publish", _("Publish it")),
        ("request_changes", _("Ask for changes")),
        ("reject", _("Reject it")),
    ]
    outcome = forms.ChoiceField(label=_("Decision"), choices=OUTCOMES, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment for the institution"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you ask for changes or reject the case."),
    )
    award = forms.ChoiceField(label=_("Pioneer award"), choices=Case.Award.choices)
    award_year = forms.TypedChoiceField(
        label=_("Year of the award"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_year"].choices = _award_years()

    def clean(self):
        data = super().clean()
        if data.get("outcome") in ("request_changes", "reject") and not data.get("comment"):
            self.add_error("comment", _("Say what to change, or why the case is not published."))
        if data.get("award") in (Case.Award.NOMINEE, Case.Award.WINNER) and not data.get(
            "award_year"
        ):
            self.add_error("award_year", _("Give the year of the award."))
        return data
