"""Reads of the teacher's journey, shared by pages, the API and other apps."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from microcert.accounts.roles import Role
from microcert.catalog.models import CompetenceAlignment, Offering, SpecificationVersion
from microcert.credentials.models import IssuedCredential
from microcert.frameworks.models import Area, Competence, CompetencyFramework, ProficiencyLevel
from microcert.network.models import Organisation

from .models import (
    Enrolment,
    EvidenceItem,
    PDPlan,
    Review,
    SelfAssessment,
    SelfAssessmentAnswer,
    Submission,
)
from .services import assessable_competences

# --- Self-assessment --------------------------------------------------------------------------


def self_assessment_frameworks() -> QuerySet[CompetencyFramework]:
    """Frameworks a teacher can assess themselves against (one item per competence)."""
    return (
        CompetencyFramework.objects.filter(status="published")
        .annotate(
            items=Count("competences", filter=Q(competences__level__isnull=True), distinct=True)
        )
        .filter(items__gt=0)
        .order_by("title")
    )


@dataclass
class CompetenceResult:
    competence: Competence
    level: ProficiencyLevel | None


@dataclass
class AreaResult:
    area: Area
    competences: list[CompetenceResult] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        """Mean level position (1 = lowest level) of the answered competences."""
        answered = [c.level.position for c in self.competences if c.level]
        return sum(answered) / len(answered) if answered else None


@dataclass
class Profile:
    assessment: SelfAssessment
    levels: list[ProficiencyLevel]
    areas: list[AreaResult]

    @property
    def overall(self) -> float | None:
        answered = [c.level.position for a in self.areas for c in a.competences if c.level]
        return sum(answered) / len(answered) if answered else None

    @property
    def answered(self) -> int:
        return sum(1 for a in self.areas for c in a.competences if c.level)

    @property
    def total(self) -> int:
        return sum(len(a.competences) for a in self.areas)

    def level_at(self, score: float | None) -> ProficiencyLevel | None:
        """The level a mean score rounds down to."""
        if score is None:
            return None
        reached = [lv for lv in self.levels if lv.position <= score + 1e-9]
        return reached[-1] if reached else self.levels[0]


def self_assessment_profile(assessment: SelfAssessment) -> Profile:
    """Answers grouped by area, with the area and overall means."""
    answers = {
        a.competence_id: a.level
        for a in SelfAssessmentAnswer.objects.filter(assessment=assessment).select_related("level")
    }
    areas: dict[int, AreaResult] = {}
    for competence in assessable_competences(assessment.framework):
        result = areas.setdefault(competence.area_id, AreaResult(area=competence.area))
        result.competences.append(
            CompetenceResult(competence=competence, level=answers.get(competence.pk))
        )
    levels = list(assessment.framework.levels.order_by("position"))
    return Profile(assessment=assessment, levels=levels, areas=list(areas.values()))


def self_assessment_history(person, framework: CompetencyFramework | None = None) -> list[Profile]:
    """Completed self-assessments, oldest first, to show change over time."""
    qs = SelfAssessment.objects.filter(person=person, status=SelfAssessment.Status.COMPLETED)
    if framework is not None:
        qs = qs.filter(framework=framework)
    return [
        self_assessment_profile(a) for a in qs.select_related("framework").order_by("completed_at")
    ]


def latest_self_assessment(person) -> SelfAssessment | None:
    return (
        SelfAssessment.objects.filter(person=person)
        .select_related("framework")
        .order_by("status", "-completed_at", "-created_at")  # "completed" sorts first
        .first()
    )


@dataclass
class Suggestion:
    version: SpecificationVersion
    competence: Competence
    current: ProficiencyLevel
    target: ProficiencyLevel


def suggestions(profile: Profile, *, limit: int = 4) -> list[Suggestion]:
    """Published micro-credentials that certify a level above the teacher's own answer in
    their weakest competences, the weakest first; leaving out those the teacher already holds
    or is taking."""
    answered = sorted(
        (c for a in profile.areas for c in a.competences if c.level),
        key=lambda c: (c.level.position, c.competence.area.position, c.competence.position),
    )
    if not answered:
        return []
    by_competence = {c.competence.pk: c for c in answered}
    alignments = CompetenceAlignment.objects.filter(
        competence_id__in=by_competence,
        version__status=SpecificationVersion.Status.PUBLISHED,
        version__micro_credential__kind="micro_credential",
    ).select_related("version__micro_credential", "competence", "target_level")
    person = profile.assessment.person_id
    taken = set(
        Enrolment.objects.filter(
            teacher_id=person,
            status__in=[
                Enrolment.Status.ENROLLED,
                Enrolment.Status.WAITLISTED,
                Enrolment.Status.COMPLETED,
            ],
        ).values_list("offering__version__micro_credential_id", flat=True)
    ) | set(
        IssuedCredential.objects.filter(
            recipient_id=person, status=IssuedCredential.Status.ACTIVE
        ).values_list("specification_version__micro_credential_id", flat=True)
    )
    found: list[Suggestion] = []
    seen: set[int] = set()
    ranked = sorted(
        alignments,
        key=lambda a: (
            by_competence[a.competence_id].level.position,
            a.target_level.position,
            a.version.title,
        ),
    )
    for alignment in ranked:
        current = by_competence[alignment.competence_id].level
        if (
            alignment.target_level.position <= current.position
            or alignment.version_id in seen
            or alignment.version.micro_credential_id in taken
        ):
            continue
        seen.add(alignment.version_id)
        found.append(
            Suggestion(
                version=alignment.version,
                competence=alignment.competence,
                current=current,
                target=alignment.target_level,
            )
        )
        if len(found) >= limit:
            break
    return found


# --- Plans, enrolments, submissions -----------------------------------------------------------


def plans_of(teacher) -> QuerySet[PDPlan]:
    return (
        PDPlan.objects.filter(teacher=teacher)
        .select_related("organisation", "decided_by")
        .prefetch_related("items__micro_credential")
    )


def plans_to_decide(organisation: Organisation) -> QuerySet[PDPlan]:
    return (
        PDPlan.objects.filter(organisation=organisation, status=PDPlan.Status.SUBMITTED)
        .select_related("teacher")
        .prefetch_related("items__micro_credential")
        .order_by("submitted_at")
    )


def open_offerings() -> QuerySet[Offering]:
    """Offerings open for enrolment and not yet over, with the places taken."""
    return (
        Offering.objects.filter(
            status=Offering.Status.OPEN,
            version__status=SpecificationVersion.Status.PUBLISHED,
            ends_on__gte=timezone.localdate(),
        )
        .select_related("version__micro_credential", "host")
        .annotate(
            taken=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED)),
            waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)),
        )
        .order_by("starts_on", "pk")
    )


def enrolments_of(teacher) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(teacher=teacher)
        .select_related("offering__version__micro_credential", "offering__host")
        .prefetch_related(Prefetch("submissions", queryset=Submission.objects.order_by("attempt")))
    )


def waiting_position(enrolment: Enrolment) -> int | None:
    if enrolment.status != Enrolment.Status.WAITLISTED:
        return None
    return (
        Enrolment.objects.filter(
            offering_id=enrolment.offering_id,
            status=Enrolment.Status.WAITLISTED,
        )
        .filter(
            Q(waitlisted_at__lt=enrolment.waitlisted_at)
            | Q(waitlisted_at=enrolment.waitlisted_at, pk__lt=enrolment.pk)
        )
        .count()
        + 1
    )


def open_draft(teacher, micro_credential_id: int) -> Submission | None:
    """The teacher's attempt in progress at any version of a micro-credential."""
    return (
        Submission.objects.filter(
            teacher=teacher,
            version__micro_credential_id=micro_credential_id,
            status=Submission.Status.DRAFT,
        )
        .select_related("version")
        .first()
    )


