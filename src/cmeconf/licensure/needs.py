"""What an activity's audience still needs for their licences, as counts for the provider.

Registrants who keep a licence on file here have open topic mandates (two hours of
opioid prescribing for Texas, implicit bias for Michigan ...). A provider planning
the program wants to know which topics would help how many of them, and which of its
sessions already carry those topics. The provider sees aggregates only: never who,
and small counts are shown as "fewer than" a threshold so nobody is singled out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.activities.models import Activity, Session
from cmeconf.licensure import engine, services, topics, vocabulary, windows
from cmeconf.licensure.models import ExternalCredit, Licence
from cmeconf.registration.choices import RegistrationStatus
from cmeconf.registration.models import Registration

# Registrants holding a seat. An offered seat is not taken until accepted.
SEATED = (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_PAYMENT)

# Counts below this are shown as "fewer than ..." (and the hours behind them not at all).
SMALL = 5
# Working it out evaluates every registrant's licences (about a second for 3,000): the
# page and the API keep the result this long. Planning does not need it to the minute.
CACHE_SECONDS = 600


def shown(count: int) -> str:
    """A count as the provider may see it."""
    if count < SMALL:
        return _("fewer than %(n)s") % {"n": SMALL}
    return str(count)


@dataclass(frozen=True)
class NeedSet:
    id: str
    label: str
    requirements: tuple[str, ...]  # the mandates' labels
    as_of: dt.date | None  # the newest date the set's sources state for themselves
    checked: str  # when the set was last researched (its version)


@dataclass(frozen=True)
class Need:
    """One licensure topic some registrants still need."""

    topic: str  # vocabulary.TOPICS code
    label: str
    learners: int  # registrants with an open mandate this topic meets
    hours_missing: Decimal  # summed over registrants and mandates
    # Some of these mandates are not confirmed by the sources: say so wherever shown.
    unconfirmed: bool
    sets: tuple[NeedSet, ...]
    sessions: tuple[Session, ...]  # the activity's sessions already carrying the topic

    @property
    def small(self) -> bool:
        return self.learners < SMALL

    @property
    def learners_shown(self) -> str:
        return shown(self.learners)

    @property
    def hours_shown(self) -> Decimal | None:
        return None if self.small else self.hours_missing

    # In a small group, the boards and mandates behind a need (one Michigan licence among
    # a few registrants) can point to a person as surely as a name: they are left out.
    @property
    def sets_shown(self) -> tuple[NeedSet, ...]:
        return () if self.small else self.sets

    @property
    def unconfirmed_shown(self) -> bool | None:
        return None if self.small else self.unconfirmed


@dataclass
class Summary:
    """How many registrants the needs are drawn from."""

    registrants: int = 0
    with_licences: int = 0
    licences: int = 0
    # Licences that could not be evaluated (no expiry date where the board sets it).
    not_evaluated: int = 0
    needs: list[Need] = field(default_factory=list)


@dataclass
class _Acc:
    people: set[int] = field(default_factory=set)
    cents: int = 0
    unconfirmed: bool = False
    sets: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def _credits_by_person(person_ids) -> dict[int, list[engine.Credit]]:
    """Every external credit of these people, in one query, as the engine takes them.

    The same conversion as services.engine_credit, but from the JSON text: credits of
    one session share their designations and topics, so each distinct text is parsed once
    (tens of thousands of credits would otherwise each decode three JSON fields).
    """
    as_text = {name: Cast(name, TextField()) for name in ("amounts", "topics", "approvals")}
    rows = (
        ExternalCredit.objects.filter(person_id__in=person_ids)
        .annotate(**{f"{name}_text": expr for name, expr in as_text.items()})
        .values_list(
            "pk", "person_id", "completed_on", "amounts_text", "topics_text", "approvals_text",
            "format",
        )
    )  # fmt: skip
    amounts: dict[str, dict[str, Decimal]] = {}
    tags: dict[str, frozenset[str]] = {}
    by_person: dict[int, list[engine.Credit]] = defaultdict(list)
    for pk, person_id, day, raw_amounts, raw_topics, raw_approvals, fmt in rows.iterator(2000):
        if raw_amounts not in amounts:
            amounts[raw_amounts] = {k: Decimal(v) for k, v in json.loads(raw_amounts).items()}
        for raw in (raw_topics, raw_approvals):
            if raw not in tags:
                tags[raw] = frozenset(json.loads(raw))
        by_person[person_id].append(
            engine.Credit(
                id=services.engine_credit_id(pk),
                date=day,
                amounts=amounts[raw_amounts],
                topics=tags[raw_topics],
                approvals=tags[raw_approvals],
                format=fmt,
            )
        )
    return by_person


def _sessions_by_topic(activity: Activity) -> dict[str, list[Session]]:
    """The activity's sessions by the licensure topics their shared program topics carry."""
    sessions = (
        Session.objects.filter(activity=activity, topics__provider__isnull=True)
        .distinct()
        .prefetch_related("topics")
        .order_by("start", "title", "pk")
    )
    found: dict[str, list[Session]] = defaultdict(list)
    for session in sessions:
        slugs = [t.slug for t in session.topics.all() if t.provider_id is None]
        for tag in topics.licensure_topics(slugs):
            found[tag].append(session)
    return found


