"""Acceptance: the programme's whole story in a real browser, from a university's application
to the network to the hours a ministry recognises.

1. A Vietnamese university applies through the public join form (in English); the network
   office (the Centre's programme manager) approves it, which makes the institution and its
   admin's account; the admin chooses a password through the link in the welcome mail.
2. The admin adds a teacher, who is invited by mail to choose her password.
3. The teacher (Vietnamese, on a phone) assesses herself, enrols, submits evidence; an
   assessor (English) passes her and the credential is issued.
4. Anyone verifies the credential's JSON file on the public verification page, then its
   identifier, which leads to the credential's own page.
5. The Centre submits the micro-credential to MOET's scheme; MOET's reviewer (Vietnamese)
   approves it with an equivalence.
6. The teacher's PD transcript counts the hours; the national report names the university
   (its numbers withheld: one lecturer is fewer than the report's smallest group) and the
   university's compliance page shows her hours.

Every page type is checked with axe (no serious or critical violation). All screenshots go to
a temporary folder; with ``MICROCERT_SCREENSHOTS=docs/screenshots/story`` the main ones are
also written there, numbered and squeezed to a palette PNG.
"""

import datetime
import json
import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone, translation

from microcert.accounts.models import User
from microcert.catalog.models import Offering, SpecificationVersion
from microcert.credentials.models import IssuedCredential
from microcert.demo.services import DEMO_PASSWORD
from microcert.learning.models import Review, Submission
from microcert.network.models import AccessionApplication, Organisation
from microcert.recognition.models import (
    InclusionApplication,
    LedgerEntry,
    RecognitionScheme,
)
from microcert.web.tests.browser import PROJECT_ROOT, axe_report, axe_violations, chromium

pytestmark = pytest.mark.django_db(transaction=True)

SPEC = "develop-skills-in-virtual-spaces"
SCHEME = "vn-university-lecturers-pd"
UNIVERSITY = "Da Nang University of Science and Technology"
ADMIN = ("Trần Minh Quân", "quan.tran@dut.example")
TEACHER = ("Nguyễn Thị Hoa", "hoa.nguyen@dut.example")
PASSWORD = "story-Passw0rd-2026"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
UNSTICK = (
    "position => document.querySelectorAll('.form-actions.sticky')"
    ".forEach(bar => { bar.style.position = position; })"
)
# Each published screenshot stays under this; a palette of fewer colours is tried until it does.
MAX_BYTES = 300_000
MOTIVATION = (
    "Our faculty of advanced science and technology trains 900 lecturers a year in blended "
    "teaching. We want our lecturers to earn micro-credentials on evidence from their own "
    "courses, to host a Smart Classroom for the central region and to have the hours "
    "recognised by the Ministry."
)
REFLECTION = (
    "Tôi tổ chức buổi thực hành trong phòng thí nghiệm ảo cho sinh viên năm ba: mỗi nhóm "
    "luyện thao tác đo đạc trước khi vào phòng thí nghiệm thật. Sau buổi học tôi cho các nhóm "
    "rút kinh nghiệm và ghi lại những lỗi thường gặp để điều chỉnh kịch bản lần sau."
)


# --- screenshots -----------------------------------------------------------------------------


