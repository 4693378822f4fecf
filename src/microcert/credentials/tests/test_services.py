"""Issuers, keys, issuance, status changes and stacking, through the services."""

import pytest
from django.db import connection

from microcert.catalog.models import Pathway
from microcert.core.models import Event
from microcert.credentials import keystore, services, statuslist
from microcert.credentials.models import IssuedCredential, IssuerKey, StatusList
from microcert.credentials.openbadges import Evidence
from microcert.credentials.verification import verify_credential
from microcert.frameworks.models import ProficiencyLevel


def events(verb: str, target) -> int:
    return Event.objects.filter(
        verb=verb, object_type=target._meta.label_lower, object_id=str(target.pk)
    ).count()


# --- issuers and keys ---------------------------------------------------------------------


def test_issuer_create_gives_a_did_web_one_active_key_and_signed_status_lists(world):
    assert services.issuer_did(world.centre) == "did:web:microcert.test:issuers:centre"
    assert world.centre.keys.filter(retired_at__isnull=True).count() == 1
    lists = StatusList.objects.filter(issuer=world.centre)
    assert sorted(lists.values_list("purpose", flat=True)) == ["revocation", "suspension"]
    for status_list in lists:
        assert status_list.size >= 131_072
        assert verify_credential(status_list.signed_credential, allow_network=False).verified
    assert events("issuer.created", world.centre) == 1


def test_private_keys_are_stored_encrypted_and_bound_to_their_public_key(world):
    key = world.centre.keys.get()
    blob = bytes(key.encrypted_private_key)
    private = services._private_key(key)
    assert private.private_bytes_raw() not in blob
    other = world.hust.keys.get()
    with pytest.raises(keystore.KeyDecryptionError):
        keystore.decrypt_private_key(blob, kek_id=key.kek_id, bound_to=other.public_key_multibase)


def test_keys_encrypted_under_an_older_key_encryption_key_still_decrypt(world, settings):
    settings.KEY_ENCRYPTION_KEYS = ["k1:" + "A" * 43]
    kek_id, blob = keystore.encrypt_private_key(b"x" * 32, bound_to="z6Mk-test")
    settings.KEY_ENCRYPTION_KEYS = ["k2:" + "B" * 43, "k1:" + "A" * 43]
    assert keystore.decrypt_private_key(blob, kek_id=kek_id, bound_to="z6Mk-test") == b"x" * 32
    settings.KEY_ENCRYPTION_KEYS = ["k2:" + "B" * 43]
    with pytest.raises(keystore.KeyDecryptionError, match="k1"):
        keystore.decrypt_private_key(blob, kek_id=kek_id, bound_to="z6Mk-test")


def test_key_repr_and_str_never_show_key_material(world):
    key = world.centre.keys.get()
    text = repr(key) + str(key)
    assert bytes(key.encrypted_private_key).hex() not in text


def test_rotation_signs_new_credentials_with_the_new_key_and_old_ones_keep_verifying(world):
    before = world.issue()
    new_key = services.issuer_rotate_key(issuer=world.centre, actor=None, reason="yearly")
    after = world.issue(slug="assess-learning-from-process-performance")
    assert before.signing_key_id != new_key.pk == after.signing_key_id
    assert IssuerKey.objects.filter(issuer=world.centre, retired_at__isnull=True).count() == 1
    assert verify_credential(before.document, allow_network=False).verified
    assert verify_credential(after.document, allow_network=False).verified
    assert events("issuer.key_rotated", world.centre) == 1


def test_rotation_requires_a_reason(world):
    with pytest.raises(services.IssuanceError):
        services.issuer_rotate_key(issuer=world.centre, actor=None, reason=" ")


def test_a_did_key_issuer_signs_as_its_key_and_keeps_verifying_after_rotation(world):
    from microcert.network.models import Organisation

    issuer = services.issuer_create(
        organisation=Organisation.objects.get(slug="ut"), actor=None, did_method="key"
    )
    version = world.version("develop-skills-in-virtual-spaces")
    first = services.credential_issue(
        issuer=issuer, recipient=world.lan, version=version, actor=None
    )
    assert first.document["issuer"]["id"].startswith("did:key:z6Mk")
    services.issuer_rotate_key(issuer=issuer, actor=None, reason="compromise drill")
    second = services.credential_issue(
        issuer=issuer, recipient=world.hung, version=version, actor=None
    )
    assert second.document["issuer"]["id"] != first.document["issuer"]["id"]
    services.credential_revoke(credential=first, actor=None, reason="test")
    result = verify_credential(first.document, allow_network=False)
    assert result.revoked and not result.verified
    assert verify_credential(second.document, allow_network=False).verified


# --- issuance -----------------------------------------------------------------------------


def test_credential_issue_stores_the_signed_credential_and_records_an_event(world):
    credential = world.issue()
    assert credential.document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential.document["id"] == f"urn:uuid:{credential.uuid}"
    assert credential.recipient == world.lan
    assert events("credential.issued", credential) == 1
    assert verify_credential(credential.document, allow_network=False).verified


