"""Our RDFC-1.0 canonicalizer agrees with two we did not write: pyld's and Digital Bazaar's.

pyld's differs from the Recommendation in how it escapes control characters in literals
(it escapes only tab, newline and carriage return), so it is the reference for datasets without
them; ``rdf-canonize`` (the canonicalizer inside the verifier that judges our credentials) is
the reference for every character. No database is needed.
"""

from __future__ import annotations

import copy
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld.canon import URDNA2015

from microcert.credentials import rdfc
from microcert.credentials.tests.independent import _run_node

XSD = "http://www.w3.org/2001/XMLSchema#"
PREDICATES = [f"https://example.test/p{n}" for n in range(3)]
IRIS = [f"https://example.test/node/{n}" for n in range(3)]
XSD_TYPES = [XSD + "string", XSD + "string", XSD + "dateTime"]


def _dataset(rng_choice, rng_int, text, *, blank_nodes: int, quads: int) -> dict:
    """A pyld-style dataset: ``{graph name: [triple…]}`` with look-alike blank nodes likely."""
    nodes = [f"_:n{k}" for k in range(blank_nodes)]

    def node() -> dict:
        if rng_int(0, 3) == 0:
            return {"type": "IRI", "value": rng_choice(IRIS)}
        return {"type": "blank node", "value": rng_choice(nodes)}

    def value() -> str:
        # Half of the literals from two values, so that blank nodes often look alike and
        # the N-degree hashing is exercised too.
        return text() if rng_int(0, 1) else rng_choice(["a", "b"])

    def obj() -> dict:
        kind = rng_int(0, 4)
        if kind <= 1:
            return node()
        if kind == 2:
            return {
                "type": "literal",
                "value": value(),
                "datatype": "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                "language": rng_choice(["en", "zh-Hans", "vi"]),
            }
        return {"type": "literal", "value": value(), "datatype": rng_choice(XSD_TYPES)}

    triples: list[tuple[str, dict]] = []
    for _ in range(quads):
        graph = rng_choice(["@default", "@default", "@default", "_:g0", IRIS[0]])
        subject = node()
        triple = {
            "subject": subject,
            "predicate": {"type": "IRI", "value": rng_choice(PREDICATES)},
            "object": obj(),
        }
        if triple["object"] == subject or (graph.startswith("_:") and graph == subject["value"]):
            continue  # self-loops: pyld counts such a quad twice for its node, the spec once
        triples.append((graph, triple))
    # Copies of the same pattern with other blank nodes: look-alike nodes, which only the
    # N-degree hashing tells apart (or cannot: then any choice gives the same output).
    for copy_number in range(1, rng_int(1, 3)):
        for graph, triple in list(triples[: len(triples) // copy_number + 1]):
            renamed = copy.deepcopy(triple)
            for part in ("subject", "object"):
                if renamed[part]["type"] == "blank node":
                    renamed[part]["value"] += f"c{copy_number}"
            triples.append((graph, renamed))
    dataset: dict[str, list] = {}
    for graph, triple in triples:
        dataset.setdefault(graph, []).append(triple)
    # pyld keeps duplicate triples in a graph; a dataset is a set.
    return {
        graph: [dict(t) for t in {_freeze(t): t for t in triples}.values()]
        for graph, triples in dataset.items()
    }


def _freeze(triple: dict) -> tuple:
    return tuple(tuple(sorted(part.items())) for part in triple.values())


def pyld_canonical(dataset: dict) -> str:
    return URDNA2015().main(copy.deepcopy(dataset), {"format": "application/n-quads"})


# Characters that pyld and the Recommendation write the same way: no control characters
# other than tab, newline and carriage return.
SAME_IN_PYLD = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\b\f\x0b\x7f"
    ).filter(lambda c: c in "\t\n\r" or (ord(c) >= 0x20 and ord(c) != 0x7F)),
    max_size=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), blank_nodes=st.integers(1, 5), quads=st.integers(1, 10))
def test_agrees_with_pyld_on_random_datasets(data, blank_nodes, quads):
    dataset = _dataset(
        lambda options: data.draw(st.sampled_from(options)),
        lambda low, high: data.draw(st.integers(low, high)),
        lambda: data.draw(SAME_IN_PYLD),
        blank_nodes=blank_nodes,
        quads=quads,
    )
    assert rdfc.canonicalize(rdfc.quads_from_pyld(dataset)) == pyld_canonical(dataset)


def test_duplicate_quads_count_once():
    quad = ("_:x", "<https://example.test/p>", '"a"', "")
    assert rdfc.canonicalize([quad, quad]) == '_:c14n0 <https://example.test/p> "a" .\n'


def test_control_characters_are_escaped_as_the_recommendation_says():
    assert rdfc.escape_literal('a"b\\c') == 'a\\"b\\\\c'
    assert rdfc.escape_literal("\b\t\n\f\r") == "\\b\\t\\n\\f\\r"
    assert rdfc.escape_literal("\x00\x01\x0b\x1f\x7f") == "\\u0000\\u0001\\u000B\\u001F\\u007F"
    assert rdfc.escape_literal("é 中 😀") == "é 中 😀"


def _random_text(rng: random.Random) -> str:
    # Every control character, quotes, backslashes, and characters beyond the BMP; nothing in
    # U+E000..U+FFFF, where code point order (the Recommendation, and ours) and the UTF-16
    # order JavaScript sorts by disagree about characters beyond the BMP.
    pool = [chr(c) for c in range(0x20)] + ['"', "\\", "\x7f", "a", "b", "é", "中", "😀", "𝄞"]
    return "".join(rng.choice(pool) for _ in range(rng.randint(0, 5)))


def test_agrees_with_digital_bazaars_rdf_canonize_for_every_character():
    rng = random.Random(20260701)  # noqa: S311 -- test data
    datasets = [
        _dataset(
            rng.choice,
            rng.randint,
            lambda: _random_text(rng),
            blank_nodes=rng.randint(1, 5),
            quads=rng.randint(1, 12),
        )
        for _ in range(200)
    ]
    ours = [rdfc.canonicalize(rdfc.quads_from_pyld(d)) for d in datasets]
    # The input goes to Node as ordinary (not canonical) N-Quads with our labels.
    inputs = ["".join(rdfc.serialize(q) for q in rdfc.quads_from_pyld(d)) for d in datasets]
    response = _run_node("canonize.mjs", {"datasets": inputs, "maxWorkFactor": 3}, 120)
    theirs = response["canonical"]
    mismatches = [
        (i, inputs[i], ours[i], theirs[i]) for i in range(len(datasets)) if ours[i] != theirs[i]
    ]
    assert mismatches == []
    assert any("\\u00" in text for text in ours)  # control characters were in play


def test_a_poison_graph_is_refused_quickly():
    quads = []
    for clique in range(2):
        for member in range(9):
            quads.append((f"_:k{clique}", "<https://schema.org/knows>", f"_:m{clique}{member}", ""))
            quads.append((f"_:m{clique}{member}", "<https://schema.org/name>", '"x"', ""))
    with pytest.raises(rdfc.PoisonGraphError):
        rdfc.canonicalize(quads)
