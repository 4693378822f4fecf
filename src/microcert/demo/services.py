"""Loading the demo data: the programme's story, told through the same services as real use.

Loading is idempotent: every object is looked up by its natural key first, so running the
loader again adds nothing and changes nothing.
"""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from microcert.accounts import services as account_services
from microcert.accounts.models import User
from microcert.catalog import services as catalog_services
from microcert.catalog.models import (
    AchievementKind,
    MicroCredential,
    Pathway,
    SpecificationVersion,
)
from microcert.classrooms import demo as classrooms_demo
from microcert.credentials.models import IssuedCredential
from microcert.frameworks import services as framework_services
from microcert.network import demo as network_demo
from microcert.network import services as network_services
from microcert.network.models import Agreement, Organisation
from microcert.news import demo as news_demo
from microcert.privacy import demo as privacy_demo

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "microcert-demo-2026"  # noqa: S105 - printed on purpose: demo accounts only
SUPERUSER_EMAIL = "admin@microcert.example"
MANAGED_APPS = [
    "accounts",
    "network",
    "frameworks",
    "catalog",
    "credentials",
    "learning",
    "news",
    "classrooms",
    "core",
]


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def count(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


def _load(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _organisations(data: dict, report: DemoReport) -> dict[str, Organisation]:
    organisations = {}
    for row in data["organisations"]:
        organisation = Organisation.objects.filter(slug=row["slug"]).first()
        if organisation is None:
            organisation = network_services.organisation_create(
                slug=row["slug"],
                kind=row["kind"],
                name=row["name"],
                country=row["country"],
                subregion=row["subregion"],
                short_name=row.get("short_name", ""),
                description=row.get("description", ""),
                city=row.get("city", ""),
                website=row.get("website", ""),
                is_programme_owner=row.get("is_programme_owner", False),
            )
            report.count("organisations")
            if row.get("membership"):
                membership = network_services.membership_create(
                    organisation=organisation, kind=row["membership"]
                )
                network_services.membership_set_status(
                    membership=membership,
                    status="active",
                    on=_date(row.get("member_since")),
                    reason="Demo data",
                )
        organisations[row["slug"]] = organisation
    return organisations


def _programme_manager_group() -> Group:
    group, _ = Group.objects.get_or_create(name="Programme managers")
    if not group.permissions.exists():
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=MANAGED_APPS))
    return group


def _people(data: dict, organisations: dict[str, Organisation], report: DemoReport) -> None:
    managers = _programme_manager_group()
    if not User.objects.filter(email=SUPERUSER_EMAIL).exists():
        superuser = account_services.user_create(
            email=SUPERUSER_EMAIL,
            legal_name="Platform Administrator",
            password=DEMO_PASSWORD,
            email_verified=True,
            is_staff=True,
        )
        superuser.is_superuser = True
        superuser.save(update_fields=["is_superuser"])
        report.count("people")
    report.logins.append((SUPERUSER_EMAIL, "superuser"))
    for row in data["people"]:
        person = User.objects.filter(email=row["email"]).first()
        if person is None:
            person = account_services.user_create(
                email=row["email"],
                legal_name=row["legal_name"],
                password=DEMO_PASSWORD,
                preferred_language=row["language"],
                email_verified=True,
                is_staff=row.get("staff", False),
            )
            if row.get("staff"):
                person.groups.add(managers)
            report.count("people")
        for slug, role in row["roles"]:
            network_services.affiliation_grant(
                person=person, organisation=organisations[slug], role=role
            )
        roles = ", ".join(f"{role} @ {slug}" for slug, role in row["roles"])
        report.logins.append((row["email"], roles))


