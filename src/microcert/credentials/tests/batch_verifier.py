"""Verify many credentials with Digital Bazaar's verifier in few Node processes (test helper).

``tools/verifiers/verify-batch.mjs`` verifies a JSON-lines file of credentials in one process
(``verify.mjs`` starts Node and two verifier stacks per request: too slow for a cohort). The
work can be split over several processes, one per core. Used by the cohort tests and by the
``issuance`` benchmark.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from microcert.credentials.tests.independent import VERIFIERS_DIR, IndependentVerifierError


@dataclass
class BatchVerdict:
    """One result per credential, in order, and the verifier's own timing."""

    results: list[dict[str, Any]]
    seconds: float  # the slowest process's verification loop (Node start-up excluded)
    wall_seconds: float  # everything, start-up included

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [result for result in self.results if not result["verified"]]


def verify_batch(
    credentials: Sequence[dict],
    documents: dict[str, Any],
    *,
    processes: int = 1,
    timeout: float = 1800,
) -> BatchVerdict:
    """Verify ``credentials`` with ``@digitalbazaar/vc`` (signature, proof purpose, status),
    offline; ``documents`` maps did:web DIDs and status list URLs to their JSON."""
    node = shutil.which("node")
    if node is None:
        raise IndependentVerifierError("`node` is not on PATH; Node 20+ is needed")
    processes = max(1, min(processes, len(credentials) or 1))
    share = -(-len(credentials) // processes)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="verify-batch-") as folder:
        documents_path = Path(folder) / "documents.json"
        documents_path.write_text(json.dumps(documents), encoding="utf-8")
        running = []
        for number in range(processes):
            part = credentials[number * share : (number + 1) * share]
            path = Path(folder) / f"credentials-{number}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for credential in part:
                    out.write(json.dumps(credential) + "\n")
            running.append(
                subprocess.Popen(  # noqa: S603 - fixed script, our own files, no shell
                    [node, str(VERIFIERS_DIR / "verify-batch.mjs"), str(path), str(documents_path)],
                    cwd=VERIFIERS_DIR,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        results: list[dict[str, Any]] = []
        seconds = 0.0
        for process in running:
            try:
                stdout, stderr = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired as error:
                for other in running:
                    other.kill()
                raise IndependentVerifierError("verify-batch.mjs timed out") from error
            if process.returncode != 0:
                raise IndependentVerifierError(
                    f"verify-batch.mjs exited with {process.returncode}: {stderr.strip()}"
                )
            lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]
            summary = lines.pop()["summary"]
            seconds = max(seconds, summary["seconds"])
            results.extend(lines)
    return BatchVerdict(results, seconds, time.perf_counter() - started)
