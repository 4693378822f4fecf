"""Identifiers replaced by salted hashes, and the one narrow way an erasure may rewrite the
event log."""

import unicodedata

import pytest
from django.db import DatabaseError, connection, models, transaction

from microcert.accounts import services as account_services
from microcert.core.models import AppendOnlyError, Event
from microcert.core.services import event_record
from microcert.privacy.redaction import (
    Identifiers,
    Redactor,
    event_redaction_window,
    redact_events,
)

NAME = "Trần Thị Mai Hoa"


def identifiers(salt: str = "s1") -> Identifiers:
    found = Identifiers(salt=salt)
    found.add_email("Mai.Hoa@Uni.example")
    found.add_name(NAME)
    found.add_name("Hoa")
    return found


def test_a_hash_is_salted_and_ignores_case_spacing_and_unicode_form():
    ids = identifiers()
    token = ids.token("mai.hoa@uni.example")
    assert token.startswith("sha256:") and len(token) == len("sha256:") + 24
    assert ids.token("  MAI.HOA@uni.example ") == token
    assert ids.token(unicodedata.normalize("NFD", NAME)) == ids.token(NAME)
    assert identifiers(salt="s2").token("mai.hoa@uni.example") != token


def test_whole_words_only_and_one_word_names_only_near_the_person():
    redactor = Redactor(identifiers())
    text = "Plan by Hoa, Hoang and Trần Thị Mai Hoa (mai.hoa@uni.example)."
    narrow = redactor.text(text, wide=False)
    assert "Hoa," not in narrow and NAME not in narrow and "mai.hoa@" not in narrow
    assert "Plan by" in narrow and "Hoang" in narrow
    wide = redactor.text(text, wide=True)
    # Across other people's records a one-word name is left alone; full names and
    # addresses are not.
    assert "Plan by Hoa, Hoang and sha256:" in wide and "mai.hoa@" not in wide


def test_an_address_inside_a_longer_one_is_someone_else():
    redactor = Redactor(identifiers())
    assert redactor.text("xmai.hoa@uni.example", wide=True) == "xmai.hoa@uni.example"
    assert redactor.text("mai.hoa@uni.example.org", wide=True) == "mai.hoa@uni.example.org"


def test_json_is_walked_keys_and_values_and_decomposed_spelling_too():
    redactor = Redactor(identifiers())
    decomposed = unicodedata.normalize("NFD", NAME)
    value = {"rows": [{"email": "MAI.HOA@uni.example", "name": decomposed}], NAME: 1}
    redacted = redactor.json(value, wide=True)
    assert "MAI.HOA@uni.example" not in str(redacted)
    assert decomposed not in str(redacted) and NAME not in str(redacted)
    assert redacted["rows"][0]["email"] == redactor.identifiers.token("mai.hoa@uni.example")


def test_search_forms_include_the_json_escaped_spelling():
    forms = identifiers().search_forms(wide=True)
    assert NAME in forms and "Tr\\u1ea7n Th\\u1ecb Mai Hoa" in forms


def test_an_email_column_gets_a_stand_in_address_that_is_never_delivered():
    redactor = Redactor(identifiers())
    value = redactor.column(models.EmailField(), "mai.hoa@uni.example", wide=True)
    assert value.endswith("@erased.invalid") and value.startswith("erased-")


# --- the event log ----------------------------------------------------------------------------


@pytest.fixture
def event(db) -> Event:
    with transaction.atomic():
        person = account_services.user_create(email="mai.hoa@uni.example", legal_name=NAME)
        return event_record(
            actor=person, verb="person.noted", target=person, details={"email": person.email}
        )


def _raw_update(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_outside_an_erasure_the_log_refuses_every_change(event):
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(DatabaseError):
        _raw_update("UPDATE core_event SET actor_label = %s WHERE id = %s", ["x", event.pk])
    event.refresh_from_db()
    assert event.actor_label == "mai.hoa@uni.example"


def test_inside_the_window_only_the_personal_columns_may_change(event):
    with transaction.atomic(), event_redaction_window():
        Event.objects.filter(pk=event.pk).update(actor_label="sha256:1", details={})
    event.refresh_from_db()
    assert event.actor_label == "sha256:1" and event.details == {}
    for column, value in [("verb", "person.forged"), ("object_id", "999"), ("actor_id", None)]:
        with pytest.raises(DatabaseError), transaction.atomic(), event_redaction_window():
            Event.objects.filter(pk=event.pk).update(**{column: value})
    event.refresh_from_db()
    assert event.verb == "person.noted" and event.actor_id is not None
    # The window is closed again: no row is left behind.
    with pytest.raises(DatabaseError):
        _raw_update("UPDATE core_event SET reason = %s WHERE id = %s", ["x", event.pk])


def test_the_window_opens_only_inside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError), event_redaction_window():
        pass


def test_redacting_events_hashes_the_persons_identifiers_and_keeps_the_record(event):
    ids = identifiers()
    with transaction.atomic():
        changed = redact_events(
            Redactor(ids), person_id=event.actor_id, owned={"accounts.user": {event.object_id}}
        )
    assert changed == 2  # the account's creation and the note
    created = Event.objects.get(verb="person.created")
    assert created.details == {"email": ids.token("mai.hoa@uni.example")}
    event.refresh_from_db()
    assert event.actor_label == ids.token("mai.hoa@uni.example")
    assert event.details == {"email": ids.token("mai.hoa@uni.example")}
    assert event.object_repr.startswith("sha256:")
    assert (event.verb, event.object_type) == ("person.noted", "accounts.user")


def test_the_sweep_keeps_unique_columns_unique(db):
    """Two references that differed only in how the name was written would read the same
    once hashed: the second is told apart by its key instead of failing the erasure."""
    from microcert.network.models import Agreement
    from microcert.privacy.redaction import sweep

    first = Agreement.objects.create(reference=f"MoU {NAME}", title="Cooperation")
    second = Agreement.objects.create(reference=f"MoU {NAME.upper()}", title="Cooperation")
    with transaction.atomic():
        result = sweep(Redactor(identifiers()), owned={})
    first.refresh_from_db()
    second.refresh_from_db()
    assert result.rows == 2
    references = {first.reference, second.reference}
    assert len(references) == 2
    for reference in references:
        assert reference.startswith("MoU sha256:") and "MAI HOA" not in reference.upper()
    assert any(reference.endswith((f"-{first.pk}", f"-{second.pk}")) for reference in references)
