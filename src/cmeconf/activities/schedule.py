"""The public program: loading it in a constant number of queries, laying out the day grid,
and caching every rendering under the activity's program version.

Plain functions; the public views only call them. Every cache key carries
activity.program_version, which every program service bumps, so a change shows at once
without anyone deleting keys.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cmeconf.activities import hooks, page_cache
from cmeconf.activities.choices import SessionFormat
from cmeconf.activities.models import Activity, Room, Session, SessionFaculty, Topic, Track
from cmeconf.activities.rules import overlaps
from cmeconf.activities.services.agenda import agenda

T = TypeVar("T")


# Breaks and meals without a room are for everyone: they stretch across the grid.
SPANNING_FORMATS = frozenset({SessionFormat.BREAK, SessionFormat.MEAL})
# Formats nobody expects credit for; marking them "not for credit" would only add noise.
SELF_EVIDENT_NO_CREDIT = frozenset({SessionFormat.BREAK, SessionFormat.MEAL})
NON_ACCREDITED_FORMATS = frozenset({SessionFormat.INDUSTRY, SessionFormat.EXHIBIT})

_HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")


# --- caching ---------------------------------------------------------------------------------


def cache_key(activity: Activity, name: str, *parts: object) -> str:
    """A key that changes with the program version and the language."""
    lang = translation.get_language() or settings.LANGUAGE_CODE
    bits = ["program", str(activity.pk), str(activity.program_version), lang, name]
    bits += [str(p) for p in parts]
    return ":".join(bits)


def cached(activity: Activity, name: str, parts: Iterable[object], build: Callable[[], T]) -> T:
    """The cached value for this key, built (and stored) on a miss. A build that finds
    nothing returns None, which is not stored."""
    key = cache_key(activity, name, *parts)
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, settings.PROGRAM_CACHE_SECONDS)
    return value


def etag(activity: Activity, name: str, *parts: object) -> str:
    # Weak: the body may be rebuilt (new DTSTAMP) without the program having changed.
    return f'W/"{cache_key(activity, name, *parts)}"'


def render_fragment(activity: Activity, template: str, context: dict[str, Any]) -> str:
    """Render a template for the shared cache: no request, so nothing personal gets in."""
    with timezone.override(activity.tz):
        return render_to_string(
            template,
            {
                "activity": activity,
                "links": activity_links(activity.provider.slug, activity.slug),
                "csrf_value": page_cache.CSRF_PLACEHOLDER,
                **context,
            },
        )


# Pages of one activity that every public page links to (navigation, exports).
LINKED_PAGES = (
    "activity", "schedule", "faculty_list", "search", "agenda", "agenda_ids", "schedule_ics",
    "schedule_xml", "schedule_json", "sessions_csv", "tracks_css",
)  # fmt: skip


@functools.lru_cache(maxsize=512)
def activity_links(provider_slug: str, activity_slug: str) -> dict[str, str]:
    """The paths of an activity's public pages, reversed once per process, not per request."""
    return {
        name: reverse(f"public:{name}", args=[provider_slug, activity_slug])
        for name in LINKED_PAGES
    }


# --- small helpers about sessions -------------------------------------------------------------


def safe_hex_color(value: str | None) -> str | None:
    """A six-digit hex colour, or None: colours go into CSS and XML, so nothing else passes."""
    if not value or not _HEX_COLOR.match(value):
        return None
    if len(value) == 4:
        value = "#" + "".join(c * 2 for c in value[1:])
    return value.lower()


def credit_label(session: Session) -> str:
    """What the program says about a session that carries no credit ("" when it does)."""
    if session.credit_eligible or session.format in SELF_EVIDENT_NO_CREDIT:
        return ""
    if session.format in NON_ACCREDITED_FORMATS:
        return _("Non-accredited, not for credit")
    return _("Not for credit")


def faculty_name(person) -> str:
    """A faculty member's public name. Never the e-mail address (User.display_name falls back
    to it)."""
    name = person.full_name or _("Name to be announced")
    return f"{name}, {person.credentials}" if person.credentials else name


