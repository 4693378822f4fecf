"""The access-control matrix: every address of the platform, called as every role, read and
write, answers what ``access_matrix.py`` says it must.

Every URL pattern (walked from the resolver, pages under their /en/ prefix), every operation
of the REST API's OpenAPI document and every Django admin page is called once per role and
method, against the demo data, each request in its own savepoint (so a write that succeeds
changes nothing for the next one). A pattern or operation the matrix does not list fails the
test by name: a new address must say who may use it.

To see what a new address answers today (then check every cell by hand before copying it):
``ACCESS_MATRIX_RECORD=/tmp/matrix.txt pytest src/microcert/web/tests/test_access_matrix.py``.
"""

import functools
import os
import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from django.contrib import admin as django_admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from . import access_matrix as matrix

pytestmark = pytest.mark.django_db

RECORD = os.environ.get("ACCESS_MATRIX_RECORD", "")
LOGIN_PATHS = ("/en/accounts/login/", "/en/admin/login/")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- The demo world ---------------------------------------------------------------------------


@dataclass
class World:
    clients: dict[str, Client]
    cookies: dict[str, SimpleCookie]
    values: dict[str, str]  # what the matrix's kwargs name, as strings
    people: dict[str, object]
    media: object  # the demo's uploads live here, not in each test's own MEDIA_ROOT


def _load_demo():
    from importlib import import_module

    from microcert.demo.services import demo_load

    demo_load()
    # The apps' own demos (the lead wires them into ``load_demo``; load them here meanwhile).
    for app in ("network", "classrooms", "news", "privacy"):
        try:
            module = import_module(f"microcert.{app}.demo")
        except ImportError:
            continue
        module.load_demo()


def _values(people) -> dict[str, str]:
    """The objects the URLs take, one of each, named as ``access_matrix.KWARGS`` refers to
    them. "Own" objects belong to Hùng (the ``owner`` role) or to HUST (the ``admin`` role)."""
    from microcert.catalog.models import Offering, SpecificationVersion
    from microcert.classrooms import services as classroom_services
    from microcert.classrooms.models import Equipment, SmartClassroom, UsageSession
    from microcert.credentials.models import BulkJob, IssuedCredential, StatusList
    from microcert.frameworks.models import CompetencyFramework
    from microcert.learning.models import (
        Enrolment,
        EvidenceItem,
        PDPlan,
        Review,
        SelfAssessment,
        Submission,
    )
    from microcert.network import models as network
    from microcert.network import services as network_services
    from microcert.news.models import Article, ArticleImage, Case
    from microcert.recognition.models import InclusionApplication, InclusionDecision

    hung = people["owner"]
    hust = network.Organisation.objects.get(slug="hust")
    framework = CompetencyFramework.objects.get(slug="digcompedu", status="published")
    competence = framework.areas.first().competences.first()
    credential = IssuedCredential.objects.get(recipient=hung)
    version = credential.specification_version
    submission = Submission.objects.filter(teacher=hung).first()
    review = Review.objects.get(submission=submission)
    evidence = EvidenceItem.objects.filter(submission=submission).first()
    enrolment = Enrolment.objects.filter(teacher=hung).first()
    open_offering = (
        Offering.objects.filter(status=Offering.Status.OPEN)
        .exclude(enrolments__teacher=hung)
        .first()
        or Offering.objects.first()
    )
    job = BulkJob.objects.create(
        kind=BulkJob.Kind.ISSUE,
        issuer=credential.issuer,
        specification_version=version,
        created_by=people["admin"],
        file_name="awards.csv",
    )
    agreement = network.Agreement.objects.filter(parties=hust).first()
    document = agreement.documents.first() or _document(agreement, people["manager"])
    item = agreement.items.first()
    application = InclusionApplication.objects.filter(status="submitted").first()
    decision = InclusionDecision.objects.filter(endorsement__isnull=False).first()
    # The scheme HUST's teachers count under: the one the Centre's approved application is in.
    scheme = InclusionApplication.objects.filter(status="approved").first().scheme
    classroom = SmartClassroom.objects.get(host=hust)
    ticket = classroom_services.ticket_open(
        classroom=classroom, title="The projector flickers", actor=hung
    )
    article = Article.objects.filter(status="published", publish_at__lte=timezone.now()).first()
    image = ArticleImage.objects.filter(article=article).first() or ArticleImage.objects.first()
    case = Case.objects.filter(organisation=hust).first()
    accession = network.AccessionApplication.objects.filter(status="submitted").first()
    # A status link of our own: the demo's keys went out by mail, only their hashes are kept.
    accession_key = network_services._new_access_key(accession)
    values = {
        "framework": framework.slug,
        "framework_version": framework.version,
        "framework_uuid": str(framework.uuid),
        "competence_uuid": str(competence.uuid),
        "issuer": credential.issuer.organisation.slug,
        "status_list": str(StatusList.objects.filter(issuer=credential.issuer).first().uuid),
        "version_uuid": str(version.uuid),
        "version_number": str(version.number),
        "specification": version.micro_credential.slug,
        "credential": str(credential.uuid),
        "exchange_token": "not-a-token",
        "bulk_job": str(job.uuid),
        "decision": str(decision.uuid),
        "hust": "hust",
        "self_assessment": str(SelfAssessment.objects.filter(person=hung).first().uuid),
        "plan": str(PDPlan.objects.filter(teacher=hung).first().uuid),
        "plan_micro_credential": PDPlan.objects.filter(teacher=hung)
        .first()
        .items.first()
        .micro_credential.slug,
        "offering": str(open_offering.uuid),
        "enrolment": str(enrolment.uuid),
        "submission": str(submission.uuid),
        "evidence": str(evidence.uuid),
        "review": str(review.uuid),
        "application": str(application.uuid),
        "scheme": scheme.slug,
        "report": scheme.slug,
        "accession": str(accession.uuid),
        "accession_key": accession_key,
        "partner": "hust",
        "centre": str(network.NationalCentre.objects.first().pk),
        "position": str(network.NetworkPosition.objects.first().pk),
        "agreement": str(agreement.uuid),
        "document": str(document.uuid),
        "item": str(item.pk),
        "article_uuid": str(article.uuid),
        "article": article.slug,
        "image": str(image.uuid),
        "image_ext": image.extension,
        "case_uuid": str(case.uuid),
        "case": case.slug,
        "classroom": classroom.slug,
        "ticket": str(ticket.uuid),
        "equipment": str(Equipment.objects.filter(classroom=classroom).first().uuid),
        "session": str(UsageSession.objects.filter(classroom=classroom).first().uuid),
        "person": str(hung.uuid),
        "requirement": str(evidence.requirement_id),
        "assessor": str(people["other_assessor"].uuid),
        "version_id_any": str(SpecificationVersion.objects.first().uuid),
    }
    return values


