"""Reads of the frameworks app."""

from django.db.models import Count, Prefetch, QuerySet

from .models import Area, Competence, CompetencyFramework, LevelDescriptor, ProficiencyLevel


def published_frameworks() -> QuerySet[CompetencyFramework]:
    return CompetencyFramework.objects.filter(status=CompetencyFramework.Status.PUBLISHED).annotate(
        competence_count=Count("competences", distinct=True),
        area_count=Count("areas", distinct=True),
    )


def current_framework(slug: str) -> CompetencyFramework | None:
    """The newest published version of a framework."""
    return (
        CompetencyFramework.objects.filter(slug=slug, status=CompetencyFramework.Status.PUBLISHED)
        .order_by("-published_on", "-created_at")
        .first()
    )


def framework_tree(framework: CompetencyFramework) -> tuple[list[ProficiencyLevel], list[Area]]:
    """Levels, and areas with their competences and descriptors, in three queries."""
    levels = list(framework.levels.all())
    areas = list(
        framework.areas.prefetch_related(
            Prefetch(
                "competences",
                queryset=Competence.objects.select_related("level").prefetch_related(
                    Prefetch(
                        "descriptors", queryset=LevelDescriptor.objects.select_related("level")
                    )
                ),
            )
        )
    )
    return levels, areas


def competence_by_code(framework: CompetencyFramework, code: str) -> Competence | None:
    return framework.competences.filter(code=code).select_related("level", "area").first()


def level_by_code(framework: CompetencyFramework, code: str) -> ProficiencyLevel | None:
    return framework.levels.filter(code=code).first()
