"""Benchmark group ``recognition_report``: national PD reports and exports over a big ledger.

It builds a national scheme whose current period holds 100,000, then 300,000, then 1,000,000
ledger rows (one issued credential each, about eight per teacher, 240 institutions in 63
provinces), and at each size measures, each in a fresh process:

``report``       the national report grouped by institution, with completion (the page's work);
``report_csv``   that report exported as CSV (streamed);
``report_xlsx``  that report exported as XLSX;
``ledger_csv``   every row of the ledger in the period as CSV, streamed over a server-side
                 cursor, consumed to the last byte as a client would;
``ledger_xlsx``  the same rows as XLSX (xlsxwriter, constant memory, temporary file, streamed).

Rows are written in bulk, the way a restore would: PostgreSQL ``COPY`` through psycopg, or
``executemany`` in large transactions on SQLite, with every index and foreign key of the schema
in place (so each row is checked as in production); the tables are analysed after each step.
"""

import contextlib
import datetime
import os
import random
import uuid
from decimal import Decimal
from itertools import islice

# The sizes measured: rows of the ledger in the period the report reads. A quicker try:
# BENCH_REPORT_SIZES=10000,30000 make bench
SIZES = tuple(
    int(size) for size in os.environ.get("BENCH_REPORT_SIZES", "100000,300000,1000000").split(",")
)
SCHEME = "bench-national"
INSTITUTIONS = 240
PROVINCES = 63
AREAS = [f"digcompedu:{n}" for n in range(1, 7)]
LEVELS = ["A1", "A2", "B1", "B2", "C1", "C2"]
# Equivalences in lessons of 45 minutes, and the same in clock hours.
AMOUNTS = [(Decimal("8.00"), Decimal("6.00")), (Decimal("10.00"), Decimal("7.50"))]
AMOUNTS += [(Decimal("5.00"), Decimal("3.75")), (Decimal("12.00"), Decimal("9.00"))]
BATCH = 50_000
# Tracing makes xlsxwriter about six times slower: over a million rows, ten minutes on its own.
# By default the ledger's XLSX is not traced (its flatness is read from the resident size);
# BENCH_TRACE_ALL=1 traces every operation at every size.
TRACE_ALL = os.environ.get("BENCH_TRACE_ALL") == "1"
OPERATIONS = ("report", "report_csv", "report_xlsx", "ledger_csv", "ledger_xlsx")


# --- The world ---------------------------------------------------------------------------------


def build_world() -> dict:
    """The few ordinary rows the ledger points at, made through the ORM and services."""
    from django.utils import timezone

    from microcert.catalog.models import MicroCredential, SpecificationVersion
    from microcert.credentials import services as credential_services
    from microcert.network.models import Organisation
    from microcert.recognition import services
    from microcert.recognition.models import InclusionApplication, InclusionDecision

    def organisation(slug, name, kind, country="VN", city=""):
        return Organisation.objects.create(
            slug=slug,
            kind=kind,
            name=name,
            country=country,
            subregion="south_eastern_asia",
            city=city,
        )

    ministry = organisation("bench-ministry", "Ministry of Education", "ministry")
    authority = services.authority_ensure(organisation=ministry, actor=None)
    scheme = services.scheme_create(
        authority=authority,
        slug=SCHEME,
        title="National regular fostering of lecturers",
        country="VN",
        staff_categories=["university_lecturer"],
        unit="lesson45",
        requirement=40,
        period_years=1,
        periods_start_on=datetime.date(2024, 9, 5),
        actor=None,
    )
    centre = organisation("bench-centre", "The Centre", "international", country="CN")
    issuer = credential_services.issuer_ensure(organisation=centre, actor=None)
    micro = MicroCredential.objects.create(slug="bench-collaboration")
    version = SpecificationVersion.objects.create(
        micro_credential=micro,
        number=1,
        status=SpecificationVersion.Status.PUBLISHED,
        title="Collaboration",
        workload_hours=Decimal("6"),
    )
    application = InclusionApplication.objects.create(
        scheme=scheme,
        version=version,
        applicant=centre,
        status=InclusionApplication.Status.APPROVED,
        submitted_at=timezone.now(),
    )
    decision = InclusionDecision.objects.create(
        application=application,
        number=1,
        outcome=InclusionDecision.Outcome.APPROVE,
        equivalence=Decimal("8"),
        valid_from=datetime.date(2024, 1, 1),
        decided_at=timezone.now(),
    )
    institutions = [
        organisation(
            f"bench-university-{n:03d}",
            f"University {n:03d}",
            "hei",
            city=f"Province {n % PROVINCES:02d}",
        )
        for n in range(INSTITUTIONS)
    ]
    return {
        "scheme": scheme,
        "issuer": issuer,
        "key": issuer.keys.get(retired_at__isnull=True),
        "version": version,
        "decision": decision,
        "institutions": institutions,
    }


