"""The teacher's pages, as a teacher meets them: through the test client, on the demo data.

Lan Pham teaches at HUST. She assesses herself, plans her year, enrols, gathers evidence and
submits it; the pages keep what she typed when something is refused, and nobody else reaches
her work through them.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from microcert.catalog.models import EvidenceRequirement, Offering
from microcert.frameworks.models import LevelDescriptor
from microcert.learning import services
from microcert.learning.models import (
    Enrolment,
    EvidenceItem,
    KnowledgeChoice,
    KnowledgeQuestion,
    PDPlan,
    Review,
    SelfAssessment,
    Submission,
)

pytestmark = pytest.mark.django_db

REFLECTION = (
    "For six weeks my second-year students worked in groups of four on a shared case study in "
    "the learning platform. Roles rotated each week and every group kept a decision log. Two "
    "groups stalled halfway, so I added a short check-in and a round of peer feedback; next "
    "time I will build the interdependence into the task from the start."
)
# Viet Nam's plans are due by 31 May: next year's plan is never late.
NEXT_YEAR = timezone.localdate().year + 1
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    """A real (small) PDF: a lesson plan rendered by WeasyPrint."""
    from weasyprint import HTML

    return HTML(string="<h1>Lesson plan</h1><p>Group work in week 3.</p>").write_pdf()


def url(name: str, *args, language: str = "en") -> str:
    from django.utils import translation

    with translation.override(language):
        return reverse(f"learning:{name}", args=args)


def page(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow_messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def requirement(version, kind: str) -> EvidenceRequirement:
    return version.evidence_requirements.get(kind=kind)


def start_submission(client, journey) -> Submission:
    client.post(url("enrol", journey.offering.uuid))
    enrolment = Enrolment.objects.get(teacher=journey.lan, offering=journey.offering)
    response = client.post(url("submission_start", enrolment.uuid))
    submission = Submission.objects.get(enrolment=enrolment)
    assert response.status_code == 302
    assert response["Location"] == url("submission", submission.uuid)
    return submission


def stored_files() -> list[Path]:
    """Evidence files on disk (the demo's news pictures live elsewhere in the media folder)."""
    root = Path(settings.MEDIA_ROOT) / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- access -----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, journey):
    for address in [
        url("dashboard"),
        url("self_assessments"),
        url("plans"),
        url("offerings"),
        url("self_assessment", "5b0f6e1e-5d43-4f7e-9a55-9b3a0d8c1a11"),
        url("submission", "5b0f6e1e-5d43-4f7e-9a55-9b3a0d8c1a11"),
        url("evidence_file", "5b0f6e1e-5d43-4f7e-9a55-9b3a0d8c1a11"),
    ]:
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith("/en/accounts/login/?next="), address


def test_a_malformed_address_is_not_found(client, journey):
    client.force_login(journey.lan)
    for address in [
        "/en/learn/plans/not-a-uuid/",
        "/en/learn/self-assessment/1234/",
        "/en/learn/submissions/x/",
        "/en/learn/evidence/../../etc/passwd/",
        url("plan", "5b0f6e1e-5d43-4f7e-9a55-9b3a0d8c1a11"),
    ]:
        assert client.get(address).status_code == 404, address


# --- dashboard --------------------------------------------------------------------------------


def test_a_new_teacher_is_invited_to_assess_herself_plan_and_enrol(client, journey):
    client.force_login(journey.lan)
    response = client.get(url("dashboard"))
    assert response.status_code == 200
    html = page(response)
    assert "Start a self-assessment" in html
    assert url("self_assessments") in html and url("plans") in html and url("offerings") in html
    assert "You are not enrolled in any offering yet." in html


def test_the_pages_render_in_vietnamese(client, journey):
    client.force_login(journey.lan)
    assessment = services.self_assessment_start(person=journey.lan, framework=journey.framework)
    for address in [
        url("dashboard", language="vi"),
        url("self_assessments", language="vi"),
        url("self_assessment", assessment.uuid, language="vi"),
        url("profile", assessment.uuid, language="vi"),
        url("plans", language="vi"),
        url("offerings", language="vi"),
    ]:
        response = client.get(address)
        assert response.status_code == 200, address
        assert '<html lang="vi">' in page(response)


