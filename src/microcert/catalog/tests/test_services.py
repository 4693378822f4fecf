import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from microcert.accounts.tests.factories import UserFactory
from microcert.catalog import services
from microcert.catalog.models import (
    AchievementKind,
    MicroCredential,
    Offering,
    Pathway,
    SpecificationVersion,
)
from microcert.core.models import Event

from .factories import (
    CertificateFactory,
    PublishedSpecificationFactory,
    SpecificationFactory,
    awarding_bodies,
    specification_content,
)

pytestmark = pytest.mark.django_db

Status = SpecificationVersion.Status


@pytest.fixture
def orgs(shipped_frameworks):
    return awarding_bodies()


def verbs_about(version: SpecificationVersion) -> list[str]:
    return list(
        Event.objects.filter(object_type="catalog.specificationversion", object_id=str(version.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


def stored(row) -> dict:
    """Every stored column of a row, translations and id included."""
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


def snapshot(version: SpecificationVersion) -> dict:
    """Every stored value of a version and of its child rows."""
    version = SpecificationVersion.objects.get(pk=version.pk)
    return {
        "row": stored(version),
        "awarding": [stored(r) for r in version.awardingbody_set.all()],
        "outcomes": [stored(r) for r in version.outcomes.all()],
        "alignments": [stored(r) for r in version.alignments.all()],
        "evidence": [stored(r) for r in version.evidence_requirements.all()],
        "rubric": [stored(r) for r in version.rubric.all()],
        "levels": [[stored(r) for r in c.levels.all()] for c in version.rubric.all()],
    }


# specification_create


def test_specification_create_makes_a_draft_version_one_with_all_its_content(orgs):
    actor = UserFactory()
    version = services.specification_create(
        slug="online-collaboration", content=specification_content(), actor=actor
    )

    version.refresh_from_db()
    assert version.number == 1
    assert version.status == Status.DRAFT
    assert version.published_at is None
    assert version.micro_credential.slug == "online-collaboration"
    assert version.micro_credential.kind == AchievementKind.MICRO_CREDENTIAL
    assert version.title_en == "Organise and facilitate online collaborative learning"
    assert version.title_vi == "Tổ chức và điều phối học tập cộng tác trực tuyến"
    assert version.title_zh_hans == "组织与引导在线协作学习"
    assert version.title_fr == "Organiser et animer l'apprentissage collaboratif en ligne"
    assert version.workload_hours == Decimal(25)
    assert version.languages == ["en", "vi", "zh-hans", "fr"]
    assert list(version.awarding_bodies.order_by("awardingbody__position")) == [
        orgs["centre"],
        orgs["hust"],
    ]
    assert version.outcomes.count() == 4
    assert [(a.competence.code, a.target_level.code) for a in version.alignments.all()] == [
        ("3.3", "B2"),
        ("5.KD", "KD"),
    ]
    assert version.evidence_requirements.count() == 3
    criterion = version.rubric.first()
    assert criterion.title_en == "Task design for interdependence"
    assert criterion.weight == 2
    assert criterion.levels.filter(passing=True).exists()


def test_specification_create_records_a_specification_created_event(orgs):
    actor = UserFactory()
    version = services.specification_create(
        slug="online-collaboration", content=specification_content(), actor=actor
    )

    event = Event.objects.get(verb="specification.created")
    assert event.object_id == str(version.pk)
    assert event.actor == actor
    assert event.details == {"slug": "online-collaboration", "version": 1}


def test_specification_create_refuses_a_slug_already_taken(orgs):
    SpecificationFactory(slug="online-collaboration")

    with pytest.raises(ValidationError) as excinfo:
        SpecificationFactory(slug="online-collaboration")

    assert "slug" in excinfo.value.message_dict
    assert SpecificationVersion.objects.count() == 1


def test_specification_create_refuses_unknown_content_keys(orgs):
    with pytest.raises(ValidationError) as excinfo:
        SpecificationFactory(content=specification_content(colour="blue", size=3))

    assert excinfo.value.messages == ["Unknown fields: colour, size"]
    assert not MicroCredential.objects.exists()
    assert not Event.objects.filter(verb__startswith="specification.").exists()


def test_specification_create_stores_ects_exactly(orgs):
    version = SpecificationFactory(content=specification_content(ects="1.25"))

    version.refresh_from_db()
    assert version.ects == Decimal("1.25")
    assert str(version.ects) == "1.25"


def test_specification_create_refuses_ects_that_is_not_a_number(orgs):
    with pytest.raises(ValidationError) as excinfo:
        SpecificationFactory(content=specification_content(ects="one"))

    assert "ects" in excinfo.value.message_dict
    assert not MicroCredential.objects.exists()


def test_specification_create_refuses_an_unknown_language(orgs):
    with pytest.raises(ValidationError) as excinfo:
        SpecificationFactory(content=specification_content(languages=["en", "de"]))

    assert "languages" in excinfo.value.message_dict
    assert not MicroCredential.objects.exists()


def test_specification_create_refuses_an_unknown_awarding_body(orgs):
    with pytest.raises(ValidationError) as excinfo:
        SpecificationFactory(content=specification_content(awarding_bodies=["centre", "nowhere"]))

    assert "nowhere" in " ".join(excinfo.value.message_dict["awarding_bodies"])
    assert not MicroCredential.objects.exists()


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (
            {"framework": "digcomp-unknown", "competence": "3.3", "target_level": "B2"},
            "Unknown framework digcomp-unknown.",
        ),
        (
            {"framework": "digcompedu", "competence": "9.9", "target_level": "B2"},
            "Framework digcompedu has no competence 9.9.",
        ),
        (
            {"framework": "digcompedu", "competence": "3.3", "target_level": "Z9"},
            "Framework digcompedu has no level Z9.",
        ),
        (
            {"framework": "unesco-ict-cft", "competence": "5.KD", "target_level": "B2"},
            "Framework unesco-ict-cft has no level B2.",
        ),
    ],
    ids=["unknown-framework", "unknown-competence", "unknown-level", "level-of-other-framework"],
)
def test_alignment_to_an_unknown_framework_competence_or_level_is_refused(orgs, ref, message):
    with pytest.raises(ValidationError) as excinfo:
        SpecificationFactory(content=specification_content(alignments=[ref]))

    assert excinfo.value.message_dict["alignments"] == [message]
    assert not MicroCredential.objects.exists()


def test_alignment_to_a_unesco_cell_competence_at_another_level_is_refused(orgs):
    ref = {"framework": "unesco-ict-cft", "competence": "5.KD", "target_level": "KC"}

    with pytest.raises(ValidationError) as excinfo:
        SpecificationFactory(content=specification_content(alignments=[ref]))

    assert excinfo.value.message_dict["alignments"] == ["Competence 5.KD exists only at level KD."]
    assert not MicroCredential.objects.exists()


def test_alignment_to_a_unesco_cell_competence_at_its_own_level_is_accepted(orgs):
    ref = {"framework": "unesco-ai-cft", "competence": "1.DE", "target_level": "DE"}

    version = SpecificationFactory(content=specification_content(alignments=[ref]))

    [alignment] = version.alignments.all()
    assert (alignment.competence.code, alignment.target_level.code) == ("1.DE", "DE")


# specification_publish


def test_specification_publish_publishes_a_complete_draft_and_records_an_event(orgs):
    version = SpecificationFactory()

    services.specification_publish(version=version)

    version.refresh_from_db()
    assert version.status == Status.PUBLISHED
    assert version.published_at is not None
    assert verbs_about(version) == ["specification.created", "specification.published"]
    assert Event.objects.get(verb="specification.published").details == {"version": 1}


def rubric_without_a_passing_level() -> list[dict]:
    rubric = specification_content()["rubric"]
    for level in rubric[0]["levels"]:
        level["passing"] = False
    return rubric


def rubric_with_a_single_level() -> list[dict]:
    rubric = specification_content()["rubric"]
    rubric[0]["levels"] = [level for level in rubric[0]["levels"] if level["passing"]][:1]
    return rubric


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"learning_outcomes": []}, "At least one learning outcome is required."),
        ({"alignments": []}, "At least one competence alignment is required."),
        ({"rubric": []}, "The public rubric needs at least one criterion."),
        (
            {"rubric": rubric_without_a_passing_level()},
            "Rubric criterion “Task design for interdependence” needs at least two levels, "
            "one of them passing.",
        ),
        (
            {"rubric": rubric_with_a_single_level()},
            "Rubric criterion “Task design for interdependence” needs at least two levels, "
            "one of them passing.",
        ),
    ],
    ids=[
        "no-outcomes",
        "no-alignments",
        "no-rubric",
        "no-passing-level",
        "single-level",
    ],
)
def test_specification_publish_is_refused_with_the_reason_when_something_is_missing(
    orgs, changes, reason
):
    version = SpecificationFactory(content=specification_content(**changes))

    with pytest.raises(ValidationError) as excinfo:
        services.specification_publish(version=version)

    assert excinfo.value.messages == [reason]
    version.refresh_from_db()
    assert version.status == Status.DRAFT
    assert version.published_at is None
    assert "specification.published" not in verbs_about(version)