# --- Bulk loading ------------------------------------------------------------------------------


class Table:
    """Rows of one model written in bulk: constant columns come from a prototype instance
    prepared by Django for this database; the varying ones are given per row."""

    def __init__(self, model, prototype, varying: list[str]) -> None:
        from django.db import connection

        fields = model._meta.local_concrete_fields
        self.name = model._meta.db_table
        self.columns = [f.column for f in fields]
        self.template = [
            None if f.primary_key else f.get_db_prep_save(getattr(prototype, f.attname), connection)
            for f in fields
        ]
        self.slots = [self.columns.index(column) for column in varying]

    def rows(self, values):
        template, slots = self.template, self.slots
        for row_values in values:
            row = list(template)
            for slot, value in zip(slots, row_values, strict=True):
                row[slot] = value
            yield row


class Loader:
    """Grows the ledger of the bench scheme to a given number of rows, with the people and
    credentials behind them."""

    def __init__(self, world: dict) -> None:
        from django.db import connection
        from django.utils import timezone

        from microcert.accounts.models import User
        from microcert.credentials.models import IssuedCredential
        from microcert.recognition.models import LedgerEntry
        from microcert.recognition.services import period_of

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.world = world
        self.random = random.Random(20261206)  # noqa: S311 -- test data, not secrets
        scheme = world["scheme"]
        today = timezone.localdate()
        self.period_start = period_of(scheme, today)[0]
        self.days = max(1, (today - self.period_start).days)
        moment = timezone.now()
        self.users = Table(
            User,
            # "!" is Django's mark of an unusable password: nobody signs in as these teachers.
            User(password="!", preferred_language="en", date_joined=moment, created_at=moment),  # noqa: S106
            ["id", "uuid", "email", "legal_name"],
        )
        self.users.template[self.users.columns.index("updated_at")] = self.users.template[
            self.users.columns.index("created_at")
        ]
        self.credentials = Table(
            IssuedCredential,
            IssuedCredential(
                issuer=world["issuer"],
                signing_key=world["key"],
                specification_version=world["version"],
                document={},
                valid_from=moment,
                created_at=moment,
                updated_at=moment,
            ),
            ["id", "uuid", "recipient_id"],
        )
        self.ledger = Table(
            LedgerEntry,
            LedgerEntry(
                scheme=scheme,
                decision=world["decision"],
                period_start=self.period_start,
                staff_category="university_lecturer",
            ),
            [
                "id",
                "person_id",
                "credential_id",
                "awarded_on",
                "amount",
                "hours",
                "organisation_id",
                "province",
                "area",
                "level",
            ],
        )
        self.rows = 0
        self.next_user = self._next_id("accounts_user")
        self.next_credential = self._next_id("credentials_issuedcredential")
        self.next_entry = self._next_id("recognition_ledgerentry")
        # Institutions of very different sizes (a few with a handful of teachers).
        weights = [1 / (n + 1) for n in range(INSTITUTIONS)]
        self.homes = self.random.choices(world["institutions"], weights=weights, k=1 << 16)

    def _next_id(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
            return cursor.fetchone()[0]

    # Values as the database driver wants them, without Django's per-value preparation.
    def _uuid(self):
        value = uuid.UUID(int=self.random.getrandbits(128), version=4)
        return value if self.postgres else value.hex

    def _date(self, day: datetime.date):
        return day if self.postgres else day.isoformat()

    def _decimal(self, amount: Decimal):
        return amount if self.postgres else str(amount)

    def _generate(self, count: int):
        """``count`` ledger rows of new teachers: (users, credentials, entries) lists."""
        users, credentials, entries = [], [], []
        rng = self.random
        dates = [
            self._date(self.period_start + datetime.timedelta(days=d)) for d in range(self.days)
        ]
        amounts = [(self._decimal(a), self._decimal(h)) for a, h in AMOUNTS]
        made = 0
        while made < count:
            person = self.next_user
            self.next_user += 1
            home = self.homes[person % len(self.homes)]
            email = f"teacher{person}@bench.example"
            users.append((person, self._uuid(), email, f"Teacher {person}"))
            for _ in range(min(rng.randint(1, 15), count - made)):
                credential = self.next_credential
                self.next_credential += 1
                credentials.append((credential, self._uuid(), person))
                amount, hours = amounts[rng.randrange(len(amounts))]
                entries.append(
                    (
                        self.next_entry,
                        person,
                        credential,
                        dates[rng.randrange(len(dates))],
                        amount,
                        hours,
                        home.pk,
                        home.city,
                        AREAS[rng.randrange(len(AREAS))],
                        LEVELS[rng.randrange(len(LEVELS))],
                    )
                )
                self.next_entry += 1
                made += 1
        return users, credentials, entries

    def grow_to(self, size: int) -> None:
        from django.db import transaction

        if not self.postgres:
            # A page cache big enough for the indexes being filled, and no fsync (the file is
            # thrown away if the machine stops).
            with self.connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
                cursor.execute("PRAGMA synchronous = OFF")
        with self._foreign_keys_after():
            while self.rows < size:
                count = min(BATCH * 4, size - self.rows)
                users, credentials, entries = self._generate(count)
                with transaction.atomic():
                    for table, values in (
                        (self.users, users),
                        (self.credentials, credentials),
                        (self.ledger, entries),
                    ):
                        self._write(table, table.rows(values))
                self.rows += count
        self._advance_sequences()

    def _advance_sequences(self) -> None:
        """On PostgreSQL, move the tables' id sequences past the ids written here (``COPY``
        does not), so that rows created later through the ORM (the next groups' demo data) do
        not collide with them. SQLite takes the next id from the table itself."""
        if not self.postgres:
            return
        with self.connection.cursor() as cursor:
            for table in (self.users.name, self.credentials.name, self.ledger.name):
                last = f"SELECT max(id) FROM {table}"  # noqa: S608 -- our own table names
                advance = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({last}))"
                cursor.execute(advance, [table])

    @contextlib.contextmanager
    def _foreign_keys_after(self):
        """On PostgreSQL, the loaded tables' foreign keys are dropped during the load and
        added again after it, as ``pg_restore`` does: adding one checks every row in a single
        pass instead of firing a trigger per row. SQLite checks them row by row as usual."""
        if not self.postgres:
            yield
            return
        tables = [self.users.name, self.credentials.name, self.ledger.name]
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
                [tables],
            )
            keys = cursor.fetchall()
            for table, name, _definition in keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        try:
            yield
        finally:
            with self.connection.cursor() as cursor:
                for table, name, definition in keys:
                    cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    def _write(self, table: Table, rows) -> None:
        raw = self.connection.connection
        columns = ", ".join(table.columns)
        if self.postgres:
            sql = f"COPY {table.name} ({columns}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * len(table.columns))
        sql = f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"  # noqa: S608
        cursor = raw.cursor()
        try:
            while batch := list(islice(rows, BATCH)):
                cursor.executemany(sql, batch)
        finally:
            cursor.close()