# --- self-assessment --------------------------------------------------------------------------


def _levels(response) -> dict[str, list[str]]:
    """The radio buttons of the self-assessment page: field name -> level codes."""
    found: dict[str, list[str]] = {}
    radio = r'type="radio" name="([^"]+)" id="[^"]+" value="([^"]+)"'
    for name, value in re.findall(radio, page(response)):
        found.setdefault(name, []).append(value)
    return found


def test_a_teacher_self_assesses_in_parts_resumes_and_finishes(client, journey):
    client.force_login(journey.lan)
    listing = client.get(url("self_assessments"))
    assert journey.framework.title in page(listing)

    response = client.post(url("self_assessments"), {"framework": str(journey.framework.uuid)})
    assessment = SelfAssessment.objects.get(person=journey.lan)
    assert response["Location"] == url("self_assessment", assessment.uuid)

    # One item per competence, one radio per level, each labelled by its descriptor.
    form = client.get(url("self_assessment", assessment.uuid))
    radios = _levels(form)
    assert len(radios) == 22
    assert all(codes == ["A1", "A2", "B1", "B2", "C1", "C2"] for codes in radios.values())
    descriptor = LevelDescriptor.objects.get(
        competence__framework=journey.framework, competence__code="3.3", level__code="A2"
    )
    assert escape(descriptor.text) in page(form)
    assert "0 of 22 answered" in page(form)

    # Part of it, out of order; then she comes back and the answers are there.
    response = client.post(
        url("self_assessment", assessment.uuid),
        {"c-6.5": "B1", "c-3.3": "A2", "c-1.1": "B2", "action": "save"},
        follow=True,
    )
    assert "Your answers are saved" in follow_messages(response)
    assert assessment.answers.count() == 3
    resumed = client.get(url("self_assessment", assessment.uuid))
    assert 'id="c-3.3-A2" value="A2" checked' in page(resumed)
    assert "3 of 22 answered" in page(resumed)

    # The start button resumes the same sitting.
    again = client.post(url("self_assessments"), {"framework": str(journey.framework.uuid)})
    assert again["Location"] == url("self_assessment", assessment.uuid)

    # Finishing too early says what is missing and keeps what was given.
    response = client.post(
        url("self_assessment", assessment.uuid), {"c-2.1": "B1", "action": "finish"}
    )
    assert response.status_code == 400
    html = page(response)
    assert "still need an answer" in html
    competences = {c.code: c.pk for c in journey.framework.competences.all()}
    assert f'href="#item-{competences["1.2"]}"' in html
    assert f'href="#item-{competences["3.3"]}"' not in html
    assert assessment.answers.count() == 4
    assessment.refresh_from_db()
    assert assessment.status == SelfAssessment.Status.IN_PROGRESS

    # The rest, then finish: the profile follows.
    rest = {name: "B1" for name in radios if name not in {"c-6.5", "c-3.3", "c-1.1", "c-2.1"}}
    response = client.post(url("self_assessment", assessment.uuid), {**rest, "action": "finish"})
    assert response["Location"] == url("profile", assessment.uuid)
    assessment.refresh_from_db()
    assert assessment.status == SelfAssessment.Status.COMPLETED

    profile = client.get(url("profile", assessment.uuid))
    html = page(profile)
    assert profile.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "3.3 Collaborative learning" in html
    # Her weakest answer (A2 in 3.3) leads the suggestions, with the reason.
    assert (
        "You placed yourself at A2 in 3.3 Collaborative learning; this micro-credential "
        "certifies B2." in html
    )
    assert reverse("web:specification", args=[journey.version.micro_credential.slug]) in html

    # A completed sitting is not edited any more; the dashboard shows the result.
    assert client.get(url("self_assessment", assessment.uuid))["Location"] == url(
        "profile", assessment.uuid
    )
    dashboard = page(client.get(url("dashboard")))
    assert "dashboard-radar" in dashboard and "Suggested for you" in dashboard
    history = page(client.get(url("self_assessments")))
    assert "trend-digcompedu" in history


