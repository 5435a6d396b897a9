"""Sending e-mail: render here, deliver in the task queue.

Templates are rendered in the calling process, where the request, the models
and the language are at hand; the task receives only strings, so a worker on
another machine needs nothing but the mail settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.template import Context
from django.template.loader import get_template, render_to_string

from cmeconf.common.tasks import send_email


def render_text(template: str, context: Mapping[str, Any]) -> str:
    """A plain-text template without HTML escaping (“&lt;” has no place in a text e-mail)."""
    compiled = get_template(template)
    django_template = getattr(compiled, "template", None)
    if django_template is None:  # another template engine: it knows its own escaping
        return compiled.render(dict(context))
    return django_template.render(Context(dict(context), autoescape=False))


def render_subject(template: str, context: Mapping[str, Any]) -> str:
    """A subject is one line: newlines in a header would break the message."""
    return " ".join(render_text(template, context).split())


def send_templated_email(
    to: str | Iterable[str],
    subject_template: str,
    body_template: str,
    context: Mapping[str, Any],
    *,
    html_template: str | None = None,
    from_email: str | None = None,
    reply_to: Iterable[str] | None = None,
    attachments: Iterable[tuple[str, str, str]] | None = None,
) -> None:
    """Render the templates with `context` and queue the message for sending.

    `attachments` are (file name, text content, MIME type), e.g. an iCalendar file.

    Without a broker (the demo, the tests) the task runs at once in this
    process. Callers inside a transaction that may roll back should call this
    from `transaction.on_commit`.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return
    ctx = dict(context)
    send_email.delay(
        to=recipients,
        subject=render_subject(subject_template, ctx),
        body=render_text(body_template, ctx),
        html=render_to_string(html_template, ctx) if html_template else None,
        from_email=from_email,
        reply_to=list(reply_to) if reply_to else None,
        attachments=[list(a) for a in attachments] if attachments else None,
    )
