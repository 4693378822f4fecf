"""Cohort issuance: the fast signer's output is the general path's, byte for byte, and the
cohort service issues, allocates, records and stays idempotent as ``credential_issue`` does.

The property test draws awards with odd values (control characters, quotes, backslashes,
newlines, characters beyond the BMP, ids that collide, ids JSON-LD would not take as they are)
and compares the canonical N-Quads and the whole signed credential of both paths.
"""

import json
import subprocess
import tempfile
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcert.accounts.models import User
from microcert.catalog.models import SpecificationVersion
from microcert.core.models import Event
from microcert.credentials import (
    cohort,
    dataintegrity,
    jsonld,
    openbadges,
    services,
    statuslist,
)
from microcert.credentials.models import IssuedCredential, StatusList
from microcert.credentials.signals import credential_changed, credentials_issued
from microcert.credentials.tests.independent import VERIFIERS_DIR
from microcert.credentials.verification import verify_credential
from microcert.frameworks.models import ProficiencyLevel

COLLABORATIVE = "organise-and-facilitate-online-collaborative-learning"

# Text that N-Quads must escape or that JSON-LD might be tempted to touch, mixed with anything.
AWKWARD = st.sampled_from(
    [
        *['"', "\\", "\n", "\r", "\t", "\b", "\f", "\x00", "\x01", "\x1f", "\x7f"],
        *["\u2028", "😀", "\U0010ffff", "@id", "_:b0", "urn:x", "é", "中文", "Tiếng Việt", " "],
    ]
)
ODD_TEXT = st.lists(
    st.one_of(AWKWARD, st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)),
    max_size=4,
).map("".join)


def _odd_iris(achievement_id: str) -> st.SearchStrategy[str]:
    safe = st.text("abcXYZ019-._~%/", max_size=12)
    return st.one_of(
        safe.map(lambda path: f"https://evidence.example/{path}"),
        st.sampled_from(
            [
                "https://evidence.example/shared",  # drawn twice: two items, one node
                achievement_id,  # merges with the Achievement's node
                "urn:uuid:9c1c3c4e-0000-4000-8000-000000000001",
                "mailto:teacher@example.org",
                "did:web:evidence.example",
                "http://évidence.example/ünï",
                "_:b1",  # a blank node id: the general path keeps it as one
                "https://evidence.example/a b",  # not an IRI: refused either way
                "relative/path",  # not absolute: refused either way
            ]
        ),
    )


@pytest.fixture
def signing(world):
    issuer = world.centre
    key = issuer.keys.get(retired_at__isnull=True)
    version = world.version(COLLABORATIVE)
    did = services.issuer_did(issuer, key)
    return {
        "issuer": issuer,
        "version": version,
        "private_key": services._private_key(key),
        "vm": services.verification_method(issuer, key),
        "profile": openbadges.issuer_profile(issuer.organisation, did),
        "alignments": list(version.alignments.select_related("competence__framework")),
        "lists": {
            purpose: services.status_list_url(
                StatusList.objects.get(issuer=issuer, issuer_did=did, purpose=purpose)
            )
            for purpose in ("revocation", "suspension")
        },
    }


