"""Shapes of the partner network API's requests and responses (pydantic, through ninja).

``ErrorOut``, ``InvalidOut`` and ``PageParams`` are the API's common shapes; this floor cannot
import them from the floors above it, so they are declared again, field for field the same.
"""

import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from microcert.core.api_types import IsoDate

Language = Literal["en", "vi", "zh-hans", "fr"]
MembershipKind = Literal["partner_hei", "national_centre", "enterprise_partner", "international"]
OrganisationKind = Literal["hei", "ministry", "international", "enterprise"]
CooperationKind = Literal[
    "network_accession",
    "programme_codevelopment",
    "pd_recognition",
    "smart_classroom",
    "visit_dialogue",
    "other",
]
ApplicationStatus = Literal[
    "submitted", "information_requested", "approved", "declined", "withdrawn"
]
AgreementStatus = Literal["draft", "signed", "in_force", "expired", "terminated"]
ItemStatus = Literal["planned", "in_progress", "done", "cancelled"]
PositionKind = Literal[
    "presidency", "secretary_general", "deputy_secretary_general", "regional_coordinator"
]


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in words a person can act on.")


class InvalidOut(Schema):
    detail: list[dict[str, Any]] = Field(
        description="The request did not match the operation's schema: one entry per problem, "
        "with its location (``loc``), a message (``msg``) and a type."
    )


class NetworkOrganisationRef(Schema):
    uuid: UUID
    slug: str
    name: str
    country: str = Field(description="ISO 3166-1 alpha-2.")


# --- Accession --------------------------------------------------------------------------------


class ContactIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)
    position: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)


class ProposedOrganisationIn(Schema):
    name: str = Field(min_length=1, max_length=255)
    kind: OrganisationKind
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2.")
    subregion: str = Field(max_length=30, description="UN M49 sub-region code, e.g. eastern_asia.")
    short_name: str = Field("", max_length=40)
    city: str = Field("", max_length=120)
    website: str = Field("", max_length=200)


class AccessionApplicationIn(Schema):
    organisation: str | None = Field(
        None,
        max_length=80,
        description="The slug of an organisation already on the platform; or give `proposed`.",
    )
    proposed: ProposedOrganisationIn | None = Field(
        None, description="A new institution, when `organisation` is not given."
    )
    membership_kind: MembershipKind
    contacts: list[ContactIn] = Field(
        min_length=1, max_length=5, description="The first is the primary contact."
    )
    motivation: str = Field(min_length=1, max_length=5000)
    intended_cooperation: list[CooperationKind] = Field(min_length=1, max_length=6)
    language: Language = "en"


class AccessionApplicationReceivedOut(Schema):
    uuid: UUID
    status: ApplicationStatus
    detail: str


class ContactOut(Schema):
    name: str
    email: str
    position: str
    phone: str
    is_primary: bool


class MessageOut(Schema):
    kind: str
    body: str
    from_applicant: bool
    created_at: datetime.datetime


class AccessionApplicationOut(Schema):
    uuid: UUID
    status: ApplicationStatus
    organisation: NetworkOrganisationRef | None = Field(
        description="The organisation, once it exists on the platform."
    )
    organisation_name: str
    is_new_organisation: bool
    country: str
    membership_kind: MembershipKind
    intended_cooperation: list[str]
    language: str
    created_at: datetime.datetime
    decided_at: datetime.datetime | None


class AccessionApplicationDetailOut(AccessionApplicationOut):
    motivation: str
    contacts: list[ContactOut]
    messages: list[MessageOut]


class AccessionApplicationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AccessionApplicationOut]


class AccessionApplicationFilter(Schema):
    status: ApplicationStatus | None = Field(None, description="Only those in this status.")


class AccessionDecisionIn(Schema):
    action: Literal["request_information", "approve", "decline"]
    message: str = Field(
        "",
        max_length=5000,
        description="The request, or the reasons for declining (both required), or a note.",
    )


# --- Agreements -------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    kind: CooperationKind
    title: str
    description: str
    owner: NetworkOrganisationRef | None
    due_on: datetime.date | None
    status: ItemStatus
    overdue: bool


class AgreementOut(Schema):
    uuid: UUID
    reference: str
    kind: str
    title: str
    status: AgreementStatus
    parties: list[NetworkOrganisationRef]
    signed_on: datetime.date | None
    effective_from: datetime.date | None
    expires_on: datetime.date | None


class AgreementDetailOut(AgreementOut):
    summary: str
    items: list[ItemOut]
    next_statuses: list[AgreementStatus]


class AgreementPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AgreementOut]


class AgreementStatusIn(Schema):
    status: AgreementStatus
    on: IsoDate | None = Field(None, description="The day of the step; today if absent.")
    expires_on: IsoDate | None = Field(
        None, description="When it comes into force: the day it will expire, if any."
    )
    reason: str = Field("", max_length=5000)


class ItemStatusIn(Schema):
    status: ItemStatus
    note: str = Field("", max_length=5000)


# --- The network ------------------------------------------------------------------------------


class CentresFilter(Schema):
    on: IsoDate | None = Field(None, description="In force on this day; today if absent.")


class NationalCentreOut(Schema):
    country: str
    organisation: NetworkOrganisationRef
    agreement: str = Field(description="The designating agreement's reference.")
    starts_on: datetime.date
    ends_on: datetime.date | None


class PositionOut(Schema):
    year: int
    kind: PositionKind
    subregion: str
    organisation: NetworkOrganisationRef
    person: str | None = Field(description="The holder's name, where one is named.")
