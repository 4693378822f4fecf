"""Reads of the catalogue."""

from django.db.models import Prefetch, QuerySet

from .models import (
    CompetenceAlignment,
    MicroCredential,
    Offering,
    Pathway,
    RubricCriterion,
    SpecificationVersion,
)


def published_specifications(kind: str | None = None) -> QuerySet[SpecificationVersion]:
    """The current published version of every micro-credential, for the public catalogue."""
    qs = SpecificationVersion.objects.filter(status=SpecificationVersion.Status.PUBLISHED)
    if kind:
        qs = qs.filter(micro_credential__kind=kind)
    return (
        qs.select_related("micro_credential")
        .prefetch_related(
            "awarding_bodies",
            Prefetch(
                "alignments",
                queryset=CompetenceAlignment.objects.select_related(
                    "competence__framework", "target_level"
                ),
            ),
        )
        .order_by("micro_credential__kind", "title")
    )


def specification_detail(slug: str, number: int | None = None) -> SpecificationVersion | None:
    """One version with everything its public page shows; the published one by default."""
    qs = SpecificationVersion.objects.filter(micro_credential__slug=slug)
    if number is None:
        qs = qs.filter(status=SpecificationVersion.Status.PUBLISHED)
    else:
        qs = qs.filter(number=number).exclude(status=SpecificationVersion.Status.DRAFT)
    return (
        qs.select_related("micro_credential")
        .prefetch_related(
            "awarding_bodies",
            "outcomes",
            "evidence_requirements",
            Prefetch("rubric", queryset=RubricCriterion.objects.prefetch_related("levels")),
            Prefetch(
                "alignments",
                queryset=CompetenceAlignment.objects.select_related(
                    "competence__framework", "competence__area", "target_level"
                ),
            ),
            Prefetch(
                "offerings",
                queryset=Offering.objects.select_related("host").exclude(
                    status=Offering.Status.CANCELLED
                ),
            ),
        )
        .first()
    )


def pathways_with_members() -> QuerySet[Pathway]:
    """Active pathways; each member carries its published version in ``member.published``."""
    published = SpecificationVersion.objects.filter(status=SpecificationVersion.Status.PUBLISHED)
    return (
        Pathway.objects.filter(is_active=True)
        .select_related("certificate")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=MicroCredential.objects.order_by(
                    "pathwaymember__position"
                ).prefetch_related(Prefetch("versions", queryset=published, to_attr="published")),
            )
        )
    )


def pathways_containing(micro_credential: MicroCredential) -> QuerySet[Pathway]:
    return Pathway.objects.filter(members=micro_credential, is_active=True)
