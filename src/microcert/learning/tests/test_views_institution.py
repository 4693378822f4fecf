"""The institution admin's pages: their teachers' progress in a year and the PD plans to
decide. An admin sees their own institution only."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from microcert.catalog.models import SpecificationVersion
from microcert.learning.models import PDPlan

from . import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> b.World:
    return b.load_world()


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


@pytest.fixture
def plan(world, year) -> PDPlan:
    return b.submitted_plan(world.lan, world.hust, year)


def _as(client, person):
    client.force_login(person)
    return client


def _progress(slug: str = "hust") -> str:
    return reverse("learning:organisation_progress", args=[slug])


def _plans(slug: str = "hust") -> str:
    return reverse("learning:organisation_plans", args=[slug])


# --- who may see what ---------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client, world):
    for url in (reverse("learning:institution_home"), _progress(), _plans()):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_another_institutions_admin_is_refused(client, world, plan):
    _as(client, world.ut_admin)

    assert client.get(_progress()).status_code == 403
    assert client.get(_plans()).status_code == 403
    response = client.post(_plans(), {"plan": plan.uuid, "action": "approve"})
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == PDPlan.Status.SUBMITTED


def test_teachers_and_assessors_are_refused(client, world):
    for person in (world.lan, world.mona):
        _as(client, person)
        assert client.get(reverse("learning:institution_home")).status_code == 403
        assert client.get(_progress()).status_code == 403
        assert client.get(_plans()).status_code == 403


def test_an_unknown_institution_is_not_found(client, world):
    _as(client, world.hust_admin)

    assert client.get(_progress("nowhere")).status_code == 404


# --- the admin's pages --------------------------------------------------------------------


def test_the_home_page_lists_the_administered_institutions(client, world, plan):
    _as(client, world.hust_admin)

    page = client.get(reverse("learning:institution_home")).content.decode()

    assert world.hust.name in page
    assert _progress() in page and _plans() in page
    assert world.ut.name not in page


def test_the_progress_page_shows_each_teacher_of_the_year(client, world, plan, year):
    b.submission_in_review(world.lan)
    _as(client, world.hust_admin)

    response = client.get(_progress())

    assert response.status_code == 200
    page = response.content.decode()
    assert world.lan.legal_name in page and world.hung.legal_name in page
    assert world.siti.legal_name not in page  # another institution's teacher
    assert "Submitted for approval" in page
    assert "42.5" in page  # planned hours: 30 + 12.5
    assert str(year) in page


def test_the_progress_page_follows_the_year_asked_for(client, world, plan, year):
    _as(client, world.hust_admin)

    page = client.get(_progress(), {"year": year + 1}).content.decode()
    assert "Submitted for approval" not in page
    assert "No plan" in page

    assert client.get(_progress(), {"year": "soon"}).status_code == 200  # falls back


def test_a_programme_manager_follows_any_institution_but_decides_no_plan(client, world, plan):
    _as(client, world.manager)

    assert client.get(_progress()).status_code == 200
    page = client.get(_plans()).content.decode()
    assert world.lan.legal_name in page
    assert 'value="approve"' not in page
    response = client.post(_plans(), {"plan": plan.uuid, "action": "approve"})
    assert response.status_code == 403


def test_the_plans_page_lists_submitted_plans_with_their_items(client, world, plan):
    _as(client, world.hust_admin)

    page = client.get(_plans()).content.decode()

    assert world.lan.legal_name in page
    for item in plan.items.all():
        version = SpecificationVersion.objects.get(
            micro_credential=item.micro_credential_id, status="published"
        )
        assert version.title in page
    assert ">30<" in page and ">12.5<" in page
    assert "42.5" in page  # the total
    assert 'value="approve"' in page and 'value="return"' in page


def test_approving_a_plan_with_an_optional_comment(
    client, world, plan, django_capture_on_commit_callbacks
):
    _as(client, world.hust_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_plans(), {"plan": plan.uuid, "action": "approve"}, follow=True)

    assert response.status_code == 200
    assert "is approved" in response.content.decode()
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by, plan.comment) == ("approved", world.hust_admin, "")
    assert [m.to for m in mail.outbox] == [[world.lan.email]]


def test_returning_a_plan_needs_a_comment(client, world, plan):
    _as(client, world.hust_admin)

    response = client.post(_plans(), {"plan": plan.uuid, "action": "return", "comment": "  "})

    assert response.status_code == 400
    assert "Say what should change when returning a plan." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PDPlan.Status.SUBMITTED

    response = client.post(
        _plans(),
        {"plan": plan.uuid, "action": "return", "comment": "Add one AI credential."},
        follow=True,
    )
    assert "returned for changes" in response.content.decode()
    plan.refresh_from_db()
    assert (plan.status, plan.comment) == ("returned", "Add one AI credential.")


def test_a_plan_decided_twice_answers_with_a_message(client, world, plan):
    _as(client, world.hust_admin)
    client.post(_plans(), {"plan": plan.uuid, "action": "approve"})

    response = client.post(
        _plans(), {"plan": plan.uuid, "action": "return", "comment": "Wait."}, follow=True
    )

    assert response.status_code == 200
    assert "already been decided" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PDPlan.Status.APPROVED


def test_a_plan_of_another_institution_is_not_found_here(client, world, year):
    other = b.submitted_plan(world.siti, world.ut, year)
    _as(client, world.hust_admin)

    response = client.post(_plans(), {"plan": other.uuid, "action": "approve"})

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == PDPlan.Status.SUBMITTED


def test_the_dashboard_links_the_admin_to_the_institution_pages(client, world):
    _as(client, world.hust_admin)

    page = client.get(reverse("web:dashboard")).content.decode()

    assert _progress() in page and _plans() in page


# --- adding teachers --------------------------------------------------------------------------


def _add(slug: str = "hust") -> str:
    return reverse("learning:teachers_add", args=[slug])


def test_only_the_institutions_admins_and_programme_managers_add_teachers(client, world):
    from microcert.accounts.models import User

    body = {"action": "one", "legal_name": "X", "email": "x@hust.example", "language": "en"}
    for person, status in ((world.ut_admin, 403), (world.lan, 403)):
        _as(client, person)
        assert client.get(_add()).status_code == status
        assert client.post(_add(), body).status_code == status
    assert not User.objects.filter(email="x@hust.example").exists()
    _as(client, world.manager)
    assert client.get(_add()).status_code == 200


def test_an_admin_adds_one_teacher_who_is_invited_by_mail(
    client, world, settings, django_capture_on_commit_callbacks
):
    from microcert.accounts.models import User

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _as(client, world.hust_admin)
    assert "Add teachers" in client.get(_progress()).text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _add(),
            {
                "action": "one",
                "legal_name": "Trần Văn Minh",
                "email": "minh@hust.example",
                "language": "vi",
            },
            follow=True,
        )

    assert response.redirect_chain[-1][0] == _progress()
    assert "1 new account was created" in response.text
    minh = User.objects.get(email="minh@hust.example")
    assert [m.to for m in mail.outbox] == [["minh@hust.example"]]
    assert "Trần Văn Minh" in client.get(_progress()).text
    assert minh.preferred_language == "vi"


def test_a_list_with_a_bad_line_adds_nobody_and_says_which_line(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from microcert.accounts.models import User

    _as(client, world.hust_admin)
    before = User.objects.count()
    roster = SimpleUploadedFile(
        "teachers.csv", "email,name\nan@hust.example,An\nbroken,Bình\n".encode(), "text/csv"
    )

    response = client.post(_add(), {"action": "many", "roster": roster})

    assert response.status_code == 400
    assert "Line 3: “broken” is not an e-mail address." in response.text
    assert User.objects.count() == before


def test_a_list_is_added_all_at_once(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from microcert.network.models import Affiliation

    _as(client, world.hust_admin)
    roster = SimpleUploadedFile(
        "teachers.csv",
        f"email,name,language\nan@hust.example,Nguyễn An,vi\n{world.siti.email},Siti,en\n".encode(),
        "text/csv",
    )
    response = client.post(_add(), {"action": "many", "roster": roster}, follow=True)

    assert response.status_code == 200
    assert (
        Affiliation.objects.filter(
            organisation=world.hust,
            role="teacher",
            person__email__in=["an@hust.example", world.siti.email],
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"action": "one", "legal_name": "", "email": "x@hust.example", "language": "en"},
        {"action": "one", "legal_name": "X", "email": "not-mail", "language": "en"},
        {"action": "one", "legal_name": "X", "email": "x@hust.example", "language": "de"},
        {"action": "many"},
    ],
)
def test_bad_input_is_a_400_with_the_form_and_nothing_stored(client, world, body):
    from microcert.accounts.models import User

    _as(client, world.hust_admin)
    before = User.objects.count()
    assert client.post(_add(), body).status_code == 400
    assert User.objects.count() == before


def test_the_invited_teacher_chooses_a_password_and_signs_in(
    client, world, settings, django_capture_on_commit_callbacks
):
    import re

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _as(client, world.hust_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _add(),
            {"action": "one", "legal_name": "Đỗ Hà", "email": "ha@hust.example", "language": "vi"},
        )
    client.logout()
    link = re.search(r"https?://\S+/password/reset/key/\S+", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    form = client.get("/" + path, follow=True)
    assert form.status_code == 200
    chosen = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else "/" + path,
        {"password1": "a-Long-passphrase-42", "password2": "a-Long-passphrase-42"},
    )
    assert chosen.status_code == 302

    signed_in = client.post(
        reverse("account_login"),
        {"login": "ha@hust.example", "password": "a-Long-passphrase-42"},
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("learning:dashboard")).status_code == 200
