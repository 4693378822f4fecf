"""Finding a person's identifiers (e-mail addresses, names) in text and JSON, and replacing
them by salted hashes: in the event log, and in every text column of the database.

Two reaches, because a name is not unique the way an e-mail address is:

* rows that belong to the person (their own records, events about them or by them) lose
  every e-mail address and every name of theirs three characters or longer;
* every other row of the database loses their e-mail addresses and their names of two words
  or more. A one-word name ("Siti", "Admin") is not hunted across other people's records,
  where it would more likely be someone else's word than theirs.

A hash reads ``sha256:`` and 24 hex digits of SHA-256(salt + identifier), the identifier
trimmed, NFC-normalised and case-folded. The salt is kept on the erasure request, so a lawful
request naming an e-mail address can be matched to the log; without the salt, the hashes say
nothing.
"""

import hashlib
import json
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Cast

from microcert.core.models import Event

from .models import RedactionWindow

HASH_PREFIX = "sha256:"
ERASED_EMAIL_DOMAIN = "erased.invalid"  # RFC 2606: can never be delivered to
NARROW_MIN_LENGTH = 3
WIDE_MIN_LENGTH = 5

# Signed documents: changing one byte breaks its proof, so they are never rewritten.
SIGNED_COLUMNS = {
    "credentials.IssuedCredential.document",
    "credentials.StatusList.signed_credential",
    "recognition.InclusionDecision.endorsement",
}
# Handled on their own (the person's rows explicitly, other people's never touched), or holding
# nothing readable.
SKIPPED_MODELS = {
    "core.Event",
    "accounts.User",
    "account.EmailAddress",
    "sessions.Session",
    "privacy.RedactionWindow",
    "contenttypes.ContentType",
    "auth.Permission",
}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)

_EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def new_salt() -> str:
    return secrets.token_hex(16)


def _normal(value: str) -> str:
    return unicodedata.normalize("NFC", value.strip()).casefold()


def _spellings(value: str) -> set[str]:
    """The ways a text may hold ``value``: as typed, composed and decomposed Unicode."""
    value = value.strip()
    return {value, unicodedata.normalize("NFC", value), unicodedata.normalize("NFD", value)}


def looks_like_email(value: object) -> bool:
    return isinstance(value, str) and bool(_EMAIL_LIKE.match(value.strip()))


@dataclass
class Identifiers:
    """What identifies one person, and the salt their hashes are made with."""

    salt: str
    emails: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def add_email(self, value: object) -> None:
        if looks_like_email(value):
            self.emails.add(str(value).strip().lower())

    def add_name(self, value: object) -> None:
        if isinstance(value, str) and len(value.strip()) >= NARROW_MIN_LENGTH:
            self.names.add(value.strip())

    def token(self, value: str) -> str:
        digest = hashlib.sha256((self.salt + _normal(value)).encode("utf-8")).hexdigest()
        return HASH_PREFIX + digest[:24]

    def erased_email(self, value: str) -> str:
        """A stand-in address for an e-mail column, distinct per address, never deliverable."""
        return f"erased-{self.token(value)[len(HASH_PREFIX) :]}@{ERASED_EMAIL_DOMAIN}"

    def needles(self, *, wide: bool) -> list[str]:
        names = {
            name
            for name in self.names
            if not wide or (len(name) >= WIDE_MIN_LENGTH and len(name.split()) >= 2)
        }
        found: set[str] = set(self.emails)
        for name in names:
            found |= _spellings(name)
        # Longest first, so a full name is replaced before a shorter one inside it.
        return sorted(found, key=lambda s: (-len(s), s))

    def pattern(self, *, wide: bool) -> re.Pattern[str] | None:
        needles = self.needles(wide=wide)
        if not needles:
            return None
        alternatives = "|".join(re.escape(n) for n in needles)
        # Whole words only: "Lan" must not eat "Plan"; an address must not be part of another.
        return re.compile(rf"(?<![\w.@+-])(?:{alternatives})(?![\w@-]|\.\w)", re.IGNORECASE)

    def search_forms(self, *, wide: bool) -> list[str]:
        """The strings a database search looks for: each needle as it is and as JSON escapes
        it (a JSON column may store "Trần" as "Tr\\u1ea7n")."""
        forms: set[str] = set()
        for needle in self.needles(wide=wide):
            # SQLite's LIKE ignores the case of ASCII letters only: "TRẦN" is looked for too.
            for spelling in {needle, needle.upper(), needle.lower(), needle.title()}:
                forms.add(spelling)
                forms.add(json.dumps(spelling)[1:-1])
        return sorted(forms)


class Redactor:
    """Replaces a person's identifiers in values, counting what it replaced."""

    def __init__(self, identifiers: Identifiers) -> None:
        self.identifiers = identifiers
        self.narrow = identifiers.pattern(wide=False)
        self.wide = identifiers.pattern(wide=True)
        self.replaced = 0

    def _pattern(self, wide: bool) -> re.Pattern[str] | None:
        return self.wide if wide else self.narrow

    def text(self, value: str, *, wide: bool) -> str:
        pattern = self._pattern(wide)
        if not value or pattern is None:
            return value

        def replace(match: re.Match[str]) -> str:
            self.replaced += 1
            return self.identifiers.token(match.group(0))

        return pattern.sub(replace, value)

    def json(self, value: Any, *, wide: bool) -> Any:
        if isinstance(value, str):
            return self.text(value, wide=wide)
        if isinstance(value, list):
            return [self.json(item, wide=wide) for item in value]
        if isinstance(value, dict):
            return {
                self.text(key, wide=wide): self.json(item, wide=wide) for key, item in value.items()
            }
        return value

    def column(self, field: models.Field, value: Any, *, wide: bool) -> Any:
        """The value of one column without the person's identifiers, fitted to the column."""
        if isinstance(field, models.JSONField):
            return self.json(value, wide=wide)
        if not isinstance(value, str):
            return value
        if (
            isinstance(field, models.EmailField)
            and value.strip().lower() in self.identifiers.emails
        ):
            self.replaced += 1
            return self.identifiers.erased_email(value)
        redacted = self.text(value, wide=wide)
        limit = getattr(field, "max_length", None)
        return redacted[:limit] if limit else redacted


