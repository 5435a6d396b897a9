"""Planning the demo conference's program: pure functions, no database.

The program is laid out the way a medical society's annual meeting runs:
breakfast, a plenary keynote, then concurrent blocks in the breakout rooms
separated by coffee breaks and lunch, with the exhibit hall hosting exhibit
time, poster sessions and lunch. Each breakout block of one room belongs to
one track and holds one long session (symposium, panel, workshop, ...) or a
few shorter lectures and case presentations. Rooms are never double-booked;
faculty rarely are.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass, field

from cmeconf.activities.choices import NON_EDUCATIONAL_FORMATS, FacultyRole
from cmeconf.activities.choices import SessionFormat as F
from cmeconf.demo import vocabulary as v

# Breakout blocks: (hour, minute, minutes). Coffee at 10:15 and 15:00, lunch 12:00-13:30.
BLOCKS = ((9, 15, 60), (10, 45, 75), (13, 30, 90), (15, 30, 75), (17, 0, 60))
MAX_PER_BLOCK = 4
# Share of breakout blocks given to one long session when the program is full.
SINGLE_SHARE = 0.25
# The first long sessions cover every format; later ones favour the interactive ones.
SINGLE_FORMATS = (F.SYMPOSIUM, F.PANEL, F.WORKSHOP, F.DISCUSSION, F.LECTURE, F.CASE)
SINGLE_REPEAT = (F.SYMPOSIUM, F.PANEL, F.WORKSHOP, F.WORKSHOP, F.DISCUSSION, F.SYMPOSIUM)

FACULTY_ROLES: dict[str, tuple[str, ...]] = {
    F.LECTURE: (FacultyRole.SPEAKER,),
    F.CASE: (FacultyRole.SPEAKER,),
    F.PANEL: (FacultyRole.MODERATOR, *(FacultyRole.PANELIST,) * 3),
    F.SYMPOSIUM: (FacultyRole.MODERATOR, *(FacultyRole.SPEAKER,) * 3),
    F.WORKSHOP: (FacultyRole.FACILITATOR, FacultyRole.FACILITATOR),
    F.DISCUSSION: (FacultyRole.MODERATOR, FacultyRole.PANELIST, FacultyRole.PANELIST),
    F.KEYNOTE: (FacultyRole.SPEAKER,),
    F.POSTER: (FacultyRole.MODERATOR, FacultyRole.MODERATOR),
    F.INDUSTRY: (FacultyRole.SPEAKER,),
}


@dataclass(frozen=True)
class RoomPlan:
    name: str
    capacity: int
    description: str
    exhibit_hall: bool = False


@dataclass
class SessionPlan:
    title: str
    format: str
    start: dt.datetime
    end: dt.datetime
    room: int | None  # index into the room plans; None spans every room (breaks, meals)
    track: int | None  # index into vocabulary.TRACKS
    abstract: str = ""
    objectives: str = ""
    topics: tuple[str, ...] = ()
    capacity: int | None = None
    roles: tuple[str, ...] = ()
    faculty: list[tuple[int, str]] = field(default_factory=list)  # (person index, role)

    @property
    def credit_eligible(self) -> bool:
        return self.format not in NON_EDUCATIONAL_FORMATS


def room_plans(n_rooms: int) -> list[RoomPlan]:
    """The breakout rooms, then (with two rooms or more) the exhibit hall."""
    n_rooms = max(1, n_rooms)
    breakout = n_rooms - 1 if n_rooms >= 2 else 1
    rooms = [RoomPlan(*spec) for spec in v.ROOMS[:breakout]]
    for i in range(len(rooms), breakout):
        rooms.append(RoomPlan(f"Room {301 + i - len(v.ROOMS)}", 90, "Level 3, North Building"))
    if n_rooms >= 2:
        rooms.append(RoomPlan(*v.EXHIBIT_HALL, exhibit_hall=True))
    return rooms


def _at(day: dt.date, hour: int, minute: int, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


class _Titles:
    """Hands out (title, topic) pairs per track without repeating a topic until all are used."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.queues: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
        self.seen: set[str] = set()

    def topic(self, track: int) -> tuple[str, tuple[str, ...]]:
        queue = self.queues.get(track)
        if not queue:
            queue = list(v.TRACKS[track].topics)
            self.rng.shuffle(queue)
            self.queues[track] = queue
        return queue.pop()

    def title(self, fmt: str, track: int, year: int) -> tuple[str, tuple[str, ...], str]:
        words = v.TRACKS[track]
        title = topic = ""
        slugs: tuple[str, ...] = ()
        for _attempt in range(8):
            if fmt == F.WORKSHOP and words.workshops:
                topic = self.rng.choice(words.workshops)
                slugs = ()
                title = v.WORKSHOP_TEMPLATE.format(w=topic)
            else:
                topic, slugs = self.topic(track)
                templates = v.TITLE_TEMPLATES.get(fmt, v.TITLE_TEMPLATES[F.LECTURE])
                title = self.rng.choice(templates).format(t=topic, track=words.name, year=year)
            if title not in self.seen:
                break
        self.seen.add(title)
        return title, tuple(dict.fromkeys((*words.topic_slugs, *slugs))), topic


