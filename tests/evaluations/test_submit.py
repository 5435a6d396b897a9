"""Learners answering: validation, who may answer, when, once."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cmeconf.attendance.models import AttendanceInterval
from cmeconf.common.models import AuditEntry
from cmeconf.evaluations import builder, services
from cmeconf.evaluations.gate import evaluation_done
from cmeconf.evaluations.models import EvaluationAnswer, EvaluationResponse, QuestionKind
from cmeconf.evaluations.standard import ensure_activity_form
from cmeconf.registration.choices import RegistrationStatus
from tests.evaluations.conftest import GOOD, answers_for, register
from tests.factories import ActivityFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def q(form, standard):
    return form.questions.get(standard=standard)


def field(form, standard):
    return f"q{q(form, standard).pk}"


def test_good_answers_are_saved_and_audited(form, registered):
    response = services.submit(form, registered, answers_for(form, **GOOD), seconds_spent=95)
    assert response.seconds_spent == 95
    answers = {a.question.standard: a for a in response.answers.select_related("question")}
    assert answers["objectives_met"].value == 4
    assert answers["intent_to_change"].text == GOOD["intent_to_change"]
    assert answers["free_of_bias"].value == "Yes"
    assert "bias_comment" not in answers
    assert evaluation_done(form.activity, registered) is True
    entry = AuditEntry.objects.get(action="evaluation.submitted")
    assert entry.actor == registered and entry.after["form"] == form.pk
    # The audit trail says that the learner answered, not what.
    assert GOOD["intent_to_change"] not in str(entry.after)


def test_bias_comment_required_when_not_free_of_bias(form, registered):
    data = answers_for(form, **(GOOD | {"free_of_bias": "No"}))
    with pytest.raises(ValidationError) as exc:
        services.submit(form, registered, data)
    assert list(exc.value.message_dict) == [field(form, "bias_comment")]
    assert EvaluationResponse.objects.count() == 0
    data[field(form, "bias_comment")] = "The statin talk showed one brand's slides only."
    response = services.submit(form, registered, data)
    comment = response.answers.get(question__standard="bias_comment")
    assert comment.text == "The statin talk showed one brand's slides only."


def test_bias_comment_dropped_when_free_of_bias(form, registered):
    data = answers_for(form, **GOOD) | {field(form, "bias_comment"): "Nothing really"}
    response = services.submit(form, registered, data)
    assert not response.answers.filter(question__standard="bias_comment").exists()


def test_required_answers(form, registered):
    with pytest.raises(ValidationError) as exc:
        services.submit(form, registered, {})
    errors = exc.value.message_dict
    assert set(errors) == {
        field(form, "objectives_met"),
        field(form, "intent_to_change"),
        field(form, "free_of_bias"),
    }
    assert errors[field(form, "objectives_met")] == ["This question needs an answer."]


@pytest.mark.parametrize("value", ["0", "6", "four", "3.5"])
def test_rating_out_of_range_is_refused(form, registered, value):
    data = answers_for(form, **(GOOD | {"objectives_met": value}))
    with pytest.raises(ValidationError) as exc:
        services.submit(form, registered, data)
    assert field(form, "objectives_met") in exc.value.message_dict


def test_choices_must_be_offered(form, registered, admin_user):
    multi = builder.add_question(
        form, by=admin_user, kind=QuestionKind.MULTIPLE, text="Formats?", choices="Talks\nPanels"
    )
    data = answers_for(form, **(GOOD | {"free_of_bias": "Maybe"}))
    data[f"q{multi.pk}"] = ["Talks", "Dinner"]
    with pytest.raises(ValidationError) as exc:
        services.submit(form, registered, data)
    assert set(exc.value.message_dict) == {field(form, "free_of_bias"), f"q{multi.pk}"}
    data = answers_for(form, **GOOD) | {f"q{multi.pk}": ["Panels", "Talks"]}
    response = services.submit(form, registered, data)
    # Kept in the order of the options.
    assert response.answers.get(question=multi).value == ["Talks", "Panels"]


def test_text_longer_than_5000_characters_is_refused(form, registered):
    data = answers_for(form, **(GOOD | {"intent_to_change": "x" * 5001}))
    with pytest.raises(ValidationError) as exc:
        services.submit(form, registered, data)
    assert "at most 5000" in exc.value.message_dict[field(form, "intent_to_change")][0]
    data = answers_for(form, **(GOOD | {"intent_to_change": "x" * 5000}))
    assert services.submit(form, registered, data)


def test_second_submit_is_refused(form, registered):
    services.submit(form, registered, answers_for(form, **GOOD))
    with pytest.raises(ValidationError, match="already submitted"):
        services.submit(form, registered, answers_for(form, **GOOD))
    assert EvaluationResponse.objects.filter(person=registered).count() == 1


def test_not_registered_learner_is_refused(form, learner):
    with pytest.raises(PermissionDenied):
        services.submit(form, learner, answers_for(form, **GOOD))
    assert services.refusal(form, learner).startswith("Only learners with a confirmed")


@pytest.mark.parametrize(
    "status",
    [RegistrationStatus.CANCELLED, RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED],
)
def test_registration_must_be_confirmed(form, live, status):
    person = register(live, status=status)
    with pytest.raises(PermissionDenied):
        services.submit(form, person, answers_for(form, **GOOD))


def test_registered_elsewhere_is_refused(form, provider):
    other = ActivityFactory(provider=provider)
    person = register(other)
    with pytest.raises(PermissionDenied):
        services.submit(form, person, answers_for(form, **GOOD))


def test_closed_form_and_activity_not_started(form, registered, admin_user):
    builder.update_form(form, by=admin_user, is_open=False)
    with pytest.raises(ValidationError, match="closed"):
        services.submit(form, registered, answers_for(form, **GOOD))
    builder.update_form(form, by=admin_user, is_open=True)
    before = dt.datetime.combine(
        form.activity.start_date - dt.timedelta(days=1), dt.time(12), tzinfo=form.activity.tz
    )
    with pytest.raises(ValidationError, match="opens when the activity starts"):
        services.submit(form, registered, answers_for(form, **GOOD), now=before)


def test_session_form_by_attendance_or_registration(live, admin_user):
    session = SessionFactory(activity=live, start=timezone.now() - dt.timedelta(hours=2))
    session_form = builder.create_session_form(session, by=admin_user)
    builder.add_question(session_form, by=admin_user, kind=QuestionKind.RATING, text="Speaker?")
    qid = f"q{session_form.questions.get().pk}"
    walk_in = UserFactory()
    with pytest.raises(PermissionDenied):
        services.submit(session_form, walk_in, {qid: "5"})
    AttendanceInterval.objects.create(
        session=session,
        person=walk_in,
        start=session.start,
        end=session.end,
        source="scan",
        recorded_at=timezone.now(),
    )
    assert services.submit(session_form, walk_in, {qid: "5"})
    registrant = register(live)
    assert services.submit(session_form, registrant, {qid: "3"})
    # A session form does not gate credit.
    ensure_activity_form(live)
    assert evaluation_done(live, registrant) is False


def test_session_form_opens_with_its_session(live, registered, admin_user):
    session = SessionFactory(activity=live, start=timezone.now() + dt.timedelta(hours=2))
    session_form = builder.create_session_form(session, by=admin_user)
    with pytest.raises(ValidationError, match="opens when the session starts"):
        services.submit(session_form, registered, {})


def test_seconds_from_a_signed_timestamp(form, live):
    opened = time.time() - 120
    token = services.opened_token(form, now=opened)
    assert services.seconds_from_token(token, form) in (120, 121)
    assert services.seconds_from_token(token[:-2] + "xx", form) is None
    assert services.seconds_from_token("", form) is None
    assert services.seconds_from_token(None, form) is None
    other = ensure_activity_form(ActivityFactory(provider=live.provider))
    assert services.seconds_from_token(token, other) is None
    future = services.opened_token(form, now=time.time() + 600)
    assert services.seconds_from_token(future, form) is None


def test_the_timestamp_is_the_person_s_own(form, registered):
    """ANCC counts evaluation time [N1]: a note shown to one learner counts for no other."""
    token = services.opened_token(form, person=registered, now=time.time() - 60)
    assert services.seconds_from_token(token, form, person=registered) in (60, 61)
    other = register(form.activity)
    assert services.seconds_from_token(token, form, person=other) is None
    assert services.seconds_from_token(token, form) is None
    untied = services.opened_token(form, now=time.time() - 60)
    assert services.seconds_from_token(untied, form, person=registered) is None


def test_a_form_left_open_over_two_hours_counts_no_time(form, registered):
    assert services.TOKEN_MAX_AGE == 2 * 60 * 60
    fresh = services.opened_token(form, person=registered, now=time.time() - 110 * 60)
    assert services.seconds_from_token(fresh, form, person=registered) >= 110 * 60
    stale = services.opened_token(form, person=registered, now=time.time() - 23 * 3600)
    assert services.seconds_from_token(stale, form, person=registered) is None


def test_answers_are_saved_atomically(form, registered, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(EvaluationAnswer.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        services.submit(form, registered, answers_for(form, **GOOD))
    assert EvaluationResponse.objects.count() == 0
