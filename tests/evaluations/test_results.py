"""Results per question, bias reports first, the SVG charts and the CSV exports."""

from __future__ import annotations

import csv
import io

import pytest

from cmeconf.evaluations import builder, export, results, services
from cmeconf.evaluations.models import QuestionKind
from tests.evaluations.conftest import GOOD, answers_for, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(form, live, admin_user):
    venue = builder.add_question(
        form,
        by=admin_user,
        kind=QuestionKind.MULTIPLE,
        text="=Which formats <helped>?",
        choices="Talks\nPanels\nWorkshops",
        required=False,
    )
    people = [register(live, email=f"p{n}@example.org") for n in range(4)]
    bias = answers_for(form, **(GOOD | {"free_of_bias": "No", "objectives_met": "2"}))
    bias[f"q{form.questions.get(standard='bias_comment').pk}"] = '=HYPERLINK("x") <b>ads</b>'
    services.submit(form, people[0], answers_for(form, **(GOOD | {"objectives_met": "5"})))
    services.submit(form, people[1], bias | {f"q{venue.pk}": ["Talks", "Panels"]})
    services.submit(form, people[2], answers_for(form, **GOOD) | {f"q{venue.pk}": ["Talks"]})
    services.submit(
        form,
        people[3],
        answers_for(form, **(GOOD | {"intent_to_change": "Nothing: I do it already."})),
        seconds_spent=60,
    )
    return venue


def test_counts_means_texts_and_bias_reports(form, answered):
    res = results.form_results(form)
    assert res.responses == 4
    assert res.mean_seconds == 60
    by_standard = {r.question.standard: r for r in res.questions if r.question.standard}
    objectives = by_standard["objectives_met"]
    assert objectives.mean == pytest.approx((5 + 2 + 4 + 4) / 4)
    assert [(b.label, b.count) for b in objectives.bars] == [
        ("1 (Not met)", 0),
        ("2", 1),
        ("3", 0),
        ("4", 2),
        ("5 (Fully met)", 1),
    ]
    bias = by_standard["free_of_bias"]
    assert [(b.label, b.count, b.percent) for b in bias.bars] == [
        ("Yes", 3, 75.0),
        ("No", 1, 25.0),
    ]
    assert len(by_standard["intent_to_change"].texts) == 4
    assert "Nothing: I do it already." in by_standard["intent_to_change"].texts
    venue = next(r for r in res.questions if r.question.pk == answered.pk)
    assert venue.answered == 2
    assert [(b.label, b.count, b.percent) for b in venue.bars] == [
        ("Talks", 2, 100.0),
        ("Panels", 1, 50.0),
        ("Workshops", 0, 0.0),
    ]
    assert [(r.response_number, r.comment) for r in res.bias_reports] == [
        (2, '=HYPERLINK("x") <b>ads</b>')
    ]


def test_chart_is_svg_with_escaped_labels(form, answered):
    res = results.form_results(form)
    venue = next(r for r in res.questions if r.question.pk == answered.pk)
    svg = str(venue.chart)
    assert svg.startswith("<svg") and svg.count("<rect") == 3
    assert "&lt;helped&gt;" in svg and "<helped>" not in svg
    assert 'width="300.0"' in svg  # 100 % of the bar width


def test_answers_csv_one_row_per_response_without_identity(form, answered):
    out = io.StringIO()
    assert export.write_answers_csv(form, out) == 4
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    header = rows[0]
    assert header[:3] == ["response", "submitted_at", "seconds_spent"]
    assert header[-1] == "'=Which formats <helped>?"  # a formula is not run by a spreadsheet
    assert len(header) == 3 + form.questions.count()
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    second = dict(zip(header, rows[2], strict=True))
    assert second["How well were the learning objectives of this activity met?"] == "2"
    assert second["Was the content free of commercial bias?"] == "No"
    assert second["Where did you see commercial bias?"] == '\'=HYPERLINK("x") <b>ads</b>'
    assert second["'=Which formats <helped>?"] == "Talks; Panels"
    text = out.getvalue()
    assert "@example.org" not in text


def test_summary_csv(form, answered):
    out = io.StringIO()
    export.write_summary_csv(form, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    objectives = [r for r in rows if r["question"].startswith("How well")]
    assert [(r["option"], r["count"]) for r in objectives][-1] == ("5 (Fully met)", "1")
    assert {r["mean"] for r in objectives} == {"3.75"}
    intent = [r for r in rows if r["kind"] == "commitment"]
    assert intent == [
        {
            "question": "What will you change in your practice as a result of this activity?",
            "kind": "commitment",
            "answered": "4",
            "option": "",
            "count": "",
            "percent": "",
            "mean": "",
        }
    ]


def test_results_use_a_fixed_number_of_queries(form, answered, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        results.form_results(form)
