"""Helpers that bring the demo world to the point a test needs: a submission in review, an
assessor of one's own, a submitted PD plan. Everything goes through the services."""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from microcert.accounts import services as account_services
from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.catalog.models import EvidenceRequirement, Offering, SpecificationVersion
from microcert.network import services as network_services
from microcert.network.models import Organisation

from .. import services
from ..models import Enrolment, PDPlan, Review, Submission

PASSWORD = "microcert-demo-2026"
# The specification the tests work on: a file, a link and a reflection; four criteria.
SPEC = "organise-and-facilitate-online-collaborative-learning"

# A small PDF that is a real one: header, catalogue, one empty page, cross-reference table.
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)

REFLECTION = (
    "Over six weeks my second-year students worked in groups of four on a shared case study. "
    "I set roles that rotated each week and asked each group to keep a decision log. Halfway "
    "through, two groups stalled, so I added a short check-in and a peer-feedback round. "
    "Next time I would design the interdependence in from the start."
)


@dataclass
class World:
    """The demo people a test talks about."""

    lan: User
    hung: User
    siti: User
    mona: User  # assessor at Ain Shams
    bat: User  # assessor at MUST
    hust_admin: User
    ut_admin: User
    manager: User
    hust: Organisation
    ut: Organisation

    def version(self, slug: str = SPEC) -> SpecificationVersion:
        return SpecificationVersion.objects.get(
            micro_credential__slug=slug, status=SpecificationVersion.Status.PUBLISHED
        )


def load_world() -> World:
    """The demo network and catalogue, without credentials. Needs the database."""
    from microcert.demo.services import demo_load

    demo_load(credentials=False)
    people = {u.email: u for u in User.objects.all()}
    return World(
        lan=people["lan.pham@hust.example"],
        hung=people["hung.le@hust.example"],
        siti=people["siti@ut.example"],
        mona=people["assessor@ain-shams.example"],
        bat=people["assessor@must.example"],
        hust_admin=people["admin@hust.example"],
        ut_admin=people["admin@ut.example"],
        manager=people["manager@centre.example"],
        hust=Organisation.objects.get(slug="hust"),
        ut=Organisation.objects.get(slug="ut"),
    )


def make_assessor(
    email: str, organisation: Organisation | str, *, name: str = "", language: str = "en"
) -> User:
    """A new assessor affiliated with ``organisation`` (an Organisation or its slug)."""
    if isinstance(organisation, str):
        organisation = Organisation.objects.get(slug=organisation)
    person = account_services.user_create(
        email=email,
        legal_name=name or email.split("@")[0].title(),
        password=PASSWORD,
        preferred_language=language,
        email_verified=True,
    )
    network_services.affiliation_grant(person=person, organisation=organisation, role=Role.ASSESSOR)
    return person


def pdf_upload(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def enrol(teacher: User, slug: str = SPEC) -> Enrolment:
    """Enrol the teacher in the first open offering of the specification."""
    offering = (
        Offering.objects.filter(
            version__micro_credential__slug=slug,
            version__status=SpecificationVersion.Status.PUBLISHED,
            status=Offering.Status.OPEN,
        )
        .order_by("starts_on")
        .first()
    )
    return services.enrolment_create(offering=offering, teacher=teacher, actor=teacher)


def fill(submission: Submission, *, reflection: str = REFLECTION) -> Submission:
    """Give the attempt everything its specification asks for (evidence it lacks only)."""
    teacher = submission.teacher
    held = set(submission.evidence.values_list("requirement_id", flat=True))
    for requirement in submission.version.evidence_requirements.all():
        if requirement.pk in held:
            continue
        if requirement.kind == EvidenceRequirement.Kind.FILE:
            services.evidence_add_file(
                submission=submission, requirement=requirement, upload=pdf_upload(), actor=teacher
            )
        elif requirement.kind == EvidenceRequirement.Kind.LINK:
            services.evidence_add_link(
                submission=submission,
                requirement=requirement,
                url="https://lms.example/course/42/groups",
                actor=teacher,
            )
    answers = {
        str(q.pk): next(c.pk for c in q.choices.all() if c.is_correct)
        for q in submission.version.knowledge_questions.prefetch_related("choices")
    }
    return services.submission_save_draft(
        submission=submission,
        actor=teacher,
        reflection=reflection,
        knowledge_answers=answers or None,
    )


def submit(enrolment: Enrolment) -> Submission:
    """Start (or reopen) the next attempt of the enrolment, fill it and send it for review."""
    submission = services.submission_start(enrolment=enrolment, actor=enrolment.teacher)
    fill(submission)
    return services.submission_submit(submission=submission, actor=enrolment.teacher)


def submission_in_review(teacher: User, slug: str = SPEC) -> Submission:
    """A first attempt of ``teacher`` sent for review (auto-assigned when someone may take it)."""
    return submit(enrol(teacher, slug))


def open_review(submission: Submission, role: str | None = None) -> Review:
    """The submission's assigned review (of ``role``, if given)."""
    reviews = submission.reviews.filter(status=Review.Status.ASSIGNED)
    if role:
        reviews = reviews.filter(role=role)
    return reviews.select_related("assessor").get()


def rubric_scores(submission: Submission, *, passing: bool = True) -> dict[int, int]:
    """``{criterion id: level id}``: the lowest level that meets the standard for each
    criterion, or the lowest level of all when ``passing`` is False."""
    scores = {}
    for criterion in submission.version.rubric.prefetch_related("levels"):
        levels = sorted(criterion.levels.all(), key=lambda lv: lv.score)
        meeting = [lv for lv in levels if lv.passing]
        scores[criterion.pk] = (meeting[0] if passing and meeting else levels[0]).pk
    return scores


def complete(review: Review, decision: str, **kw) -> Review:
    """Complete a review through the service with scores that fit the decision."""
    kw.setdefault("feedback", "Clear evidence, well organised.")
    if decision == Review.Decision.RESUBMIT:
        kw.setdefault("to_fix", "Show how the group roles rotate.")
    kw.setdefault("scores", rubric_scores(review.submission, passing=decision == "pass"))
    return services.review_complete(review=review, actor=review.assessor, decision=decision, **kw)


def submitted_plan(teacher: User, organisation: Organisation, year: int) -> PDPlan:
    """A PD plan with two micro-credentials, sent to the institution."""
    import datetime

    plan = services.pd_plan_create(
        teacher=teacher, organisation=organisation, year=year, actor=teacher
    )
    versions = SpecificationVersion.objects.filter(
        status=SpecificationVersion.Status.PUBLISHED, micro_credential__kind="micro_credential"
    ).select_related("micro_credential")[:2]
    for hours, version in zip(("30", "12.5"), versions, strict=False):
        services.pd_plan_set_item(
            plan=plan, micro_credential=version.micro_credential, planned_hours=hours, actor=teacher
        )
    return services.pd_plan_submit(
        plan=plan, actor=teacher, today=datetime.date(year, 1, 1) - datetime.timedelta(days=30)
    )
