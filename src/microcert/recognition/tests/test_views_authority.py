"""The authority reviewer's pages: the queue of applications to their schemes and the review
page, where the decision is made. Only the reviewers of the scheme's authority decide."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.catalog.models import SpecificationVersion
from microcert.core.models import Event
from microcert.credentials import services as credential_services
from microcert.credentials.models import IssuedCredential
from microcert.network import services as network_services
from microcert.network.models import Organisation
from microcert.recognition import endorsement, services
from microcert.recognition.models import (
    InclusionApplication,
    InclusionDecision,
    LedgerEntry,
)

pytestmark = pytest.mark.django_db

COLLABORATION = "organise-and-facilitate-online-collaborative-learning"
DATA = "guide-personalised-learning-with-data-insights"
ASSESSMENT = "assess-learning-from-process-performance"


class World:
    """The demo network and catalogue without credentials, MOET with a lecturers' scheme
    counted in 45-minute lessons (40 a year from 5 September), and the Centre as issuer."""

    def __init__(self) -> None:
        from microcert.demo.services import demo_load

        demo_load(credentials=False)
        self.moet = Organisation.objects.get(slug="moet")
        self.centre = Organisation.objects.get(slug="centre")
        self.hust = Organisation.objects.get(slug="hust")
        self.ut = Organisation.objects.get(slug="ut")
        self.issuer = credential_services.issuer_ensure(organisation=self.centre, actor=None)
        people = {u.email: u for u in User.objects.all()}
        self.lan = people["lan.pham@hust.example"]
        self.hung = people["hung.le@hust.example"]
        self.siti = people["siti@ut.example"]
        self.reviewer = people["reviewer@moet.example"]
        self.manager = people["manager@centre.example"]
        self.hust_admin = people["admin@hust.example"]
        self.ut_admin = people["admin@ut.example"]
        self.authority = services.authority_ensure(organisation=self.moet, actor=None)
        self.scheme = services.scheme_create(
            authority=self.authority,
            slug="vn-lecturers-pages",
            title="Lecturers' regular fostering (pages)",
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

    def submit(self, slug: str, applicant: Organisation | None = None) -> InclusionApplication:
        return services.application_submit(
            scheme=self.scheme,
            version=self.version(slug),
            applicant=applicant or self.centre,
            actor=self.manager,
            motivation="Evidence-based, assessed against a public rubric.",
        )

    def approve(
        self, application: InclusionApplication, equivalence=8, **terms
    ) -> InclusionDecision:
        return services.application_decide(
            application=application,
            actor=self.reviewer,
            outcome="approve",
            equivalence=equivalence,
            valid_from=terms.pop("valid_from", datetime.date(2026, 1, 1)),
            endorse=endorsement.build_and_sign,
            **terms,
        )

    def issue(self, person: User, slug: str, on: datetime.date | None = None) -> IssuedCredential:
        on = on or timezone.localdate() - datetime.timedelta(days=3)
        moment = datetime.datetime.combine(on, datetime.time(9), tzinfo=datetime.UTC)
        return credential_services.credential_issue(
            issuer=self.issuer,
            recipient=person,
            version=self.version(slug),
            actor=None,
            valid_from=moment,
            stack=False,
        )


@pytest.fixture
def world() -> World:
    return World()


def _as(client, person):
    client.force_login(person)
    return client


def _review(application: InclusionApplication, language: str = "en") -> str:
    from django.utils import translation

    with translation.override(language):
        return reverse("recognition:review", args=[application.uuid])


# --- who may see what ---------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, world):
    application = world.submit(COLLABORATION)
    for url in (reverse("recognition:review_queue"), _review(application)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_only_authority_reviewers_have_a_queue(client, world):
    for person in (world.lan, world.hust_admin, world.manager):
        _as(client, person)
        assert client.get(reverse("recognition:review_queue")).status_code == 403


def test_a_reviewer_of_another_authority_does_not_see_the_application(client, world):
    application = world.submit(COLLABORATION)
    other = Organisation.objects.create(
        slug="mone",
        kind="ministry",
        name="Ministry of Education of Elsewhere",
        country="ID",
        subregion="south_eastern_asia",
    )
    services.authority_ensure(organisation=other, actor=None)
    network_services.affiliation_grant(
        person=world.siti, organisation=other, role=Role.AUTHORITY_REVIEWER
    )
    _as(client, world.siti)

    assert client.get(reverse("recognition:review_queue")).status_code == 200
    assert application.version.title not in client.get(reverse("recognition:review_queue")).text
    assert client.get(_review(application)).status_code == 404
    response = client.post(_review(application), {"outcome": "reject", "reasons": "No."})
    assert response.status_code == 404
    assert not InclusionDecision.objects.exists()


def test_the_applicant_may_read_but_not_decide(client, world):
    application = world.submit(COLLABORATION)
    _as(client, world.manager)
    assert client.get(_review(application)).status_code == 403
    assert (
        client.get(reverse("recognition:application", args=[application.uuid])).status_code == 200
    )


# --- the queue and the review page ----------------------------------------------------------


def test_the_queue_lists_waiting_applications_first(client, world):
    waiting = world.submit(COLLABORATION)
    decided = world.submit(ASSESSMENT)
    world.approve(decided)
    _as(client, world.reviewer)

    page = client.get(reverse("recognition:review_queue")).text
    assert waiting.version.title in page
    assert decided.version.title not in page
    everything = client.get(reverse("recognition:review_queue"), {"status": "all"}).text
    assert waiting.version.title in everything and decided.version.title in everything
    approved = client.get(reverse("recognition:review_queue"), {"status": "approved"}).text
    assert decided.version.title in approved and waiting.version.title not in approved
    # An unknown filter is the default one, never an error.
    assert client.get(reverse("recognition:review_queue"), {"status": "<x>"}).status_code == 200


def test_the_review_page_shows_what_the_authority_decides_on(client, world):
    application = world.submit(COLLABORATION)
    version = application.version
    world.issue(world.lan, COLLABORATION)
    revoked = world.issue(world.hung, COLLABORATION)
    credential_services.credential_revoke(credential=revoked, actor=None, reason="Plagiarism")
    _as(client, world.reviewer)

    response = client.get(_review(application))

    assert response.status_code == 200
    page = response.text
    # The EU standard elements, the outcomes, the competences and the rubric.
    assert 'class="elements"' in page
    for outcome in version.outcomes.all():
        assert outcome.text in page
    assert version.get_assessment_type_display() in page
    assert version.get_quality_assurance_display() in page
    for criterion in version.rubric.all():
        assert criterion.title in page
    assert page.count('class="rubric"') == version.rubric.count()
    outcomes = response.context["outcomes"]
    assert (outcomes.issued, outcomes.active, outcomes.revoked, outcomes.holders) == (2, 1, 1, 2)
    # The workload in the scheme's unit helps decide: 45-minute lessons.
    assert response.context["workload_in_unit"] == (
        Decimal(version.workload_hours) * 60 / 45
    ).quantize(Decimal("0.01"))
    assert 'data-minutes="45"' in page
    assert "Evidence-based, assessed against a public rubric." in page


def test_the_review_page_reads_in_vietnamese(client, world):
    application = world.submit(COLLABORATION)
    _as(client, world.reviewer)
    response = client.get(_review(application, "vi"))
    assert response.status_code == 200
    assert application.version.title_vi in response.text
    assert '<html lang="vi">' in response.text


# --- deciding -------------------------------------------------------------------------------


def test_an_approval_records_the_terms_signs_an_endorsement_and_counts_for_holders(client, world):
    application = world.submit(COLLABORATION)
    credential = world.issue(world.lan, COLLABORATION)
    _as(client, world.reviewer)

    response = client.post(
        _review(application),
        {
            "outcome": "approve",
            "equivalence": "8",
            "valid_from": "2026-01-01",
            "valid_until": "",
            "conditions": "Counts once per teacher.",
        },
    )

    assert response.status_code == 302
    decision = InclusionDecision.objects.get(application=application)
    assert (decision.outcome, decision.equivalence, decision.decided_by) == (
        "approve",
        Decimal("8.00"),
        world.reviewer,
    )
    assert decision.conditions == "Counts once per teacher."
    assert decision.endorsement and "EndorsementCredential" in decision.endorsement["type"]
    assert decision.endorsement["proof"]
    entry = LedgerEntry.objects.get(credential=credential)
    assert (entry.amount, entry.hours) == (Decimal("8.00"), Decimal("6.00"))
    assert Event.objects.filter(verb="inclusion.approve", actor=world.reviewer).count() == 1
    followed = client.get(response["Location"]).text
    assert "Decision 1" in followed


def test_a_new_decision_supersedes_the_one_in_force(client, world):
    application = world.submit(COLLABORATION)
    world.approve(application, 8)
    credential = world.issue(world.lan, COLLABORATION)
    _as(client, world.reviewer)

    page = client.get(_review(application))
    # The form starts from the terms in force.
    assert page.context["form"].initial["equivalence"] == Decimal("8.00")
    client.post(
        _review(application),
        {"outcome": "approve", "equivalence": "10", "valid_from": "2026-01-01"},
    )

    assert list(application.decisions.values_list("number", "equivalence")) == [
        (2, Decimal("10.00")),
        (1, Decimal("8.00")),
    ]
    assert LedgerEntry.objects.get(credential=credential).amount == Decimal("10.00")
    history = client.get(_review(application)).context["history"]
    assert [item.verb for item in history] == ["submitted", "approve", "approve"]


def test_asking_for_changes_needs_reasons(client, world):
    application = world.submit(COLLABORATION)
    _as(client, world.reviewer)

    response = client.post(_review(application), {"outcome": "request_changes", "reasons": ""})
    assert response.status_code == 400
    assert "reasons" in response.context["form"].errors
    assert not InclusionDecision.objects.exists()

    response = client.post(
        _review(application),
        {"outcome": "request_changes", "reasons": "Describe the external quality assurance."},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "changes_requested"
    # While the applicant has not resubmitted, nothing more can be decided.
    page = client.get(_review(application))
    assert page.context["decidable"] is False
    client.post(_review(application), {"outcome": "reject", "reasons": "No."})
    assert application.decisions.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "approve", "valid_from": "2026-01-01"}, "equivalence"),
        ({"outcome": "approve", "equivalence": "0", "valid_from": "2026-01-01"}, "equivalence"),
        ({"outcome": "approve", "equivalence": "-3", "valid_from": "2026-01-01"}, "equivalence"),
        ({"outcome": "approve", "equivalence": "lots", "valid_from": "2026-01-01"}, "equivalence"),
        ({"outcome": "approve", "equivalence": "8"}, "valid_from"),
        (
            {
                "outcome": "approve",
                "equivalence": "8",
                "valid_from": "2026-01-01",
                "valid_until": "2025-01-01",
            },
            "valid_until",
        ),
        ({"outcome": "approve", "equivalence": "8", "valid_from": "0001-01-01"}, "valid_from"),
        (
            {
                "outcome": "approve",
                "equivalence": "8",
                "valid_from": "2026-01-01",
                "valid_until": "9999-12-31",
            },
            "valid_until",
        ),
        ({"outcome": "approve", "equivalence": "0.001", "valid_from": "2026-01-01"}, "equivalence"),
        ({"outcome": "maybe", "reasons": "x"}, "outcome"),
        ({"outcome": "reject"}, "reasons"),
    ],
)
def test_a_decision_that_does_not_hold_together_is_refused_in_words(client, world, data, field):
    application = world.submit(COLLABORATION)
    _as(client, world.reviewer)
    response = client.post(_review(application), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not InclusionDecision.objects.exists()


def test_a_rejected_application_is_closed(client, world):
    application = world.submit(COLLABORATION)
    _as(client, world.reviewer)
    client.post(_review(application), {"outcome": "reject", "reasons": "Out of scope."})
    response = client.get(_review(application))
    assert response.context["decidable"] is False
    client.post(_review(application), {"outcome": "approve", "equivalence": "8"})
    assert application.decisions.count() == 1