def audience_summary(activity: Activity, *, today: dt.date) -> Summary:
    """The registrants' open topic mandates on `today`, by topic, most needed first."""
    seated = Registration.objects.filter(activity=activity, status__in=SEATED)
    person_ids = seated.values("person_id")
    summary = Summary(registrants=seated.count())
    sets = services.requirement_sets()
    licences = [
        licence
        for licence in Licence.objects.filter(person_id__in=person_ids)
        if licence.requirement_set in sets
    ]
    summary.licences = len(licences)
    summary.with_licences = len({licence.person_id for licence in licences})
    if not licences:
        return summary
    credits = _credits_by_person(Licence.objects.filter(person_id__in=person_ids).values("person"))
    by_topic: dict[str, _Acc] = defaultdict(_Acc)
    for licence in licences:
        try:
            status = engine.evaluate(
                services.engine_licence(licence), credits.get(licence.person_id, ()), today=today
            )
        except windows.ExpiryRequiredError:
            summary.not_evaluated += 1
            continue
        rs = sets[licence.requirement_set]
        mandates = {t.id: t for t in rs.topic_requirements}
        for req in status.requirements:
            if req.kind != "topic" or not services.is_open(req) or req.id not in mandates:
                continue
            for tag in mandates[req.id].topics_any:
                acc = by_topic[tag]
                acc.people.add(licence.person_id)
                acc.cents += int(req.gap * 100)
                acc.unconfirmed |= not req.confirmed
                acc.sets[rs.id].add(req.label)
    sessions = _sessions_by_topic(activity) if by_topic else {}
    needs = [
        Need(
            topic=tag,
            label=str(vocabulary.TOPICS.get(tag, tag.replace("_", " "))),
            learners=len(acc.people),
            hours_missing=Decimal(acc.cents) / 100,
            unconfirmed=acc.unconfirmed,
            sets=tuple(
                NeedSet(
                    set_id,
                    services.set_label(sets[set_id]),
                    tuple(sorted(labels)),
                    sets[set_id].as_of,
                    sets[set_id].version,
                )
                for set_id, labels in sorted(acc.sets.items())
            ),
            sessions=tuple(sessions.get(tag, ())),
        )
        for tag, acc in by_topic.items()
    ]
    needs.sort(key=lambda n: (-n.learners, n.label))
    summary.needs = needs
    return summary


def audience_needs(activity: Activity, *, today: dt.date) -> list[Need]:
    """The open topic mandates of the activity's seated registrants, by licensure topic."""
    return audience_summary(activity, today=today).needs


def cached_summary(activity: Activity, *, today: dt.date) -> tuple[Summary, dt.datetime]:
    """(audience_summary, when it was worked out), kept for CACHE_SECONDS per activity and day."""
    key = f"licensure:needs:{activity.pk}:{today.isoformat()}"
    hit = cache.get(key)
    if hit is None:
        hit = (audience_summary(activity, today=today), timezone.now())
        cache.set(key, hit, CACHE_SECONDS)
    return hit
