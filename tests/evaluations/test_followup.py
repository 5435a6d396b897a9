"""The follow-up survey: e-mailed once, send_after_days after the activity, to evaluators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from cmeconf.common.models import AuditEntry
from cmeconf.evaluations import builder, services, tasks
from cmeconf.evaluations.followup import send_follow_ups
from cmeconf.evaluations.models import FollowUpInvitation
from cmeconf.evaluations.standard import ensure_activity_form
from tests.evaluations.conftest import GOOD, answers_for, register
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def ended(provider):
    return ActivityFactory(
        provider=provider,
        slug="spring-2026",
        title="Spring Update",
        start_date=dt.date(2026, 3, 10),
        end_date=dt.date(2026, 3, 12),
    )


@pytest.fixture
def evaluators(ended, admin_user):
    form = ensure_activity_form(ended)
    during = dt.datetime(2026, 3, 12, 15, tzinfo=UTC)
    people = []
    for n in range(2):
        person = register(ended, email=f"evaluator{n}@example.org")
        services.submit(form, person, answers_for(form, **GOOD), now=during)
        people.append(person)
    register(ended, email="silent@example.org")  # registered, never evaluated
    return people


@pytest.fixture
def follow_up(ended, admin_user):
    return builder.create_follow_up_form(ended, by=admin_user, send_after_days=42)


def test_sent_once_after_n_days_not_before(
    ended, evaluators, follow_up, django_capture_on_commit_callbacks
):
    # Last day 12 March + 42 days = 23 April (New York).
    before = dt.datetime(2026, 4, 23, 3, 59, tzinfo=UTC)  # 22 April, 23:59 in New York
    with django_capture_on_commit_callbacks(execute=True):
        assert send_follow_ups(before) == 0
    assert mail.outbox == []
    due = dt.datetime(2026, 4, 23, 4, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_follow_ups(due) == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "evaluator0@example.org",
        "evaluator1@example.org",
    ]
    message = mail.outbox[0]
    assert "Spring Update" in message.subject
    assert "/acp/spring-2026/evaluation/follow-up/" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        assert send_follow_ups(due + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 2
    assert FollowUpInvitation.objects.filter(form=follow_up).count() == 2
    assert AuditEntry.objects.filter(action="evaluation.follow_up_sent").count() == 2


def test_closed_follow_up_is_not_sent(ended, evaluators, follow_up, admin_user):
    builder.update_form(follow_up, by=admin_user, is_open=False)
    assert send_follow_ups(dt.datetime(2026, 6, 1, tzinfo=UTC)) == 0


def test_learner_answers_the_follow_up_after_the_activity(ended, evaluators, follow_up):
    during = dt.datetime(2026, 3, 11, 15, tzinfo=UTC)
    with pytest.raises(Exception, match="opens after the activity has ended"):
        services.submit(follow_up, evaluators[0], {}, now=during)
    q = follow_up.questions.order_by("order").first()
    response = services.submit(
        follow_up, evaluators[0], {f"q{q.pk}": "Partly"}, now=dt.datetime(2026, 4, 24, tzinfo=UTC)
    )
    assert response.answers.get().value == "Partly"


def test_task_is_registered_under_its_name(ended, evaluators, follow_up, monkeypatch):
    assert tasks.send_follow_ups.name == "cmeconf.evaluations.send_follow_ups"
    # Runs against today's clock: 2026-03-12 + 42 days is long past.
    assert tasks.send_follow_ups.delay().get() == 2
