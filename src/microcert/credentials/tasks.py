"""Background tasks of the credentials app. Without a broker they run in-process (eagerly)."""

from celery import shared_task
from django.db import transaction

from . import bulk
from .models import BulkJob


@shared_task(name="microcert.credentials.run_bulk_job", acks_late=True)
def run_bulk_job(job_id: int) -> dict:
    """Work through one bulk job; safe to run twice (rows are idempotent)."""
    job = bulk.bulk_job_run(job_id)
    return {
        "job": str(job.uuid),
        "state": job.state,
        "processed": job.processed,
        "succeeded": job.succeeded,
        "skipped": job.skipped,
        "errors": len(job.errors),
    }


def enqueue_bulk_job(job: BulkJob) -> None:
    """Queue the job's task once the transaction that stored the job has committed."""
    transaction.on_commit(lambda: run_bulk_job.delay(job.pk))
