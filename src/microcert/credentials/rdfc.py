"""RDF Dataset Canonicalization (W3C RDFC-1.0) over quads of serialized N-Quads terms.

Our own implementation, for two reasons:

- it follows the Recommendation's canonical N-Quads exactly: every control character of a
  literal is escaped (``\\b``, ``\\t``, ``\\n``, ``\\f``, ``\\r`` by name, the others as
  ``\\uXXXX``), as Digital Bazaar's ``rdf-canonize`` does; pyld 3.3 escapes only tab, newline
  and carriage return, so a literal with, say, a form feed hashed differently there and its
  signature failed in every other verifier;
- a cohort of credentials of one specification shares almost all of its quads: a caller may
  hand in the first-degree hashes of blank nodes it knows cannot have changed (see
  :mod:`.cohort`), so only the few nodes near the varying values are hashed again.

A quad is a tuple ``(subject, predicate, object, graph)`` of terms already written as N-Quads:
``<iri>``, ``_:label`` or ``"escaped"`` with ``@lang`` or ``^^<datatype>``; the graph is ``""``
for the default graph. Blank nodes are recognised by the ``_:`` prefix.

Nothing in this module imports Django.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

__all__ = [
    "MAX_N_DEGREE_CALLS",
    "PoisonGraphError",
    "Quad",
    "canonical_lines",
    "canonicalize",
    "escape_literal",
    "first_degree_hashes",
    "literal",
    "quads_from_pyld",
    "serialize",
]

Quad = tuple[str, str, str, str]

RDF_LANGSTRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"

# RDFC-1.0 section 4.4 warns of "poison graphs" of look-alike blank nodes, whose
# canonicalization takes factorial time; credentials need none of these calls.
MAX_N_DEGREE_CALLS: Final = 2_000


class PoisonGraphError(ValueError):
    """The dataset's blank nodes are too alike to canonicalize in bounded time."""


# --- serialization -----------------------------------------------------------------------

_NAMED: Final = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_ESCAPES: Final = {
    code: _NAMED.get(chr(code), f"\\u{code:04X}") for code in (*range(0x20), 0x7F)
} | {ord('"'): '\\"', ord("\\"): "\\\\"}
_NEEDS_ESCAPE: Final = re.compile(r'[\x00-\x1f\x7f"\\]')


def escape_literal(value: str) -> str:
    """A string as the inside of a canonical N-Quads literal."""
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(_ESCAPES)


def literal(value: str, datatype: str = XSD_STRING, language: str | None = None) -> str:
    """A literal term in canonical N-Quads."""
    text = '"' + escape_literal(value) + '"'
    if datatype == RDF_LANGSTRING:
        return text + "@" + language if language else text
    if datatype != XSD_STRING:
        return text + "^^<" + datatype + ">"
    return text


def _term(component: Mapping[str, Any]) -> str:
    kind = component["type"]
    if kind == "IRI":
        return "<" + component["value"] + ">"
    if kind == "blank node":
        return component["value"]
    return literal(component["value"], component["datatype"], component.get("language"))


def quads_from_pyld(dataset: Mapping[str, Iterable[Mapping[str, Any]]]) -> list[Quad]:
    """The quads of a dataset as pyld's ``to_rdf`` returns it (``{graph: [triple…]}``)."""
    quads: list[Quad] = []
    for graph, triples in dataset.items():
        if graph == "@default":
            name = ""
        elif graph.startswith("_:"):
            name = graph
        else:
            name = "<" + graph + ">"
        for triple in triples:
            quads.append(
                (
                    _term(triple["subject"]),
                    _term(triple["predicate"]),
                    _term(triple["object"]),
                    name,
                )
            )
    return quads


def serialize(quad: Quad) -> str:
    subject, predicate, obj, graph = quad
    if graph:
        return f"{subject} {predicate} {obj} {graph} .\n"
    return f"{subject} {predicate} {obj} .\n"


# --- canonicalization --------------------------------------------------------------------


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _blank_node_quads(quads: Iterable[Quad]) -> dict[str, list[Quad]]:
    found: dict[str, list[Quad]] = {}
    for quad in quads:
        subject, _predicate, obj, graph = quad
        if subject[0] == "_":
            found.setdefault(subject, []).append(quad)
        if obj[0] == "_" and obj != subject:
            found.setdefault(obj, []).append(quad)
        if graph and graph[0] == "_" and graph != subject and graph != obj:
            found.setdefault(graph, []).append(quad)
    return found


def _first_degree(node: str, quads: list[Quad]) -> str:
    """Hash First Degree Quads: the node's quads with itself as _:a and others as _:z."""
    lines = []
    for subject, predicate, obj, graph in quads:
        if subject[0] == "_":
            subject = "_:a" if subject == node else "_:z"
        if obj[0] == "_":
            obj = "_:a" if obj == node else "_:z"
        if graph:
            if graph[0] == "_":
                graph = "_:a" if graph == node else "_:z"
            lines.append(f"{subject} {predicate} {obj} {graph} .\n")
        else:
            lines.append(f"{subject} {predicate} {obj} .\n")
    lines.sort()
    return _sha256("".join(lines))


