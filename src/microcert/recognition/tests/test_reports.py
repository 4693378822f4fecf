"""National PD reports: aggregates on a small hand-computed ledger, the small-group rule on
every page and chart, who may read what, and refusals of parameters that mean nothing.

The ledger is written directly (``bulk_create``) with the fewest objects it needs: an
authority and its scheme, four institutions, an issuer, one approved specification version
and one credential per row.
"""

import datetime
import re
from decimal import Decimal
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.catalog.models import MicroCredential, SpecificationVersion
from microcert.credentials import services as credential_services
from microcert.credentials.models import IssuedCredential
from microcert.network.models import Affiliation, Organisation
from microcert.recognition import charts, reports, services
from microcert.recognition.models import (
    InclusionApplication,
    InclusionDecision,
    LedgerEntry,
)
from microcert.recognition.reports import Dimension, Row, Scope

THIS_PERIOD = datetime.date(2026, 9, 5)
LAST_PERIOD = datetime.date(2025, 9, 5)
LECTURER = "university_lecturer"


def organisation(slug: str, name: str, *, kind="hei", country="VN", city="Hanoi"):
    return Organisation.objects.create(
        slug=slug, kind=kind, name=name, country=country, subregion="south_eastern_asia", city=city
    )


class Ledger:
    """A scheme (lessons of 45 minutes, 40 per yearly period from 5 September) and helpers
    that add ledger rows the way ``ledger_recompute`` would have written them."""

    def __init__(self) -> None:
        self.moet = organisation("moet", "Ministry of Education and Training", kind="ministry")
        self.other_ministry = organisation(
            "mone", "Ministry of National Education", kind="ministry"
        )
        self.authority = services.authority_ensure(organisation=self.moet, actor=None)
        self.other_authority = services.authority_ensure(
            organisation=self.other_ministry, actor=None
        )
        self.scheme = services.scheme_create(
            authority=self.authority,
            slug="vn-lecturers",
            title="Lecturers' regular fostering",
            country="VN",
            staff_categories=[LECTURER],
            unit="lesson45",
            requirement=40,
            period_years=1,
            periods_start_on=datetime.date(2024, 9, 5),
            actor=None,
        )
        self.other_scheme = services.scheme_create(
            authority=self.other_authority,
            slug="other-scheme",
            title="Another country's scheme",
            country="VN",
            staff_categories=[LECTURER],
            unit="hour",
            requirement=20,
            period_years=1,
            periods_start_on=datetime.date(2024, 1, 1),
            actor=None,
        )
        centre = organisation("centre", "The Centre", kind="international", country="CN")
        self.issuer = credential_services.issuer_ensure(organisation=centre, actor=None)
        self.key = self.issuer.keys.get(retired_at__isnull=True)
        micro = MicroCredential.objects.create(slug="collaboration")
        version = SpecificationVersion.objects.create(
            micro_credential=micro,
            number=1,
            status=SpecificationVersion.Status.PUBLISHED,
            title="Collaboration",
            workload_hours=Decimal("6"),
        )
        application = InclusionApplication.objects.create(
            scheme=self.scheme,
            version=version,
            applicant=centre,
            status=InclusionApplication.Status.APPROVED,
            submitted_at=timezone.now(),
        )
        self.decision = InclusionDecision.objects.create(
            application=application,
            number=1,
            outcome=InclusionDecision.Outcome.APPROVE,
            equivalence=Decimal("8"),
            valid_from=datetime.date(2024, 1, 1),
            decided_at=timezone.now(),
        )
        self.a = organisation("uni-a", "University A", city="Hanoi")
        self.b = organisation("uni-b", "University B", city="Hanoi")
        self.c = organisation("uni-c", "University C", city="Da Nang")
        self.d = organisation("uni-d", "University D", city="Hue")
        self._numbers = count(1)
        self.people: dict[str, User] = {}

    def person(self, name: str) -> User:
        if name not in self.people:
            self.people[name] = User.objects.create(
                email=f"{name}@example.org", legal_name=name.title()
            )
        return self.people[name]

    def add(self, rows) -> None:
        """``rows``: (person, organisation, amount, period start, area, level) tuples."""
        credentials = IssuedCredential.objects.bulk_create(
            [
                IssuedCredential(
                    issuer=self.issuer,
                    signing_key=self.key,
                    recipient=self.person(person),
                    document={"n": next(self._numbers)},
                    valid_from=timezone.now(),
                )
                for person, *_rest in rows
            ]
        )
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    person=self.person(person),
                    scheme=self.scheme,
                    credential=credential,
                    decision=self.decision,
                    awarded_on=start + datetime.timedelta(days=30),
                    period_start=start,
                    amount=Decimal(amount),
                    hours=(Decimal(amount) * 45 / 60).quantize(Decimal("0.01")),
                    organisation=org,
                    province=org.city,
                    staff_category=LECTURER,
                    area=area,
                    level=level,
                )
                for (person, org, amount, start, area, level), credential in zip(
                    rows, credentials, strict=True
                )
            ]
        )

    def role(self, email: str, role: str, organisation: Organisation) -> User:
        user = User.objects.create(email=email)
        Affiliation.objects.create(person=user, organisation=organisation, role=role)
        return user


