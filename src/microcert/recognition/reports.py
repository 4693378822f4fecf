"""National PD reports: the ledger of a scheme aggregated by one grouping, small groups hidden.

A report covers one scheme, one period (or every period) and either the whole scheme (the
national report) or one institution's teachers. Rows are groups of ledger entries sharing an
institution, a province, a staff category, a competence area, a proficiency level or a period;
each counts people and credentials, sums the recognised amount (in the scheme's unit) and the
clock hours, and counts the people who completed the period.

*Completed* means the person's total under the scheme in a period -- all their credentials in
the report's scope, whatever group they fall in -- reaches the scheme's requirement. A group
counts the completed people it contains, so a person who completed and holds credentials in two
competence areas is counted in both areas (as they are in the people column).

All counting happens in the database (``values().annotate()``); Python only sees one row per
group. The ledger carries the grouping fields itself, so no join is needed on millions of rows.

**Small groups.** A group of fewer than ``settings.REPORT_MIN_GROUP_SIZE`` people is shown by
its name only, as "fewer than N", with every number withheld; the same holds for the total.
When exactly one group is hidden, the total minus the other groups would give it away, so the
next-smallest group is withheld as well (complementary suppression). The rule applies to every
report, page, chart and export built from a :class:`Report`, whoever reads it.

One grouping at a time is deliberate: a cross-tabulation would need the same protection on
every margin, which one total cannot give (for the same reason national readers get no single
institution's report, see ``views/reports.py``). The rule protects each table against its own
total. Tables of nested groupings of the same period (institutions within provinces, one
period within every period) can still be set against each other to narrow a hidden group
down; closing that needs suppression planned across all published tables at once.
"""

import datetime
import operator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce

from django.conf import settings
from django.db.models import Count, DecimalField, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microcert.frameworks.models import Area
from microcert.network.models import Organisation

from .models import LedgerEntry, RecognitionScheme, StaffCategory
from .services import period_of

# The widest sums a national ledger can reach (a million rows of 999999.99).
TOTAL_FIELD = DecimalField(max_digits=20, decimal_places=2)
# Amounts are kept in hundredths; SQLite adds them up in binary floating point, so a total
# of exactly the requirement can come out a hair below it. Half a hundredth absorbs that
# without ever letting a total one hundredth short count as complete.
HALF_CENT = Decimal("0.005")
CENT = Decimal("0.01")
FIRST_YEAR, LAST_YEAR = 1900, 2200
ALL_PERIODS = "all"


class Dimension:
    """What a report groups by: a name in the address, a label, the ledger field."""

    INSTITUTION = "institution"
    PROVINCE = "province"
    STAFF_CATEGORY = "staff_category"
    AREA = "area"
    LEVEL = "level"
    PERIOD = "period"

    FIELDS = {
        INSTITUTION: "organisation",
        PROVINCE: "province",
        STAFF_CATEGORY: "staff_category",
        AREA: "area",
        LEVEL: "level",
        PERIOD: "period_start",
    }
    LABELS = {
        INSTITUTION: gettext_lazy("Institution"),
        PROVINCE: gettext_lazy("Region or province"),
        STAFF_CATEGORY: gettext_lazy("Staff category"),
        AREA: gettext_lazy("Competence area"),
        LEVEL: gettext_lazy("Proficiency level"),
        PERIOD: gettext_lazy("Period"),
    }
    DEFAULT = INSTITUTION

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(name, str(label)) for name, label in cls.LABELS.items()]


class ReportParameterError(ValueError):
    """A report was asked for with a parameter that means nothing; the message says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def min_group_size() -> int:
    return max(1, int(getattr(settings, "REPORT_MIN_GROUP_SIZE", 5)))


# --- Scope ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which ledger rows a report or an export reads."""

    scheme: RecognitionScheme
    # (first day, last day) of one period; None for every period.
    period: tuple[datetime.date, datetime.date] | None
    # One institution's teachers; None for the whole scheme.
    organisation: Organisation | None = None

    def entries(self) -> QuerySet[LedgerEntry]:
        qs = LedgerEntry.objects.filter(scheme=self.scheme)
        if self.period is not None:
            qs = qs.filter(period_start=self.period[0])
        if self.organisation is not None:
            qs = qs.filter(organisation=self.organisation)
        return qs.order_by()

    @property
    def is_national(self) -> bool:
        return self.organisation is None

    @property
    def period_param(self) -> str:
        return self.period[0].isoformat() if self.period else ALL_PERIODS