def _document(agreement, actor):
    from microcert.network import services as network_services
    from microcert.network.models import AgreementDocument

    return network_services.agreement_document_add(
        agreement=agreement,
        upload=SimpleUploadedFile("mou.pdf", PDF, content_type="application/pdf"),
        title="MoU",
        kind=AgreementDocument.Kind.values[0],
        language="en",
        actor=actor,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.test import override_settings

    from microcert.accounts.models import User
    from microcert.learning.models import Review

    media = tmp_path_factory.mktemp("media")
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        RATE_LIMITS_ENABLED=False,
        MEDIA_ROOT=media,
    )
    with django_db_blocker.unblock(), fast, transaction.atomic():
        _load_demo()
        people = {role: User.objects.get(email=email) for role, email in matrix.PEOPLE.items()}
        review = Review.objects.get(submission__teacher=people["owner"])
        people["assessor"] = review.assessor
        people["other_assessor"] = (
            User.objects.filter(affiliations__role="assessor")
            .exclude(pk=review.assessor_id)
            .first()
        )
        values = _values(people)
        clients, cookies = {}, {}
        for role in matrix.ROLES:
            client = Client(raise_request_exception=True)
            if role != "anon":
                client.force_login(people[role])
            clients[role] = client
            cookies[role] = SimpleCookie(client.cookies.output(header="", sep="\n"))
        yield World(clients=clients, cookies=cookies, values=values, people=people, media=media)
        transaction.set_rollback(True)


# --- Calling and classifying ----------------------------------------------------------------