def _agreements(data: dict, organisations: dict[str, Organisation], report: DemoReport) -> None:
    for row in data["agreements"]:
        if Agreement.objects.filter(reference=row["reference"]).exists():
            continue
        agreement = network_services.agreement_create(
            reference=row["reference"],
            kind=row["kind"],
            title=row["title"],
            summary=row.get("summary", ""),
            parties=[organisations[s] for s in row["parties"]],
        )
        for item in row["items"]:
            created = network_services.cooperation_item_add(
                agreement=agreement,
                kind=item["kind"],
                title=item["title"],
                description=item.get("description", ""),
                owner=organisations.get(item.get("owner")),
                due_on=_date(item.get("due_on")),
            )
            if item.get("status", "planned") != "planned":
                network_services.cooperation_item_set_status(item=created, status=item["status"])
        network_services.agreement_transition(
            agreement=agreement, status="signed", on=_date(row["signed_on"])
        )
        network_services.agreement_transition(
            agreement=agreement,
            status="in_force",
            on=_date(row["in_force_from"]),
            expires_on=_date(row.get("expires_on")),
        )
        report.count("agreements")


def _specification(slug: str, content: dict, kind: str, organisations, report: DemoReport):
    existing = MicroCredential.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    content = dict(content)
    offerings = content.pop("offerings", [])
    content.pop("slug", None)
    version = catalog_services.specification_create(slug=slug, content=content, kind=kind)
    version = catalog_services.specification_publish(version=version)
    for offering in offerings:
        catalog_services.offering_create(
            version=version,
            host=organisations[offering["host"]],
            starts_on=_date(offering["starts_on"]),
            ends_on=_date(offering["ends_on"]),
            language=offering["language"],
            mode=offering["mode"],
            capacity=offering["capacity"],
        )
    report.count("micro-credentials")
    return version.micro_credential


def _catalogue(data: dict, organisations: dict[str, Organisation], report: DemoReport) -> None:
    by_slug = {}
    for row in data["micro_credentials"]:
        by_slug[row["slug"]] = _specification(
            row["slug"], row, AchievementKind.MICRO_CREDENTIAL, organisations, report
        )
    for row in data["pathways"]:
        if Pathway.objects.filter(slug=row["slug"]).exists():
            continue
        certificate = _specification(
            row["certificate"].get("slug", row["slug"]),
            row["certificate"],
            AchievementKind.CERTIFICATE,
            organisations,
            report,
        )
        catalog_services.pathway_create(
            slug=row["slug"],
            title=row["title"],
            description=row["description"],
            required_count=row["required_count"],
            members=[by_slug[s] for s in row["members"]],
            certificate=certificate,
        )
        report.count("pathways")


@transaction.atomic
def demo_load(*, credentials: bool = True) -> DemoReport:
    """Load (or complete) the demo data; nothing is duplicated on a second run.
    ``credentials=False`` stops before the recognitions (whose approval the ministry signs)
    and the demo credentials."""
    report = DemoReport()
    framework_services.framework_load_shipped()
    network = _load("network.json")
    organisations = _organisations(network, report)
    _people(network, organisations, report)
    _agreements(network, organisations, report)
    _catalogue(_load("catalogue.json"), organisations, report)
    _learning(_load("learning.json"), report)
    if credentials:
        # Before the credentials, so they count in the PD ledger and carry the endorsement.
        _recognition(_load("recognition.json"), organisations, report)
        _credentials(organisations, report)
        _journeys(report)
    # The apps higher up tell their own part of the story (each idempotent).
    network_demo.load_demo()
    news_demo.load_demo()
    classrooms_demo.load_demo()
    if credentials:
        privacy_demo.load_demo()
    return report


