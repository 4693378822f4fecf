"""The verifier's caches: fast on the second look, never wrong about a key or a status."""

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

from django.core.cache import cache
from django.core.management import call_command

from microcert.credentials import dataintegrity, did, services, verification
from microcert.credentials.models import StatusList
from microcert.credentials.verification import Reason, verify_credential


def _warm(document: dict) -> None:
    for _ in range(2):
        assert verify_credential(document, allow_network=False).verified


def test_a_warm_verification_of_our_credential_asks_the_database_once(
    world, django_assert_max_num_queries
):
    document = world.issue().document
    _warm(document)
    # The status list, read live; the DID document and the proof come from the cache.
    with django_assert_max_num_queries(1):
        assert verify_credential(document, allow_network=False).verified


def test_the_proof_of_the_same_bytes_is_checked_once_and_a_changed_document_again(world):
    document = world.issue().document
    with mock.patch.object(dataintegrity, "verify", wraps=dataintegrity.verify) as verify:
        _warm(document)
        # The credential and its status list, each once.
        assert verify.call_count == 2
        changed = json.loads(json.dumps(document))
        changed["name"] = "Another name"
        result = verify_credential(changed, allow_network=False)
        assert result.reasons == [Reason.SIGNATURE_INVALID]
        assert verify.call_count == 3


def test_a_revocation_is_seen_at_once_after_the_status_list_was_cached(world):
    issued = world.issue()
    _warm(issued.document)
    services.credential_revoke(credential=issued, actor=None, reason="plagiarism")
    result = verify_credential(issued.document, allow_network=False)
    assert result.revoked and result.reasons == [Reason.REVOKED]


def test_a_suspension_and_its_end_are_seen_at_once(world):
    world.allow_suspension(world.centre)
    issued = world.issue()
    _warm(issued.document)
    services.credential_suspend(credential=issued, actor=None, reason="inquiry")
    assert verify_credential(issued.document, allow_network=False).suspended
    services.credential_reinstate(credential=issued, actor=None, reason="cleared")
    assert verify_credential(issued.document, allow_network=False).verified


def test_a_rotated_key_clears_the_cached_did_document(world):
    issued = world.issue()
    _warm(issued.document)
    slug = world.centre.organisation.slug
    old = issued.signing_key
    cached = verification.own_did_entry(slug)
    assert cached["retired"] == {}
    new = services.issuer_rotate_key(issuer=world.centre, actor=None, reason="yearly")
    entry = verification.own_did_entry(slug)
    methods = [m["publicKeyMultibase"] for m in entry["document"]["verificationMethod"]]
    assert methods == [new.public_key_multibase, old.public_key_multibase]
    centre_did = services.issuer_did(world.centre)
    old_method = did.verification_method_id(centre_did, old.public_key_multibase)
    assert old_method in entry["retired"]
    # The old key's past still verifies; what it would sign now does not (see test_forgery).
    assert verify_credential(issued.document, allow_network=False).verified


def test_a_key_made_in_another_process_is_found_despite_a_stale_cache(world):
    slug = world.centre.organisation.slug
    stale = verification.own_did_entry(slug)
    services.issuer_rotate_key(issuer=world.centre, actor=None, reason="yearly")
    # Another process rotated: this process's cache still holds the old document.
    cache.set(verification._own_did_cache_key(slug), stale, 60)
    issued = world.issue()  # signed by the new key
    assert verify_credential(issued.document, allow_network=False).verified


def test_status_lists_carry_a_short_validity_and_are_signed_again_before_it_ends(world, client):
    issued = world.issue()
    status_list = issued.revocation_list
    signed = status_list.signed_credential
    valid_from = datetime.fromisoformat(signed["validFrom"])
    valid_until = datetime.fromisoformat(signed["validUntil"])
    assert valid_until - valid_from == timedelta(days=1)

    # Half a day later (here: a list signed without validUntil, as before this change).
    old = dict(signed)
    old.pop("validUntil")
    StatusList.objects.filter(pk=status_list.pk).update(signed_credential=old)
    served = client.get(f"/status/{status_list.uuid}").json()
    assert "validUntil" in served
    assert verify_credential(issued.document, allow_network=False).verified


def test_the_refresh_command_signs_only_the_lists_that_need_it(world, capsys):
    lists = list(StatusList.objects.all())
    first = lists[0]
    unsigned = dict(first.signed_credential)
    unsigned["validUntil"] = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    StatusList.objects.filter(pk=first.pk).update(signed_credential=unsigned)
    call_command("refresh_status_lists")
    assert "1 status list(s) signed again." in capsys.readouterr().out
    first.refresh_from_db()
    assert verification.status_list_needs_signing(first.signed_credential) is False


def test_remote_documents_are_kept_no_longer_than_their_headers_and_validity_allow(settings):
    settings.CREDENTIALS_REMOTE_CACHE_SECONDS = 300
    now = datetime(2026, 1, 1, tzinfo=UTC)
    seconds = verification.remote_cache_seconds
    assert seconds("", {}, now) == 300
    assert seconds("public, max-age=60", {}, now) == 60
    assert seconds("public, max-age=6000", {}, now) == 300
    assert seconds("no-store", {}, now) == 0
    assert seconds("no-cache, max-age=60", {}, now) == 0
    assert seconds("max-age=600", {"validUntil": "2026-01-01T00:02:00Z"}, now) == 120
    assert seconds("", {"validUntil": "2025-12-31T00:00:00Z"}, now) == 0


def test_every_check_carries_a_reason_code_in_the_api(world, client):
    document = world.issue().document
    ok = client.post(
        "/credentials/verify",
        {"verifiableCredential": document},
        content_type="application/json",
    ).json()
    assert ok["reasons"] == [] and {c["code"] for c in ok["checks"]} == {"ok"}
    document = json.loads(json.dumps(document))
    document["name"] = "Changed"
    refused = client.post(
        "/credentials/verify",
        {"verifiableCredential": document},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["reasons"] == [Reason.SIGNATURE_INVALID]
