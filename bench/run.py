"""The benchmark runner: ``python -m bench.run [group ...]`` (``make bench`` runs them all).

**Its own database.** The runner never touches the database ``make run`` uses:

* SQLite (the default): the file ``var/bench/bench.sqlite3``, deleted and made again;
* PostgreSQL (when ``DATABASE_URL`` is a ``postgres://`` address): the database
  ``microcert_bench`` on that server, dropped and created again.

It points ``DATABASE_URL`` at that database, migrates it (``call_command("migrate")``) and
hands it to each group.

**Groups.** A group is a module of this package, listed in :data:`GROUPS`, holding ``GROUP``:
an object with a ``name``, a ``run(runner)`` method that fills the database and asks the
runner for measurements, and an ``operation(name)`` method that returns the function one
measurement calls (in the measuring process, after Django is set up).

**Measurements.** Each measurement is one operation in a fresh Python process, which loads
Django, opens its connection, runs ``SELECT 1``, then runs the operation once:

* *timed*: nothing watches; the figures are the wall time and the growth of the maximum
  resident set size (``resource.getrusage``) over the operation;
* *traced*: under ``tracemalloc``, for the peak of Python allocations. Tracing hooks every
  allocation and makes the code about three times slower, so it is a run of its own.

Linux keeps a process's peak resident size across ``fork`` and ``exec``: a process started by
the runner, which holds the generated rows, would inherit the runner's peak. Measuring
processes are therefore started by a *launcher*, a bare interpreter the runner starts before
anything is loaded.

Measurements run one after the other. ``BENCH_LANES=2`` runs the timed and the traced ones in
two lanes side by side (one per core): quicker, but the timings then share the machine.
"""

import argparse
import contextlib
import importlib
import json
import os
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"
RESULTS = OUT_DIR / "results.json"
SQLITE_PATH = OUT_DIR / "bench.sqlite3"
PG_NAME = "microcert_bench"

# Module names under ``bench``; each holds ``GROUP``.
GROUPS = ["recognition_report", "http", "queries", "issuance"]


# --- The database -----------------------------------------------------------------------------


def bench_database_url(url: str | None) -> str:
    """The benchmark's own database on the server ``url`` names (SQLite when none)."""
    if url and url.split(":", 1)[0] in ("postgres", "postgresql", "pgsql"):
        return urlunsplit(urlsplit(url)._replace(path=f"/{PG_NAME}"))
    return f"sqlite:///{SQLITE_PATH}"


def _recreate_postgres(url: str) -> None:
    import psycopg

    maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_NAME}"')


def _recreate_sqlite() -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{SQLITE_PATH}{suffix}").unlink()


def setup_django(url: str) -> None:
    """Point Django at the benchmark database, before anything reads the settings."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "microcert.settings"
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def create_database(url: str) -> None:
    if url.startswith("sqlite"):
        _recreate_sqlite()
    else:
        _recreate_postgres(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- In the measuring process -----------------------------------------------------------------


def _max_rss() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux counts KiB


def measure_here(function, *, traced: bool) -> dict:
    """Run ``function`` once; its figures."""
    if traced:
        tracemalloc.start()
        tracemalloc.reset_peak()
    max_before = _max_rss()
    start = time.perf_counter()
    outcome = function()
    seconds = time.perf_counter() - start
    max_after = _max_rss()
    figures = {"seconds": round(seconds, 3), "outcome": outcome}
    if traced:
        figures["traced_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    else:
        figures["max_rss"] = max_after
        figures["max_rss_delta"] = max_after - max_before
    return figures


def _child(group_name: str, operation: str, url: str, traced: bool) -> None:
    setup_django(url)
    from django.db import connection

    function = importlib.import_module(f"bench.{group_name}").GROUP.operation(operation)
    with connection.cursor() as cursor:  # connected and warm before the baseline
        cursor.execute("SELECT 1")
    result = measure_here(function, traced=traced)
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")


# --- The launcher ------------------------------------------------------------------------------


def _launcher() -> None:
    """Start each command read from stdin (JSON: id, argv) in a thread of its own, and write
    back its outcome (JSON: id, returncode, stdout, stderr) when it ends."""
    lock = threading.Lock()

    def start(request: dict) -> None:
        done = subprocess.run(  # noqa: S603 -- the runner's own commands
            request["argv"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        reply = {"id": request["id"], "returncode": done.returncode}
        reply |= {"stdout": done.stdout, "stderr": done.stderr}
        with lock:
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()

    threads = []
    for line in sys.stdin:
        thread = threading.Thread(target=start, args=(json.loads(line),))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()


class Launcher:
    """The runner's side of the launcher."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.run", "--launcher"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.waiting: dict[int, Future] = {}
        self.lock = threading.Lock()
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            reply = json.loads(line)
            with self.lock:
                future = self.waiting.pop(reply["id"])
            future.set_result(reply)

    def run(self, argv: list[str]) -> dict:
        future: Future = Future()
        with self.lock:
            self.next_id += 1
            self.waiting[self.next_id] = future
            self.process.stdin.write(json.dumps({"id": self.next_id, "argv": argv}) + "\n")
            self.process.stdin.flush()
        return future.result()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


# --- The runner --------------------------------------------------------------------------------