def _learning(data: dict, report: DemoReport) -> None:
    """Plan deadlines, assessment policies and knowledge checks."""
    from microcert.learning.models import (
        AssessmentPolicy,
        KnowledgeChoice,
        KnowledgeQuestion,
        PlanDeadline,
    )

    for row in data["plan_deadlines"]:
        _deadline, created = PlanDeadline.objects.get_or_create(
            country=row["country"], defaults={"month": row["month"], "day": row["day"]}
        )
        if created:
            report.count("PD plan deadlines")

    def published(slug: str) -> SpecificationVersion:
        return SpecificationVersion.objects.get(
            micro_credential__slug=slug, status=SpecificationVersion.Status.PUBLISHED
        )

    for row in data["assessment_policies"]:
        _policy, created = AssessmentPolicy.objects.get_or_create(
            version=published(row["micro_credential"]),
            defaults={
                "second_review": row["second_review"],
                "knowledge_check_pass_mark": row["knowledge_check_pass_mark"],
            },
        )
        if created:
            report.count("assessment policies")
    for slug, questions in data["knowledge_checks"].items():
        version = published(slug)
        if version.knowledge_questions.exists():
            continue
        for position, row in enumerate(questions):
            question = KnowledgeQuestion.objects.create(
                version=version, position=position, **_translated("text", row["text"])
            )
            for choice_position, choice in enumerate(row["choices"]):
                KnowledgeChoice.objects.create(
                    question=question,
                    position=choice_position,
                    is_correct=choice["correct"],
                    **_translated("text", choice["text"]),
                )
            report.count("knowledge-check questions")


def _translated(field_name: str, texts: dict[str, str]) -> dict[str, str]:
    """A translation object as modeltranslation's per-language fields."""
    return {f"{field_name}_{code.replace('-', '_')}": text for code, text in texts.items()}


# Who holds what in the demo: Lan holds four parts of the pathway (so its certificate is
# issued automatically), Hùng one, Siti one.
DEMO_AWARDS = [
    ("lan.pham@hust.example", "organise-and-facilitate-online-collaborative-learning", "hust"),
    ("lan.pham@hust.example", "assess-learning-from-process-performance", "centre"),
    ("lan.pham@hust.example", "guide-personalised-learning-with-data-insights", "hust"),
    ("lan.pham@hust.example", "use-generative-ai-responsibly-in-assessment", "centre"),
    ("hung.le@hust.example", "organise-and-facilitate-online-collaborative-learning", "hust"),
    ("siti@ut.example", "develop-skills-in-virtual-spaces", "ut"),
]


def _credentials(organisations: dict[str, Organisation], report: DemoReport) -> None:
    from microcert.credentials import services as credential_services
    from microcert.recognition import selectors as recognition_selectors

    issuers = {}
    for slug in ("centre", "hust", "ain-shams", "ut"):
        issuer = credential_services.issuer_ensure(organisation=organisations[slug], actor=None)
        issuers[slug] = issuer
    for email, specification, issuer_slug in DEMO_AWARDS:
        recipient = User.objects.get(email=email)
        version = SpecificationVersion.objects.get(
            micro_credential__slug=specification, status=SpecificationVersion.Status.PUBLISHED
        )
        key = f"demo:{email}:{specification}"
        if IssuedCredential.objects.filter(idempotency_key=key).exists():
            continue
        credential_services.credential_issue(
            issuer=issuers[issuer_slug],
            recipient=recipient,
            version=version,
            actor=None,
            idempotency_key=key,
            endorsements=recognition_selectors.endorsements_in_force(
                version, on=timezone.localdate()
            ),
        )
        report.count("credentials")


# Hùng's journey under way: a completed self-assessment, a plan waiting for HUST's approval, and
# an attempt at the generative-AI micro-credential waiting in an assessor's queue.
HUNG_LEVELS = {"1": "B1", "2": "A2", "3": "B2", "4": "A2", "5": "B1", "6": "B2"}
HUNG_REFLECTION = (
    "In the spring semester I allowed students to use a chatbot for the first draft of their "
    "case analysis, provided they kept the conversation and marked what they changed. The "
    "marking rubric rewarded the quality of their revisions rather than the first draft. Most "
    "students revised substantially; a few pasted the answer unchanged and lost marks on "
    "justification. Next time I will add a short oral check on the revisions."
)


def _demo_pdf(title: str, body: str) -> bytes:
    from django.utils.html import escape
    from weasyprint import HTML

    return HTML(string=f"<h1>{escape(title)}</h1><p>{escape(body)}</p>").write_pdf()


