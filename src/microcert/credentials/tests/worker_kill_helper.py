"""Run in a process of its own by ``test_worker_kill`` (a helper, not a test file).

``setup <specifications> <per specification>``: migrate the empty database DATABASE_URL names,
load the demo catalogue, add teachers, and store (not queue) a bulk issuance job of
``specifications × per specification`` rows; prints ``{"job": id, "total": rows}``.

``facts <job id>``: prints what the database holds about that job's credentials as JSON, for
the test to judge.
"""

import json
import os
import sys
from collections import Counter

import django

PREFIX = "worker-kill-"


def setup(specifications: int, per_specification: int) -> dict:
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    # Tables straight from the models, as pytest-django's --nomigrations does: seconds instead
    # of replaying every migration (they are tested in core/tests/test_migrations.py).
    settings.MIGRATION_MODULES = {config.label: None for config in apps.get_app_configs()}
    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)

    from microcert.accounts.models import User
    from microcert.catalog.models import SpecificationVersion
    from microcert.credentials import bulk, services
    from microcert.demo.services import demo_load
    from microcert.network.models import Organisation

    demo_load(credentials=False)
    issuer = services.issuer_create(
        organisation=Organisation.objects.get(slug="centre"), actor=None
    )
    slugs = list(
        SpecificationVersion.objects.filter(status=SpecificationVersion.Status.PUBLISHED)
        .order_by("micro_credential__slug")
        .values_list("micro_credential__slug", flat=True)[:specifications]
    )
    if len(slugs) < specifications:
        raise SystemExit(f"the demo has only {len(slugs)} published specifications")
    User.objects.bulk_create(
        [
            User(email=f"{PREFIX}{n}@school.example", password="!", legal_name=f"Teacher {n}")
            for n in range(per_specification)
        ]
    )
    # Each specification is one cohort, issued and committed on its own: a worker killed
    # between two leaves some rows issued and some not.
    rows = [
        {
            "line": line,
            "values": {"email": f"{PREFIX}{n}@school.example", "specification": slug},
            "fields": 2,
            "expected": 2,
        }
        for line, (slug, n) in enumerate(
            ((slug, n) for slug in slugs for n in range(per_specification)), start=2
        )
    ]
    job = bulk.bulk_job_create(
        kind="issue",
        issuer=issuer,
        actor=User.objects.create(
            email=f"{PREFIX}office@school.example", legal_name="Office", preferred_language="en"
        ),
        file_name="worker-kill.csv",
        rows=rows,
    )
    return {"job": job.pk, "total": len(rows)}


def facts(job_id: int) -> dict:
    from microcert.core.models import Event
    from microcert.credentials.models import BulkJob, IssuedCredential

    job = BulkJob.objects.get(pk=job_id)
    credentials = list(
        IssuedCredential.objects.filter(issuer=job.issuer).values(
            "pk",
            "recipient__email",
            "specification_version__micro_credential__slug",
            "idempotency_key",
            "revocation_list_id",
            "revocation_index",
        )
    )
    per_award = Counter(
        (c["recipient__email"], c["specification_version__micro_credential__slug"])
        for c in credentials
    )
    status_entries = Counter((c["revocation_list_id"], c["revocation_index"]) for c in credentials)
    issued_events = Counter(
        Event.objects.filter(
            verb="credential.issued",
            object_type="credentials.issuedcredential",
            object_id__in=[str(c["pk"]) for c in credentials],
        ).values_list("object_id", flat=True)
    )
    asked = {(row["values"]["email"], row["values"]["specification"]) for row in job.rows}
    return {
        "state": job.state,
        "total": job.total,
        "processed": job.processed,
        "succeeded": job.succeeded,
        "skipped": job.skipped,
        "errors": job.errors,
        "credentials": len(credentials),
        "awards_more_than_once": sorted(str(k) for k, v in per_award.items() if v > 1),
        "missing": sorted(str(k) for k in asked - set(per_award)),
        "unasked": sorted(str(k) for k in set(per_award) - asked),
        "keys_unique": len({c["idempotency_key"] for c in credentials}) == len(credentials),
        "status_entries_unique": all(v == 1 for v in status_entries.values())
        and None not in {c["revocation_index"] for c in credentials},
        "credentials_without_one_event": sorted(
            str(c["pk"]) for c in credentials if issued_events[str(c["pk"])] != 1
        ),
        "finished_events": Event.objects.filter(
            verb="bulk_job.finished", object_type="credentials.bulkjob", object_id=str(job.pk)
        ).count(),
    }


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcert.settings")
    django.setup()
    command, *arguments = argv
    if command == "setup":
        result = setup(int(arguments[0]), int(arguments[1]))
    elif command == "facts":
        result = facts(int(arguments[0]))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
