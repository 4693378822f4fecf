"""The demo data tells the programme's story and can be loaded any number of times."""

import pytest
from django.apps import apps

from microcert.catalog.models import AchievementKind, Pathway, SpecificationVersion
from microcert.core.models import Event
from microcert.demo.services import demo_load
from microcert.network.models import Agreement, CooperationItem, Membership, Organisation

pytestmark = pytest.mark.django_db

OUR_APPS = ["core", "accounts", "network", "frameworks", "catalog"]


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
    }


def test_loading_twice_adds_nothing(demo):
    first = _row_counts()
    report = demo_load()
    assert report.created == {}
    assert _row_counts() == first


def test_the_story_has_the_centre_the_ministry_and_partners_in_several_countries(demo):
    centre = Organisation.objects.get(is_programme_owner=True)
    assert centre.kind == Organisation.Kind.INTERNATIONAL
    assert Organisation.objects.get(slug="moet").kind == Organisation.Kind.MINISTRY
    partners = Organisation.objects.filter(memberships__status=Membership.Status.ACTIVE)
    assert partners.filter(slug="hust").exists()
    assert partners.exclude(country="VN").values("country").distinct().count() >= 3
    assert partners.filter(memberships__kind=Membership.Kind.NATIONAL_CENTRE).exists()


def test_the_hust_mou_is_in_force_with_its_four_cooperation_items(demo):
    mou = Agreement.objects.get(reference="MOU-2024-HUST")
    assert mou.status == Agreement.Status.IN_FORCE
    assert set(mou.items.values_list("kind", flat=True)) >= {
        CooperationItem.Kind.NETWORK_ACCESSION,
        CooperationItem.Kind.PROGRAMME_CODEVELOPMENT,
        CooperationItem.Kind.PD_RECOGNITION,
        CooperationItem.Kind.SMART_CLASSROOM,
    }


def test_the_catalogue_has_five_or_more_aligned_micro_credentials_stacked_into_a_certificate(demo):
    published = SpecificationVersion.objects.filter(
        status=SpecificationVersion.Status.PUBLISHED,
        micro_credential__kind=AchievementKind.MICRO_CREDENTIAL,
    )
    assert published.count() >= 5
    assert all(version.alignments.exists() for version in published)
    pathway = Pathway.objects.get()
    assert pathway.members.count() >= 5 and pathway.certificate.kind == AchievementKind.CERTIFICATE
    assert all(
        version.title_vi and version.title_zh_hans and version.title_fr for version in published
    )


def test_every_demo_change_went_through_a_service_and_left_an_event(demo):
    assert Event.objects.filter(verb="specification.published").count() == 7
    assert Event.objects.filter(verb="agreement.status_changed").count() == 2


def test_the_demo_issues_credentials_and_lans_four_parts_stack_into_the_certificate(demo):
    from microcert.accounts.models import User
    from microcert.credentials.models import IssuedCredential
    from microcert.credentials.verification import verify_credential
    from microcert.demo.services import demo_load

    lan = User.objects.get(email="lan.pham@hust.example")
    held = IssuedCredential.objects.filter(recipient=lan)
    assert held.filter(pathway__isnull=True).count() == 4
    certificate = held.get(pathway__isnull=False)
    assert certificate.components.count() == 4
    assert verify_credential(certificate.document, allow_network=False).verified
    before = IssuedCredential.objects.count()
    demo_load()
    assert IssuedCredential.objects.count() == before