def test_suggestions_leave_out_what_the_teacher_is_already_taking(client, journey):
    assessment = services.self_assessment_start(person=journey.lan, framework=journey.framework)
    codes = services.assessable_competences(journey.framework).values_list("code", flat=True)
    services.self_assessment_answer(
        assessment=assessment,
        answers={**dict.fromkeys(codes, "B1"), "3.3": "A1"},  # 3.3 is her weakest
        actor=journey.lan,
    )
    services.self_assessment_complete(assessment=assessment, actor=journey.lan)
    client.force_login(journey.lan)
    suggested = reverse("web:specification", args=[journey.version.micro_credential.slug])
    assert suggested in page(client.get(url("profile", assessment.uuid)))
    services.enrolment_create(offering=journey.offering, teacher=journey.lan, actor=journey.lan)
    assert suggested not in page(client.get(url("profile", assessment.uuid)))


def test_a_tampered_level_is_refused_and_nothing_is_saved(client, journey):
    client.force_login(journey.lan)
    assessment = services.self_assessment_start(person=journey.lan, framework=journey.framework)
    response = client.post(
        url("self_assessment", assessment.uuid),
        {"c-1.1": "B1", "c-1.2": "Z9", "action": "save"},
    )
    assert response.status_code == 400
    assert "could not be read" in " ".join(messages_of(response))
    assert assessment.answers.count() == 0
    # An unknown competence is ignored by the form, not an error page.
    response = client.post(
        url("self_assessment", assessment.uuid), {"c-99.9": "B1", "action": "save"}, follow=True
    )
    assert response.status_code == 200
    assert "Nothing to save yet" in follow_messages(response)


def test_a_framework_that_is_not_offered_cannot_be_started(client, journey):
    client.force_login(journey.lan)
    response = client.post(url("self_assessments"), {"framework": "not-a-uuid"}, follow=True)
    assert "Choose one of the frameworks listed." in follow_messages(response)
    assert not SelfAssessment.objects.exists()


# --- PD plan ----------------------------------------------------------------------------------


def test_a_teacher_plans_her_year_and_submits_the_plan(client, journey):
    client.force_login(journey.lan)
    response = client.post(url("plans"), {"year": str(NEXT_YEAR), "organisation": "hust"})
    plan = PDPlan.objects.get(teacher=journey.lan)
    assert response["Location"] == url("plan", plan.uuid)

    other = "assess-learning-from-process-performance"
    slug = journey.version.micro_credential.slug
    for chosen, hours in [(slug, "30"), (other, "12.5")]:
        response = client.post(
            url("plan", plan.uuid),
            {"action": "add", "micro_credential": chosen, "planned_hours": hours},
        )
        assert response.status_code == 302
    # Change the hours, then remove one again.
    client.post(
        url("plan", plan.uuid),
        {"action": "change", "micro_credential": slug, "planned_hours": "40", "note": "Sem. 2"},
    )
    client.post(url("plan", plan.uuid), {"action": "remove", "micro_credential": other})
    items = list(plan.items.values_list("micro_credential__slug", "planned_hours", "note"))
    assert [(s, str(h), n) for s, h, n in items] == [(slug, "40.0", "Sem. 2")]

    html = page(client.get(url("plan", plan.uuid)))
    assert "Total: 40 hours" in html and plan.deadline.strftime("%Y") in html

    response = client.post(url("plan", plan.uuid), {"action": "submit"}, follow=True)
    assert "submitted to" in follow_messages(response)
    plan.refresh_from_db()
    assert plan.status == PDPlan.Status.SUBMITTED
    # Read-only now: no form to add, and a change sent anyway is refused with a message.
    html = page(response)
    assert 'value="add"' not in html and "cannot be changed meanwhile" in html
    response = client.post(
        url("plan", plan.uuid),
        {"action": "add", "micro_credential": other, "planned_hours": "5"},
    )
    assert response.status_code == 400
    assert "cannot be changed" in " ".join(messages_of(response))
    assert plan.items.count() == 1