# --- the event log ----------------------------------------------------------------------------


@contextmanager
def event_redaction_window() -> Iterator[None]:
    """Lets this transaction, and only it, rewrite the personal parts of events (see the
    migration 0002 of this app). The window is closed before the transaction commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the event log may only be redacted inside the erasure's transaction")
    window = RedactionWindow.objects.create()
    try:
        yield
    finally:
        RedactionWindow.objects.filter(pk=window.pk).delete()


def _text_filter(columns: Iterable[str], forms: list[str]) -> Q:
    condition = Q()
    for column in columns:
        for form in forms:
            condition |= Q(**{f"{column}__icontains": form})
    return condition


def redact_events(redactor: Redactor, *, person_id: int, owned: dict[str, set[str]]) -> int:
    """Hash the person's identifiers in the event log; returns how many events changed.

    Events the person did, and events about them or their own records (``owned``: object
    type -> ids), lose every identifier; any other event loses their e-mail addresses and
    full names. The actor label of the person's own events becomes the hash of the address
    it held, and so does the label of an event about their account."""
    forms = redactor.identifiers.search_forms(wide=True)
    events = Event.objects.annotate(details_text=Cast("details", models.TextField()))
    linked = Q(actor_id=person_id)
    for object_type, ids in owned.items():
        linked |= Q(object_type=object_type, object_id__in=list(ids))
    candidates = linked
    if forms:
        candidates |= _text_filter(["actor_label", "object_repr", "reason", "details_text"], forms)
    changed = 0
    with event_redaction_window():
        for event in events.filter(candidates).order_by("pk").iterator(chunk_size=500):
            is_linked = event.actor_id == person_id or event.object_id in owned.get(
                event.object_type, ()
            )
            wide = not is_linked
            values = {
                "actor_label": redactor.text(event.actor_label, wide=wide),
                "object_repr": redactor.text(event.object_repr, wide=wide),
                "reason": redactor.text(event.reason, wide=wide),
                "details": redactor.json(event.details, wide=wide),
            }
            if event.actor_id == person_id and event.actor_label:
                label = event.actor_label
                if not label.startswith(HASH_PREFIX):
                    values["actor_label"] = redactor.identifiers.token(label)
            if event.object_id in owned.get("accounts.user", ()) and event.object_type == (
                "accounts.user"
            ):
                label = values["object_repr"]
                if label and not label.startswith(HASH_PREFIX):
                    values["object_repr"] = redactor.identifiers.token(label)
            values["actor_label"] = values["actor_label"][:254]
            values["object_repr"] = values["object_repr"][:255]
            current = {name: getattr(event, name) for name in values}
            if values != current:
                Event.objects.filter(pk=event.pk).update(**values)
                changed += 1
    return changed


# --- every other table ------------------------------------------------------------------------


@dataclass
class SweepResult:
    rows: int = 0
    # Signed documents that still hold an identifier (they cannot be changed).
    signed: list[str] = field(default_factory=list)


def _text_columns(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, TEXT_FIELDS) and not f.primary_key and not f.choices
    ]


def _update(manager: models.Manager, pk: Any, column: models.Field, value: Any) -> None:
    try:
        with transaction.atomic():
            manager.filter(pk=pk).update(**{column.attname: value})
    except IntegrityError:
        # Two values of a unique column now read the same (they differed only in how the
        # name was written): tell this one apart by its key.
        suffix = f"-{pk}"
        limit = getattr(column, "max_length", None) or len(value) + len(suffix)
        manager.filter(pk=pk).update(**{column.attname: value[: limit - len(suffix)] + suffix})


def sweep(redactor: Redactor, *, owned: dict[str, set[str]]) -> SweepResult:
    """Hash the person's identifiers in every text column of every table (but the event log,
    people's own rows and signed documents). Rows of ``owned`` lose every identifier."""
    result = SweepResult()
    wide_forms = redactor.identifiers.search_forms(wide=True)
    narrow_forms = redactor.identifiers.search_forms(wide=False)
    if not narrow_forms:
        return result
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label
        if label in SKIPPED_MODELS or not model._meta.managed or model._meta.proxy:
            continue
        own_ids = owned.get(model._meta.label_lower, set())
        manager = model._base_manager
        for column in _text_columns(model):
            name = column.attname
            queryset = manager.all()
            lookup = name
            if isinstance(column, models.JSONField):
                queryset = queryset.annotate(_privacy_text=Cast(name, models.TextField()))
                lookup = "_privacy_text"
            condition = _text_filter([lookup], wide_forms) if wide_forms else Q(pk__in=[])
            if own_ids:
                condition |= Q(pk__in=list(own_ids)) & _text_filter([lookup], narrow_forms)
            if f"{label}.{column.name}" in SIGNED_COLUMNS:
                for pk in queryset.filter(condition).values_list("pk", flat=True):
                    result.signed.append(f"{model._meta.label_lower}:{pk}")
                continue
            for pk, value in queryset.filter(condition).values_list("pk", name).iterator():
                new = redactor.column(column, value, wide=str(pk) not in own_ids)
                if new != value:
                    _update(manager, pk, column, new)
                    result.rows += 1
    return result
