import datetime

import pytest
from django.core.exceptions import ValidationError

from microcert.accounts.roles import Role
from microcert.accounts.tests.factories import UserFactory
from microcert.core.models import Event
from microcert.network import services
from microcert.network.models import (
    Affiliation,
    Agreement,
    CooperationItem,
    Membership,
    Organisation,
)

from .factories import (
    AgreementFactory,
    MembershipFactory,
    MinistryFactory,
    OrganisationFactory,
    ProgrammeOwnerFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def events_about(obj) -> list[Event]:
    return list(
        Event.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by(
            "id"
        )
    )


def message_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# organisation_create


def test_organisation_create_stores_every_language_and_records_an_event():
    actor = UserFactory()
    org = services.organisation_create(
        slug="hust",
        kind=Organisation.Kind.HEI,
        name={"en": "Hanoi University of Science and Technology", "vi": "Đại học Bách khoa"},
        country="VN",
        subregion="south_eastern_asia",
        actor=actor,
    )

    assert org.name_en == "Hanoi University of Science and Technology"
    assert org.name_vi == "Đại học Bách khoa"
    assert org.name_fr == ""
    [event] = events_about(org)
    assert event.verb == "organisation.created"
    assert event.actor == actor
    assert event.details == {"slug": "hust", "kind": "hei"}


def test_organisation_create_refuses_a_second_programme_owner():
    ProgrammeOwnerFactory()
    before = Event.objects.count()

    with pytest.raises(ValidationError):
        OrganisationFactory(is_programme_owner=True)

    assert Organisation.objects.count() == 1
    assert Event.objects.count() == before


# memberships


def test_membership_create_starts_as_applied_and_records_an_event():
    membership = MembershipFactory()

    assert membership.status == Membership.Status.APPLIED
    assert membership.since is None
    [event] = events_about(membership)
    assert event.verb == "membership.created"
    assert event.details == {"kind": "partner_hei", "status": "applied"}


def test_membership_going_from_applied_to_active_sets_since():
    membership = MembershipFactory()

    services.membership_set_status(
        membership=membership, status=Membership.Status.ACTIVE, on=D(2024, 10, 15), reason="MoU"
    )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.since == D(2024, 10, 15)
    assert membership.until is None
    event = events_about(membership)[-1]
    assert event.verb == "membership.status_changed"
    assert event.reason == "MoU"
    assert event.details == {"from": "applied", "to": "active"}


def test_membership_reactivated_after_suspension_keeps_its_original_since():
    membership = MembershipFactory()
    services.membership_set_status(membership=membership, status="active", on=D(2024, 1, 1))
    services.membership_set_status(membership=membership, status="suspended", on=D(2024, 6, 1))

    services.membership_set_status(membership=membership, status="active", on=D(2025, 1, 1))

    membership.refresh_from_db()
    assert membership.since == D(2024, 1, 1)


def test_membership_going_from_active_to_ended_sets_until():
    membership = MembershipFactory()
    services.membership_set_status(membership=membership, status="active", on=D(2024, 1, 1))

    services.membership_set_status(membership=membership, status="ended", on=D(2026, 3, 31))

    membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED
    assert (membership.since, membership.until) == (D(2024, 1, 1), D(2026, 3, 31))


def test_membership_cannot_go_from_ended_back_to_active():
    membership = MembershipFactory()
    services.membership_set_status(membership=membership, status="active", on=D(2024, 1, 1))
    services.membership_set_status(membership=membership, status="ended", on=D(2025, 1, 1))
    before = Event.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        services.membership_set_status(membership=membership, status="active")

    assert message_of(excinfo) == "A membership cannot go from Ended to Active."
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ENDED
    assert membership.until == D(2025, 1, 1)
    assert Event.objects.count() == before


def test_a_second_open_membership_is_refused():
    first = MembershipFactory()
    before = Event.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        services.membership_create(
            organisation=first.organisation, kind=Membership.Kind.NATIONAL_CENTRE
        )

    assert "already has an open membership" in message_of(excinfo)
    assert first.organisation.memberships.count() == 1
    assert Event.objects.count() == before


def test_a_new_membership_is_allowed_once_the_previous_one_ended():
    first = MembershipFactory()
    services.membership_set_status(membership=first, status="ended", on=D(2025, 1, 1))

    second = services.membership_create(
        organisation=first.organisation, kind=Membership.Kind.NATIONAL_CENTRE
    )

    assert second.status == Membership.Status.APPLIED
    assert first.organisation.memberships.count() == 2


# agreements


def test_agreement_create_links_its_parties_and_records_an_event():
    a, b = OrganisationFactory(slug="uni-a"), OrganisationFactory(slug="uni-b")

    agreement = services.agreement_create(
        reference="MOU-1", title={"en": "Cooperation", "fr": "Coopération"}, parties=[a, b]
    )

    assert agreement.status == Agreement.Status.DRAFT
    assert set(agreement.parties.all()) == {a, b}
    assert agreement.title_fr == "Coopération"
    [event] = events_about(agreement)
    assert event.verb == "agreement.created"
    assert event.details == {"parties": ["uni-a", "uni-b"]}


def test_an_agreement_needs_two_parties():
    a = OrganisationFactory()
    before = Event.objects.count()

    with pytest.raises(ValidationError):
        services.agreement_create(reference="MOU-1", title="Alone", parties=[a])

    assert not Agreement.objects.exists()
    assert Event.objects.count() == before


def test_an_agreement_with_the_same_organisation_twice_has_only_one_party_and_is_refused():
    a = OrganisationFactory()

    with pytest.raises(ValidationError):
        services.agreement_create(reference="MOU-1", title="With itself", parties=[a, a])

    assert not Agreement.objects.exists()


def test_agreement_lifecycle_sets_the_date_of_each_step():
    agreement = AgreementFactory()

    services.agreement_transition(agreement=agreement, status="signed", on=D(2025, 3, 1))
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED
    assert agreement.signed_on == D(2025, 3, 1)

    services.agreement_transition(
        agreement=agreement, status="in_force", on=D(2025, 4, 1), expires_on=D(2030, 3, 31)
    )
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.IN_FORCE
    assert agreement.effective_from == D(2025, 4, 1)
    assert agreement.expires_on == D(2030, 3, 31)

    services.agreement_transition(agreement=agreement, status="expired", on=D(2030, 3, 31))
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.EXPIRED
    assert agreement.expires_on == D(2030, 3, 31)
    assert (agreement.signed_on, agreement.effective_from) == (D(2025, 3, 1), D(2025, 4, 1))

    transitions = [
        (e.details["from"], e.details["to"], e.details["on"])
        for e in events_about(agreement)
        if e.verb == "agreement.status_changed"
    ]
    assert transitions == [
        ("draft", "signed", "2025-03-01"),
        ("signed", "in_force", "2025-04-01"),
        ("in_force", "expired", "2030-03-31"),
    ]


def test_an_agreement_ending_early_moves_its_expiry_forward():
    agreement = AgreementFactory()
    services.agreement_transition(agreement=agreement, status="signed", on=D(2025, 3, 1))
    services.agreement_transition(
        agreement=agreement, status="in_force", on=D(2025, 4, 1), expires_on=D(2030, 3, 31)
    )

    services.agreement_transition(agreement=agreement, status="terminated", on=D(2026, 1, 15))

    agreement.refresh_from_db()
    assert agreement.expires_on == D(2026, 1, 15)


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "in_force"),
        ([], "expired"),
        (["signed"], "expired"),
        (["signed", "in_force", "expired"], "in_force"),
        (["terminated"], "signed"),
    ],
)
def test_an_agreement_cannot_skip_or_reverse_a_step(path, illegal):
    agreement = AgreementFactory()
    day = D(2025, 1, 1)
    for status in path:
        day += datetime.timedelta(days=30)
        services.agreement_transition(agreement=agreement, status=status, on=day)
    agreement.refresh_from_db()
    state = (agreement.status, agreement.signed_on, agreement.effective_from, agreement.expires_on)
    before = Event.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        services.agreement_transition(agreement=agreement, status=illegal, on=D(2029, 1, 1))

    assert message_of(excinfo).startswith("An agreement cannot go from")
    agreement.refresh_from_db()
    assert (
        agreement.status,
        agreement.signed_on,
        agreement.effective_from,
        agreement.expires_on,
    ) == state
    assert Event.objects.count() == before


