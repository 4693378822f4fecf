"""Benchmark group ``http``: the public verification path under concurrent load, served the
way production serves it (gunicorn, ``DEBUG=false``), driven by ``wrk`` on loopback.

Each target is measured for ``BENCH_HTTP_SECONDS`` (default 10) with ``BENCH_HTTP_CONNECTIONS``
(default 16) connections, after a short warm-up, against the same server in the same run:

``trivial``          ``/healthz`` — a Django view that runs ``SELECT 1``: the floor of the stack;
``credential_page``  a credential's public page (``/en/credentials/<uuid>/``);
``verify``           ``POST /credentials/verify`` (W3C VC-API) of that credential — proof,
                     schema, status list and DID document checked each time.

Figures: requests per second, latency p50 and p99, non-2xx answers, and each target's
throughput as a ratio of the trivial view's. Rate limits are off for the run (a load
generator is one client address).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SECONDS = int(os.environ.get("BENCH_HTTP_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_HTTP_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_HTTP_WORKERS", str(os.cpu_count() or 2)))
ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("trivial", "credential_page", "verify")
DEMO_TEACHER = "lan.pham@hust.example"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict:
    """Requests/s, p50, p99 and non-2xx answers from ``wrk --latency``."""
    found = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "99"):
        match = re.search(rf"^\s+{percentile}(?:\.000)?%\s+(\S+)", output, re.MULTILINE)
        found[f"p{percentile}_ms"] = round(_milliseconds(match.group(1)), 2)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    found["non_2xx"] = int(bad.group(1)) if bad else 0
    errors = re.search(r"Socket errors:.*", output)
    found["socket_errors"] = errors.group(0) if errors else ""
    return found


def _server_environment(url: str) -> dict:
    import secrets

    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        RATE_LIMITS_ENABLED="false",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT / "src"),
    )
    # The server must read the keys the runner stored: the same key-encryption keys, spelled
    # out (in development they are derived from the runner's SECRET_KEY).
    import base64

    from django.conf import settings

    from microcert.credentials.keystore import _key_encryption_keys

    env["KEY_ENCRYPTION_KEYS"] = ",".join(
        f"{kek_id}:{base64.urlsafe_b64encode(key).decode()}"
        for kek_id, key in _key_encryption_keys().items()
    )
    env["PUBLIC_BASE_URL"] = settings.PUBLIC_BASE_URL
    return env


def _check_answer(url: str, body: str | None) -> None:
    """One request before the load: a target that does not answer 2xx is a broken benchmark,
    not a slow one."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 -- loopback
        url,
        data=body.encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60):  # noqa: S310
            return
    except urllib.error.HTTPError as error:
        detail = error.read()[:500].decode(errors="replace")
        raise SystemExit(f"bench http: {url} answered {error.code}: {detail}") from None


class HttpGroup:
    name = "http"

    def operation(self, name: str):
        return lambda: self.load(name)

    def load(self, target: str) -> dict:
        from django.db import connection

        from microcert.credentials.models import IssuedCredential

        if shutil.which("wrk") is None:
            raise SystemExit("bench http: wrk is missing; run `make system-packages`")
        # A demo credential: the ledger rows the recognition_report group adds carry no
        # document and would be refused (400), which measures nothing.
        credential = (
            IssuedCredential.objects.filter(status="active", recipient__email=DEMO_TEACHER)
            .order_by("pk")
            .first()
        )
        url = os.environ["DATABASE_URL"]
        connection.close()
        port = _free_port()
        environment = _server_environment(url)
        # DEBUG=false serves hashed static names from the manifest collectstatic writes.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=environment,
            check=True,
        )
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
            env=environment,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            self._wait(base)
            with tempfile.TemporaryDirectory() as scratch:
                script = Path(scratch) / "post.lua"
                body = json.dumps({"verifiableCredential": credential.document})
                script.write_text(
                    'wrk.method = "POST"\n'
                    'wrk.headers["Content-Type"] = "application/json"\n'
                    f"wrk.body = {json.dumps(body)}\n"
                )
                path, extra = {
                    "trivial": ("/healthz", []),
                    "credential_page": (f"/en/credentials/{credential.uuid}/", []),
                    "verify": ("/credentials/verify", ["-s", str(script)]),
                }[target]
                _check_answer(base + path, body if target == "verify" else None)
                warm = ["wrk", "-t1", f"-c{CONNECTIONS}", "-d2s", *extra, base + path]
                subprocess.run(warm, capture_output=True, check=True)  # noqa: S603
                run = [
                    "wrk",
                    "-t2",
                    f"-c{CONNECTIONS}",
                    f"-d{SECONDS}s",
                    "--latency",
                    *extra,
                    base + path,
                ]
                done = subprocess.run(run, capture_output=True, text=True, check=True)  # noqa: S603
        finally:
            server.terminate()
            server.wait(timeout=30)
        figures = parse_wrk(done.stdout)
        figures.update(path=path, connections=CONNECTIONS, seconds=SECONDS, workers=WORKERS)
        return figures

    @staticmethod
    def _wait(base: str) -> None:
        import urllib.request

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("bench http: the server did not start")

    def run(self, runner) -> dict:
        from django.db import connection

        from microcert.demo.services import demo_load

        demo_load(credentials=True)
        connection.close()
        runner.measure(self.name, [(target, False) for target in TARGETS])
        rows = {row["operation"]: row["outcome"] for row in runner.results[self.name]}
        floor = rows["trivial"]["rps"]
        summary = [
            "",
            f"HTTP on loopback (gunicorn, {WORKERS} workers; wrk, {CONNECTIONS} connections, "
            f"{SECONDS} s each):",
        ]
        ratios = {}
        for target in TARGETS:
            figures = rows[target]
            ratios[target] = round(figures["rps"] / floor, 3)
            summary.append(
                f"  {target:<16} {figures['rps']:>8.0f} req/s  p50 {figures['p50_ms']:>7.1f} ms"
                f"  p99 {figures['p99_ms']:>7.1f} ms  non-2xx {figures['non_2xx']}"
                f"  = {ratios[target]:.2f} x the trivial view"
            )
        return {"summary": summary, "ratio_to_trivial": ratios}


GROUP = HttpGroup()
