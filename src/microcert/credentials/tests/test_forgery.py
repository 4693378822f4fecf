"""Forged and tampered credentials: our verifier refuses each one with its exact reason code.

Each test builds its forgery from a credential issued through the services (or from another
platform's issuer made here with a fresh key) and asserts the reason a program would read.
"""

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from microcert.credentials import dataintegrity, did, multikey, services, statuslist
from microcert.credentials.models import IssuedCredential, IssuerKey
from microcert.credentials.verification import Reason, verify_credential

FOREIGN_DID = "did:web:other.example:issuers:x"
FOREIGN_LIST = "https://other.example/status/1"


def _unsigned(document: dict) -> dict:
    unsigned = copy.deepcopy(document)
    unsigned.pop("proof")
    return unsigned


def _sign(document: dict, private_key: Ed25519PrivateKey, method: str, created=None) -> dict:
    return dataintegrity.sign(
        _unsigned(document) if "proof" in document else document,
        private_key=private_key,
        verification_method=method,
        created=created or datetime.now(UTC),
    )


def _own_key(issuer) -> tuple[Ed25519PrivateKey, str]:
    key = issuer.keys.get(retired_at__isnull=True)
    return services._private_key(key), services.verification_method(issuer, key)


def _checks(result) -> dict[str, str]:
    return {check.name: check.code for check in result.checks}


# --- another platform's issuer, with a key made here -------------------------------------


class Foreign:
    """An issuer on another platform: its DID document and status list are handed to the
    verifier as documents (as if fetched), so each test controls what it "fetches"."""

    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()
        self.public = multikey.encode_public_key(self.key.public_key())
        self.method = did.verification_method_id(FOREIGN_DID, self.public)
        self.did_document = did.did_web_document(FOREIGN_DID, [self.public])

    def credential(self, base: dict, index: int = 7) -> dict:
        unsigned = _unsigned(base)
        unsigned["issuer"]["id"] = FOREIGN_DID
        unsigned["credentialStatus"] = {
            "id": f"{FOREIGN_LIST}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": FOREIGN_LIST,
        }
        return _sign(unsigned, self.key, self.method)

    def status_list(
        self,
        *,
        revoked: tuple[int, ...] = (),
        made: datetime | None = None,
        valid_for: timedelta = timedelta(days=1),
        issuer: str = FOREIGN_DID,
        key: Ed25519PrivateKey | None = None,
        method: str | None = None,
    ) -> dict:
        made = made or datetime.now(UTC).replace(microsecond=0)
        bits = statuslist.empty_bits(131_072)
        for index in revoked:
            bits = statuslist.set_bit(bits, index, True)
        unsigned = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": FOREIGN_LIST,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer,
            "validFrom": made.isoformat().replace("+00:00", "Z"),
            "validUntil": (made + valid_for).isoformat().replace("+00:00", "Z"),
            "credentialSubject": {
                "id": f"{FOREIGN_LIST}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": statuslist.encode(bits),
            },
        }
        return _sign(unsigned, key or self.key, method or self.method, created=made)

    def verify(self, credential: dict, *, status_list: dict, did_document: dict | None = None):
        documents = {
            FOREIGN_DID: did_document or self.did_document,
            FOREIGN_LIST: status_list,
        }
        return verify_credential(credential, documents=documents, allow_network=False)


@pytest.fixture
def foreign() -> Foreign:
    return Foreign()


# --- unknown keys ------------------------------------------------------------------------


def test_a_fresh_did_key_signing_for_our_issuer_is_refused(world):
    document = world.issue().document
    stranger = Ed25519PrivateKey.generate()
    did_key = "did:key:" + multikey.encode_public_key(stranger.public_key())
    forged = _sign(document, stranger, f"{did_key}#{did_key.removeprefix('did:key:')}")
    result = verify_credential(forged, allow_network=False)
    assert not result.verified
    assert _checks(result)["issuer"] == Reason.ISSUER_MISMATCH
    assert result.reasons == [Reason.ISSUER_MISMATCH]


