"""Reads of news, events and cases, for the pages, the feeds, the API and other apps.

Whether an article is public is decided here, when it is read: published, and its
``publish_at`` not in the future. A scheduled article therefore appears by itself.
"""

import datetime
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django_countries import countries as all_countries
from modeltranslation.utils import build_localized_fieldname

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.network import selectors as network_selectors
from microcert.network.models import Organisation

from .models import Article, ArticleImage, Case, CaseComment, Tag


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def public_q(now: datetime.datetime | None = None) -> Q:
    """The articles anyone may read at ``now``."""
    return Q(status=Article.Status.PUBLISHED, publish_at__lte=_now(now))


def _images() -> Prefetch:
    return Prefetch("images", queryset=ArticleImage.objects.order_by("position", "created_at"))


def _with_relations(articles: QuerySet[Article]) -> QuerySet[Article]:
    return articles.select_related("author").prefetch_related(_images(), "tags", "partners")


def _country_code(country) -> str:
    return str(getattr(country, "code", country) or "").upper()


def _with_country(articles: QuerySet[Article], country) -> QuerySet[Article]:
    code = _country_code(country)
    # Codes are stored comma-separated ("VN,CN") and are all two letters, so a code matches
    # only itself.
    return articles.filter(countries__contains=code) if code else articles


def published_articles(
    *,
    organisation: Organisation | None = None,
    country=None,
    limit: int | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Article]:
    """Public articles, newest first; of one partner organisation or one country (an ISO
    code or a ``Country``) if given."""
    articles = _with_relations(_newest_public(organisation, country, now))
    return articles[:limit] if limit else articles


def article_cards(*, organisation: Organisation | None = None, limit: int = 3) -> QuerySet[Article]:
    """The newest public articles as cards show them (their pictures, not their tags or
    partners): two queries, whatever the number."""
    return _newest_public(organisation, None, None).prefetch_related(_images())[:limit]


def _newest_public(organisation: Organisation | None, country, now) -> QuerySet[Article]:
    articles = Article.objects.filter(public_q(now))
    if organisation is not None:
        articles = articles.filter(partners=organisation)
    return _with_country(articles, country).order_by("-publish_at", "-pk")


def filter_articles(
    articles: QuerySet[Article],
    *,
    kind: str = "",
    tag: Tag | None = None,
    country: str = "",
    partner: Organisation | None = None,
) -> QuerySet[Article]:
    if kind:
        articles = articles.filter(kind=kind)
    if tag is not None:
        articles = articles.filter(tags=tag)
    if partner is not None:
        articles = articles.filter(partners=partner)
    return _with_country(articles, country)


def is_editor(user: User) -> bool:
    """Editors are the programme managers of the organisation that runs the programme."""
    if not getattr(user, "is_authenticated", False):
        return False
    owner = network_selectors.programme_owner()
    return owner is not None and network_selectors.has_role(user, Role.PROGRAMME_MANAGER, owner)


def article_by_slug_for(user: User, slug: str) -> Article | None:
    """The article, if ``user`` may read it: anyone a public one, editors any."""
    articles = Article.objects.filter(slug=slug)
    if not is_editor(user):
        articles = articles.filter(public_q())
    return _with_relations(articles).first()


def articles_for_editors() -> QuerySet[Article]:
    """Every article, drafts and scheduled ones first."""
    return (
        Article.objects.select_related("author")
        .prefetch_related("images")
        .order_by("status", "-publish_at", "-updated_at")
    )


def upcoming_events(now: datetime.datetime | None = None) -> QuerySet[Article]:
    """Public events that have not ended yet, the soonest first."""
    moment = _now(now)
    return _with_relations(
        Article.objects.filter(public_q(moment), kind=Article.Kind.EVENT)
        .filter(Q(ends_at__gte=moment) | Q(ends_at__isnull=True, starts_at__gte=moment))
        .order_by("starts_at", "pk")
    )


