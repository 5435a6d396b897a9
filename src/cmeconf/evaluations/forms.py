"""Django forms of evaluations: the learner's answers, and the staff builder's inputs.

They only shape what is typed; the services (services.py, builder.py) decide
what is valid, and their errors are put beside the fields.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cmeconf.evaluations.builder import DEFAULT_FOLLOW_UP_DAYS, SCALE_HIGHEST, SCALE_LOWEST
from cmeconf.evaluations.models import EvaluationQuestion, QuestionKind
from cmeconf.evaluations.services import TEXT_ANSWER_MAX, field_name


def _label(question: EvaluationQuestion) -> str:
    return question.text


class AnswerForm(forms.Form):
    """One field per question (named q<id>); every field optional here: services.submit
    decides what is required, since a question may apply only after another's answer."""

    opened = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, questions: list[EvaluationQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[field_name(q)] = self._field(q)

    def _field(self, q: EvaluationQuestion) -> forms.Field:
        common = {"label": _label(q), "help_text": q.help_text, "required": False}
        if q.kind == QuestionKind.RATING:
            labels = {n: str(n) for n in range(q.scale_min, q.scale_max + 1)}
            if len(q.choices) == 2:
                labels[q.scale_min] = f"{q.scale_min} ({q.choices[0]})"
                labels[q.scale_max] = f"{q.scale_max} ({q.choices[1]})"
            return forms.TypedChoiceField(
                choices=list(labels.items()),
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                **common,
            )
        if q.kind == QuestionKind.SINGLE:
            return forms.ChoiceField(
                choices=[(c, c) for c in q.choices], widget=forms.RadioSelect, **common
            )
        if q.kind == QuestionKind.MULTIPLE:
            return forms.MultipleChoiceField(
                choices=[(c, c) for c in q.choices],
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_ANSWER_MAX}),
            strip=True,
            **common,
        )

    def answers(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "opened"}

    def rows(self):
        """(question, bound field, shown only after another answer, that question's text)."""
        by_id = {q.pk: q for q in self.questions}
        for q in self.questions:
            parent = by_id.get(q.shown_if_question_id) if q.shown_if_question_id else None
            yield q, self[field_name(q)], parent


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(
        label=_("Help shown under the question"), max_length=300, required=False
    )
    choices = forms.CharField(
        label=_("Options, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For one or several choices: at least two different options. For a rating: "
            "optionally the labels of the lowest and highest end, one per line."
        ),
    )
    scale_min = forms.IntegerField(
        label=_("Rating from"), min_value=SCALE_LOWEST, max_value=SCALE_HIGHEST, initial=1
    )
    scale_max = forms.IntegerField(
        label=_("Rating to"), min_value=SCALE_LOWEST, max_value=SCALE_HIGHEST, initial=5
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)

    @classmethod
    def for_question(cls, question: EvaluationQuestion, *args, **kwargs) -> QuestionForm:
        initial = {
            "kind": question.kind,
            "text": question.text,
            "help_text": question.help_text,
            "choices": "\n".join(question.choices),
            "scale_min": question.scale_min,
            "scale_max": question.scale_max,
            "required": question.required,
        }
        return cls(*args, initial=initial, **kwargs)

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class FormSettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(
        label=_("Introduction shown above the questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_open = forms.BooleanField(label=_("Open for answers"), required=False)
    send_after_days = forms.IntegerField(
        label=_("Days after the activity's last day to send it"),
        min_value=1,
        max_value=365,
        required=False,
    )


class SessionFormCreateForm(forms.Form):
    session = forms.ChoiceField(label=_("Session"))

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [(s.code, s.title) for s in sessions]


class FollowUpCreateForm(forms.Form):
    send_after_days = forms.IntegerField(
        label=_("Days after the activity's last day to send it"),
        min_value=1,
        max_value=365,
        initial=DEFAULT_FOLLOW_UP_DAYS,
    )