def local_day(activity: Activity, moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(activity.tz).date() if moment else None


# --- loading ----------------------------------------------------------------------------------


def sessions_queryset(activity: Activity):
    """The activity's sessions with everything a program page shows, in three queries."""
    return (
        Session.objects.filter(activity=activity)
        .select_related("room", "track")
        .prefetch_related(
            Prefetch(
                "faculty",
                queryset=SessionFaculty.objects.select_related("person").order_by("order", "id"),
            ),
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
        )
        .order_by("start", "room__order", "room__name", "title")
    )


@dataclass
class Program:
    activity: Activity
    sessions: list[Session]
    rooms: list[Room]
    tracks: list[Track]

    @property
    def scheduled(self) -> list[Session]:
        return [s for s in self.sessions if s.start is not None]

    @property
    def unscheduled(self) -> list[Session]:
        return [s for s in self.sessions if s.start is None]

    def topics(self) -> list[Topic]:
        seen: dict[int, Topic] = {}
        for s in self.sessions:
            for t in s.topics.all():
                seen.setdefault(t.pk, t)
        return sorted(seen.values(), key=lambda t: t.name.lower())

    def formats(self) -> list[tuple[str, str]]:
        used = {s.format for s in self.sessions}
        return [(value, label) for value, label in SessionFormat.choices if value in used]


def with_activity(activity: Activity, sessions: Iterable[Session]) -> list[Session]:
    """The sessions, each told its activity, so that their URLs cost no query."""
    sessions = list(sessions)
    for s in sessions:
        s.activity = activity
    return sessions


def load_program(activity: Activity) -> Program:
    """Everything of the public program in five queries, whatever its size."""
    return Program(
        activity=activity,
        sessions=with_activity(activity, sessions_queryset(activity)),
        rooms=list(activity.rooms.all()),
        tracks=list(activity.tracks.all()),
    )


# --- filters and days -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    track: int | None = None
    format: str | None = None
    topic: str | None = None

    @property
    def active(self) -> bool:
        return any((self.track, self.format, self.topic))

    def key(self) -> str:
        return f"t={self.track or ''}&f={self.format or ''}&p={self.topic or ''}"

    def query(self) -> dict[str, str]:
        out = {"track": self.track, "format": self.format, "topic": self.topic}
        return {k: str(v) for k, v in out.items() if v}

    def matches(self, session: Session) -> bool:
        if self.track and session.track_id != self.track:
            return False
        if self.format and session.format != self.format:
            return False
        return not self.topic or any(t.slug == self.topic for t in session.topics.all())


def parse_filters(params) -> Filters:
    """Filters from a query string. Only the shape is checked, so that a cached page needs no
    query; an unknown track or topic simply matches nothing."""
    track = params.get("track") or ""
    fmt = params.get("format") or ""
    topic = params.get("topic") or ""
    return Filters(
        track=int(track) if track.isdigit() and len(track) < 12 else None,
        format=fmt if fmt in SessionFormat.values else None,
        topic=topic if _SLUG.match(topic) else None,
    )


def parse_day(activity: Activity, value: str | None) -> dt.date:
    """The requested day of the activity; its first day when absent or not one of its days."""
    days = activity.days
    if value:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
        if day in days:
            return day
    return days[0]


# --- the grid ---------------------------------------------------------------------------------


@dataclass
class Cell:
    session: Session | None = None
    rowspan: int = 1
    colspan: int = 1
    rooms: list[Room] = field(default_factory=list)
    spans_all: bool = False

    @property
    def room_label(self) -> str:
        if self.spans_all:
            return _("All rooms")
        return ", ".join(r.name for r in self.rooms)


@dataclass
class Row:
    time: dt.datetime
    cells: list[Cell]

    @property
    def has_start(self) -> bool:
        return any(c.session is not None for c in self.cells)


@dataclass
class DayGrid:
    day: dt.date
    rooms: list[Room]
    rows: list[Row]
    # Sessions of the day that have no place in the grid: no room, or overlapping another
    # session in their room (a double booking the staff pages warn about).
    unplaced: list[Session]

    @property
    def is_empty(self) -> bool:
        return not self.rows and not self.unplaced


def _same_slot(a: Session, b: Session) -> bool:
    return (a.title, a.format, a.start, a.end) == (b.title, b.format, b.start, b.end)


def build_grid(
    day: dt.date, sessions: list[Session], rooms: list[Room], *, all_rooms: bool = True
) -> DayGrid:
    """Lay one day's sessions out as rows (time) x columns (rooms), table-style.

    Rows start at every distinct start or end time, so a cell spans the rows its session
    lasts (rowspan). Breaks and meals without a room span every column when no room is busy
    then; the same break repeated in neighbouring rooms becomes one wide cell.
    Unless `all_rooms`, only rooms that have something this day become columns.
    """
    in_grid = [s for s in sessions if s.room_id is not None]
    spanning = [s for s in sessions if s.room_id is None and s.format in SPANNING_FORMATS]
    unplaced = [s for s in sessions if s.room_id is None and s.format not in SPANNING_FORMATS]
    if not all_rooms:
        used = {s.room_id for s in in_grid}
        rooms = [r for r in rooms if r.pk in used] or (rooms if spanning else [])
    column = {r.pk: i for i, r in enumerate(rooms)}
    in_grid_known = [s for s in in_grid if s.room_id in column]
    unplaced += [s for s in in_grid if s.room_id not in column]
    if not rooms:
        return DayGrid(day, [], [], sorted(unplaced + spanning, key=_order))

    times = sorted(
        {s.start for s in in_grid_known + spanning} | {s.end for s in in_grid_known + spanning}
    )
    index = {t: i for i, t in enumerate(times)}
    n_rows, n_cols = max(len(times) - 1, 0), len(rooms)
    # occupied[r][c] holds the origin (row, col) of the cell covering it
    occupied: list[list[tuple[int, int] | None]] = [[None] * n_cols for _ in range(n_rows)]
    origins: dict[tuple[int, int], Cell] = {}

    def free(r0: int, r1: int, c0: int, c1: int) -> bool:
        return all(occupied[r][c] is None for r in range(r0, r1) for c in range(c0, c1))

    def claim(r0: int, r1: int, c0: int, c1: int, origin: tuple[int, int]) -> None:
        for r in range(r0, r1):
            for c in range(c0, c1):
                occupied[r][c] = origin

    for s in sorted(in_grid_known, key=lambda s: (s.start, column[s.room_id], s.title)):
        r0, r1, c = index[s.start], index[s.end], column[s.room_id]
        if not free(r0, r1, c, c + 1):
            unplaced.append(s)
            continue
        left = occupied[r0][c - 1] if c else None
        neighbour = origins.get(left) if left else None
        if (
            neighbour is not None
            and neighbour.session.format in SPANNING_FORMATS | {SessionFormat.EXHIBIT}
            and _same_slot(neighbour.session, s)
            and left[1] + neighbour.colspan == c
        ):
            # The same break offered room by room: one wide cell reads better.
            neighbour.colspan += 1
            neighbour.rooms.append(rooms[c])
            neighbour.spans_all = neighbour.colspan == n_cols
            claim(r0, r1, c, c + 1, left)
            continue
        claim(r0, r1, c, c + 1, (r0, c))
        origins[(r0, c)] = Cell(s, r1 - r0, 1, [rooms[c]])

    # Sessions in rooms first: a break never pushes a talk out of the grid.
    for s in sorted(spanning, key=_order):
        r0, r1 = index[s.start], index[s.end]
        if free(r0, r1, 0, n_cols):
            claim(r0, r1, 0, n_cols, (r0, 0))
            origins[(r0, 0)] = Cell(s, r1 - r0, n_cols, list(rooms), spans_all=True)
        else:
            unplaced.append(s)

    rows = []
    for r in range(n_rows):
        cells = []
        for c in range(n_cols):
            if (r, c) in origins:
                cells.append(origins[(r, c)])
            elif occupied[r][c] is None:
                cells.append(Cell(rooms=[rooms[c]]))
        rows.append(Row(times[r], cells))
    return DayGrid(day, rooms, rows, sorted(unplaced, key=_order))


def _order(s: Session):
    return (s.start, s.room.order if s.room else -1, s.title)


def sessions_of_day(program: Program, day: dt.date, filters: Filters) -> list[Session]:
    tz = program.activity.tz
    return [
        s for s in program.scheduled if s.start.astimezone(tz).date() == day and filters.matches(s)
    ]


# --- cached renderings ------------------------------------------------------------------------


def schedule_fragment(activity: Activity, day: dt.date, filters: Filters) -> str:
    """The schedule of one day (tabs, filters, grid) as HTML, from the cache when possible."""

    def build() -> str:
        program = load_program(activity)
        grid = build_grid(
            day,
            sessions_of_day(program, day, filters),
            program.rooms,
            all_rooms=not filters.active,
        )
        unscheduled = [s for s in program.unscheduled if filters.matches(s)]
        path = reverse("public:schedule", args=[activity.provider.slug, activity.slug])
        query = filters.query()
        day_links = [(d, "?" + urlencode({"day": d.isoformat(), **query})) for d in activity.days]
        return render_fragment(
            activity,
            "public/_schedule_grid.html",
            {
                "grid": grid,
                "day_links": day_links,
                "day": day,
                "here": path + "?" + urlencode({"day": day.isoformat(), **query}),
                "clear_url": path + "?" + urlencode({"day": day.isoformat()}),
                "filters": filters,
                "filter_query": filters.query(),
                "tracks": program.tracks,
                "formats": program.formats(),
                "topics": program.topics(),
                "unscheduled": unscheduled,
            },
        )

    return cached(activity, "schedule", (day.isoformat(), filters.key()), build)


def session_fragment(activity: Activity, code: str) -> tuple[str, str] | None:
    """(title, HTML) of a session page's body, or None when the activity has no such session."""

    def build() -> tuple[str, str] | None:
        session = sessions_queryset(activity).filter(code=code).first()
        if session is None:
            return None
        session.activity = activity
        faculty = list(session.faculty.all())
        disclosures = []
        if session.credit_eligible and faculty:
            said = hooks.learner_disclosures(
                activity, f"session:{session.code}", [f.person_id for f in faculty]
            )
            disclosures = [said[f.person_id] for f in faculty if f.person_id in said]
        context = {"session": session, "faculty": faculty, "disclosures": disclosures}
        return session.title, render_fragment(activity, "public/_session_body.html", context)

    return cached(activity, "session", (code,), build)


def faculty_queryset(activity: Activity):
    """People with a faculty role in the activity, each with their sessions of it."""
    roles = (
        SessionFaculty.objects.filter(session__activity=activity)
        .select_related("session", "session__room")
        .order_by("session__start", "session__title")
    )
    return (
        get_user_model()
        .objects.filter(faculty_roles__session__activity=activity)
        .distinct()
        .prefetch_related(Prefetch("faculty_roles", queryset=roles, to_attr="activity_roles"))
        .order_by("last_name", "first_name", "pk")
    )


def faculty_list_fragment(activity: Activity) -> str:
    def build() -> str:
        people = list(faculty_queryset(activity))
        return render_fragment(activity, "public/_faculty_list.html", {"people": people})

    return cached(activity, "faculty", (), build)


def faculty_fragment(activity: Activity, pk: int) -> tuple[str, str] | None:
    """(name, HTML) of one faculty member's page, or None when not faculty of the activity."""

    def build() -> tuple[str, str] | None:
        person = faculty_queryset(activity).filter(pk=pk).first()
        if person is None:
            return None
        body = render_fragment(activity, "public/_faculty_body.html", {"person": person})
        return faculty_name(person), body

    return cached(activity, "person", (pk,), build)


def tracks_css(activity: Activity) -> str:
    """A stylesheet giving each track its colour: a strict CSP forbids style attributes."""

    lines = ["/* track colours of this activity */"]
    for track in activity.tracks.all():
        color = safe_hex_color(track.color)
        if color:
            lines.append(f".track-{track.pk} {{ --track-color: {color}; }}")
    return "\n".join(lines) + "\n"


# --- search and agenda ------------------------------------------------------------------------

SEARCH_LIMIT = 50


@dataclass
class SearchResults:
    query: str
    sessions: list[Session]
    people: list
    topics: list[tuple[Topic, list[Session]]]

    @property
    def count(self) -> int:
        return len(self.sessions) + len(self.people) + len(self.topics)


def search(activity: Activity, query: str) -> SearchResults:
    """Sessions (title, abstract, topic), faculty (name) and topics matching `query`, in a
    fixed number of queries."""
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return SearchResults(query, [], [], [])
    words = query.split()
    session_q = Q()
    for word in words:
        session_q &= (
            Q(title__icontains=word) | Q(abstract__icontains=word) | Q(topics__name__icontains=word)
        )
    session_ids = (
        Session.objects.filter(activity=activity).filter(session_q).values("pk").distinct()
    )
    sessions = list(sessions_queryset(activity).filter(pk__in=session_ids)[:SEARCH_LIMIT])

    person_q = Q()
    for word in words:
        person_q &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    people = list(faculty_queryset(activity).filter(person_q)[:SEARCH_LIMIT])

    topic_q = Q(name__icontains=query)
    topics = list(
        Topic.objects.filter(topic_q, sessions__activity=activity)
        .distinct()
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=Session.objects.filter(activity=activity)
                .select_related("room")
                .order_by("start", "title"),
                to_attr="activity_sessions",
            )
        )[:SEARCH_LIMIT]
    )
    return SearchResults(query, sessions, people, [(t, t.activity_sessions) for t in topics])


