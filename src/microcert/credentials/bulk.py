"""Issuing a cohort from a CSV file and revoking in bulk, as background jobs.

An upload is checked whole before anything is stored (size, encoding, header, number of rows);
a file that passes becomes a :class:`BulkJob` whose rows a task then works through one by one.
A row that cannot be done is recorded with its line number and the reason, and the job goes
on. Issuing is idempotent per row, keyed on (issuer, specification, e-mail, evidence URL), so
running the same file again issues nothing twice: those rows count as skipped. The rows of one
specification are issued together as a cohort (``services.credential_issue_cohort``).
"""

import csv
import hashlib
import io
import logging
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from microcert.accounts import selectors as account_selectors
from microcert.accounts.models import User
from microcert.catalog.models import MicroCredential, SpecificationVersion
from microcert.core.services import event_record
from microcert.frameworks.models import ProficiencyLevel

from . import openbadges, services
from .models import BulkJob, IssuedCredential, Issuer

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL_CHARS = 2000
ISSUE_REQUIRED = ("email", "specification")
ISSUE_OPTIONAL = ("evidence_url", "evidence_name")
LEVEL_PREFIX = "level_"
REVOKE_COLUMNS = ("credential", "uuid", "id")  # any one of them names the credential
# Progress is written at most this often (seconds), and always at the end.
FLUSH_EVERY = 0.5
MAX_STORED_ERRORS = 5000

DONE, SKIPPED = "done", "skipped"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


class BulkUploadError(ValidationError):
    """The uploaded file is refused as a whole; the message says why."""


class RowError(Exception):
    """One row cannot be done; the message says why."""


# --- reading an upload -------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    header: list[str]
    rows: list[dict] = field(default_factory=list)


