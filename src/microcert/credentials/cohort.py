"""Signing a cohort fast: the JSON-LD work done once per shape of credential, not per credential.

Signing with ``eddsa-rdfc-2022`` is dominated by JSON-LD: processing the contexts, expanding
the document and turning it into RDF take about ten milliseconds for one of our credentials,
while RDFC-1.0 on the resulting 150 quads takes a tenth of a millisecond and Ed25519 a few
hundredths. The credentials of one cohort differ in a handful of values only: the credential's
id, the recipient's hash and salt (or DID), the dates, the status entry, the results and
evidence. So :class:`CohortSigner` turns a *template* into quads once: the first credential of a
shape with each varying value replaced by a sentinel. For each credential it then puts the real
values where the sentinels were (written exactly as the N-Quads serializer writes them, with the
same datatype or language), canonicalizes those quads with our RDFC-1.0 (blank node labels are
hashed again, since they depend on the values), hashes and signs.

Why the output is the general path's, byte for byte:

- A credential goes through a template only if, with its varying values replaced by the
  template's sentinels, it is *equal* to the template's document; anything else (another
  language, one more result, a different endorsement) gets a template of its own, or the
  general path once there are too many shapes.
- A value that is a literal in the template becomes, for any string, the same literal with that
  lexical form: expansion never rewrites a string under a plain, language or datatype term
  (two different sentinels are checked to land in the same places). Values that become IRIs are
  node ids only (``id``), taken as they are when they are absolute IRIs whose scheme is no term
  of the contexts; any other value sends the credential down the general path.
- Equal ids merge nodes in JSON-LD, which in RDF is the union of their quads: duplicate quads
  are dropped before canonicalization, as in a dataset.
- The first credential of every template is also canonicalized the general way and compared; a
  difference retires the template (and is logged), so a mistake here costs speed, not a
  signature.

Nothing in this module touches the database.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import dataintegrity, jsonld, rdfc
from .multikey import resolve_did_key

__all__ = ["CohortSigner", "credential_variable_paths"]

logger = logging.getLogger(__name__)

Path = tuple[str | int, ...]

# Beyond this many shapes in one cohort, the rest are signed the general way.
MAX_TEMPLATES: Final = 64
_ID_KEYS: Final = frozenset({"id", "@id"})


def credential_variable_paths(document: Mapping[str, Any]) -> tuple[Path, ...]:
    """The leaves of an AchievementCredential that differ from one award to the next."""
    paths: list[Path] = [("id",), ("validFrom",), ("awardedDate",)]
    if "validUntil" in document:
        paths.append(("validUntil",))
    subject = document.get("credentialSubject")
    if isinstance(subject, dict):
        if "id" in subject:
            paths.append(("credentialSubject", "id"))
        identifiers = subject.get("identifier")
        if isinstance(identifiers, list):
            for index, identifier in enumerate(identifiers):
                for key in ("identityHash", "salt"):
                    if isinstance(identifier, dict) and key in identifier:
                        paths.append(("credentialSubject", "identifier", index, key))
        results = subject.get("result")
        if isinstance(results, list):
            for index, result in enumerate(results):
                for key in ("achievedLevel", "value"):
                    if isinstance(result, dict) and key in result:
                        paths.append(("credentialSubject", "result", index, key))
    evidence = document.get("evidence")
    if isinstance(evidence, list):
        for index, item in enumerate(evidence):
            for key in ("id", "name", "narrative", "genre"):
                if isinstance(item, dict) and key in item:
                    paths.append(("evidence", index, key))
    status = document.get("credentialStatus")
    entries = [((), status)] if isinstance(status, dict) else []
    if isinstance(status, list):
        entries = [((index,), entry) for index, entry in enumerate(status)]
    for prefix, entry in entries:
        for key in ("id", "statusListIndex"):
            if isinstance(entry, dict) and key in entry:
                paths.append(("credentialStatus", *prefix, key))
    return tuple(paths)


def _get(document: Any, path: Path) -> Any:
    for step in path:
        document = document[step]
    return document


def _replaced(document: dict, paths: Sequence[Path], values: Sequence[Any]) -> dict:
    """A copy of ``document`` with the leaves at ``paths`` set to ``values``; only the
    containers on those paths are copied, everything else is shared."""
    root = dict(document)
    copies: dict[Path, Any] = {(): root}
    for path, value in zip(paths, values, strict=True):
        node: Any = root
        for depth in range(len(path) - 1):
            prefix = path[: depth + 1]
            child = copies.get(prefix)
            if child is None:
                original = node[path[depth]]
                child = dict(original) if isinstance(original, dict) else list(original)
                node[path[depth]] = child
                copies[prefix] = child
            node = child
        node[path[-1]] = value
    return root


@dataclass
class _Template:
    paths: tuple[Path, ...]
    is_iri: tuple[bool, ...]
    sentinels: tuple[str, ...]
    document: dict  # the credential with sentinels in place of its varying values
    # The quads split three ways, each with its sites: quad index -> [(position in the quad,
    # slot, literal suffix or None for an IRI)]. Quads without blank nodes or values are
    # written once; those with blank nodes are canonicalized per credential.
    constant_lines: list[str]
    ground: list[rdfc.Quad]
    ground_sites: dict[int, list[tuple[int, int, str | None]]]
    blank: list[rdfc.Quad]
    blank_sites: dict[int, list[tuple[int, int, str | None]]]
    known_first_degree: dict[str, str]
    prefixes: frozenset[str]  # keys of the contexts: an IRI must not start with one of them
    checked: bool = False
    retired: bool = False
    proof_canonical: dict[str, str] = field(default_factory=dict)


class _NotTemplatable(Exception):
    """The sentinels did not come out as plain literals and IRIs: no template for this shape."""


class CohortSigner:
    """Signs many credentials with one key, as :func:`.dataintegrity.sign` would, fast.

    ``sign(document, created=...)`` returns exactly what ``dataintegrity.sign`` returns for the
    same document, key, verification method and ``created`` (Ed25519 signatures are
    deterministic). ``fast`` and ``general`` count how each credential was signed.
    """

    def __init__(
        self,
        *,
        private_key: Ed25519PrivateKey,
        verification_method: str,
        variable_paths: Callable[[Mapping[str, Any]], tuple[Path, ...]] = (
            credential_variable_paths
        ),
        max_templates: int = MAX_TEMPLATES,
    ) -> None:
        if verification_method.startswith("did:key:"):
            expected = private_key.public_key().public_bytes_raw()
            if resolve_did_key(verification_method).public_bytes_raw() != expected:
                raise ValueError("verification_method is a did:key for a different key")
        self.private_key = private_key
        self.verification_method = verification_method
        self.variable_paths = variable_paths
        self.max_templates = max_templates
        self.templates: dict[tuple[Path, ...], list[_Template]] = {}
        self.template_count = 0
        self.fast = 0
        self.general = 0

    # --- per credential ------------------------------------------------------------------

    def sign(self, document: dict, *, created: str) -> dict:
        """``document`` (no proof yet) with its ``eddsa-rdfc-2022`` proof; it is not copied:
        the result shares its values, as the cohort's documents share their Achievement."""
        if "proof" in document:
            raise ValueError("the document to sign must not have a proof yet")
        found = self._template_for(document)
        if found is None:
            self.general += 1
            return dataintegrity.sign(
                document,
                private_key=self.private_key,
                verification_method=self.verification_method,
                created=created,
            )
        template, values = found
        canonical = self._canonical(template, values)
        if not template.checked:
            general = jsonld.canonicalize(document)
            template.checked = True
            if general != canonical:
                logger.error("cohort template retired: its canonical form differs")
                template.retired = True
                canonical = general
        proof = self._proof(created)
        config = template.proof_canonical.get(created)
        if config is None:
            proof_config = {**proof, "@context": document["@context"]}
            config = jsonld.canonicalize(proof_config, path_prefix="proof")
            template.proof_canonical = {created: config}  # one ``created`` at a time
        digest = hashlib.sha256(config.encode()).digest()
        digest += hashlib.sha256(canonical.encode()).digest()
        signature = self.private_key.sign(digest)
        proof["proofValue"] = "z" + base58.b58encode(signature).decode("ascii")
        self.fast += 1
        return {**document, "proof": [proof]}

    def canonical_form(self, document: dict) -> str:
        """The canonical N-Quads the signature covers, through a template where one fits."""
        found = self._template_for(document)
        if found is None:
            return jsonld.canonicalize(document)
        return self._canonical(*found)

    def _proof(self, created: str) -> dict[str, Any]:
        return {
            "type": dataintegrity.PROOF_TYPE,
            "cryptosuite": dataintegrity.CRYPTOSUITE,
            "created": created,
            "verificationMethod": self.verification_method,
            "proofPurpose": "assertionMethod",
        }

    def _template_for(self, document: dict) -> tuple[_Template, list[str]] | None:
        try:
            paths = self.variable_paths(document)
            values = [_get(document, path) for path in paths]
        except (KeyError, IndexError, TypeError):
            return None
        if not all(isinstance(value, str) for value in values):
            return None
        candidates = self.templates.setdefault(paths, [])
        for template in candidates:
            if template.retired:
                continue
            if _replaced(document, paths, template.sentinels) == template.document:
                return (template, values) if self._values_fit(template, values) else None
        if self.template_count >= self.max_templates:
            return None
        try:
            template = self._make_template(document, paths)
        except (_NotTemplatable, jsonld.CredentialFormatError):
            return None
        finally:
            self.template_count += 1
        candidates.append(template)
        return (template, values) if self._values_fit(template, values) else None

    @staticmethod
    def _values_fit(template: _Template, values: Sequence[str]) -> bool:
        """Every value that becomes an IRI is one JSON-LD takes as it is."""
        for value, is_iri in zip(values, template.is_iri, strict=True):
            if not is_iri:
                continue
            if value.startswith("_:") or not jsonld.is_absolute_iri(value):
                return False
            if value.split(":", 1)[0] in template.prefixes:
                return False
        return True

    @staticmethod
    def _canonical(template: _Template, values: Sequence[str]) -> str:
        terms = [
            "<" + value + ">" if is_iri else '"' + rdfc.escape_literal(value) + '"'
            for value, is_iri in zip(values, template.is_iri, strict=True)
        ]
        lines = list(template.constant_lines)
        ground = _substituted(template.ground, template.ground_sites, terms)
        lines += [rdfc.serialize(ground[index]) for index in template.ground_sites]
        blank = _substituted(template.blank, template.blank_sites, terms)
        try:
            lines += rdfc.canonical_lines(blank, known_first_degree=template.known_first_degree)
        except rdfc.PoisonGraphError as error:
            raise jsonld.JsonLdError(str(error)) from None
        # A value may repeat a quad that is there already: a dataset holds it once. (Lines of
        # distinct quads with blank nodes stay distinct: canonical labels are one-to-one.)
        return "".join(sorted(set(lines)))

    # --- templates -----------------------------------------------------------------------

    def _make_template(self, document: dict, paths: tuple[Path, ...]) -> _Template:
        token = secrets.token_hex(8)
        is_iri = tuple(path[-1] in _ID_KEYS for path in paths)
        first = tuple(f"urn:microcert-slot:{token}:{k}" for k in range(len(paths)))
        # A second set for the literals, without a colon: were a value coerced to an IRI or
        # a vocabulary term, the two would not land alike.
        second = tuple(
            first[k] if is_iri[k] else f"microcert-slot-{token}-{k}" for k in range(len(paths))
        )
        templated = _replaced(document, paths, first)
        quads = jsonld.to_quads(templated)
        sites = self._sites(quads, token, first, is_iri)
        expected = set(self._filled(quads, sites, second, is_iri))
        if set(jsonld.to_quads(_replaced(document, paths, second))) != expected:
            raise _NotTemplatable
        with_slots = {
            term
            for index in sites
            for term in (quads[index][0], quads[index][2], quads[index][3])
            if term.startswith("_:")
        }
        hashes = rdfc.first_degree_hashes(quads)
        constant_lines: list[str] = []
        ground: list[rdfc.Quad] = []
        ground_sites: dict[int, list[tuple[int, int, str | None]]] = {}
        blank: list[rdfc.Quad] = []
        blank_sites: dict[int, list[tuple[int, int, str | None]]] = {}
        for index, quad in enumerate(quads):
            if any(term.startswith("_:") for term in quad):
                if index in sites:
                    blank_sites[len(blank)] = sites[index]
                blank.append(quad)
            elif index in sites:
                ground_sites[len(ground)] = sites[index]
                ground.append(quad)
            else:
                constant_lines.append(rdfc.serialize(quad))
        return _Template(
            paths=paths,
            is_iri=is_iri,
            sentinels=first,
            document=templated,
            constant_lines=constant_lines,
            ground=ground,
            ground_sites=ground_sites,
            blank=blank,
            blank_sites=blank_sites,
            known_first_degree={n: h for n, h in hashes.items() if n not in with_slots},
            prefixes=jsonld.context_keys(document.get("@context")),
        )

    @staticmethod
    def _sites(
        quads: list[rdfc.Quad], token: str, sentinels: Sequence[str], is_iri: Sequence[bool]
    ) -> dict[int, list[tuple[int, int, str | None]]]:
        iris = {"<" + s + ">": k for k, s in enumerate(sentinels) if is_iri[k]}
        literals = {'"' + s + '"': k for k, s in enumerate(sentinels) if not is_iri[k]}
        sites: dict[int, list[tuple[int, int, str | None]]] = {}
        seen: set[int] = set()
        for index, quad in enumerate(quads):
            for position, term in enumerate(quad):
                if token not in term:
                    continue
                if position == 1:
                    raise _NotTemplatable  # a value became a predicate
                if term in iris:
                    slot, suffix = iris[term], None
                else:
                    head, quote, suffix = term.partition('"')[2].partition('"')
                    slot = literals.get('"' + head + quote)
                    if slot is None or not term.startswith('"') or token in suffix:
                        raise _NotTemplatable
                sites.setdefault(index, []).append((position, slot, suffix))
                seen.add(slot)
        if len(seen) != len(sentinels):
            raise _NotTemplatable  # a value that does not reach the RDF at all
        return sites

    @staticmethod
    def _filled(
        quads: list[rdfc.Quad],
        sites: Mapping[int, list[tuple[int, int, str | None]]],
        values: Sequence[str],
        is_iri: Sequence[bool],
    ) -> list[rdfc.Quad]:
        filled = list(quads)
        for index, own in sites.items():
            quad = list(filled[index])
            for position, slot, suffix in own:
                value = values[slot]
                quad[position] = (
                    "<" + value + ">" if is_iri[slot] else '"' + value + '"' + (suffix or "")
                )
            filled[index] = (quad[0], quad[1], quad[2], quad[3])
        return filled


def _substituted(
    quads: list[rdfc.Quad],
    sites: Mapping[int, list[tuple[int, int, str | None]]],
    terms: Sequence[str],
) -> list[rdfc.Quad]:
    """``quads`` with the terms of the values put in at their sites."""
    filled = list(quads)
    for index, own in sites.items():
        quad = list(filled[index])
        for position, slot, suffix in own:
            quad[position] = terms[slot] if suffix is None else terms[slot] + suffix
        filled[index] = (quad[0], quad[1], quad[2], quad[3])
    return filled
