"""The catalogue's filters: parse them from the query string, apply them and count what each
choice would give.

Filters combine (a micro-credential must match every one chosen) and live in the URL, so a
filtered catalogue can be bookmarked, shared and used without JavaScript. A value that is not
known is ignored and reported, never an error page. The counts beside each choice say how
many micro-credentials that choice gives together with the other filters chosen.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from microcert.catalog.models import ParticipationForm
from microcert.frameworks.models import Competence, CompetencyFramework, ProficiencyLevel

from .selectors import CatalogueEntry

MAX_QUERY_LENGTH = 100


@dataclass
class Option:
    value: str
    label: str
    group: str = ""
    sort_key: tuple = ()
    count: int = 0
    selected: bool = False


@dataclass
class Facet:
    name: str
    label: str
    any_label: str
    options: dict[str, Option] = field(default_factory=dict)
    selected: str = ""

    @property
    def shown_options(self) -> list[Option]:
        """The choices worth offering: those with results, and the one chosen."""
        shown = [o for o in self.options.values() if o.count or o.selected]
        return sorted(shown, key=lambda option: option.sort_key)

    @property
    def groups(self) -> list[tuple[str, list[Option]]]:
        """The shown options under their group's name (a framework), in order."""
        grouped: dict[str, list[Option]] = {}
        for option in self.shown_options:
            grouped.setdefault(option.group, []).append(option)
        return list(grouped.items())

    @property
    def selected_option(self) -> Option | None:
        return self.options.get(self.selected) if self.selected else None


@dataclass
class ActiveFilter:
    label: str
    value: str
    remove_query: str


@dataclass
class FilteredCatalogue:
    entries: list[CatalogueEntry]
    total: int
    facets: list[Facet]
    query: str
    active: list[ActiveFilter]
    ignored: list[str]

    @property
    def is_filtered(self) -> bool:
        return bool(self.active)

    def facet(self, name: str) -> Facet:
        return next(facet for facet in self.facets if facet.name == name)


# --- what each entry offers to each filter ---------------------------------------------------


def _framework_options(entry: CatalogueEntry) -> Iterable[Option]:
    for alignment in entry.alignments:
        framework = alignment.competence.framework
        yield Option(framework.slug, framework.title, sort_key=(framework.title.casefold(),))


def _competence_options(entry: CatalogueEntry) -> Iterable[Option]:
    for alignment in entry.alignments:
        yield _competence_option(alignment.competence)


def _competence_option(competence: Competence) -> Option:
    framework = competence.framework
    return Option(
        str(competence.uuid),
        f"{competence.code} {competence.name}",
        group=framework.title,
        sort_key=(framework.title.casefold(), competence.area.position, competence.position),
    )


def _level_options(entry: CatalogueEntry) -> Iterable[Option]:
    for alignment in entry.alignments:
        yield _level_option(alignment.target_level, alignment.competence.framework)


def _level_option(level: ProficiencyLevel, framework: CompetencyFramework) -> Option:
    label = level.code if level.name in ("", level.code) else f"{level.code} {level.name}"
    return Option(
        str(level.uuid),
        label,
        group=framework.title,
        sort_key=(framework.title.casefold(), level.position),
    )


LANGUAGE_ORDER = [code for code, _name in settings.LANGUAGES]


def _language_options(entry: CatalogueEntry) -> Iterable[Option]:
    for code in entry.languages:
        if code in LANGUAGE_ORDER:
            yield Option(
                code,
                get_language_info(code)["name_local"],
                sort_key=(LANGUAGE_ORDER.index(code),),
            )


MODE_ORDER = [value for value, _label in ParticipationForm.choices]


def _mode_options(entry: CatalogueEntry) -> Iterable[Option]:
    for mode in entry.modes:
        if mode in MODE_ORDER:
            yield Option(
                mode, str(ParticipationForm(mode).label), sort_key=(MODE_ORDER.index(mode),)
            )


def _authority_options(entry: CatalogueEntry) -> Iterable[Option]:
    for organisation in entry.authorities:
        yield Option(organisation.slug, organisation.name, sort_key=(organisation.name.casefold(),))


