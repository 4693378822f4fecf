"""Accessibility in a real browser: axe-core finds no serious or critical violation on any kind
of public page or portal dashboard, in several languages, on a phone and a desktop; the
navigation works with the keyboard on a phone.

Screenshots of what axe looked at go to ``var/screenshots/public/``."""

import json

import pytest

from microcert.credentials.models import IssuedCredential
from microcert.demo.services import DEMO_PASSWORD
from microcert.learning.models import Review
from microcert.recognition.models import InclusionApplication, RecognitionScheme

from .browser import Camera, axe_report, axe_violations, chromium, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
COLLABORATIVE = "organise-and-facilitate-online-collaborative-learning"


def _public_pages() -> dict[str, str]:
    """One page of every public kind, by name (paths without the language prefix)."""
    from microcert.classrooms.selectors import public_classrooms
    from microcert.news.selectors import published_articles, published_cases

    credential = IssuedCredential.objects.filter(pathway__isnull=True, is_public=True).first()
    article = published_articles().first()
    case = published_cases().first()
    classroom = public_classrooms().first()
    return {
        "home": "/",
        "catalogue": "/catalogue/",
        "catalogue-filtered": "/catalogue/?mode=blended&language=vi",
        "catalogue-empty": "/catalogue/?mode=onsite&authority=moet",
        "micro-credential": f"/catalogue/{COLLABORATIVE}/",
        "certificate": "/catalogue/certificate-in-digital-and-ai-enhanced-university-teaching/",
        "partners": "/partners/",
        "partners-filtered": "/partners/?subregion=south_eastern_asia",
        "partner": "/partners/hust/",
        "frameworks": "/frameworks/",
        "framework": "/frameworks/digcompedu/",
        "verify": "/verify/",
        "verify-bad-link": "/verify/link/?link=https://elsewhere.example/x",
        "credential": f"/credentials/{credential.uuid}/",
        "sign-in": "/accounts/login/",
        "network": "/network/",
        "join": "/network/join/",
        "news": "/news/",
        "article": f"/news/{article.slug}/",
        "events": "/events/",
        "cases": "/cases/",
        "case": f"/cases/{case.slug}/",
        "classrooms": "/classrooms/",
        "classroom": f"/classrooms/{classroom.slug}/",
    }


def _check(page, url: str, problems: dict[str, str]) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 500, url
    violations = axe_violations(page)
    if violations:
        problems[url] = axe_report(violations)


def _assert_none(problems: dict[str, str]) -> None:
    assert not problems, "axe-core found serious or critical violations:\n" + "\n".join(
        f"{url}\n{report}" for url, report in problems.items()
    )


def test_public_pages_have_no_serious_accessibility_violations(live_server, demo):
    base = live_server.url
    pages = _public_pages()
    problems: dict[str, str] = {}
    with chromium() as browser:
        for viewport, languages in ((DESKTOP, ("en", "vi")), (PHONE, ("zh-hans", "fr"))):
            camera = Camera(f"public/{viewport['width']}")
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            for language in languages:
                for name, path in pages.items():
                    _check(page, f"{base}/{language}{path}", problems)
                    camera.shot(page, f"{language}-{name}")
            context.close()

        # A verification with its result, pasted by a visitor.
        page = browser.new_page(viewport=PHONE)
        credential = IssuedCredential.objects.filter(pathway__isnull=True).first()
        page.goto(f"{base}/vi/verify/")
        page.fill("textarea[name=credential_text]", json.dumps(credential.document))
        page.locator("form[method=post] button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator(".verdict.ok").is_visible()
        violations = axe_violations(page)
        if violations:
            problems["verify result"] = axe_report(violations)
        Camera("public/verify").shot(page, "vi-verified")
    _assert_none(problems)


def _portal_pages() -> list[tuple[str, list[str]]]:
    """Who signs in, and the dashboards and working pages each of them uses."""
    review = Review.objects.filter(status="assigned").select_related("assessor").first()
    application = InclusionApplication.objects.filter(status="submitted").first()
    scheme = RecognitionScheme.objects.filter(authority__organisation__slug="moet").first()
    return [
        (
            "lan.pham@hust.example",
            ["/learn/", "/learn/self-assessment/", "/learn/plans/", "/learn/offerings/",
             "/my/credentials/", "/my/pd/", "/dashboard/"],
        ),
        (review.assessor.email, ["/review/", f"/review/{review.uuid}/"]),
        (
            "admin@hust.example",
            ["/institution/", "/institution/hust/teachers/", "/institution/hust/plans/",
             "/institution/hust/pd/", "/organisations/hust/credentials/"],
        ),
        (
            "reviewer@moet.example",
            ["/authority/applications/", f"/authority/applications/{application.uuid}/",
             "/reports/", f"/reports/{scheme.slug}/"],
        ),
        ("manager@centre.example", ["/recognition/applications/", "/review/unassigned/"]),
    ]  # fmt: skip


def test_portal_dashboards_have_no_serious_accessibility_violations(live_server, demo):
    base = live_server.url
    problems: dict[str, str] = {}
    camera = Camera("public/portal")
    with chromium() as browser:
        for email, paths in _portal_pages():
            for language in ("en", "vi"):
                page = sign_in(browser, base, email, DEMO_PASSWORD, language=language)
                for path in paths:
                    _check(page, f"{base}/{language}{path}", problems)
                    if language == "en":
                        name = email.split("@")[0] + path.replace("/", "-").rstrip("-")
                        camera.shot(page, name[:60])
                page.context.close()
    _assert_none(problems)


def test_a_phone_visitor_uses_the_menu_and_languages_with_the_keyboard(live_server, demo):
    base = live_server.url
    camera = Camera("public/keyboard")
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.goto(f"{base}/en/catalogue/")
        # The menu is folded on a phone; the skip link comes first.
        header = page.locator("header")
        assert not header.get_by_role("link", name="Partners", exact=True).is_visible()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Menu"
        page.keyboard.press("Enter")
        partners = header.get_by_role("link", name="Partners", exact=True)
        assert partners.is_visible()
        camera.shot(page, "menu-open")
        page.keyboard.press("Escape")
        assert not partners.is_visible()
        # The languages: the same page, with the filters kept.
        page.goto(f"{base}/en/catalogue/?mode=blended")
        page.locator(".lang-menu > summary").focus()
        page.keyboard.press("Enter")
        page.locator(".lang-menu a[hreflang=vi]").focus()
        camera.shot(page, "languages-open")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{base}/vi/catalogue/?mode=blended"
        assert page.locator("html").get_attribute("lang") == "vi"
        # On a desktop the menu is open and there is no menu button.
        desktop = browser.new_page(viewport=DESKTOP)
        desktop.goto(f"{base}/fr/")
        menu = desktop.locator("header nav")
        assert menu.get_by_role("link", name="Partenaires", exact=True).is_visible()
        assert not desktop.locator(".site-menu > summary").is_visible()


def test_pages_fit_a_small_phone_in_every_language(live_server, demo):
    """No page is wider than a 360-pixel screen: long words wrap, wide tables scroll."""
    base = live_server.url
    too_wide = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 360, "height": 740})
        for language in ("en", "vi", "zh-hans", "fr"):
            for path in _public_pages().values():
                page.goto(f"{base}/{language}{path}")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 360:
                    too_wide.append(f"{language}{path}: {width}px")
    assert not too_wide, too_wide
