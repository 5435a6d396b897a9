"""Building forms: validation, permissions, audit, and answers freezing the questions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cmeconf.common.models import AuditEntry
from cmeconf.evaluations import builder, services
from cmeconf.evaluations.models import EvaluationForm, FormKind, QuestionKind
from tests.evaluations.conftest import GOOD, answers_for, register, staff_with
from tests.factories import ActivityFactory, ProviderFactory, SessionFactory

pytestmark = pytest.mark.django_db


def errors_of(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_choices_need_two_distinct_options(form, credit_staff):
    with pytest.raises(ValidationError) as exc:
        builder.add_question(
            form, by=credit_staff, kind=QuestionKind.SINGLE, text="Venue?", choices="Good\n"
        )
    assert errors_of(exc) == {"choices": ["Give at least two options, one per line."]}
    with pytest.raises(ValidationError) as exc:
        builder.add_question(
            form, by=credit_staff, kind=QuestionKind.MULTIPLE, text="Which?", choices=["A", "a"]
        )
    assert errors_of(exc) == {"choices": ["Each option must differ from the others."]}


def test_scale_ends_must_be_in_order(form, credit_staff):
    with pytest.raises(ValidationError) as exc:
        builder.add_question(
            form, by=credit_staff, kind=QuestionKind.RATING, text="Pace?", scale_min=5, scale_max=5
        )
    assert "scale_max" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        builder.add_question(
            form, by=credit_staff, kind=QuestionKind.RATING, text="Pace?", scale_max=11
        )
    assert "scale_max" in errors_of(exc)


def test_text_length_and_empty_text(form, credit_staff):
    with pytest.raises(ValidationError) as exc:
        builder.add_question(form, by=credit_staff, kind=QuestionKind.TEXT, text="  ")
    assert errors_of(exc) == {"text": ["Write the question."]}
    with pytest.raises(ValidationError) as exc:
        builder.add_question(form, by=credit_staff, kind=QuestionKind.TEXT, text="x" * 501)
    assert errors_of(exc) == {"text": ["A question has at most 500 characters."]}


def test_add_question_stores_what_its_kind_needs_and_audits(form, program_staff):
    q = builder.add_question(
        form,
        by=program_staff,
        kind=QuestionKind.RATING,
        text="  Pace of the sessions  ",
        choices="Too slow\nToo fast",
        scale_min=1,
        scale_max=7,
    )
    assert (q.text, q.choices, q.scale_min, q.scale_max) == (
        "Pace of the sessions",
        ["Too slow", "Too fast"],
        1,
        7,
    )
    assert q.order > form.questions.exclude(pk=q.pk).order_by("-order").first().order
    text_q = builder.add_question(
        form, by=program_staff, kind=QuestionKind.TEXT, text="Other?", choices="a\nb"
    )
    assert text_q.choices == []
    entry = AuditEntry.objects.get(action="evaluation.question_added", object_id=str(q.pk))
    assert entry.actor == program_staff
    assert entry.after["scale_max"] == 7


def test_staff_without_credit_or_program_cannot_build(form, reports_staff, registration_staff):
    for user in (reports_staff, registration_staff):
        with pytest.raises(PermissionDenied):
            builder.add_question(form, by=user, kind=QuestionKind.TEXT, text="Hello?")


def test_other_providers_staff_cannot_build(form):
    other = staff_with(ProviderFactory(), "credit", "program")
    with pytest.raises(PermissionDenied):
        builder.add_question(form, by=other, kind=QuestionKind.TEXT, text="Hello?")


def test_edit_then_responses_freeze_kind_and_choices(form, live, credit_staff):
    q = builder.add_question(
        form, by=credit_staff, kind=QuestionKind.SINGLE, text="Venue?", choices="Good\nPoor"
    )
    builder.edit_question(q, by=credit_staff, choices="Good\nFair\nPoor")
    q.refresh_from_db()
    assert q.choices == ["Good", "Fair", "Poor"]
    person = register(live)
    services.submit(form, person, answers_for(form, **GOOD) | {f"q{q.pk}": "Fair"})
    with pytest.raises(ValidationError) as exc:
        builder.edit_question(q, by=credit_staff, choices="Good\nPoor")
    assert "only the wording" in errors_of(exc)["choices"][0]
    with pytest.raises(ValidationError):
        builder.edit_question(q, by=credit_staff, kind=QuestionKind.TEXT)
    with pytest.raises(ValidationError, match="cannot be deleted"):
        builder.delete_question(q, by=credit_staff)
    builder.edit_question(q, by=credit_staff, text="How was the venue?")
    q.refresh_from_db()
    assert (q.text, q.kind, q.choices) == ("How was the venue?", "single", ["Good", "Fair", "Poor"])
    change = AuditEntry.objects.filter(action="evaluation.question_changed").order_by("pk").last()
    assert change.before["text"] == "Venue?" and change.after["text"] == "How was the venue?"


def test_delete_question_before_responses(form, credit_staff):
    q = builder.add_question(form, by=credit_staff, kind=QuestionKind.TEXT, text="Other?")
    builder.delete_question(q, by=credit_staff)
    assert not form.questions.filter(pk=q.pk).exists()
    assert AuditEntry.objects.filter(action="evaluation.question_deleted").count() == 1


def test_session_form_and_follow_up(live, credit_staff):
    session = SessionFactory(activity=live)
    session_form = builder.create_session_form(session, by=credit_staff)
    assert session_form.kind == FormKind.SESSION
    assert session_form.required_for_credit is False
    with pytest.raises(ValidationError, match="already"):
        builder.create_session_form(session, by=credit_staff)
    follow = builder.create_follow_up_form(live, by=credit_staff, send_after_days=42)
    assert (follow.kind, follow.send_after_days) == (FormKind.FOLLOW_UP, 42)
    assert follow.questions.count() == 2
    with pytest.raises(ValidationError, match="already"):
        builder.create_follow_up_form(live, by=credit_staff)
    with pytest.raises(ValidationError) as exc:
        builder.update_form(follow, by=credit_staff, send_after_days=0)
    assert "send_after_days" in errors_of(exc)
    builder.update_form(follow, by=credit_staff, send_after_days=30, is_open=False)
    follow.refresh_from_db()
    assert (follow.send_after_days, follow.is_open) == (30, False)
    builder.delete_form(session_form, by=credit_staff)
    assert not EvaluationForm.objects.filter(pk=session_form.pk).exists()


def test_follow_up_delay_is_validated(credit_staff, provider):
    activity = ActivityFactory(provider=provider)
    with pytest.raises(ValidationError) as exc:
        builder.create_follow_up_form(activity, by=credit_staff, send_after_days=400)
    assert "send_after_days" in errors_of(exc)


def test_activity_form_cannot_be_deleted(form, credit_staff):
    with pytest.raises(ValidationError, match="cannot be deleted"):
        builder.delete_form(form, by=credit_staff)


def test_team_of_another_activity_cannot_build(form, provider):
    elsewhere = ActivityFactory(provider=provider)
    user = staff_with(provider, "credit", activities=[elsewhere])
    with pytest.raises(PermissionDenied):
        builder.add_question(form, by=user, kind=QuestionKind.TEXT, text="Hello?")
