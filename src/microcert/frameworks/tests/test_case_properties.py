"""Properties of the CASE 1.1 import: whatever bytes arrive, the parser either returns a
framework or refuses with CaseImportError naming the problems; it never fails otherwise.
And what we export, we read back."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcert.frameworks.case import CaseImportError, export_package, parse_package

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
CASE_KEYS = st.sampled_from(
    [
        "CFDocument",
        "CFItems",
        "CFAssociations",
        "identifier",
        "title",
        "fullStatement",
        "humanCodingScheme",
        "CFItemType",
        "originNodeURI",
        "destinationNodeURI",
        "associationType",
        "uri",
        "extensions",
        "language",
        "lastChangeDateTime",
    ]
)


def _parse(raw):
    try:
        parse_package(raw)
    except CaseImportError as refused:
        assert refused.messages and all(isinstance(m, str) and m for m in refused.messages)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_parsed_or_refused_in_words(raw):
    _parse(raw)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(CASE_KEYS, JSON, max_size=6))
def test_any_json_object_with_case_keys_is_parsed_or_refused_in_words(package):
    _parse(json.dumps(package))


@pytest.fixture
def exported(shipped_frameworks) -> dict:
    return export_package(shipped_frameworks["digcompedu"])


def test_an_exported_framework_reads_back(exported):
    doc = parse_package(json.dumps(exported))
    assert doc is not None


def _paths(value, prefix=()):
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))
    yield prefix


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_an_exported_framework_with_one_value_replaced_is_read_or_refused(exported, data):
    package = copy.deepcopy(exported)
    paths = [p for p in _paths(package) if p]
    path = data.draw(st.sampled_from(paths))
    target = package
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = data.draw(JSON)
    _parse(json.dumps(package))
