"""Benchmark group ``issuance``: how fast credentials are signed, stored and given a status entry.

On the demo catalogue (the same Open Badges credential the tests issue: about 16 KB, 150
quads), each measured in a fresh process:

``general``      ``credential_issue`` one credential at a time (``GENERAL_COUNT`` of them);
``cohort``       ``credential_issue_cohort`` for ``COHORT_COUNT`` teachers at once;
``node_issue``   Digital Bazaar's ``@digitalbazaar/vc`` issuing ``NODE_COUNT`` credentials of
                 the same shape with the same kind of key and contexts (``issue.mjs``; Node's
                 start-up and a warm-up are not counted, nothing is stored);
``verify_ours``  our verifier (``verify_credential``) on ``VERIFY_COUNT`` cohort credentials;
``verify_db``    Digital Bazaar's verifier on EVERY credential of the cohort, in one Node
                 process per core (``verify-batch.mjs``): the acceptance check, and its rate.

Both issuing paths include status allocation, storing and events. The recognition app's
ledger receiver is disconnected in the measuring processes: it recomputes the PD ledger per
credential (see the README), which is the recognition floor's cost, not issuance's.
"""

import os
import time

COHORT_COUNT = int(os.environ.get("BENCH_COHORT", "10000"))
GENERAL_COUNT = int(os.environ.get("BENCH_GENERAL", "150"))
NODE_COUNT = int(os.environ.get("BENCH_NODE", "300"))
# Signed first and not counted: V8 compiles the hot paths over the first hundred or so
# (with 20 the measured rate was some 5% lower and varied more between runs).
NODE_WARMUP = 100
VERIFY_COUNT = int(os.environ.get("BENCH_VERIFY", "200"))
SLUG = "organise-and-facilitate-online-collaborative-learning"
OPERATIONS = ("general", "cohort", "node_issue", "verify_ours", "verify_db")


def _setup() -> dict:
    from microcert.catalog.models import SpecificationVersion
    from microcert.credentials import services
    from microcert.credentials.signals import credential_changed
    from microcert.network.models import Organisation

    # The ledger is the recognition floor's work (one recomputation per credential today).
    credential_changed.disconnect(dispatch_uid="recognition.ledger")
    centre = Organisation.objects.get(slug="centre")
    issuer = services.issuer_ensure(organisation=centre, actor=None)
    version = SpecificationVersion.objects.get(micro_credential__slug=SLUG, status="published")
    return {"issuer": issuer, "version": version}


def _people(prefix: str):
    from microcert.accounts.models import User

    return list(User.objects.filter(email__startswith=prefix).order_by("id"))


def _published_documents() -> dict:
    from microcert.credentials import services, verification
    from microcert.credentials.models import StatusList

    documents = {}
    for status_list in StatusList.objects.select_related("issuer__organisation"):
        documents[services.status_list_url(status_list)] = status_list.signed_credential
        issuer = status_list.issuer
        if issuer.did_method == "web":
            documents[services.issuer_did(issuer)] = verification.own_did_document(
                issuer.organisation.slug
            )
    return documents


def _general() -> dict:
    from microcert.credentials import services

    world = _setup()
    people = _people("general-")
    started = time.perf_counter()
    for person in people:
        services.credential_issue(
            issuer=world["issuer"], recipient=person, version=world["version"], actor=None
        )
    seconds = time.perf_counter() - started
    return {"count": len(people), "seconds": seconds, "per_second": len(people) / seconds}


def _cohort() -> dict:
    from microcert.credentials import services

    world = _setup()
    awards = [services.CohortAward(recipient=person) for person in _people("cohort-")]
    started = time.perf_counter()
    outcome = services.credential_issue_cohort(
        issuer=world["issuer"],
        version=world["version"],
        awards=awards,
        actor=None,
        batch_key="bench",
    )
    seconds = time.perf_counter() - started
    return {
        "count": len(outcome.issued),
        "seconds": seconds,
        "per_second": len(outcome.issued) / seconds,
        "signed_fast": outcome.signed_fast,
        "signed_general": outcome.signed_general,
    }