def test_specification_publish_lists_every_reason_at_once(orgs):
    version = SpecificationFactory(
        content=specification_content(learning_outcomes=[], alignments=[], rubric=[])
    )

    with pytest.raises(ValidationError) as excinfo:
        services.specification_publish(version=version)

    assert len(excinfo.value.messages) == 3


def test_only_a_draft_can_be_published(orgs):
    version = PublishedSpecificationFactory()

    with pytest.raises(ValidationError):
        services.specification_publish(version=version)

    assert verbs_about(version).count("specification.published") == 1


# specification_update


def test_editing_a_draft_changes_it_in_place(orgs):
    version = SpecificationFactory()

    edited = services.specification_update(
        version=version,
        changes={"title": {"en": "Online collaboration", "fr": "Collaboration en ligne"}},
    )

    assert edited.pk == version.pk
    version.refresh_from_db()
    assert version.number == 1
    assert version.status == Status.DRAFT
    assert version.title_en == "Online collaboration"
    assert version.title_fr == "Collaboration en ligne"
    assert version.title_vi == ""
    assert SpecificationVersion.objects.count() == 1
    assert verbs_about(version) == ["specification.created", "specification.updated"]
    assert Event.objects.get(verb="specification.updated").details == {
        "version": 1,
        "fields": ["title"],
    }


