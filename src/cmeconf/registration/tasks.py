"""Background jobs of registration: ids or nothing in, the services do the work."""

from celery import shared_task

from cmeconf.registration import badge_services, reminders, services


@shared_task(name="cmeconf.registration.expire_offers")
def expire_offers() -> int:
    return services.expire_offers()


@shared_task(name="cmeconf.registration.make_badge_batch")
def make_badge_batch(batch_id: int) -> int:
    return badge_services.run_badge_batch(batch_id).done


@shared_task(name="cmeconf.registration.send_reminders")
def send_reminders() -> int:
    return reminders.send_reminders()
