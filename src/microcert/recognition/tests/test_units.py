"""Unit conversions and periods, on cases computed by hand."""

import datetime
from decimal import Decimal

import pytest

from microcert.recognition import units
from microcert.recognition.models import RecognitionScheme, Unit
from microcert.recognition.services import period_of


def scheme(**fields) -> RecognitionScheme:
    defaults = {
        "unit": Unit.LESSON_45,
        "requirement": Decimal(40),
        "period_years": 1,
        "periods_start_on": datetime.date(2026, 9, 5),
        "hours_per_ects": Decimal(25),
        "hours_per_cpd_unit": Decimal(1),
    }
    return RecognitionScheme(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        # 8 lessons of 45 minutes = 360 minutes = 6 clock hours
        ("8", Unit.LESSON_45, Unit.CLOCK_HOUR, "6.00"),
        # 6 clock hours = 360 minutes = 7.2 standard hours of 50 minutes
        ("6", Unit.CLOCK_HOUR, Unit.STANDARD_HOUR_50, "7.20"),
        # 40 lessons = 1800 minutes = 30 hours = 3 CEU
        ("40", Unit.LESSON_45, Unit.CEU, "3.00"),
        # 1 ECTS at 25 hours = 1500 minutes = 33.33 lessons of 45 minutes
        ("1", Unit.ECTS, Unit.LESSON_45, "33.33"),
        # 2 CEU = 20 hours = 24 standard hours
        ("2", Unit.CEU, Unit.STANDARD_HOUR_50, "24.00"),
        # 1 standard hour = 50 minutes = 1.11 lessons (1.111… rounds down)
        ("1", Unit.STANDARD_HOUR_50, Unit.LESSON_45, "1.11"),
    ],
)
def test_conversions_go_through_minutes(amount, source, target, expected):
    assert units.convert(Decimal(amount), source, target, scheme()) == Decimal(expected)


def test_an_ects_credit_is_what_the_scheme_says():
    thirty = scheme(hours_per_ects=Decimal(30))
    assert units.to_hours(Decimal("0.5"), Unit.ECTS, thirty) == Decimal("15.00")


def test_a_cpd_unit_needs_its_scheme():
    with pytest.raises(ValueError, match="needs the scheme"):
        units.convert(Decimal(1), Unit.CPD_UNIT, Unit.CLOCK_HOUR)
    assert units.to_hours(Decimal(3), Unit.CPD_UNIT, scheme(hours_per_cpd_unit=2)) == Decimal(6)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        ("2026-09-05", "2026-09-05", "2027-09-04"),
        ("2027-05-31", "2026-09-05", "2027-09-04"),
        ("2027-09-05", "2027-09-05", "2028-09-04"),
        ("2026-01-10", "2025-09-05", "2026-09-04"),  # before the first period: earlier ones
    ],
)
def test_a_school_year_period_contains_the_day(day, start, end):
    found = period_of(scheme(), datetime.date.fromisoformat(day))
    assert found == (datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))


def test_five_year_periods_start_every_five_years():
    five = scheme(period_years=5, periods_start_on=datetime.date(2021, 1, 1))
    assert period_of(five, datetime.date(2027, 3, 1)) == (
        datetime.date(2026, 1, 1),
        datetime.date(2030, 12, 31),
    )
