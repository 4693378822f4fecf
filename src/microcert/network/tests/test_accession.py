"""The accession workflow's services: each step, its refusals, its events and its mails."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.core.models import Event
from microcert.network import selectors, services
from microcert.network.models import AccessionApplication, Affiliation, Membership, Organisation

from .conftest import contact, proposal, submit

pytestmark = pytest.mark.django_db


def verbs(application) -> list[str]:
    return list(
        Event.objects.filter(
            object_type="network.accessionapplication", object_id=str(application.pk)
        )
        .order_by("id")
        .values_list("verb", flat=True)
    )


def test_submitting_stores_the_application_and_mails_a_private_link(
    office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application, key = submit()
    assert application.status == "submitted"
    assert application.organisation is None and application.proposed_name == "New University"
    # Only the key's hash is kept; the link opens the application.
    assert not application.access_keys.filter(key_hash=key).exists()
    assert selectors.accession_by_key(key) == application
    assert selectors.accession_by_key("not-a-key") is None
    assert verbs(application) == ["accession.submitted"]
    to_applicant = [m for m in mail.outbox if m.to == ["dean@new.example"]]
    assert len(to_applicant) == 1 and key in to_applicant[0].body
    # The office hears of it too.
    assert any(m.to == ["manager@centre.example"] for m in mail.outbox)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"contacts": []}, "at least one contact"),
        ({"contacts": [contact(primary=False)]}, "primary contact"),
        ({"contacts": [contact(), contact(primary=False)]}, "given for two contacts"),
        ({"contacts": [contact(email="not-an-address")]}, "not a valid e-mail"),
        ({"intended_cooperation": []}, "at least one kind"),
        ({"intended_cooperation": ["world_domination"]}, "from the list"),
        ({"membership_kind": "overlord"}, "kind of membership"),
        ({"language": "de"}, "languages offered"),
        ({"motivation": "   "}, "cannot be empty"),
    ],
)
def test_submitting_refuses_bad_content_with_a_reason(office, overrides, message):
    with pytest.raises(ValidationError) as refused:
        submit(**overrides)
    assert message in " ".join(refused.value.messages)
    assert not AccessionApplication.objects.exists()


def test_a_member_or_an_institution_already_applying_is_refused(office):
    with pytest.raises(services.StepRefused, match="already a member"):
        submit(proposed=None, organisation=office.a)
    submit()
    with pytest.raises(services.StepRefused, match="already under review"):
        submit(contacts=[contact(email="other@new.example")])
    with pytest.raises(services.StepRefused, match="already on the platform"):
        submit(proposed=proposal(name="University B"))


def test_asking_answering_and_approving_a_new_institution(
    office, django_capture_on_commit_callbacks
):
    application, _key = submit()
    with django_capture_on_commit_callbacks(execute=True):
        services.accession_request_information(
            application=application, message="Which faculties?", actor=office.manager
        )
    application.refresh_from_db()
    assert application.status == "information_requested"
    assert "Which faculties?" in mail.outbox[-1].body
    services.accession_reply(application=application, message="Education and engineering.")
    application.refresh_from_db()
    assert application.status == "submitted"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.accession_approve(application=application, actor=office.manager, note="Welcome")
    application.refresh_from_db()
    organisation = Organisation.objects.get(name_en="New University")
    assert application.status == "approved" and application.organisation == organisation
    assert organisation.slug == "nu" and organisation.country.code == "KZ"
    assert organisation.memberships.get().status == Membership.Status.ACTIVE
    admin = User.objects.get(email="dean@new.example")
    assert not admin.has_usable_password() and admin.preferred_language == "fr"
    assert Affiliation.objects.filter(
        person=admin, organisation=organisation, role=Role.INSTITUTION_ADMIN, is_active=True
    ).exists()
    assert application.admin_account == admin and application.decided_by == office.manager
    welcome = [m for m in mail.outbox if m.to == ["dean@new.example"]]
    assert len(welcome) == 1 and "/password/reset/key/" in welcome[0].body
    assert verbs(application) == [
        "accession.submitted",
        "accession.information_requested",
        "accession.replied",
        "accession.approved",
    ]
    # Decided once: every further step is refused.
    for step in (
        lambda: services.accession_approve(application=application, actor=office.manager),
        lambda: services.accession_decline(application=application, reasons="x", actor=None),
        lambda: services.accession_withdraw(application=application),
        lambda: services.accession_reply(application=application, message="more"),
    ):
        with pytest.raises(services.StepRefused):
            step()
    assert Organisation.objects.filter(name_en="New University").count() == 1


def test_approving_an_institution_on_the_platform_reuses_it_and_the_person(office):
    newcomer = Organisation.objects.create(
        slug="uni-c", kind="hei", name="University C", country="VN", subregion="south_eastern_asia"
    )
    application, _key = submit(
        proposed=None, organisation=newcomer, contacts=[contact(email="ADMIN@A.example")]
    )
    services.accession_approve(application=application, actor=office.manager)
    application.refresh_from_db()
    assert application.organisation == newcomer
    # The contact already had an account: they become the admin, no second account.
    assert application.admin_account == office.admin_a
    assert User.objects.filter(email__iexact="admin@a.example").count() == 1


def test_declining_needs_reasons_and_mails_them(office, django_capture_on_commit_callbacks):
    application, _key = submit()
    with pytest.raises(ValidationError):
        services.accession_decline(application=application, reasons=" ", actor=office.manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.accession_decline(
            application=application, reasons="Not a university.", actor=office.manager
        )
    application.refresh_from_db()
    assert application.status == "declined"
    assert "Not a university." in mail.outbox[-1].body
    assert verbs(application)[-1] == "accession.declined"


def test_answers_are_taken_only_when_asked_and_withdrawal_closes_it(office):
    application, _key = submit()
    with pytest.raises(services.StepRefused, match="more information is requested"):
        services.accession_reply(application=application, message="Unasked")
    services.accession_withdraw(application=application, reason="Changed our mind")
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert verbs(application)[-1] == "accession.withdrawn"
