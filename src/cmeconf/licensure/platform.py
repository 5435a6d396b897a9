"""Credit claimed on this platform, as the licensure engine counts it.

A learner's live claims of one activity are one education with several
designations (1.50 AMA PRA Category 1 and 1.50 ABMS MOC for the same hours), so
they become credits carrying all those amounts, never one credit per type: the
engine counts a credit once, by the best designation a requirement accepts.

Topic mandates (opioids, implicit bias, ...) count only the hours of sessions on
the topic. A claim records the learner's minutes per session, so the claim is
split by the licensure topics of the attended sessions: each group of sessions
with the same topics gets the share of the claimed amount that its minutes are
of all attended minutes (hundredths; the remainder goes to the largest share so
the parts add up to the claim). A conference of 20 hours with one opioid
session attended for an hour yields a 1-hour credit tagged opioid prescribing and
a 19-hour credit without topics, not 20 hours of opioid education.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from cmeconf.activities.models import Session
from cmeconf.credits.models import Claim, ClaimStatus
from cmeconf.licensure import engine
from cmeconf.licensure.topics import licensure_topics

PREFIX = "c"
CENT = Decimal("0.01")


def credit_id(activity_pk: int, part: int) -> str:
    return f"{PREFIX}{activity_pk}.{part}"


def activity_of(engine_id: str) -> int | None:
    """The activity behind a platform credit id; None for any other credit."""
    if not engine_id.startswith(PREFIX):
        return None
    head = engine_id.removeprefix(PREFIX).partition(".")[0]
    return int(head) if head.isdigit() else None


def _split(amount: Decimal, weights: list[int]) -> list[Decimal]:
    """`amount` in parts proportional to `weights`, in hundredths, adding up exactly."""
    total = sum(weights)
    if total <= 0:
        return [amount] + [Decimal("0.00")] * (len(weights) - 1)
    parts = [(amount * w / total).quantize(CENT, rounding=ROUND_DOWN) for w in weights]
    parts[weights.index(max(weights))] += amount - sum(parts)
    return parts


def platform_credits(person_id: int) -> tuple[list[engine.Credit], dict[str, tuple[str, dt.date]]]:
    """The engine credits of the person's live claims, and a (title, date) line per credit id."""
    claims = list(
        Claim.objects.filter(person_id=person_id, status=ClaimStatus.CLAIMED).select_related(
            "activity"
        )
    )
    if not claims:
        return [], {}
    session_ids = {int(pk) for c in claims for pk in c.sessions}
    sessions = {
        s.pk: s for s in Session.objects.filter(pk__in=session_ids).prefetch_related("topics")
    }
    by_activity: dict[int, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_activity[claim.activity_id].append(claim)

    credits: list[engine.Credit] = []
    lines: dict[str, tuple[str, dt.date]] = {}
    for activity_pk, found in sorted(by_activity.items()):
        activity = found[0].activity
        zone = ZoneInfo(activity.time_zone)
        # Minutes per topic group, from the claim with the most sessions (all claims of
        # one activity measure the same attendance; they differ only in rounding).
        minutes = max(found, key=lambda c: len(c.sessions)).sessions
        groups: dict[frozenset[str], int] = defaultdict(int)
        last_day = activity.end_date
        days = []
        for pk, mins in minutes.items():
            session = sessions.get(int(pk))
            if session is None:
                continue
            tags = licensure_topics(t.slug for t in session.topics.all())
            groups[tags] += int(mins)
            if session.start is not None:
                days.append(session.start.astimezone(zone).date())
        if days:
            last_day = max(days)
        ordered = sorted(groups.items(), key=lambda kv: (sorted(kv[0]), kv[1])) or [
            (frozenset(), 1)
        ]
        weights = [w for _tags, w in ordered]
        # Per credit type, the best claim (two MOC boards for one activity: the larger).
        amounts: dict[str, Decimal] = {}
        for claim in found:
            best = amounts.get(claim.credit_type, Decimal(0))
            amounts[claim.credit_type] = max(best, claim.amount)
        shares = {code: _split(amount, weights) for code, amount in amounts.items()}
        for n, (tags, _weight) in enumerate(ordered):
            part = {code: parts[n] for code, parts in shares.items() if parts[n] > 0}
            if not part:
                continue
            cid = credit_id(activity_pk, n)
            credits.append(
                engine.Credit(
                    id=cid,
                    date=last_day,
                    amounts=part,
                    topics=tags,
                    format="webinar" if activity.delivery == "virtual" else "live",
                    title=activity.title,
                )
            )
            lines[cid] = (activity.title, last_day)
    return credits, lines
