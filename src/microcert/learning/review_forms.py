"""Forms of the assessor's and the institution's pages.

They check the shape of what was sent; the workflow's rules (what a pass needs, attempts,
conflicts of interest) stay in ``services.py``, whose ``LearningError`` the views show.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from microcert.catalog.models import RubricCriterion, RubricLevel

from .models import Review

MAX_COMMENT = 5000
MAX_FEEDBACK = 20000


@dataclass
class LevelChoice:
    level: RubricLevel
    checked: bool
    chosen_by: list[str]  # earlier reviews that chose this level (shown to a moderator)


@dataclass
class CriterionRow:
    criterion: RubricCriterion
    levels: list[LevelChoice]
    score: forms.BoundField
    comment: forms.BoundField


def role_label(review: Review) -> str:
    """How a review is named beside others: the first one is the "first review"."""
    if review.role == Review.Role.FIRST:
        return str(_("First review"))
    return str(review.get_role_display())


class ReviewForm(forms.Form):
    """The judgement on one submission: a level per rubric criterion, an optional comment on
    each, written feedback, the decision and, for a resubmission, what to fix."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Review.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose pass, resubmit or fail.")},
    )
    feedback = forms.CharField(
        label=_("Feedback for the teacher"),
        max_length=MAX_FEEDBACK,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write feedback for the teacher.")},
    )
    to_fix = forms.CharField(
        label=_("What to fix"),
        required=False,
        max_length=MAX_FEEDBACK,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you ask for a resubmission: what the next attempt must show."),
    )

    def __init__(self, *args, criteria: Sequence[RubricCriterion], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[self.score_name(criterion)] = forms.TypedChoiceField(
                label=criterion.title,
                choices=[(lv.pk, lv.label) for lv in criterion.levels.all()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose a level for this criterion."),
                    "invalid_choice": _("Choose one of this criterion's levels."),
                },
            )
            self.fields[self.comment_name(criterion)] = forms.CharField(
                label=_("Comment on “%(criterion)s” (optional)") % {"criterion": criterion.title},
                required=False,
                max_length=MAX_COMMENT,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def score_name(criterion: RubricCriterion) -> str:
        return f"score-{criterion.pk}"

    @staticmethod
    def comment_name(criterion: RubricCriterion) -> str:
        return f"comment-{criterion.pk}"

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == Review.Decision.RESUBMIT and not (data.get("to_fix") or ""):
            self.add_error("to_fix", _("Say what the teacher should fix before resubmitting."))
        return data

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[self.score_name(c)] for c in self.criteria}

    def comments(self) -> dict[int, str]:
        return {
            c.pk: self.cleaned_data.get(self.comment_name(c), "")
            for c in self.criteria
            if self.cleaned_data.get(self.comment_name(c))
        }

    def problems(self) -> list[tuple[str, str, str]]:
        """``(anchor, label, message)`` for each field with an error, in the order of the
        page, for the summary at its top."""
        names: list[str] = []
        for criterion in self.criteria:
            names += [self.score_name(criterion), self.comment_name(criterion)]
        names += ["feedback", "decision", "to_fix"]
        anchors = {self.score_name(c): f"criterion-{c.pk}" for c in self.criteria}
        anchors["decision"] = "decision"
        return [
            (anchors.get(name) or self[name].auto_id, str(self[name].label), error)
            for name in names
            for error in self.errors.get(name, [])
        ]

    def rows(self, earlier: Iterable[Review] = ()) -> list[CriterionRow]:
        """The rubric table: each criterion with its levels, which one is chosen, and which
        earlier reviews chose each level."""
        marks: dict[tuple[int, int], list[str]] = {}
        for review in earlier:
            for score in review.scores.all():
                marks.setdefault((score.criterion_id, score.level_id), []).append(
                    role_label(review)
                )
        rows = []
        for criterion in self.criteria:
            score = self[self.score_name(criterion)]
            chosen = str(score.value() or "")
            rows.append(
                CriterionRow(
                    criterion=criterion,
                    levels=[
                        LevelChoice(
                            level=lv,
                            checked=chosen == str(lv.pk),
                            chosen_by=marks.get((criterion.pk, lv.pk), []),
                        )
                        for lv in criterion.levels.all()
                    ],
                    score=score,
                    comment=self[self.comment_name(criterion)],
                )
            )
        return rows


class AssignForm(forms.Form):
    """A programme manager's choice of assessor for one submission."""

    submission = forms.UUIDField(widget=forms.HiddenInput)
    assessor = forms.ChoiceField(label=_("Assessor"))

    def __init__(self, *args, assessors: Sequence = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessor"].choices = [("", _("Choose an assessor"))] + [
            (str(a.uuid), _assessor_label(a)) for a in assessors
        ]


def _assessor_label(assessor) -> str:
    open_reviews = getattr(assessor, "open_reviews", None)
    name = assessor.get_full_name()
    if open_reviews is None:
        return name
    return _("%(name)s (%(count)s open)") % {"name": name, "count": open_reviews}


class PlanDecisionForm(forms.Form):
    """Approve a PD plan (a comment is optional) or return it (a comment says what to change)."""

    APPROVE = "approve"
    RETURN = "return"

    plan = forms.UUIDField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (RETURN, _("Return"))])
    comment = forms.CharField(
        label=_("Comment to the teacher"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional when approving; say what should change when returning."),
    )
