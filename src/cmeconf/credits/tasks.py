"""Background jobs of credit: ids in, the services do the work."""

from celery import shared_task

from cmeconf.credits import certificate_batch


@shared_task(name="cmeconf.credits.plan_certificate_batch")
def plan_certificate_batch(batch_id: int) -> int:
    """Split the batch into chunks and queue one job per chunk (workers share them)."""
    chunks = certificate_batch.plan_batch(batch_id)
    for claim_ids in chunks:
        issue_certificate_chunk.delay(batch_id, claim_ids)
    return len(chunks)


@shared_task(name="cmeconf.credits.issue_certificate_chunk")
def issue_certificate_chunk(batch_id: int, claim_ids: list[int]) -> int:
    return certificate_batch.run_chunk(batch_id, claim_ids)
