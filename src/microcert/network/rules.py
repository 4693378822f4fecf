"""Object-level permissions. Anything not granted here is denied.

Checked with ``user.has_perm("<perm>", obj)`` through django-rules' permission backend.
"""

import rules

from microcert.accounts.roles import Role

from . import selectors
from .models import Agreement, Organisation


@rules.predicate
def is_programme_manager(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or selectors.has_role(user, Role.PROGRAMME_MANAGER))
    )


@rules.predicate
def is_admin_of_organisation(user, organisation: Organisation | None) -> bool:
    return organisation is not None and selectors.has_role(
        user, Role.INSTITUTION_ADMIN, organisation
    )


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and user.is_authenticated and user.pk == person.pk


@rules.predicate
def administers_person(user, person) -> bool:
    """The person holds a role in an organisation the user administers."""
    if person is None or not user.is_authenticated:
        return False
    admin_of = selectors.organisation_ids_where(user, Role.INSTITUTION_ADMIN)
    if not admin_of:
        return False
    return person.affiliations.filter(organisation_id__in=admin_of, is_active=True).exists()


@rules.predicate
def is_party_admin(user, agreement: Agreement | None) -> bool:
    if agreement is None:
        return False
    admin_of = selectors.organisation_ids_where(user, Role.INSTITUTION_ADMIN)
    return agreement.parties.filter(pk__in=admin_of).exists()


# People: private data (e-mail addresses, name history, roles).
rules.add_perm("accounts.view_person", is_self | administers_person | is_programme_manager)
rules.add_perm("accounts.change_person", is_self | is_programme_manager)

# Organisations: the list of their people and the management of roles.
rules.add_perm("network.view_organisation_people", is_admin_of_organisation | is_programme_manager)
rules.add_perm(
    "network.manage_organisation_people", is_admin_of_organisation | is_programme_manager
)

# Agreements are private to the parties' admins and the programme's managers.
rules.add_perm("network.read_agreement", is_party_admin | is_programme_manager)
rules.add_perm("network.change_agreement_status", is_programme_manager)
