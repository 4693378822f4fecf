"""A Celery worker killed with ``kill -9`` in the middle of a bulk issuance loses nothing and
issues nothing twice (issue 7).

Real parts only: Redis at 127.0.0.1:6379 (database 15, flushed first), ``celery worker``
processes, and a database of their own that the test, its helper and the workers share (a
SQLite file, or a new PostgreSQL database when the suite runs on PostgreSQL). A bulk job of
300 rows (four specifications, each one cohort committed on its own) is queued; the first
worker is killed as soon as some credentials but not all are stored; a second worker gets the
task again once its visibility timeout has passed (acks_late: the dead worker never
acknowledged it) and finishes the job. Then every row has exactly one credential, with its own
status entry and one ``credential.issued`` event, and the rows issued before the kill count
as skipped, found by their idempotency keys.

Without Redis the test is skipped, unless MICROCERT_REQUIRE_REDIS is set (CI sets it).
"""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

from microcert.core.tests.databases import fresh_database

PROJECT_ROOT = Path(__file__).resolve().parents[4]
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 15
BROKER_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
SPECIFICATIONS, PER_SPECIFICATION = 4, 75
TOTAL = SPECIFICATIONS * PER_SPECIFICATION
# Seconds an unacknowledged task waits before it goes back on the queue (production: 1 hour).
VISIBILITY_TIMEOUT = 2
POLL = 0.02  # seconds between looks at the database


def _redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def broker():
    if not _redis_answers():
        if os.environ.get("MICROCERT_REQUIRE_REDIS"):
            pytest.fail(f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT}")
        pytest.skip(f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT}")
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


class Database:
    """The shared database, read with plain SQL while the workers write it."""

    def __init__(self, fresh: dict) -> None:
        self.url = fresh["url"]
        self.settings = fresh["settings"]

    def value(self, sql: str, *parameters):
        if self.settings["ENGINE"].endswith("sqlite3"):
            with sqlite3.connect(self.settings["NAME"], timeout=20) as connection:
                return connection.execute(sql.replace("%s", "?"), parameters).fetchone()[0]
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            return connection.execute(sql, parameters).fetchone()[0]

    def credentials(self) -> int:
        return self.value("SELECT COUNT(*) FROM credentials_issuedcredential")

    def job_state(self, job: int) -> str:
        return self.value("SELECT state FROM credentials_bulkjob WHERE id = %s", job)


def _environment(database: Database, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "microcert.settings",
        "DATABASE_URL": database.url,
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CELERY_RESTORE_INTERVAL": "1",
        "MICROCERT_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PUBLIC_BASE_URL": "https://microcert.test",
        "EMAIL_URL": "dummymail://",  # the demo's mail would fill the helper's output
        "PYTHONPATH": str(PROJECT_ROOT / "src"),
    }


def _helper(*arguments: str, env: dict[str, str]) -> dict:
    done = subprocess.run(  # noqa: S603 - our own helper module with fixed arguments
        [sys.executable, "-m", "microcert.credentials.tests.worker_kill_helper", *arguments],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _worker(queue: str, log: Path, env: dict[str, str]) -> subprocess.Popen:
    celery = str(Path(sys.executable).with_name("celery"))
    command = [celery, "-A", "microcert", "worker", "--pool=solo", "-c", "1", "-l", "info"]
    # This run's own queue and name; no chatter with other workers on the same Redis.
    command += ["-Q", queue, "-n", f"{log.stem}@%h", "--without-gossip", "--without-mingle"]
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - the project's own Celery worker
            command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _wait_for(condition, timeout: float, what: str, worker: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}:\n{_tail(log)}")
        time.sleep(POLL)
    pytest.fail(f"timed out waiting for {what}:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=15)


def test_a_worker_killed_mid_job_loses_nothing_and_issues_nothing_twice(broker, tmp_path):
    with fresh_database(tmp_path) as fresh:
        database = Database(fresh)
        env = _environment(database, tmp_path)
        job = _helper("setup", str(SPECIFICATIONS), str(PER_SPECIFICATION), env=env)["job"]

        # The web process would call enqueue_bulk_job; here a client of the same broker queues
        # the same task, on a queue of this run's own.
        queue = f"worker-kill-{uuid.uuid4().hex[:8]}"
        client = Celery(broker=BROKER_URL)
        client.send_task("microcert.credentials.run_bulk_job", args=[job], queue=queue)

        first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
        first = _worker(queue, first_log, env)
        try:
            _wait_for(
                lambda: 0 < database.credentials() < TOTAL,
                60,
                "the first credentials",
                first,
                first_log,
            )
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=15)
        finally:
            _stop(first)
        assert first.returncode == -signal.SIGKILL
        before_kill = database.credentials()
        assert 0 < before_kill < TOTAL, "the worker was not killed half-way"
        assert database.job_state(job) == "running"
        assert broker.hlen("unacked") == 1  # the task, taken and never acknowledged

        time.sleep(VISIBILITY_TIMEOUT + 0.5)
        second = _worker(queue, second_log, env)
        try:
            _wait_for(
                lambda: database.job_state(job) == "done",
                60,
                "the job to finish",
                second,
                second_log,
            )
        finally:
            _stop(second)
        assert "run_bulk_job" in second_log.read_text(errors="replace")

        facts = _helper("facts", str(job), env=env)

    assert facts["state"] == "done"
    assert facts["errors"] == []
    assert facts["credentials"] == TOTAL
    assert facts["missing"] == []
    assert facts["awards_more_than_once"] == []
    assert facts["unasked"] == []
    assert facts["keys_unique"]
    assert facts["status_entries_unique"]
    assert facts["credentials_without_one_event"] == []
    assert facts["finished_events"] == 1
    # The second run counted every row; those issued before the kill were found by key.
    assert (facts["processed"], facts["succeeded"], facts["skipped"]) == (
        TOTAL,
        TOTAL - before_kill,
        before_kill,
    )
