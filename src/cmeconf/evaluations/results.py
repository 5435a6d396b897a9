"""What learners answered, added up per question, for staff who read the evaluation.

Results show counts, shares and means, and the texts learners wrote, never who
wrote them: evaluations are read to improve the education [C8], not to judge a
person. Reports of commercial bias come first, so they are acted on [A4].
Charts are plain SVG bars drawn here, so the page needs no JavaScript.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cmeconf.evaluations.models import (
    EvaluationAnswer,
    EvaluationForm,
    EvaluationQuestion,
    EvaluationResponse,
    QuestionKind,
    StandardQuestion,
)
from cmeconf.evaluations.standard import NO


@dataclass
class Bar:
    label: str
    count: int
    percent: float


@dataclass
class QuestionResult:
    question: EvaluationQuestion
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def chart(self) -> SafeString:
        return bar_chart_svg(self.bars, title=self.question.text) if self.bars else SafeString("")


@dataclass
class BiasReport:
    response_number: int
    comment: str


@dataclass
class FormResults:
    form: EvaluationForm
    responses: int
    questions: list[QuestionResult]
    bias_reports: list[BiasReport]
    mean_seconds: float | None


def response_numbers(form: EvaluationForm) -> dict[int, int]:
    """Response id -> its anonymous number (1, 2, ... in the order of submission)."""
    ids = EvaluationResponse.objects.filter(form=form).order_by("submitted_at", "id")
    return {pk: n for n, pk in enumerate(ids.values_list("pk", flat=True), start=1)}


def form_results(form: EvaluationForm) -> FormResults:
    """Counts, shares, means and texts of every question of `form`; a fixed number of queries."""
    questions = list(form.questions.order_by("order", "id"))
    numbers = response_numbers(form)
    answers_by_question: dict[int, list[EvaluationAnswer]] = {q.pk: [] for q in questions}
    for answer in EvaluationAnswer.objects.filter(response__form=form).order_by(
        "response__submitted_at", "response_id"
    ):
        answers_by_question.setdefault(answer.question_id, []).append(answer)
    results = [_question_result(q, answers_by_question[q.pk]) for q in questions]
    bias_reports = _bias_reports(questions, answers_by_question, numbers)
    seconds = list(
        EvaluationResponse.objects.filter(form=form, seconds_spent__isnull=False).values_list(
            "seconds_spent", flat=True
        )
    )
    return FormResults(
        form=form,
        responses=len(numbers),
        questions=results,
        bias_reports=bias_reports,
        mean_seconds=(sum(seconds) / len(seconds)) if seconds else None,
    )


def _question_result(
    question: EvaluationQuestion, answers: list[EvaluationAnswer]
) -> QuestionResult:
    result = QuestionResult(question=question, answered=len(answers))
    kind = question.kind
    if kind == QuestionKind.RATING:
        counts = Counter(a.value for a in answers if isinstance(a.value, int))
        labels = _rating_labels(question)
        result.bars = _bars([(labels[n], counts.get(n, 0)) for n in labels], len(answers))
        numbers = [a.value for a in answers if isinstance(a.value, int)]
        result.mean = sum(numbers) / len(numbers) if numbers else None
    elif kind == QuestionKind.SINGLE:
        counts = Counter(a.value for a in answers)
        result.bars = _bars(_with_others(question.choices, counts), len(answers))
    elif kind == QuestionKind.MULTIPLE:
        counts = Counter(v for a in answers for v in (a.value or []))
        # Shares of the learners who answered: several choices each, so they add past 100%.
        result.bars = _bars(_with_others(question.choices, counts), len(answers))
    else:
        result.texts = [a.text for a in answers if a.text]
    return result


def _rating_labels(question: EvaluationQuestion) -> dict[int, str]:
    labels = {n: str(n) for n in range(question.scale_min, question.scale_max + 1)}
    if len(question.choices) == 2:
        labels[question.scale_min] = f"{question.scale_min} ({question.choices[0]})"
        labels[question.scale_max] = f"{question.scale_max} ({question.choices[1]})"
    return labels


def _with_others(choices: list[str], counts: Counter) -> list[tuple[str, int]]:
    rows = [(c, counts.get(c, 0)) for c in choices]
    # Values no longer among the options (none while answers freeze the options).
    rows += [(str(v), n) for v, n in counts.items() if v not in choices]
    return rows


def _bars(rows: list[tuple[str, int]], total: int) -> list[Bar]:
    return [Bar(label, n, round(100 * n / total, 1) if total else 0.0) for label, n in rows]


def _bias_reports(questions, answers_by_question, numbers) -> list[BiasReport]:
    """Each response that said the content was not free of commercial bias, with its comment."""
    by_standard = {q.standard: q for q in questions if q.standard}
    bias_q = by_standard.get(StandardQuestion.FREE_OF_BIAS)
    if bias_q is None:
        return []
    comment_q = by_standard.get(StandardQuestion.BIAS_COMMENT)
    comments = {}
    if comment_q is not None:
        comments = {a.response_id: a.text for a in answers_by_question.get(comment_q.pk, [])}
    return [
        BiasReport(numbers.get(a.response_id, 0), comments.get(a.response_id, ""))
        for a in answers_by_question.get(bias_q.pk, [])
        if a.value == NO
    ]


# --- charts ------------------------------------------------------------------------------------

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 220
BAR_WIDTH = 300
COUNT_WIDTH = 90


def bar_chart_svg(bars: list[Bar], *, title: str = "") -> SafeString:
    """Horizontal bars, one per option, as inline SVG. Every label is escaped."""
    width = LABEL_WIDTH + BAR_WIDTH + COUNT_WIDTH
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    rows = []
    for i, bar in enumerate(bars):
        y = GAP + i * (BAR_HEIGHT + GAP)
        w = round(BAR_WIDTH * bar.percent / 100, 1)
        label = bar.label if len(bar.label) <= 32 else bar.label[:31] + "…"
        rows.append(
            (
                y + BAR_HEIGHT * 0.7,
                LABEL_WIDTH - 8,
                label,
                LABEL_WIDTH,
                y,
                w,
                BAR_HEIGHT,
                LABEL_WIDTH + w + 6,
                y + BAR_HEIGHT * 0.7,
                bar.count,
                bar.percent,
            )
        )
    body = format_html_join(
        "",
        '<text x="{1}" y="{0}" text-anchor="end" class="chart-label">{2}</text>'
        '<rect x="{3}" y="{4}" width="{5}" height="{6}" class="chart-bar"></rect>'
        '<text x="{7}" y="{8}" class="chart-count">{9} ({10}%)</text>',
        rows,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" '
        'width="{}" height="{}" role="img" aria-label="{}">{}</svg>',
        width,
        height,
        width,
        height,
        _("Answers to: %(question)s") % {"question": title} if title else _("Answers"),
        body,
    )