def current_period(
    scheme: RecognitionScheme, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    return period_of(scheme, today or timezone.localdate())


def parse_period(
    scheme: RecognitionScheme, value: str | None
) -> tuple[datetime.date, datetime.date] | None:
    """``?period=``: empty for the current period, ``all``, or any day of a period (ISO)."""
    value = (value or "").strip()
    if not value:
        return current_period(scheme)
    if value == ALL_PERIODS:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise ReportParameterError(
            _("The period must be a date such as %(example)s, or “all”; “%(value)s” is neither.")
            % {"example": current_period(scheme)[0].isoformat(), "value": value[:40]}
        ) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ReportParameterError(
            _("The period must fall between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return period_of(scheme, day)


def parse_dimension(value: str | None) -> str:
    value = (value or "").strip() or Dimension.DEFAULT
    if value not in Dimension.FIELDS:
        raise ReportParameterError(
            _("Reports can be grouped by %(choices)s; “%(value)s” is not one of them.")
            % {"choices": ", ".join(Dimension.FIELDS), "value": value[:40]}
        )
    return value


def periods_of(
    scheme: RecognitionScheme, today: datetime.date | None = None, limit: int = 20
) -> list[tuple[datetime.date, datetime.date]]:
    """The scheme's periods from its first to the current one, newest first (at most
    ``limit``), for choosing one."""
    current = current_period(scheme, today)
    found = [current]
    first = period_of(scheme, scheme.periods_start_on)[0]
    while len(found) < limit and found[-1][0] > first:
        found.append(period_of(scheme, found[-1][0] - datetime.timedelta(days=1)))
    return found


# --- Report -----------------------------------------------------------------------------------


@dataclass
class Row:
    key: object
    label: str
    people: int | None
    credentials: int | None
    amount: Decimal | None
    hours: Decimal | None
    completed: int | None
    # "" when shown; "small" for a group under the threshold; "complementary" for a group
    # withheld so that a small one cannot be worked out from the total.
    suppressed: str = ""
    # People in the group, kept for ordering the suppression; never published.
    _size: int = field(default=0, repr=False)

    def withhold(self, reason: str) -> None:
        self.suppressed = reason
        self.people = self.credentials = self.completed = None
        self.amount = self.hours = None

    @property
    def completion_rate(self) -> float | None:
        if self.suppressed or not self.people:
            return None
        return (self.completed or 0) / self.people


@dataclass
class Report:
    scope: Scope
    dimension: str
    rows: list[Row]
    total: Row
    min_group_size: int

    @property
    def scheme(self) -> RecognitionScheme:
        return self.scope.scheme

    @property
    def dimension_label(self) -> str:
        return str(Dimension.LABELS[self.dimension])

    @property
    def hidden(self) -> int:
        return sum(1 for row in self.rows if row.suppressed)

    @property
    def visible_rows(self) -> list[Row]:
        return [row for row in self.rows if not row.suppressed]


def suppress(rows: list[Row], total: Row, threshold: int) -> None:
    """Hide small groups, their complement, and a small total (in place)."""
    small = [row for row in rows if row._size < threshold]
    for row in small:
        row.withhold("small")
    if len(small) == 1:
        shown = sorted(
            (row for row in rows if not row.suppressed),
            key=lambda row: (row._size, row.credentials or 0, row.label),
        )
        if shown:
            shown[0].withhold("complementary")
    if total._size < threshold:
        total.withhold("small")


def _completed_filter(entries: QuerySet[LedgerEntry], scope: Scope) -> Q | None:
    """Rows of the people who completed the row's period; None when nobody can have.

    One uncorrelated ``person IN (… GROUP BY person HAVING SUM(amount) >= requirement)`` per
    period: the database computes each set once, not once per row.
    """
    requirement = scope.scheme.requirement
    if scope.period is not None:
        starts = [scope.period[0]]
    else:
        starts = list(entries.values_list("period_start", flat=True).distinct().order_by())
    if not starts:
        return None
    clauses = []
    for start in starts:
        in_period = entries.filter(period_start=start)
        if requirement <= 0:
            clauses.append(Q(period_start=start))
            continue
        done = (
            in_period.values("person")
            .annotate(total=Sum("amount", output_field=TOTAL_FIELD))
            .filter(total__gte=requirement - HALF_CENT)
            .values("person")
        )
        clauses.append(Q(period_start=start, person__in=done))
    return reduce(operator.or_, clauses)


def _aggregates(completed: Q | None) -> dict:
    return {
        "people": Count("person", distinct=True),
        "credentials": Count("pk"),
        "amount": Sum("amount", output_field=TOTAL_FIELD),
        "hours": Sum("hours", output_field=TOTAL_FIELD),
        "completed": (
            Count("person", distinct=True, filter=completed) if completed is not None else None
        ),
    }


NOT_RECORDED = gettext_lazy("Not recorded")


def _labels(dimension: str, keys: list) -> dict:
    """A readable name for each group key (one query at most)."""
    if dimension == Dimension.INSTITUTION:
        return {o.pk: str(o.name) for o in Organisation.objects.filter(pk__in=keys)}
    if dimension == Dimension.STAFF_CATEGORY:
        return {k: str(StaffCategory(k).label) for k in keys if k in StaffCategory.values}
    if dimension == Dimension.AREA:
        pairs = [k.split(":", 1) for k in keys if k and ":" in k]
        names: dict = {}
        areas = (
            Area.objects.filter(
                framework__slug__in={slug for slug, _code in pairs},
                code__in={code for _slug, code in pairs},
            )
            .select_related("framework")
            .order_by("framework__version")  # the latest version's name wins
        )
        for area in areas:
            names[f"{area.framework.slug}:{area.code}"] = f"{area.code} {area.name}"
        return names
    if dimension == Dimension.PERIOD:
        return {}
    return {k: k for k in keys if k}


def _period_label(scheme: RecognitionScheme, start: datetime.date) -> str:
    first, last = period_of(scheme, start)
    return f"{first.isoformat()} – {last.isoformat()}"


def build_report(scope: Scope, dimension: str, *, threshold: int | None = None) -> Report:
    """The report of ``scope`` grouped by ``dimension``, small groups already hidden."""
    threshold = min_group_size() if threshold is None else threshold
    entries = scope.entries()
    completed = _completed_filter(entries, scope)
    aggregates = {k: v for k, v in _aggregates(completed).items() if v is not None}
    key_field = Dimension.FIELDS[dimension]
    grouped = list(entries.values(key_field).annotate(**aggregates).order_by(key_field))
    totals = entries.aggregate(**aggregates)

    labels = _labels(dimension, [g[key_field] for g in grouped])
    rows = []
    for group in grouped:
        key = group[key_field]
        if dimension == Dimension.PERIOD:
            label = _period_label(scope.scheme, key)
        else:
            label = labels.get(key) or (key if key else str(NOT_RECORDED))
        rows.append(_row(key, str(label), group))
    rows.sort(key=_sort_key(dimension))
    total = _row(None, _("Total"), totals)
    suppress(rows, total, threshold)
    return Report(
        scope=scope, dimension=dimension, rows=rows, total=total, min_group_size=threshold
    )


def _row(key, label: str, values: dict) -> Row:
    people = values.get("people") or 0
    return Row(
        key=key,
        label=label,
        people=people,
        credentials=values.get("credentials") or 0,
        amount=_cents(values.get("amount")),
        hours=_cents(values.get("hours")),
        completed=values.get("completed") or 0,
        _size=people,
    )


def _cents(value) -> Decimal:
    """A sum in hundredths (SQLite hands sums back unscaled, e.g. ``122`` for 122.00)."""
    return Decimal(value or 0).quantize(CENT)


def _sort_key(dimension: str):
    if dimension in (Dimension.PERIOD, Dimension.LEVEL):
        return lambda row: (row.key is None or row.key == "", str(row.key or ""))
    return lambda row: (row.key is None or row.key == "", row.label.casefold())


# --- Row-level ledger -------------------------------------------------------------------------

LEDGER_COLUMNS = (
    "credential__uuid",
    "person__email",
    "person__legal_name",
    "organisation_id",
    "province",
    "staff_category",
    "area",
    "level",
    "awarded_on",
    "period_start",
    "amount",
    "hours",
)


def ledger_lines(scope: Scope) -> QuerySet:
    """The scope's ledger rows as tuples of :data:`LEDGER_COLUMNS`, in the order they were
    written (no sort over millions of rows); read them with ``.iterator()``."""
    return scope.entries().order_by("pk").values_list(*LEDGER_COLUMNS)


def organisation_names(scope: Scope) -> dict[int, str]:
    """Names of the institutions appearing in the scope (a few hundred at most)."""
    if scope.organisation is not None:
        return {scope.organisation.pk: str(scope.organisation.name)}
    ids = scope.entries().values("organisation")
    return {o.pk: str(o.name) for o in Organisation.objects.filter(pk__in=ids)}
