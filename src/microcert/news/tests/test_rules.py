"""Who may do what: editors are the Centre's programme managers; admins of member
institutions submit and follow their own cases; everyone reads what is public."""

import pytest
from django.contrib.auth.models import AnonymousUser

from microcert.accounts.roles import Role
from microcert.network import services as network_services
from microcert.news import services

from .builders import case, draft, person, public, published_case, scheduled

pytestmark = pytest.mark.django_db


def test_editors_are_the_programme_managers_of_the_centre(network):
    people = [network.hust_admin, network.teacher, network.reviewer, AnonymousUser()]
    assert network.editor.has_perm("news.manage_news")
    assert not any(p.has_perm("news.manage_news") for p in people)


def test_a_programme_manager_whose_role_is_withdrawn_is_no_longer_an_editor(network):
    affiliation = network.editor.affiliations.get(role=Role.PROGRAMME_MANAGER)
    network_services.affiliation_revoke(affiliation=affiliation)
    network.editor._microcert_roles = None  # the role cache lives on the object
    assert not network.editor.has_perm("news.manage_news")


def test_everyone_reads_a_public_article_and_only_editors_a_draft_or_a_scheduled_one(network):
    anyone = AnonymousUser()
    visible = public(network.editor, "public")
    hidden = [draft(network.editor, "draft"), scheduled(network.editor, "scheduled")]
    for user in (anyone, network.teacher, network.hust_admin, network.editor):
        assert user.has_perm("news.read_article", visible)
    for article in hidden:
        assert network.editor.has_perm("news.read_article", article)
        assert not anyone.has_perm("news.read_article", article)
        assert not network.hust_admin.has_perm("news.read_article", article)
    assert not network.hust_admin.has_perm("news.edit_article", visible)


def test_admins_of_members_submit_for_their_own_organisation_only(network):
    assert network.hust_admin.has_perm("news.submit_case", network.hust)
    assert not network.hust_admin.has_perm("news.submit_case", network.ut)
    assert not network.teacher.has_perm("news.submit_case", network.hust)
    assert not network.editor.has_perm("news.submit_case", network.hust)
    # An admin of a university outside the network does not submit.
    assert not network.outsider_admin.has_perm("news.submit_case", network.outsider)


def test_a_case_under_review_is_seen_by_its_organisation_and_the_editors_only(network):
    waiting = case(network)
    assert network.hust_admin.has_perm("news.read_case", waiting)
    assert network.editor.has_perm("news.read_case", waiting)
    for user in (AnonymousUser(), network.ut_admin, network.teacher):
        assert not user.has_perm("news.read_case", waiting)
    assert AnonymousUser().has_perm("news.read_case", published_case(network))


def test_another_admin_of_the_same_institution_resubmits_too(network):
    colleague = person("second@hust.test", network.hust, Role.INSTITUTION_ADMIN)
    returned = services.case_request_changes(
        case=case(network), actor=network.editor, comment="More detail"
    )
    assert colleague.has_perm("news.resubmit_case", returned)
    assert not network.ut_admin.has_perm("news.resubmit_case", returned)
    assert network.editor.has_perm("news.review_case", returned)
    assert not network.hust_admin.has_perm("news.review_case", returned)