def _outcome(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        if urlsplit(response["Location"]).path in LOGIN_PATHS:
            return "in"
        return "ok"
    if status == 401:
        return "in"
    if status < 300:
        return "ok"
    if status in (400, 409, 413, 422):
        return "bad"
    return str(status)


def _call(world: World, role: str, method: str, url: str, *, body=None, api=False) -> str:
    client = world.clients[role]
    client.cookies = SimpleCookie(world.cookies[role].output(header="", sep="\n"))
    kwargs = {}
    if body is not None:
        if isinstance(body, dict) and any(hasattr(v, "read") for v in body.values()):
            kwargs = {"data": {k: _fresh(v) for k, v in body.items()}}
        else:
            kwargs = {"data": body, "content_type": "application/json"}
    elif api and method != "GET":
        kwargs = {"data": {}, "content_type": "application/json"}
    try:
        with transaction.atomic():
            response = getattr(client, method.lower())(url, **kwargs)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
    except Exception as error:
        return f"500 {type(error).__name__}: {error}"[:300]
    finally:
        translation.activate("en")
    return _outcome(response)


def _fresh(value):
    if hasattr(value, "read"):
        value.seek(0)
        return SimpleUploadedFile(value.name, value.read(), content_type=value.content_type)
    return value


@pytest.fixture(autouse=True)
def _demo_media(request, settings):
    if "world" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("world").media


def _check(
    world: World, key: str, url: str, expected: dict[str, list[str]], roles=matrix.ROLES, **kw
) -> list[str]:
    problems = []
    for method, cells in expected.items():
        got = [_call(world, role, method, url, **kw) for role in roles]
        if RECORD:
            with open(RECORD, "a", encoding="utf-8") as out:
                out.write(f"{key:44} {method:6} " + " ".join(f"{g[:5]:5}" for g in got) + "\n")
        for role, want, have in zip(roles, cells, got, strict=True):
            if have.startswith("500"):
                problems.append(f"{method} {url} as {role}: server error {have}")
            elif want != have and want != "?":
                problems.append(f"{method} {url} as {role}: expected {want}, got {have}")
    return problems


# --- Enumerating ------------------------------------------------------------------------------


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            yield f"{namespace}:{name}" if namespace else name


def url_names() -> list[str]:
    with translation.override("en"):
        return sorted(set(_walk(get_resolver().url_patterns)))


@functools.cache
def api_operations() -> list[tuple[str, str, str]]:
    """(operationId, method, path template) of every REST API operation."""
    from microcert.web.api import api

    schema = api.get_openapi_schema()
    return [
        (operation["operationId"], method.upper(), path)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


PAGE_NAMES = [n for n in url_names() if not n.startswith(("admin:", "api-v1:"))]


def test_every_address_is_in_the_matrix():
    names = url_names()
    operations = {op for op, _method, _path in api_operations()}
    missing = [n for n in PAGE_NAMES if n not in matrix.PAGES]
    missing += [f"api {op}" for op in sorted(operations) if op not in matrix.API]
    # The API's URL names are its operation ids (plus the document and the fallbacks).
    missing += [
        n
        for n in names
        if n.startswith("api-v1:")
        and n.removeprefix("api-v1:") not in operations
        and n not in matrix.API_OTHERS
    ]
    stale = [n for n in matrix.PAGES if n not in names]
    stale += [f"api {op}" for op in matrix.API if op not in operations]
    assert not missing, "Not in access_matrix.py (add a row for each):\n" + "\n".join(missing)
    assert not stale, "In access_matrix.py but no longer an address:\n" + "\n".join(stale)


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_access(world, name):
    if name not in matrix.PAGES and not RECORD:
        pytest.fail(f"{name} has no row in access_matrix.PAGES")
    kwargs = {k: world.values[v] for k, v in matrix.KWARGS.get(name, {}).items()}
    with translation.override("en"):
        url = reverse(name, kwargs=kwargs) + matrix.QUERY.get(name, "")
    problems = _check(world, name, url, matrix.PAGES.get(name) or matrix.UNKNOWN)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("operation", sorted({op for op, _m, _p in api_operations()}))
def test_api_access(world, operation):
    if operation not in matrix.API and not RECORD:
        pytest.fail(f"API operation {operation} has no row in access_matrix.API")
    (method, path) = next((m, p) for op, m, p in api_operations() if op == operation)
    url = re.sub(
        r"\{(\w+)\}",
        lambda m: world.values[
            matrix.API_PARAMS.get((operation, m.group(1))) or matrix.API_PARAMS[m.group(1)]
        ],
        path,
    ) + matrix.API_QUERY.get(operation, "").format(**world.values)
    body = matrix.api_body(operation, world.values)
    problems = _check(
        world,
        f"api {operation}",
        url,
        {method: matrix.API.get(operation, matrix.UNKNOWN["GET"])},
        body=body,
        api=True,
    )
    assert not problems, "\n".join(problems)


# The admin's unnamed patterns only redirect to the named ones (an object's bare address to
# its change page, anything else to the index).
ADMIN_NAMES = [n for n in url_names() if n.startswith("admin:") and "<unnamed" not in n]


def _admin_model(name: str):
    """The model admin an admin URL name belongs to (``admin:<app>_<model>_<view>``)."""
    for model, model_admin in django_admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model, model_admin, name.removeprefix(prefix)
    return None, None, None


def test_admin_access(world):
    """The admin: nobody without staff status gets past its sign-in; the programme manager
    (staff, with the permissions of the apps they run) and the superuser get what the model
    admins' permissions say. One row per admin page, from the rule in ``access_matrix``."""
    problems = []
    for name in ADMIN_NAMES:
        if name in matrix.ADMIN_SKIPPED:
            continue
        model, model_admin, view = _admin_model(name)
        if (model is None or view not in matrix.ADMIN_VIEW_NEEDS) and name not in matrix.ADMIN_SITE:
            problems.append(f"{name}: not a model page; add it to access_matrix.ADMIN_SITE")
            continue
        kwargs, obj = {}, None
        if view in ("change", "delete", "history"):
            obj = model._default_manager.order_by("pk").first()
            if obj is None:
                continue  # nothing to open; the model's list and add pages are still called
            kwargs = {"object_id": str(obj.pk)}
        elif name == "admin:app_list":
            kwargs = {"app_label": "network"}
        elif name == "admin:auth_user_password_change":
            kwargs = {"id": str(world.people["owner"].pk)}
        with translation.override("en"):
            url = reverse(name, kwargs=kwargs)
        expected = matrix.admin_expectation(name, model_admin, view, world.people, obj)
        problems += _check(world, name, url, expected, roles=matrix.ADMIN_ROLES)
    assert not problems, "\n".join(problems)
