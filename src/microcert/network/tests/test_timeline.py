"""A partner's timeline as each viewer sees it."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string

from microcert.network import selectors, services

from .conftest import fresh, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(office):
    services.national_centre_designate(
        organisation=office.a, agreement=office.mou, starts_on=datetime.date(2025, 1, 1)
    )
    services.position_appoint(year=2026, kind="presidency", organisation=office.a)
    return office


def kinds(entries) -> set[str]:
    return {entry.kind for entry in entries}


def test_anonymous_visitors_see_only_public_entries(story):
    entries = selectors.partner_timeline(story.a, viewer=AnonymousUser())
    assert kinds(entries) == {"joined", "national_centre", "position"}
    assert all(entry.public for entry in entries)
    assert entries == sorted(entries, key=lambda e: (e.date, e.kind), reverse=True)


@pytest.mark.parametrize("who", ["teacher_a", "admin_b"])
def test_people_without_the_right_see_only_public_entries(story, who):
    entries = selectors.partner_timeline(story.a, viewer=getattr(story, who))
    assert kinds(entries) == {"joined", "national_centre", "position"}


def test_the_partners_admin_sees_agreements_and_overdue_items_with_links(story):
    entries = selectors.partner_timeline(story.a, viewer=story.admin_a)
    assert {"agreement_signed", "agreement_in_force", "item_due"} <= kinds(entries)
    item = next(e for e in entries if e.kind == "item_due")
    assert item.overdue and item.link.endswith(f"#item-{story.item.pk}")
    assert str(story.mou.uuid) in item.link


def test_the_office_sees_applications_linked_to_its_page(story):
    newcomer_application, _key = submit()
    services.accession_approve(application=newcomer_application, actor=story.manager)
    newcomer_application.refresh_from_db()
    entries = selectors.partner_timeline(
        newcomer_application.organisation, viewer=fresh(story.manager)
    )
    applied = next(e for e in entries if e.kind == "applied")
    assert str(newcomer_application.uuid) in applied.link


def test_the_partial_draws_the_timeline_from_its_context_variable(story):
    timeline = selectors.partner_timeline(story.a, viewer=AnonymousUser())
    html = render_to_string("network/_timeline.html", {"timeline": timeline})
    assert html.count('class="timeline-entry') == len(timeline)
    assert "Designated National Centre for Vietnam" in html
    assert "MOU-A-001" in html  # the designation names its agreement
    assert "Nothing on the timeline" in render_to_string("network/_timeline.html", {})
