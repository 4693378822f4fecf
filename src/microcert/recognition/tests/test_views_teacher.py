"""The teacher's PD transcript: on screen, as PDF and as an unsigned JSON bundle of the signed
credentials that count and the endorsements they count under."""

import datetime
import json
from decimal import Decimal

import pypdfium2
import pytest
from django.urls import reverse

from microcert.credentials import services as credential_services
from microcert.credentials import verification
from microcert.recognition import selectors

from .test_views_authority import ASSESSMENT, COLLABORATION, DATA, World, _as

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    w = World()
    w.collaboration = w.approve(w.submit(COLLABORATION), 8)
    w.data = w.approve(w.submit(DATA), 20, valid_until=datetime.date(2027, 12, 31))
    return w


def _ours(response, world: World):
    """The transcript's part for the test's scheme (the demo may hold others)."""
    (item,) = [
        i["item"] for i in response.context["transcript"] if i["item"].scheme == world.scheme
    ]
    return item


def _pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())  # lines wrap inside titles


def test_the_transcript_lists_each_counted_credential_per_period(client, world):
    world.issue(world.lan, COLLABORATION, datetime.date(2026, 3, 1))  # the previous period
    world.issue(world.lan, DATA)
    world.issue(world.lan, ASSESSMENT)  # not recognised: does not count
    _as(client, world.lan)

    response = client.get(reverse("recognition:pd_transcript"))

    assert response.status_code == 200
    item = _ours(response, world)
    current, previous = item.periods
    assert (current.start, current.is_current) == (datetime.date(2026, 9, 5), True)
    assert [e.credential.specification_version.micro_credential.slug for e in current.entries] == [
        DATA
    ]
    assert (current.amount, current.hours, current.met, current.missing) == (
        Decimal("20.00"),
        Decimal("15.00"),
        False,
        Decimal("20.00"),
    )
    assert (previous.start, previous.amount) == (datetime.date(2025, 9, 5), Decimal("8.00"))
    page = response.text
    assert world.version(DATA).title in page
    assert world.version(ASSESSMENT).title not in page
    assert "decision 1 of" in page


def test_a_teacher_without_credentials_sees_the_current_period_and_the_requirement(client, world):
    _as(client, world.hung)
    response = client.get(reverse("recognition:pd_transcript"))
    (period,) = _ours(response, world).periods
    assert (period.amount, period.requirement, period.required_hours) == (
        Decimal("0.00"),
        Decimal("40.00"),
        Decimal("30.00"),
    )


def test_no_scheme_applies_to_a_teacher_of_another_country(client, world):
    world.issue(world.siti, COLLABORATION)
    _as(client, world.siti)
    response = client.get(reverse("recognition:pd_transcript"))
    assert [i for i in response.context["transcript"] if i["item"].scheme == world.scheme] == []
    assert response.status_code == 200


def test_the_transcript_prints_as_pdf_in_the_readers_language(client, world):
    world.issue(world.lan, DATA)
    _as(client, world.lan)

    response = client.get(reverse("recognition:pd_transcript_pdf").replace("/en/", "/vi/"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = _pdf_text(response.content)
    assert world.lan.legal_name in text
    assert world.version(DATA).title_vi in text
    assert world.scheme.title in text


def test_the_json_transcript_bundles_the_signed_credentials_and_endorsements(client, world):
    credential = world.issue(world.lan, DATA)
    world.issue(world.lan, ASSESSMENT)
    _as(client, world.lan)

    response = client.get(reverse("recognition:pd_transcript_json"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    bundle = json.loads(response.content)
    assert "not signed" in bundle["note"]
    assert "proof" not in bundle
    # Exactly the credential that counts, as it was signed, and it verifies on its own.
    assert bundle["verifiableCredential"] == [credential.document]
    result = verification.verify_credential(bundle["verifiableCredential"][0], allow_network=False)
    assert result.verified, result.errors
    # The endorsement of the decision it counts under, signed by the authority.
    world.data.refresh_from_db()
    assert bundle["endorsements"] == [world.data.endorsement]
    checks = verification.verify_credential(bundle["endorsements"][0], allow_network=False)
    assert checks.verified, checks.errors
    (scheme,) = [s for s in bundle["schemes"] if s["slug"] == world.scheme.slug]
    current = scheme["periods"][0]
    assert (current["amount"], current["hours"], current["met"]) == ("20", "15", False)
    (entry,) = current["entries"]
    assert entry["credential"] == credential.document["id"]
    assert entry["decision"]["endorsement"] == world.data.endorsement["id"]


def test_a_revoked_credential_leaves_the_transcript(client, world):
    credential = world.issue(world.lan, DATA)
    credential_services.credential_revoke(credential=credential, actor=None, reason="Plagiarism")
    _as(client, world.lan)
    bundle = json.loads(client.get(reverse("recognition:pd_transcript_json")).content)
    assert bundle["verifiableCredential"] == []
    (ours,) = [i for i in selectors.pd_transcript(world.lan) if i.scheme == world.scheme]
    assert ours.periods[0].entries == []


def test_the_transcript_is_ones_own(client, world):
    for name in ("pd_transcript", "pd_transcript_pdf", "pd_transcript_json"):
        response = client.get(reverse(f"recognition:{name}"))
        assert response.status_code == 302
