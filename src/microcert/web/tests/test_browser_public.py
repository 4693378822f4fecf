"""Public pages in a real browser: what anyone sees without signing in."""

import json

import pytest

from microcert.credentials.models import IssuedCredential

from .browser import Camera, chromium

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_catalogue_opens_in_four_languages(live_server, demo):
    camera = Camera("public/home")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for language, word in [
            ("en", "Catalogue"),
            ("vi", "Danh mục"),
            ("zh-hans", "目录"),
            ("fr", "Catalogue"),
        ]:
            response = page.goto(f"{live_server.url}/{language}/")
            assert response.status == 200
            assert page.locator("html").get_attribute("lang") == language
            assert word in page.inner_text("header")
            camera.shot(page, f"home-{language}")


def test_anyone_can_paste_a_credential_and_see_it_verified(live_server, demo):
    credential = IssuedCredential.objects.filter(pathway__isnull=True).first()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(f"{live_server.url}/en/verify/")
        page.fill("textarea", json.dumps(credential.document))
        page.get_by_role("button", name="Verify").click()
        verdict = page.locator(".verdict")
        assert "Verified" in verdict.inner_text()
        Camera("public/verify-phone").shot(page, "verified-on-a-phone")