def test_a_draft_agreement_cannot_come_into_force_without_being_signed():
    agreement = AgreementFactory()

    with pytest.raises(ValidationError) as excinfo:
        services.agreement_transition(agreement=agreement, status="in_force", on=D(2025, 1, 1))

    assert message_of(excinfo) == "An agreement cannot go from Draft to In force."
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT
    assert agreement.effective_from is None


def test_an_agreement_cannot_expire_before_it_comes_into_force():
    agreement = AgreementFactory()
    services.agreement_transition(agreement=agreement, status="signed", on=D(2025, 3, 1))
    before = Event.objects.count()

    with pytest.raises(ValidationError):
        services.agreement_transition(
            agreement=agreement, status="in_force", on=D(2025, 4, 1), expires_on=D(2025, 1, 1)
        )

    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED
    assert Event.objects.count() == before


# cooperation items


def test_cooperation_item_owned_by_a_party_is_added_in_order_and_records_an_event():
    a, b = OrganisationFactory(), OrganisationFactory()
    agreement = AgreementFactory(parties=[a, b])

    first = services.cooperation_item_add(
        agreement=agreement, kind="network_accession", title="Join the network", owner=a
    )
    second = services.cooperation_item_add(
        agreement=agreement, kind="smart_classroom", title="Build a Smart Classroom", owner=b
    )

    assert (first.position, second.position) == (0, 1)
    assert first.owner == a
    [event] = events_about(first)
    assert event.verb == "cooperation_item.added"
    assert event.details == {"agreement": agreement.reference, "kind": "network_accession"}


