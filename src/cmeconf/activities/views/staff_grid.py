"""The schedule grid: one day, rooms across, 5-minute rows; drag and drop or a small form."""

from __future__ import annotations

import datetime as dt
import json
import math

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cmeconf.activities import rules
from cmeconf.activities.forms import MoveForm, add_service_errors
from cmeconf.activities.services import program
from cmeconf.activities.views.staff import _activity_context
from cmeconf.activities.views.staff_program import (
    _session,
    program_sessions,
    warnings_by_session,
)
from cmeconf.providers.access import staff_required
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission

SLOT = 5  # minutes per row: fine enough for 20-minute talks and 5-minute changeovers
DAY_START, DAY_END = 8 * 60, 18 * 60  # the grid shows at least 08:00-18:00
DEFAULT_MINUTES = 60  # length offered for an unscheduled session dropped into the grid
MAX_COLUMNS = 30  # staff.css has placement classes for this many columns
# A move gives only a start; what the services say about start or end concerns it.
MOVE_FIELD_MAP = {"start": "time", "end": "time"}


def _minutes(moment: dt.datetime) -> int:
    return moment.hour * 60 + moment.minute


def _chosen_day(request, activity) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = None
    return day if day in activity.days else activity.start_date


def _warning_json(warnings, codes: dict[int, str]) -> list[dict]:
    return [
        {
            "kind": w.kind,
            "message": w.message,
            "sessions": [codes[pk] for pk in w.session_ids if pk in codes],
        }
        for w in warnings
    ]


