"""Nothing lost: a backup of the demo (with a revoked credential and uploaded evidence)
restores into an empty database, where every credential verifies again (ours and Digital
Bazaar's verifier agree), the files are byte-identical and the events and PD ledger are there;
a damaged, altered, newer or wrongly unlocked archive, and a database that is not empty, are
refused with a message and change nothing."""

import base64
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from microcert.accounts.services import user_create
from microcert.core.backup import database
from microcert.core.tests.databases import fresh_database
from microcert.credentials import keystore
from microcert.credentials.models import IssuedCredential, IssuerKey
from microcert.credentials.tests.independent import verify_independently

PROJECT_ROOT = Path(__file__).resolve().parents[4]
PASSPHRASE_VARIABLE = "MICROCERT_TEST_BACKUP_PASSPHRASE"
PASSPHRASE = "a long passphrase for the test archive"
PUBLIC_BASE_URL = "https://microcert.test"


@dataclass(frozen=True)
class Backed:
    """Archives of the demo and what the database held when they were made."""

    plain: Path
    encrypted: Path
    command_output: str
    counts: dict[str, int]
    credentials: dict[str, str]  # uuid -> recorded status
    revoked: str
    files: dict[str, bytes]  # storage name -> content
    issuer_keys: dict[str, tuple[bytes, bytes]]  # public key -> (stored blob, private key)
    migrations: dict[str, list[str]]


def _counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _uploaded_files() -> dict[str, bytes]:
    """Every stored file of every model's file fields (evidence, news images, ...)."""
    from django.db import models

    files = {}
    for model in apps.get_models():
        for field in model._meta.local_fields:
            if not isinstance(field, models.FileField):
                continue
            for instance in model.objects.exclude(**{field.name: ""}).exclude(
                **{f"{field.name}__isnull": True}
            ):
                stored = getattr(instance, field.name)
                with stored.open("rb") as stream:
                    files[stored.name] = stream.read()
    return files


