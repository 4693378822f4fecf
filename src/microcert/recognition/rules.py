"""Who may read PD reports and the ledger. Anything not granted here is denied.

Aggregated reports (small groups always hidden, see ``reports.py``):

* an authority reviewer reads the national report of their own authority's schemes;
* programme managers read every scheme's report (the network's reports);
* an institution admin reads the report of their own institution's teachers.

A national reader does not get one institution's report: grouped by level, it would be a
cross-tabulation whose margins the national tables already publish.

The row-level ledger names people, so it goes only to the authority reviewers of the scheme
(all its rows) and to an institution admin for their own institution's teachers.
"""

import rules

from microcert.accounts.roles import Role
from microcert.network import selectors as network_selectors

from .models import RecognitionScheme


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def is_programme_manager(user) -> bool:
    return _signed_in(user) and network_selectors.has_role(user, Role.PROGRAMME_MANAGER)


@rules.predicate
def is_authority_reviewer(user) -> bool:
    return _signed_in(user) and network_selectors.has_role(user, Role.AUTHORITY_REVIEWER)


@rules.predicate
def is_institution_admin(user) -> bool:
    return _signed_in(user) and network_selectors.has_role(user, Role.INSTITUTION_ADMIN)


@rules.predicate
def reviews_for_scheme(user, scheme: RecognitionScheme | None) -> bool:
    """The user is a reviewer of the authority that runs the scheme."""
    return (
        scheme is not None
        and _signed_in(user)
        and network_selectors.has_role(user, Role.AUTHORITY_REVIEWER, scheme.authority.organisation)
    )


@rules.predicate
def administers_organisation(user, organisation) -> bool:
    return (
        organisation is not None
        and _signed_in(user)
        and network_selectors.has_role(user, Role.INSTITUTION_ADMIN, organisation)
    )


# The reports index: anyone who can read some report.
rules.add_perm(
    "recognition.view_reports", is_programme_manager | is_authority_reviewer | is_institution_admin
)
# A scheme's national report (the object is the scheme).
rules.add_perm("recognition.view_national_report", reviews_for_scheme | is_programme_manager)
# One institution's report (the object is the organisation).
rules.add_perm("recognition.view_institution_report", administers_organisation)
# The row-level ledger of a whole scheme (the object is the scheme) ...
rules.add_perm("recognition.export_ledger", reviews_for_scheme)
# ... and of one institution's teachers (the object is the organisation).
rules.add_perm("recognition.export_institution_ledger", administers_organisation)
