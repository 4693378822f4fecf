"""Reading a result: the URL, the answer's shapes, and when it counts as completed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from microcert.lms import ags


def test_results_url_keeps_the_line_items_query():
    assert (
        ags.results_url("https://lms.example/lineitems/7/lineitem?type_id=3", "user 1")
        == "https://lms.example/lineitems/7/lineitem/results?type_id=3&user_id=user+1"
    )
    assert (
        ags.results_url("https://lms.example/api/lineitems/7/", "42")
        == "https://lms.example/api/lineitems/7/results?user_id=42"
    )


def test_a_result_of_another_user_is_not_read():
    assert ags.parse_result({"userId": "7", "resultScore": 1}, "8") is None
    assert ags.parse_result(["not", "a", "result"], "8") is None


def test_the_maximum_defaults_to_one():
    result = ags.parse_result({"userId": "7", "resultScore": 1}, "7")
    assert result is not None
    assert (result.score, result.maximum) == (Decimal(1), Decimal(1))
    assert result.is_complete(100)


@pytest.mark.parametrize("maximum", [0, -5, "many", None, True])
def test_nonsense_maxima_fall_back_to_one(maximum):
    result = ags.parse_result({"userId": "7", "resultScore": 0.5, "resultMaximum": maximum}, "7")
    assert result is not None
    assert result.maximum == 1
    assert not result.is_complete(100)
    assert result.is_complete(50)


@pytest.mark.parametrize(
    ("fields", "threshold", "complete"),
    [
        ({"resultScore": 80, "resultMaximum": 100}, 80, True),
        ({"resultScore": 79.99, "resultMaximum": 100}, 80, False),
        ({"resultScore": 100, "resultMaximum": 100}, 100, True),
        ({"resultScore": 99, "resultMaximum": 100}, 100, False),
        # A score below the threshold is not rescued by progress flags.
        (
            {
                "resultScore": 10,
                "resultMaximum": 100,
                "activityProgress": "Completed",
                "gradingProgress": "FullyGraded",
            },
            100,
            False,
        ),
        ({"activityProgress": "Completed", "gradingProgress": "FullyGraded"}, 100, True),
        ({"activityProgress": "Completed", "gradingProgress": "Pending"}, 100, False),
        ({"activityProgress": "Submitted", "gradingProgress": "FullyGraded"}, 100, False),
        ({"resultScore": "NaN", "resultMaximum": 100}, 1, False),
        ({"resultScore": "Infinity", "resultMaximum": 100}, 1, False),
    ],
)
def test_completion(fields, threshold, complete):
    result = ags.parse_result({"userId": "7", **fields}, "7")
    assert result is not None
    assert result.is_complete(threshold) is complete


def test_timestamps_are_read_when_given():
    result = ags.parse_result({"userId": "7", "timestamp": "2027-01-20T09:30:00+07:00"}, "7")
    assert result is not None and result.timestamp is not None
    assert result.timestamp.utcoffset().total_seconds() == 7 * 3600
    garbage = ags.parse_result({"userId": "7", "timestamp": 12}, "7")
    assert garbage is not None and garbage.timestamp is None
