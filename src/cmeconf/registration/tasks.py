"""Background jobs of registration: ids or nothing in, the services do the work."""

from celery import shared_task

from cmeconf.registration import services


@shared_task(name="cmeconf.registration.expire_offers")
def expire_offers() -> int:
    return services.expire_offers()
