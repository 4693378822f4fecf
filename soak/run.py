"""The soak test (``make soak``): ten minutes of mixed traffic against the platform served as
in production (gunicorn, ``DEBUG=false``, its own PostgreSQL database when ``DATABASE_URL``
names a server, else an SQLite file under ``var/soak/``), driven by ``wrk`` on loopback.

The mix, per hundred requests: 55 page views (home, catalogue, a micro-credential, partners,
framework, a credential's page), 30 verifications (``POST /credentials/verify``), 15
issuances (``POST /credentials/issue`` of the W3C VC-API, with a bearer token).

Every 10 seconds the resident memory of the gunicorn processes is sampled from ``/proc``. The
run passes when no request failed (no 5xx, no socket error, every issuance 201, every
verification 200) and memory is flat: the last minute's average resident size is within 15 %
(``SOAK_MAX_GROWTH``) of the second minute's (the first is warm-up). Figures go to
``var/soak/results.json``; ``docs/reliability.md`` records the latest.

``SOAK_SECONDS`` shortens the run (the figures then say so).
"""

import base64
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "soak"
SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("SOAK_WORKERS", "2"))
MAX_GROWTH = float(os.environ.get("SOAK_MAX_GROWTH", "0.15"))
SAMPLE_EVERY = 10
PG_NAME = "microcert_soak"

