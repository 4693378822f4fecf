"""Acceptance: what we issue is judged by verifiers we did not write and by the official
Open Badges 3.0 JSON Schema (read from the shared standards, not from our package)."""

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from microcert.credentials import services, verification
from microcert.credentials.models import IssuedCredential, StatusList
from microcert.credentials.tests.independent import STANDARDS_DIR, verify_independently
from microcert.network.models import Organisation

OFFICIAL_SCHEMA = STANDARDS_DIR / "ob_v3p0_achievementcredential_schema.json"


def official_schema_errors(credential: dict) -> list[str]:
    schema = json.loads(Path(OFFICIAL_SCHEMA).read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(
        schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    return [error.message for error in validator.iter_errors(credential)]


def published_documents() -> dict[str, Any]:
    """What the platform serves publicly: every did:web DID document and status list."""
    documents: dict[str, Any] = {}
    for status_list in StatusList.objects.select_related("issuer__organisation"):
        documents[services.status_list_url(status_list)] = status_list.signed_credential
        issuer = status_list.issuer
        if issuer.did_method == "web":
            did = services.issuer_did(issuer)
            documents[did] = verification.own_did_document(issuer.organisation.slug)
    return documents


def leaves(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, key))
    elif isinstance(node, list):
        for position, value in enumerate(node):
            yield from leaves(value, (*path, position))
    else:
        yield path, node


def changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return f"{value}x"


def with_leaf_changed(document: dict, path: tuple) -> dict:
    tampered = copy.deepcopy(document)
    node = tampered
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = changed(node[path[-1]])
    return tampered


def test_every_issued_credential_validates_against_the_official_schema(world):
    from microcert.credentials.tests.test_services import _earn_parts

    _earn_parts(world, world.pathway.required_count)  # four parts and the certificate
    world.issue(slug="design-ai-enhanced-learning-activities", recipient=world.hung)
    issued = list(IssuedCredential.objects.all())
    assert len(issued) == world.pathway.required_count + 2
    for credential in issued:
        assert official_schema_errors(credential.document) == [], credential


def test_issued_credentials_verify_in_both_independent_verifiers(world):
    from microcert.credentials.tests.test_services import _earn_parts

    parts = _earn_parts(world, world.pathway.required_count)
    certificate = IssuedCredential.objects.get(pathway=world.pathway)
    did_key_issuer = services.issuer_create(
        organisation=Organisation.objects.get(slug="ut"), actor=None, did_method="key"
    )
    did_key_credential = services.credential_issue(
        issuer=did_key_issuer,
        recipient=world.lan,
        version=world.version("develop-skills-in-virtual-spaces"),
        actor=None,
    )
    credentials = [p.document for p in parts] + [certificate.document, did_key_credential.document]
    results = verify_independently(credentials, published_documents())
    for document, result in zip(credentials, results, strict=True):
        assert result["digitalbazaar"]["verified"], (document["name"], result["digitalbazaar"])
        assert not result["digitalbazaar"]["revoked"]
        assert result["dcc"]["verified"], (document["name"], result["dcc"])
        assert result["dcc"]["offlineMisses"] == []
        assert verification.verify_credential(document, allow_network=False).verified


def test_changing_any_single_value_is_rejected_by_us_and_by_both_verifiers(world):
    credential = world.issue()
    document = credential.document
    paths = [path for path, _ in leaves(document)]
    assert len(paths) > 150  # the whole credential, proof included
    variants = [with_leaf_changed(document, path) for path in paths]

    results = verify_independently(variants, published_documents())

    accepted_by_us = [
        path
        for path, variant in zip(paths, variants, strict=True)
        if verification.verify_credential(variant, allow_network=False).verified
    ]
    accepted_by_digitalbazaar = [
        path for path, r in zip(paths, results, strict=True) if r["digitalbazaar"]["verified"]
    ]
    accepted_by_dcc = [path for path, r in zip(paths, results, strict=True) if r["dcc"]["verified"]]
    assert accepted_by_us == []
    assert accepted_by_digitalbazaar == []
    assert accepted_by_dcc == []


def test_a_revoked_credential_is_reported_revoked_by_both_verifiers(world):
    credential = world.issue()
    services.credential_revoke(credential=credential, actor=None, reason="test")
    [result] = verify_independently([credential.document], published_documents())
    assert result["digitalbazaar"]["revoked"] is True
    assert result["dcc"]["revoked"] is True and not result["dcc"]["verified"]
    ours = verification.verify_credential(credential.document, allow_network=False)
    assert ours.revoked and not ours.verified


def test_a_suspended_credential_is_reported_suspended_by_both_and_reinstated_verifies(world):
    world.allow_suspension(world.centre)
    credential = world.issue()
    services.credential_suspend(credential=credential, actor=None, reason="review")
    [suspended] = verify_independently([credential.document], published_documents())
    assert suspended["digitalbazaar"]["suspended"] is True
    assert suspended["dcc"]["suspended"] is True and not suspended["dcc"]["verified"]

    services.credential_reinstate(credential=credential, actor=None, reason="cleared")
    [reinstated] = verify_independently([credential.document], published_documents())
    assert reinstated["digitalbazaar"]["verified"] and not reinstated["digitalbazaar"]["suspended"]
    assert reinstated["dcc"]["verified"]


@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
def test_status_lists_have_at_least_131072_entries_and_verify_independently(world, purpose):
    status_list = StatusList.objects.get(issuer=world.centre, purpose=purpose)
    [result] = verify_independently([status_list.signed_credential], published_documents())
    assert result["digitalbazaar"]["verified"] and result["dcc"]["signatureValid"]
    subject = status_list.signed_credential["credentialSubject"]
    from microcert.credentials import statuslist

    assert len(statuslist.decode(subject["encodedList"])) * 8 >= 131_072