def _node_issue() -> dict:
    import json
    import subprocess
    import tempfile
    import uuid
    from pathlib import Path

    from django.utils import timezone

    from microcert.credentials import openbadges, services
    from microcert.credentials.tests.independent import VERIFIERS_DIR

    world = _setup()
    issuer, version = world["issuer"], world["version"]
    key = issuer.keys.get(retired_at__isnull=True)
    did = services.issuer_did(issuer, key)
    facts = openbadges.specification_facts(version, language="en")
    profile = openbadges.issuer_profile(issuer.organisation, did)
    documents = [
        openbadges.assemble_credential(
            facts,
            openbadges.AwardInput(
                credential_id=f"urn:uuid:{uuid.uuid4()}",
                issuer_profile=profile,
                recipient=openbadges.Recipient(
                    email=f"node{n}@bench.example", salt=openbadges.new_salt()
                ),
                valid_from=timezone.now().replace(microsecond=0),
                status=[openbadges.StatusEntry("revocation", n, "https://bench.example/status/1")],
            ),
        )
        for n in range(NODE_COUNT)
    ]
    request = {
        "seed": services._private_key(key).private_bytes_raw().hex(),
        "controller": did,
        "keyId": services.verification_method(issuer, key),
        "warmup": NODE_WARMUP,
        "credentials": documents,
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "request.json"
        path.write_text(json.dumps(request), encoding="utf-8")
        done = subprocess.run(  # noqa: S603 - our script, our file, no shell
            ["node", str(VERIFIERS_DIR / "issue.mjs"), str(path)],  # noqa: S607
            cwd=VERIFIERS_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
    figures = json.loads(done.stdout)
    return {
        "count": figures["count"],
        "seconds": figures["seconds"],
        "per_second": figures["perSecond"],
    }


def _verify_ours() -> dict:
    from microcert.credentials.models import IssuedCredential
    from microcert.credentials.verification import verify_credential

    documents = list(
        IssuedCredential.objects.filter(idempotency_key__startswith="cohort:")
        .order_by("id")
        .values_list("document", flat=True)[:VERIFY_COUNT]
    )
    started = time.perf_counter()
    verified = sum(verify_credential(d, allow_network=False).verified for d in documents)
    seconds = time.perf_counter() - started
    return {
        "count": len(documents),
        "verified": verified,
        "seconds": seconds,
        "per_second": len(documents) / seconds,
    }


def _verify_db() -> dict:
    from microcert.credentials.models import IssuedCredential
    from microcert.credentials.tests.batch_verifier import verify_batch

    documents = list(
        IssuedCredential.objects.filter(idempotency_key__startswith="cohort:")
        .order_by("id")
        .values_list("document", flat=True)
    )
    processes = max(1, min(2, os.cpu_count() or 1))
    verdict = verify_batch(documents, _published_documents(), processes=processes)
    failures = verdict.failures
    return {
        "count": len(verdict.results),
        "verified": len(verdict.results) - len(failures),
        "failures": failures[:5],
        "processes": processes,
        "seconds": verdict.seconds,
        # per process: the rate one core verifies at
        "per_second": len(verdict.results) / verdict.seconds / processes,
    }


class IssuanceGroup:
    name = "issuance"

    def operation(self, name: str):
        return {
            "general": _general,
            "cohort": _cohort,
            "node_issue": _node_issue,
            "verify_ours": _verify_ours,
            "verify_db": _verify_db,
        }[name]

    def run(self, runner) -> dict:
        from django.db import connection

        from microcert.accounts.models import User
        from microcert.demo.services import demo_load

        started = time.perf_counter()
        demo_load(credentials=False)
        _setup()
        for prefix, count in (("general-", GENERAL_COUNT), ("cohort-", COHORT_COUNT)):
            User.objects.bulk_create(
                [
                    User(email=f"{prefix}{n}@bench.example", password="!", legal_name=f"T {n}")  # noqa: S106
                    for n in range(count)
                ],
                batch_size=2000,
            )
        runner.log(f"{self.name}: demo catalogue and {COHORT_COUNT:,} teachers ready")
        connection.close()  # the measuring processes open their own
        runner.measure(self.name, [(op, False) for op in OPERATIONS], rows=COHORT_COUNT)
        rows = {r["operation"]: r["outcome"] for r in runner.results.get(self.name, [])}
        rate = {op: rows[op]["per_second"] for op in rows}
        ratios = {
            "cohort_vs_node": round(rate["cohort"] / rate["node_issue"], 1),
            "cohort_vs_general": round(rate["cohort"] / rate["general"], 1),
            "general_vs_node": round(rate["general"] / rate["node_issue"], 2),
            "verify_ours_vs_db": round(rate["verify_ours"] / rate["verify_db"], 2),
        }
        verified = rows["verify_db"]
        summary = [
            "",
            f"Issuance on {runner.vendor} (credentials a second; signed, stored, status entry):",
            f"  general path        {rate['general']:8.1f}",
            f"  cohort path         {rate['cohort']:8.1f}"
            f"   ({rows['cohort']['count']:,} credentials,"
            f" {rows['cohort']['signed_general']} through the general path)",
            f"  Digital Bazaar/Node {rate['node_issue']:8.1f}   (signing only, nothing stored)",
            f"  cohort / Node {ratios['cohort_vs_node']}x, cohort / general"
            f" {ratios['cohort_vs_general']}x",
            f"Verification (per core): ours {rate['verify_ours']:.1f}/s, Digital Bazaar"
            f" {rate['verify_db']:.1f}/s (x{ratios['verify_ours_vs_db']});"
            f" Digital Bazaar verified {verified['verified']:,} of {verified['count']:,}"
            " cohort credentials",
        ]
        runner.log(f"{self.name}: finished in {time.perf_counter() - started:.0f} s")
        return {"summary": summary, "ratios": ratios, "per_second": rate}


GROUP = IssuanceGroup()
