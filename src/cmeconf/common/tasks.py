"""Background tasks of `common`: plain data in, so that any worker can run them."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)


@shared_task(
    name="cmeconf.common.send_email",
    # A mail server that is briefly down should not lose the message.
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def send_email(
    to: list[str],
    subject: str,
    body: str,
    html: str | None = None,
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    attachments: list[list[str]] | None = None,
) -> int:
    """Send one already-rendered message through Django's e-mail backend.

    `attachments` are [file name, text content, MIME type] (lists: the queue speaks JSON).
    """
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or None,
    )
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    sent = message.send()
    logger.info("sent e-mail %r to %d recipient(s)", subject, len(to))
    return sent
