"""The authority's word, verifiable: an approval signed as an Open Badges 3.0
EndorsementCredential, judged by the official schema and by both independent verifiers, and
carried inside the credentials awarded while it is in force."""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse
from django.utils import timezone

from microcert.accounts.models import User
from microcert.catalog.models import SpecificationVersion
from microcert.credentials import openbadges, verification
from microcert.credentials import services as credential_services
from microcert.credentials.services import IssuanceError
from microcert.credentials.tests.independent import verify_independently
from microcert.credentials.tests.test_interop import (
    OFFICIAL_SCHEMA,
    official_schema_errors,
    published_documents,
)
from microcert.learning.tests import builders
from microcert.network.models import Organisation
from microcert.recognition import endorsement, selectors, services
from microcert.recognition.models import InclusionDecision, RecognitionScheme

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
CONDITIONS = "Counted once per lecturer and school year."


# Where the DCC verifier looks for the schema of an OB 3.0 EndorsementCredential. The shared
# standards hold only the AchievementCredential schema; its ``$defs`` include the official
# EndorsementCredential definition (Achievement.endorsement refers to it), so that definition
# is what both we and the DCC verifier check endorsements against.
ENDORSEMENT_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)


def endorsement_schema() -> dict:
    official = json.loads(Path(OFFICIAL_SCHEMA).read_text(encoding="utf-8"))
    return {
        "$schema": official["$schema"],
        "$id": ENDORSEMENT_SCHEMA_URL,
        "$defs": official["$defs"],
        "$ref": "#/$defs/EndorsementCredential",
    }