def test_editing_a_published_version_makes_version_two_as_a_draft(orgs):
    v1 = PublishedSpecificationFactory()

    v2 = services.specification_update(
        version=v1, changes={"title": {"en": "Online collaboration, revised"}}
    )

    assert v2.pk != v1.pk
    assert v2.micro_credential_id == v1.micro_credential_id
    assert v2.number == 2
    assert v2.status == Status.DRAFT
    assert v2.published_at is None
    assert v2.uuid != v1.uuid
    assert v2.title_en == "Online collaboration, revised"
    # Everything not edited is carried over.
    assert v2.description_vi == v1.description_vi
    assert v2.ects == v1.ects
    assert list(v2.awarding_bodies.all()) == list(v1.awarding_bodies.all())
    assert [o.text_en for o in v2.outcomes.all()] == [o.text_en for o in v1.outcomes.all()]
    assert [(a.competence_id, a.target_level_id) for a in v2.alignments.all()] == [
        (a.competence_id, a.target_level_id) for a in v1.alignments.all()
    ]
    assert v2.evidence_requirements.count() == v1.evidence_requirements.count()
    assert [
        (c.title_en, c.weight, [(lv.score, lv.passing) for lv in c.levels.all()])
        for c in v2.rubric.all()
    ] == [
        (c.title_en, c.weight, [(lv.score, lv.passing) for lv in c.levels.all()])
        for c in v1.rubric.all()
    ]


def test_editing_a_published_version_leaves_it_exactly_as_it_was(orgs):
    v1 = PublishedSpecificationFactory()
    before = snapshot(v1)
    new_rubric = [
        {
            "title": {"en": "A single new criterion"},
            "levels": [
                {"score": 0, "label": {"en": "No"}},
                {"score": 1, "label": {"en": "Yes"}, "passing": True},
            ],
        }
    ]

    services.specification_update(
        version=v1,
        changes={
            "title": {"en": "Renamed"},
            "learning_outcomes": [{"en": "One new outcome."}],
            "rubric": new_rubric,
            "alignments": [{"framework": "digcompedu", "competence": "1.1", "target_level": "A2"}],
            "awarding_bodies": ["hust"],
            "ects": "2.5",
        },
    )

    after = snapshot(v1)
    assert after == before
    assert after["row"]["status"] == Status.PUBLISHED
    assert after["row"]["title_en"] == "Organise and facilitate online collaborative learning"
    assert len(after["outcomes"]) == 4
    assert after["rubric"][0]["title_en"] == "Task design for interdependence"


