"""Units of professional development and the conversions between them.

Every amount converts through minutes of study. Three units are fixed by definition (a clock
hour is 60 minutes, a Vietnamese *tiết* 45, a Vietnamese standard hour 50; a CEU is ten
contact hours); two depend on the scheme (an ECTS credit is 25 to 30 hours; a CPD unit is
whatever the authority says).
"""

from decimal import ROUND_HALF_UP, Decimal

from .models import RecognitionScheme, Unit

FIXED_MINUTES = {
    Unit.CLOCK_HOUR: Decimal(60),
    Unit.LESSON_45: Decimal(45),
    Unit.STANDARD_HOUR_50: Decimal(50),
    Unit.CEU: Decimal(600),
}
CENT = Decimal("0.01")


def minutes_per(unit: str, scheme: RecognitionScheme | None = None) -> Decimal:
    if unit in FIXED_MINUTES:
        return FIXED_MINUTES[Unit(unit)]
    if scheme is None:
        raise ValueError(f"converting {unit} needs the scheme that defines it")
    if unit == Unit.ECTS:
        return scheme.hours_per_ects * 60
    if unit == Unit.CPD_UNIT:
        return scheme.hours_per_cpd_unit * 60
    raise ValueError(f"unknown unit {unit!r}")


def convert(
    amount: Decimal, from_unit: str, to_unit: str, scheme: RecognitionScheme | None = None
) -> Decimal:
    """``amount`` of ``from_unit`` in ``to_unit``, rounded half up to hundredths."""
    minutes = Decimal(amount) * minutes_per(from_unit, scheme)
    return (minutes / minutes_per(to_unit, scheme)).quantize(CENT, rounding=ROUND_HALF_UP)


def to_hours(amount: Decimal, unit: str, scheme: RecognitionScheme | None = None) -> Decimal:
    return convert(amount, unit, Unit.CLOCK_HOUR, scheme)