def build_standard(ledger: Ledger) -> None:
    """This period (from 2026-09-05), 40 lessons required:

    ========== ====== ============ ======= ====== =========
    institution people credentials lessons hours  completed
    ========== ====== ============ ======= ====== =========
    A (Hanoi)   6      15           122     91.5   2 (a0 40, a1 42)
    B (Hanoi)   5       5            40     30     0
    C (Da Nang) 2       6            48     36     1 (c0 40)
    D (Hue)     7       7            56     42     0
    total      20      33           266    199.5   3
    ========== ====== ============ ======= ====== =========

    Areas: every row is digcompedu:3 except a1's 10-lesson credential (digcompedu:5) and d0's
    (digcompedu:5). Levels: B2, except C's rows (C1). Last period: a2 holds 30 lessons (not
    complete there), and b0 and b1 hold 40 each (complete there).
    """
    rows = []
    area, level = "digcompedu:3", "B2"
    for _ in range(5):
        rows.append(("a0", ledger.a, "8", THIS_PERIOD, area, level))
    for _ in range(4):
        rows.append(("a1", ledger.a, "8", THIS_PERIOD, area, level))
    rows.append(("a1", ledger.a, "10", THIS_PERIOD, "digcompedu:5", level))
    rows += [
        ("a2", ledger.a, "8", THIS_PERIOD, area, level),
        ("a3", ledger.a, "8", THIS_PERIOD, area, level),
        ("a3", ledger.a, "8", THIS_PERIOD, area, level),
        ("a4", ledger.a, "8", THIS_PERIOD, area, level),
        ("a5", ledger.a, "8", THIS_PERIOD, area, level),
    ]
    rows += [(f"b{i}", ledger.b, "8", THIS_PERIOD, area, level) for i in range(5)]
    # c0 reaches 40 exactly with amounts SQLite cannot add up exactly in binary.
    rows += [
        ("c0", ledger.c, "13.33", THIS_PERIOD, area, "C1"),
        ("c0", ledger.c, "13.33", THIS_PERIOD, area, "C1"),
        ("c0", ledger.c, "13.34", THIS_PERIOD, area, "C1"),
        ("c1", ledger.c, "4", THIS_PERIOD, area, "C1"),
        ("c1", ledger.c, "3", THIS_PERIOD, area, "C1"),
        ("c1", ledger.c, "1", THIS_PERIOD, area, "C1"),
    ]
    rows.append(("d0", ledger.d, "8", THIS_PERIOD, "digcompedu:5", level))
    rows += [(f"d{i}", ledger.d, "8", THIS_PERIOD, area, level) for i in range(1, 7)]
    # The last period.
    rows += [("a2", ledger.a, "15", LAST_PERIOD, area, level)] * 2
    rows += [("b0", ledger.b, "20", LAST_PERIOD, area, level)] * 2
    rows += [("b1", ledger.b, "40", LAST_PERIOD, area, level)]
    ledger.add(rows)


@pytest.fixture
def ledger(db) -> Ledger:
    ledger = Ledger()
    build_standard(ledger)
    return ledger


def scope(ledger: Ledger, start=THIS_PERIOD, organisation=None) -> Scope:
    period = reports.period_of(ledger.scheme, start) if start else None
    return Scope(scheme=ledger.scheme, period=period, organisation=organisation)


def numbers(row: Row) -> tuple:
    return (row.people, row.credentials, row.amount, row.hours, row.completed)


def by_label(report) -> dict[str, Row]:
    return {row.label: row for row in report.rows}