def _decode(upload) -> str:
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise BulkUploadError(
            _("The file is larger than %(limit)s MB.") % {"limit": MAX_UPLOAD_BYTES // 2**20}
        )
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise BulkUploadError(
            _("The file is larger than %(limit)s MB.") % {"limit": MAX_UPLOAD_BYTES // 2**20}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BulkUploadError(
            _(
                "The file is not UTF-8 text (a byte at position %(position)s cannot be read). "
                "Save it as “CSV UTF-8” and upload it again."
            )
            % {"position": error.start}
        ) from error
    if "\x00" in text:
        raise BulkUploadError(_("The file is not a CSV text file."))
    if not text.strip():
        raise BulkUploadError(_("The file is empty."))
    return text


def _dialect(text: str) -> type[csv.Dialect]:
    """Spreadsheets' CSV with the delimiter the header uses. Only the delimiter is sniffed: a
    header says nothing about quoting, and a guessed quoting misreads cells holding quotes."""
    lines = text.lstrip().splitlines()
    try:
        delimiter = csv.Sniffer().sniff(lines[0], delimiters=",;\t").delimiter
    except (csv.Error, IndexError):
        delimiter = ","
    return type("Spreadsheet", (csv.excel,), {"delimiter": delimiter})


def read_csv(
    upload, *, required: Sequence[str] = (), one_of: Sequence[str] = (), expected: str = ""
) -> Upload:
    """Check and read a CSV upload: every column in ``required`` and at least one of
    ``one_of`` must be in the header. Raises :class:`BulkUploadError`."""
    text = _decode(upload)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        header = [name.strip().lower() for name in next(reader)]
        missing = [name for name in required if name not in header]
        if missing or (one_of and not set(one_of) & set(header)):
            raise BulkUploadError(
                _(
                    "The first line must be a header naming the columns: %(expected)s. "
                    "Found: %(found)s."
                )
                % {"expected": expected, "found": ", ".join(h for h in header if h) or "—"}
            )
        duplicates = sorted({name for name in header if name and header.count(name) > 1})
        if duplicates:
            raise BulkUploadError(
                _("The header names a column twice: %(names)s.") % {"names": ", ".join(duplicates)}
            )
        rows = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise BulkUploadError(
                    _("The file has more than %(limit)s rows; split it into smaller files.")
                    % {"limit": MAX_ROWS}
                )
            cells = [value.strip()[:MAX_CELL_CHARS] for value in values]
            rows.append(
                {
                    "line": reader.line_num,
                    "values": dict(zip(header, cells, strict=False)),
                    "fields": len(cells),
                    "expected": len(header),
                }
            )
    except csv.Error as error:
        raise BulkUploadError(
            _("Line %(line)s cannot be read as CSV: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error
    if not rows:
        raise BulkUploadError(_("The file has a header but no rows."))
    return Upload(header=header, rows=rows)


def read_issue_csv(upload) -> Upload:
    return read_csv(
        upload,
        required=ISSUE_REQUIRED,
        expected="email, specification, evidence_url, evidence_name",
    )


def read_revoke_csv(upload) -> Upload:
    return read_csv(upload, one_of=REVOKE_COLUMNS, expected="credential")


# --- jobs --------------------------------------------------------------------------------


@transaction.atomic
def bulk_job_create(
    *, kind: str, issuer: Issuer, actor: User, file_name: str, rows: list[dict], reason: str = ""
) -> BulkJob:
    """Store a checked upload as a queued job (the caller queues its task)."""
    if kind not in BulkJob.Kind.values:
        raise ValidationError(_("Unknown kind of job: %(kind)s.") % {"kind": kind})
    if kind == BulkJob.Kind.REVOKE and not reason.strip():
        raise ValidationError(_("A reason is required."))
    job = BulkJob.objects.create(
        kind=kind,
        issuer=issuer,
        created_by=actor,
        file_name=file_name[:255],
        rows=rows,
        reason=reason.strip(),
        total=len(rows),
    )
    event_record(
        actor=actor,
        verb="bulk_job.created",
        target=job,
        reason=job.reason,
        details={"kind": kind, "rows": len(rows), "file": job.file_name},
    )
    return job


def issue_key(issuer: Issuer, specification: str, email: str, evidence_url: str) -> str:
    """The idempotency key of one CSV row: the same row issues the same credential once."""
    material = "\n".join([str(issuer.uuid), specification, email.strip().lower(), evidence_url])
    return "bulk:" + hashlib.sha256(material.encode()).hexdigest()


class _Lookups:
    """What rows look up, fetched once per job."""

    def __init__(self) -> None:
        self.people: dict[str, User | None] = {}
        self.versions: dict[str, SpecificationVersion | str] = {}

    def person(self, email: str) -> User | None:
        if email not in self.people:
            self.people[email] = (
                account_selectors.person_by_any_email(email)
                or User.objects.filter(email__iexact=email, is_active=True).first()
            )
        return self.people[email]

    def version(self, slug: str) -> SpecificationVersion:
        if slug not in self.versions:
            version = SpecificationVersion.objects.filter(
                micro_credential__slug=slug, status=SpecificationVersion.Status.PUBLISHED
            ).first()
            if version is not None:
                self.versions[slug] = version
            elif MicroCredential.objects.filter(slug=slug).exists():
                self.versions[slug] = _("%(slug)s has no published version to award.") % {
                    "slug": slug
                }
            else:
                self.versions[slug] = _("There is no micro-credential %(slug)s.") % {"slug": slug}
        found = self.versions[slug]
        if isinstance(found, str):
            raise RowError(found)
        return found


def _check_shape(row: dict) -> None:
    if row.get("fields") != row.get("expected"):
        raise RowError(
            _("The line has %(found)s fields where the header has %(expected)s.")
            % {"found": row.get("fields", "?"), "expected": row.get("expected", "?")}
        )


def _results(version: SpecificationVersion, values: dict) -> dict[int, ProficiencyLevel]:
    results: dict[int, ProficiencyLevel] = {}
    alignments = {
        a.competence.code.lower(): a
        for a in version.alignments.select_related("competence__framework")
    }
    for column, value in values.items():
        if not column.startswith(LEVEL_PREFIX) or not value:
            continue
        code = column[len(LEVEL_PREFIX) :]
        alignment = alignments.get(code.lower())
        if alignment is None:
            raise RowError(
                _("%(version)s is not aligned to the competence %(code)s.")
                % {"version": version, "code": code}
            )
        level = alignment.competence.framework.levels.filter(code__iexact=value).first()
        if level is None:
            raise RowError(
                _("%(level)s is not a level of %(framework)s.")
                % {"level": value, "framework": alignment.competence.framework.title}
            )
        results[alignment.competence_id] = level
    return results


def _prepare_issue_row(
    job: BulkJob, row: dict, lookups: _Lookups
) -> tuple[SpecificationVersion, services.CohortAward]:
    """Check one row of an issue job: the specification version and the award it asks for."""
    _check_shape(row)
    values = row["values"]
    email = values.get("email", "").strip().lower()
    if not email:
        raise RowError(_("The e-mail address is missing."))
    try:
        validate_email(email)
    except ValidationError as error:
        raise RowError(_("%(email)s is not an e-mail address.") % {"email": email}) from error
    slug = values.get("specification", "").strip()
    if not slug:
        raise RowError(_("The specification is missing."))
    evidence_url = values.get("evidence_url", "").strip()
    evidence_name = values.get("evidence_name", "").strip()
    if evidence_url:
        try:
            URLValidator(schemes=["https", "http"])(evidence_url)
        except ValidationError as error:
            raise RowError(
                _("The evidence URL %(url)s is not a web address.") % {"url": evidence_url[:200]}
            ) from error
    elif evidence_name:
        raise RowError(_("An evidence name is given without its URL."))
    recipient = lookups.person(email)
    if recipient is None:
        raise RowError(
            _("Nobody on the platform has the e-mail address %(email)s.") % {"email": email}
        )
    version = lookups.version(slug)
    evidence = (
        [openbadges.Evidence(url=evidence_url, name=evidence_name or evidence_url)]
        if evidence_url
        else []
    )
    return version, services.CohortAward(
        recipient=recipient,
        results=_results(version, values),
        evidence=evidence,
        idempotency_key=issue_key(job.issuer, slug, email, evidence_url),
    )


def credential_reference(value: str) -> uuid.UUID | None:
    """A credential named by its UUID, its ``urn:uuid:`` id or the address of its page."""
    value = value.strip()
    candidate = value.removeprefix("urn:uuid:")
    if not _UUID.fullmatch(candidate):
        if not value.startswith(("https://", "http://")):
            return None
        found = _UUID.findall(value)
        if len(found) != 1:
            return None
        candidate = found[0]
    return uuid.UUID(candidate)


def _revoke_row(job: BulkJob, row: dict, lookups: _Lookups) -> str:
    _check_shape(row)
    values = row["values"]
    reference = next((values[c] for c in REVOKE_COLUMNS if values.get(c)), "")
    if not reference:
        raise RowError(_("The credential is missing."))
    public_id = credential_reference(reference)
    credential = (
        IssuedCredential.objects.filter(uuid=public_id, issuer=job.issuer).first()
        if public_id
        else None
    )
    if credential is None:
        raise RowError(
            _("%(issuer)s issued no credential with the id %(id)s.")
            % {"issuer": job.issuer, "id": reference[:120]}
        )
    if credential.status == IssuedCredential.Status.REVOKED:
        return SKIPPED
    services.credential_revoke(
        credential=credential, actor=job.created_by, reason=job.reason, publish=False
    )
    return DONE


def _row_label(job: BulkJob, row: dict) -> str:
    values = row.get("values") or {}
    if job.kind == BulkJob.Kind.ISSUE:
        return " · ".join(v for v in (values.get("email"), values.get("specification")) if v)
    return next((values[c] for c in REVOKE_COLUMNS if values.get(c)), "")[:120]


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(error)


def bulk_job_run(job_id: int) -> BulkJob:
    """Work through a job's rows, writing progress as it goes. A job run again (a task
    delivered twice, or again after its worker was killed) starts over; rows finished before
    are found by their idempotency key and counted as skipped, never done twice. A finished
    job is not run again."""
    job = BulkJob.objects.select_related("issuer__organisation", "created_by").get(pk=job_id)
    if job.state == BulkJob.State.DONE:
        return job
    language = job.created_by.preferred_language or "en"
    with translation.override(language):
        try:
            _run(job)
        except Exception as error:  # the job is marked failed; the worker keeps going
            logger.exception("bulk job %s failed", job.uuid)
            with transaction.atomic():
                failed = BulkJob.objects.select_for_update().get(pk=job.pk)
                stopped = _("The job stopped: %(error)s") % {"error": error.__class__.__name__}
                failed.errors = [*failed.errors, {"line": None, "value": "", "message": stopped}]
                failed.state = BulkJob.State.FAILED
                failed.finished_at = timezone.now()
                failed.save(update_fields=["errors", "state", "finished_at", "updated_at"])
                event_record(actor=job.created_by, verb="bulk_job.failed", target=failed)
    job.refresh_from_db()
    return job


def _run(job: BulkJob) -> None:
    BulkJob.objects.filter(pk=job.pk).update(
        state=BulkJob.State.RUNNING,
        processed=0,
        succeeded=0,
        skipped=0,
        errors=[],
        finished_at=None,
        updated_at=timezone.now(),
    )
    counts = _Counts(job)
    if job.kind == BulkJob.Kind.ISSUE:
        _run_issue(job, counts)
    else:
        _run_revoke(job, counts)
    counts.flush(force=True)
    with transaction.atomic():
        done = BulkJob.objects.select_for_update().get(pk=job.pk)
        done.state = BulkJob.State.DONE
        done.finished_at = timezone.now()
        done.save(update_fields=["state", "finished_at", "updated_at"])
        event_record(
            actor=job.created_by,
            verb="bulk_job.finished",
            target=done,
            details={
                "processed": counts.processed,
                "succeeded": counts.succeeded,
                "skipped": counts.skipped,
                "errors": len(counts.errors),
            },
        )


class _Counts:
    """A job's progress, written to its row at most every ``FLUSH_EVERY`` seconds."""

    def __init__(self, job: BulkJob) -> None:
        self.job = job
        self.processed = self.succeeded = self.skipped = 0
        self.errors: dict[int, dict] = {}  # by row position, so they list in file order
        self.last_flush = time.monotonic()

    def outcome(self, outcome: str) -> None:
        self.processed += 1
        self.succeeded += outcome == DONE
        self.skipped += outcome == SKIPPED

    def error(self, position: int, row: dict, message: str) -> None:
        self.processed += 1
        self.errors[position] = {
            "line": row.get("line"),
            "value": _row_label(self.job, row),
            "message": message,
        }

    def flush(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self.last_flush < FLUSH_EVERY:
            return
        errors = [self.errors[position] for position in sorted(self.errors)]
        BulkJob.objects.filter(pk=self.job.pk).update(
            processed=self.processed,
            succeeded=self.succeeded,
            skipped=self.skipped,
            errors=errors[:MAX_STORED_ERRORS],
            updated_at=timezone.now(),
        )
        self.last_flush = time.monotonic()


def _unexpected(job: BulkJob, row: dict) -> str:
    logger.exception("bulk job %s: line %s failed", job.uuid, row.get("line"))
    return _("An unexpected error stopped this row; it was not done.")


def _run_issue(job: BulkJob, counts: _Counts) -> None:
    """Check every row, then issue each specification's rows as one cohort
    (``credential_issue_cohort``: status entries, signing and storing in batches)."""
    lookups = _Lookups()
    cohorts: dict[int, tuple[SpecificationVersion, list[tuple[int, services.CohortAward]]]] = {}
    for position, row in enumerate(job.rows):
        try:
            version, award = _prepare_issue_row(job, row, lookups)
        except (RowError, ValidationError) as error:
            counts.error(position, row, _error_text(error))
        except Exception:
            counts.error(position, row, _unexpected(job, row))
        else:
            cohorts.setdefault(version.pk, (version, []))[1].append((position, award))
    counts.flush()
    for version, members in cohorts.values():
        before = counts.processed

        def progress(settled: int, before: int = before) -> None:
            counts.processed = before + settled
            counts.flush()

        try:
            outcome = services.credential_issue_cohort(
                issuer=job.issuer,
                version=version,
                awards=[award for _position, award in members],
                actor=job.created_by,
                progress=progress,
            )
        except ValidationError as error:
            counts.processed = before
            for position, _award in members:
                counts.error(position, job.rows[position], _error_text(error))
            continue
        except Exception:
            counts.processed = before
            for position, _award in members:
                counts.error(position, job.rows[position], _unexpected(job, job.rows[position]))
            continue
        counts.processed = before
        for index, (position, _award) in enumerate(members):
            if index in outcome.refused:
                counts.error(position, job.rows[position], outcome.refused[index])
            else:
                counts.outcome(SKIPPED if index in outcome.existing else DONE)


def _run_revoke(job: BulkJob, counts: _Counts) -> None:
    """Revoke row by row, setting status bits only, then sign each changed list once. A job
    stopped half-way leaves lists unsigned; its re-run (or the ``publish_status_lists``
    task) publishes them, since publication compares the bits with what was signed."""
    lookups = _Lookups()
    try:
        for position, row in enumerate(job.rows):
            try:
                outcome = _revoke_row(job, row, lookups)
            except (RowError, ValidationError) as error:
                counts.error(position, row, _error_text(error))
            except Exception:
                counts.error(position, row, _unexpected(job, row))
            else:
                counts.outcome(outcome)
            counts.flush()
    finally:
        services.status_lists_publish(issuer=job.issuer)


def outcome_summary(job: BulkJob) -> str:
    """One sentence on a job's counts, for messages."""
    errors = len(job.errors)
    return ngettext(
        "%(done)s done, %(skipped)s skipped, %(errors)s row with an error.",
        "%(done)s done, %(skipped)s skipped, %(errors)s rows with errors.",
        errors,
    ) % {"done": job.succeeded, "skipped": job.skipped, "errors": errors}