def test_bad_plan_input_is_a_message_not_an_error_page(client, journey):
    client.force_login(journey.lan)
    plan = services.pd_plan_create(
        teacher=journey.lan, organisation=journey.hust, year=NEXT_YEAR, actor=journey.lan
    )
    for data in [
        {"action": "add", "micro_credential": "no-such-thing", "planned_hours": "5"},
        {
            "action": "add",
            "micro_credential": "assess-learning-from-process-performance",
            "planned_hours": "-3",
        },
        {
            "action": "add",
            "micro_credential": "assess-learning-from-process-performance",
            "planned_hours": "lots",
        },
        {"action": "remove", "micro_credential": "assess-learning-from-process-performance"},
        {"action": "submit"},
        {"action": "explode"},
    ]:
        response = client.post(url("plan", plan.uuid), data)
        assert response.status_code == 400, data
        assert messages_of(response), data
    assert plan.items.count() == 0
    # A second plan for the same year, or at an institution where she does not teach.
    response = client.post(url("plans"), {"year": str(NEXT_YEAR), "organisation": "hust"})
    assert response.status_code == 400 and "already have a plan" in page(response)
    response = client.post(url("plans"), {"year": str(NEXT_YEAR), "organisation": "ut"})
    assert response.status_code == 400
    assert PDPlan.objects.filter(teacher=journey.lan).count() == 1


def test_a_teacher_at_two_institutions_chooses_where_the_plan_belongs(client, journey):
    from microcert.network import services as network_services
    from microcert.network.models import Organisation

    ut = Organisation.objects.get(slug="ut")
    network_services.affiliation_grant(person=journey.lan, organisation=ut, role="teacher")
    client.force_login(journey.lan)
    html = page(client.get(url("plans")))
    assert '<select name="organisation"' in html
    assert f'<option value="ut">{escape(ut.name)}</option>' in html
    response = client.post(url("plans"), {"year": str(NEXT_YEAR), "organisation": "ut"})
    assert response.status_code == 302
    assert PDPlan.objects.get(teacher=journey.lan).organisation == ut


def test_a_returned_plan_shows_the_institutions_comment_and_can_be_changed(client, journey):
    plan = services.pd_plan_create(
        teacher=journey.lan, organisation=journey.hust, year=NEXT_YEAR, actor=journey.lan
    )
    services.pd_plan_set_item(
        plan=plan,
        micro_credential=journey.version.micro_credential,
        planned_hours=30,
        actor=journey.lan,
    )
    services.pd_plan_submit(plan=plan, actor=journey.lan)
    services.pd_plan_return(
        plan=plan, actor=journey.hust_admin, comment="Please add an assessment-related one."
    )
    client.force_login(journey.lan)
    html = page(client.get(url("plan", plan.uuid)))
    assert "Please add an assessment-related one." in html
    assert 'value="add"' in html and "Send the plan again" in html


# --- offerings and enrolment ------------------------------------------------------------------


def test_a_teacher_enrols_from_the_offerings_and_withdraws_from_the_dashboard(client, journey):
    client.force_login(journey.lan)
    listing = page(client.get(url("offerings")))
    assert escape(journey.version.title) in listing
    assert url("enrol", journey.offering.uuid) in listing
    assert "40 places left of 40" in listing

    response = client.post(url("enrol", journey.offering.uuid), follow=True)
    assert "You are enrolled" in follow_messages(response)
    enrolment = Enrolment.objects.get(teacher=journey.lan, offering=journey.offering)
    assert enrolment.status == Enrolment.Status.ENROLLED
    html = page(response)
    assert url("withdraw", enrolment.uuid) in html and "Start my evidence" in html

    # Enrolling twice is a message.
    response = client.post(url("enrol", journey.offering.uuid), follow=True)
    assert "already enrolled" in follow_messages(response)

    response = client.post(url("withdraw", enrolment.uuid), follow=True)
    assert "You have withdrawn" in follow_messages(response)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


