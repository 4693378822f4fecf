"""Importing a CASE package through the task: run twice, imported once."""

import json

import pytest

from microcert.core.models import Event
from microcert.frameworks.case import export_package
from microcert.frameworks.models import CompetencyFramework
from microcert.frameworks.services import framework_create
from microcert.frameworks.tasks import import_case_package

from .factories import tiny_framework_doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def raw_package() -> str:
    """A tiny framework's CFPackage, the framework itself removed again."""
    framework = framework_create(doc=tiny_framework_doc())
    package = export_package(framework)
    framework.delete()
    return json.dumps(package)


def test_a_package_imported_twice_is_imported_once(raw_package):
    raw = raw_package
    first = import_case_package.apply(args=[raw]).get()
    assert first["created"] and first["errors"] == []
    events = Event.objects.count()
    second = import_case_package.apply(args=[raw]).get()
    assert second == {**first, "created": False}
    assert CompetencyFramework.objects.filter(uuid=first["framework"]).count() == 1
    assert Event.objects.count() == events


def test_a_refused_package_is_an_answer_not_a_failure(db):
    outcome = import_case_package.apply(args=["not json"]).get()
    assert outcome["framework"] is None and outcome["errors"]
    assert CompetencyFramework.objects.count() == 0
