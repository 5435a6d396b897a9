"""What fills my gap: upcoming sessions on this platform that would close a licence's gaps.

A session helps close a gap when its activity offers a credit type the requirement
accepts and, for a topic mandate, when it carries one of the shared program topics
that stand for the mandate's subjects (topics.program_topics). A session earns its
length in hours. Sessions are ranked by how many of the licence's gaps they help
close, then by date.

The rows are found in a fixed number of queries, however many sessions there are:
the candidates' ids, dates and topics are read as plain values, scored in Python,
and only the chosen few are loaded as objects.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from cmeconf.activities.choices import PUBLIC_STATES, Delivery
from cmeconf.activities.models import Bookmark, Session
from cmeconf.licensure import engine, topics
from cmeconf.licensure.rules import RequirementSet, TopicRequirement
from cmeconf.licensure.services import LicenceReport
from cmeconf.registration.models import RegistrationSetup


@dataclass(frozen=True)
class Filler:
    session: Session
    hours: Decimal
    # The open requirements (with a gap) this session helps close.
    closes: tuple[engine.RequirementStatus, ...]
    in_agenda: bool


@dataclass(frozen=True)
class _Need:
    """One open gap, as a session has to be to help close it."""

    status: engine.RequirementStatus
    credit_types: frozenset[str]
    # Shared program topic slugs, one of which the session must carry; None: any session.
    program_topics: frozenset[str] | None
    formats: frozenset[str]  # vocabulary.FORMATS the session's delivery must be; empty: any
    year: int | None  # a per-calendar-year minimum: the session must fall in that year
    deadline: dt.date | None


def _accepted(rs: RequirementSet) -> frozenset[str]:
    """Every credit type the set counts toward its total (capped types included)."""
    types = set(rs.total.counted_credit_types)
    for rule in rs.credit_type_rules:
        types |= rule.credit_types
    return frozenset(types)


def _topic_need(
    req: TopicRequirement, status: engine.RequirementStatus, accepted: frozenset[str]
) -> _Need | None:
    if req.approvals_required:
        return None  # only specially approved courses count; nothing here says it is one
    return _Need(
        status,
        req.credit_types_allowed if req.credit_types_allowed is not None else accepted,
        topics.program_topics(req.topics_any),
        frozenset(req.formats_allowed),
        None,
        status.deadline,
    )


def needs(report: LicenceReport) -> list[_Need]:
    """The licence's open gaps, each with what a session must offer to help close it."""
    rs = report.requirement_set
    accepted = _accepted(rs)
    rules = {r.id: r for r in rs.credit_type_rules}
    mandates = {t.id: t for t in rs.topic_requirements}
    out = []
    for status in report.open_gaps:
        if status.kind == "total":
            out.append(_Need(status, accepted, None, frozenset(), None, status.deadline))
        elif status.kind == "credit_type_min" and status.id in rules:
            rule = rules[status.id]
            out.append(_Need(status, rule.credit_types, None, frozenset(), None, status.deadline))
        elif status.kind == "annual_min":
            rule_id, _sep, year = status.id.rpartition(":")
            if rule_id in rules and year.isdigit():
                types = rules[rule_id].credit_types
                out.append(_Need(status, types, None, frozenset(), int(year), status.deadline))
        elif status.kind == "topic" and status.id in mandates:
            need = _topic_need(mandates[status.id], status, accepted)
            if need is not None:
                out.append(need)
    return out


# How an activity's delivery reads as the formats some mandates restrict.
_DELIVERY_FORMATS = {
    Delivery.IN_PERSON: frozenset({"live"}),
    Delivery.HYBRID: frozenset({"live", "webinar"}),
    Delivery.VIRTUAL: frozenset({"webinar"}),
}


def _helps(
    need: _Need,
    *,
    day: dt.date,
    credit_types: frozenset[str],
    slugs: frozenset[str],
    delivery: str,
    today: dt.date,
) -> bool:
    if not need.credit_types & credit_types:
        return False
    if need.program_topics is not None and not need.program_topics & slugs:
        return False
    if need.formats and not need.formats & _DELIVERY_FORMATS.get(delivery, frozenset()):
        return False
    if need.year is not None and day.year != need.year:
        return False
    # Too late for this deadline; a deadline already passed is still to be made up.
    return not (need.deadline and need.deadline >= today and day > need.deadline)


def fillers(report: LicenceReport, *, now: dt.datetime, limit: int = 20) -> list[Filler]:
    """Upcoming credit-eligible sessions that help close the licence's gaps, best first."""
    open_needs = needs(report)
    if not open_needs:
        return []
    # Deadlines and calendar years are the learner's dates; a session's date is its own
    # day where it happens (21:00 in New York on the due date is still in time).
    today = timezone.localdate(now)
    offered = {
        activity_id: (frozenset(types or ()), delivery)
        for activity_id, types, delivery in RegistrationSetup.objects.filter(
            activity__state__in=PUBLIC_STATES, activity__end_date__gte=today - dt.timedelta(days=1)
        ).values_list("activity_id", "credit_types", "activity__delivery")
    }
    useful_types = frozenset().union(*(n.credit_types for n in open_needs))
    offered = {a: v for a, v in offered.items() if v[0] & useful_types}
    if not offered:
        return []
    rows = list(
        Session.objects.filter(
            activity_id__in=offered, start__gt=now, credit_eligible=True, end__isnull=False
        ).values_list("id", "activity_id", "start", "end", "activity__time_zone")
    )
    wanted = frozenset().union(*(n.program_topics or frozenset() for n in open_needs))
    slugs: dict[int, set[str]] = {}
    if wanted and rows:
        for session_id, slug in Session.topics.through.objects.filter(
            session_id__in=[r[0] for r in rows], topic__slug__in=wanted, topic__provider=None
        ).values_list("session_id", "topic__slug"):
            slugs.setdefault(session_id, set()).add(slug)
    scored = []
    for session_id, activity_id, start, _end, zone in rows:
        types, delivery = offered[activity_id]
        day = timezone.localtime(start, zoneinfo.ZoneInfo(zone)).date()
        closes = tuple(
            n.status
            for n in open_needs
            if _helps(
                n,
                day=day,
                credit_types=types,
                slugs=frozenset(slugs.get(session_id, ())),
                delivery=delivery,
                today=today,
            )
        )
        if closes:
            scored.append((-len(closes), start, session_id, closes))
    scored.sort(key=lambda s: s[:3])
    chosen = scored[:limit]
    if not chosen:
        return []
    sessions = Session.objects.select_related("activity__provider", "room").in_bulk(
        [s[2] for s in chosen]
    )
    person = report.licence.person_id
    bookmarked = set(
        Bookmark.objects.filter(user_id=person, session_id__in=sessions).values_list(
            "session_id", flat=True
        )
    )
    out = []
    for _score, _start, session_id, closes in chosen:
        session = sessions[session_id]
        hours = Decimal((session.end - session.start).total_seconds()) / Decimal(3600)
        out.append(
            Filler(session, hours.quantize(Decimal("0.01")), closes, session_id in bookmarked)
        )
    return out