def _awards(draw, signing, achievement_id: str) -> openbadges.AwardInput:
    alignments = signing["alignments"]
    chosen = draw(st.lists(st.sampled_from(alignments), unique=True, max_size=len(alignments)))
    results = {
        a.competence_id: draw(st.sampled_from(list(a.competence.framework.levels.all())))
        for a in chosen
    }
    evidence = [
        openbadges.Evidence(
            url=draw(_odd_iris(achievement_id)),
            name=draw(ODD_TEXT),
            narrative=draw(ODD_TEXT),
            genre=draw(ODD_TEXT),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    valid_from = draw(
        st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1))
    ).replace(tzinfo=UTC)
    valid_until = draw(st.one_of(st.none(), st.just(valid_from + timedelta(days=365))))
    purposes = draw(st.sampled_from([["revocation"], ["revocation", "suspension"]]))
    credential_id = draw(
        st.one_of(
            st.uuids().map(lambda u: f"urn:uuid:{u}"),
            st.just("https://evidence.example/shared"),  # the same id as some evidence
        )
    )
    return openbadges.AwardInput(
        credential_id=credential_id,
        issuer_profile=signing["profile"],
        recipient=openbadges.Recipient(
            email=draw(ODD_TEXT) + "@example.org",
            salt=draw(st.one_of(st.just(openbadges.new_salt()), ODD_TEXT)),
            did=draw(
                st.sampled_from(
                    [
                        *["", "", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"],
                        *["did:web:teacher.example", 'did:example:ä"b'],
                    ]
                )
            ),
        ),
        valid_from=valid_from,
        valid_until=valid_until,
        language=draw(st.sampled_from(["en", "vi", "zh-hans", "fr"])),
        results=results,
        evidence=evidence,
        status=[
            openbadges.StatusEntry(
                purpose, draw(st.integers(0, 131_071)), signing["lists"][purpose]
            )
            for purpose in purposes
        ],
    )


def _general(document: dict, signing, created: str) -> tuple[str, str]:
    """The general path's canonical form and signed JSON, or the error it raises."""
    try:
        canonical = jsonld.canonicalize(document)
        signed = dataintegrity.sign(
            document,
            private_key=signing["private_key"],
            verification_method=signing["vm"],
            created=created,
        )
    except jsonld.CredentialFormatError as error:
        return "error", f"{type(error).__name__}: {error}"
    return canonical, json.dumps(signed, ensure_ascii=False)


def _fast(signer: cohort.CohortSigner, document: dict, created: str) -> tuple[str, str]:
    try:
        canonical = signer.canonical_form(document)
        signed = signer.sign(document, created=created)
    except jsonld.CredentialFormatError as error:
        return "error", f"{type(error).__name__}: {error}"
    return canonical, json.dumps(signed, ensure_ascii=False)


def test_the_fast_path_signs_exactly_as_the_general_path_on_random_awards(signing):
    signer = cohort.CohortSigner(
        private_key=signing["private_key"], verification_method=signing["vm"]
    )
    facts = {
        language: openbadges.specification_facts(signing["version"], language=language)
        for language in ("en", "vi", "zh-hans", "fr")
    }
    achievement_id = facts["en"].achievement["id"]
    compared = []

    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data(), created=st.integers(0, 3))
    def check(data, created):
        award = _awards(data.draw, signing, achievement_id)
        when = f"2026-03-0{created + 1}T10:00:00Z"
        # The cohort assembles from facts read once; the general path reads the database.
        document = openbadges.assemble_credential(facts[award.language], award)
        built = openbadges.build_credential(signing["version"], award)
        assert document == built
        fast = _fast(signer, document, when)
        general = _general(built, signing, when)
        assert fast == general
        compared.append(fast[0] != "error")
        if fast[0] != "error":
            signable.append(document)

    signable: list[dict] = []
    check()
    assert sum(compared) > 100  # most awards were signable...
    assert signer.fast > 50  # ...many through templates
    # Whatever was drawn, an id the templates cannot take (here a blank node) goes the general
    # way, with the same result.
    before = signer.general
    odd = {**signable[-1], "id": "_:b1"}
    when = "2026-03-01T10:00:00Z"
    assert _fast(signer, odd, when) == _general(odd, signing, when)
    assert signer.general == before + 1