def _texts(rng: random.Random, fmt: str, topic: str) -> tuple[str, str]:
    abstract = " ".join(
        part
        for part in (
            rng.choice(v.ABSTRACT_OPENINGS).format(t=topic),
            v.ABSTRACT_MIDDLES.get(fmt, v.ABSTRACT_MIDDLES[F.LECTURE]),
            rng.choice(v.ABSTRACT_CLOSINGS),
        )
        if part
    )
    patterns = rng.sample(v.OBJECTIVE_PATTERNS, 3)
    verbs = rng.sample(v.OBJECTIVE_VERBS, 3)
    objectives = "\n".join(
        p.format(verb=vb, t=topic) for p, vb in zip(patterns, verbs, strict=True)
    )
    return abstract, objectives


def _fixed_items(day: dt.date, d: int, rooms: list[RoomPlan], tz, rng) -> list[SessionPlan]:
    """What every day has whatever the size: meals, breaks, the keynote, the exhibit hall."""
    hall = next((i for i, r in enumerate(rooms) if r.exhibit_hall), None)
    items = [
        SessionPlan("Continental Breakfast", F.MEAL, _at(day, 7, 0, tz), _at(day, 8, 0, tz),
                    None, None),
        SessionPlan("Coffee Break", F.BREAK, _at(day, 10, 15, tz), _at(day, 10, 45, tz),
                    None, None),
        SessionPlan("Refreshment Break", F.BREAK, _at(day, 15, 0, tz), _at(day, 15, 30, tz),
                    None, None),
    ]  # fmt: skip
    keynote = v.KEYNOTES[d % len(v.KEYNOTES)]
    abstract, objectives = _texts(rng, F.KEYNOTE, keynote.split(": ", 1)[1])
    items.append(
        SessionPlan(
            keynote, F.KEYNOTE, _at(day, 8, 0, tz), _at(day, 9, 0, tz), 0, None,
            abstract=abstract, objectives=objectives,
            topics=v.KEYNOTE_TOPICS[d % len(v.KEYNOTE_TOPICS)],
        )
    )  # fmt: skip
    if hall is None:
        items.append(
            SessionPlan("Lunch", F.MEAL, _at(day, 12, 0, tz), _at(day, 13, 30, tz), None, None)
        )
        return items
    poster_tracks = rng.sample(range(len(v.TRACKS)), 2)
    for hour, minute, end_h, end_m, fmt, title, track in (
        # Exhibits keep 30 minutes from the poster sessions in the same hall (Standard 5).
        (9, 0, 10, 15, F.EXHIBIT, "Exhibit Hall Open", None),
        (10, 45, 12, 0, F.POSTER, "Poster Session: {t} Abstracts", poster_tracks[0]),
        (12, 0, 13, 30, F.MEAL, "Lunch in the Exhibit Hall", None),
        (13, 30, 15, 0, F.EXHIBIT, "Exhibit Hall Open", None),
        (15, 30, 16, 45, F.POSTER, "Poster Session: {t} Clinical Vignettes", poster_tracks[1]),
    ):
        plan = SessionPlan(
            title, fmt, _at(day, hour, minute, tz), _at(day, end_h, end_m, tz), hall, track
        )
        if fmt == F.POSTER:
            name = v.TRACKS[track].name
            plan.title = title.format(t=name)
            plan.abstract, plan.objectives = _texts(rng, F.POSTER, f"research in {name}")
            plan.topics = v.TRACKS[track].topic_slugs
        if fmt == F.EXHIBIT and d == 0 and hour == 13:
            # The first afternoon the hall hosts the sponsors' promotion instead.
            plan.title, plan.format = "Sponsor Product Showcase", F.ADVERTISING
            plan.abstract = (
                "Promotional displays by the meeting's sponsors. Not part of the accredited "
                "education and no credit; kept 30 minutes apart from it."
            )
        elif fmt == F.EXHIBIT:
            plan.abstract = (
                "Visit the exhibitors. Exhibits are kept apart from the education and do not "
                "carry credit."
            )
        items.append(plan)
    return items


