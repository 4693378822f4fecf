"""JSON-LD layer: pinned contexts, offline loading, RDFC-1.0 canonical form, safe mode."""

import copy
import hashlib
import json
import shutil

import pytest
from pyld import jsonld as pyld_jsonld

from microcert.credentials import jsonld
from microcert.credentials.jsonld import (
    CONTEXTS_DIR,
    PINNED_CONTEXTS,
    ContextIntegrityError,
    ContextNotAvailableError,
    DocumentLoader,
    UndefinedTermError,
    canonicalize,
    find_dropped_terms,
    read_pinned_context,
)

# Test data shared by the project, beside the repository (not shipped in the product).
from microcert.credentials.tests.standards import STANDARDS_DIR as STANDARDS

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"

# From STANDARDS/README.md.
OB_DOCUMENT_CANON_SHA256 = "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
OB_PROOF_CANON_SHA256 = "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"


def load(name: str):
    return json.loads((STANDARDS / name).read_text(encoding="utf-8"))


def ob_vector() -> tuple[dict, dict]:
    """The 1EdTech OB 3.0 test vector split into (unsecured document, proof)."""
    document = load("ob3-testvector-signed.json")
    proof = document.pop("proof")
    return document, proof


def ob_credential() -> dict:
    return ob_vector()[0]


def paths_of(error: pytest.ExceptionInfo[UndefinedTermError]) -> list[str | None]:
    return error.value.paths


# --- canonical form ---------------------------------------------------------------------


def test_the_1edtech_document_canonicalizes_byte_for_byte_to_the_published_nquads():
    document, _ = ob_vector()

    nquads = canonicalize(document)

    assert nquads == (STANDARDS / "ob3-testvector-document-canon.txt").read_text(encoding="utf-8")
    assert hashlib.sha256(nquads.encode()).hexdigest() == OB_DOCUMENT_CANON_SHA256


def test_the_1edtech_proof_configuration_canonicalizes_byte_for_byte():
    document, proof = ob_vector()
    proof_config = {k: v for k, v in proof.items() if k != "proofValue"}
    proof_config["@context"] = document["@context"]

    nquads = canonicalize(proof_config)

    assert nquads == (STANDARDS / "ob3-testvector-proof-canon.txt").read_text(encoding="utf-8")
    assert hashlib.sha256(nquads.encode()).hexdigest() == OB_PROOF_CANON_SHA256


def test_canonicalization_does_not_change_the_callers_document():
    document = ob_credential()
    before = copy.deepcopy(document)

    canonicalize(document)

    assert document == before


# --- pinned contexts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shared_copy"),
    [
        (VC_V2, "credentials-v2.jsonld"),
        ("https://w3id.org/security/data-integrity/v2", "data-integrity-v2.jsonld"),
        (OB_303, "ob-v3p0-context-3.0.3.json"),
    ],
)
def test_pinned_contexts_are_byte_identical_to_the_shared_reference_copies(url, shared_copy):
    pinned = (CONTEXTS_DIR / PINNED_CONTEXTS[url].filename).read_bytes()
    reference = (STANDARDS / shared_copy).read_bytes()

    assert hashlib.sha256(pinned).hexdigest() == hashlib.sha256(reference).hexdigest()


def test_the_pinned_examples_context_is_the_one_the_w3c_vectors_use():
    reference = load("w3c-vc-di-eddsa/extra-docs.json")[EXAMPLES_V2]

    assert jsonld.pinned_context(EXAMPLES_V2) == reference


@pytest.mark.parametrize("url", sorted(PINNED_CONTEXTS))
def test_every_pinned_context_file_matches_its_recorded_sha256(url):
    entry = PINNED_CONTEXTS[url]
    data = (CONTEXTS_DIR / entry.filename).read_bytes()

    assert hashlib.sha256(data).hexdigest() == entry.sha256
    assert read_pinned_context(url) == json.loads(data)


def test_every_pinned_context_has_its_origin_and_licence_written_down():
    licences = (CONTEXTS_DIR / "LICENSES.md").read_text(encoding="utf-8")

    for entry in PINNED_CONTEXTS.values():
        assert f"`{entry.filename}`" in licences
        assert entry.url in licences


def test_a_tampered_context_file_is_refused(tmp_path):
    shutil.copytree(CONTEXTS_DIR, tmp_path, dirs_exist_ok=True)
    tampered = tmp_path / PINNED_CONTEXTS[VC_V2].filename
    tampered.write_bytes(tampered.read_bytes().replace(b"validFrom", b"validFrum"))

    with pytest.raises(ContextIntegrityError, match="altered"):
        read_pinned_context(VC_V2, directory=tmp_path)


def test_a_context_that_is_not_pinned_is_refused_and_never_fetched(monkeypatch):
    def no_network(url, options=None):
        raise AssertionError(f"pyld tried to fetch {url}")

    monkeypatch.setattr(pyld_jsonld, "_default_document_loader", no_network)
    document = ob_credential()
    document["@context"].append("https://example.org/unknown-context")

    with pytest.raises(ContextNotAvailableError, match=r"example\.org/unknown-context") as error:
        canonicalize(document)
    assert error.value.url == "https://example.org/unknown-context"


