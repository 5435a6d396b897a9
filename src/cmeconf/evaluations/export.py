"""CSV exports of an evaluation form: every answer, and a summary per question.

A learner appears only as an anonymous response number (1, 2, ... in the order
of submission): evaluations are read for the quality of the education [C8], not
to judge a person. Cells are made safe from spreadsheet formulas.
"""

from __future__ import annotations

import csv
from typing import TextIO

from cmeconf.common.spreadsheet import safe_cell
from cmeconf.evaluations.models import EvaluationAnswer, EvaluationForm, EvaluationResponse
from cmeconf.evaluations.results import form_results


def _answer_cell(answer: EvaluationAnswer | None) -> str:
    if answer is None:
        return ""
    if answer.text:
        return answer.text
    if isinstance(answer.value, list):
        return "; ".join(str(v) for v in answer.value)
    return "" if answer.value is None else str(answer.value)


def write_answers_csv(form: EvaluationForm, out: TextIO) -> int:
    """One row per response, a column per question (its text). Returns the rows written."""
    questions = list(form.questions.order_by("order", "id"))
    writer = csv.writer(out)
    writer.writerow(
        ["response", "submitted_at", "seconds_spent"] + [safe_cell(q.text) for q in questions]
    )
    answers: dict[tuple[int, int], EvaluationAnswer] = {
        (a.response_id, a.question_id): a
        for a in EvaluationAnswer.objects.filter(response__form=form)
    }
    responses = EvaluationResponse.objects.filter(form=form).order_by("submitted_at", "id")
    n = 0
    for n, response in enumerate(responses.only("pk", "submitted_at", "seconds_spent"), start=1):
        writer.writerow(
            [n, response.submitted_at.isoformat(), response.seconds_spent or ""]
            + [safe_cell(_answer_cell(answers.get((response.pk, q.pk)))) for q in questions]
        )
    return n


def write_summary_csv(form: EvaluationForm, out: TextIO) -> None:
    """One row per question and option: count, share of those who answered; mean for ratings."""
    results = form_results(form)
    writer = csv.writer(out)
    writer.writerow(["question", "kind", "answered", "option", "count", "percent", "mean"])
    for result in results.questions:
        q = result.question
        mean = "" if result.mean is None else f"{result.mean:.2f}"
        if result.bars:
            for bar in result.bars:
                writer.writerow(
                    [
                        safe_cell(q.text),
                        q.kind,
                        result.answered,
                        safe_cell(bar.label),
                        bar.count,
                        f"{bar.percent:.1f}",
                        mean,
                    ]
                )
        else:
            writer.writerow([safe_cell(q.text), q.kind, result.answered, "", "", "", mean])
