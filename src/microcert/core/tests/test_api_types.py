"""The API's date types take ISO 8601 texts and nothing that merely converts to a date."""

import datetime

import pytest
from pydantic import BaseModel, ValidationError

from microcert.core.api_types import IsoDate, IsoDateTime


class _Asked(BaseModel):
    on: IsoDate | None = None
    at: IsoDateTime | None = None


def test_iso_texts_are_read_as_dates_and_times():
    asked = _Asked(on="2026-04-23", at="2026-04-23T09:00:00+07:00")
    assert asked.on == datetime.date(2026, 4, 23)
    assert asked.at.utcoffset() == datetime.timedelta(hours=7)
    assert _Asked(on=None).on is None


@pytest.mark.parametrize("value", [0, "0", "1714000000", 1.5, "23/04/2026", "", "tomorrow"])
def test_numbers_timestamps_and_other_spellings_are_refused(value):
    with pytest.raises(ValidationError, match="ISO 8601"):
        _Asked(on=value)
    with pytest.raises(ValidationError, match="ISO 8601"):
        _Asked(at=value)