# --- Aggregates ------------------------------------------------------------------------------


def test_aggregates_without_suppression_match_the_hand_computed_table(ledger):
    report = reports.build_report(scope(ledger), Dimension.INSTITUTION, threshold=1)
    rows = by_label(report)
    assert list(rows) == ["University A", "University B", "University C", "University D"]
    assert numbers(rows["University A"]) == (6, 15, Decimal("122.00"), Decimal("91.50"), 2)
    assert numbers(rows["University B"]) == (5, 5, Decimal("40.00"), Decimal("30.00"), 0)
    assert numbers(rows["University C"]) == (2, 6, Decimal("48.00"), Decimal("36.00"), 1)
    assert numbers(rows["University D"]) == (7, 7, Decimal("56.00"), Decimal("42.00"), 0)
    assert numbers(report.total) == (20, 33, Decimal("266.00"), Decimal("199.50"), 3)
    assert report.hidden == 0


def test_grouping_by_province_category_area_and_level(ledger):
    province = by_label(reports.build_report(scope(ledger), Dimension.PROVINCE, threshold=1))
    assert numbers(province["Hanoi"])[:3] == (11, 20, Decimal("162.00"))
    assert province["Hanoi"].completed == 2
    assert numbers(province["Hue"])[:2] == (7, 7)

    category = reports.build_report(scope(ledger), Dimension.STAFF_CATEGORY, threshold=1)
    assert [(r.label, r.people, r.completed) for r in category.rows] == [
        ("University lecturers", 20, 3)
    ]

    # A person with credentials in two areas counts in both, and so does their completion.
    area = by_label(reports.build_report(scope(ledger), Dimension.AREA, threshold=1))
    assert (area["digcompedu:3"].people, area["digcompedu:3"].completed) == (19, 3)
    assert numbers(area["digcompedu:5"]) == (2, 2, Decimal("18.00"), Decimal("13.50"), 1)

    level = by_label(reports.build_report(scope(ledger), Dimension.LEVEL, threshold=1))
    assert (level["B2"].people, level["C1"].people, level["C1"].completed) == (18, 2, 1)


def test_completion_is_counted_per_period_across_every_period(ledger):
    report = reports.build_report(scope(ledger, start=None), Dimension.PERIOD, threshold=1)
    assert [r.label for r in report.rows] == [
        "2025-09-05 – 2026-09-04",
        "2026-09-05 – 2027-09-04",
    ]
    last, this = report.rows
    # a2 has 30 lessons last period (not complete), b0 and b1 have 40 each.
    assert numbers(last) == (3, 5, Decimal("110.00"), Decimal("82.50"), 2)
    assert this.completed == 3
    # The total of every period counts a person once, completed in some period.
    assert (report.total.people, report.total.completed) == (20, 5)


def test_an_institution_scope_only_reads_its_own_teachers(ledger):
    report = reports.build_report(
        scope(ledger, organisation=ledger.a), Dimension.LEVEL, threshold=1
    )
    assert numbers(report.total) == (6, 15, Decimal("122.00"), Decimal("91.50"), 2)


def test_the_default_period_is_the_current_one(ledger):
    today = timezone.localdate()
    assert reports.parse_period(ledger.scheme, "") == reports.period_of(ledger.scheme, today)
    assert reports.parse_period(ledger.scheme, "2026-12-31") == (
        THIS_PERIOD,
        datetime.date(2027, 9, 4),
    )
    assert reports.parse_period(ledger.scheme, "all") is None


def test_an_empty_period_has_no_rows_and_a_hidden_total(ledger):
    report = reports.build_report(scope(ledger, start=datetime.date(2030, 9, 5)), "institution")
    assert report.rows == []
    assert report.total.suppressed and report.total.people is None


# --- Small groups ----------------------------------------------------------------------------


def test_a_small_group_and_its_complement_are_withheld(ledger, settings):
    settings.REPORT_MIN_GROUP_SIZE = 5
    report = reports.build_report(scope(ledger), Dimension.INSTITUTION)
    rows = by_label(report)
    assert rows["University C"].suppressed == "small"
    # B (5 people) is the next smallest: without it, C = total - A - B - D.
    assert rows["University B"].suppressed == "complementary"
    for hidden in ("University B", "University C"):
        assert numbers(rows[hidden]) == (None,) * 5
    assert not rows["University A"].suppressed and not rows["University D"].suppressed
    # The total stays, and no subtraction gives C back: only B + C together.
    assert report.total.people == 20


