"""Forms of the teacher's pages: they parse and check input; the services do the writing.

Values a person cannot type (a framework, a level, a choice of the knowledge check) arrive as
choices, so a tampered value is a form error, never an exception further down.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcert.catalog.models import EvidenceRequirement, MicroCredential, SpecificationVersion
from microcert.frameworks.models import Competence, CompetencyFramework, ProficiencyLevel
from microcert.network.models import Organisation

from .models import EvidenceItem, KnowledgeQuestion, Submission

# --- Self-assessment --------------------------------------------------------------------------


class SelfAssessmentStartForm(forms.Form):
    framework = forms.ModelChoiceField(
        queryset=CompetencyFramework.objects.none(),
        to_field_name="uuid",
        error_messages={"invalid_choice": _("Choose one of the frameworks listed.")},
    )

    def __init__(self, *args, frameworks: QuerySet[CompetencyFramework], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks


def competence_field_name(competence: Competence) -> str:
    return f"c-{competence.code}"


class SelfAssessmentForm(forms.Form):
    """One optional choice of level per competence: answers may come in any order and number."""

    def __init__(
        self,
        *args,
        competences: Iterable[Competence],
        levels: Sequence[ProficiencyLevel],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [(level.code, level.code) for level in levels]
        self.competences = list(competences)
        for competence in self.competences:
            self.fields[competence_field_name(competence)] = forms.ChoiceField(
                label=f"{competence.code} {competence.name}",
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": _("%(code)s: choose one of the levels shown.")
                    % {"code": competence.code}
                },
            )

    def answers(self) -> dict[str, str]:
        """``{competence code: level code}`` for the competences answered in this form."""
        return {
            competence.code: self.cleaned_data[competence_field_name(competence)]
            for competence in self.competences
            if self.cleaned_data.get(competence_field_name(competence))
        }


# --- PD plan ----------------------------------------------------------------------------------


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    organisation = _OrganisationChoice(
        label=_("Institution"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        empty_label=None,
        error_messages={"invalid_choice": _("Choose an institution where you teach.")},
    )

    def __init__(self, *args, organisations: QuerySet[Organisation], **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = organisations.order_by("name")
        if len(field.queryset) == 1:
            # Only one place to plan for: it is chosen, not asked.
            field.initial = field.queryset[0].slug
            field.widget = forms.HiddenInput()
        self.single_organisation = field.queryset[0] if len(field.queryset) == 1 else None


def plannable_micro_credentials() -> QuerySet[MicroCredential]:
    return (
        MicroCredential.objects.filter(
            kind="micro_credential", versions__status=SpecificationVersion.Status.PUBLISHED
        )
        .distinct()
        .order_by("slug")
    )


class _MicroCredentialChoice(forms.ModelChoiceField):
    """Micro-credentials named by the title of their published version."""

    def __init__(self, *args, titles: dict[int, str], **kwargs) -> None:
        self.titles = titles
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: MicroCredential) -> str:
        return self.titles.get(obj.pk, obj.slug)


class PlanItemForm(forms.Form):
    micro_credential = _MicroCredentialChoice(
        label=_("Micro-credential"),
        queryset=MicroCredential.objects.none(),
        to_field_name="slug",
        titles={},
        empty_label=_("Choose a micro-credential"),
        error_messages={
            "invalid_choice": _("Choose a micro-credential of the published catalogue.")
        },
    )
    planned_hours = forms.DecimalField(
        label=_("Planned hours"),
        min_value=Decimal(0),
        max_value=Decimal(1000),
        decimal_places=1,
        max_digits=6,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def __init__(
        self,
        *args,
        choices: QuerySet[MicroCredential],
        titles: dict[int, str],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["micro_credential"]
        field.queryset = choices
        field.titles = titles


class PlanItemRemoveForm(forms.Form):
    micro_credential = forms.ModelChoiceField(
        queryset=MicroCredential.objects.all(),
        to_field_name="slug",
        error_messages={"invalid_choice": _("That micro-credential is not in the plan.")},
    )


# --- Submission -------------------------------------------------------------------------------


@dataclass
class RequirementBlock:
    """What the submission page shows for one evidence requirement."""

    requirement: EvidenceRequirement
    items: list[EvidenceItem]
    fields: list[forms.BoundField]


def file_field_name(requirement: EvidenceRequirement) -> str:
    return f"file-{requirement.pk}"


def url_field_name(requirement: EvidenceRequirement) -> str:
    return f"url-{requirement.pk}"


def link_title_field_name(requirement: EvidenceRequirement) -> str:
    return f"title-{requirement.pk}"


def question_field_name(question: KnowledgeQuestion) -> str:
    return f"q-{question.pk}"


class SubmissionForm(forms.Form):
    """Everything a teacher fills in on an attempt, in one form, so nothing typed is lost
    whichever button they press: files, links, the reflection and the knowledge check."""

    reflection = forms.CharField(
        label=_("Your written reflection"),
        required=False,
        strip=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    def __init__(
        self,
        *args,
        submission: Submission,
        requirements: Sequence[EvidenceRequirement],
        questions: Sequence[KnowledgeQuestion],
        accept: str,
        **kwargs,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("reflection", submission.reflection)
        for question in questions:
            chosen = submission.knowledge_answers.get(str(question.pk))
            if chosen is not None:
                kwargs["initial"].setdefault(question_field_name(question), str(chosen))
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.requirements = list(requirements)
        self.questions = list(questions)
        if not any(r.kind == EvidenceRequirement.Kind.REFLECTION for r in self.requirements):
            del self.fields["reflection"]
        for requirement in self.requirements:
            if requirement.kind == EvidenceRequirement.Kind.FILE:
                self.fields[file_field_name(requirement)] = forms.FileField(
                    label=_("Choose a file"),
                    required=False,
                    allow_empty_file=True,  # the service says why an empty file is refused
                    widget=forms.ClearableFileInput(attrs={"accept": accept}),
                )
            elif requirement.kind == EvidenceRequirement.Kind.LINK:
                self.fields[url_field_name(requirement)] = forms.CharField(
                    label=_("Web address"),
                    required=False,
                    max_length=1000,
                    widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
                )
                self.fields[link_title_field_name(requirement)] = forms.CharField(
                    label=_("What it shows (optional)"), required=False, max_length=255
                )
        for question in self.questions:
            self.fields[question_field_name(question)] = forms.ChoiceField(
                label=question.text,
                choices=[(str(c.pk), c.text) for c in question.choices.all()],
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": _("An answer is not one of the question's choices.")
                },
            )

    def blocks(self) -> list[RequirementBlock]:
        """One block per requirement, with its evidence and the inputs that add to it."""
        evidence = list(self.submission.evidence.all())
        blocks = []
        for requirement in self.requirements:
            names = [
                file_field_name(requirement),
                url_field_name(requirement),
                link_title_field_name(requirement),
            ]
            if requirement.kind == EvidenceRequirement.Kind.REFLECTION:
                names = ["reflection"]
            blocks.append(
                RequirementBlock(
                    requirement=requirement,
                    items=[i for i in evidence if i.requirement_id == requirement.pk],
                    fields=[self[name] for name in names if name in self.fields],
                )
            )
        return blocks

    def unattached(self) -> list[EvidenceItem]:
        """Evidence not tied to a requirement (reported by a learning platform)."""
        return [i for i in self.submission.evidence.all() if i.requirement_id is None]

    def question_fields(self) -> list[forms.BoundField]:
        return [self[question_field_name(q)] for q in self.questions]

    def chosen_files(self) -> list[tuple[EvidenceRequirement, object]]:
        return [
            (r, self.cleaned_data[file_field_name(r)])
            for r in self.requirements
            if self.cleaned_data.get(file_field_name(r))
        ]

    def links(self) -> list[tuple[EvidenceRequirement, str, str]]:
        return [
            (
                r,
                self.cleaned_data[url_field_name(r)].strip(),
                self.cleaned_data.get(link_title_field_name(r), ""),
            )
            for r in self.requirements
            if (self.cleaned_data.get(url_field_name(r)) or "").strip()
        ]

    def knowledge_answers(self) -> dict[str, str] | None:
        """The answers given, or None when the attempt has no knowledge check."""
        if not self.questions:
            return None
        return {
            str(q.pk): self.cleaned_data[question_field_name(q)]
            for q in self.questions
            if self.cleaned_data.get(question_field_name(q))
        }


# --- An institution's teachers ----------------------------------------------------------------


def _language_choices() -> list[tuple[str, str]]:
    from django.conf import settings

    return [(code, _(name)) for code, name in settings.LANGUAGES]


class TeacherAddForm(forms.Form):
    legal_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    language = forms.ChoiceField(
        label=_("Language of their mails and pages"), choices=_language_choices
    )


class RosterUploadForm(forms.Form):
    roster = forms.FileField(
        label=_("A list of teachers (CSV)"),
        help_text=_(
            "UTF-8 CSV with a first line naming the columns: email, name and, if you like, "
            "language (en, vi, zh-hans or fr). Everyone is added, or nobody if a line is wrong."
        ),
    )
