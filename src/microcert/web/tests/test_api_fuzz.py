"""Schemathesis generates requests from the published OpenAPI document and checks every
answer: never a server error, each response matches what the document promises (status
codes, content types, headers, bodies), and data the schema forbids is refused. It calls the
API as a programme manager (who may do the most), a teacher and an anonymous caller, against
the demo data.

Not checked: that every schema-valid request succeeds. The workflow refuses well-formed
requests for its own reasons (a plan past its deadline, hours above the limit) with 400 or
409 and a ``detail``, which the document lists for each operation."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def _connection_kept():
    """Schemathesis calls the WSGI application itself, whose end-of-request signal closes
    the database connection when it is in a transaction (as every test's is); Django's test
    client unhooks that handler for the same reason. Without this, on PostgreSQL, the second
    request of a test finds its connection closed."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def _demo_once(_connection_kept, django_db_setup, django_db_blocker):
    from django.db import transaction
    from django.test import override_settings

    from microcert.demo.services import demo_load

    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        demo_load(credentials=False)
        yield
        transaction.set_rollback(True)


def _bearer(email: str) -> dict[str, str]:
    from microcert.accounts import services
    from microcert.accounts.models import User

    _token, secret = services.personal_token_create(
        person=User.objects.get(email=email), name="schemathesis", actor=None
    )
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(params=["manager@centre.example", "lan.pham@hust.example", None])
def caller(request, _demo_once, db) -> dict[str, str]:
    return _bearer(request.param) if request.param else {}


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_published_promises(case, caller):
    case.call_and_validate(headers=caller, checks=CHECKS)