def test_cooperation_item_owner_must_be_a_party_to_the_agreement():
    agreement = AgreementFactory()
    outsider = OrganisationFactory()
    before = Event.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        services.cooperation_item_add(
            agreement=agreement, kind="other", title="Someone else's job", owner=outsider
        )

    assert "must be a party" in message_of(excinfo)
    assert not CooperationItem.objects.exists()
    assert Event.objects.count() == before


def test_cooperation_item_status_change_records_an_event():
    agreement = AgreementFactory()
    item = services.cooperation_item_add(agreement=agreement, kind="other", title="Visit")

    services.cooperation_item_set_status(item=item, status="done", reason="Visited")

    item.refresh_from_db()
    assert item.status == CooperationItem.Status.DONE
    event = events_about(item)[-1]
    assert event.verb == "cooperation_item.status_changed"
    assert event.details == {"from": "planned", "to": "done"}


def test_cooperation_item_unknown_status_is_refused():
    agreement = AgreementFactory()
    item = services.cooperation_item_add(agreement=agreement, kind="other", title="Visit")
    before = Event.objects.count()

    with pytest.raises(ValidationError):
        services.cooperation_item_set_status(item=item, status="lost")

    item.refresh_from_db()
    assert item.status == CooperationItem.Status.PLANNED
    assert Event.objects.count() == before


# affiliations


def test_affiliation_grant_gives_the_role_and_records_an_event():
    person, org = UserFactory(), OrganisationFactory()

    affiliation = services.affiliation_grant(person=person, organisation=org, role=Role.TEACHER)

    assert affiliation.is_active
    [event] = events_about(affiliation)
    assert event.verb == "affiliation.granted"
    assert event.details == {"person": person.email, "organisation": org.slug, "role": "teacher"}


def test_affiliation_grant_is_idempotent():
    person, org = UserFactory(), OrganisationFactory()
    first = services.affiliation_grant(person=person, organisation=org, role=Role.TEACHER)
    before = Event.objects.count()

    again = services.affiliation_grant(person=person, organisation=org, role=Role.TEACHER)

    assert again == first
    assert Affiliation.objects.filter(person=person).count() == 1
    assert Event.objects.count() == before


def test_affiliation_grant_reactivates_a_revoked_role():
    person, org = UserFactory(), OrganisationFactory()
    affiliation = services.affiliation_grant(person=person, organisation=org, role=Role.ASSESSOR)
    services.affiliation_revoke(affiliation=affiliation, reason="Left")
    affiliation.refresh_from_db()
    assert not affiliation.is_active

    again = services.affiliation_grant(person=person, organisation=org, role=Role.ASSESSOR)

    assert again.pk == affiliation.pk
    assert again.is_active
    assert [e.verb for e in events_about(affiliation)] == [
        "affiliation.granted",
        "affiliation.revoked",
        "affiliation.granted",
    ]


def test_programme_manager_role_is_granted_only_at_the_programme_owner():
    person = UserFactory()
    centre, university = ProgrammeOwnerFactory(), OrganisationFactory()
    before = Event.objects.count()

    with pytest.raises(ValidationError):
        services.affiliation_grant(
            person=person, organisation=university, role=Role.PROGRAMME_MANAGER
        )
    assert not Affiliation.objects.exists()
    assert Event.objects.count() == before

    services.affiliation_grant(person=person, organisation=centre, role=Role.PROGRAMME_MANAGER)
    assert Affiliation.objects.filter(organisation=centre, role="programme_manager").exists()


def test_authority_reviewer_role_is_granted_only_at_a_ministry():
    person = UserFactory()
    ministry, university = MinistryFactory(), OrganisationFactory()
    before = Event.objects.count()

    with pytest.raises(ValidationError):
        services.affiliation_grant(
            person=person, organisation=university, role=Role.AUTHORITY_REVIEWER
        )
    assert not Affiliation.objects.exists()
    assert Event.objects.count() == before

    services.affiliation_grant(person=person, organisation=ministry, role=Role.AUTHORITY_REVIEWER)
    assert Affiliation.objects.filter(organisation=ministry, role="authority_reviewer").exists()


def test_affiliation_grant_refuses_an_unknown_role():
    person, org = UserFactory(), OrganisationFactory()

    with pytest.raises(ValidationError):
        services.affiliation_grant(person=person, organisation=org, role="dean")

    assert not Affiliation.objects.exists()


def test_affiliation_revoke_records_an_event_with_the_reason():
    person, org = UserFactory(), OrganisationFactory()
    affiliation = services.affiliation_grant(person=person, organisation=org, role=Role.TEACHER)

    services.affiliation_revoke(affiliation=affiliation, reason="Retired")

    event = events_about(affiliation)[-1]
    assert (event.verb, event.reason) == ("affiliation.revoked", "Retired")


def test_an_unknown_membership_status_is_refused_with_a_message():
    membership = MembershipFactory()
    with pytest.raises(ValidationError, match="Unknown membership status"):
        services.membership_set_status(membership=membership, status="vanished")
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPLIED


def test_an_unknown_agreement_status_is_refused_with_a_message():
    agreement = AgreementFactory()
    with pytest.raises(ValidationError, match="Unknown agreement status"):
        services.agreement_transition(agreement=agreement, status="vanished")
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT
