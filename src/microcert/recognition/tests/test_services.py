"""Inclusion decisions and the PD ledger they drive."""

import datetime
from decimal import Decimal

import pytest

from microcert.accounts.models import User
from microcert.catalog.models import SpecificationVersion
from microcert.core.models import Event
from microcert.credentials import services as credential_services
from microcert.network.models import Organisation
from microcert.recognition import services
from microcert.recognition.models import InclusionApplication, LedgerEntry
from microcert.recognition.services import RecognitionError

COLLABORATION = "organise-and-facilitate-online-collaborative-learning"
ASSESSMENT = "assess-learning-from-process-performance"


class World:
    def __init__(self) -> None:
        from microcert.demo.services import demo_load

        demo_load(credentials=False)
        self.moet = Organisation.objects.get(slug="moet")
        self.centre = Organisation.objects.get(slug="centre")
        self.issuer = credential_services.issuer_ensure(organisation=self.centre, actor=None)
        self.lan = User.objects.get(email="lan.pham@hust.example")
        self.hung = User.objects.get(email="hung.le@hust.example")
        self.siti = User.objects.get(email="siti@ut.example")
        self.reviewer = User.objects.get(email="reviewer@moet.example")
        authority = services.authority_ensure(organisation=self.moet, actor=None)
        self.scheme = services.scheme_create(
            authority=authority,
            slug="vn-lecturers-test",
            title="Lecturers' regular fostering",
            country="VN",
            staff_categories=["university_lecturer"],
            unit="lesson45",
            requirement=40,
            period_years=1,
            periods_start_on=datetime.date(2026, 9, 5),
            actor=None,
        )

    def version(self, slug: str) -> SpecificationVersion:
        return SpecificationVersion.objects.get(micro_credential__slug=slug, status="published")

    def issue(self, person: User, slug: str, on: datetime.date):
        moment = datetime.datetime.combine(on, datetime.time(9), tzinfo=datetime.UTC)
        return credential_services.credential_issue(
            issuer=self.issuer,
            recipient=person,
            version=self.version(slug),
            actor=None,
            valid_from=moment,
            stack=False,
        )

    def approve(self, slug: str, equivalence, valid_from=datetime.date(2026, 1, 1), **kw):
        application = InclusionApplication.objects.filter(
            scheme=self.scheme, version=self.version(slug)
        ).first() or services.application_submit(
            scheme=self.scheme, version=self.version(slug), applicant=self.centre, actor=None
        )
        return services.application_decide(
            application=application,
            actor=self.reviewer,
            outcome="approve",
            equivalence=equivalence,
            valid_from=valid_from,
            **kw,
        )


@pytest.fixture
def world(db) -> World:
    return World()


def ledger(person) -> list[tuple[str, Decimal, Decimal]]:
    return [
        (e.credential.specification_version.micro_credential.slug, e.amount, e.hours)
        for e in LedgerEntry.objects.filter(person=person).select_related(
            "credential__specification_version__micro_credential"
        )
    ]


def test_an_approved_micro_credential_counts_in_the_scheme_unit_and_in_hours(world):
    world.approve(COLLABORATION, 8)
    world.issue(world.lan, COLLABORATION, datetime.date(2026, 10, 1))

    assert ledger(world.lan) == [(COLLABORATION, Decimal("8.00"), Decimal("6.00"))]
    entry = LedgerEntry.objects.get()
    assert entry.period_start == datetime.date(2026, 9, 5)
    assert (entry.staff_category, entry.province) == ("university_lecturer", "Hanoi")
    assert entry.area == "digcompedu:3" and entry.level == "B2"


def test_credentials_awarded_before_approval_count_once_it_is_in_force(world):
    world.issue(world.lan, COLLABORATION, datetime.date(2026, 10, 1))
    assert ledger(world.lan) == []
    world.approve(COLLABORATION, 8)
    assert ledger(world.lan) == [(COLLABORATION, Decimal("8.00"), Decimal("6.00"))]


def test_only_teachers_in_the_schemes_country_count(world):
    world.approve(COLLABORATION, 8)
    world.issue(world.siti, COLLABORATION, datetime.date(2026, 10, 1))
    assert ledger(world.siti) == []


def test_the_award_date_must_fall_in_the_decisions_window(world):
    world.approve(COLLABORATION, 8, valid_from=datetime.date(2027, 1, 1))
    world.issue(world.lan, COLLABORATION, datetime.date(2026, 12, 31))
    world.issue(world.hung, COLLABORATION, datetime.date(2027, 1, 1))
    assert ledger(world.lan) == []
    assert len(ledger(world.hung)) == 1


def test_a_changed_decision_recomputes_exactly_the_holders_of_that_version(world):
    world.approve(COLLABORATION, 8)
    world.approve(ASSESSMENT, 5)
    world.issue(world.lan, COLLABORATION, datetime.date(2026, 10, 1))
    world.issue(world.hung, ASSESSMENT, datetime.date(2026, 10, 1))
    hungs_row = LedgerEntry.objects.get(person=world.hung)

    decision = world.approve(COLLABORATION, 10)

    assert decision.number == 2
    assert ledger(world.lan) == [(COLLABORATION, Decimal("10.00"), Decimal("7.50"))]
    assert LedgerEntry.objects.get(person=world.hung) == hungs_row  # untouched row, same id
    assert Event.objects.filter(verb="inclusion.approve").count() == 3


def test_a_revoked_credential_stops_counting(world):
    world.approve(COLLABORATION, 8)
    credential = world.issue(world.lan, COLLABORATION, datetime.date(2026, 10, 1))
    credential_services.credential_revoke(credential=credential, actor=None, reason="Plagiarism")
    assert ledger(world.lan) == []


def test_a_rejection_needs_reasons_and_removes_nothing_that_was_never_there(world):
    application = services.application_submit(
        scheme=world.scheme, version=world.version(ASSESSMENT), applicant=world.centre, actor=None
    )
    with pytest.raises(RecognitionError, match="reasons"):
        services.application_decide(application=application, actor=world.reviewer, outcome="reject")
    services.application_decide(
        application=application,
        actor=world.reviewer,
        outcome="reject",
        reasons="The rubric does not assess classroom practice.",
    )
    application.refresh_from_db()
    assert application.status == "rejected"
    with pytest.raises(RecognitionError, match="rejected"):
        world.approve(ASSESSMENT, 5)


def test_asking_for_changes_waits_for_a_resubmission(world):
    application = services.application_submit(
        scheme=world.scheme, version=world.version(ASSESSMENT), applicant=world.centre, actor=None
    )
    services.application_decide(
        application=application,
        actor=world.reviewer,
        outcome="request_changes",
        reasons="Add the quality assurance report.",
    )
    with pytest.raises(RecognitionError, match="not resubmitted"):
        world.approve(ASSESSMENT, 5)
    services.application_resubmit(application=application, actor=None, motivation="Added.")
    assert world.approve(ASSESSMENT, 5).number == 2


@pytest.mark.parametrize(
    ("equivalence", "valid_from", "message"),
    [
        (0, datetime.date(2026, 1, 1), "positive"),
        ("0.001", datetime.date(2026, 1, 1), "positive"),
        ("x", datetime.date(2026, 1, 1), "number"),
        (-3, datetime.date(2026, 1, 1), "positive"),
        (8, None, "from when"),
    ],
)
def test_an_approval_needs_its_terms(world, equivalence, valid_from, message):
    with pytest.raises(RecognitionError, match=message):
        world.approve(COLLABORATION, equivalence, valid_from=valid_from)
    assert not InclusionApplication.objects.filter(decisions__isnull=False).exists()


def test_one_live_application_per_scheme_and_version(world):
    services.application_submit(
        scheme=world.scheme, version=world.version(ASSESSMENT), applicant=world.centre, actor=None
    )
    with pytest.raises(RecognitionError, match="already before"):
        services.application_submit(
            scheme=world.scheme,
            version=world.version(ASSESSMENT),
            applicant=world.centre,
            actor=None,
        )


# --- Which approval is in force on the day of award -------------------------------------------


def test_a_later_approval_from_a_later_day_leaves_earlier_awards_under_the_earlier_one(world):
    world.approve(COLLABORATION, 8)  # from 2026-01-01
    world.issue(world.lan, COLLABORATION, datetime.date(2026, 3, 1))
    world.issue(world.hung, COLLABORATION, datetime.date(2026, 7, 1))

    world.approve(COLLABORATION, 10, valid_from=datetime.date(2026, 6, 1))

    assert ledger(world.lan) == [(COLLABORATION, Decimal("8.00"), Decimal("6.00"))]
    assert ledger(world.hung) == [(COLLABORATION, Decimal("10.00"), Decimal("7.50"))]


def test_a_later_approval_with_an_end_date_ends_recognition_after_it(world):
    world.approve(COLLABORATION, 8)  # open-ended
    world.issue(world.lan, COLLABORATION, datetime.date(2026, 3, 1))
    world.issue(world.hung, COLLABORATION, datetime.date(2026, 8, 1))

    world.approve(
        COLLABORATION,
        8,
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2026, 6, 30),
    )

    assert len(ledger(world.lan)) == 1
    assert ledger(world.hung) == []  # the older open-ended approval does not come back


def test_asking_for_changes_after_an_approval_keeps_the_approval_in_force(world):
    decision = world.approve(COLLABORATION, 8)
    world.issue(world.lan, COLLABORATION, datetime.date(2026, 10, 1))

    services.application_decide(
        application=decision.application,
        actor=world.reviewer,
        outcome="request_changes",
        reasons="Update the rubric to the 2027 framework.",
    )
    assert ledger(world.lan) == [(COLLABORATION, Decimal("8.00"), Decimal("6.00"))]
    services.application_resubmit(application=decision.application, actor=None, motivation="Done")
    assert len(ledger(world.lan)) == 1
    # And pages show the same approval in force on the credential's day.
    from microcert.recognition.selectors import decisions_in_force

    assert list(
        decisions_in_force(world.version(COLLABORATION), on=datetime.date(2026, 10, 1))
    ) == [decision]


def test_a_rejection_after_an_approval_ends_the_recognition(world):
    decision = world.approve(COLLABORATION, 8)
    world.issue(world.lan, COLLABORATION, datetime.date(2026, 10, 1))
    services.application_decide(
        application=decision.application,
        actor=world.reviewer,
        outcome="reject",
        reasons="The programme no longer meets the national standard.",
    )
    assert ledger(world.lan) == []


# --- Withdrawal -------------------------------------------------------------------------------


def test_the_applicant_withdraws_an_application_not_yet_approved(world):
    application = services.application_submit(
        scheme=world.scheme, version=world.version(ASSESSMENT), applicant=world.centre, actor=None
    )
    services.application_withdraw(application=application, actor=None, reason="Rubric rework.")

    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert Event.objects.filter(verb="inclusion.withdrawn", reason="Rubric rework.").count() == 1
    with pytest.raises(RecognitionError, match="withdrawn"):
        services.application_decide(
            application=application, actor=world.reviewer, outcome="reject", reasons="x"
        )
    # A new application for the same pair may follow.
    assert services.application_submit(
        scheme=world.scheme, version=world.version(ASSESSMENT), applicant=world.centre, actor=None
    )


def test_an_application_that_was_ever_approved_cannot_be_withdrawn(world):
    decision = world.approve(COLLABORATION, 8)
    world.issue(world.lan, COLLABORATION, datetime.date(2026, 10, 1))
    with pytest.raises(RecognitionError, match="no longer be withdrawn"):
        services.application_withdraw(application=decision.application, actor=None)
    services.application_decide(
        application=decision.application,
        actor=world.reviewer,
        outcome="request_changes",
        reasons="Update the rubric.",
    )
    with pytest.raises(RecognitionError, match="only the authority"):
        services.application_withdraw(application=decision.application, actor=None)
    decision.application.refresh_from_db()
    assert decision.application.status == "changes_requested"
    assert len(ledger(world.lan)) == 1


# --- A teacher who moves ----------------------------------------------------------------------


def test_a_teacher_who_moves_abroad_stops_counting_and_counts_again_on_return(world):
    from microcert.accounts.roles import Role
    from microcert.network import services as network_services
    from microcert.network.models import Affiliation

    world.approve(COLLABORATION, 8)
    world.issue(world.lan, COLLABORATION, datetime.date(2026, 10, 1))
    hust_role = Affiliation.objects.get(person=world.lan, role=Role.TEACHER, is_active=True)
    ut = Organisation.objects.get(slug="ut")

    network_services.affiliation_revoke(affiliation=hust_role, actor=None, reason="Moved")
    network_services.affiliation_grant(person=world.lan, organisation=ut, role=Role.TEACHER)
    assert ledger(world.lan) == []  # Malaysia is outside the Vietnamese scheme

    network_services.affiliation_revoke(
        affiliation=Affiliation.objects.get(person=world.lan, organisation=ut, role=Role.TEACHER),
        actor=None,
    )
    network_services.affiliation_grant(
        person=world.lan, organisation=hust_role.organisation, role=Role.TEACHER
    )
    entry = LedgerEntry.objects.get(person=world.lan)
    assert entry.organisation == hust_role.organisation and entry.province == "Hanoi"
