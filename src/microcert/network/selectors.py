"""Reads of the partner network, used by views, rules and other apps."""

from django.db.models import Prefetch, QuerySet

from microcert.accounts.models import User
from microcert.accounts.roles import Role

from .models import Affiliation, Agreement, Membership, Organisation


def programme_owner() -> Organisation | None:
    return Organisation.objects.filter(is_programme_owner=True).first()


def active_roles(user: User) -> set[tuple[int, str]]:
    """The (organisation id, role) pairs a person holds now, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_microcert_roles", None)
    if cached is None:
        cached = set(
            Affiliation.objects.filter(person=user, is_active=True).values_list(
                "organisation_id", "role"
            )
        )
        user._microcert_roles = cached
    return cached


def has_role(user: User, role: str, organisation: Organisation | None = None) -> bool:
    roles = active_roles(user)
    if organisation is None:
        return any(r == role for _, r in roles)
    return (organisation.pk, role) in roles


def organisation_ids_where(user: User, role: str) -> set[int]:
    return {org_id for org_id, r in active_roles(user) if r == role}


def people_of_organisation(organisation: Organisation) -> QuerySet[User]:
    """Everyone with an active role in the organisation, with their roles there."""
    return (
        User.objects.filter(affiliations__organisation=organisation, affiliations__is_active=True)
        .distinct()
        .prefetch_related(
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.filter(organisation=organisation, is_active=True),
                to_attr="roles_here",
            )
        )
        .order_by("legal_name", "email")
    )


def active_affiliations(person: User) -> QuerySet[Affiliation]:
    """The roles a person holds now, with their organisations."""
    return person.affiliations.filter(is_active=True).select_related("organisation")


def organisations_of_person(person: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        affiliations__person=person, affiliations__is_active=True
    ).distinct()


def partner_directory() -> QuerySet[Organisation]:
    """Organisations with an active membership, for the public directory."""
    return (
        Organisation.objects.filter(memberships__status=Membership.Status.ACTIVE)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(status=Membership.Status.ACTIVE),
                to_attr="active_memberships",
            )
        )
        .order_by("country", "name")
        .distinct()
    )


def agreements_visible_to(user: User) -> QuerySet[Agreement]:
    """Agreements are private to their parties' admins and the programme's managers."""
    qs = Agreement.objects.prefetch_related("parties", "items")
    if user.is_superuser or has_role(user, Role.PROGRAMME_MANAGER):
        return qs
    admin_of = organisation_ids_where(user, Role.INSTITUTION_ADMIN)
    return qs.filter(parties__in=admin_of).distinct()


def organisations_by_slug(slugs: list[str]) -> dict[str, Organisation]:
    return {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
