"""Object-level permissions of the recognition pages and API. Anything not granted is denied.

Checked with ``user.has_perm("recognition.<perm>", obj)`` through django-rules. (The reports'
permissions live in ``rules.py``; these are imported from ``apps.py`` because django-rules
autodiscovers only ``rules.py``.)

Who is who:

* an *applicant* acts for an organisation: its institution admins, and the programme managers
  of the organisation they hold their role at (the Centre, which owns the programme);
* an *authority reviewer* holds that role at the organisation of the scheme's authority;
* a teacher's PD record is theirs, their institution admins' and the programme managers'.
"""

import rules

from microcert.accounts.roles import Role
from microcert.catalog.models import SpecificationVersion
from microcert.network import selectors as network_selectors
from microcert.network.models import Organisation

from .models import InclusionApplication, RecognitionScheme
from .rules import _signed_in, is_authority_reviewer, is_programme_manager

APPLICANT_ROLES = (Role.INSTITUTION_ADMIN, Role.PROGRAMME_MANAGER)


def acts_for(user, organisation: Organisation | None) -> bool:
    """The user may apply for recognition on behalf of ``organisation``."""
    if organisation is None or not _signed_in(user):
        return False
    return any(network_selectors.has_role(user, role, organisation) for role in APPLICANT_ROLES)


def applicant_organisations(user) -> list[Organisation]:
    """The organisations the user may apply for, by name."""
    if not _signed_in(user):
        return []
    ids = set()
    for role in APPLICANT_ROLES:
        ids |= network_selectors.organisation_ids_where(user, role)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def may_apply_with(organisation: Organisation, version: SpecificationVersion) -> bool:
    """The programme owner applies for any micro-credential of the programme; another
    institution only for a version it is an awarding body of."""
    if organisation.is_programme_owner:
        return True
    return version.awarding_bodies.filter(pk=organisation.pk).exists()


def reviews_for(user, scheme: RecognitionScheme | None) -> bool:
    return (
        scheme is not None
        and _signed_in(user)
        and network_selectors.has_role(user, Role.AUTHORITY_REVIEWER, scheme.authority.organisation)
    )


def compliance_schemes(user, organisation: Organisation) -> list[RecognitionScheme]:
    """The schemes of an institution whose compliance the user follows: every scheme that
    applies to it for its admins and the programme's managers; an authority's reviewer, the
    schemes of their own authority."""
    from .selectors import schemes_for_organisation

    schemes = schemes_for_organisation(organisation)
    if network_selectors.has_role(
        user, Role.INSTITUTION_ADMIN, organisation
    ) or network_selectors.has_role(user, Role.PROGRAMME_MANAGER):
        return schemes
    reviewer_of = network_selectors.organisation_ids_where(user, Role.AUTHORITY_REVIEWER)
    return [s for s in schemes if s.authority.organisation_id in reviewer_of]


@rules.predicate
def is_applicant(user, application: InclusionApplication | None) -> bool:
    return application is not None and acts_for(user, application.applicant)


@rules.predicate
def is_scheme_reviewer(user, application: InclusionApplication | None) -> bool:
    return application is not None and reviews_for(user, application.scheme)


@rules.predicate
def may_act_for(user, organisation: Organisation | None) -> bool:
    return acts_for(user, organisation)


@rules.predicate
def administers(user, organisation: Organisation | None) -> bool:
    return (
        organisation is not None
        and _signed_in(user)
        and network_selectors.has_role(user, Role.INSTITUTION_ADMIN, organisation)
    )


@rules.predicate
def reviews_in_country_of(user, organisation: Organisation | None) -> bool:
    """An authority's reviewer follows the institutions of the authority's country."""
    if organisation is None or not _signed_in(user):
        return False
    reviewer_of = network_selectors.organisation_ids_where(user, Role.AUTHORITY_REVIEWER)
    return Organisation.objects.filter(
        pk__in=reviewer_of, authority__isnull=False, country=organisation.country
    ).exists()


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and _signed_in(user) and person.pk == user.pk


@rules.predicate
def administers_person(user, person) -> bool:
    if person is None or not _signed_in(user):
        return False
    admin_of = network_selectors.organisation_ids_where(user, Role.INSTITUTION_ADMIN)
    return (
        bool(admin_of)
        and person.affiliations.filter(organisation_id__in=admin_of, is_active=True).exists()
    )


# Applying: on behalf of an organisation one administers or manages the programme for.
rules.add_perm("recognition.apply_for", may_act_for)
rules.add_perm("recognition.view_application", is_applicant | is_scheme_reviewer)
rules.add_perm("recognition.resubmit_application", is_applicant)
rules.add_perm("recognition.withdraw_application", is_applicant)
# Deciding: the reviewers of the scheme's authority, never the applicant's own people.
rules.add_perm("recognition.decide_application", is_scheme_reviewer & ~is_applicant)
rules.add_perm("recognition.view_review_queue", is_authority_reviewer)

# Compliance of an institution's teachers with the schemes that apply to them.
rules.add_perm(
    "recognition.view_compliance",
    administers | is_programme_manager | reviews_in_country_of,
)
# One teacher's PD ledger and transcript.
rules.add_perm("recognition.view_ledger", is_self | administers_person | is_programme_manager)