def test_a_full_offering_puts_the_teacher_on_the_waiting_list(client, journey):
    Offering.objects.filter(pk=journey.offering.pk).update(capacity=1)
    services.enrolment_create(offering=journey.offering, teacher=journey.hung, actor=journey.hung)
    client.force_login(journey.lan)
    assert "Join the waiting list" in page(client.get(url("offerings")))
    response = client.post(url("enrol", journey.offering.uuid), follow=True)
    assert "you are number 1 on the waiting list" in follow_messages(response)
    assert "number 1 on the waiting list" in page(response)


def test_forms_refuse_a_post_without_the_csrf_token(journey):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(journey.lan)
    assert client.post(url("enrol", journey.offering.uuid)).status_code == 403
    assert not Enrolment.objects.exists()
    assert "csrfmiddlewaretoken" in page(client.get(url("offerings")))


def test_someone_without_a_teacher_role_is_told_how_to_get_one(client, journey):
    client.force_login(journey.assessors[0])
    html = page(client.get(url("dashboard")))
    assert "you need a teacher role" in html
    assert "Enrolment is open to teachers" in page(client.get(url("offerings")))
    assert "Ask your institution to add your teacher role." in page(client.get(url("plans")))


def test_enrolment_is_for_teachers(client, journey):
    client.force_login(journey.assessors[0])
    assert client.post(url("enrol", journey.offering.uuid)).status_code == 403
    assert not Enrolment.objects.exists()
    assert client.get(url("enrol", journey.offering.uuid)).status_code == 405


# --- submission -------------------------------------------------------------------------------


def test_a_teacher_gathers_evidence_and_submits_it_for_review(client, journey, pdf_bytes):
    client.force_login(journey.lan)
    submission = start_submission(client, journey)
    address = url("submission", submission.uuid)
    html = page(client.get(address))
    for r in journey.version.evidence_requirements.all():
        assert escape(r.title) in html
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert "Accepted: DOCX, GIF, JPG" in html and "20.0\xa0MB" in html

    file_requirement = requirement(journey.version, "file")
    link_requirement = requirement(journey.version, "link")
    response = client.post(
        address,
        {
            "action": "save",
            f"file-{file_requirement.pk}": SimpleUploadedFile(
                "lesson plan.pdf", pdf_bytes, content_type="application/pdf"
            ),
            f"url-{link_requirement.pk}": "https://lms.hust.example/course/42/forum",
            f"title-{link_requirement.pk}": "Group forum",
            "reflection": REFLECTION,
        },
        follow=True,
    )
    assert "Your draft is saved." in follow_messages(response)
    file_item = submission.evidence.get(requirement=file_requirement)
    assert file_item.original_name == "lesson plan.pdf"
    assert file_item.content_type == "application/pdf" and file_item.size == len(pdf_bytes)
    assert submission.evidence.get(requirement=link_requirement).title == "Group forum"
    html = page(response)
    assert url("evidence_file", file_item.uuid) in html and "Group forum" in html
    assert "Everything asked for is here." in html

    # The file comes back only as a download, typed as stored, never sniffed.
    download = client.get(url("evidence_file", file_item.uuid))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")

    response = client.post(address, {"action": "submit", "reflection": REFLECTION}, follow=True)
    assert "Your evidence is submitted." in follow_messages(response)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.IN_REVIEW
    assert submission.reviews.get().assessor in journey.assessors
    # Read-only from now on.
    html = page(response)
    assert 'name="action" value="submit"' not in html and "Submitted on" in html
    response = client.post(address, {"action": "save", "reflection": "changed"}, follow=True)
    assert "can no longer be changed" in follow_messages(response)
    submission.refresh_from_db()
    assert submission.reflection == REFLECTION
    dashboard = page(client.get(url("dashboard")))
    assert "Attempt 1 of" in dashboard and "In review" in dashboard