class StoryCamera:
    """Numbered full-page screenshots: every one to a temporary folder, the main ones also
    to ``MICROCERT_SCREENSHOTS`` (relative to the project) when it is set."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.taken: list[Path] = []
        self.published: list[Path] = []
        target = os.environ.get("MICROCERT_SCREENSHOTS", "").strip()
        self.target = (PROJECT_ROOT / target) if target else None
        if self.target is not None:
            self.target.mkdir(parents=True, exist_ok=True)
            for old in self.target.glob("[0-9][0-9]-*.png"):
                old.unlink()

    def shot(self, page, name: str, *, main: bool = False) -> Path:
        path = self.scratch / f"{len(self.taken) + 1:02d}-{name}.png"
        # A sticky action bar would be drawn where the first screen ends, over the content;
        # set through the CSSOM, which the pages' Content-Security-Policy allows.
        page.evaluate(UNSTICK, "static")
        page.screenshot(path=str(path), full_page=True)
        page.evaluate(UNSTICK, "")
        self.taken.append(path)
        if main and self.target is not None:
            published = self.target / f"{len(self.published) + 1:02d}-{name}.png"
            _squeeze(path, published)
            self.published.append(published)
        return path


def _squeeze(source: Path, target: Path) -> None:
    from PIL import Image

    with Image.open(source) as image:
        image = image.convert("RGB")
        for colours in (256, 128, 64, 32):
            image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(
                target, optimize=True
            )
            if target.stat().st_size < MAX_BYTES:
                return
        # Still too big: a long page; halve it rather than publish a heavy file.
        small = image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS)
        small.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


class Axe:
    """axe-core on each new kind of page; violations are gathered and reported at the end,
    so one bad page does not hide the rest of the story."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.failures: list[str] = []

    def check(self, page, kind: str) -> None:
        self.seen.append(kind)
        violations = axe_violations(page)
        if violations:
            self.failures.append(f"{kind} ({page.url}):\n{axe_report(violations)}")


# --- helpers ---------------------------------------------------------------------------------


def _context(browser, language: str, viewport: dict = DESKTOP):
    return browser.new_context(viewport=viewport, locale=language)