def test_results_and_evidence_are_carried_in_the_credential(world):
    version = world.version("organise-and-facilitate-online-collaborative-learning")
    alignment = version.alignments.select_related("competence", "target_level").first()
    level = ProficiencyLevel.objects.get(framework=alignment.competence.framework, code="B2")
    credential = world.issue(
        results={alignment.competence_id: level},
        evidence=[Evidence(url="https://microcert.test/en/reviews/1/", name="Reviewed portfolio")],
    )
    result = credential.document["credentialSubject"]["result"][0]
    assert result["achievedLevel"] == level.uri and result["value"] == "B2"
    assert result["resultDescription"].endswith(str(alignment.competence.uuid))
    assert credential.document["evidence"][0]["id"] == "https://microcert.test/en/reviews/1/"


def test_a_level_from_another_framework_is_refused(world):
    version = world.version("organise-and-facilitate-online-collaborative-learning")
    alignment = version.alignments.first()
    foreign = ProficiencyLevel.objects.exclude(framework=alignment.competence.framework).first()
    with pytest.raises(services.IssuanceError, match="not a level"):
        world.issue(results={alignment.competence_id: foreign})
    assert not IssuedCredential.objects.exists()


def test_an_issuer_that_is_not_an_awarding_body_cannot_issue(world):
    with pytest.raises(services.IssuanceError, match="not an awarding body"):
        world.issue(slug="assess-learning-from-process-performance", issuer=world.hust)


def test_a_draft_version_cannot_be_awarded(world):
    from microcert.catalog.models import SpecificationVersion

    version = world.version("organise-and-facilitate-online-collaborative-learning")
    SpecificationVersion.objects.filter(pk=version.pk).update(status="withdrawn")
    version.refresh_from_db()
    with pytest.raises(services.IssuanceError, match="only published versions"):
        services.credential_issue(
            issuer=world.centre, recipient=world.lan, version=version, actor=None
        )


def test_the_same_idempotency_key_issues_only_once(world):
    first = world.issue(idempotency_key="row-1")
    again = world.issue(idempotency_key="row-1")
    assert first.pk == again.pk
    assert IssuedCredential.objects.filter(pathway__isnull=True).count() == 1


def test_validity_months_sets_valid_until(world):
    from microcert.catalog.models import SpecificationVersion

    version = world.version("organise-and-facilitate-online-collaborative-learning")
    SpecificationVersion.objects.filter(pk=version.pk).update(validity_months=24)
    credential = world.issue()
    assert credential.valid_until.year == credential.valid_from.year + 2
    assert credential.document["validUntil"].startswith(str(credential.valid_until.year))


def test_the_credential_is_in_the_recipients_language_when_the_content_has_it(world):
    world.lan.preferred_language = "vi"
    world.lan.save()
    credential = world.issue()
    assert credential.language == "vi"
    assert credential.document["credentialSubject"]["achievement"]["inLanguage"] == "vi"


# --- status -------------------------------------------------------------------------------


def test_status_indices_are_distinct_and_spread_over_the_list(world):
    indices = [world.issue(idempotency_key=f"k{n}").revocation_index for n in range(6)]
    assert len(set(indices)) == 6
    assert indices != sorted(indices) or max(indices) > 6


def test_revoke_sets_the_bit_resigns_the_list_and_records_the_reason(world):
    credential = world.issue()
    services.credential_revoke(credential=credential, actor=None, reason="plagiarism")
    status_list = StatusList.objects.get(pk=credential.revocation_list_id)
    encoded = status_list.signed_credential["credentialSubject"]["encodedList"]
    assert statuslist.get_bit(statuslist.decode(encoded), credential.revocation_index)
    result = verify_credential(credential.document, allow_network=False)
    assert result.revoked and not result.verified
    event = Event.objects.get(verb="credential.revoked", object_id=str(credential.pk))
    assert event.reason == "plagiarism"


def test_revoking_twice_or_without_a_reason_is_refused(world):
    credential = world.issue()
    with pytest.raises(services.StatusChangeError, match="reason"):
        services.credential_revoke(credential=credential, actor=None, reason="")
    services.credential_revoke(credential=credential, actor=None, reason="error")
    with pytest.raises(services.StatusChangeError, match="already revoked"):
        services.credential_revoke(credential=credential, actor=None, reason="again")


def test_suspend_and_reinstate_flip_the_suspension_bit(world):
    world.allow_suspension(world.centre)
    credential = world.issue()
    services.credential_suspend(credential=credential, actor=None, reason="under review")
    result = verify_credential(credential.document, allow_network=False)
    assert result.suspended and not result.verified
    services.credential_reinstate(credential=credential, actor=None, reason="cleared")
    assert verify_credential(credential.document, allow_network=False).verified
    assert events("credential.suspended", credential) == 1
    assert events("credential.reinstated", credential) == 1


def test_a_credential_without_a_suspension_entry_cannot_be_suspended(world):
    credential = world.issue()
    with pytest.raises(services.StatusChangeError, match="only be revoked"):
        services.credential_suspend(credential=credential, actor=None, reason="x")


# --- stacking -----------------------------------------------------------------------------