def submission_detail(submission_uuid) -> Submission | None:
    return (
        Submission.objects.filter(uuid=submission_uuid)
        .select_related(
            "teacher", "version__micro_credential", "enrolment__offering__host", "credential"
        )
        .prefetch_related(
            Prefetch("evidence", queryset=EvidenceItem.objects.select_related("requirement")),
            "version__evidence_requirements",
            "version__rubric__levels",
            "version__knowledge_questions__choices",
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("assessor").prefetch_related(
                    "scores__criterion", "scores__level"
                ),
            ),
        )
        .first()
    )


def reviews_visible_to(submission: Submission, user) -> list[Review]:
    """Completed reviews the user may read. The teacher reads them once the submission is
    decided; a second reviewer never sees the first (blind); a moderator sees both."""
    completed = [r for r in submission.reviews.all() if r.status == Review.Status.COMPLETED]
    if user.pk == submission.teacher_id:
        decided = submission.status in (
            Submission.Status.RESUBMIT,
            Submission.Status.PASSED,
            Submission.Status.FAILED,
        )
        return completed if decided else []
    mine = [r for r in submission.reviews.all() if r.assessor_id == user.pk]
    if any(r.role == Review.Role.MODERATION for r in mine):
        return completed
    if any(r.role == Review.Role.SECOND for r in mine):
        return [r for r in completed if r.assessor_id == user.pk]
    if mine:
        return [r for r in completed if r.assessor_id == user.pk]
    return completed  # programme managers


