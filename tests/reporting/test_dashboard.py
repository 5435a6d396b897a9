"""The credit dashboard's figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cmeconf.evaluations.models import (
    EvaluationAnswer,
    EvaluationForm,
    EvaluationQuestion,
    EvaluationResponse,
)
from cmeconf.reporting import dashboard
from tests.reporting.conftest import EVENT_DAY

pytestmark = pytest.mark.django_db


def test_learners_by_profession(world):
    chart = dashboard.learners_by_profession(world.activity)
    assert [(b.label, b.value, b.percent) for b in chart.bars] == [
        ("Physician", 2, 100),
        ("Nurse", 1, 50),
        ("Pharmacist", 1, 50),
    ]


def test_credits_per_type_count_live_claims_only(world):
    chart = dashboard.credits_by_type(world.activity)
    values = {b.label: (b.value, b.detail) for b in chart.bars}
    # Eve's withdrawn 3.00 is not counted; Ann 15.50 + Bob 12.00.
    assert values == {
        "AMA PRA Category 1": (Decimal("27.50"), "2 claims"),
        "MOC (ABIM)": (Decimal("27.50"), "2 claims"),
        "ANCC contact hours": (Decimal("15.50"), "1 claim"),
        "ACPE contact hours": (Decimal("12.00"), "1 claim"),
    }


def test_claims_over_time(world):
    world.claim(world.people["eve"], "ANCC", "2.00", on=EVENT_DAY + dt.timedelta(days=2))
    chart = dashboard.claims_over_time(world.activity)
    assert [(b.label, b.value) for b in chart.bars] == [("2027-04-14", 6), ("2027-04-16", 1)]


def test_totals(world):
    totals = dashboard.totals(world.activity)
    assert (totals.learners, totals.claimants, totals.claims, totals.reported) == (4, 4, 6, 0)


def test_evaluation_summary(world):
    activity = world.activity
    form = EvaluationForm.objects.create(activity=activity, kind="activity", title="Evaluation")
    met = EvaluationQuestion.objects.create(
        form=form,
        kind="rating",
        text="How well were the objectives met?",
        standard="objectives_met",
        choices=["Not met", "Fully met"],
        scale_min=1,
        scale_max=5,
    )
    bias = EvaluationQuestion.objects.create(
        form=form,
        kind="single",
        text="Free of commercial bias?",
        standard="free_of_bias",
        choices=["Yes", "No"],
    )
    answers = {"ann": (5, "Yes"), "bob": (4, "Yes"), "cat": (5, "No")}
    for key, (a, b) in answers.items():
        response = EvaluationResponse.objects.create(
            form=form,
            person=world.people[key],
            submitted_at=dt.datetime(2027, 4, 16, tzinfo=dt.UTC),
        )
        EvaluationAnswer.objects.create(response=response, question=met, value=a)
        EvaluationAnswer.objects.create(response=response, question=bias, value=b)
    summary = {s.standard: s for s in dashboard.evaluation_summary(activity)}
    assert summary["objectives_met"].responses == 3
    assert [(b.label, b.value) for b in summary["objectives_met"].chart.bars] == [
        ("1 (Not met)", 0),
        ("2", 0),
        ("3", 0),
        ("4", 1),
        ("5 (Fully met)", 2),
    ]
    assert summary["objectives_met"].mean == Decimal("4.67")
    assert [(b.label, b.value) for b in summary["free_of_bias"].chart.bars] == [
        ("Yes", 2),
        ("No", 1),
    ]
    assert summary["free_of_bias"].mean is None


def test_no_evaluation_no_summary(world):
    assert dashboard.evaluation_summary(world.activity) == []