def test_two_small_groups_need_no_complement(ledger):
    report = reports.build_report(scope(ledger), Dimension.INSTITUTION, threshold=6)
    rows = by_label(report)
    assert [r.label for r in report.rows if r.suppressed] == ["University B", "University C"]
    assert {rows["University B"].suppressed, rows["University C"].suppressed} == {"small"}
    assert rows["University A"].people == 6


def test_a_total_under_the_threshold_is_hidden_too(ledger):
    report = reports.build_report(
        scope(ledger, organisation=ledger.c), Dimension.INSTITUTION, threshold=5
    )
    assert report.total.suppressed == "small" and report.total.people is None
    assert all(row.suppressed for row in report.rows)


def test_suppression_is_a_pure_rule_over_groups():
    def row(label, size):
        return Row(label, label, size, size, Decimal(size), Decimal(size), 0, _size=size)

    rows = [row("x", 2), row("y", 9), row("z", 7), row("w", 30)]
    total = row("total", 48)
    reports.suppress(rows, total, 5)
    assert [r.suppressed for r in rows] == ["small", "", "complementary", ""]
    assert total.people == 48

    alone = [row("x", 3), row("y", 40)]
    reports.suppress(alone, row("total", 43), 5)
    assert [r.suppressed for r in alone] == ["small", "complementary"]


def test_the_chart_draws_no_bar_and_no_number_for_hidden_groups(ledger):
    report = reports.build_report(scope(ledger), Dimension.INSTITUTION, threshold=5)
    svg = str(charts.report_chart(report))
    assert 'role="img"' in svg and "aria-label=" in svg and "<desc" in svg
    assert svg.count('class="people"') == 2  # A and D only
    assert "fewer than 5" in svg and "withheld" in svg
    assert "University C: fewer than 5" in svg
    # The visible bars are scaled to the visible groups; the numbers printed are theirs.
    assert "6 / 2" in svg and "7 / 0" in svg
    assert "5 / 0" not in svg and "2 / 1" not in svg


def test_the_chart_escapes_labels(ledger):
    ledger.a.name = '<script>alert("x")</script>'
    ledger.a.save()
    svg = str(charts.report_chart(reports.build_report(scope(ledger), "institution")))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


# --- Pages and permissions -------------------------------------------------------------------


@pytest.fixture
def people(ledger):
    return {
        "reviewer": ledger.role("reviewer@moet.example", Role.AUTHORITY_REVIEWER, ledger.moet),
        "other_reviewer": ledger.role(
            "reviewer@mone.example", Role.AUTHORITY_REVIEWER, ledger.other_ministry
        ),
        "manager": ledger.role(
            "manager@centre.example",
            Role.PROGRAMME_MANAGER,
            Organisation.objects.get(slug="centre"),
        ),
        "admin_a": ledger.role("admin@uni-a.example", Role.INSTITUTION_ADMIN, ledger.a),
        "admin_c": ledger.role("admin@uni-c.example", Role.INSTITUTION_ADMIN, ledger.c),
        "teacher": ledger.role("teacher@uni-a.example", Role.TEACHER, ledger.a),
    }


def page(client, user, slug="vn-lecturers", **params):
    client.force_login(user)
    return client.get(reverse("recognition:report", args=[slug]), params)


