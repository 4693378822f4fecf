"""Shapes of the Smart Classroom API's requests and responses (pydantic, through ninja).

``ErrorOut``, ``InvalidOut`` and ``PageParams`` are the API's common shapes; this floor cannot
import them from the web or learning floors above it, so they are declared again, field for
field the same.
"""

import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from microcert.core.api_types import IsoDateTime

ClassroomStatus = Literal["planned", "installing", "in_service", "closed"]
EquipmentKind = Literal[
    "interactive_display",
    "camera",
    "microphone_array",
    "lecture_capture",
    "pc",
    "network",
    "other",
]
EquipmentStatus = Literal["in_service", "under_repair", "retired"]
Priority = Literal["low", "normal", "high", "urgent"]
TicketStatus = Literal["open", "in_progress", "resolved", "closed"]
SessionKind = Literal["recorded_lecture", "live_broadcast", "training", "other"]
SessionStatus = Literal["scheduled", "held", "cancelled"]
Language = Literal["en", "vi", "zh-hans", "fr"]


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in words a person can act on.")


class InvalidOut(Schema):
    detail: list[dict[str, Any]] = Field(
        description="The request did not match the operation's schema: one entry per problem, "
        "with its location (``loc``), a message (``msg``) and a type."
    )


class ClassroomOrganisationRef(Schema):
    uuid: UUID
    slug: str
    name: str
    country: str = Field(description="ISO 3166-1 alpha-2.")


class ClassroomOfferingRef(Schema):
    uuid: UUID
    micro_credential: str = Field(description="The micro-credential's slug.")
    title: str
    host: str = Field(description="The slug of the organisation running the offering.")
    starts_on: datetime.date
    ends_on: datetime.date
    language: str


# --- Classrooms -------------------------------------------------------------------------------


class ClassroomOut(Schema):
    uuid: UUID
    slug: str
    name: str
    description: str
    host: ClassroomOrganisationRef
    sponsor: ClassroomOrganisationRef | None
    building: str
    room: str
    phase: str
    status: ClassroomStatus
    installed_on: datetime.date | None
    launched_on: datetime.date | None
    capacity: int | None
    time_zone: str
    equipment_count: int = Field(description="Items not retired.")
    sessions_held: int


class ClassroomPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ClassroomOut]


class EquipmentCountOut(Schema):
    kind: EquipmentKind
    in_service: int
    under_repair: int


class PublicUsageSessionOut(Schema):
    uuid: UUID
    kind: SessionKind
    status: SessionStatus
    title: str
    language: str
    starts_at: datetime.datetime
    duration_minutes: int
    participants: int
    offering: ClassroomOfferingRef | None


class ClassroomDetailOut(ClassroomOut):
    equipment: list[EquipmentCountOut] = Field(description="Counts by type and status.")
    hours_held: float
    participants: int
    recent_sessions: list[PublicUsageSessionOut]
    upcoming_sessions: list[PublicUsageSessionOut]


# --- Management -------------------------------------------------------------------------------


class EquipmentOut(Schema):
    uuid: UUID
    kind: EquipmentKind
    label: str
    vendor: str
    model: str
    serial: str
    warranty_until: datetime.date | None
    warranty: Literal["none", "valid", "expiring", "expired"] = Field(
        description="``expiring``: within 90 days."
    )
    status: EquipmentStatus
    notes: str
    open_tickets: int


class ClassroomPersonRef(Schema):
    uuid: UUID
    name: str


class EquipmentRef(Schema):
    uuid: UUID
    kind: EquipmentKind
    label: str
    status: EquipmentStatus


class TicketOut(Schema):
    uuid: UUID
    title: str
    description: str
    priority: Priority
    status: TicketStatus
    equipment: EquipmentRef | None
    opened_by: ClassroomPersonRef | None
    assignee: ClassroomPersonRef | None
    resolution: str
    opened_at: datetime.datetime
    started_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    closed_at: datetime.datetime | None


class TicketPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TicketOut]


class TicketIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10000)
    priority: Priority = "normal"
    equipment: UUID | None = Field(None, description="An item of this classroom.")


class TicketStatusIn(Schema):
    status: TicketStatus
    note: str = Field(
        "",
        max_length=10000,
        description="Required to resolve, to close without a resolution and to reopen.",
    )
    equipment_back_in_service: bool = False


class UsageSessionOut(PublicUsageSessionOut):
    recording_url: str
    recorded_by: ClassroomPersonRef | None


class UsageSessionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[UsageSessionOut]


class UsageSessionIn(Schema):
    kind: SessionKind
    status: Literal["held", "scheduled"] = "held"
    title: str = Field(min_length=1, max_length=200)
    language: Language = "en"
    starts_at: IsoDateTime = Field(description="ISO 8601 with a time zone offset.")
    duration_minutes: int = Field(ge=1, le=1440)
    participants: int = Field(0, ge=0, le=100_000)
    recording_url: str = Field("", max_length=500, description="https:// or http:// only.")
    offering: UUID | None = Field(None, description="An offering the session served.")
