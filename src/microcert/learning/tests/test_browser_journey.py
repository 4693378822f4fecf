"""Acceptance: one teacher's whole journey in a real browser, from self-assessment to a
credential the independent verifiers accept.

Lan (HUST, reads Vietnamese) assesses herself, plans her year, has the plan approved by her
institution's admin, enrols, submits evidence, is asked to resubmit, passes, and receives her
credential. The assessor works in English. Every step is photographed under
``var/screenshots/journey/``.
"""

import json

import pytest
import requests

from microcert.accounts.models import User
from microcert.catalog.models import Offering, SpecificationVersion
from microcert.credentials import services as credential_services
from microcert.credentials import verification
from microcert.credentials.models import IssuedCredential, StatusList
from microcert.credentials.tests.independent import verify_independently
from microcert.demo.services import DEMO_PASSWORD
from microcert.frameworks.models import CompetencyFramework
from microcert.learning.models import PDPlan, Review, Submission
from microcert.learning.services import MIN_REFLECTION_CHARACTERS
from microcert.web.tests.browser import Camera, chromium, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SPEC = "organise-and-facilitate-online-collaborative-learning"
FIRST_REFLECTION = (
    "Trong học kỳ này tôi tổ chức cho sinh viên làm việc nhóm trực tuyến trên không gian chung. "
    "Mỗi nhóm có vai trò rõ ràng và tiến độ hằng tuần. "
) * 3
SECOND_REFLECTION = FIRST_REFLECTION + (
    "Sau nhận xét của người đánh giá, tôi bổ sung các trích đoạn cho thấy sinh viên phản hồi "
    "ý kiến của nhau và cách tôi can thiệp khi một nhóm bị chững lại."
)


@pytest.fixture
def journey_data(db, settings, tmp_path):
    from weasyprint import HTML

    from microcert.demo.services import demo_load

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo_load(credentials=False)
    pdf = tmp_path / "thiet-ke-nhiem-vu.pdf"
    pdf.write_bytes(
        HTML(
            string="<h1>Thiết kế nhiệm vụ cộng tác</h1><p>Vai trò, tiến độ, công cụ.</p>"
        ).write_pdf()
    )
    version = SpecificationVersion.objects.get(micro_credential__slug=SPEC, status="published")
    return {
        "pdf": pdf,
        "version": version,
        "offering": Offering.objects.get(version=version, host__slug="hust"),
        "framework": CompetencyFramework.objects.get(slug="digcompedu", status="published"),
        "lan": User.objects.get(email="lan.pham@hust.example"),
    }


def _answer(page, items, level: str) -> None:
    for index in items:
        page.locator("fieldset.sa-item").nth(index).locator(f"input[value='{level}']").check()


def _assigned_review(submission: Submission) -> Review:
    return Review.objects.select_related("assessor").get(submission=submission, status="assigned")


def _review(browser, base: str, review: Review, *, passing: bool, camera: Camera, name: str):
    page = sign_in(browser, base, review.assessor.email, DEMO_PASSWORD, language="en")
    page.goto(f"{base}/en/review/")
    assert review.submission.version.title_en in page.inner_text("main")
    camera.shot(page, f"{name}-queue")
    page.locator(f"a[href$='/review/{review.uuid}/']").first.click()
    # `.all()` does not wait: without this it can read the queue page, check nothing, and post an
    # incomplete form.
    page.wait_for_url(f"**/review/{review.uuid}/")
    page.locator("tbody.criterion").first.wait_for()
    for criterion in page.locator("tbody.criterion").all():
        cell = "td.level.passing" if passing else "td.level"
        criterion.locator(f"{cell} input[type=radio]").first.check()
    page.fill(
        "textarea[name=feedback]",
        "Clear task design; the roles make groups depend on each other."
        if passing
        else "The task design is promising, but the samples do not yet show how you intervened.",
    )
    page.check(f"input[name=decision][value={'pass' if passing else 'resubmit'}]")
    if not passing:
        page.fill("textarea[name=to_fix]", "Add extracts that show your interventions.")
    camera.shot(page, f"{name}-form")
    page.locator("#review-form button[type=submit]").last.click()
    page.wait_for_load_state()
    camera.shot(page, f"{name}-recorded")
    page.context.close()


def _published_documents(base: str) -> dict:
    """The DID documents and status lists, as the live server publishes them."""
    documents = {}
    for status_list in StatusList.objects.select_related("issuer__organisation"):
        url = credential_services.status_list_url(status_list)
        path = url.split("://", 1)[1].split("/", 1)[1]
        response = requests.get(f"{base}/{path}", timeout=30)
        assert response.status_code == 200, url
        documents[url] = response.json()
        issuer = status_list.issuer
        did = credential_services.issuer_did(issuer)
        served = requests.get(f"{base}/issuers/{issuer.organisation.slug}/did.json", timeout=30)
        assert served.json() == verification.own_did_document(issuer.organisation.slug)
        documents[did] = served.json()
    return documents


