"""A ledger export written by the task: the same rows as the page's export, written once."""

import pytest

from microcert.recognition import exports
from microcert.recognition.tasks import export_ledger, export_path

from .test_exports import body, ledger  # noqa: F401 - the fixture
from .test_reports import THIS_PERIOD, scope


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_task_writes_the_export_once(ledger, fmt):  # noqa: F811
    arguments = {
        "scheme_id": ledger.scheme.pk,
        "period": THIS_PERIOD.isoformat(),
        "organisation_id": None,
        "fmt": fmt,
        "name": f"ledger.{fmt}",
    }
    first = export_ledger.apply(kwargs=arguments).get()
    assert first["written"] and first["rows"] > 0
    path = export_path(f"ledger.{fmt}")
    if fmt == "csv":
        assert path.read_bytes() == body(exports.ledger_csv(scope(ledger)))
    else:
        assert path.read_bytes()[:2] == b"PK"
    written = path.stat().st_mtime_ns
    assert export_ledger.apply(kwargs=arguments).get() == {"path": str(path), "written": False}
    assert path.stat().st_mtime_ns == written
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial file left


@pytest.mark.parametrize("name", ["../escape.csv", "", ".hidden", "a/b.csv"])
def test_an_export_name_is_a_plain_file_name(name):
    with pytest.raises(ValueError):
        export_path(name)