def endorsement_schema_errors(document: dict) -> list[str]:
    validator = jsonschema.Draft201909Validator(
        endorsement_schema(), format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    return [error.message for error in validator.iter_errors(document)]


def documents() -> dict:
    """What the platform publishes, and the endorsement schema for the DCC verifier."""
    return {**published_documents(), ENDORSEMENT_SCHEMA_URL: endorsement_schema()}


@dataclass
class Recognised:
    people: builders.World
    version: SpecificationVersion
    scheme: RecognitionScheme
    decision: InclusionDecision
    reviewer: User
    today: datetime.date

    @property
    def document(self) -> dict:
        return self.decision.endorsement

    def decide_again(self, **terms) -> InclusionDecision:
        terms.setdefault("equivalence", 8)
        return services.application_decide(
            application=self.decision.application,
            actor=self.reviewer,
            outcome="approve",
            endorse=endorsement.build_and_sign,
            **terms,
        )

    def award(self):
        """A credential awarded the way teachers earn them: a pass in review."""
        submission = builders.submission_in_review(self.people.lan)
        builders.complete(builders.open_review(submission), "pass")
        submission.refresh_from_db()
        return submission.credential


@pytest.fixture
def recognised() -> Recognised:
    """MOET recognises the collaboration micro-credential: 8 tiết, from a month ago for three
    years, signed as its endorsement."""
    people = builders.load_world()
    today = timezone.localdate()
    reviewer = User.objects.get(email="reviewer@moet.example")
    authority = services.authority_ensure(
        organisation=Organisation.objects.get(slug="moet"), actor=None
    )
    scheme = services.scheme_create(
        authority=authority,
        slug="vn-lecturers-endorsement-test",
        title="Regular fostering of university lecturers",
        country="VN",
        staff_categories=["university_lecturer"],
        unit="lesson45",
        requirement=40,
        period_years=1,
        periods_start_on=datetime.date(2026, 9, 5),
        actor=None,
    )
    version = people.version()
    application = services.application_submit(
        scheme=scheme,
        version=version,
        applicant=Organisation.objects.get(slug="centre"),
        actor=None,
    )
    decision = services.application_decide(
        application=application,
        actor=reviewer,
        outcome="approve",
        equivalence=8,
        valid_from=today - 30 * DAY,
        valid_until=today + 3 * 365 * DAY,
        conditions=CONDITIONS,
        endorse=endorsement.build_and_sign,
    )
    return Recognised(people, version, scheme, decision, reviewer, today)


def test_an_approval_is_the_ministrys_signed_endorsement_of_the_achievement(recognised):
    document = recognised.document
    decision = recognised.decision
    moet = credential_services.issuer_ensure(
        organisation=Organisation.objects.get(slug="moet"), actor=None
    )

    assert document["@context"] == [openbadges.VC_V2, openbadges.OB_V3]
    assert document["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert document["id"] == endorsement.endorsement_url(decision)
    assert document["issuer"]["id"] == credential_services.issuer_did(moet)
    assert document["issuer"]["id"].startswith("did:web:")
    assert document["issuer"]["name"] == "Ministry of Education and Training of Viet Nam"
    assert document["name"]
    assert document["validFrom"] == f"{decision.valid_from.isoformat()}T00:00:00Z"
    assert document["validUntil"] == f"{decision.valid_until.isoformat()}T23:59:59Z"
    assert document["credentialSubject"] == {
        "id": openbadges.achievement_id(recognised.version),
        "type": ["EndorsementSubject"],
        "endorsementComment": (
            "Regular fostering of university lecturers: 1 credential = 8 lessons of 45 minutes "
            f"(tiết), valid from {decision.valid_from.isoformat()} until "
            f"{decision.valid_until.isoformat()}. Conditions: {CONDITIONS}"
        ),
    }
    [proof] = document["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"].startswith(document["issuer"]["id"] + "#")
    assert endorsement_schema_errors(document) == []
    assert verification.verify_credential(document, allow_network=False).verified


def test_both_independent_verifiers_accept_the_endorsement(recognised):
    published = documents()
    assert recognised.document["issuer"]["id"] in published  # the ministry's did.json

    [result] = verify_independently([recognised.document], published)

    assert result["digitalbazaar"]["verified"], result["digitalbazaar"]
    assert result["dcc"]["verified"], result["dcc"]
    assert result["digitalbazaar"]["offlineMisses"] == []
    assert result["dcc"]["offlineMisses"] == []
    [schema_check] = result["dcc"]["schema"]
    assert schema_check["schema"] == ENDORSEMENT_SCHEMA_URL and schema_check["valid"], schema_check


def test_a_changed_comment_or_window_breaks_the_endorsement(recognised):
    longer = json.loads(json.dumps(recognised.document))
    longer["validUntil"] = "2099-12-31T23:59:59Z"
    kinder = json.loads(json.dumps(recognised.document))
    kinder["credentialSubject"]["endorsementComment"] = kinder["credentialSubject"][
        "endorsementComment"
    ].replace("8 lessons", "80 lessons")

    results = verify_independently([longer, kinder], documents())

    for result in results:
        assert not result["digitalbazaar"]["verified"]
        assert not result["dcc"]["verified"]


def test_a_credential_awarded_in_the_window_carries_the_endorsement_and_still_verifies(
    recognised,
):
    credential = recognised.award()

    achievement = credential.document["credentialSubject"]["achievement"]
    assert achievement["endorsement"] == [recognised.document]
    assert achievement["id"] == recognised.document["credentialSubject"]["id"]
    assert official_schema_errors(credential.document) == []
    assert verification.verify_credential(credential.document, allow_network=False).verified
    carried, alone = verify_independently(
        [credential.document, achievement["endorsement"][0]], documents()
    )
    for result in (carried, alone):
        assert result["digitalbazaar"]["verified"], result["digitalbazaar"]
        assert result["dcc"]["verified"], result["dcc"]
        assert result["dcc"]["offlineMisses"] == []


def test_each_decision_is_in_force_from_its_own_first_day(recognised):
    decision, today = recognised.decision, recognised.today

    assert selectors.endorsements_in_force(recognised.version, on=today) == [recognised.document]
    assert selectors.endorsements_in_force(recognised.version, on=decision.valid_from - DAY) == []
    assert selectors.endorsements_in_force(recognised.version, on=decision.valid_until + DAY) == []

    later = recognised.decide_again(valid_from=today + 10 * DAY)

    assert later.endorsement["id"] != recognised.document["id"]
    # Until the new terms start, the earlier approval stands.
    assert selectors.endorsements_in_force(recognised.version, on=today) == [recognised.document]
    assert selectors.endorsements_in_force(recognised.version, on=today + 10 * DAY) == [
        later.endorsement
    ]


def test_a_credential_awarded_outside_the_window_does_not_carry_it(recognised):
    # The newest decision ended the recognition yesterday; the older one does not revive.
    recognised.decide_again(
        valid_from=recognised.today - 30 * DAY, valid_until=recognised.today - DAY
    )

    credential = recognised.award()

    assert "endorsement" not in credential.document["credentialSubject"]["achievement"]
    assert official_schema_errors(credential.document) == []


def test_a_rejection_leaves_nothing_in_force(recognised):
    services.application_decide(
        application=recognised.decision.application,
        actor=recognised.reviewer,
        outcome="reject",
        reasons="The scheme now asks for supervised assessment.",
        endorse=endorsement.build_and_sign,
    )
    assert selectors.endorsements_in_force(recognised.version, on=recognised.today) == []


def test_the_specification_page_shows_the_recognition_and_links_the_endorsement(recognised, client):
    decision = recognised.decision
    slug = recognised.version.micro_credential.slug

    page = client.get(reverse("web:specification", kwargs={"slug": slug})).content.decode()

    assert "Recognised by" in page
    assert "Ministry of Education and Training of Viet Nam" in page
    assert "Regular fostering of university lecturers" in page
    assert "1 credential = 8 lessons of 45 minutes (tiết)" in page
    assert CONDITIONS in page
    url = reverse("recognition_api:endorsement", kwargs={"decision_id": decision.uuid})
    assert url == f"/recognition/endorsements/{decision.uuid}.json"
    assert f'href="{url}"' in page

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vc+ld+json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.content) == decision.endorsement

    missing = client.get(url.replace(str(decision.uuid)[:8], "00000000"))
    assert missing.status_code == 404


def test_a_recognition_no_longer_in_force_leaves_the_page(recognised, client):
    recognised.decide_again(
        valid_from=recognised.today - 400 * DAY, valid_until=recognised.today - DAY
    )
    slug = recognised.version.micro_credential.slug

    page = client.get(reverse("web:specification", kwargs={"slug": slug})).content.decode()

    assert "Recognised by" not in page
    # The superseded and the expired endorsements stay downloadable: credentials carry them.
    old = reverse("recognition_api:endorsement", kwargs={"decision_id": recognised.decision.uuid})
    assert client.get(old).status_code == 200


def test_document_sign_signs_only_as_the_issuer_the_document_names(recognised):
    moet = credential_services.issuer_ensure(
        organisation=Organisation.objects.get(slug="moet"), actor=None
    )
    centre = credential_services.issuer_ensure(
        organisation=Organisation.objects.get(slug="centre"), actor=None
    )
    unsigned = endorsement.build(
        recognised.decision, issuer_did=credential_services.issuer_did(moet)
    )

    with pytest.raises(IssuanceError, match="names the issuer"):
        credential_services.document_sign(issuer=centre, document=unsigned)
    with pytest.raises(IssuanceError, match="dropped"):
        credential_services.document_sign(issuer=moet, document={**unsigned, "recognisedHours": 10})
    signed = credential_services.document_sign(issuer=moet, document=unsigned)
    assert "proof" not in unsigned and signed["proof"][0]["proofPurpose"] == "assertionMethod"