# --- The group ---------------------------------------------------------------------------------


def _consume(response) -> int:
    """Read a response to the end as a WSGI server would; return its size in bytes."""
    size = 0
    for block in response.streaming_content:
        size += len(block)
    handle = getattr(response, "file_to_stream", None)
    if handle is not None:
        handle.close()
    return size


class RecognitionReportGroup:
    name = "recognition_report"

    def operation(self, name: str):
        from microcert.recognition import exports, reports
        from microcert.recognition.models import RecognitionScheme

        scheme = RecognitionScheme.objects.select_related("authority").get(slug=SCHEME)
        scope = reports.Scope(scheme=scheme, period=reports.current_period(scheme))

        def report():
            built = reports.build_report(scope, reports.Dimension.INSTITUTION)
            return {"groups": len(built.rows), "hidden": built.hidden}

        operations = {
            "report": report,
            "report_csv": lambda: _consume(
                exports.report_csv(reports.build_report(scope, reports.Dimension.INSTITUTION))
            ),
            "report_xlsx": lambda: _consume(
                exports.report_xlsx(reports.build_report(scope, reports.Dimension.INSTITUTION))
            ),
            "ledger_csv": lambda: _consume(exports.ledger_csv(scope)),
            "ledger_xlsx": lambda: _consume(exports.ledger_xlsx(scope)),
        }
        return operations[name]

    def run(self, runner) -> dict:
        import time

        from django.db import connection

        started = time.perf_counter()
        loader = Loader(build_world())
        loads = {}
        for size in SIZES:
            begin = time.perf_counter()
            loader.grow_to(size)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
            loads[size] = round(time.perf_counter() - begin, 1)
            runner.log(f"{self.name}: {size:,} ledger rows loaded in {loads[size]} s")
            connection.close()  # the measuring processes open their own
            jobs = [(operation, False) for operation in OPERATIONS]
            jobs += [(operation, True) for operation in OPERATIONS if traced_at(operation, size)]
            runner.measure(self.name, jobs, rows=size)
        ratios = self.ratios(runner.results.get(self.name, []))
        summary = [
            "",
            f"Peak memory at {SIZES[-1]:,} rows / at {SIZES[0]:,} rows (flat is 1.00), and time:",
        ]
        for operation, ratio in ratios.items():
            traced = f"{ratio['traced_peak']:.2f}" if ratio["traced_peak"] is not None else "  — "
            growth = " / ".join(f"{delta / 1048576:.1f}" for delta in ratio["max_rss_delta"])
            summary.append(
                f"  {operation:<12} Python (tracemalloc) {traced}"
                f"   max RSS {ratio['max_rss']:.2f} (growth {growth} MiB)"
                f"   time x{ratio['seconds']:.1f}"
            )
        if not TRACE_ALL:
            summary.append(
                "  ledger_xlsx is not traced (tracing makes xlsxwriter six times slower):"
                " its flatness is the resident size. BENCH_TRACE_ALL=1 traces everything."
            )
        runner.log(f"{self.name}: finished in {time.perf_counter() - started:.0f} s")
        return {"summary": summary, "ratios": ratios, "load_seconds": loads}

    @staticmethod
    def ratios(rows: list[dict]) -> dict:
        """For each operation: peak memory and time at the largest size over the smallest."""
        found = {}
        for operation in OPERATIONS:
            mine = sorted((r for r in rows if r["operation"] == operation), key=lambda r: r["rows"])
            traced = [r for r in mine if "traced_peak" in r]
            if len(mine) < 2:
                continue
            small, large = mine[0], mine[-1]
            found[operation] = {
                "traced_peak": (
                    round(traced[-1]["traced_peak"] / traced[0]["traced_peak"], 3)
                    if len(traced) > 1
                    else None
                ),
                "traced_sizes": f"{traced[-1]['rows']:,} / {traced[0]['rows']:,}"
                if len(traced) > 1
                else "",
                "max_rss": round(large["max_rss"] / small["max_rss"], 3),
                "max_rss_delta": [r["max_rss_delta"] for r in mine],
                "rss_sizes": f"{large['rows']:,} / {small['rows']:,}",
                "seconds": round(large["seconds"] / max(small["seconds"], 1e-6), 2),
            }
        return found


def traced_at(operation: str, size: int) -> bool:
    """Traced at the smallest and the largest size (the two the ratio needs), the ledger's
    XLSX never; with ``BENCH_TRACE_ALL=1`` everything at every size."""
    if TRACE_ALL:
        return True
    return operation != "ledger_xlsx" and size in (min(SIZES), max(SIZES))


GROUP = RecognitionReportGroup()
