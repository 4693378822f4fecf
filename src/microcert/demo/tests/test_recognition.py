"""The demo's recognition story: MOET's two schemes and China's, the Centre's applications to
MOET (one approved and endorsed, one waiting for the reviewer), and demo credentials that
count."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from microcert.credentials import services as credential_services
from microcert.credentials.models import IssuedCredential
from microcert.credentials.verification import verify_credential
from microcert.demo.services import demo_load
from microcert.network.models import Organisation
from microcert.recognition.models import (
    InclusionApplication,
    LedgerEntry,
    RecognitionScheme,
)

pytestmark = pytest.mark.django_db

COLLABORATION = "organise-and-facilitate-online-collaborative-learning"
GENERATIVE_AI = "use-generative-ai-responsibly-in-assessment"


def test_moet_has_two_schemes_and_china_one_described_in_every_language(demo):
    moet = RecognitionScheme.objects.filter(authority__organisation__slug="moet")
    school, lecturers = moet.get(unit="lesson45"), moet.get(unit="hour")
    assert (school.requirement, school.period_years, school.staff_categories) == (
        Decimal("40"),
        1,
        ["school_teacher"],
    )
    assert school.periods_start_on == datetime.date(2026, 9, 5)
    assert (lecturers.requirement, lecturers.period_years, lecturers.staff_categories) == (
        Decimal("100"),
        5,
        ["university_lecturer"],
    )
    assert "proposal" in lecturers.description_en

    china = RecognitionScheme.objects.get(authority__organisation__slug="moe-cn")
    assert Organisation.objects.get(slug="moe-cn").kind == Organisation.Kind.MINISTRY
    assert (china.country, china.unit, china.requirement, china.period_years) == (
        "CN",
        "hour",
        Decimal("360"),
        5,
    )
    assert china.periods_start_on == datetime.date(2021, 1, 1)
    for scheme in RecognitionScheme.objects.all():
        for language in ("en", "vi", "zh_hans", "fr"):
            assert getattr(scheme, f"title_{language}"), (scheme.slug, language)
            assert getattr(scheme, f"description_{language}"), (scheme.slug, language)


def test_one_application_is_approved_and_endorsed_and_one_waits_for_the_reviewer(demo):
    applications = InclusionApplication.objects.filter(
        scheme__slug="vn-university-lecturers-pd", applicant__slug="centre"
    )
    approved = applications.get(version__micro_credential__slug=COLLABORATION)
    waiting = applications.get(version__micro_credential__slug=GENERATIVE_AI)
    assert waiting.status == InclusionApplication.Status.SUBMITTED
    assert not waiting.decisions.exists()

    assert approved.status == InclusionApplication.Status.APPROVED
    decision = approved.decisions.get()
    assert decision.decided_by.email == "reviewer@moet.example"
    assert (decision.valid_from, decision.valid_until) == (
        datetime.date(2026, 1, 1),
        datetime.date(2028, 12, 31),
    )
    assert decision.conditions
    endorsement = decision.endorsement
    moet = credential_services.issuer_ensure(
        organisation=Organisation.objects.get(slug="moet"), actor=None
    )
    assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert endorsement["issuer"]["id"] == credential_services.issuer_did(moet)
    assert verify_credential(endorsement, allow_network=False).verified


def test_the_demo_credentials_count_and_carry_the_endorsement_while_it_is_in_force(demo):
    decision = InclusionApplication.objects.get(
        scheme__slug="vn-university-lecturers-pd",
        version__micro_credential__slug=COLLABORATION,
    ).decisions.get()
    held = IssuedCredential.objects.filter(
        specification_version__micro_credential__slug=COLLABORATION,
        pathway__isnull=True,
        recipient__is_active=True,  # the privacy demo's erased former teacher left
    )
    assert held.count() == 2  # Lan and Hùng
    for credential in held:
        awarded_on = timezone.localdate(credential.valid_from)
        in_force = decision.valid_from <= awarded_on <= decision.valid_until
        achievement = credential.document["credentialSubject"]["achievement"]
        entries = LedgerEntry.objects.filter(credential=credential, decision=decision)
        if in_force:
            assert achievement["endorsement"] == [decision.endorsement]
            assert [e.hours for e in entries] == [Decimal("20")]
        else:
            assert "endorsement" not in achievement
            assert not entries.exists()
        assert verify_credential(credential.document, allow_network=False).verified


def test_loading_again_adds_no_recognition(demo):
    models = list(apps.get_app_config("recognition").get_models())
    before = {model._meta.label: model.objects.count() for model in models}
    report = demo_load()
    assert report.created == {}
    assert {model._meta.label: model.objects.count() for model in models} == before
