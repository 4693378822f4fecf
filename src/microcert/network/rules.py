"""Object-level permissions. Anything not granted here is denied.

Checked with ``user.has_perm("<perm>", obj)`` through django-rules' permission backend.
"""

import rules

from microcert.accounts.roles import Role

from . import selectors
from .models import Agreement, CooperationItem, Organisation


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


@rules.predicate
def is_institution_admin(user) -> bool:
    return bool(user.is_authenticated and selectors.has_role(user, Role.INSTITUTION_ADMIN))


@rules.predicate
def administers_item_owner(user, item: CooperationItem | None) -> bool:
    """The user is an admin of the organisation that owns the cooperation item."""
    return (
        item is not None
        and item.owner_id is not None
        and user.is_authenticated
        and item.owner_id in selectors.organisation_ids_where(user, Role.INSTITUTION_ADMIN)
    )


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

# Agreement pages: the list is for the programme's managers and institution admins (who see
# their own organisations' agreements); documents go with reading the agreement.
rules.add_perm("network.view_agreements", is_programme_manager | is_institution_admin)
rules.add_perm("network.add_agreement", is_programme_manager)
rules.add_perm("network.add_agreement_document", is_party_admin | is_programme_manager)
rules.add_perm("network.remove_agreement_document", is_programme_manager)
rules.add_perm("network.add_cooperation_item", is_programme_manager)
# The owner's admins report progress on their own items; the managers on any.
rules.add_perm(
    "network.change_cooperation_item_status", administers_item_owner | is_programme_manager
)

# The network office: accession applications, National Centres and positions.
rules.add_perm("network.manage_accessions", is_programme_manager)
rules.add_perm("network.manage_network", is_programme_manager)

# A partner's full timeline (agreements, items, applications): its admins and the managers.
rules.add_perm("network.view_partner_timeline", is_admin_of_organisation | is_programme_manager)