def test_submitting_too_early_says_what_is_missing_and_keeps_what_was_typed(client, journey):
    client.force_login(journey.lan)
    submission = start_submission(client, journey)
    link_requirement = requirement(journey.version, "link")
    response = client.post(
        url("submission", submission.uuid),
        {
            "action": "submit",
            "reflection": "Too short to be a reflection yet.",
            f"url-{link_requirement.pk}": "https://lms.hust.example/course/42",
        },
    )
    assert response.status_code == 400
    assert "Still missing" in " ".join(messages_of(response))
    assert "Too short to be a reflection yet." in page(response)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT
    assert submission.reflection == "Too short to be a reflection yet."
    assert submission.evidence.filter(url="https://lms.hust.example/course/42").exists()


def test_a_bad_link_is_refused_next_to_its_field(client, journey):
    client.force_login(journey.lan)
    submission = start_submission(client, journey)
    link_requirement = requirement(journey.version, "link")
    response = client.post(
        url("submission", submission.uuid),
        {"action": "save", f"url-{link_requirement.pk}": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    assert "Give a web address starting with https://" in page(response)
    assert not submission.evidence.exists()


@pytest.mark.parametrize("header", [ELF, MZ], ids=["elf", "mz"])
def test_a_renamed_executable_is_refused_and_nothing_is_stored(client, journey, header):
    client.force_login(journey.lan)
    submission = start_submission(client, journey)
    file_requirement = requirement(journey.version, "file")
    response = client.post(
        url("submission", submission.uuid),
        {
            "action": "save",
            f"file-{file_requirement.pk}": SimpleUploadedFile(
                "lesson.pdf", header, content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 400
    html = page(response)
    assert "lesson.pdf was not added" in html and "whatever its name says" in html
    assert not EvidenceItem.objects.exists()
    assert stored_files() == []


def test_an_oversized_file_is_refused(client, journey, pdf_bytes):
    client.force_login(journey.lan)
    submission = start_submission(client, journey)
    file_requirement = requirement(journey.version, "file")
    with override_settings(EVIDENCE_MAX_UPLOAD_BYTES=1024):
        assert "1.0\xa0KB" in page(client.get(url("submission", submission.uuid)))
        response = client.post(
            url("submission", submission.uuid),
            {
                "action": "save",
                f"file-{file_requirement.pk}": SimpleUploadedFile(
                    "lesson.pdf", pdf_bytes + b"\n" * 2048, content_type="application/pdf"
                ),
            },
        )
    assert response.status_code == 400
    assert "files of up to 1.0\xa0KB are accepted" in page(response)
    assert not EvidenceItem.objects.exists()
    assert stored_files() == []


def test_evidence_can_be_removed_while_a_draft(client, journey):
    client.force_login(journey.lan)
    submission = start_submission(client, journey)
    item = services.evidence_add_link(
        submission=submission,
        requirement=requirement(journey.version, "link"),
        url="https://example.org/video",
        actor=journey.lan,
    )
    assert url("evidence_remove", item.uuid) in page(client.get(url("submission", submission.uuid)))
    response = client.post(url("evidence_remove", item.uuid), follow=True)
    assert "is removed" in follow_messages(response)
    assert not submission.evidence.exists()


def test_the_knowledge_check_is_answered_on_the_page(client, journey):
    question = KnowledgeQuestion.objects.create(version=journey.version, text="Which one?")
    right = KnowledgeChoice.objects.create(question=question, text="Right", is_correct=True)
    KnowledgeChoice.objects.create(question=question, text="Wrong")
    client.force_login(journey.lan)
    submission = start_submission(client, journey)
    address = url("submission", submission.uuid)
    assert "Which one?" in page(client.get(address))
    response = client.post(address, {"action": "save", f"q-{question.pk}": "999999"})
    assert response.status_code == 400
    submission.refresh_from_db()
    assert submission.knowledge_answers == {}
    client.post(address, {"action": "save", f"q-{question.pk}": str(right.pk)})
    submission.refresh_from_db()
    assert submission.knowledge_answers == {str(question.pk): right.pk}
    assert f'value="{right.pk}"' in page(client.get(address))


def _in_review(client, journey, pdf_bytes) -> Submission:
    client.force_login(journey.lan)
    submission = start_submission(client, journey)
    services.evidence_add_file(
        submission=submission,
        requirement=requirement(journey.version, "file"),
        upload=SimpleUploadedFile("plan.pdf", pdf_bytes),
        actor=journey.lan,
    )
    services.evidence_add_link(
        submission=submission,
        requirement=requirement(journey.version, "link"),
        url="https://lms.hust.example/forum",
        actor=journey.lan,
    )
    services.submission_save_draft(submission=submission, actor=journey.lan, reflection=REFLECTION)
    services.submission_submit(submission=submission, actor=journey.lan)
    submission.refresh_from_db()
    return submission


def test_a_resubmission_shows_the_feedback_and_starts_the_next_attempt(client, journey, pdf_bytes):
    submission = _in_review(client, journey, pdf_bytes)
    review = submission.reviews.get()
    criteria = list(journey.version.rubric.prefetch_related("levels"))
    scores = {c.pk: c.levels.order_by("score").first().pk for c in criteria}
    services.review_complete(
        review=review,
        actor=review.assessor,
        scores=scores,
        decision=Review.Decision.RESUBMIT,
        feedback="The activity design is clear.",
        to_fix="Show how you assessed the group work.",
        comments={str(criteria[0].pk): "Roles are well chosen."},
    )
    html = page(client.get(url("submission", submission.uuid)))
    assert "The activity design is clear." in html
    assert "Show how you assessed the group work." in html
    assert "Roles are well chosen." in html and escape(criteria[0].title) in html
    assert "Start attempt 2" in html

    response = client.post(url("submission_start", submission.enrolment.uuid))
    second = Submission.objects.get(enrolment=submission.enrolment, attempt=2)
    assert response["Location"] == url("submission", second.uuid)
    assert second.evidence.count() == 2 and second.reflection == REFLECTION
    assert "Go to attempt 2" in page(client.get(url("submission", submission.uuid)))


# --- nobody else gets in ----------------------------------------------------------------------


def test_another_teacher_cannot_reach_lans_work(client, journey, pdf_bytes):
    assessment = services.self_assessment_start(person=journey.lan, framework=journey.framework)
    plan = services.pd_plan_create(
        teacher=journey.lan, organisation=journey.hust, year=NEXT_YEAR, actor=journey.lan
    )
    submission = _in_review(client, journey, pdf_bytes)
    item = submission.evidence.get(requirement__kind="file")
    client.force_login(journey.hung)
    for address in [
        url("self_assessment", assessment.uuid),
        url("profile", assessment.uuid),
        url("plan", plan.uuid),
        url("submission", submission.uuid),
        url("evidence_file", item.uuid),
    ]:
        assert client.get(address).status_code in (403, 404), address
    for address in [
        url("self_assessment", assessment.uuid),
        url("plan", plan.uuid),
        url("submission", submission.uuid),
        url("evidence_remove", item.uuid),
        url("withdraw", submission.enrolment.uuid),
        url("submission_start", submission.enrolment.uuid),
    ]:
        assert client.post(address, {"action": "save"}).status_code in (403, 404), address
    assert submission.evidence.count() == 2
    assert Enrolment.objects.get(pk=submission.enrolment_id).status == Enrolment.Status.ENROLLED


def test_the_assigned_assessor_downloads_evidence_but_not_through_the_teachers_page(
    client, journey, pdf_bytes
):
    submission = _in_review(client, journey, pdf_bytes)
    assessor = submission.reviews.get().assessor
    other = next(a for a in journey.assessors if a != assessor)
    item = submission.evidence.get(requirement__kind="file")
    client.force_login(assessor)
    assert client.get(url("evidence_file", item.uuid)).status_code == 200
    assert client.get(url("submission", submission.uuid)).status_code == 403
    client.force_login(other)
    assert client.get(url("evidence_file", item.uuid)).status_code == 404
    client.force_login(journey.hust_admin)
    assert client.get(url("evidence_file", item.uuid)).status_code == 404
    assert (
        client.get(
            url(
                "plan",
                PDPlan.objects.create(
                    teacher=journey.lan, organisation=journey.hust, year=2030, deadline="2030-12-31"
                ).uuid,
            )
        ).status_code
        == 403
    )
