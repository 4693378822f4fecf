import pytest

from microcert.catalog import selectors, services
from microcert.catalog.models import AchievementKind, SpecificationVersion

from .factories import (
    CertificateFactory,
    PublishedSpecificationFactory,
    SpecificationFactory,
    awarding_bodies,
)

pytestmark = pytest.mark.django_db

Status = SpecificationVersion.Status


@pytest.fixture
def orgs(shipped_frameworks):
    return awarding_bodies()


def new_published_version(version: SpecificationVersion) -> SpecificationVersion:
    draft = services.specification_update(
        version=version, changes={"title": {"en": f"{version.title_en}, revised"}}
    )
    return services.specification_publish(version=draft)


def test_published_specifications_returns_only_the_current_published_versions(orgs):
    stable = PublishedSpecificationFactory(slug="stable")
    revised_v1 = PublishedSpecificationFactory(slug="revised")
    revised_v2 = new_published_version(revised_v1)
    being_edited = PublishedSpecificationFactory(slug="being-edited")
    services.specification_update(version=being_edited, changes={"summary": {"en": "Draft"}})
    SpecificationFactory(slug="draft-only")
    withdrawn = PublishedSpecificationFactory(slug="withdrawn")
    services.specification_withdraw(version=withdrawn, reason="Retired")

    found = set(selectors.published_specifications())

    assert found == {stable, revised_v2, being_edited}
    assert all(v.status == Status.PUBLISHED for v in found)


def test_published_specifications_filters_by_kind(orgs):
    micro = PublishedSpecificationFactory()
    certificate = CertificateFactory()

    assert list(selectors.published_specifications(kind=AchievementKind.MICRO_CREDENTIAL)) == [
        micro
    ]
    assert list(selectors.published_specifications(kind=AchievementKind.CERTIFICATE)) == [
        certificate
    ]


def test_specification_detail_by_slug_gives_the_published_version(orgs):
    v1 = PublishedSpecificationFactory(slug="revised")
    v2 = new_published_version(v1)
    services.specification_update(version=v2, changes={"summary": {"en": "Draft v3"}})

    detail = selectors.specification_detail("revised")

    assert detail == v2
    assert detail.status == Status.PUBLISHED


def test_specification_detail_by_number_gives_an_old_superseded_version(orgs):
    v1 = PublishedSpecificationFactory(slug="revised")
    new_published_version(v1)

    detail = selectors.specification_detail("revised", 1)

    assert detail == v1
    assert detail.status == Status.SUPERSEDED
    assert detail.title_en == v1.title_en


def test_specification_detail_never_gives_a_draft(orgs):
    v1 = PublishedSpecificationFactory(slug="revised")
    draft = services.specification_update(version=v1, changes={"summary": {"en": "Draft"}})
    SpecificationFactory(slug="draft-only")

    assert draft.number == 2
    assert selectors.specification_detail("revised", 2) is None
    assert selectors.specification_detail("revised") == v1
    assert selectors.specification_detail("draft-only") is None
    assert selectors.specification_detail("draft-only", 1) is None


def test_specification_detail_returns_none_for_an_unknown_slug_or_number(orgs):
    PublishedSpecificationFactory(slug="known")

    assert selectors.specification_detail("unknown") is None
    assert selectors.specification_detail("known", 7) is None


def test_pathways_with_members_carry_each_members_published_version(orgs):
    parts = [PublishedSpecificationFactory() for _ in range(2)]
    certificate = CertificateFactory()
    services.pathway_create(
        slug="pathway",
        title="Pathway",
        description="",
        required_count=1,
        members=[p.micro_credential for p in parts],
        certificate=certificate.micro_credential,
    )

    [pathway] = selectors.pathways_with_members()

    assert [m.published for m in pathway.members.all()] == [[parts[0]], [parts[1]]]
    assert list(selectors.pathways_containing(parts[0].micro_credential)) == [pathway]