@dataclass
class Runner:
    url: str
    vendor: str
    launcher: Launcher
    lanes: int = 2
    results: dict[str, list[dict]] = field(default_factory=dict)

    def log(self, text: str) -> None:
        sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {text}\n")
        sys.stderr.flush()

    def _one(self, group: str, operation: str, traced: bool) -> dict:
        argv = [sys.executable, "-m", "bench.run", "--child", group, operation, "--url", self.url]
        reply = self.launcher.run([*argv, "--traced"] if traced else argv)
        lines = [ln for ln in reply["stdout"].splitlines() if ln.startswith("RESULT ")]
        if reply["returncode"] != 0 or not lines:
            sys.stderr.write(reply["stderr"])
            raise SystemExit(f"measurement {group}:{operation} failed")
        return json.loads(lines[-1].removeprefix("RESULT "))

    def measure(self, group: str, jobs: list[tuple[str, bool]], **facts) -> None:
        """Measure each (operation, traced) of ``jobs``, timed ones in one lane and traced
        ones in the other, and record one row per operation with both sets of figures."""
        timed = [operation for operation, traced in jobs if not traced]
        traced = [operation for operation, traced in jobs if traced]

        def lane(operations: list[str], tracing: bool) -> dict[str, dict]:
            found = {}
            for operation in operations:
                self.log(f"{group}: {operation} {'traced' if tracing else 'timed'} {facts}")
                found[operation] = self._one(group, operation, tracing)
            return found

        if self.lanes > 1:
            with ThreadPoolExecutor(max_workers=2) as pool:
                timed_lane = pool.submit(lane, timed, False)
                traced_lane = pool.submit(lane, traced, True)
                timed_figures, traced_figures = timed_lane.result(), traced_lane.result()
        else:
            timed_figures, traced_figures = lane(timed, False), lane(traced, True)
        for operation in dict.fromkeys([*timed, *traced]):
            row = {"operation": operation, **facts}
            row.update(timed_figures.get(operation, {}))
            if operation in traced_figures:
                row["traced_peak"] = traced_figures[operation]["traced_peak"]
                row["traced_seconds"] = traced_figures[operation]["seconds"]
            self.results.setdefault(group, []).append(row)


# --- Output -----------------------------------------------------------------------------------


def _mib(value) -> str:
    return "—" if value is None else f"{value / 1048576:.1f}"


def table(results: dict[str, list[dict]]) -> str:
    header = ("group", "operation", "rows", "seconds", "Python peak MiB", "max RSS MiB", "RSS +MiB")
    lines = [header]
    for group, rows in results.items():
        for row in rows:
            lines.append(
                (
                    group,
                    row["operation"],
                    f"{row['rows']:,}" if "rows" in row else "",
                    f"{row['seconds']:.2f}" if "seconds" in row else "—",
                    _mib(row.get("traced_peak")),
                    _mib(row.get("max_rss")),
                    _mib(row.get("max_rss_delta")),
                )
            )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    out = []
    for number, line in enumerate(lines):
        cells = [
            str(cell).ljust(width) if i < 2 else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
        if number == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def write_results(runner: Runner, extra: dict) -> None:
    """Merge this run into ``var/bench/results.json`` under ``{group: {database: ...}}``;
    other groups, and the same group's figures on the other database, stay."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    existing = {}
    if RESULTS.exists():
        with contextlib.suppress(ValueError):
            existing = json.loads(RESULTS.read_text(encoding="utf-8"))
    for group, rows in runner.results.items():
        entry = existing.get(group)
        if not isinstance(entry, dict):
            entry = {}
        elif "measurements" in entry:  # one database's figures straight under the group
            entry = {entry.get("database", "unknown"): entry}
        existing[group] = entry
        entry[runner.vendor] = {
            "database": runner.vendor,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
            "lanes": runner.lanes,
            "measurements": rows,
            **extra.get(group, {}),
        }
    RESULTS.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", help=f"groups to run (default: {' '.join(GROUPS)})")
    parser.add_argument("--child", nargs=2, metavar=("GROUP", "OPERATION"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--launcher", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.launcher:
        _launcher()
        return
    if args.child:
        _child(*args.child, args.url, args.traced)
        return
    for name in args.groups:
        if name not in GROUPS:
            raise SystemExit(f"unknown group {name!r}; known: {', '.join(GROUPS)}")

    launcher = Launcher()  # first, while this process is still small
    url = bench_database_url(os.environ.get("DATABASE_URL"))
    vendor = "sqlite" if url.startswith("sqlite") else "postgresql"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    lanes = 2 if os.environ.get("BENCH_LANES") == "2" else 1
    runner = Runner(url=url, vendor=vendor, launcher=launcher, lanes=lanes)
    runner.log(f"database: {vendor} ({url.rsplit('@', 1)[-1]}), {lanes} lane(s)")
    started = time.perf_counter()
    try:
        setup_django(url)
        create_database(url)
        runner.log(f"migrated in {time.perf_counter() - started:.1f} s")
        extra: dict[str, dict] = {}
        for name in args.groups or GROUPS:
            group = importlib.import_module(f"bench.{name}").GROUP
            extra[name] = group.run(runner) or {}
    finally:
        launcher.close()
    print()
    print(f"microcert benchmarks on {vendor}, Python {sys.version.split()[0]}, {lanes} lane(s)")
    print(table(runner.results))
    for name in runner.results:
        for line in extra.get(name, {}).get("summary", []):
            print(line)
    write_results(runner, extra)
    print(f"\nwritten to {RESULTS.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