def first_degree_hashes(quads: Iterable[Quad]) -> dict[str, str]:
    """The first-degree hash of every blank node of ``quads`` (for callers that cache them)."""
    return {node: _first_degree(node, own) for node, own in _blank_node_quads(quads).items()}


class _Issuer:
    """An identifier issuer: labels in order of issue, with a prefix."""

    __slots__ = ("issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = issued if issued is not None else {}

    def issue(self, node: str) -> str:
        label = self.issued.get(node)
        if label is None:
            label = self.issued[node] = f"{self.prefix}{len(self.issued)}"
        return label

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, dict(self.issued))


class _Canonicalizer:
    def __init__(self, quads: list[Quad], known: Mapping[str, str] | None) -> None:
        self.quads = quads
        self.by_node = _blank_node_quads(quads)
        self.first: dict[str, str] = {}
        known = known or {}
        for node, own in self.by_node.items():
            cached = known.get(node)
            self.first[node] = cached if cached is not None else _first_degree(node, own)
        self.canonical = _Issuer("_:c14n")
        self.n_degree_calls = 0

    def run(self) -> dict[str, str]:
        by_hash: dict[str, list[str]] = {}
        for node, digest in self.first.items():
            by_hash.setdefault(digest, []).append(node)
        shared = []
        for digest in sorted(by_hash):
            nodes = by_hash[digest]
            if len(nodes) == 1:
                self.canonical.issue(nodes[0])
            else:
                shared.append(nodes)
        for nodes in shared:
            results = []
            for node in nodes:
                if node in self.canonical.issued:
                    continue
                temporary = _Issuer("_:b")
                temporary.issue(node)
                results.append(self._n_degree(node, temporary))
            for _digest, issuer in sorted(results, key=lambda result: result[0]):
                for node in issuer.issued:
                    self.canonical.issue(node)
        return self.canonical.issued

    def _related(self, related: str, quad: Quad, issuer: _Issuer, position: str) -> str:
        """Hash Related Blank Node."""
        label = self.canonical.issued.get(related) or issuer.issued.get(related)
        identifier = label if label is not None else self.first[related]
        if position == "g":
            return _sha256("g" + identifier)
        return _sha256(position + quad[1] + identifier)

    def _n_degree(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """Hash N-Degree Quads."""
        self.n_degree_calls += 1
        if self.n_degree_calls > MAX_N_DEGREE_CALLS:
            raise PoisonGraphError(
                "The document's blank nodes are too alike to canonicalize (an RDFC-1.0 "
                "poison graph); give them ids."
            )
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.by_node[node]:
            subject, _predicate, obj, graph = quad
            for component, position in ((subject, "s"), (obj, "o"), (graph, "g")):
                if component and component[0] == "_" and component != node:
                    digest = self._related(component, quad, issuer, position)
                    related_by_hash.setdefault(digest, []).append(component)
        data = []
        for digest in sorted(related_by_hash):
            data.append(digest)
            chosen_path = ""
            chosen_issuer = issuer  # replaced by the first permutation, which always wins
            for permutation in itertools.permutations(sorted(related_by_hash[digest])):
                issuer_copy = issuer.copy()
                path = ""
                recursion = []
                worse = False
                for related in permutation:
                    label = self.canonical.issued.get(related)
                    if label is None:
                        if related not in issuer_copy.issued:
                            recursion.append(related)
                        label = issuer_copy.issue(related)
                    path += label
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        worse = True
                        break
                if worse:
                    continue
                for related in recursion:
                    result_hash, issuer_copy = self._n_degree(related, issuer_copy)
                    path += issuer_copy.issue(related) + "<" + result_hash + ">"
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        worse = True
                        break
                if worse:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path, chosen_issuer = path, issuer_copy
            data.append(chosen_path)
            issuer = chosen_issuer
        return _sha256("".join(data)), issuer


def canonical_lines(
    quads: Iterable[Quad], *, known_first_degree: Mapping[str, str] | None = None
) -> list[str]:
    """The sorted canonical N-Quads lines of a dataset (duplicate quads count once).

    ``known_first_degree`` may give the first-degree hash of blank nodes whose quads the caller
    knows (they must be exactly those of ``quads``); the others are computed.
    """
    unique = list(dict.fromkeys(quads))
    labels = _Canonicalizer(unique, known_first_degree).run()
    lines = []
    for subject, predicate, obj, graph in unique:
        if subject[0] == "_":
            subject = labels[subject]
        if obj[0] == "_":
            obj = labels[obj]
        if graph:
            if graph[0] == "_":
                graph = labels[graph]
            lines.append(f"{subject} {predicate} {obj} {graph} .\n")
        else:
            lines.append(f"{subject} {predicate} {obj} .\n")
    lines.sort()
    return lines


def canonicalize(
    quads: Iterable[Quad], *, known_first_degree: Mapping[str, str] | None = None
) -> str:
    """The RDFC-1.0 canonical N-Quads of a dataset."""
    return "".join(canonical_lines(quads, known_first_degree=known_first_degree))