def test_the_fast_path_agrees_with_digital_bazaars_issuer_byte_for_byte(signing):
    """Ed25519 is deterministic: the same canonical form gives the same proofValue, so the
    independent issuer's output must be ours exactly."""
    facts = openbadges.specification_facts(signing["version"], language="vi")
    level = ProficiencyLevel.objects.filter(
        framework=signing["alignments"][0].competence.framework
    ).first()
    documents = [
        openbadges.assemble_credential(
            facts,
            openbadges.AwardInput(
                credential_id=f"urn:uuid:{uuid.uuid4()}",
                issuer_profile=signing["profile"],
                recipient=openbadges.Recipient(email=f"t{n}@x.example", salt=f's\f{n}"😀'),
                valid_from=datetime(2026, 5, 1, tzinfo=UTC),
                language="vi",
                results={signing["alignments"][0].competence_id: level},
                evidence=[openbadges.Evidence(f"https://e.example/{n}", f"Bài \\ {n}\n")],
                status=[openbadges.StatusEntry("revocation", n, signing["lists"]["revocation"])],
            ),
        )
        for n in range(5)
    ]
    signer = cohort.CohortSigner(
        private_key=signing["private_key"], verification_method=signing["vm"]
    )
    created = "2026-05-01T08:00:00Z"
    ours = [signer.sign(document, created=created) for document in documents]
    theirs = issue_with_digital_bazaar(signing, documents, created)
    assert signer.fast == len(documents)
    assert ours == theirs


