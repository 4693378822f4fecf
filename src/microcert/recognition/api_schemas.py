"""Shapes of the recognition API's requests and responses (pydantic, through django-ninja).

Amounts are numbers in the scheme's unit (``unit``) and, beside them, in clock hours; dates
are ISO 8601. ``ErrorOut`` and ``InvalidOut`` are the API's common refusals: recognition
cannot import them from the learning floor above it, so they are declared again here, field
for field the same, and the OpenAPI document holds one of each.
"""

import datetime
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from microcert.core.api_paging import page_of
from microcert.core.api_types import IsoDate

from .forms import FIRST_DAY, LAST_DAY

UnitCode = Literal["hour", "lesson45", "standard50", "ects", "ceu", "cpd_unit"]
ApplicationStatus = Literal["submitted", "changes_requested", "approved", "rejected", "withdrawn"]
Outcome = Literal["approve", "request_changes", "reject"]

# --- Common (the same as the rest of the API) -------------------------------------------------


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


# --- Schemes ----------------------------------------------------------------------------------


class PeriodOut(Schema):
    start: datetime.date
    end: datetime.date = Field(description="The last day of the period.")


class SchemeRef(Schema):
    uuid: UUID
    slug: str
    title: str
    unit: UnitCode


class SchemeOut(Schema):
    uuid: UUID
    slug: str
    title: str
    description: str
    authority: OrganisationRef = Field(description="The authority's organisation.")
    country: str = Field(description="ISO 3166-1 alpha-2.")
    staff_categories: list[Literal["school_teacher", "university_lecturer"]]
    unit: UnitCode
    unit_label: str
    requirement: float = Field(description="Required per period, in the scheme's unit.")
    requirement_hours: float = Field(description="The requirement in clock hours.")
    period_years: int
    current_period: PeriodOut
    hours_per_ects: float
    hours_per_cpd_unit: float


# --- Applications and decisions ---------------------------------------------------------------


class VersionRef(Schema):
    uuid: UUID
    micro_credential: str = Field(description="The micro-credential's slug.")
    number: int
    title: str
    status: str
    workload_hours: float


class DecisionOut(Schema):
    uuid: UUID
    number: int = Field(description="1 for the first decision; the highest is in force.")
    outcome: Outcome
    equivalence: float | None = Field(description="Per credential, in the scheme's unit.")
    equivalence_hours: float | None = Field(description="The equivalence in clock hours.")
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    conditions: str
    reasons: str
    decided_by: PersonRef | None
    decided_at: datetime.datetime
    endorsement: str | None = Field(
        description="Where the authority's signed EndorsementCredential of an approval is."
    )


class OutcomesOut(Schema):
    """What the version has led to so far: its credentials by status."""

    issued: int
    active: int
    suspended: int
    revoked: int
    holders: int


class ApplicationOut(Schema):
    uuid: UUID
    status: ApplicationStatus
    scheme: SchemeRef
    authority: OrganisationRef
    version: VersionRef
    applicant: OrganisationRef
    submitted_by: PersonRef | None
    submitted_at: datetime.datetime
    motivation: str
    decision: DecisionOut | None = Field(description="The latest decision, if any.")


class ApplicationDetailOut(ApplicationOut):
    decisions: list[DecisionOut] = Field(description="Every decision, the latest first.")
    outcomes: OutcomesOut


class ApplicationIn(Schema):
    scheme: str = Field(max_length=80, description="The scheme's slug.")
    version: UUID = Field(description="The specification version's UUID (published).")
    applicant: str = Field(
        max_length=80, description="The slug of the organisation the caller applies for."
    )
    motivation: str = Field("", max_length=10000)


class WithdrawIn(Schema):
    reason: str = Field("", max_length=2000, description="Why, for the authority's record.")


class ResubmitIn(Schema):
    motivation: str = Field(
        "", max_length=10000, description="Replaces the motivation; empty keeps it."
    )


class DecisionIn(Schema):
    outcome: Outcome
    equivalence: Decimal | None = Field(
        None,
        max_digits=8,
        decimal_places=2,
        description="Approve: what one credential counts for, in the scheme's unit "
        "(hundredths at most).",
    )
    valid_from: IsoDate | None = Field(
        None, ge=FIRST_DAY, le=LAST_DAY, description="Approve: required."
    )
    valid_until: IsoDate | None = Field(None, ge=FIRST_DAY, le=LAST_DAY)
    conditions: str = Field("", max_length=10000)
    reasons: str = Field(
        "", max_length=10000, description="Required to ask for changes or to reject."
    )


# --- The PD ledger ----------------------------------------------------------------------------


class LedgerCredentialOut(Schema):
    uuid: UUID
    id: str = Field(description="The credential's id, as signed.")
    title: str
    status: str


class LedgerEntryOut(Schema):
    credential: LedgerCredentialOut
    awarded_on: datetime.date
    amount: float = Field(description="In the scheme's unit.")
    hours: float
    decision: UUID = Field(description="The decision the credential counts under.")
    decision_number: int
    application: UUID


class LedgerPeriodOut(Schema):
    start: datetime.date
    end: datetime.date
    is_current: bool
    amount: float
    hours: float
    requirement: float
    requirement_hours: float
    met: bool
    missing: float
    missing_hours: float
    entries: list[LedgerEntryOut]


class LedgerSchemeOut(Schema):
    scheme: SchemeRef
    authority: OrganisationRef
    periods: list[LedgerPeriodOut] = Field(description="The newest first; the current always.")


class LedgerOut(Schema):
    person: PersonRef
    schemes: list[LedgerSchemeOut]


# --- Compliance -------------------------------------------------------------------------------


class ComplianceRowOut(Schema):
    teacher: PersonRef
    credentials: int
    amount: float
    hours: float
    met: bool
    missing: float
    missing_hours: float


SchemePage = page_of(SchemeOut, "SchemePage")
ApplicationPage = page_of(ApplicationOut, "ApplicationPage")
CompliancePage = page_of(
    ComplianceRowOut,
    "CompliancePage",
    organisation=(OrganisationRef, ...),
    scheme=(SchemeRef, ...),
    period=(PeriodOut, ...),
    requirement=(float, ...),
    requirement_hours=(float, ...),
    met=(int, Field(description="How many of the teachers meet the requirement.")),
)