def test_editing_a_published_version_records_version_created_and_updated_events(orgs):
    v1 = PublishedSpecificationFactory()

    v2 = services.specification_update(version=v1, changes={"title": {"en": "Renamed"}})

    assert verbs_about(v2) == ["specification.version_created", "specification.updated"]
    assert Event.objects.get(verb="specification.version_created").details == {
        "from_version": 1,
        "version": 2,
    }
    assert verbs_about(v1) == ["specification.created", "specification.published"]


def test_a_second_edit_of_the_published_version_reuses_the_same_draft(orgs):
    v1 = PublishedSpecificationFactory()
    first = services.specification_update(version=v1, changes={"title": {"en": "First edit"}})

    second = services.specification_update(version=v1, changes={"summary": {"en": "Shorter"}})

    assert second.pk == first.pk
    assert second.number == 2
    second.refresh_from_db()
    assert second.title_en == "First edit"
    assert second.summary_en == "Shorter"
    assert v1.micro_credential.versions.count() == 2
    assert Event.objects.filter(verb="specification.version_created").count() == 1
    assert verbs_about(second).count("specification.updated") == 2


def test_a_refused_edit_of_a_published_version_leaves_no_draft_behind(orgs):
    v1 = PublishedSpecificationFactory()
    before = Event.objects.count()

    with pytest.raises(ValidationError):
        services.specification_update(version=v1, changes={"colour": "blue"})

    assert v1.micro_credential.versions.count() == 1
    assert Event.objects.count() == before


def test_publishing_version_two_makes_version_one_superseded(orgs):
    v1 = PublishedSpecificationFactory()
    v2 = services.specification_update(version=v1, changes={"title": {"en": "Renamed"}})

    services.specification_publish(version=v2)

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.status == Status.SUPERSEDED
    assert v1.published_at is not None
    assert v2.status == Status.PUBLISHED
    assert Event.objects.filter(verb="specification.published").count() == 2


def test_specification_withdraw_withdraws_only_a_published_version(orgs):
    draft = SpecificationFactory()
    with pytest.raises(ValidationError):
        services.specification_withdraw(version=draft, reason="Mistake")

    published = PublishedSpecificationFactory()
    services.specification_withdraw(version=published, reason="Out of date")

    published.refresh_from_db()
    assert published.status == Status.WITHDRAWN
    assert verbs_about(published)[-1] == "specification.withdrawn"


# offering_create


def offering_kwargs(version, orgs, **overrides):
    kwargs = {
        "version": version,
        "host": orgs["hust"],
        "starts_on": datetime.date(2027, 1, 11),
        "ends_on": datetime.date(2027, 2, 19),
        "language": "vi",
        "mode": "online",
        "capacity": 40,
    }
    kwargs.update(overrides)
    return kwargs


def test_offering_create_opens_a_run_of_a_published_specification(orgs):
    version = PublishedSpecificationFactory()

    offering = services.offering_create(**offering_kwargs(version, orgs))

    assert offering.status == Offering.Status.OPEN
    assert offering.version == version
    event = Event.objects.get(verb="offering.created")
    assert event.details == {"version": str(version.uuid), "host": "hust"}


def test_offering_create_is_refused_for_a_draft(orgs):
    version = SpecificationFactory()

    with pytest.raises(ValidationError) as excinfo:
        services.offering_create(**offering_kwargs(version, orgs))

    assert excinfo.value.messages == ["Only a published specification can be offered."]
    assert not Offering.objects.exists()
    assert not Event.objects.filter(verb="offering.created").exists()


def test_offering_create_is_refused_in_a_language_the_specification_lacks(orgs):
    version = PublishedSpecificationFactory(content=specification_content(languages=["en", "vi"]))

    with pytest.raises(ValidationError) as excinfo:
        services.offering_create(**offering_kwargs(version, orgs, language="fr"))

    assert "language" in excinfo.value.message_dict
    assert not Offering.objects.exists()


