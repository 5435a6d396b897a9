"""Background jobs of evaluations: nothing in, the services do the work."""

from celery import shared_task

from cmeconf.evaluations import followup


@shared_task(name="cmeconf.evaluations.send_follow_ups")
def send_follow_ups() -> int:
    return followup.send_follow_ups()
