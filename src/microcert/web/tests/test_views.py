"""The public pages, the portal pages and the admin, as a visitor would meet them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from microcert.accounts.models import User
from microcert.catalog.models import SpecificationVersion

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[4]


def test_the_home_page_shows_the_catalogue_in_every_language(client, demo):
    version = SpecificationVersion.objects.filter(status="published").order_by("pk").first()
    for language, title in [
        ("en", version.title_en),
        ("vi", version.title_vi),
        ("zh-hans", version.title_zh_hans),
        ("fr", version.title_fr),
    ]:
        response = client.get(f"/{language}/")
        assert response.status_code == 200
        assert escape(title) in response.content.decode(), language
        assert f'<html lang="{language}">' in response.content.decode()


def test_the_root_redirects_to_a_language(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/en/"


def test_a_micro_credential_page_shows_the_eu_standard_elements_and_the_rubric(client, demo):
    version = SpecificationVersion.objects.filter(status="published").order_by("pk").first()
    response = client.get(reverse("web:specification", args=[version.micro_credential.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    for label in [
        "Awarding bodies",
        "Notional workload",
        "Type of assessment",
        "Form of participation",
        "Quality assurance",
        "Public rubric",
    ]:
        assert label in page
    assert escape(version.rubric.first().title_en) in page


def test_an_unknown_or_draft_micro_credential_is_not_found(client, demo):
    assert client.get("/en/catalogue/no-such-thing/").status_code == 404
    assert client.get("/en/catalogue/design-ai-enhanced-learning-activities/v9/").status_code == 404


def test_portal_pages_send_anonymous_visitors_to_sign_in(client, demo):
    hust_teacher = User.objects.get(email="lan.pham@hust.example")
    for url in [
        "/en/dashboard/",
        f"/en/people/{hust_teacher.uuid}/",
        "/en/organisations/hust/people/",
        "/en/network/agreements/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_dashboard_lists_the_persons_roles(client, demo):
    client.force_login(User.objects.get(email="admin@hust.example"))
    page = client.get("/en/dashboard/").content.decode()
    assert "Institution admin" in page and "/en/organisations/hust/people/" in page


def test_people_can_sign_in_with_their_email(client, demo):
    response = client.post(
        "/en/accounts/login/", {"login": "lan.pham@hust.example", "password": "microcert-demo-2026"}
    )
    assert response.status_code == 302
    assert client.get("/en/dashboard/").status_code == 200


def test_the_admin_opens_every_registered_model_for_a_superuser(client, demo):
    client.force_login(User.objects.get(email="admin@microcert.example"))
    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        first = model.objects.first()
        if first is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert client.get(change).status_code == 200, change


def test_the_admin_is_closed_to_people_without_staff_status(client, demo):
    client.force_login(User.objects.get(email="lan.pham@hust.example"))
    response = client.get("/en/admin/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_published_specification_is_read_only_in_the_admin(client, demo):
    client.force_login(User.objects.get(email="admin@microcert.example"))
    version = SpecificationVersion.objects.filter(status="published").first()
    url = reverse("admin:catalog_specificationversion_change", args=[version.pk])
    before = version.title_en
    client.post(url, {"title_en": "Changed behind everyone's back"})
    version.refresh_from_db()
    assert version.title_en == before


def test_health_check_reports_the_database_reachable(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_production_settings_pass_the_deployment_checklist():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x9$Lq2!vR7#pW4@zK8^mN1&bT6*hY3(cJ5)dF0_gS-eA+uQ=iO",
        "ALLOWED_HOSTS": "microcert.example.org",
        "DATABASE_URL": "sqlite:////tmp/microcert-deploy-check.sqlite3",
        "KEY_ENCRYPTION_KEYS": "k1:Zm9yLXRoZS1kZXBsb3ktY2hlY2stb25seS0zMmJ5dGU",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "false"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_a_key_encryption_key():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 50}
    env.pop("KEY_ENCRYPTION_KEYS", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "KEY_ENCRYPTION_KEYS must be set" in result.stderr


def test_a_person_can_change_their_own_profile_and_the_legal_name_change_is_kept(client, demo):
    teacher = User.objects.get(email="lan.pham@hust.example")
    client.force_login(teacher)
    response = client.post(
        f"/en/people/{teacher.uuid}/edit/",
        {
            "display_name": "Lan",
            "preferred_language": "en",
            "legal_name": "Phạm Thị Lan Anh",
            "reason": "Name registered after marriage",
        },
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert (teacher.display_name, teacher.preferred_language) == ("Lan", "en")
    assert teacher.legal_name == "Phạm Thị Lan Anh"
    assert teacher.name_changes.first().old_name == "Phạm Thị Lan"


def test_a_legal_name_change_without_a_reason_is_refused_and_changes_nothing(client, demo):
    teacher = User.objects.get(email="lan.pham@hust.example")
    client.force_login(teacher)
    response = client.post(
        f"/en/people/{teacher.uuid}/edit/",
        {
            "display_name": "Lan",
            "preferred_language": "fr",
            "legal_name": "Someone Else",
        },
    )
    assert response.status_code == 400
    assert "Say why the legal name changes" in response.content.decode()
    teacher.refresh_from_db()
    assert (teacher.legal_name, teacher.preferred_language) == ("Phạm Thị Lan", "vi")


@pytest.mark.parametrize(
    "intruder",
    [
        "admin@ut.example",
        "admin@hust.example",
        "hung.le@hust.example",
        "assessor@ain-shams.example",
    ],
)
def test_nobody_else_but_programme_managers_may_change_a_persons_profile(client, demo, intruder):
    teacher = User.objects.get(email="lan.pham@hust.example")
    client.force_login(User.objects.get(email=intruder))
    url = f"/en/people/{teacher.uuid}/edit/"
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            "display_name": "x",
            "preferred_language": "en",
            "legal_name": "Forged Name",
            "reason": "forgery",
        },
    )
    assert response.status_code == 403
    teacher.refresh_from_db()
    assert teacher.legal_name == "Phạm Thị Lan"


def test_a_programme_manager_may_correct_a_persons_legal_name(client, demo):
    teacher = User.objects.get(email="lan.pham@hust.example")
    client.force_login(User.objects.get(email="manager@centre.example"))
    response = client.post(
        f"/en/people/{teacher.uuid}/edit/",
        {
            "display_name": "",
            "preferred_language": "vi",
            "legal_name": "Phạm Thị Lan",
            "reason": "",
        },
    )
    assert response.status_code == 302


def test_another_institutions_admin_cannot_see_a_teachers_private_data(client, demo):
    teacher = User.objects.get(email="lan.pham@hust.example")
    client.force_login(User.objects.get(email="admin@ut.example"))
    response = client.get(f"/en/people/{teacher.uuid}/")
    assert response.status_code == 403
    assert "lan.pham@hust.example" not in response.content.decode()
    assert client.get("/en/organisations/hust/people/").status_code == 403