def past_events(now: datetime.datetime | None = None) -> QuerySet[Article]:
    """Public events that are over, the latest first."""
    moment = _now(now)
    return _with_relations(
        Article.objects.filter(public_q(moment), kind=Article.Kind.EVENT)
        .filter(Q(ends_at__lt=moment) | Q(ends_at__isnull=True, starts_at__lt=moment))
        .order_by("-starts_at", "-pk")
    )


def feed_articles(language: str, *, limit: int = 30) -> QuerySet[Article]:
    """Public articles written in ``language`` (title and summary), for its feed."""
    written = {build_localized_fieldname(field, language): "" for field in ("title", "summary")}
    articles = Article.objects.filter(public_q())
    for field, empty in written.items():
        articles = articles.exclude(**{field: empty}).exclude(**{f"{field}__isnull": True})
    return _with_relations(articles.order_by("-publish_at", "-pk"))[:limit]


def tags_in_use() -> QuerySet[Tag]:
    return Tag.objects.filter(articles__in=Article.objects.filter(public_q())).distinct()


def partners_in_use() -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        news_articles__in=Article.objects.filter(public_q())
    ).distinct()


def countries_in_use() -> list[tuple[str, str]]:
    """(code, name) of the countries public articles are about, by name."""
    codes: set[str] = set()
    for value in Article.objects.filter(public_q()).values_list("countries", flat=True):
        codes.update(code for code in str(value or "").split(",") if code)
    return sorted(((c, str(all_countries.name(c))) for c in codes), key=lambda pair: pair[1])


# --- Cases ------------------------------------------------------------------------------------


def _cases_with_relations(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("organisation", "submitted_by").prefetch_related(
        "competences__framework"
    )


def published_cases(*, organisation: Organisation | None = None) -> QuerySet[Case]:
    """Published good-practice cases, newest first; of one organisation if given."""
    cases = Case.objects.filter(status=Case.Status.PUBLISHED)
    if organisation is not None:
        cases = cases.filter(organisation=organisation)
    return _cases_with_relations(cases.order_by("-published_at", "-pk"))


def filter_cases(
    cases: QuerySet[Case],
    *,
    organisation: Organisation | None = None,
    country: str = "",
    award: str = "",
    competence_ids: Iterable[int] = (),
) -> QuerySet[Case]:
    if organisation is not None:
        cases = cases.filter(organisation=organisation)
    if country:
        cases = cases.filter(organisation__country=country.upper())
    if award:
        cases = cases.filter(award=award)
    ids = list(competence_ids)
    if ids:
        cases = cases.filter(competences__in=ids).distinct()
    return cases


def submitting_organisations(user: User) -> QuerySet[Organisation]:
    """Member organisations ``user`` may submit cases for: those they administer that hold an
    active membership of the network."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    ids = network_selectors.organisation_ids_where(user, Role.INSTITUTION_ADMIN)
    return Organisation.objects.filter(pk__in=ids, memberships__status="active").distinct()


def cases_of_submitter(user: User) -> QuerySet[Case]:
    """Every case of the organisations ``user`` administers, whatever its state."""
    ids = network_selectors.organisation_ids_where(user, Role.INSTITUTION_ADMIN)
    return _cases_with_relations(
        Case.objects.filter(organisation_id__in=ids).order_by("-submitted_at", "-pk")
    )


def case_with_relations(pk: int) -> Case:
    return _cases_with_relations(Case.objects.all()).get(pk=pk)


def cases_to_review() -> QuerySet[Case]:
    """Cases waiting for the editors, the longest waiting first."""
    return _cases_with_relations(
        Case.objects.filter(status__in=[Case.Status.SUBMITTED, Case.Status.RESUBMITTED]).order_by(
            "submitted_at", "pk"
        )
    )


def cases_for_editors() -> QuerySet[Case]:
    return _cases_with_relations(Case.objects.order_by("-submitted_at", "-pk"))


def case_history(case: Case) -> QuerySet[CaseComment]:
    return case.comments.select_related("author").order_by("created_at", "pk")


def case_organisations_in_use() -> QuerySet[Organisation]:
    return Organisation.objects.filter(news_cases__status=Case.Status.PUBLISHED).distinct()