def review_queue(assessor) -> QuerySet[Review]:
    """What an assessor has to do, the oldest submission first."""
    return (
        Review.objects.filter(assessor=assessor, status=Review.Status.ASSIGNED)
        .select_related("submission__version", "submission__teacher")
        .order_by("submission__submitted_at", "pk")
    )


def reviews_done_by(assessor, limit: int = 20) -> QuerySet[Review]:
    return (
        Review.objects.filter(assessor=assessor, status=Review.Status.COMPLETED)
        .select_related("submission__version", "submission__teacher")
        .order_by("-completed_at")[:limit]
    )


def awaiting_assessor() -> QuerySet[Submission]:
    """Attempts waiting for a review nobody could take (a first one, or a second or a
    moderation once the earlier reviews are in), for programme managers to assign."""
    return (
        Submission.objects.filter(
            status__in=[Submission.Status.SUBMITTED, Submission.Status.IN_REVIEW]
        )
        .exclude(reviews__status=Review.Status.ASSIGNED)
        .select_related("teacher", "version")
        .order_by("submitted_at")
    )


@dataclass
class TeacherProgress:
    teacher: object
    plan: PDPlan | None
    enrolments: int
    in_review: int
    credentials: int


def organisation_progress(organisation: Organisation, year: int) -> list[TeacherProgress]:
    """Each teacher of the institution in ``year``: the plan, enrolments in offerings that
    start that year, attempts in review now, and credentials issued that year."""
    from microcert.accounts.models import User

    teachers = (
        User.objects.filter(
            affiliations__organisation=organisation,
            affiliations__role=Role.TEACHER,
            affiliations__is_active=True,
        )
        .distinct()
        .annotate(
            enrolment_count=Count(
                "enrolments",
                filter=Q(
                    enrolments__status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED],
                    enrolments__offering__starts_on__year=year,
                ),
                distinct=True,
            ),
            in_review_count=Count(
                "submissions",
                filter=Q(
                    submissions__status__in=[
                        Submission.Status.SUBMITTED,
                        Submission.Status.IN_REVIEW,
                    ]
                ),
                distinct=True,
            ),
            credential_count=Count(
                "credentials",
                filter=Q(
                    credentials__status=IssuedCredential.Status.ACTIVE,
                    credentials__valid_from__year=year,
                ),
                distinct=True,
            ),
        )
        .order_by("legal_name", "email")
    )
    plans = {
        p.teacher_id: p
        for p in PDPlan.objects.filter(organisation=organisation, year=year).prefetch_related(
            "items"
        )
    }
    return [
        TeacherProgress(
            teacher=t,
            plan=plans.get(t.pk),
            enrolments=t.enrolment_count,
            in_review=t.in_review_count,
            credentials=t.credential_count,
        )
        for t in teachers
    ]


def teacher_organisations(person) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        affiliations__person=person,
        affiliations__role=Role.TEACHER,
        affiliations__is_active=True,
    ).distinct()


def administered_organisations(person) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        affiliations__person=person,
        affiliations__role=Role.INSTITUTION_ADMIN,
        affiliations__is_active=True,
    ).distinct()