def issue_with_digital_bazaar(signing, documents: list[dict], created: str) -> list[dict]:
    """The same documents signed by ``@digitalbazaar/vc`` (``issue.mjs``) with the same key."""
    request = {
        "seed": signing["private_key"].private_bytes_raw().hex(),
        "controller": signing["vm"].split("#")[0],
        "keyId": signing["vm"],
        "created": created,
        "warmup": 0,
        "credentials": documents,
        "returnCredentials": True,
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "request.json"
        path.write_text(json.dumps(request), encoding="utf-8")
        done = subprocess.run(  # noqa: S603 - our script, our file, no shell
            ["node", str(VERIFIERS_DIR / "issue.mjs"), str(path)],  # noqa: S607
            cwd=VERIFIERS_DIR,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    return json.loads(done.stdout)["credentials"]


def test_one_shape_is_turned_into_quads_once_and_checked_once(
    signing, django_assert_max_num_queries
):
    facts = openbadges.specification_facts(signing["version"], language="en")
    signer = cohort.CohortSigner(
        private_key=signing["private_key"], verification_method=signing["vm"]
    )
    for n in range(50):
        award = openbadges.AwardInput(
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            issuer_profile=signing["profile"],
            recipient=openbadges.Recipient(email=f"t{n}@x.example", salt=openbadges.new_salt()),
            valid_from=datetime(2026, 5, 1, tzinfo=UTC) + timedelta(seconds=n),
            status=[openbadges.StatusEntry("revocation", n, signing["lists"]["revocation"])],
        )
        with django_assert_max_num_queries(0):  # no database work per credential
            signer.sign(
                openbadges.assemble_credential(facts, award), created="2026-05-01T08:00:00Z"
            )
    assert (signer.fast, signer.general, signer.template_count) == (50, 0, 1)


# --- the service ---------------------------------------------------------------------------


def teachers(count: int, prefix: str = "cohort") -> list[User]:
    User.objects.bulk_create(
        [
            User(email=f"{prefix}{n}@cohort.example", password="!", legal_name=f"Teacher {n}")
            for n in range(count)
        ]
    )
    return list(User.objects.filter(email__startswith=prefix).order_by("id"))


def cohort_documents() -> dict:
    """What the platform publishes that a verifier of our credentials asks for."""
    from microcert.credentials.tests.test_interop import published_documents

    return published_documents()


def test_a_cohort_is_issued_like_single_credentials(world):
    version = world.version(COLLABORATIVE)
    people = teachers(30)
    level = ProficiencyLevel.objects.filter(
        framework=version.alignments.first().competence.framework, code="B1"
    ).first()
    competence = version.alignments.first().competence_id
    awards = [
        services.CohortAward(
            recipient=person,
            results={competence: level} if n % 2 else {},
            evidence=[openbadges.Evidence(f"https://lms.example/{n}", f"Portfolio {n}")],
        )
        for n, person in enumerate(people)
    ]
    announced, batches = [], []

    def on_change(sender, credential, change, **kwargs):
        announced.append((credential.pk, change, kwargs.get("in_batch")))

    def on_batch(sender, credentials, **kwargs):
        batches.append(len(credentials))

    credential_changed.connect(on_change, dispatch_uid="test.cohort.change")
    credentials_issued.connect(on_batch, dispatch_uid="test.cohort.batch")
    try:
        outcome = services.credential_issue_cohort(
            issuer=world.centre,
            version=version,
            awards=awards,
            actor=world.lan,
            batch_key="2026-spring",
            batch_size=12,
        )
    finally:
        credential_changed.disconnect(dispatch_uid="test.cohort.change")
        credentials_issued.disconnect(dispatch_uid="test.cohort.batch")

    assert len(outcome.issued) == 30 and not outcome.existing and not outcome.refused
    assert (outcome.signed_fast, outcome.signed_general) == (30, 0)
    assert batches == [12, 12, 6]
    stored = list(IssuedCredential.objects.filter(idempotency_key__startswith="cohort:"))
    assert {c.recipient for c in stored} == set(people)
    assert sorted(announced) == sorted((c.pk, "issued", True) for c in stored)
    for credential in stored:
        assert credential.specification_version == version
        assert credential.document["id"] == f"urn:uuid:{credential.uuid}"
        events = Event.objects.filter(
            verb="credential.issued",
            object_type="credentials.issuedcredential",
            object_id=str(credential.pk),
        )
        assert events.get().actor == world.lan
    # Signed as the general path signs, with and without results (our verifier, which also
    # checks the official schema).
    position = {person.pk: n for n, person in enumerate(people)}
    for n in (0, 1):
        credential = next(c for c in stored if position[c.recipient_id] == n)
        assert ("result" in credential.document["credentialSubject"]) == bool(n)
        result = verify_credential(credential.document, allow_network=False)
        assert result.verified, result.errors


def test_status_entries_are_taken_in_bulk_from_the_lists_permutation(world):
    world.allow_suspension(world.centre)
    version = world.version(COLLABORATIVE)
    lists = {sl.purpose: sl for sl in StatusList.objects.filter(issuer=world.centre)}
    world.issue()  # one credential the general way first
    outcome = services.credential_issue_cohort(
        issuer=world.centre,
        version=version,
        awards=[services.CohortAward(recipient=p) for p in teachers(20)],
        actor=None,
        batch_key="k",
        batch_size=7,
    )
    for purpose, status_list in lists.items():
        status_list.refresh_from_db()
        assert status_list.allocated == 21
        expected = {
            statuslist.position(
                n,
                multiplier=status_list.multiplier,
                offset=status_list.offset,
                size=status_list.size,
            )
            for n in range(21)
        }
        taken = set(IssuedCredential.objects.values_list(f"{purpose}_index", flat=True))
        assert taken == expected  # every position once, none skipped, none twice
    credential = next(iter(outcome.issued.values()))
    entries = credential.document["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    assert entries[0]["statusListIndex"] == str(credential.revocation_index)


def test_a_re_run_issues_nothing_twice_even_after_a_crash_between_batches(world):
    version = world.version(COLLABORATIVE)
    awards = [services.CohortAward(recipient=p) for p in teachers(25)]

    class Crash(Exception):
        pass

    def crash_after_first_batch(settled: int) -> None:
        if settled >= 10:
            raise Crash

    with pytest.raises(Crash):
        services.credential_issue_cohort(
            issuer=world.centre,
            version=version,
            awards=awards,
            actor=None,
            batch_key="autumn",
            batch_size=10,
            progress=crash_after_first_batch,
        )
    assert IssuedCredential.objects.count() == 10
    first_ten = set(IssuedCredential.objects.values_list("pk", flat=True))

    again = services.credential_issue_cohort(
        issuer=world.centre,
        version=version,
        awards=awards,
        actor=None,
        batch_key="autumn",
    )
    assert (len(again.existing), len(again.issued)) == (10, 15)
    assert {c.pk for c in again.existing.values()} == first_ten
    assert IssuedCredential.objects.count() == 25

    third = services.credential_issue_cohort(
        issuer=world.centre,
        version=version,
        awards=awards,
        actor=None,
        batch_key="autumn",
    )
    assert (len(third.existing), len(third.issued)) == (25, 0)
    assert IssuedCredential.objects.count() == 25
    # Another batch key is another cohort: the same people earn it again.
    other = services.credential_issue_cohort(
        issuer=world.centre,
        version=version,
        awards=awards[:3],
        actor=None,
        batch_key="spring",
    )
    assert len(other.issued) == 3


def test_the_next_batch_is_signed_in_another_thread_while_one_is_stored(world, monkeypatch):
    version = world.version(COLLABORATIVE)
    signing_threads: set[str] = set()
    signed = threading.Semaphore(0)
    sign = cohort.CohortSigner.sign

    def watched_sign(self, credential, **kwargs):
        signing_threads.add(threading.current_thread().name)
        document = sign(self, credential, **kwargs)
        signed.release()
        return document

    monkeypatch.setattr(cohort.CohortSigner, "sign", watched_sign)
    stored_batches = []

    def while_storing(sender, credentials, **kwargs):
        # Inside the first batch's transaction: the second batch gets signed meanwhile.
        if not stored_batches:
            for _ in range(10 + 10):
                assert signed.acquire(timeout=30), "the next batch was not signed meanwhile"
        stored_batches.append(len(credentials))

    credentials_issued.connect(while_storing, dispatch_uid="test.cohort.overlap")
    try:
        outcome = services.credential_issue_cohort(
            issuer=world.centre,
            version=version,
            awards=[services.CohortAward(recipient=p) for p in teachers(25)],
            actor=None,
            batch_key="overlap",
            batch_size=10,
        )
    finally:
        credentials_issued.disconnect(dispatch_uid="test.cohort.overlap")
    assert stored_batches == [10, 10, 5] and len(outcome.issued) == 25
    assert threading.current_thread().name not in signing_threads
    assert all(name.startswith("cohort-signing") for name in signing_threads)


def test_the_signing_thread_may_not_query_the_database(world, monkeypatch):
    sign = cohort.CohortSigner.sign

    def sign_and_query(self, credential, **kwargs):
        User.objects.count()
        return sign(self, credential, **kwargs)

    monkeypatch.setattr(cohort.CohortSigner, "sign", sign_and_query)
    with pytest.raises(RuntimeError, match="must not query the database"):
        services.credential_issue_cohort(
            issuer=world.centre,
            version=world.version(COLLABORATIVE),
            awards=[services.CohortAward(recipient=p) for p in teachers(3)],
            actor=None,
            batch_key="queries",
        )
    assert not IssuedCredential.objects.exists()


def test_keys_another_run_stored_while_a_batch_was_signed_come_back_as_theirs(world):
    version = world.version(COLLABORATIVE)
    people = teachers(20)
    theirs: dict = {}
    raced = []

    def meanwhile(sender, credentials, **kwargs):
        # While the first batch is stored, "another run" issues two awards of the second,
        # whose keys were found free before it was signed: storing it collides, and the
        # batch is issued again without them.
        if not raced:
            raced.append(True)
            for person in people[12:14]:
                theirs[person.pk] = services.credential_issue(
                    issuer=world.centre,
                    recipient=person,
                    version=version,
                    actor=None,
                    idempotency_key=services.cohort_key("race", person),
                )

    credentials_issued.connect(meanwhile, dispatch_uid="test.cohort.race")
    try:
        outcome = services.credential_issue_cohort(
            issuer=world.centre,
            version=version,
            awards=[services.CohortAward(recipient=p) for p in people],
            actor=None,
            batch_key="race",
            batch_size=10,
        )
    finally:
        credentials_issued.disconnect(dispatch_uid="test.cohort.race")
    assert (len(outcome.issued), len(outcome.existing)) == (18, 2)
    assert {outcome.existing[12].pk, outcome.existing[13].pk} == {c.pk for c in theirs.values()}
    assert IssuedCredential.objects.count() == 20
    assert set(IssuedCredential.objects.values_list("recipient", flat=True)) == {
        p.pk for p in people
    }


def test_the_same_recipient_twice_in_one_cohort_gets_one_credential(world):
    person = teachers(1)[0]
    outcome = services.credential_issue_cohort(
        issuer=world.centre,
        version=world.version(COLLABORATIVE),
        awards=[services.CohortAward(recipient=person), services.CohortAward(recipient=person)],
        actor=None,
        batch_key="twice",
    )
    assert list(outcome.issued) == [0]
    assert outcome.existing == {1: outcome.issued[0]}
    assert IssuedCredential.objects.count() == 1


def test_awards_that_cannot_be_issued_are_refused_with_the_reason_and_the_rest_go_on(world):
    version = world.version(COLLABORATIVE)
    other = world.version("design-ai-enhanced-learning-activities")
    foreign = other.alignments.exclude(
        competence__in=version.alignments.values("competence")
    ).first()
    level = foreign.competence.framework.levels.first()
    good, no_email, wrong_result, bad_evidence = teachers(4)
    User.objects.filter(pk=no_email.pk).update(email="")
    no_email.refresh_from_db()
    outcome = services.credential_issue_cohort(
        issuer=world.centre,
        version=version,
        awards=[
            services.CohortAward(recipient=good),
            services.CohortAward(recipient=no_email),
            services.CohortAward(recipient=wrong_result, results={foreign.competence_id: level}),
            services.CohortAward(
                recipient=bad_evidence,
                evidence=[openbadges.Evidence("not a url", "Portfolio")],
                idempotency_key="own-key",
            ),
        ],
        actor=None,
        batch_key="mixed",
    )
    assert list(outcome.issued) == [0]
    assert "no e-mail address" in outcome.refused[1]
    assert "not aligned to" in outcome.refused[2]
    assert "not an absolute IRI" in outcome.refused[3]
    assert IssuedCredential.objects.count() == 1


def test_a_version_that_may_not_be_awarded_refuses_the_whole_cohort(world):
    version = world.version(COLLABORATIVE)
    SpecificationVersion.objects.filter(pk=version.pk).update(status="withdrawn")
    version.refresh_from_db()
    with pytest.raises(services.IssuanceError, match="only published versions"):
        services.credential_issue_cohort(
            issuer=world.centre,
            version=version,
            awards=[services.CohortAward(recipient=world.lan)],
            actor=None,
            batch_key="x",
        )
    assert not IssuedCredential.objects.exists()


def test_completing_a_pathway_through_a_cohort_issues_its_certificate(world):
    from microcert.credentials.tests.test_services import _earn_parts

    members = world.members()
    required = world.pathway.required_count
    _earn_parts(world, required - 1, recipient=world.hung)  # one part short
    last = members[required - 1]
    body = last.awarding_bodies.exclude(slug="centre").first()
    issuer = world.hust if body and body.slug == "hust" else world.centre
    services.credential_issue_cohort(
        issuer=issuer,
        version=last,
        awards=[
            services.CohortAward(recipient=world.hung),
            services.CohortAward(recipient=world.lan),
        ],
        actor=None,
        batch_key="last-part",
    )
    certificates = IssuedCredential.objects.filter(pathway=world.pathway)
    assert [c.recipient for c in certificates] == [world.hung]  # Lan holds one part only


def test_every_credential_of_a_1000_cohort_verifies_in_digital_bazaars_verifier(world):
    """The acceptance run in the test suite. The benchmark (``make bench``, group
    ``issuance``) does the same for a cohort of 10,000, which takes Node about five minutes."""
    from microcert.credentials.tests.batch_verifier import verify_batch

    version = world.version(COLLABORATIVE)
    awards = [services.CohortAward(recipient=p) for p in teachers(1000)]
    outcome = services.credential_issue_cohort(
        issuer=world.centre, version=version, awards=awards, actor=None, batch_key="acceptance"
    )
    assert len(outcome.issued) == 1000 and outcome.signed_general == 0
    documents = [c.document for c in IssuedCredential.objects.order_by("id")]
    verdict = verify_batch(documents, cohort_documents(), processes=2)
    assert len(verdict.results) == 1000
    assert verdict.failures == []
    assert not any(result["revoked"] for result in verdict.results)