def _journeys(report: DemoReport) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from microcert.catalog.models import Offering
    from microcert.frameworks.models import CompetencyFramework
    from microcert.learning import services as learning
    from microcert.learning.models import SelfAssessment

    hung = User.objects.get(email="hung.le@hust.example")
    if SelfAssessment.objects.filter(person=hung).exists():
        return
    hust = Organisation.objects.get(slug="hust")
    framework = CompetencyFramework.objects.get(slug="digcompedu", status="published")
    assessment = learning.self_assessment_start(person=hung, framework=framework)
    learning.self_assessment_answer(
        assessment=assessment,
        answers={
            c.code: HUNG_LEVELS[c.area.code] for c in learning.assessable_competences(framework)
        },
        actor=hung,
    )
    learning.self_assessment_complete(assessment=assessment, actor=hung)
    report.count("self-assessments")

    plan = learning.pd_plan_create(teacher=hung, organisation=hust, year=2027, actor=hung)
    for slug, hours in (
        ("use-generative-ai-responsibly-in-assessment", 20),
        ("assess-learning-from-process-performance", 30),
    ):
        learning.pd_plan_set_item(
            plan=plan,
            micro_credential=MicroCredential.objects.get(slug=slug),
            planned_hours=hours,
            actor=hung,
        )
    learning.pd_plan_submit(plan=plan, actor=hung, today=datetime.date(2027, 1, 15))
    report.count("PD plans")

    offering = Offering.objects.get(
        version__micro_credential__slug="use-generative-ai-responsibly-in-assessment",
        host=hust,
    )
    enrolment = learning.enrolment_create(
        offering=offering, teacher=hung, actor=hung, today=offering.starts_on
    )
    submission = learning.submission_start(enrolment=enrolment, actor=hung)
    for requirement in submission.version.evidence_requirements.filter(kind="file"):
        learning.evidence_add_file(
            submission=submission,
            requirement=requirement,
            upload=SimpleUploadedFile(
                f"{requirement.title_en}.pdf",
                _demo_pdf(requirement.title_en, requirement.description_en),
            ),
            actor=hung,
        )
    answers = {
        str(q.pk): q.choices.filter(is_correct=True).first().pk
        for q in submission.version.knowledge_questions.all()
    }
    learning.submission_save_draft(
        submission=submission, reflection=HUNG_REFLECTION, knowledge_answers=answers, actor=hung
    )
    learning.submission_submit(submission=submission, actor=hung)
    report.count("submissions in review")


def _recognition(data: dict, organisations: dict[str, Organisation], report: DemoReport) -> None:
    """Authorities and their schemes; the Centre's applications to MOET, one approved (its
    endorsement signed by the ministry) and one waiting for the reviewer."""
    from microcert.recognition import endorsement
    from microcert.recognition import services as recognition
    from microcert.recognition.models import InclusionApplication, RecognitionScheme

    for row in data["authorities"]:
        authority = recognition.authority_ensure(
            organisation=organisations[row["organisation"]], actor=None
        )
        for scheme in row["schemes"]:
            if RecognitionScheme.objects.filter(slug=scheme["slug"]).exists():
                continue
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
                periods_start_on=_date(scheme["periods_start_on"]),
                actor=None,
            )
            report.count("recognition schemes")
    for row in data["applications"]:
        scheme = RecognitionScheme.objects.get(slug=row["scheme"])
        version = SpecificationVersion.objects.get(
            micro_credential__slug=row["micro_credential"],
            status=SpecificationVersion.Status.PUBLISHED,
        )
        if InclusionApplication.objects.filter(scheme=scheme, version=version).exists():
            continue
        application = recognition.application_submit(
            scheme=scheme,
            version=version,
            applicant=organisations[row["applicant"]],
            actor=User.objects.get(email=row["submitted_by"]),
            motivation=row["motivation"],
        )
        report.count("inclusion applications")
        decision = row.get("decision")
        if decision is None:
            continue
        recognition.application_decide(
            application=application,
            actor=User.objects.get(email=decision["by"]),
            outcome=decision["outcome"],
            equivalence=decision["equivalence"],
            valid_from=_date(decision["valid_from"]),
            valid_until=_date(decision.get("valid_until")),
            conditions=decision.get("conditions", ""),
            endorse=endorsement.build_and_sign,
        )
        report.count("inclusion decisions")