@pytest.fixture(scope="module")
def backed(django_db_setup, django_db_blocker, tmp_path_factory) -> Backed:
    """The demo with credentials, one of them revoked, backed up twice (plain and encrypted),
    then rolled back: each test starts from an empty database again."""
    from microcert.credentials.services import credential_revoke
    from microcert.demo.services import demo_load

    work = tmp_path_factory.mktemp("backup")
    os.environ[PASSPHRASE_VARIABLE] = PASSPHRASE
    with (
        override_settings(
            MEDIA_ROOT=work / "media",
            PUBLIC_BASE_URL=PUBLIC_BASE_URL,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            RATE_LIMITS_ENABLED=False,
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        demo_load(credentials=True)
        revoked = IssuedCredential.objects.get(recipient__email="hung.le@hust.example")
        credential_revoke(credential=revoked, actor=None, reason="Issued in error (test).")
        output = io.StringIO()
        call_command("backup", "--output", str(work / "demo.tar"), stdout=output)
        call_command(
            "backup",
            "--output",
            str(work / "demo.tar.enc"),
            "--passphrase-env",
            PASSPHRASE_VARIABLE,
            stdout=output,
            stderr=output,
        )
        files = _uploaded_files()
        keys = {
            key.public_key_multibase: (
                bytes(key.encrypted_private_key),
                keystore.decrypt_private_key(
                    key.encrypted_private_key,
                    kek_id=key.kek_id,
                    bound_to=key.public_key_multibase,
                ),
            )
            for key in IssuerKey.objects.all()
        }
        facts = Backed(
            plain=work / "demo.tar",
            encrypted=work / "demo.tar.enc",
            command_output=output.getvalue(),
            counts=_counts(),
            credentials={str(c.uuid): c.status for c in IssuedCredential.objects.all()},
            revoked=str(revoked.uuid),
            files=files,
            issuer_keys=keys,
            migrations=database.applied_migrations("default"),
        )
        transaction.set_rollback(True)
    return facts


def _records(archive: Path, member: str) -> list[dict]:
    with tarfile.open(archive) as tar:
        return [
            json.loads(line)
            for line in gzip.decompress(tar.extractfile(member).read()).splitlines()
        ]


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def _restore(*args: str) -> str:
    output = io.StringIO()
    call_command("restore", *args, stdout=output, stderr=output)
    return output.getvalue()


def _nothing_stored(media_root: Path) -> bool:
    files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    return database.rows_present("default") == [] and files == []


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(PROJECT_ROOT / "manage.py"), *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _environment(database_url: str, work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(work / "restored-media"),
        "MICROCERT_VAR_DIR": str(work / "var"),
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "PYTHONPATH": str(PROJECT_ROOT / "src"),
        PASSPHRASE_VARIABLE: PASSPHRASE,
    }


# --- the whole journey, into another database ------------------------------------------------


def test_the_backup_restores_into_an_empty_database_where_every_credential_verifies(
    backed, tmp_path
):
    with fresh_database(tmp_path) as fresh:
        env = _environment(fresh["url"], tmp_path)
        restored = _manage(
            "restore",
            str(backed.encrypted),
            "--passphrase-env",
            PASSPHRASE_VARIABLE,
            "--verify",
            env=env,
        )
        assert restored.returncode == 0, restored.stderr
        assert "every count matches the manifest" in restored.stdout
        assert "0 with problems" in restored.stdout
        assert PASSPHRASE not in restored.stdout + restored.stderr

        facts_path, documents_path = tmp_path / "facts.json", tmp_path / "documents.json"
        inspected = subprocess.run(  # noqa: S603 - our own helper module
            [
                sys.executable,
                "-m",
                "microcert.core.tests.restored_facts",
                facts_path,
                documents_path,
            ],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert inspected.returncode == 0, inspected.stderr
    facts = json.loads(facts_path.read_text())

    # Every table holds what it held (content types and permissions are made by migrate).
    for label, count in backed.counts.items():
        if label not in database.NOT_ARCHIVED:
            assert facts["counts"][label] == count, label
    assert facts["counts"]["core.event"] == backed.counts["core.event"] > 100
    assert (
        facts["counts"]["recognition.ledgerentry"] == backed.counts["recognition.ledgerentry"] > 0
    )

    # The uploaded evidence is byte for byte what it was.
    assert backed.files
    for name, content in backed.files.items():
        assert (tmp_path / "restored-media" / name).read_bytes() == content

    # Our verifier: every credential verifies, the revoked one is reported revoked, and every
    # issuer can still sign (the key-encryption key of this environment decrypts its key).
    outcomes = {o["uuid"]: o for o in facts["verify_all"]["credentials"]}
    assert facts["verify_all_failure"] == ""
    assert set(outcomes) == set(backed.credentials)
    for uuid, outcome in outcomes.items():
        expected = "revoked" if uuid == backed.revoked else "verified"
        assert outcome["verdict"] == expected, outcome
    assert all(issuer["can_sign"] for issuer in facts["verify_all"]["issuers"])

    # Digital Bazaar's verifier (and the DCC's) with the restored DID documents and status lists.
    bundle = json.loads(documents_path.read_text())
    results = verify_independently(bundle["credentials"], bundle["documents"])
    for document, result in zip(bundle["credentials"], results, strict=True):
        uuid = document["id"].removeprefix("urn:uuid:")
        assert result["digitalbazaar"]["verified"], (document["name"], result["digitalbazaar"])
        assert result["digitalbazaar"]["revoked"] is (uuid == backed.revoked)
        assert result["dcc"]["revoked"] is (uuid == backed.revoked)
        assert result["dcc"]["verified"] is (uuid != backed.revoked), result["dcc"]


def test_a_tampered_archive_is_refused_by_another_database_which_stays_untouched(backed, tmp_path):
    tampered = tmp_path / "tampered.tar.enc"
    data = bytearray(backed.encrypted.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    with fresh_database(tmp_path) as fresh:
        env = _environment(fresh["url"], tmp_path)
        refused = _manage(
            "restore", str(tampered), "--passphrase-env", PASSPHRASE_VARIABLE, env=env
        )
        tables = _manage("inspectdb", env=env)
    assert refused.returncode == 1
    assert "altered or damaged" in refused.stderr
    assert "class " not in tables.stdout  # not even the migration table was made
    assert not (tmp_path / "restored-media").exists()


# --- lossless, in this database ---------------------------------------------------------------


def test_a_restored_database_holds_exactly_the_rows_that_were_backed_up(
    backed, db, tmp_path, settings
):
    output = _restore(str(backed.plain))
    assert "every count matches the manifest" in output

    call_command("backup", "--output", str(tmp_path / "again.tar"), stdout=io.StringIO())
    first, second = _manifest(backed.plain), _manifest(tmp_path / "again.tar")
    assert first["tables"] == second["tables"]
    for label, table in first["tables"].items():
        if "member" in table:
            # Compared as JSON values: PostgreSQL keeps JSON objects in its own key order.
            assert _records(backed.plain, table["member"]) == _records(
                tmp_path / "again.tar", table["member"]
            ), label
    assert {f["name"] for f in first["files"]} == {f["name"] for f in second["files"]}
    for name, content in backed.files.items():
        assert (Path(settings.MEDIA_ROOT) / name).read_bytes() == content


def test_microseconds_binary_keys_and_timestamps_survive_as_stored(backed, db):
    _restore(str(backed.plain))
    for key in IssuerKey.objects.all():
        stored, _private = backed.issuer_keys[key.public_key_multibase]
        assert bytes(key.encrypted_private_key) == stored
    events = _records(backed.plain, "database/core.event.jsonl.gz")
    with_microseconds = [e for e in events if "." in e["fields"]["occurred_at"]]
    assert with_microseconds, "the demo's events carry microseconds"
    from microcert.core.models import Event

    event = Event.objects.get(pk=with_microseconds[0]["pk"])
    assert event.occurred_at.isoformat() == with_microseconds[0]["fields"]["occurred_at"]


def test_verification_after_a_restore_catches_a_credential_that_no_longer_verifies(backed, db):
    _restore(str(backed.plain))
    credential = IssuedCredential.objects.exclude(uuid=backed.revoked).first()
    document = dict(credential.document, name="Something else")
    IssuedCredential.objects.filter(pk=credential.pk).update(document=document)
    output = io.StringIO()
    total = IssuedCredential.objects.count()
    with pytest.raises(CommandError, match=f"1 of {total} credentials have problems"):
        call_command("verify_all", stdout=output, stderr=output)
    assert f"{credential.uuid} Something else: proof" in output.getvalue()


# --- what the archive holds ---------------------------------------------------------------


def test_the_manifest_names_version_migrations_counts_and_a_checksum_of_every_member(backed):
    manifest = _manifest(backed.plain)
    assert manifest["format"] == "microcert-backup" and manifest["format_version"] == 1
    assert manifest["platform"]["version"] == "0.1.0"
    assert manifest["created_at"].endswith("Z")
    assert manifest["migrations"] == backed.migrations
    for label, table in manifest["tables"].items():
        assert table["rows"] == backed.counts[label], label
    assert not set(manifest["tables"]) & database.NOT_ARCHIVED
    with tarfile.open(backed.plain) as tar:
        names = tar.getnames()
        assert names[-1] == "manifest.json"  # last: an archive cut short has none
        for name in names[:-1]:
            content = tar.extractfile(name).read()
            assert manifest["members"][name] == {
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
    stored = {entry["name"] for entry in manifest["files"]}
    assert stored == set(backed.files) and manifest["missing_files"] == []


def test_issuer_keys_stay_encrypted_and_the_encrypted_archive_shows_nothing(backed):
    rows = _records(backed.plain, "database/credentials.issuerkey.jsonl.gz")
    plain_archive = backed.plain.read_bytes()
    assert len(rows) == len(backed.issuer_keys)
    for row in rows:
        stored, private = backed.issuer_keys[row["fields"]["public_key_multibase"]]
        assert row["fields"]["encrypted_private_key"] == base64.b64encode(stored).decode()
        assert private not in plain_archive
    encrypted = backed.encrypted.read_bytes()
    assert b"manifest.json" not in encrypted and b"microcert-backup" not in encrypted
    assert PASSPHRASE not in backed.command_output
    assert "encrypted" in backed.command_output and "KEY_ENCRYPTION_KEYS" in backed.command_output


def test_every_uploaded_file_field_of_every_model_is_found(db):
    from django.db import models

    from microcert.core.backup import files

    state = database.state_apps(database.applied_migrations("default"), "default")
    found = {(m._meta.label_lower, f.name) for m, f in files.file_fields(state)}
    declared = {
        (model._meta.label_lower, field.name)
        for model in apps.get_models()
        for field in model._meta.local_fields
        if isinstance(field, models.FileField)
    }
    assert ("learning.evidenceitem", "file") in found
    assert found == declared


# --- refusals that change nothing -----------------------------------------------------------


def _tar_members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(archive) as tar:
        return [(m, tar.extractfile(m).read()) for m in tar.getmembers()]


def _repacked(source: Path, target: Path, change) -> Path:
    """A copy of a plain archive whose manifest ``change`` edits (checksums stay right)."""
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        for info, content in _tar_members(source):
            if info.name == "manifest.json":
                manifest = json.loads(content)
                change(manifest)
                content = json.dumps(manifest).encode()
                info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return target


def _altered_member(backed: Backed, directory: Path) -> Path:
    member = "database/credentials.issuedcredential.jsonl.gz"
    with tarfile.open(backed.plain) as tar:
        offset = tar.getmember(member).offset_data
    data = bytearray(backed.plain.read_bytes())
    data[offset + 20] ^= 0xFF
    (directory / "altered.tar").write_bytes(bytes(data))
    return directory / "altered.tar"


def _altered_chunk(backed: Backed, directory: Path) -> Path:
    data = bytearray(backed.encrypted.read_bytes())
    data[-100] ^= 0x01
    (directory / "altered.tar.enc").write_bytes(bytes(data))
    return directory / "altered.tar.enc"


def _cut_short(source: Path, directory: Path) -> Path:
    data = source.read_bytes()
    (directory / source.name).write_bytes(data[: len(data) // 2])
    return directory / source.name


def _future_migration(manifest: dict) -> None:
    manifest["migrations"]["core"].append("9999_from_a_later_release")


def _future_format(manifest: dict) -> None:
    manifest["format_version"] = 2


# case: (make the archive, give the passphrase, what the refusal says)
REFUSALS = {
    "a data member altered": (
        _altered_member,
        False,
        "credentials.issuedcredential.jsonl.gz does not match its SHA-256",
    ),
    "an encrypted chunk altered": (_altered_chunk, True, "altered or damaged"),
    "an encrypted archive cut short": (
        lambda backed, directory: _cut_short(backed.encrypted, directory),
        True,
        "truncated",
    ),
    "a plain archive cut short": (
        lambda backed, directory: _cut_short(backed.plain, directory),
        False,
        "damaged or truncated",
    ),
    "a newer schema": (
        lambda backed, directory: _repacked(backed.plain, directory / "x.tar", _future_migration),
        False,
        "newer schema than this code",
    ),
    "a newer archive format": (
        lambda backed, directory: _repacked(backed.plain, directory / "x.tar", _future_format),
        False,
        "this code reads up to 1",
    ),
    "an encrypted archive without its passphrase": (
        lambda backed, directory: backed.encrypted,
        False,
        "is encrypted",
    ),
    "a plain archive where an encrypted one is expected": (
        lambda backed, directory: backed.plain,
        True,
        "this archive is not encrypted",
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_bad_archive_is_refused_with_its_reason_and_nothing_changes(
    case, backed, db, tmp_path, settings
):
    make, with_passphrase, reason = REFUSALS[case]
    archive = make(backed, tmp_path)
    arguments = [str(archive)] + (
        ["--passphrase-env", PASSPHRASE_VARIABLE] if with_passphrase else []
    )
    with pytest.raises(CommandError, match="Restore refused") as refusal:
        _restore(*arguments)
    assert reason in str(refusal.value)
    assert _nothing_stored(Path(settings.MEDIA_ROOT))


def test_a_wrong_passphrase_is_told_apart_from_damage_and_nothing_changes(
    backed, db, settings, monkeypatch
):
    monkeypatch.setenv(PASSPHRASE_VARIABLE, "not the passphrase it was made with")
    with pytest.raises(CommandError, match="The passphrase is wrong"):
        _restore(str(backed.encrypted), "--passphrase-env", PASSPHRASE_VARIABLE)
    assert _nothing_stored(Path(settings.MEDIA_ROOT))


def test_a_database_that_is_not_empty_is_refused_and_kept_as_it_is(backed, db, settings):
    user_create(email="someone@example.org", legal_name="Someone Already Here")
    before = _counts()
    with pytest.raises(CommandError, match="The database is not empty") as refusal:
        _restore(str(backed.plain))
    assert "accounts.user: 1 rows" in str(refusal.value)
    assert _counts() == before
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_check_only_verifies_the_archive_and_changes_nothing(backed, db, settings):
    output = _restore(str(backed.encrypted), "--passphrase-env", PASSPHRASE_VARIABLE, "--check")
    assert "each matching its SHA-256 (decrypted: the passphrase is right)" in output
    assert "Nothing was changed" in output
    assert _nothing_stored(Path(settings.MEDIA_ROOT))


# --- backing up ------------------------------------------------------------------------------


def test_a_backup_never_overwrites_and_wants_a_real_passphrase(db, tmp_path, monkeypatch):
    existing = tmp_path / "kept.tar"
    existing.write_bytes(b"an earlier backup")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", "--output", str(existing))
    assert existing.read_bytes() == b"an earlier backup"

    monkeypatch.setenv("SHORT_PASSPHRASE", "short")
    with pytest.raises(CommandError, match="shorter than 12 characters"):
        call_command(
            "backup", "--output", str(tmp_path / "new.tar"), "--passphrase-env", "SHORT_PASSPHRASE"
        )
    monkeypatch.delenv("UNSET_PASSPHRASE", raising=False)
    with pytest.raises(CommandError, match="UNSET_PASSPHRASE is not set"):
        call_command(
            "backup", "--output", str(tmp_path / "new.tar"), "--passphrase-env", "UNSET_PASSPHRASE"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.tar"]
