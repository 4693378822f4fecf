"""Types of the REST API's inputs that pydantic's lax mode would otherwise stretch.

Pydantic reads a number, or a text of digits, as a Unix timestamp where a date or a
date-time is expected, so ``?on=0`` would quietly mean 1 January 1970. The published schema
promises an ISO 8601 text; these types hold the API to that promise and answer 422 for
anything else.
"""

import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator


def _iso_text_only(kind: type[datetime.date], example: str) -> BeforeValidator:
    """A validator that reads ``kind`` from ISO 8601 text only (a text of digits alone is a
    timestamp, not ISO 8601 here) and passes a ``kind`` already made."""

    def read(value: Any) -> Any:
        if isinstance(value, kind):
            return value
        if isinstance(value, str) and not value.isdigit():
            try:
                return kind.fromisoformat(value)
            except ValueError:
                pass
        raise ValueError(f"expected {example}")

    return BeforeValidator(read)


IsoDate = Annotated[
    datetime.date, _iso_text_only(datetime.date, "a date in ISO 8601, such as 2026-04-23")
]
IsoDateTime = Annotated[
    datetime.datetime,
    _iso_text_only(
        datetime.datetime, "a date and time in ISO 8601, such as 2026-04-23T09:00:00+07:00"
    ),
]