def test_callers_can_supply_other_documents_explicitly():
    extra = "https://example.org/badge-extension/v1"
    document = ob_credential()
    document["@context"].append(extra)
    document["credentialSubject"]["shoeSize"] = 42
    loader = DocumentLoader({extra: {"@context": {"shoeSize": "https://example.org/#shoeSize"}}})

    nquads = canonicalize(document, loader=loader)

    assert '<https://example.org/#shoeSize> "42"^^' in nquads


def test_supplied_documents_cannot_replace_a_pinned_context():
    with pytest.raises(ValueError, match="may not replace"):
        DocumentLoader({VC_V2: {"@context": {"@vocab": "https://evil.example/#"}}})


def test_parsed_contexts_are_cached_rather_than_loaded_for_every_document():
    calls: list[str] = []

    class CountingLoader(DocumentLoader):
        def __call__(self, url, options=None):
            calls.append(url)
            return super().__call__(url, options)

    loader = CountingLoader()
    for _ in range(20):
        canonicalize(ob_credential(), loader=loader)

    # At most one load per context URL (none if an earlier test already warmed the cache).
    assert len(calls) <= 2


# --- safe mode: nothing may be silently dropped ------------------------------------------


def test_a_valid_open_badge_has_no_dropped_terms():
    assert find_dropped_terms(ob_credential()) == ()


def test_vc_1_1_issuance_date_under_the_vc_2_0_context_is_refused_by_name():
    document = ob_credential()
    document["issuanceDate"] = "2010-01-01T00:00:00Z"

    with pytest.raises(UndefinedTermError, match="issuanceDate") as error:
        canonicalize(document)
    assert paths_of(error) == ["issuanceDate"]


def test_an_undefined_nested_property_is_refused_with_its_full_path():
    document = ob_credential()
    document["credentialSubject"]["achievement"]["criteria"]["foo"] = 1

    with pytest.raises(UndefinedTermError) as error:
        canonicalize(document)
    assert paths_of(error) == ["credentialSubject.achievement.criteria.foo"]
    assert error.value.problems[0].kind == "property"


def test_a_term_defined_only_in_another_scope_is_reported_where_it_is_undefined():
    document = ob_credential()
    # achievementType is defined inside an Achievement, not on the credential itself.
    document["credentialSubject"]["achievement"]["achievementType"] = "Badge"
    document["achievementType"] = "Badge"

    with pytest.raises(UndefinedTermError) as error:
        canonicalize(document)
    assert paths_of(error) == ["achievementType"]


def test_an_undefined_type_is_refused_with_its_position():
    document = ob_credential()
    document["type"].append("MadeUpCredential")

    with pytest.raises(UndefinedTermError, match="MadeUpCredential") as error:
        canonicalize(document)
    assert paths_of(error) == ["type[2]"]
    assert error.value.problems[0].kind == "type"


def test_a_relative_id_is_refused_instead_of_being_resolved_against_a_made_up_base():
    # pyld alone resolves it against "http://example.org/base/" and signs that; jsonld.js
    # drops it. Either way the signature would not mean what the JSON says.
    document = ob_credential()
    document["issuer"]["id"] = "issuers/565049"

    with pytest.raises(UndefinedTermError) as error:
        canonicalize(document)
    assert paths_of(error) == ["issuer.id"]
    assert error.value.problems[0].kind == "iri"


def test_a_base_direction_is_refused_because_rdfc_would_not_sign_it():
    document = ob_credential()
    document["name"] = {"@value": "شارة العمل الجماعي", "@language": "ar", "@direction": "rtl"}

    with pytest.raises(UndefinedTermError) as error:
        canonicalize(document)
    assert paths_of(error) == ["name.@direction"]


def test_a_key_that_merely_looks_like_a_keyword_is_refused():
    document = ob_credential()
    document["credentialSubject"]["@foo"] = "bar"

    with pytest.raises(UndefinedTermError) as error:
        canonicalize(document)
    assert paths_of(error) == ["credentialSubject.@foo"]


def test_every_problem_is_reported_at_once():
    document = ob_credential()
    document["issuanceDate"] = "2010-01-01T00:00:00Z"
    document["credentialSubject"]["foo"] = 1
    document["issuer"]["bar"] = {"baz": 2}

    problems = find_dropped_terms(document)

    assert sorted(p.path for p in problems) == [
        "credentialSubject.foo",
        "issuanceDate",
        "issuer.bar",
    ]


def test_the_check_can_be_switched_off_to_see_what_would_be_signed():
    document = ob_credential()
    document["issuanceDate"] = "2010-01-01T00:00:00Z"

    assert canonicalize(document, safe=False) == canonicalize(ob_credential())


def test_a_protected_term_cannot_be_redefined():
    document = ob_credential()
    document["@context"].append({"name": "https://evil.example/#name"})

    with pytest.raises(jsonld.JsonLdError, match="protected term redefinition"):
        canonicalize(document)


def test_a_poison_graph_of_look_alike_blank_nodes_is_refused_quickly():
    names = [{"https://schema.org/name": "x"} for _ in range(9)]
    clique = {"https://schema.org/knows": names}
    document = {"https://schema.org/knows": [clique, copy.deepcopy(clique)]}
    # Unbounded, this document takes minutes; the budget refuses it instead.
    with pytest.raises(jsonld.JsonLdError, match="too alike"):
        jsonld.canonicalize(document, safe=False)