LUA = r"""
-- Each wrk thread has its own Lua state: requests are built in init(), statuses counted in
-- the thread's global table `counts`, and summed over the threads in done().
local requests = {}
local order = {}
local turn = 0
local threads = {}
counts = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local data = io.open(args[1]):read("*a")
  for line in data:gmatch("[^\n]+") do
    local weight, method, path, body = line:match("^(%d+)\t(%u+)\t([^\t]+)\t?(.*)$")
    local headers = {}
    if method == "POST" then
      headers["Content-Type"] = "application/json"
      if path == "/credentials/issue" then headers["Authorization"] = "Bearer " .. args[2] end
    end
    table.insert(requests, wrk.format(method, path, headers, body ~= "" and body or nil))
    for _ = 1, tonumber(weight) do table.insert(order, #requests) end
  end
  -- Threads start at different points of the mix.
  turn = math.random(#order)
end

function request()
  turn = turn % #order + 1
  return requests[order[turn]]
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests_)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(total) do table.insert(parts, '"' .. status .. '":' .. count) end
  io.write("STATUS {" .. table.concat(parts, ",") .. "}\n")
end
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.split(":", 1)[0] in ("postgres", "postgresql"):
        import psycopg

        maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_NAME}"')
        return urlunsplit(urlsplit(url)._replace(path=f"/{PG_NAME}"))
    path = OUT / "soak.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _environment(url: str) -> dict:
    kek = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        KEY_ENCRYPTION_KEYS=f"soak:{kek}",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        RATE_LIMITS_ENABLED="false",
        MICROCERT_VAR_DIR=str(OUT / "var"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 -- our own commands
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"soak: manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _prepare(env: dict) -> tuple[str, list[str]]:
    """Migrate, load the demo, make a VC-API token; the token and the request lines."""
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "collectstatic", "--noinput", "-v0")
    _manage(env, "load_demo")
    token = _manage(env, "create_api_token", "--scope", "issue", "--name", "soak").strip()
    token = token.splitlines()[-1]
    script = (
        "import json\n"
        "from microcert.credentials.models import IssuedCredential\n"
        "c = IssuedCredential.objects.filter(status='active').order_by('pk').first()\n"
        "print(json.dumps({'uuid': str(c.uuid), 'document': c.document}))\n"
    )
    found = json.loads(_manage(env, "shell", "-c", script).strip().splitlines()[-1])
    verify_body = json.dumps({"verifiableCredential": found["document"]})
    issue_body = json.dumps(
        {
            "credential": {
                "@context": [
                    "https://www.w3.org/ns/credentials/v2",
                    "https://www.w3.org/ns/credentials/examples/v2",
                ],
                "type": ["VerifiableCredential", "ExampleAlumniCredential"],
                "credentialSubject": {"id": "did:example:soak", "alumniOf": "Soak School"},
            }
        }
    )
    lines = [
        "10\tGET\t/en/\t",
        "10\tGET\t/vi/\t",
        "10\tGET\t/en/catalogue/organise-and-facilitate-online-collaborative-learning/\t",
        "5\tGET\t/fr/partners/\t",
        "5\tGET\t/zh-hans/frameworks/digcompedu/\t",
        f"15\tGET\t/en/credentials/{found['uuid']}/\t",
        f"30\tPOST\t/credentials/verify\t{verify_body}",
        f"15\tPOST\t/credentials/issue\t{issue_body}",
    ]
    return token, lines


def _rss_of(root_pid: int) -> int:
    """Resident bytes of a process and its children (the gunicorn master and workers)."""
    total = 0
    pids = [root_pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == root_pid:
                pids.append(int(entry.name))
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(match.group(1)) * 1024 if match else 0
    return total


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("soak: wrk is missing; run `make system-packages`")
    OUT.mkdir(parents=True, exist_ok=True)
    url = _database_url()
    env = _environment(url)
    started = time.time()
    token, lines = _prepare(env)
    print(f"[soak] prepared {url.rsplit('@', 1)[-1]} in {time.time() - started:.0f} s", flush=True)
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 -- our own server
        [
            sys.executable,
            "-m",
            "gunicorn",
            "microcert.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--threads",
            "1",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    samples: list[tuple[float, int]] = []
    stop = threading.Event()

    def sample() -> None:
        begin = time.monotonic()
        while not stop.wait(SAMPLE_EVERY if samples else 1):
            samples.append((round(time.monotonic() - begin, 1), _rss_of(server.pid)))

    try:
        time.sleep(3)
        with tempfile.TemporaryDirectory() as scratch:
            requests_file = Path(scratch) / "requests.tsv"
            requests_file.write_text("\n".join(lines) + "\n")
            script = Path(scratch) / "mix.lua"
            script.write_text(LUA)
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            done = subprocess.run(  # noqa: S603 -- wrk, found on the PATH above
                [
                    shutil.which("wrk"),
                    "-t2",
                    f"-c{CONNECTIONS}",
                    f"-d{SECONDS}s",
                    "--latency",
                    "--timeout",
                    "30s",
                    "-s",
                    str(script),
                    f"http://127.0.0.1:{port}",
                    "--",
                    str(requests_file),
                    token,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            stop.set()
            sampler.join()
    finally:
        server.terminate()
        server.wait(timeout=60)
    output = done.stdout
    statuses = json.loads(re.search(r"^STATUS (\{.*\})$", output, re.MULTILINE).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    socket_errors = re.search(r"Socket errors:.*", output)
    failed = sum(count for status, count in statuses.items() if not status.startswith("2"))
    minute = 60 // SAMPLE_EVERY
    second_minute = [rss for _, rss in samples[minute : 2 * minute]] or [samples[0][1]]
    last_minute = [rss for _, rss in samples[-minute:]]
    growth = statistics.mean(last_minute) / statistics.mean(second_minute) - 1
    figures = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
        "seconds": SECONDS,
        "connections": CONNECTIONS,
        "workers": WORKERS,
        "requests": total,
        "requests_per_second": rps,
        "statuses": statuses,
        "failed": failed,
        "socket_errors": socket_errors.group(0) if socket_errors else "",
        "memory_samples": samples,
        "memory_growth": round(growth, 4),
        "cpus": os.cpu_count(),
    }
    (OUT / "results.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(output)
    print(
        f"[soak] {total} requests in {SECONDS} s ({rps:.0f}/s), statuses {statuses}, "
        f"failed {failed}; memory second minute {statistics.mean(second_minute) / 2**20:.0f} MiB"
        f" -> last minute {statistics.mean(last_minute) / 2**20:.0f} MiB ({growth:+.1%})"
    )
    ok = failed == 0 and not socket_errors and growth <= MAX_GROWTH
    print("[soak] PASSED" if ok else "[soak] FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