def cells(html: str) -> str:
    """The report table's body, tags removed, for looking for numbers."""
    body = html.split("<tbody>", 1)[1].split("</tfoot>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_permission_rules(ledger, people):
    scheme, other = ledger.scheme, ledger.other_scheme
    reviewer, manager = people["reviewer"], people["manager"]
    assert reviewer.has_perm("recognition.view_national_report", scheme)
    assert not reviewer.has_perm("recognition.view_national_report", other)
    assert reviewer.has_perm("recognition.export_ledger", scheme)
    assert not reviewer.has_perm("recognition.export_ledger", other)
    assert manager.has_perm("recognition.view_national_report", scheme)
    assert manager.has_perm("recognition.view_national_report", other)
    assert not manager.has_perm("recognition.export_ledger", scheme)
    admin_a = people["admin_a"]
    assert not admin_a.has_perm("recognition.view_national_report", scheme)
    assert admin_a.has_perm("recognition.view_institution_report", ledger.a)
    assert not admin_a.has_perm("recognition.view_institution_report", ledger.b)
    assert admin_a.has_perm("recognition.export_institution_ledger", ledger.a)
    assert not admin_a.has_perm("recognition.export_institution_ledger", ledger.b)
    teacher = people["teacher"]
    assert not teacher.has_perm("recognition.view_reports")
    assert not teacher.has_perm("recognition.view_national_report", scheme)


def test_the_index_lists_what_each_person_may_read(client, ledger, people):
    url = reverse("recognition:reports")
    client.force_login(people["reviewer"])
    html = client.get(url).content.decode()
    assert "Lecturers&#x27; regular fostering" in html and "Another country" not in html

    client.force_login(people["manager"])
    html = client.get(url).content.decode()
    assert "Lecturers&#x27; regular fostering" in html and "Another country" in html

    client.force_login(people["admin_a"])
    html = client.get(url).content.decode()
    assert "?institution=uni-a" in html and "National report" not in html

    client.force_login(people["teacher"])
    assert client.get(url).status_code == 403


def test_the_national_report_page_hides_small_groups(client, ledger, people):
    response = page(client, people["reviewer"], period="2026-09-05")
    assert response.status_code == 200
    html = response.content.decode()
    body = cells(html)
    assert "University C fewer than 5" in body
    assert "University B withheld" in body
    assert "University A 6 15 122 91.50 2" in body
    # Neither C's nor B's numbers appear anywhere in the table, nor in the chart.
    assert " 48 " not in body and " 36 " not in body and " 40 " not in body
    assert 'role="img"' in html
    assert reverse("recognition:ledger_csv", args=["vn-lecturers"]) in html


def test_a_manager_reads_every_scheme_but_no_names(client, ledger, people):
    html = page(client, people["manager"], period="2026-09-05").content.decode()
    assert "University C fewer than 5" in cells(html)
    assert reverse("recognition:report_csv", args=["vn-lecturers"]) in html
    assert reverse("recognition:ledger_csv", args=["vn-lecturers"]) not in html
    assert page(client, people["manager"], slug="other-scheme").status_code == 200


def test_national_readers_get_no_single_institution_report(client, ledger, people):
    # B is withheld in the national table to protect C; B's own report would give it back.
    for reader in ("reviewer", "manager"):
        assert page(client, people[reader], institution="uni-b").status_code == 403


def test_a_reviewer_of_another_authority_is_refused(client, ledger, people):
    assert page(client, people["other_reviewer"]).status_code == 403
    assert page(client, people["teacher"]).status_code == 403
    client.logout()
    response = client.get(reverse("recognition:report", args=["vn-lecturers"]))
    assert response.status_code == 302


def test_an_institution_admin_sees_their_own_teachers_only(client, ledger, people):
    response = page(client, people["admin_a"], period="2026-09-05", by="level")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Teachers of University A" in html
    assert "B2 6 15 122 91.50 2" in cells(html)
    # Another institution's teachers, or the national report, are not theirs.
    assert page(client, people["admin_a"], institution="uni-b").status_code == 403
    # Their own report keeps the small-group rule too.
    html = page(client, people["admin_c"], period="2026-09-05").content.decode()
    assert "fewer than 5" in cells(html) and " 48 " not in cells(html)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "last year"}, "The period must be a date"),
        ({"period": "9999-12-31"}, "between 1900 and 2200"),
        ({"period": "0001-01-01"}, "between 1900 and 2200"),
        ({"by": "person"}, "can be grouped by"),
        ({"by": "<b>x</b>"}, "can be grouped by"),
        ({"institution": "no-such-place"}, "There is no institution"),
        ({"institution": "../../etc"}, "short name of an institution"),
        ({"period": "2026-02-30"}, "The period must be a date"),
    ],
)
def test_bad_parameters_are_a_400_with_a_message(client, ledger, people, params, message):
    names = ["recognition:report", "recognition:report_csv", "recognition:report_xlsx"]
    if "by" not in params:  # the ledger has no grouping
        names += ["recognition:ledger_csv", "recognition:ledger_xlsx"]
    for name in names:
        client.force_login(people["reviewer"])
        response = client.get(reverse(name, args=["vn-lecturers"]), params)
        assert response.status_code == 400, (name, params)
        assert message in response.content.decode()
        assert "<b>x</b>" not in response.content.decode()
