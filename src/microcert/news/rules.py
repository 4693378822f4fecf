"""Who may do what with news, events and good-practice cases. Anything not granted is denied.

* Editors are the programme managers of the organisation that runs the programme: they write,
  schedule and publish articles, see drafts and scheduled ones, and review cases.
* An institution admin of a member organisation (an active membership of the network)
  submits cases for that organisation, sees its cases in every state and resubmits the ones
  returned for changes.
* Everyone else reads public articles and published cases; anything else answers 404.

Checked with ``user.has_perm("news.<perm>", obj)``; the names differ from Django's model
permissions (view_article, change_article) so the admin's table-wide grants never open a page.
"""

import rules

from microcert.accounts.roles import Role
from microcert.network import selectors as network_selectors
from microcert.network.models import Organisation

from . import selectors
from .models import Article, Case


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def is_editor(user) -> bool:
    return selectors.is_editor(user)


@rules.predicate
def is_public_article(user, article: Article | None) -> bool:
    return article is not None and article.is_public()


@rules.predicate
def is_published_case(user, case: Case | None) -> bool:
    return case is not None and case.status == Case.Status.PUBLISHED


def _is_member(organisation: Organisation) -> bool:
    return organisation.memberships.filter(status="active").exists()


@rules.predicate
def administers_member(user, organisation: Organisation | None) -> bool:
    """The user is an institution admin of ``organisation``, a member of the network."""
    return (
        organisation is not None
        and _signed_in(user)
        and network_selectors.has_role(user, Role.INSTITUTION_ADMIN, organisation)
        and _is_member(organisation)
    )


@rules.predicate
def is_institution_admin(user) -> bool:
    return _signed_in(user) and network_selectors.has_role(user, Role.INSTITUTION_ADMIN)


@rules.predicate
def administers_case_organisation(user, case: Case | None) -> bool:
    return (
        case is not None
        and _signed_in(user)
        and network_selectors.has_role(user, Role.INSTITUTION_ADMIN, case.organisation)
    )


@rules.predicate
def may_resubmit(user, case: Case | None) -> bool:
    return case is not None and administers_member(user, case.organisation)


# Articles.
rules.add_perm("news.manage_news", is_editor)
rules.add_perm("news.read_article", is_public_article | is_editor)
rules.add_perm("news.edit_article", is_editor)
rules.add_perm("news.publish_article", is_editor)
rules.add_perm("news.read_article_image", is_public_article | is_editor)  # obj: the article

# Cases.
rules.add_perm("news.submit_case", administers_member)  # obj: the organisation
rules.add_perm("news.view_own_cases", is_institution_admin)
rules.add_perm("news.read_case", is_published_case | is_editor | administers_case_organisation)
rules.add_perm("news.resubmit_case", may_resubmit)
rules.add_perm("news.review_case", is_editor)