def _sign_in(browser, base: str, email: str, password: str, language: str, viewport=DESKTOP):
    page = _context(browser, language, viewport).new_page()
    page.goto(f"{base}/{language}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.inner_text("main")
    return page


def _mail_to(address: str) -> mail.EmailMessage:
    found = [m for m in mail.outbox if address in m.to]
    assert found, f"no mail to {address}: {[(m.to, m.subject) for m in mail.outbox]}"
    return found[-1]


def _password_link(message: mail.EmailMessage) -> str:
    """The path of the link to choose a password (the mail names the public address)."""
    match = re.search(r"https?://\S+?(/\S*/accounts/password/reset/key/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def _choose_password(page, base: str, path: str, camera=None, name: str = "") -> None:
    page.goto(f"{base}{path}")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    if camera is not None:
        camera.shot(page, name)
    page.locator("form[action*='/password/reset/key/'] button[name=action]").click()
    page.wait_for_load_state()
    assert "/password/reset/key/done/" in page.url, f"{page.url}: {_text(page)}"


def _text(page) -> str:
    return page.inner_text("main")


# --- data ------------------------------------------------------------------------------------


@pytest.fixture
def story(db, settings, tmp_path):
    """The demo's network, people and catalogue (no credentials), and MOET's schemes; the
    university, its admin and its teacher are made by the story itself."""
    from weasyprint import HTML

    from microcert.demo.services import _load, demo_load
    from microcert.recognition import services as recognition

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The join form counts applications per address in the shared memory cache; earlier tests
    # in this process must not have spent the hour's allowance.
    cache.clear()
    demo_load(credentials=False)
    # MOET and its schemes, without the demo's applications and decisions.
    for row in _load("recognition.json")["authorities"]:
        authority = recognition.authority_ensure(
            organisation=Organisation.objects.get(slug=row["organisation"]), actor=None
        )
        for scheme in row["schemes"]:
            recognition.scheme_create(
                authority=authority,
                slug=scheme["slug"],
                title=scheme["title"]["en"],
                description=scheme["description"]["en"],
                translations={"title": scheme["title"], "description": scheme["description"]},
                country=scheme["country"],
                staff_categories=scheme["staff_categories"],
                unit=scheme["unit"],
                requirement=scheme["requirement"],
                period_years=scheme["period_years"],
                periods_start_on=datetime.date.fromisoformat(scheme["periods_start_on"]),
                actor=None,
            )
    version = SpecificationVersion.objects.get(micro_credential__slug=SPEC, status="published")
    offering = Offering.objects.get(version=version, host__slug="hust")
    today = timezone.localdate()
    if offering.ends_on < today + datetime.timedelta(days=60):
        # The demo's dates are fixed; keep the run open to enrolment whenever the test runs.
        Offering.objects.filter(pk=offering.pk).update(
            starts_on=today + datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=90),
        )
    plan = tmp_path / "ke-hoach-buoi-day.pdf"
    plan.write_bytes(
        HTML(
            string="<h1>Kế hoạch buổi dạy trong phòng thí nghiệm ảo</h1>"
            "<p>Kỹ năng mục tiêu, môi trường, nhiệm vụ luyện tập, câu hỏi rút kinh nghiệm.</p>"
        ).write_pdf()
    )
    shots = tmp_path / "screenshots"
    shots.mkdir()
    return {
        "version": version,
        "offering": offering,
        "scheme": RecognitionScheme.objects.get(slug=SCHEME),
        "plan": plan,
        "shots": shots,
        "tmp": tmp_path,
    }


def _office_approves(browser, base: str, application, camera, axe) -> None:
    office = _sign_in(browser, base, "manager@centre.example", DEMO_PASSWORD, "en")
    office.goto(f"{base}/en/network/accessions/")
    assert UNIVERSITY in _text(office)
    axe.check(office, "office accessions")
    office.locator(f"a[href$='/network/accessions/{application.uuid}/']").first.click()
    office.wait_for_load_state()
    assert MOTIVATION in _text(office)
    axe.check(office, "office accession")
    camera.shot(office, "office-reviews-application", main=True)
    approve = office.locator("form:has(input[name=action][value=approve])")
    approve.locator("textarea[name=message]").fill("Welcome to the network.")
    approve.locator("button[type=submit]").click()
    office.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == AccessionApplication.Status.APPROVED, _text(office)
    camera.shot(office, "office-approved")
    office.context.close()


# --- the story -------------------------------------------------------------------------------


def test_the_programmes_whole_story(live_server, story):
    base = live_server.url
    camera = StoryCamera(story["shots"])
    axe = Axe()
    version: SpecificationVersion = story["version"]
    scheme: RecognitionScheme = story["scheme"]
    with translation.override("vi"):
        title_vi, scheme_vi = version.title, scheme.title
    with translation.override("en"):
        title_en = version.title

    with chromium() as browser:
        # 1a. The university applies, in English.
        applicant = _context(browser, "en").new_page()
        applicant.goto(f"{base}/en/network/join/")
        axe.check(applicant, "join form")
        applicant.fill("input[name=name]", UNIVERSITY)
        applicant.fill("input[name=short_name]", "DUT")
        applicant.select_option("select[name=kind]", "hei")
        applicant.select_option("select[name=country]", "VN")
        applicant.select_option("select[name=subregion]", "south_eastern_asia")
        applicant.fill("input[name=city]", "Đà Nẵng")
        applicant.fill("input[name=website]", "https://dut.example")
        applicant.check("input[name=membership_kind][value=partner_hei]")
        for kind in ("network_accession", "pd_recognition", "smart_classroom"):
            applicant.check(f"input[name=intended_cooperation][value={kind}]")
        applicant.fill("textarea[name=motivation]", MOTIVATION)
        applicant.fill("input[name=contact0_name]", ADMIN[0])
        applicant.fill("input[name=contact0_email]", ADMIN[1])
        applicant.fill("input[name=contact0_position]", "Director of Training")
        applicant.select_option("select[name=language]", "en")
        camera.shot(applicant, "university-applies", main=True)
        applicant.locator("form.join-form button[type=submit]").click()
        applicant.wait_for_load_state()
        assert "/network/join/thanks/" in applicant.url, _text(applicant)
        axe.check(applicant, "join thanks")
        application = AccessionApplication.objects.get(contacts__email=ADMIN[1])
        assert application.status == AccessionApplication.Status.SUBMITTED
        camera.shot(applicant, "application-sent")
        applicant.context.close()

        # 1b. The network office approves it.
        _office_approves(browser, base, application, camera, axe)
        application.refresh_from_db()
        assert application.status == AccessionApplication.Status.APPROVED
        university = application.organisation
        assert university.name == UNIVERSITY and university.country.code == "VN"
        assert application.admin_account.email == ADMIN[1]

        # 1c. The applicant's private status page, from the first mail, says so; the admin
        # chooses a password from the welcome mail and signs in.
        received, welcome = [m for m in mail.outbox if ADMIN[1] in m.to]
        status_path = re.search(r"/en/network/join/status/\S+/", received.body)
        assert status_path, received.body
        tracker = _context(browser, "en").new_page()
        tracker.goto(f"{base}{status_path.group(0)}")
        assert str(AccessionApplication.Status.APPROVED.label) in _text(tracker)
        axe.check(tracker, "accession status")
        camera.shot(tracker, "applicant-status")
        tracker.context.close()
        admin = _context(browser, "en").new_page()
        _choose_password(admin, base, _password_link(welcome), camera, "admin-chooses-password")
        axe.check(admin, "password chosen")
        admin.context.close()
        admin = _sign_in(browser, base, ADMIN[1], PASSWORD, "en")

        # 2. The admin adds a teacher.
        admin.goto(f"{base}/en/institution/{university.slug}/teachers/add/")
        axe.check(admin, "add teachers")
        one = admin.locator("form:has(input[name=action][value=one])")
        one.locator("input[name=email]").fill(TEACHER[1])
        one.locator("input[name=legal_name]").fill(TEACHER[0])
        one.locator("select[name=language]").select_option("vi")
        camera.shot(admin, "admin-adds-teacher", main=True)
        one.locator("button[type=submit]").click()
        admin.wait_for_load_state()
        assert f"/institution/{university.slug}/teachers/" in admin.url, _text(admin)
        assert TEACHER[0] in _text(admin)
        axe.check(admin, "institution teachers")
        camera.shot(admin, "admin-teachers")

        # 3a. The teacher, on her phone in Vietnamese, chooses her password and signs in.
        teacher_user = User.objects.get(email=TEACHER[1])
        invitation = _mail_to(TEACHER[1])
        phone = _context(browser, "vi", PHONE).new_page()
        _choose_password(
            phone, base, _password_link(invitation), camera, "teacher-chooses-password"
        )
        phone.context.close()
        teacher = _sign_in(browser, base, TEACHER[1], PASSWORD, "vi", PHONE)

        # 3b. Self-assessment against DigCompEdu.
        teacher.goto(f"{base}/vi/learn/self-assessment/")
        axe.check(teacher, "self-assessment start")
        teacher.locator("form:has(input[name=framework]) button").first.click()
        teacher.wait_for_load_state()
        items = teacher.locator("fieldset.sa-item")
        for index in range(items.count()):
            level = "A2" if index % 3 else "B1"
            items.nth(index).locator(f"input[value='{level}']").check()
        axe.check(teacher, "self-assessment")
        teacher.click("button[name=action][value=finish]")
        teacher.wait_for_load_state()
        assert "/profile/" in teacher.url, _text(teacher)
        axe.check(teacher, "self-assessment profile")
        camera.shot(teacher, "teacher-profile", main=True)

        # 3c. Enrolment in HUST's offering, then evidence.
        offering = story["offering"]
        teacher.goto(f"{base}/vi/learn/offerings/")
        axe.check(teacher, "offerings")
        teacher.locator(f"form[action*='{offering.uuid}'] button").click()
        teacher.wait_for_load_state()
        teacher.goto(f"{base}/vi/learn/")
        assert title_vi in _text(teacher)
        axe.check(teacher, "dashboard")
        teacher.locator("form[action*='/submit/'] button").first.click()
        teacher.wait_for_load_state()
        requirements = {r.kind: r for r in version.evidence_requirements.all()}
        file_field = f"file-{requirements['file'].pk}"
        teacher.set_input_files(f"input[name={file_field}]", story["plan"])
        teacher.locator(f".add-evidence:has(input[name={file_field}]) button").click()
        teacher.wait_for_load_state()
        link_field = f"url-{requirements['link'].pk}"
        teacher.fill(f"input[name={link_field}]", "https://video.dut.example/lab-session-12")
        teacher.locator(f".add-evidence:has(input[name={link_field}]) button").click()
        teacher.wait_for_load_state()
        if teacher.locator("textarea[name=reflection]").count():
            teacher.fill("textarea[name=reflection]", REFLECTION)
        axe.check(teacher, "evidence")
        camera.shot(teacher, "teacher-evidence", main=True)
        teacher.click(".form-actions button[name=action][value=submit]")
        teacher.wait_for_load_state()
        submission = Submission.objects.get(teacher=teacher_user)
        assert submission.status == "in_review", _text(teacher)

        # 3d. An assessor, in English, passes it.
        review = Review.objects.select_related("assessor").get(
            submission=submission, status="assigned"
        )
        assessor = _sign_in(browser, base, review.assessor.email, DEMO_PASSWORD, "en")
        assessor.goto(f"{base}/en/review/")
        assert title_en in _text(assessor)
        axe.check(assessor, "review queue")
        assessor.locator(f"a[href$='/review/{review.uuid}/']").first.click()
        # `.all()` below does not wait for the review page.
        assessor.wait_for_url(f"**/review/{review.uuid}/")
        assessor.locator("tbody.criterion").first.wait_for()
        for criterion in assessor.locator("tbody.criterion").all():
            criterion.locator("td.level.passing input[type=radio]").first.check()
        assessor.fill(
            "textarea[name=feedback]",
            "A well-built session: the briefing sets the target skill and the debriefing "
            "questions make students name what they would change.",
        )
        assessor.check("input[name=decision][value=pass]")
        axe.check(assessor, "review form")
        camera.shot(assessor, "assessor-passes", main=True)
        assessor.locator("#review-form button[type=submit]").last.click()
        assessor.wait_for_load_state()
        submission.refresh_from_db()
        assert submission.status == "passed", _text(assessor)
        assessor.context.close()
        credential = IssuedCredential.objects.get(recipient=teacher_user)

        # 3e. The teacher sees her credential and keeps its file.
        teacher.goto(f"{base}/vi/credentials/{credential.uuid}/")
        assert title_vi in _text(teacher)
        axe.check(teacher, "credential page")
        camera.shot(teacher, "teacher-credential", main=True)
        download = teacher.request.get(f"{base}/vi/credentials/{credential.uuid}/credential.json")
        assert download.status == 200
        credential_file = story["tmp"] / "credential.json"
        credential_file.write_bytes(download.body())
        assert json.loads(credential_file.read_text(encoding="utf-8")) == credential.document

        # 4. Anyone verifies the file on the public page.
        visitor = _context(browser, "en").new_page()
        visitor.goto(f"{base}/en/verify/")
        axe.check(visitor, "verify")
        visitor.set_input_files("input[name=credential_file]", credential_file)
        visitor.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
        visitor.wait_for_load_state()
        result = visitor.locator("section[aria-labelledby=result-heading]").inner_text()
        assert title_vi in result, result  # the credential speaks its holder's language
        assert visitor.locator(".verdict.ok").count() == 1, result
        axe.check(visitor, "verify result")
        camera.shot(visitor, "anyone-verifies", main=True)
        # ... and by its identifier, which leads to its page, checked on the spot.
        visitor.fill("input[name=link]", credential.document["id"])
        visitor.locator("form:has(input[name=link]) button[type=submit]").click()
        visitor.wait_for_load_state()
        assert f"/credentials/{credential.uuid}/" in visitor.url, _text(visitor)
        assert visitor.locator(".verdict.ok").count() == 1, _text(visitor)
        visitor.context.close()

        # 5a. The Centre submits the micro-credential to MOET's scheme.
        manager = _sign_in(browser, base, "manager@centre.example", DEMO_PASSWORD, "en")
        manager.goto(f"{base}/en/recognition/applications/new/")
        axe.check(manager, "recognition application form")
        manager.select_option("select[name=applicant]", "centre")
        manager.select_option("select[name=scheme]", scheme.slug)
        manager.select_option("select[name=version]", str(version.uuid))
        manager.fill(
            "textarea[name=motivation]",
            "Lecturers earn it on evidence from a session they teach in a virtual space, "
            "assessed against a public rubric by an assessor from another institution.",
        )
        manager.locator("form button[type=submit]").last.click()
        manager.wait_for_load_state()
        inclusion = InclusionApplication.objects.get(scheme=scheme, version=version)
        assert inclusion.status == "submitted", _text(manager)
        manager.context.close()

        # 5b. MOET's reviewer approves it, in Vietnamese.
        reviewer = _sign_in(browser, base, "reviewer@moet.example", DEMO_PASSWORD, "vi")
        reviewer.goto(f"{base}/vi/authority/applications/")
        assert title_vi in _text(reviewer)
        axe.check(reviewer, "authority queue")
        reviewer.locator(f"a[href$='/authority/applications/{inclusion.uuid}/']").click()
        reviewer.wait_for_load_state()
        reviewer.check("input[name=outcome][value=approve]")
        reviewer.fill("input[name=equivalence]", "25")
        today = timezone.localdate()
        reviewer.fill("input[name=valid_from]", today.replace(month=1, day=1).isoformat())
        reviewer.fill(
            "input[name=valid_until]",
            today.replace(year=today.year + 3, month=12, day=31).isoformat(),
        )
        reviewer.fill(
            "textarea[name=conditions]", "Tính một lần cho mỗi giảng viên trong một chu kỳ."
        )
        axe.check(reviewer, "authority review")
        reviewer.locator("#decide").scroll_into_view_if_needed()
        camera.shot(reviewer, "ministry-approves", main=True)
        reviewer.locator("form.decision-form button[type=submit]").click()
        reviewer.wait_for_load_state()
        inclusion.refresh_from_db()
        assert inclusion.status == "approved", _text(reviewer)

        # 6a. The teacher's PD transcript counts the hours.
        entry = LedgerEntry.objects.get(person=teacher_user, scheme=scheme)
        assert entry.hours == 25 and entry.organisation == university
        teacher.goto(f"{base}/vi/my/pd/")
        transcript = teacher.locator(f"section:has(#scheme-{scheme.slug})").inner_text()
        assert scheme_vi in transcript and title_vi in transcript, transcript
        assert "25" in transcript
        axe.check(teacher, "PD transcript")
        camera.shot(teacher, "teacher-transcript", main=True)
        teacher.context.close()

        # 6b. The ministry's national report and the university's compliance page.
        reviewer.goto(f"{base}/vi/reports/{scheme.slug}/")
        assert scheme_vi in _text(reviewer)
        assert university.name in _text(reviewer)
        axe.check(reviewer, "national report")
        camera.shot(reviewer, "ministry-report", main=True)
        reviewer.goto(f"{base}/vi/institution/{university.slug}/pd/{scheme.slug}/")
        compliance = _text(reviewer)
        assert TEACHER[0] in compliance, compliance
        assert "25" in reviewer.locator("table").first.inner_text()
        axe.check(reviewer, "institution compliance")
        camera.shot(reviewer, "ministry-compliance", main=True)
        reviewer.context.close()
        admin.context.close()

    assert not axe.failures, "\n\n".join(axe.failures)
    for path in camera.published:
        assert path.stat().st_size < MAX_BYTES, path
