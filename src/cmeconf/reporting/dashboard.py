"""The credit dashboard: who learned, what was awarded, when, and what learners said.

Figures come straight from the records: learners by profession (registrants of a
Course, or learners per session of a series [PA3], and everyone who claimed),
credit awarded per type (live claims only, never the designated maximum [M6]),
claims per day, and the answers to the standard evaluation questions "objectives
met" and "free of commercial bias" [C8][A4]. Each series is ready for a bar chart:
`Bar.percent` is the bar's length against the longest bar.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cmeconf.accounts.rules import Profession
from cmeconf.activities.models import Activity
from cmeconf.credits.models import Claim, ClaimStatus
from cmeconf.reporting import base


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    percent: int
    y: int = 0  # position of the bar in an SVG chart, in pixels
    detail: str = ""

    @property
    def value_text(self) -> str:
        if isinstance(self.value, Decimal):
            return base.amount_text(self.value)
        return str(self.value)


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    row_height: int = 28

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * self.row_height

    @property
    def empty(self) -> bool:
        return not self.bars


def _bars(items: list[tuple], row_height: int = 28) -> list[Bar]:
    """Bars from (label, value) or (label, value, detail) items."""
    top = max((item[1] for item in items), default=0)
    bars = []
    for i, (label, value, *detail) in enumerate(items):
        percent = round(100 * float(value) / float(top)) if top else 0
        bars.append(Bar(label, value, percent, y=i * row_height, detail="".join(detail)))
    return bars


def _profession_label(code: str) -> str:
    if not code:
        return _("Not given")
    try:
        return str(Profession(code).label)
    except ValueError:
        return code


def learners_by_profession(activity: Activity) -> Chart:
    counts = base.learner_professions(activity)
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return Chart(_("Learners by profession"), _bars([(_profession_label(k), v) for k, v in items]))


# Short names for chart labels; the full names are in the credit pages.
SHORT_LABELS = {
    "AMA_PRA_1": "AMA PRA Category 1",
    "ABMS_MOC": "MOC",
    "ANCC": "ANCC contact hours",
    "ACPE": "ACPE contact hours",
    "ACPE_TECH": "ACPE contact hours (technicians)",
    "ECMEC": "European CME credits",
    "AAPA_1": "AAPA Category 1",
    "AOA_1A": "AOA Category 1-A",
    "IPCE": "IPCE",
    "RC_SECTION_1": "Royal College Section 1",
    "PARTICIPATION": "Participation",
}


def credit_label(code: str) -> str:
    return SHORT_LABELS.get(code, code)


def credits_by_type(activity: Activity) -> Chart:
    rows = (
        Claim.objects.filter(activity=activity, status=ClaimStatus.CLAIMED)
        .values("credit_type", "board")
        .annotate(total=Sum("amount"), claims=Count("id"))
        .order_by("credit_type", "board")
    )
    items = []
    for row in rows:
        label = credit_label(row["credit_type"])
        if row["board"]:
            label = f"{label} ({row['board']})"
        claims = row["claims"]
        detail = ngettext("%(n)d claim", "%(n)d claims", claims) % {"n": claims}
        items.append((label, row["total"] or Decimal(0), detail))
    return Chart(_("Credit awarded per type"), _bars(items))


def claims_over_time(activity: Activity) -> Chart:
    rows = (
        Claim.objects.filter(activity=activity, status=ClaimStatus.CLAIMED)
        .annotate(day=TruncDate("attested_at", tzinfo=activity.tz))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    return Chart(
        _("Claims per day"), _bars([(row["day"].strftime("%Y-%m-%d"), row["n"]) for row in rows])
    )


@dataclass(frozen=True)
class QuestionSummary:
    standard: str
    text: str
    responses: int
    chart: Chart
    mean: Decimal | None = None  # rating questions only


def _answer_label(value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _rating_items(question, counts: Counter) -> list[tuple]:
    """Every point of the scale, the two ends with their labels ("1 (Not met)")."""
    ends = list(question.choices or [])
    items = []
    for point in range(question.scale_min, question.scale_max + 1):
        label = str(point)
        if point == question.scale_min and ends:
            label = f"{point} ({ends[0]})"
        elif point == question.scale_max and len(ends) > 1:
            label = f"{point} ({ends[-1]})"
        items.append((label, counts.get(point, 0)))
    return items


def evaluation_summary(activity: Activity) -> list[QuestionSummary]:
    """Answers to "objectives met" and "free of commercial bias", per answer."""
    from cmeconf.evaluations.models import EvaluationAnswer, EvaluationQuestion, StandardQuestion

    summaries = []
    for standard in (StandardQuestion.OBJECTIVES_MET, StandardQuestion.FREE_OF_BIAS):
        questions = list(
            EvaluationQuestion.objects.filter(
                form__activity=activity, form__session__isnull=True, standard=standard
            ).order_by("form__kind", "id")
        )
        if not questions:
            continue
        question = questions[0]
        values = [
            v
            for v in EvaluationAnswer.objects.filter(question__in=questions).values_list(
                "value", flat=True
            )
            if v is not None
        ]
        mean = None
        if question.kind == "rating":
            points = [int(v) for v in values if isinstance(v, int | float)]
            counts: Counter = Counter(points)
            items = _rating_items(question, counts)
            if points:
                mean = (Decimal(sum(points)) / len(points)).quantize(Decimal("0.01"))
        else:
            counts = Counter(_answer_label(v) for v in values)
            order = [str(c) for c in question.choices or []]
            items = sorted(
                counts.items(),
                key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]),
            )
        summaries.append(
            QuestionSummary(
                standard=str(standard),
                text=question.text,
                responses=len(values),
                chart=Chart(str(standard.label), _bars(items)),
                mean=mean,
            )
        )
    return summaries


@dataclass(frozen=True)
class Totals:
    learners: int
    claimants: int
    claims: int
    reported: int


def totals(activity: Activity) -> Totals:
    claims = Claim.objects.filter(activity=activity, status=ClaimStatus.CLAIMED)
    return Totals(
        learners=sum(base.learner_professions(activity).values()),
        claimants=claims.values("person_id").distinct().count(),
        claims=claims.count(),
        reported=claims.filter(reported_at__isnull=False).count(),
    )
