"""Shapes of the news API's requests and responses (pydantic, through django-ninja).

Translated content is sent as ``{"en": …, "vi": …, "zh-hans": …, "fr": …}`` (any subset);
it is read back in the language of ``Accept-Language`` with ``language`` saying which one
each text is really in (English when a translation is missing). ``ErrorOut``, ``InvalidOut``
and ``PageParams`` are the API's common shapes, declared again field for field (news cannot
import them from the floors above it).
"""

import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

from microcert.core.api_paging import page_of
from microcert.core.api_types import IsoDateTime

Language = Literal["en", "vi", "zh-hans", "fr"]
Translations = dict[Language, str]
EventType = Literal["", "visit", "policy_dialogue", "partnership_meeting", "workshop", "other"]


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in words a person can act on.")


class InvalidOut(Schema):
    detail: list[dict[str, Any]] = Field(
        description="The request did not match the operation's schema: one entry per problem, "
        "with its location (``loc``), a message (``msg``) and a type."
    )


class NewsOrganisationRef(Schema):
    uuid: UUID
    slug: str
    name: str


class LocalizedText(Schema):
    text: str
    language: str = Field(description="The language the text is really written in.")


class NewsTagOut(Schema):
    slug: str
    name: str


class NewsImageOut(Schema):
    uuid: UUID
    url: str
    content_type: str
    width: int
    height: int
    alt: LocalizedText
    caption: LocalizedText


class EventDetailsOut(Schema):
    event_type: str
    time_zone: str = Field(description="The IANA time zone the event takes place in.")
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    place: LocalizedText


class ArticleOut(Schema):
    uuid: UUID
    slug: str
    kind: Literal["news", "event"]
    url: str
    title: LocalizedText
    summary: LocalizedText
    publish_at: datetime.datetime | None
    tags: list[NewsTagOut]
    partners: list[NewsOrganisationRef]
    countries: list[str] = Field(description="ISO 3166-1 alpha-2 codes.")
    event: EventDetailsOut | None


class ArticleDetailOut(ArticleOut):
    body: LocalizedText
    images: list[NewsImageOut]


class ManagedArticleOut(ArticleDetailOut):
    state: Literal["draft", "scheduled", "published"]
    translations: dict[str, Translations] = Field(
        description="Every language of title, summary, body and place, as stored."
    )


ArticlePage = page_of(ArticleOut, "ArticlePage")
ManagedArticlePage = page_of(ManagedArticleOut, "ManagedArticlePage")


class ArticleIn(Schema):
    slug: str = Field(max_length=100)
    kind: Literal["news", "event"] = "news"
    title: Translations = Field(description="The English title is required.")
    summary: Translations = Field(default_factory=dict)
    body: Translations = Field(
        default_factory=dict,
        description="Plain text: blank lines between paragraphs, '- ' list items, '## ' "
        "sub-headings. HTML is shown as text, never interpreted.",
    )
    tags: list[str] = Field(default_factory=list, description="Slugs of existing tags.")
    partners: list[str] = Field(default_factory=list, description="Slugs of organisations.")
    countries: list[str] = Field(default_factory=list)
    event_type: EventType = ""
    starts_at: IsoDateTime | None = None
    ends_at: IsoDateTime | None = None
    time_zone: str = Field("UTC", max_length=64, description="IANA name, e.g. Asia/Ho_Chi_Minh.")
    place: Translations = Field(default_factory=dict)


class ArticlePatch(Schema):
    slug: str | None = Field(None, max_length=100)
    kind: Literal["news", "event"] | None = None
    title: Translations | None = None
    summary: Translations | None = None
    body: Translations | None = None
    tags: list[str] | None = None
    partners: list[str] | None = None
    countries: list[str] | None = None
    event_type: EventType | None = None
    starts_at: IsoDateTime | None = None
    ends_at: IsoDateTime | None = None
    time_zone: str | None = Field(None, max_length=64)
    place: Translations | None = None


class PublishIn(Schema):
    publish_at: IsoDateTime | None = Field(
        None,
        description="Omit to publish now; a future moment (with its time zone) schedules it.",
    )


class UnpublishIn(Schema):
    reason: str = Field("", max_length=2000)


# --- Cases ------------------------------------------------------------------------------------

CaseStatus = Literal["submitted", "changes_requested", "resubmitted", "published", "rejected"]


class CompetenceRef(Schema):
    uuid: UUID
    framework: str
    code: str
    name: str


class CaseOut(Schema):
    uuid: UUID
    slug: str
    url: str
    organisation: NewsOrganisationRef
    country: str
    title: LocalizedText
    summary: LocalizedText
    award: Literal["none", "nominee", "winner"]
    award_year: int | None
    published_at: datetime.datetime | None
    competences: list[CompetenceRef]


class CaseDetailOut(CaseOut):
    body: LocalizedText


class CaseStepOut(Schema):
    step: str
    text: str
    at: datetime.datetime


class OwnCaseOut(CaseDetailOut):
    status: CaseStatus
    submitted_at: datetime.datetime
    history: list[CaseStepOut]


CasePage = page_of(CaseOut, "CasePage")
OwnCasePage = page_of(OwnCaseOut, "OwnCasePage")


class CaseIn(Schema):
    organisation: str = Field(description="Slug of the organisation the case is shared for.")
    title: Translations
    summary: Translations
    body: Translations
    competences: list[UUID] = Field(default_factory=list)
    award: Literal["none", "nominee"] = "none"
    award_year: int | None = None
    comment: str = Field("", max_length=4000)


class CaseResubmitIn(Schema):
    title: Translations | None = None
    summary: Translations | None = None
    body: Translations | None = None
    competences: list[UUID] | None = None
    award: Literal["none", "nominee"] | None = None
    award_year: int | None = None
    comment: str = Field("", max_length=4000)


class CaseDecisionIn(Schema):
    outcome: Literal["publish", "request_changes", "reject"]
    comment: str = Field("", max_length=4000)
    award: Literal["none", "nominee", "winner"] | None = None
    award_year: int | None = None