def test_a_key_our_did_web_does_not_list_is_refused_as_unknown(world):
    document = world.issue().document
    stranger = Ed25519PrivateKey.generate()
    centre_did = services.issuer_did(world.centre)
    method = did.verification_method_id(
        centre_did, multikey.encode_public_key(stranger.public_key())
    )
    result = verify_credential(_sign(document, stranger, method), allow_network=False)
    assert result.reasons == [Reason.KEY_UNKNOWN]
    assert "is not an assertion method" in " ".join(result.errors)


def test_a_proof_by_the_key_of_another_of_our_issuers_is_refused(world):
    document = world.issue().document  # issued by the Centre
    hust_key, hust_method = _own_key(world.hust)
    result = verify_credential(_sign(document, hust_key, hust_method), allow_network=False)
    assert _checks(result)["proof"] == Reason.OK  # a good signature, by the wrong issuer
    assert result.reasons == [Reason.ISSUER_MISMATCH]


# --- a changed issuer --------------------------------------------------------------------


def test_an_issuer_id_changed_after_signing_breaks_the_signature(world):
    forged = copy.deepcopy(world.issue().document)
    forged["issuer"]["id"] = services.issuer_did(world.hust)
    result = verify_credential(forged, allow_network=False)
    assert _checks(result)["proof"] == Reason.SIGNATURE_INVALID
    assert Reason.SIGNATURE_INVALID in result.reasons


def test_an_issuer_id_changed_and_signed_again_with_a_valid_key_is_refused(world):
    unsigned = _unsigned(world.issue().document)
    unsigned["issuer"]["id"] = services.issuer_did(world.hust)  # claims HUST...
    centre_key, centre_method = _own_key(world.centre)  # ...signed by the Centre
    result = verify_credential(_sign(unsigned, centre_key, centre_method), allow_network=False)
    assert _checks(result)["proof"] == Reason.OK
    assert Reason.ISSUER_MISMATCH in result.reasons


# --- key rotation ------------------------------------------------------------------------


def test_a_rotated_out_key_keeps_its_past_but_signs_nothing_new(world):
    before = world.issue().document
    old = world.centre.keys.get(retired_at__isnull=True)
    old_private, old_method = (
        services._private_key(old),
        services.verification_method(world.centre, old),
    )
    services.issuer_rotate_key(issuer=world.centre, actor=None, reason="yearly")
    old.refresh_from_db()

    assert verify_credential(before, allow_network=False).verified  # signed before: still good

    after = _sign(before, old_private, old_method, created=old.retired_at + timedelta(minutes=1))
    result = verify_credential(after, allow_network=False)
    assert _checks(result)["proof"] == Reason.OK
    assert result.reasons == [Reason.KEY_RETIRED]
    assert "retired" in " ".join(result.errors)


# --- status lists ------------------------------------------------------------------------


def test_a_replayed_status_list_from_before_a_revocation_is_refused(world, foreign):
    credential = foreign.credential(world.issue().document, index=7)
    made = datetime.now(UTC).replace(microsecond=0)
    before = foreign.status_list(made=made - timedelta(hours=2))
    after = foreign.status_list(revoked=(7,), made=made - timedelta(hours=1))

    assert foreign.verify(credential, status_list=before).verified
    revoked = foreign.verify(credential, status_list=after)
    assert revoked.revoked and revoked.reasons == [Reason.REVOKED]

    replayed = foreign.verify(credential, status_list=before)
    assert not replayed.verified
    assert replayed.reasons == [Reason.STATUS_LIST_STALE]


def test_an_old_copy_of_our_own_status_list_cannot_hide_a_revocation(world):
    issued = world.issue()
    url = issued.document["credentialStatus"]["statusListCredential"]
    old_copy = copy.deepcopy(issued.revocation_list.signed_credential)
    services.credential_revoke(credential=issued, actor=None, reason="plagiarism")
    # Our lists come from the database, whatever copy a caller brings.
    result = verify_credential(issued.document, documents={url: old_copy}, allow_network=False)
    assert result.revoked and result.reasons == [Reason.REVOKED]


