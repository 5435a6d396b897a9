"""The follow-up survey e-mail: some weeks after the activity, ask what changed in practice [C8].

Run daily by the task queue's beat. Each learner who submitted the activity
evaluation is invited once, `send_after_days` after the activity's last day (in
the activity's time zone). The FollowUpInvitation row is created before the mail
is queued, and its unique constraint stops two workers from sending it twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cmeconf.common import audit
from cmeconf.common.mail import send_templated_email
from cmeconf.evaluations.models import (
    EvaluationForm,
    EvaluationResponse,
    FollowUpInvitation,
    FormKind,
)


def due_date(form: EvaluationForm) -> dt.date | None:
    """The day (in the activity's time zone) from which the survey goes out."""
    if form.send_after_days is None:
        return None
    return form.activity.end_date + dt.timedelta(days=form.send_after_days)


def follow_up_url(form: EvaluationForm) -> str:
    activity = form.activity
    return settings.SITE_URL + reverse(
        "evaluations:follow_up", args=[activity.provider.slug, activity.slug]
    )


def send_follow_ups(now: dt.datetime | None = None) -> int:
    """Invite, once, each learner who submitted the activity evaluation of an activity whose
    follow-up survey is due. Returns how many invitations were queued.

    Side effects per learner: a FollowUpInvitation, audit "evaluation.follow_up_sent",
    the e-mail after commit.
    """
    now = now or timezone.now()
    sent = 0
    forms = EvaluationForm.objects.filter(
        kind=FormKind.FOLLOW_UP,
        is_open=True,
        send_after_days__isnull=False,
        # Activities that have ended; the per-form delay decides the rest.
        activity__end_date__lt=now.date() + dt.timedelta(days=1),
    ).select_related("activity__provider")
    for form in forms:
        activity = form.activity
        today = timezone.localtime(now, activity.tz).date()
        due = due_date(form)
        if due is None or today < due:
            continue
        learners = (
            EvaluationResponse.objects.filter(
                form__activity=activity, form__kind=FormKind.ACTIVITY, form__session__isnull=True
            )
            .exclude(person__in=FollowUpInvitation.objects.filter(form=form).values("person"))
            .exclude(person__in=EvaluationResponse.objects.filter(form=form).values("person"))
            .select_related("person")
            .order_by("id")
        )
        for response in learners:
            person = response.person
            try:
                with transaction.atomic():
                    invitation = FollowUpInvitation.objects.create(
                        form=form, person=person, sent_at=now
                    )
                    audit.record(
                        "evaluation.follow_up_sent",
                        actor=None,
                        obj=invitation,
                        after={"form": form.pk, "person": person.pk, "sent_at": now},
                        provider_id=activity.provider_id,
                        activity_id=activity.pk,
                    )
                    _queue_mail(form, person)
            except IntegrityError:
                continue  # another worker invited this learner just now
            sent += 1
    return sent


def _queue_mail(form: EvaluationForm, person) -> None:
    context = {
        "person": person,
        "activity": form.activity,
        "form": form,
        "url": follow_up_url(form),
        "days": form.send_after_days,
    }

    def send() -> None:
        send_templated_email(
            person.email,
            "evaluations/email/follow_up_subject.txt",
            "evaluations/email/follow_up.txt",
            context,
        )

    transaction.on_commit(send)
