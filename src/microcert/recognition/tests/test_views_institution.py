"""The applicant's pages (submit a micro-credential for recognition, follow it, resubmit) and
the institution's PD compliance page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from microcert.accounts.roles import Role
from microcert.catalog.models import SpecificationVersion
from microcert.core.models import Event
from microcert.network import services as network_services
from microcert.recognition import services
from microcert.recognition.models import InclusionApplication

from .test_views_authority import ASSESSMENT, COLLABORATION, DATA, World, _as

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


NEW = "recognition:application_new"


def _form(world: World, slug: str = COLLABORATION, applicant: str = "centre", **extra) -> dict:
    return {
        "applicant": applicant,
        "scheme": world.scheme.slug,
        "version": str(world.version(slug).uuid),
        "motivation": "Assessed on evidence from real teaching, against a public rubric.",
        **extra,
    }


# --- applying ---------------------------------------------------------------------------------


def test_teachers_and_reviewers_cannot_apply(client, world):
    for person in (world.lan, world.reviewer):
        _as(client, person)
        assert client.get(reverse("recognition:applications")).status_code == 403
        assert client.get(reverse(NEW)).status_code == 403
        assert client.post(reverse(NEW), _form(world)).status_code == 403
    assert not InclusionApplication.objects.exists()


def test_the_programme_manager_submits_for_the_centre(client, world):
    _as(client, world.manager)
    page = client.get(reverse(NEW))
    assert page.status_code == 200
    assert escape(world.scheme.title) in page.text
    # The Centre may submit any published micro-credential of the programme.
    versions = page.context["form"].fields["version"].queryset
    assert set(versions) == set(SpecificationVersion.objects.filter(status="published"))

    response = client.post(reverse(NEW), _form(world))

    application = InclusionApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("recognition:application", args=[application.uuid])
    assert (application.applicant, application.submitted_by, application.status) == (
        world.centre,
        world.manager,
        "submitted",
    )
    assert Event.objects.filter(verb="inclusion.submitted", actor=world.manager).exists()
    listed = client.get(reverse("recognition:applications")).text
    assert application.version.title in listed


def test_an_institution_admin_submits_only_what_it_awards(client, world):
    _as(client, world.hust_admin)
    page = client.get(reverse(NEW))
    versions = set(page.context["form"].fields["version"].queryset)
    assert world.version(COLLABORATION) in versions  # HUST is an awarding body
    assert world.version(ASSESSMENT) not in versions  # Ain Shams is, not HUST

    refused = client.post(reverse(NEW), _form(world, ASSESSMENT, applicant="hust"))
    assert refused.status_code == 400
    assert "version" in refused.context["form"].errors
    # And never on behalf of an organisation they do not act for.
    refused = client.post(reverse(NEW), _form(world, COLLABORATION, applicant="centre"))
    assert refused.status_code == 400
    assert "applicant" in refused.context["form"].errors

    done = client.post(reverse(NEW), _form(world, COLLABORATION, applicant="hust"))
    assert done.status_code == 302
    assert InclusionApplication.objects.get().applicant == world.hust


def test_a_version_already_before_the_scheme_is_refused_in_words(client, world):
    world.submit(COLLABORATION)
    _as(client, world.manager)
    response = client.post(reverse(NEW), _form(world))
    assert response.status_code == 400
    assert "already before the scheme" in response.text
    assert InclusionApplication.objects.count() == 1


def test_a_tampered_choice_is_a_form_error(client, world):
    _as(client, world.manager)
    for field, value in (("scheme", "nope"), ("version", "not-a-uuid"), ("applicant", "x")):
        response = client.post(reverse(NEW), _form(world, **{field: value}))
        assert response.status_code == 400
        assert field in response.context["form"].errors


def test_the_applicant_resubmits_after_changes_are_asked_for(client, world):
    application = world.submit(DATA)
    services.application_decide(
        application=application,
        actor=world.reviewer,
        outcome="request_changes",
        reasons="Describe the external quality assurance.",
    )
    url = reverse("recognition:application", args=[application.uuid])
    _as(client, world.manager)

    page = client.get(url)
    assert "Describe the external quality assurance." in page.text
    assert page.context["form"] is not None
    response = client.post(url, {"motivation": "External QA by the National Centre."})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.motivation == "External QA by the National Centre."
    assert [i.verb for i in client.get(url).context["history"]] == [
        "submitted",
        "request_changes",
        "resubmitted",
    ]
    # Nothing to resubmit now.
    again = client.post(url, {"motivation": "Again"})
    assert again.status_code == 302
    application.refresh_from_db()
    assert application.motivation == "External QA by the National Centre."


def test_someone_elses_application_is_not_found(client, world):
    application = world.submit(COLLABORATION)
    url = reverse("recognition:application", args=[application.uuid])
    for person in (world.ut_admin, world.lan):
        _as(client, person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"motivation": "x"}).status_code == 404


# --- compliance -------------------------------------------------------------------------------


def _compliance(world: World, slug: str = "hust") -> str:
    return reverse("recognition:compliance", args=[slug, world.scheme.slug])


def test_compliance_shows_each_teacher_against_the_requirement(client, world):
    world.approve(world.submit(COLLABORATION), 8)
    world.approve(world.submit(DATA), 40)
    world.issue(world.lan, COLLABORATION)
    world.issue(world.hung, COLLABORATION)
    world.issue(world.hung, DATA)
    _as(client, world.hust_admin)

    home = client.get(reverse("recognition:compliance_home", args=["hust"]))
    assert home.status_code == 200
    assert escape(world.scheme.title) in home.text
    response = client.get(_compliance(world))

    assert response.status_code == 200
    result = response.context["compliance"]
    assert result.start == datetime.date(2026, 9, 5)
    rows = {row.teacher.email: row for row in result.rows}
    lan, hung = rows["lan.pham@hust.example"], rows["hung.le@hust.example"]
    assert (lan.amount, lan.hours, lan.met, lan.missing) == (
        Decimal("8.00"),
        Decimal("6.00"),
        False,
        Decimal("32.00"),
    )
    assert lan.missing_hours == Decimal("24.00")
    assert (hung.amount, hung.met, hung.credentials) == (Decimal("48.00"), True, 2)
    assert result.met == 1
    # What can still be earned: the micro-credentials the scheme counts.
    assert {
        d.application.version.micro_credential.slug for d in response.context["recognised"]
    } == {
        COLLABORATION,
        DATA,
    }


def test_an_earlier_period_is_chosen_by_a_day_in_it(client, world):
    world.approve(world.submit(COLLABORATION), 8)
    world.issue(world.lan, COLLABORATION, datetime.date(2026, 3, 1))
    _as(client, world.hust_admin)
    response = client.get(_compliance(world), {"period": "2026-01-15"})
    result = response.context["compliance"]
    assert (result.start, result.end) == (datetime.date(2025, 9, 5), datetime.date(2026, 9, 4))
    assert {r.teacher.email: r.amount for r in result.rows}["lan.pham@hust.example"] == Decimal(
        "8.00"
    )
    for day in ("garbage", "0001-01-01", "9999-12-31"):
        assert client.get(_compliance(world), {"period": day}).status_code == 200


def test_who_follows_compliance(client, world):
    allowed = [world.hust_admin, world.manager, world.reviewer]
    for person in allowed:
        _as(client, person)
        assert client.get(_compliance(world)).status_code == 200, person
    for person in (world.ut_admin, world.lan):
        _as(client, person)
        assert client.get(_compliance(world)).status_code == 403, person
    # A scheme that does not apply to the institution is not there.
    _as(client, world.ut_admin)
    assert client.get(_compliance(world, "ut")).status_code == 404


def test_a_reviewer_of_another_country_does_not_follow_the_institution(client, world):
    from microcert.network.models import Organisation

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
    assert client.get(_compliance(world)).status_code == 403


def test_the_applicant_withdraws_until_an_approval_exists(client, world):
    application = world.submit(ASSESSMENT)
    url = reverse("recognition:application", args=[application.uuid])
    withdraw = reverse("recognition:application_withdraw", args=[application.uuid])

    _as(client, world.ut_admin)
    assert client.post(withdraw, {"reason": "x"}).status_code == 404
    _as(client, world.manager)
    assert client.get(url).context["withdraw_form"] is not None
    too_long = client.post(withdraw, {"reason": "x" * 2001}, follow=True)
    assert "too long" in too_long.text
    application.refresh_from_db()
    assert application.status == "submitted"

    response = client.post(withdraw, {"reason": "The rubric is being rewritten."}, follow=True)

    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert "The application is withdrawn." in response.text
    assert [i.verb for i in response.context["history"]] == ["submitted", "withdrawn"]
    assert response.context["withdraw_form"] is None
    again = client.post(withdraw, {}, follow=True)
    assert "can no longer be withdrawn" in again.text
    assert Event.objects.filter(verb="inclusion.withdrawn").count() == 1