def test_an_expired_status_list_is_refused(world, foreign):
    credential = foreign.credential(world.issue().document)
    stale = foreign.status_list(
        made=datetime.now(UTC) - timedelta(days=3), valid_for=timedelta(days=1)
    )
    result = foreign.verify(credential, status_list=stale)
    assert result.reasons == [Reason.STATUS_LIST_EXPIRED]


def test_a_status_list_signed_by_someone_else_is_refused(world, foreign):
    credential = foreign.credential(world.issue().document)
    hust_key, hust_method = _own_key(world.hust)
    # Names the right issuer, but HUST's key made the proof.
    result = foreign.verify(
        credential, status_list=foreign.status_list(key=hust_key, method=hust_method)
    )
    assert result.reasons == [Reason.STATUS_LIST_ISSUER_MISMATCH]


def test_a_status_list_of_another_issuer_is_refused(world, foreign):
    credential = foreign.credential(world.issue().document)
    hust_key, hust_method = _own_key(world.hust)
    other = foreign.status_list(
        issuer=services.issuer_did(world.hust), key=hust_key, method=hust_method
    )
    result = foreign.verify(credential, status_list=other)
    assert result.reasons == [Reason.STATUS_LIST_ISSUER_MISMATCH]


def test_a_tampered_status_list_is_refused(world, foreign):
    credential = foreign.credential(world.issue().document, index=7)
    tampered = foreign.status_list(revoked=(7,))
    tampered["credentialSubject"]["encodedList"] = statuslist.encode(statuslist.empty_bits(131_072))
    result = foreign.verify(credential, status_list=tampered)
    assert result.reasons == [Reason.STATUS_LIST_SIGNATURE_INVALID]


# --- a DID document that changed ---------------------------------------------------------


def test_a_key_removed_from_another_platforms_did_document_is_refused(world, foreign):
    credential = foreign.credential(world.issue().document)
    status = foreign.status_list()
    assert foreign.verify(credential, status_list=status).verified
    replacement = Ed25519PrivateKey.generate()
    changed = did.did_web_document(
        FOREIGN_DID, [multikey.encode_public_key(replacement.public_key())]
    )
    result = foreign.verify(credential, status_list=status, did_document=changed)
    assert result.reasons[0] == Reason.KEY_UNKNOWN


def test_a_key_removed_from_our_did_document_is_refused_at_once(world):
    """The DID document was cached by a first verification; removing the key clears it."""
    issued = world.issue()
    document = issued.document
    assert verify_credential(document, allow_network=False).verified  # warms the cache
    key = issued.signing_key
    services.issuer_rotate_key(issuer=world.centre, actor=None, reason="compromised")
    # Status lists were signed again with the new key, so only this credential is affected.
    IssuedCredential.objects.filter(pk=issued.pk).delete()
    IssuerKey.objects.filter(pk=key.pk).delete()
    result = verify_credential(document, allow_network=False)
    assert _checks(result)["issuer"] == Reason.KEY_UNKNOWN


# --- content ----------------------------------------------------------------------------


def test_a_payload_changed_after_signing_is_refused(world):
    forged = copy.deepcopy(world.issue().document)
    forged["credentialSubject"]["achievement"]["name"] = "Something else entirely"
    result = verify_credential(forged, allow_network=False)
    assert result.reasons == [Reason.SIGNATURE_INVALID]
    assert "signature does not match" in " ".join(result.errors)


def test_the_verify_page_names_the_reason_of_a_forgery(world, client):
    from django.urls import reverse

    document = world.issue().document
    hust_key, hust_method = _own_key(world.hust)
    forged = _sign(document, hust_key, hust_method)
    response = client.post(reverse("credentials:verify"), {"credential_text": json.dumps(forged)})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Signed by someone other than the issuer" in text
    assert Reason.ISSUER_MISMATCH in text
    assert "was not made by a key of the issuer it names" in text  # the verdict