def test_a_teacher_goes_from_self_assessment_to_a_verified_credential(live_server, journey_data):
    base = live_server.url
    camera = Camera("journey")
    lan: User = journey_data["lan"]
    with chromium() as browser:
        page = sign_in(browser, base, lan.email, DEMO_PASSWORD, language="vi")

        # 1. Self-assessment, saved half-way and resumed.
        page.goto(f"{base}/vi/learn/self-assessment/")
        framework = journey_data["framework"]
        page.locator(f"form:has(input[name=framework][value='{framework.uuid}']) button").click()
        page.wait_for_load_state()
        items = page.locator("fieldset.sa-item").count()
        assert items == 22
        _answer(page, range(0, 11), "B1")
        page.click("button[name=action][value=save]")
        page.wait_for_load_state()
        page.reload()
        assert page.locator("fieldset.sa-item input:checked").count() == 11
        camera.shot(page, "self-assessment-resumed")
        _answer(page, range(11, 22), "A2")
        page.click("button[name=action][value=finish]")
        page.wait_for_load_state()
        assert "/profile/" in page.url
        assert page.locator("svg[role=img]").count() >= 1
        assert journey_data["version"].title_vi in page.inner_text("main")  # suggested
        camera.shot(page, "self-assessment-profile")

        # 2. The PD plan for 2027, sent to HUST.
        page.goto(f"{base}/vi/learn/plans/")
        page.fill("input[name=year]", "2027")
        page.locator("form:has(input[name=year]) button[type=submit]").click()
        page.wait_for_load_state()
        page.select_option("select[name=micro_credential]", SPEC)
        page.fill("form:has(input[name=action][value=add]) input[name=planned_hours]", "30")
        page.locator("form:has(input[name=action][value=add]) button[type=submit]").click()
        page.wait_for_load_state()
        page.locator("form:has(input[name=action][value=submit]) button").click()
        page.wait_for_load_state()
        plan = PDPlan.objects.get(teacher=lan, year=2027)
        assert plan.status == "submitted"
        camera.shot(page, "plan-submitted")

        # 3. HUST's admin approves it.
        admin = sign_in(browser, base, "admin@hust.example", DEMO_PASSWORD, language="vi")
        admin.goto(f"{base}/vi/institution/hust/plans/")
        camera.shot(admin, "plan-to-approve")
        admin.locator("button[name=action][value=approve]").first.click()
        admin.wait_for_load_state()
        plan.refresh_from_db()
        assert plan.status == "approved"
        admin.goto(f"{base}/vi/institution/hust/teachers/?year=2027")
        camera.shot(admin, "institution-progress")
        admin.context.close()

        # 4. Enrolment in HUST's offering.
        offering = journey_data["offering"]
        page.goto(f"{base}/vi/learn/offerings/")
        page.locator(f"form[action*='{offering.uuid}'] button").click()
        page.wait_for_load_state()
        page.goto(f"{base}/vi/learn/")
        camera.shot(page, "dashboard-enrolled")

        # 5. Evidence: a file, a link, a reflection; then submit.
        page.locator("form[action*='/submit/'] button").first.click()
        page.wait_for_load_state()
        version = journey_data["version"]
        requirements = {r.kind: r for r in version.evidence_requirements.all()}
        page.set_input_files(f"input[name=file-{requirements['file'].pk}]", journey_data["pdf"])
        page.locator(
            f".add-evidence:has(input[name=file-{requirements['file'].pk}]) button"
        ).click()
        page.wait_for_load_state()
        page.fill(f"input[name=url-{requirements['link'].pk}]", "https://lms.hust.example/g/12")
        page.locator(f".add-evidence:has(input[name=url-{requirements['link'].pk}]) button").click()
        page.wait_for_load_state()
        assert len(FIRST_REFLECTION) >= MIN_REFLECTION_CHARACTERS
        page.fill("textarea[name=reflection]", FIRST_REFLECTION)
        camera.shot(page, "evidence-draft")
        page.click(".form-actions button[name=action][value=submit]")
        page.wait_for_load_state()
        submission = Submission.objects.get(teacher=lan, attempt=1)
        assert submission.status == "in_review", page.inner_text("main")
        assert submission.evidence.count() == 2
        camera.shot(page, "evidence-submitted")

        # 6. The assessor asks for a resubmission.
        _review(
            browser,
            base,
            _assigned_review(submission),
            passing=False,
            camera=camera,
            name="review-1",
        )
        submission.refresh_from_db()
        assert submission.status == "resubmit"

        # 7. Lan reads what to fix, starts attempt 2 from her first evidence, and resubmits.
        page.goto(f"{base}/vi/learn/submissions/{submission.uuid}/")
        assert "Add extracts that show your interventions." in page.inner_text("main")
        camera.shot(page, "asked-to-resubmit")
        page.locator(f"form[action*='{submission.enrolment.uuid}'] button").click()
        page.wait_for_load_state()
        page.fill("textarea[name=reflection]", SECOND_REFLECTION)
        page.click(".form-actions button[name=action][value=submit]")
        page.wait_for_load_state()
        second = Submission.objects.get(teacher=lan, attempt=2)
        assert second.status == "in_review", page.inner_text("main")
        assert second.evidence.count() == 2

        # 8. A pass.
        _review(
            browser, base, _assigned_review(second), passing=True, camera=camera, name="review-2"
        )
        second.refresh_from_db()
        assert second.status == "passed"
        credential = IssuedCredential.objects.get(recipient=lan)
        assert second.credential == credential

        # 9. The credential, from the teacher's side, verified by the independent verifiers.
        page.goto(f"{base}/vi/learn/submissions/{second.uuid}/")
        camera.shot(page, "passed")
        page.locator(f"a[href*='{credential.uuid}']").first.click()
        page.wait_for_load_state()
        assert "/credentials/" in page.url
        camera.shot(page, "credential")
        downloaded = page.request.get(f"{base}/vi/credentials/{credential.uuid}/credential.json")
        assert downloaded.status == 200
        document = json.loads(downloaded.body())

    assert document == credential.document
    achieved = {r["achievedLevel"] for r in document["credentialSubject"]["result"]}
    assert achieved == {a.target_level.uri for a in journey_data["version"].alignments.all()}
    [result] = verify_independently([document], _published_documents(base))
    assert result["digitalbazaar"]["verified"] is True, result["digitalbazaar"]
    assert result["dcc"]["verified"] is True, result["dcc"]
    assert result["digitalbazaar"]["revoked"] is False