def agenda_sessions(activity: Activity, user) -> list[Session]:
    """The user's bookmarked sessions with their faculty, in three queries."""
    sessions = agenda(activity, user=user).prefetch_related(
        Prefetch(
            "faculty",
            queryset=SessionFaculty.objects.select_related("person").order_by("order", "id"),
        )
    )
    return with_activity(activity, sessions)


@dataclass
class AgendaDay:
    day: dt.date | None
    sessions: list[Session]


def agenda_days(activity: Activity, sessions: Iterable[Session]) -> list[AgendaDay]:
    """Bookmarked sessions grouped by local day; unscheduled ones last."""
    days: dict[dt.date | None, list[Session]] = {}
    for s in sorted(sessions, key=lambda s: (s.start is None, s.start or timezone.now())):
        days.setdefault(local_day(activity, s.start), []).append(s)
    return [AgendaDay(day, items) for day, items in days.items()]


def agenda_conflicts(sessions: Iterable[Session]) -> list[tuple[Session, Session]]:
    """Pairs of bookmarked sessions that overlap in time: a learner cannot attend both."""
    items = [(s.start, s.end, s) for s in sessions if s.start is not None]
    return [(a[2], b[2]) for a, b in overlaps(items)]


# --- the agenda feed's address ----------------------------------------------------------------

FEED_SALT = "cmeconf.activities.agenda-feed"


def agenda_feed_token(user, activity: Activity) -> str:
    """A signed token naming the user and the activity: calendar apps send no cookies."""
    return signing.Signer(salt=FEED_SALT).sign(f"{user.pk}-{activity.pk}")


def agenda_feed_user_id(token: str, activity: Activity) -> int | None:
    """The user id a feed token was made for, or None when it is forged or for another
    activity."""
    try:
        value = signing.Signer(salt=FEED_SALT).unsign(token)
    except signing.BadSignature:
        return None
    user_id, _sep, activity_id = value.partition("-")
    if not user_id.isdigit() or activity_id != str(activity.pk):
        return None
    return int(user_id)