def plan_program(
    rng: random.Random,
    *,
    start_date: dt.date,
    days: int,
    rooms: list[RoomPlan],
    sessions: int,
    time_zone: str,
) -> list[SessionPlan]:
    """About `sessions` sessions over `days` days in `rooms`, in time order."""
    tz = zoneinfo.ZoneInfo(time_zone)
    year = start_date.year
    dates = [start_date + dt.timedelta(days=i) for i in range(max(1, days))]
    plans: list[SessionPlan] = []
    for d, day in enumerate(dates):
        plans += _fixed_items(day, d, rooms, tz, rng)
    # A couple of promotional lunch sessions by industry, in a breakout room, never for credit,
    # 30 minutes clear of the education in that room on both sides (Standard 5).
    industry_room = 1 if sum(not r.exhibit_hall for r in rooms) > 1 else 0
    for d, (title, company) in enumerate(v.INDUSTRY[: min(2, len(dates))]):
        plans.append(
            SessionPlan(
                title, F.INDUSTRY, _at(dates[d], 12, 30, tz), _at(dates[d], 13, 0, tz),
                industry_room, None,
                abstract=f"A promotional session organised and paid for by {company}. It is not "
                "part of the accredited program, was not planned by ACCP and does not offer "
                "continuing education credit.",
            )
        )  # fmt: skip

    breakout = [i for i, r in enumerate(rooms) if not r.exhibit_hall]
    cells = [(d, b, r) for d in range(len(dates)) for b in range(len(BLOCKS)) for r in breakout]
    wanted = max(0, sessions - len(plans))
    counts = _per_cell(rng, len(cells), wanted)

    single = rng.sample(SINGLE_FORMATS, len(SINGLE_FORMATS))
    tracks = list(range(len(v.TRACKS)))
    track_cycle: list[int] = []
    titles = _Titles(rng)
    for (d, b, r), k in zip(cells, counts, strict=True):
        if k == 0:
            continue
        if not track_cycle:
            track_cycle = rng.sample(tracks, len(tracks))
        track = track_cycle.pop()
        hour, minute, length = BLOCKS[b]
        start = _at(dates[d], hour, minute, tz)
        if k == 1:
            if not single:
                single = rng.sample(SINGLE_REPEAT, len(SINGLE_REPEAT))
            fmt = single.pop(0)
            slots = [(start, start + dt.timedelta(minutes=length), fmt)]
        else:
            each = (length // k) // 5 * 5
            slots = []
            for i in range(k):
                fmt = F.CASE if rng.random() < 0.25 else F.LECTURE
                s = start + dt.timedelta(minutes=each * i)
                slots.append((s, s + dt.timedelta(minutes=each), fmt))
        for s, e, fmt in slots:
            title, slugs, topic = titles.title(fmt, track, year)
            abstract, objectives = _texts(rng, fmt, topic)
            capacity = None
            if fmt == F.WORKSHOP:
                capacity = min(rooms[r].capacity, rng.choice((30, 40, 48, 60)))
            plans.append(
                SessionPlan(
                    title, fmt, s, e, r, track, abstract=abstract, objectives=objectives,
                    topics=slugs, capacity=capacity,
                )
            )  # fmt: skip
    for plan in plans:
        plan.roles = FACULTY_ROLES.get(plan.format, ())
    plans.sort(key=lambda p: (p.start, p.room if p.room is not None else -1, p.title))
    return plans


def _per_cell(rng: random.Random, n_cells: int, wanted: int) -> list[int]:
    """How many sessions each breakout block holds: spread out, mostly 2-3 when full."""
    if n_cells == 0:
        return []
    if wanted <= n_cells:
        chosen = set(rng.sample(range(n_cells), wanted))
        return [1 if i in chosen else 0 for i in range(n_cells)]
    singles = max(round(n_cells * SINGLE_SHARE), 2 * n_cells - wanted)
    single_cells = set(rng.sample(range(n_cells), singles))
    counts = [1 if i in single_cells else 2 for i in range(n_cells)]
    open_cells = [i for i in range(n_cells) if i not in single_cells]
    extra = wanted - sum(counts)
    for _ in range(max(0, min(extra, len(open_cells) * (MAX_PER_BLOCK - 2)))):
        i = rng.randrange(len(open_cells))
        cell = open_cells[i]
        counts[cell] += 1
        if counts[cell] == MAX_PER_BLOCK:
            open_cells.pop(i)
    return counts


def assign_faculty(
    rng: random.Random, plans: list[SessionPlan], specialties: list[str], *, keep_free: int = 0
) -> None:
    """Fill each plan's faculty with (person index, role), preferring the track's specialty.

    A person is given two overlapping sessions only when nobody suitable is free.
    Person `keep_free` (the demo faculty login) is handed the first keynote first.
    """
    by_specialty: dict[str, list[int]] = {}
    for i, spec in enumerate(specialties):
        by_specialty.setdefault(spec, []).append(i)
    everyone = list(range(len(specialties)))
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    load = [0] * len(specialties)

    def free(person: int, plan: SessionPlan) -> bool:
        return all(e <= plan.start or s >= plan.end for s, e in busy.get(person, ()))

    def take(person: int, plan: SessionPlan, role: str) -> None:
        plan.faculty.append((person, role))
        busy.setdefault(person, []).append((plan.start, plan.end))
        load[person] += 1

    if not everyone:
        return
    if 0 <= keep_free < len(specialties):
        # The demo faculty login opens the meeting and sits on the first panel it can reach.
        keynotes = [p for p in plans if p.format == F.KEYNOTE]
        if keynotes:
            take(keep_free, keynotes[0], keynotes[0].roles[0])
        panels = [p for p in plans if p.format == F.PANEL and free(keep_free, p)]
        if panels:
            take(keep_free, panels[0], FacultyRole.PANELIST)
    for plan in plans:
        pool = everyone
        if plan.track is not None:
            pool = by_specialty.get(v.TRACKS[plan.track].specialty) or everyone
        remaining = list(plan.roles)
        for _p, role in plan.faculty:
            if role in remaining:
                remaining.remove(role)
        for role in remaining:
            on_it = {p for p, _r in plan.faculty}
            person = None
            for candidates in (pool, everyone):
                sample = rng.sample(candidates, min(12, len(candidates)))
                ok = [p for p in sample if p not in on_it and free(p, plan)]
                if ok:
                    person = min(ok, key=lambda p: load[p])
                    break
            if person is None:
                spare = [p for p in everyone if p not in on_it]
                if not spare:
                    break
                person = rng.choice(spare)
            take(person, plan, role)
