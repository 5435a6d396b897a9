"""The standard questions every accredited activity asks [C8][A4]."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cmeconf.common.models import AuditEntry
from cmeconf.evaluations import builder
from cmeconf.evaluations.models import EvaluationForm, FormKind, QuestionKind, StandardQuestion
from cmeconf.evaluations.standard import ensure_activity_form

pytestmark = pytest.mark.django_db


def test_activity_form_has_the_standard_questions_once(live, admin_user):
    form = ensure_activity_form(live, by=admin_user)
    again = ensure_activity_form(live, by=admin_user)
    assert again.pk == form.pk
    assert EvaluationForm.objects.filter(activity=live).count() == 1
    assert form.kind == FormKind.ACTIVITY
    assert form.required_for_credit is True
    questions = list(form.questions.order_by("order"))
    assert [q.standard for q in questions] == [
        StandardQuestion.OBJECTIVES_MET,
        StandardQuestion.INTENT_TO_CHANGE,
        StandardQuestion.FREE_OF_BIAS,
        StandardQuestion.BIAS_COMMENT,
    ]
    objectives, intent, bias, comment = questions
    assert (objectives.kind, objectives.scale_min, objectives.scale_max) == (
        QuestionKind.RATING,
        1,
        5,
    )
    assert intent.kind == QuestionKind.COMMITMENT
    assert bias.kind == QuestionKind.SINGLE and bias.choices == ["Yes", "No"]
    assert comment.shown_if_question_id == bias.pk and comment.shown_if_values == ["No"]
    assert comment.required is True
    created = AuditEntry.objects.filter(action="evaluation.form_created", activity_id=live.pk)
    assert created.count() == 1
    assert AuditEntry.objects.filter(action="evaluation.question_added").count() == 4


def test_a_missing_standard_question_is_put_back(live, admin_user):
    form = ensure_activity_form(live)
    form.questions.filter(standard=StandardQuestion.OBJECTIVES_MET).delete()
    ensure_activity_form(live)
    assert form.questions.filter(standard=StandardQuestion.OBJECTIVES_MET).count() == 1
    assert form.questions.count() == 4


def test_standard_questions_cannot_be_deleted_or_changed(form, admin_user):
    bias = form.questions.get(standard=StandardQuestion.FREE_OF_BIAS)
    with pytest.raises(ValidationError, match="cannot be deleted"):
        builder.delete_question(bias, by=admin_user)
    with pytest.raises(ValidationError, match="cannot be changed"):
        builder.edit_question(bias, by=admin_user, text="Did you like the exhibitors?")
    bias.refresh_from_db()
    assert bias.text == "Was the content free of commercial bias?"
    assert form.questions.count() == 4


def test_standard_questions_move_among_the_others(form, admin_user):
    own = builder.add_question(form, by=admin_user, kind=QuestionKind.TEXT, text="Best talk?")
    objectives = form.questions.get(standard=StandardQuestion.OBJECTIVES_MET)
    builder.move_question(own, by=admin_user, up=True)
    builder.move_question(own, by=admin_user, up=True)
    builder.move_question(own, by=admin_user, up=True)
    builder.move_question(own, by=admin_user, up=True)
    order = list(form.questions.order_by("order").values_list("pk", flat=True))
    assert order[0] == own.pk
    assert order[1] == objectives.pk
    assert AuditEntry.objects.filter(action="evaluation.questions_reordered").count() == 4


def test_the_bias_comment_stays_below_its_question(form, admin_user):
    comment = form.questions.get(standard=StandardQuestion.BIAS_COMMENT)
    with pytest.raises(ValidationError, match="must stay below"):
        builder.move_question(comment, by=admin_user, up=True)
    bias = form.questions.get(standard=StandardQuestion.FREE_OF_BIAS)
    with pytest.raises(ValidationError, match="must stay below"):
        builder.move_question(bias, by=admin_user, up=False)