@staff_required(Permission.PROGRAM)
def grid(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    tz = activity.tz
    day = _chosen_day(request, activity)
    rooms = list(activity.rooms.all())
    all_sessions = program_sessions(activity)
    warnings = rules.schedule_warnings(activity, all_sessions)
    flagged = warnings_by_session(warnings)

    on_day = [s for s in all_sessions if s.start and s.start.astimezone(tz).date() == day]
    first = min([DAY_START, *(_minutes(s.start.astimezone(tz)) for s in on_day)])
    last = max([DAY_END, *(_end_minutes(s, tz) for s in on_day)])
    first = first // 60 * 60
    last = min(24 * 60, math.ceil(last / 60) * 60)
    rows = (last - first) // SLOT

    columns = [{"room": room, "col": i + 2} for i, room in enumerate(rooms)]
    if any(s.room_id is None for s in on_day):
        columns.append({"room": None, "col": len(columns) + 2})
    col_of = {c["room"].pk if c["room"] else None: c["col"] for c in columns}

    placed = []
    for s in on_day:
        start = _minutes(s.start.astimezone(tz))
        placed.append(
            {
                "session": s,
                "row": (start - first) // SLOT + 2,
                "span": max(1, min(rows, math.ceil((_end_minutes(s, tz) - start) / SLOT))),
                "col": col_of.get(s.room_id, 2),
                "warnings": flagged.get(s.pk, []),
            }
        )
    _assign_lanes(placed)
    slots = []
    for i in range(rows):
        minute = first + i * SLOT
        label = f"{minute // 60:02d}:{minute % 60:02d}"
        mark = "hour" if minute % 60 == 0 else "quarter" if minute % 15 == 0 else "minutes"
        for c in columns:
            slots.append(
                {"row": i + 2, "col": c["col"], "time": label, "room": c["room"], "mark": mark}
            )
    hours = [
        {"row": (minute - first) // SLOT + 2, "label": f"{minute // 60:02d}:00"}
        for minute in range(first, last, 60)
    ]
    return render(
        request,
        "staff/grid.html",
        _activity_context(request, activity, "grid")
        | {
            "day": day,
            "days": [{"day": d, "label": date_format(d, "D j M")} for d in activity.days],
            "columns": columns,
            "placed": placed,
            "slots": slots,
            "hours": hours,
            "unscheduled": [s for s in all_sessions if not s.is_scheduled],
            "elsewhere": sum(1 for s in all_sessions if s.is_scheduled) - len(on_day),
            "warnings": warnings,
            "too_many_rooms": len(columns) > MAX_COLUMNS - 1,
            "default_span": DEFAULT_MINUTES // SLOT,
            "default_minutes": DEFAULT_MINUTES,
        },
    )


MAX_LANES = 4  # staff.css has lane classes up to this many side by side


def _assign_lanes(placed: list[dict]) -> None:
    """Put overlapping sessions of one column side by side instead of on top of each other.

    Layout only: the double booking itself is reported by rules.schedule_warnings.
    staff-grid.js does the same after a move.
    """
    by_col: dict[int, list[dict]] = {}
    for item in placed:
        by_col.setdefault(item["col"], []).append(item)
    for items in by_col.values():
        items.sort(key=lambda i: (i["row"], -i["span"]))
        cluster: list[dict] = []
        cluster_end = 0
        lane_ends: list[int] = []
        for item in [*items, None]:
            if item is None or item["row"] >= cluster_end:
                for member in cluster:
                    member["lanes"] = min(len(lane_ends), MAX_LANES)
                if item is None:
                    break
                cluster, lane_ends, cluster_end = [], [], 0
            end = item["row"] + item["span"]
            free = next((n for n, e in enumerate(lane_ends) if e <= item["row"]), None)
            if free is None:
                lane_ends.append(end)
                free = len(lane_ends) - 1
            else:
                lane_ends[free] = end
            item["lane"] = min(free + 1, MAX_LANES)
            cluster.append(item)
            cluster_end = max(cluster_end, end)


def _end_minutes(session, tz) -> int:
    start, end = session.start.astimezone(tz), session.end.astimezone(tz)
    # A session running past midnight fills the day to its end.
    return _minutes(end) if end.date() == start.date() else 24 * 60


def _move(request, activity, session, form) -> None:
    """Apply a valid MoveForm through the program services; raises ValidationError."""
    room = form.cleaned_data["room"]
    if session.is_scheduled:
        program.move_session(
            session, by=request.user, start=form.start, room=room, reason=form.reason
        )
    else:
        start = form.start
        end = start + dt.timedelta(minutes=form.cleaned_data["minutes"])
        program.update_session(
            session, by=request.user, start=start, end=end, room=room, reason=form.reason
        )


@require_POST
@staff_required(Permission.PROGRAM)
def grid_move(request: HttpRequest, provider: Provider, activity) -> JsonResponse:
    """JSON in: {session, day, time, room, minutes?, reason?}; out: the new place and warnings.

    Once the activity is approved a move is an amendment and needs the reason.
    """
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return JsonResponse(
            {"ok": False, "errors": {"__all__": [_("Send a JSON object.")]}}, status=400
        )
    session = _session(activity, str(payload.get("session", "")))
    data = {
        key: "" if payload.get(key) is None else str(payload.get(key))
        for key in ("day", "time", "room", "minutes", "reason")
    }
    form = MoveForm(data, activity=activity, session=session)
    if form.is_valid():
        try:
            _move(request, activity, session, form)
        except ValidationError as exc:
            session.refresh_from_db()
            add_service_errors(form, exc, MOVE_FIELD_MAP)
    if form.errors:
        return JsonResponse({"ok": False, "errors": form.errors.get_json_data()}, status=400)
    all_sessions = program_sessions(activity)
    codes = {s.pk: s.code for s in all_sessions}
    tz = activity.tz
    session.refresh_from_db()
    return JsonResponse(
        {
            "ok": True,
            "session": {
                "code": session.code,
                "room": session.room_id,
                "day": session.start.astimezone(tz).date().isoformat(),
                "start": time_format(session.start.astimezone(tz), "H:i"),
                "end": time_format(session.end.astimezone(tz), "H:i"),
                "minutes": session.minutes,
            },
            "warnings": _warning_json(rules.schedule_warnings(activity, all_sessions), codes),
            "message": _("“%(title)s” moved.") % {"title": session.title},
        }
    )


@staff_required(Permission.PROGRAM)
def grid_move_form(request: HttpRequest, provider: Provider, activity, code: str) -> HttpResponse:
    """The keyboard and no-JavaScript way to place a session: day, time and room."""
    session = _session(activity, code)
    initial = {"room": session.room_id, "minutes": DEFAULT_MINUTES}
    if session.start:
        local = session.start.astimezone(activity.tz)
        initial |= {"day": local.date(), "time": local.time()}
    else:
        initial["day"] = _chosen_day(request, activity)
    form = MoveForm(request.POST or None, activity=activity, session=session, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _move(request, activity, session, form)
        except ValidationError as exc:
            session.refresh_from_db()
            add_service_errors(form, exc, MOVE_FIELD_MAP)
        else:
            messages.success(request, _("“%(title)s” moved.") % {"title": session.title})
            day = form.cleaned_data["day"].isoformat()
            return redirect(f"{_grid_url(provider, activity)}?day={day}#session-{session.code}")
    return render(
        request,
        "staff/grid_move.html",
        _activity_context(request, activity, "grid") | {"form": form, "session": session},
        status=400 if form.errors else 200,
    )


def _grid_url(provider, activity) -> str:
    return reverse("staff:grid", args=[provider.slug, activity.slug])