FACETS: list[tuple[str, object, object, Callable[[CatalogueEntry], Iterable[Option]]]] = [
    ("framework", _("Framework"), _("Any framework"), _framework_options),
    ("competence", _("Competence"), _("Any competence"), _competence_options),
    ("level", _("Proficiency level"), _("Any level"), _level_options),
    ("language", _("Language"), _("Any language"), _language_options),
    ("mode", _("Mode"), _("Any mode"), _mode_options),
    ("authority", _("Recognised by"), _("Any authority, or none"), _authority_options),
]
FACET_NAMES = [name for name, *_rest in FACETS]


# --- applying them ---------------------------------------------------------------------------


def _matches_text(entry: CatalogueEntry, words: list[str]) -> bool:
    version = entry.version
    haystack = " ".join(
        [
            version.title,
            version.summary,
            *(f"{a.competence.code} {a.competence.name}" for a in entry.alignments),
        ]
    ).casefold()
    return all(word in haystack for word in words)


def _lookup_unused(name: str, value: str) -> Option | None:
    """A competence or level that no published micro-credential targets yet, so that a link
    from the framework browser shows an empty result rather than ignoring the filter."""
    try:
        key = uuid.UUID(value)
    except ValueError:
        return None
    published = CompetencyFramework.Status.PUBLISHED
    if name == "competence":
        competence = (
            Competence.objects.select_related("framework", "area")
            .filter(uuid=key, framework__status=published)
            .first()
        )
        return _competence_option(competence) if competence else None
    level = (
        ProficiencyLevel.objects.select_related("framework")
        .filter(uuid=key, framework__status=published)
        .first()
    )
    return _level_option(level, level.framework) if level else None


def filter_catalogue(entries: list[CatalogueEntry], params: QueryDict) -> FilteredCatalogue:
    """Apply the filters of ``params`` (the query string) to ``entries``."""
    offered: dict[str, list[set[str]]] = {name: [] for name in FACET_NAMES}
    facets: list[Facet] = []
    for name, label, any_label, options_of in FACETS:
        facet = Facet(name=name, label=str(label), any_label=str(any_label))
        for entry in entries:
            values = set()
            for option in options_of(entry):
                facet.options.setdefault(option.value, option)
                values.add(option.value)
            offered[name].append(values)
        facets.append(facet)

    ignored: list[str] = []
    for facet in facets:
        value = (params.get(facet.name) or "").strip()
        if not value:
            continue
        if value not in facet.options and facet.name in ("competence", "level"):
            unused = _lookup_unused(facet.name, value)
            if unused:
                facet.options[value] = unused
        if value in facet.options:
            facet.selected = value
            facet.options[value].selected = True
        else:
            ignored.append(facet.label)

    query = " ".join((params.get("q") or "").split())[:MAX_QUERY_LENGTH]
    words = query.casefold().split()
    text_match = [_matches_text(entry, words) if words else True for entry in entries]

    def matches(position: int, skip: str | None = None) -> bool:
        if not text_match[position]:
            return False
        return all(
            facet.selected in offered[facet.name][position]
            for facet in facets
            if facet.selected and facet.name != skip
        )

    for facet in facets:
        counts: Counter[str] = Counter()
        for position in range(len(entries)):
            if matches(position, skip=facet.name):
                counts.update(offered[facet.name][position])
        for value, option in facet.options.items():
            option.count = counts.get(value, 0)

    active = [
        ActiveFilter(
            label=facet.label,
            value=facet.selected_option.label,
            remove_query=_query_without(params, facet.name),
        )
        for facet in facets
        if facet.selected_option
    ]
    if query:
        active.insert(0, ActiveFilter(str(_("Words")), query, _query_without(params, "q")))
    return FilteredCatalogue(
        entries=[entry for position, entry in enumerate(entries) if matches(position)],
        total=len(entries),
        facets=facets,
        query=query,
        active=active,
        ignored=ignored,
    )


def _query_without(params: QueryDict, name: str) -> str:
    """The query string of the catalogue without one filter (and without empty ones)."""
    kept = params.copy()
    kept.pop(name, None)
    for key in list(kept.keys()):
        if not "".join(kept.getlist(key)).strip() or key not in [*FACET_NAMES, "q"]:
            kept.pop(key)
    encoded = kept.urlencode()
    return f"?{encoded}" if encoded else ""
