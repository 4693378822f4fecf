"""Acceptance: a micro-credential's way into a ministry's PD scheme, in a real browser.

The Centre's programme manager (English) submits "Guide personalised learning with data
insights" to MOET's scheme for university lecturers; MOET's reviewer (Vietnamese) reads its
EU standard elements and public rubric and approves it with an equivalence, watching the
clock hours it is worth; Lan, a HUST lecturer who holds that credential, finds it on her PD
transcript (and in its PDF); the reviewer opens the scheme's national report and HUST's
compliance page. Every step is photographed under ``var/screenshots/inclusion/``.
"""

import datetime

import pytest
from django.utils import translation

from microcert.accounts.models import User
from microcert.catalog.models import SpecificationVersion
from microcert.credentials.models import IssuedCredential
from microcert.demo.services import DEMO_PASSWORD
from microcert.recognition.models import (
    InclusionApplication,
    InclusionDecision,
    LedgerEntry,
    RecognitionScheme,
)
from microcert.web.tests.browser import Camera, chromium, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SPEC = "guide-personalised-learning-with-data-insights"
SCHEME = "vn-university-lecturers-pd"  # MOET's scheme for lecturers, in the demo data
MOTIVATION = (
    "Lecturers earn this micro-credential on evidence from their own course: a data-informed "
    "change to one activity, its effect on students and a reflection, assessed against a "
    "public rubric by two assessors from other institutions."
)


@pytest.fixture
def story(db):
    from microcert.demo.services import demo_load

    demo_load()
    version = SpecificationVersion.objects.get(micro_credential__slug=SPEC, status="published")
    scheme = RecognitionScheme.objects.select_related("authority__organisation").get(slug=SCHEME)
    lan = User.objects.get(email="lan.pham@hust.example")
    # The demo gave Lan this credential; nothing counts it yet, nor has anyone applied.
    assert IssuedCredential.objects.filter(
        recipient=lan, specification_version=version, status="active"
    ).exists()
    assert not InclusionApplication.objects.filter(scheme=scheme, version=version).exists()
    assert not LedgerEntry.objects.filter(person=lan, credential__specification_version=version)
    return {"version": version, "scheme": scheme, "lan": lan}


def _text(page) -> str:
    return page.inner_text("main")


def test_a_micro_credential_is_recognised_and_counts_on_a_teachers_transcript(live_server, story):
    base = live_server.url
    camera = Camera("inclusion")
    version: SpecificationVersion = story["version"]
    scheme: RecognitionScheme = story["scheme"]
    lan: User = story["lan"]
    with translation.override("vi"):
        title_vi, scheme_vi = version.title, scheme.title
        criteria_vi = [c.title for c in version.rubric.all()]
    assert criteria_vi

    with chromium() as browser:
        # 1. The Centre's programme manager submits the micro-credential to MOET's scheme.
        manager = sign_in(browser, base, "manager@centre.example", DEMO_PASSWORD)
        manager.goto(f"{base}/en/recognition/applications/new/")
        manager.select_option("select[name=applicant]", "centre")
        manager.select_option("select[name=scheme]", scheme.slug)
        manager.select_option("select[name=version]", str(version.uuid))
        manager.fill("textarea[name=motivation]", MOTIVATION)
        camera.shot(manager, "manager-new-application")
        manager.locator("form button[type=submit]").last.click()
        manager.wait_for_load_state()
        application = InclusionApplication.objects.get(scheme=scheme, version=version)
        assert application.status == "submitted"
        assert application.submitted_by.email == "manager@centre.example"
        assert f"/recognition/applications/{application.uuid}/" in manager.url
        camera.shot(manager, "manager-submitted")

        # 2. MOET's reviewer, in Vietnamese, finds it in the queue and opens it.
        reviewer = sign_in(browser, base, "reviewer@moet.example", DEMO_PASSWORD, language="vi")
        reviewer.goto(f"{base}/vi/authority/applications/")
        assert title_vi in _text(reviewer)
        camera.shot(reviewer, "reviewer-queue")
        reviewer.locator(f"a[href$='/authority/applications/{application.uuid}/']").click()
        reviewer.wait_for_load_state()
        assert reviewer.locator("html").get_attribute("lang") == "vi"
        main = _text(reviewer)
        assert title_vi in main
        # The EU standard elements and the public rubric, criterion by criterion.
        assert reviewer.locator("table.elements").is_visible()
        assert reviewer.locator("table.elements tr").count() >= 14
        assert reviewer.locator("table.rubric").count() == len(criteria_vi)
        for criterion in criteria_vi:
            assert criterion in main
        assert MOTIVATION in main
        camera.shot(reviewer, "reviewer-application")

        # 3. She approves it with an equivalence, seeing the clock hours it is worth.
        reviewer.check("input[name=outcome][value=approve]")
        reviewer.fill("input[name=equivalence]", "20")
        hours = reviewer.locator("output#equivalent-hours")
        assert hours.inner_text() == "20"  # the scheme counts clock hours
        reviewer.fill("input[name=valid_from]", "2026-01-01")
        reviewer.fill("input[name=valid_until]", "2028-12-31")
        reviewer.fill(
            "textarea[name=conditions]", "Tính một lần cho mỗi giảng viên trong một chu kỳ."
        )
        reviewer.locator("#decide").scroll_into_view_if_needed()
        camera.shot(reviewer, "reviewer-decision")
        reviewer.locator("form.decision-form button[type=submit]").click()
        reviewer.wait_for_load_state()
        application.refresh_from_db()
        assert application.status == "approved", _text(reviewer)
        decision = InclusionDecision.objects.get(application=application)
        assert (decision.equivalence, decision.valid_from, decision.decided_by.email) == (
            20,
            datetime.date(2026, 1, 1),
            "reviewer@moet.example",
        )
        assert decision.endorsement and decision.endorsement["proof"]
        assert reviewer.locator("ol.history li.decision").count() == 1
        camera.shot(reviewer, "reviewer-approved")

        # 4. Lan, who holds the credential, now has it on her PD transcript.
        entry = LedgerEntry.objects.get(person=lan, credential__specification_version=version)
        assert entry.decision == decision and entry.hours == 20
        teacher = sign_in(browser, base, lan.email, DEMO_PASSWORD, language="vi")
        teacher.goto(f"{base}/vi/my/pd/")
        transcript = teacher.locator(f"section:has(#scheme-{scheme.slug})").inner_text()
        assert scheme_vi in transcript
        assert title_vi in transcript
        camera.shot(teacher, "teacher-transcript")
        pdf = teacher.request.get(f"{base}/vi/my/pd/transcript.pdf")
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
        bundle = teacher.request.get(f"{base}/vi/my/pd/transcript.json").json()
        assert decision.endorsement in bundle["endorsements"]
        teacher.context.close()

        # 5. The reviewer opens the scheme's national report, then HUST's compliance.
        reviewer.goto(f"{base}/vi/reports/{scheme.slug}/")
        assert reviewer.url.endswith(f"/vi/reports/{scheme.slug}/")
        assert scheme_vi in _text(reviewer)
        camera.shot(reviewer, "reviewer-report")
        reviewer.goto(f"{base}/vi/institution/hust/pd/{scheme.slug}/")
        compliance = _text(reviewer)
        assert lan.legal_name in compliance
        camera.shot(reviewer, "reviewer-compliance")
        reviewer.context.close()
        manager.context.close()

    assert len(camera.taken) == 9