def _earn_parts(world, count: int, recipient=None) -> list[IssuedCredential]:
    recipient = recipient or world.lan
    parts = []
    for version in world.members()[:count]:
        body = version.awarding_bodies.exclude(slug="centre").first()
        issuer = world.hust if body and body.slug == "hust" else world.centre
        parts.append(
            services.credential_issue(
                issuer=issuer, recipient=recipient, version=version, actor=None
            )
        )
    return parts


def test_holding_every_required_part_issues_the_certificate_exactly_once(world):
    parts = _earn_parts(world, world.pathway.required_count)
    certificates = IssuedCredential.objects.filter(pathway=world.pathway)
    assert certificates.count() == 1
    certificate = certificates.get()
    assert certificate.document["credentialSubject"]["achievement"]["achievementType"] == (
        "Certificate"
    )
    listed = {e["id"] for e in certificate.document["evidence"]}
    assert listed == {p.document["id"] for p in parts}
    assert set(certificate.components.all()) == set(parts)
    # A fifth part does not issue a second certificate.
    _earn_parts(world, world.pathway.required_count + 1)
    assert IssuedCredential.objects.filter(pathway=world.pathway).count() == 1


def test_fewer_parts_than_required_issue_no_certificate(world):
    _earn_parts(world, world.pathway.required_count - 1)
    assert not IssuedCredential.objects.filter(pathway=world.pathway).exists()


def test_revoking_a_part_flags_the_certificate_under_the_flag_policy(world):
    parts = _earn_parts(world, world.pathway.required_count)
    certificate = IssuedCredential.objects.get(pathway=world.pathway)
    services.credential_revoke(credential=parts[0], actor=None, reason="misconduct")
    certificate.refresh_from_db()
    assert certificate.needs_review and certificate.status == "active"
    assert events("credential.flagged", certificate) == 1


def test_revoking_a_part_revokes_the_certificate_under_the_revoke_policy(world):
    Pathway.objects.filter(pk=world.pathway.pk).update(revocation_policy="revoke")
    parts = _earn_parts(world, world.pathway.required_count)
    certificate = IssuedCredential.objects.get(pathway=world.pathway)
    services.credential_revoke(credential=parts[0], actor=None, reason="misconduct")
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and "misconduct" in certificate.status_reason
    assert verify_credential(certificate.document, allow_network=False).revoked


def test_a_certificate_still_earned_through_other_parts_is_left_alone(world):
    Pathway.objects.filter(pk=world.pathway.pk).update(revocation_policy="revoke")
    parts = _earn_parts(world, world.pathway.required_count + 1)
    certificate = IssuedCredential.objects.get(pathway=world.pathway)
    # Parts beyond the required count were earned after the certificate; revoke an early one.
    services.credential_revoke(credential=parts[0], actor=None, reason="duplicate")
    certificate.refresh_from_db()
    assert certificate.status == "active" and not certificate.needs_review


def test_the_event_log_cannot_be_rewritten_by_a_revocation(world):
    credential = world.issue()
    services.credential_revoke(credential=credential, actor=None, reason="x")
    if connection.vendor == "postgresql":
        assert Event.objects.filter(verb="credential.issued").count() == 1
    assert (
        Event.objects.filter(
            object_type="credentials.issuedcredential", object_id=str(credential.pk)
        ).count()
        == 2
    )


# --- VC-API documents ---------------------------------------------------------------------


def plain_credential(**changes) -> dict:
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "credentialSubject": {"id": "did:example:abc", "alumniOf": "Example University"},
    }
    credential.update(changes)
    return credential


def test_a_plain_vc2_credential_is_issued_with_our_issuer_id_and_status(world):
    record = services.credential_issue_document(issuer=world.hust, credential=plain_credential())
    document = record.document
    assert document["issuer"]["id"] == services.issuer_did(world.hust)
    assert document["credentialStatus"]["statusPurpose"] == "revocation"
    assert document["id"] == f"urn:uuid:{record.uuid}"
    assert verify_credential(document, allow_network=False).verified


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"credentialSubject": [1, 2]}, "credentialSubject"),
        ({"type": [{"a": 1}, "VerifiableCredential"]}, "type must"),
        ({"validFrom": "0001-01-01T00:00:00+01:00"}, "validFrom"),
        ({"issuanceDate": "2020-01-01T00:00:00Z"}, "VC 1.1"),
        ({"issuer": "did:web:someone.else"}, "issues as"),
        (
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "credentialSubject": {"id": "did:example:abc", "madeUp": 1},
            },
            "madeUp",
        ),
        (
            {
                "@context": [
                    "https://www.w3.org/ns/credentials/v2",
                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                ],
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "credentialSubject": {"type": ["AchievementSubject"]},
            },
            "Not a valid Open Badges",
        ),
    ],
)
def test_what_is_not_a_valid_credential_is_refused_with_the_reason(world, changes, message):
    with pytest.raises(services.IssuanceError, match=message):
        services.credential_issue_document(
            issuer=world.hust, credential=plain_credential(**changes)
        )
    assert not IssuedCredential.objects.exists()