def test_offering_create_refuses_an_end_before_the_start(orgs):
    version = PublishedSpecificationFactory()

    with pytest.raises(ValidationError):
        services.offering_create(
            **offering_kwargs(version, orgs, ends_on=datetime.date(2026, 12, 1))
        )

    assert not Offering.objects.exists()


# pathway_create


@pytest.fixture
def parts(orgs):
    return [PublishedSpecificationFactory().micro_credential for _ in range(3)]


@pytest.fixture
def certificate(orgs):
    return CertificateFactory().micro_credential


def pathway_kwargs(members, certificate, **overrides):
    kwargs = {
        "slug": "certificate-pathway",
        "title": {"en": "Certificate pathway", "vi": "Lộ trình chứng chỉ"},
        "description": "Earn two of three.",
        "required_count": 2,
        "members": members,
        "certificate": certificate,
    }
    kwargs.update(overrides)
    return kwargs


def test_pathway_create_stacks_n_of_m_micro_credentials_into_a_certificate(parts, certificate):
    pathway = services.pathway_create(**pathway_kwargs(parts, certificate))

    assert pathway.required_count == 2
    assert list(pathway.members.order_by("pathwaymember__position")) == parts
    assert pathway.certificate == certificate
    assert pathway.title_vi == "Lộ trình chứng chỉ"
    event = Event.objects.get(verb="pathway.created")
    assert event.details == {"required": 2, "members": [m.slug for m in parts]}


@pytest.mark.parametrize("required_count", [4, 0, -1])
def test_pathway_create_refuses_n_outside_one_to_m(parts, certificate, required_count):
    with pytest.raises(ValidationError) as excinfo:
        services.pathway_create(**pathway_kwargs(parts, certificate, required_count=required_count))

    assert "required_count" in excinfo.value.message_dict
    assert not Pathway.objects.exists()
    assert not Event.objects.filter(verb="pathway.created").exists()


def test_pathway_create_refuses_an_award_that_is_not_a_certificate(parts):
    with pytest.raises(ValidationError) as excinfo:
        services.pathway_create(**pathway_kwargs(parts[:2], parts[2], required_count=1))

    assert "certificate" in excinfo.value.message_dict
    assert not Pathway.objects.exists()


def test_pathway_create_refuses_the_certificate_among_its_own_members(parts, certificate):
    with pytest.raises(ValidationError) as excinfo:
        services.pathway_create(**pathway_kwargs([*parts, certificate], certificate))

    assert "members" in excinfo.value.message_dict
    assert not Pathway.objects.exists()


def test_a_superseded_version_cannot_be_edited_so_newer_changes_are_never_undone(orgs):
    v1 = PublishedSpecificationFactory()
    v2 = services.specification_update(version=v1, changes={"title": {"en": "Renamed"}})
    services.specification_publish(version=v2)
    with pytest.raises(ValidationError, match="Only the current version"):
        services.specification_update(version=v1, changes={"title": {"en": "Old again"}})
    assert not SpecificationVersion.objects.filter(status=Status.DRAFT).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"awarding_bodies": ["centre", "centre"]},
        {
            "alignments": [{"framework": "digcompedu", "competence": "3.3", "target_level": "B2"}]
            * 2
        },
        {
            "rubric": [
                {
                    "title": {"en": "Criterion"},
                    "levels": [
                        {"score": 1, "label": {"en": "a"}, "passing": False},
                        {"score": 1, "label": {"en": "b"}, "passing": True},
                    ],
                }
            ]
        },
    ],
    ids=["awarding body twice", "competence twice", "two levels with one score"],
)
def test_a_repeated_entry_is_refused_with_a_message_not_a_database_error(orgs, changes):
    draft = SpecificationFactory()
    before = snapshot(draft)
    with pytest.raises(ValidationError):
        services.specification_update(version=draft, changes=changes)
    assert snapshot(draft) == before


def test_publishing_without_any_language_is_refused_with_the_reason(orgs):
    draft = SpecificationFactory()
    services.specification_update(version=draft, changes={"languages": []})
    with pytest.raises(ValidationError, match="At least one language"):
        services.specification_publish(version=draft)
