"""The world the privacy tests talk about: the whole demo, and Lan (a teacher at HUST) with a
record in every area: a self-assessment, an approved PD plan, a passed attempt with evidence
files and an assessor's feedback, the credential it earned and the demo's credentials with
their PD ledger rows, a second address, an older legal name, an API token, a learning
platform identity and a line in a bulk issuance. Her name and address are also written, on
purpose, into places that quote them (feedback, reflection, a plan's comment)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from microcert.accounts import services as account_services
from microcert.accounts.models import PersonalToken, User
from microcert.catalog.models import Offering, SpecificationVersion
from microcert.credentials.models import BulkJob, IssuedCredential
from microcert.frameworks.models import CompetencyFramework
from microcert.learning import services as learning_services
from microcert.learning.models import Enrolment, Review, Submission
from microcert.learning.tests import builders as journey
from microcert.lms.models import (
    LaunchOutcome,
    LmsResult,
    LtiDeployment,
    LtiIdentity,
    LtiLaunch,
    LtiPlatform,
)
from microcert.network.models import Organisation

LAN_EMAIL = "lan.pham@hust.example"
LAN_NAME = "Phạm Thị Lan"
LAN_OLD_NAME = "Phạm Lan Anh"
LAN_OTHER_EMAIL = "lan.pham.teaching@mail.example"
HUNG_EMAIL = "hung.le@hust.example"
PASSWORD = journey.PASSWORD
LMS_SUB = "moodle-user-4242"


@dataclass
class Scene:
    lan: User
    hung: User
    assessor: User
    hust_admin: User
    manager: User
    hust: Organisation
    submission: Submission
    credential: IssuedCredential
    token_name: str = "Lan's grading script"


def _open_offering(slug: str, hust: Organisation) -> Offering:
    """The HUST offering of ``slug``, open and starting in a month (so the test does not
    depend on today's date)."""
    version = SpecificationVersion.objects.get(
        micro_credential__slug=slug, status=SpecificationVersion.Status.PUBLISHED
    )
    offering = version.offerings.filter(host=hust).order_by("starts_on").first()
    today = timezone.localdate()
    Offering.objects.filter(pk=offering.pk).update(
        status=Offering.Status.OPEN,
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=70),
    )
    offering.refresh_from_db()
    return offering


def build_scene() -> Scene:
    from microcert.demo.services import demo_load

    demo_load()
    lan = User.objects.get(email=LAN_EMAIL)
    hung = User.objects.get(email=HUNG_EMAIL)
    hust = Organisation.objects.get(slug="hust")
    hust_admin = User.objects.get(email="admin@hust.example")
    manager = User.objects.get(email="manager@centre.example")
    lan.set_password(PASSWORD)
    lan.save(update_fields=["password"])

    # The account: an older legal name, a second address, a token.
    account_services.user_change_legal_name(
        user=lan, new_name=LAN_OLD_NAME, reason="Name on my passport", actor=lan
    )
    account_services.user_change_legal_name(
        user=lan, new_name=LAN_NAME, reason="Back to my name", actor=lan
    )
    account_services.user_add_email(user=lan, email=LAN_OTHER_EMAIL, actor=lan)
    account_services.personal_token_create(person=lan, name=Scene.token_name, actor=lan)

    # Self-assessment.
    framework = CompetencyFramework.objects.get(slug="digcompedu", status="published")
    assessment = learning_services.self_assessment_start(person=lan, framework=framework)
    learning_services.self_assessment_answer(
        assessment=assessment,
        answers={c.code: "B1" for c in learning_services.assessable_competences(framework)},
        actor=lan,
    )
    learning_services.self_assessment_complete(assessment=assessment, actor=lan)

    # A PD plan approved with a comment that quotes her.
    plan = journey.submitted_plan(lan, hust, 2031)
    learning_services.pd_plan_approve(
        plan=plan, actor=hust_admin, comment=f"Approved. Well planned, {LAN_NAME}."
    )

    # A passed attempt: evidence files, a reflection and feedback that quote her.
    offering = _open_offering(journey.SPEC, hust)
    enrolment = learning_services.enrolment_create(offering=offering, teacher=lan, actor=lan)
    submission = learning_services.submission_start(enrolment=enrolment, actor=lan)
    journey.fill(submission, reflection=f"I am {LAN_NAME} ({LAN_EMAIL}). " + journey.REFLECTION)
    submission = learning_services.submission_submit(submission=submission, actor=lan)
    review = journey.open_review(submission)
    journey.complete(
        review,
        Review.Decision.PASS,
        feedback=f"{LAN_NAME} organised the groups well.",
    )
    submission.refresh_from_db()

    # A learning platform that knows her, and a bulk issuance that lists her.
    platform = LtiPlatform.objects.create(
        name="HUST Moodle",
        organisation=hust,
        issuer="https://moodle.hust.example",
        client_id="microcert",
        auth_login_url="https://moodle.hust.example/mod/lti/auth.php",
        auth_token_url="https://moodle.hust.example/mod/lti/token.php",
        key_set={"keys": []},
    )
    LtiIdentity.objects.create(platform=platform, sub=LMS_SUB, person=lan)
    deployment = LtiDeployment.objects.create(platform=platform, deployment_id="1")
    launch = LtiLaunch.objects.create(
        platform=platform,
        deployment=deployment,
        nonce="n-1",
        used_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(minutes=5),
        sub=LMS_SUB,
        person=lan,
        outcome=LaunchOutcome.RECORDED,
    )
    LmsResult.objects.create(
        platform=platform,
        launch=launch,
        person=lan,
        sub=LMS_SUB,
        lineitem="https://moodle.hust.example/lineitems/7",
        threshold=80,
        outcome=LaunchOutcome.RECORDED,
    )
    BulkJob.objects.create(
        kind=BulkJob.Kind.ISSUE,
        issuer=submission.credential.issuer,
        created_by=hust_admin,
        rows=[{"email": LAN_EMAIL, "name": LAN_NAME}, {"email": HUNG_EMAIL, "name": "Lê Văn Hùng"}],
    )
    return Scene(
        lan=User.objects.get(pk=lan.pk),
        hung=hung,
        assessor=review.assessor,
        hust_admin=hust_admin,
        manager=manager,
        hust=hust,
        submission=submission,
        credential=submission.credential,
    )


def open_enrolment(person: User, hust: Organisation) -> Enrolment:
    """An enrolment (no attempt yet) in another HUST offering."""
    slug = (
        Offering.objects.filter(host=hust)
        .exclude(version__micro_credential__slug=journey.SPEC)
        .exclude(enrolments__teacher=person)
        .values_list("version__micro_credential__slug", flat=True)
        .first()
    )
    offering = _open_offering(slug, hust)
    return learning_services.enrolment_create(offering=offering, teacher=person, actor=person)


def tokens_of(person: User) -> list[str]:
    return list(PersonalToken.objects.filter(person=person).values_list("name", flat=True))
