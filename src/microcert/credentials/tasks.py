"""Background tasks of the credentials app. Without a broker they run in-process (eagerly).

Every task is idempotent, so a task delivered twice (``acks_late``: a worker killed half-way
leaves its task on the queue for the next one) finishes the work without doing any of it twice.
"""

from celery import shared_task
from django.db import transaction

from . import bulk, services
from .models import BulkJob, Issuer


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


@shared_task(name="microcert.credentials.refresh_status_lists")
def refresh_status_lists() -> int:
    """Keep status lists current: sign again those that have used half their validity."""
    return services.status_lists_refresh()


def enqueue_bulk_job(job: BulkJob) -> None:
    """Queue the job's task once the transaction that stored the job has committed."""
    transaction.on_commit(lambda: run_bulk_job.delay(job.pk))


@shared_task(name="microcert.credentials.publish_status_lists", acks_late=True)
def publish_status_lists(issuer_id: int | None = None) -> int:
    """Re-sign the status lists (of one issuer, or all) whose bits changed since they were
    signed; returns how many. Running it again signs nothing new."""
    issuer = Issuer.objects.get(pk=issuer_id) if issuer_id is not None else None
    return services.status_lists_publish(issuer=issuer)
