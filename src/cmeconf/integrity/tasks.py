"""Background jobs of integrity: ids or nothing in, the services do the work."""

from celery import shared_task

from cmeconf.integrity import reminders


@shared_task(name="cmeconf.integrity.send_disclosure_reminders")
def send_disclosure_reminders() -> int:
    return reminders.send_due_reminders()
