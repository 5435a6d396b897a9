"""Background jobs of licensure: the services do the work."""

from celery import shared_task

from cmeconf.licensure import reminders


@shared_task(name="cmeconf.licensure.send_reminders")
def send_reminders() -> int:
    return reminders.send_licence_reminders()
