"""Shapes of the learning API's requests and responses (pydantic, through django-ninja).

Responses carry stable fields: resources by UUID, states by their code (``draft``,
``in_review``, …), dates and times in ISO 8601 (UTC). Labels are in the language asked for
with ``Accept-Language``.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import StringConstraints

from microcert.core.api_paging import page_of

# --- Common -----------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in words a person can act on.")


class InvalidOut(Schema):
    detail: list[dict[str, Any]] = Field(
        description="The request did not match the operation's schema: one entry per problem, "
        "with its location (``loc``), a message (``msg``) and a type."
    )


class OrganisationRef(Schema):
    uuid: UUID
    slug: str
    name: str


class PersonRef(Schema):
    uuid: UUID
    name: str
    email: str


# A competence or level code (the frameworks hold them in at most 20 characters).
Code = Annotated[str, StringConstraints(min_length=1, max_length=20)]


# --- Self-assessment --------------------------------------------------------------------------


class LevelOut(Schema):
    code: str
    name: str
    position: int = Field(description="1 for the lowest level.")


class FrameworkOut(Schema):
    uuid: UUID
    slug: str
    version: str
    title: str
    uri: str
    levels: list[LevelOut]
    competences: int = Field(description="How many competences a self-assessment asks about.")


class SelfAssessmentIn(Schema):
    framework: str = Field(max_length=80, description="The framework's slug, e.g. digcompedu.")
    version: str | None = Field(
        None, max_length=40, description="A version of the framework; default: the newest."
    )


class SelfAssessmentOut(Schema):
    uuid: UUID
    framework: str = Field(description="The framework's slug.")
    framework_version: str
    status: Literal["in_progress", "completed"]
    created_at: datetime.datetime
    completed_at: datetime.datetime | None
    answered: int
    total: int


class CompetenceAnswerOut(Schema):
    code: str
    name: str
    level: str | None = Field(description="The level code chosen, or null while unanswered.")


class AreaProfileOut(Schema):
    code: str
    name: str
    mean: float | None = Field(description="Mean level position of the answered competences.")
    level: str | None = Field(description="The level the mean rounds down to.")
    competences: list[CompetenceAnswerOut]


class ProfileOut(Schema):
    overall: float | None
    level: str | None
    answered: int
    total: int
    areas: list[AreaProfileOut]


class SelfAssessmentDetailOut(SelfAssessmentOut):
    levels: list[LevelOut]
    profile: ProfileOut


class SuggestionOut(Schema):
    micro_credential: str = Field(description="The micro-credential's slug.")
    version: UUID
    title: str
    competence: str = Field(description="The competence code it certifies.")
    current_level: str
    target_level: str


# --- PD plans ---------------------------------------------------------------------------------


class PlanIn(Schema):
    year: int
    organisation: str = Field(max_length=80, description="The institution's slug.")


class PlanItemIn(Schema):
    planned_hours: Decimal = Field(description="Hours planned, 0–1000, one decimal place.")
    note: str = Field("", max_length=300)


class PlanItemOut(Schema):
    micro_credential: str
    title: str
    planned_hours: float
    note: str


class PlanOut(Schema):
    uuid: UUID
    year: int
    status: Literal["draft", "submitted", "approved", "returned"]
    teacher: PersonRef
    organisation: OrganisationRef
    deadline: datetime.date
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    decided_by: PersonRef | None
    comment: str
    planned_hours: float
    items: list[PlanItemOut]


class PlanDecisionIn(Schema):
    comment: str = Field("", max_length=5000)


# --- Offerings and enrolments -----------------------------------------------------------------


class OfferingOut(Schema):
    uuid: UUID
    micro_credential: str
    version: UUID
    title: str
    host: OrganisationRef
    starts_on: datetime.date
    ends_on: datetime.date
    language: str
    mode: str
    status: str
    capacity: int
    places_left: int
    waiting: int


class EnrolmentIn(Schema):
    offering: UUID


class SubmissionRef(Schema):
    uuid: UUID
    attempt: int
    status: str


class EnrolmentOut(Schema):
    uuid: UUID
    status: Literal["enrolled", "waitlisted", "withdrawn", "completed"]
    offering: OfferingOut
    enrolled_at: datetime.datetime | None
    waitlisted_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None
    waiting_position: int | None = Field(description="1 for the next in line; null if enrolled.")
    submissions: list[SubmissionRef]


# --- Submissions and evidence -----------------------------------------------------------------


class RequirementOut(Schema):
    id: int
    kind: Literal["file", "link", "reflection"]
    title: str
    description: str


class EvidenceOut(Schema):
    uuid: UUID
    requirement: int | None
    source: str
    title: str
    file_name: str
    content_type: str
    size: int | None
    sha256: str
    url: str
    has_file: bool
    created_at: datetime.datetime


class ChoiceOut(Schema):
    id: int
    text: str


class QuestionOut(Schema):
    id: int
    text: str
    choices: list[ChoiceOut]


class ScoreOut(Schema):
    criterion: int
    level: int
    comment: str


class ReviewResultOut(Schema):
    uuid: UUID
    role: str
    decision: str
    feedback: str
    to_fix: str
    score: int | None
    completed_at: datetime.datetime | None
    scores: list[ScoreOut]


class CredentialRef(Schema):
    uuid: UUID
    id: str = Field(description="The credential's identifier as written in it.")
    status: str
    valid_from: datetime.datetime


class SubmissionOut(Schema):
    uuid: UUID
    enrolment: UUID
    micro_credential: str
    version: UUID
    title: str
    attempt: int
    status: Literal["draft", "submitted", "in_review", "resubmit", "passed", "failed"]
    reflection: str
    reflection_min_characters: int
    knowledge_answers: dict[str, int]
    knowledge_score: int | None
    knowledge_questions: list[QuestionOut]
    requirements: list[RequirementOut]
    evidence: list[EvidenceOut]
    missing: list[str] = Field(description="Requirements not yet met, by title.")
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    reviews: list[ReviewResultOut] = Field(
        description="Completed reviews the caller may read (the teacher: once decided)."
    )
    credential: CredentialRef | None


class SubmissionDraftIn(Schema):
    reflection: str | None = None
    knowledge_answers: dict[str, int] | None = Field(None, description="{question id: choice id}.")


class EvidenceLinkIn(Schema):
    requirement: int
    url: str = Field(max_length=2000)
    title: str = Field("", max_length=255)


# --- Reviews ----------------------------------------------------------------------------------


class RubricLevelOut(Schema):
    id: int
    position: int
    score: int
    label: str
    descriptor: str
    passing: bool


class RubricCriterionOut(Schema):
    id: int
    position: int
    title: str
    description: str
    weight: int
    levels: list[RubricLevelOut]


class QueueSubmissionOut(Schema):
    uuid: UUID
    micro_credential: str
    title: str
    attempt: int
    status: str
    submitted_at: datetime.datetime | None


class ReviewOut(Schema):
    uuid: UUID
    role: Literal["first", "second", "moderation"]
    status: Literal["assigned", "completed", "withdrawn"]
    assigned_at: datetime.datetime
    submission: QueueSubmissionOut


class SubmissionForReviewOut(QueueSubmissionOut):
    reflection: str
    knowledge_score: int | None
    requirements: list[RequirementOut]
    evidence: list[EvidenceOut]
    rubric: list[RubricCriterionOut]
    other_reviews: list[ReviewResultOut] = Field(
        description="Other completed reviews this reviewer may read (a moderator reads both)."
    )


class ReviewDetailOut(Schema):
    uuid: UUID
    role: Literal["first", "second", "moderation"]
    status: Literal["assigned", "completed", "withdrawn"]
    assigned_at: datetime.datetime
    decision: str
    feedback: str
    to_fix: str
    score: int | None
    completed_at: datetime.datetime | None
    scores: list[ScoreOut]
    submission: SubmissionForReviewOut


class ReviewCompleteIn(Schema):
    scores: dict[str, int] = Field(description="{rubric criterion id: rubric level id}.")
    decision: Literal["pass", "resubmit", "fail"]
    feedback: str = Field(max_length=20000)
    to_fix: str = Field("", max_length=20000)
    comments: dict[str, str] = Field(
        default_factory=dict, description="{rubric criterion id: comment}, optional."
    )


class ReviewAssignIn(Schema):
    assessor: UUID = Field(description="The assessor's person UUID.")
    role: Literal["first", "second", "moderation"] | None = None


# --- Institutions -----------------------------------------------------------------------------


class PlanSummaryOut(Schema):
    uuid: UUID
    status: str
    planned_hours: float


class TeacherProgressOut(Schema):
    teacher: PersonRef
    plan: PlanSummaryOut | None
    enrolments: int
    in_review: int
    credentials: int


FrameworkPage = page_of(FrameworkOut, "FrameworkPage")
SelfAssessmentPage = page_of(SelfAssessmentOut, "SelfAssessmentPage")
PlanPage = page_of(PlanOut, "PlanPage")
OfferingPage = page_of(OfferingOut, "OfferingPage")
EnrolmentPage = page_of(EnrolmentOut, "EnrolmentPage")
ReviewPage = page_of(ReviewOut, "ReviewPage")
QueueSubmissionPage = page_of(QueueSubmissionOut, "QueueSubmissionPage")
TeacherProgressPage = page_of(TeacherProgressOut, "TeacherProgressPage")


class NewTeacherIn(Schema):
    email: str = Field(..., max_length=254)
    name: str = Field(..., max_length=200)
    language: str = Field("en", max_length=10, description="en, vi, zh-hans or fr")


class TeachersIn(Schema):
    people: list[NewTeacherIn] = Field(..., min_length=1, max_length=2000)


class TeachersAddedOut(Schema):
    created: list[PersonRef]
    attached: list[PersonRef]
    already: list[PersonRef]
