"""The program in the frab / C3VOC schedule format (schedule.xml and schedule.json).

This is what pretalx and frab export and what conference apps (Giggity, EventFahrplan,
the C3VOC tools) read. Both files are built from one structure, so they always agree.
Identifiers are stable: event guids are UUIDv5 of the session's public URL, room and person
guids UUIDv5 of theirs; no e-mail address is ever used, not even hashed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
import xml.etree.ElementTree as ET
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

import cmeconf
from cmeconf.activities import schedule
from cmeconf.activities.models import Activity, Session

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
TIMESLOT = "00:05"
PRIMARY_COLOR = "#1d4f91"
_CODE = re.compile(r"^[0-9A-Z]{6}$")
# Characters XML 1.0 cannot carry at all, not even escaped (most C0 controls).
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _guid(url: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, url))


def _hhmm(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def acronym(activity: Activity) -> str:
    """The activity's slug in the shape the format wants: [a-z0-9_], four characters or more."""
    value = re.sub(r"[^a-z0-9_]", "_", activity.slug.lower())
    return value if len(value) >= 4 else f"{value}_cme"


def _slug(value: str, fallback: str) -> str:
    value = slugify(value)[:40].strip("-_")
    return value or fallback


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _no_room_name(activity: Activity) -> str:
    # Frab files group events by room; sessions without one (plenary breaks, online-only
    # talks) go under the venue's name.
    return activity.venue_name or _("Online")


def _person(activity: Activity, link) -> dict[str, Any]:
    person = link.person
    url = _url(reverse("public:faculty", args=[activity.provider.slug, activity.slug, person.pk]))
    # pretalx-style person: "name" (not "public_name" with "id", the frab variant).
    return {
        "name": schedule.faculty_name(person),
        "guid": _guid(url),
        "url": url,
        "biography": person.bio or None,
        "role": link.get_role_display(),
    }


def _description(session: Session) -> str:
    parts = []
    objectives = session.objective_list
    if objectives:
        parts.append(_("Learning objectives:") + "\n" + "\n".join(f"- {o}" for o in objectives))
    parts.append(schedule.credit_label(session) or _("Eligible for credit"))
    return "\n\n".join(parts)


def _event(activity: Activity, session: Session, room_name: str, acr: str) -> dict[str, Any]:
    tz = activity.tz
    start = session.start.astimezone(tz)
    end = session.end.astimezone(tz)
    url = _url(session.get_absolute_url())
    return {
        "guid": _guid(url),
        "code": session.code,
        "id": session.pk,
        "logo": "",
        "date": _iso(start),
        "start": start.strftime("%H:%M"),
        "end": _iso(end),
        "duration": _hhmm(end - start),
        "room": room_name,
        "slug": f"{acr}-{session.code.lower()}-{_slug(session.title, 'session')}",
        "url": url,
        "title": session.title,
        "subtitle": "",
        "track": session.track.name if session.track_id else None,
        "type": session.get_format_display(),
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "abstract": session.abstract,
        "description": _description(session),
        "do_not_record": None,
        "persons": [_person(activity, link) for link in session.faculty.all()],
        "links": [],
        "attachments": [],
    }


def schedule_data(activity: Activity) -> dict[str, Any]:
    """The whole program as the schedule.json structure."""
    program = schedule.load_program(activity)
    tz = activity.tz
    acr = acronym(activity)
    home = _url(activity.get_absolute_url())
    no_room = _no_room_name(activity)
    room_names = [r.name for r in program.rooms]
    rooms = [
        {
            "name": r.name,
            "guid": _guid(f"{home}rooms/{r.pk}"),
            "description": r.description or None,
            "capacity": r.capacity,
        }
        for r in program.rooms
    ]
    if any(s.room_id is None for s in program.scheduled):
        rooms.append({"name": no_room, "guid": _guid(f"{home}rooms/none"), "capacity": None})
        room_names.append(no_room)

    days = []
    by_day: dict[dt.date, list[Session]] = {}
    for s in program.scheduled:
        by_day.setdefault(s.start.astimezone(tz).date(), []).append(s)
    all_days = sorted(set(activity.days) | set(by_day))
    for index, day in enumerate(all_days, start=1):
        day_rooms: dict[str, list] = {name: [] for name in room_names}
        for s in by_day.get(day, []):
            name = s.room.name if s.room_id else no_room
            day_rooms[name].append(_event(activity, s, name, acr))
        start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(day, dt.time(23, 59), tzinfo=tz)
        days.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": _iso(start),
                "day_end": _iso(end),
                "rooms": day_rooms,
            }
        )

    tracks = []
    for t in program.tracks:
        track = {"name": t.name, "slug": _slug(t.name, "track") + f"-{t.pk}"}
        color = schedule.safe_hex_color(t.color)
        if color:
            track["color"] = color
        tracks.append(track)

    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": "cmeconf", "version": cmeconf.__version__},
        "schedule": {
            "url": _url(
                reverse("public:schedule_json", args=[activity.provider.slug, activity.slug])
            ),
            "version": str(activity.program_version),
            "base_url": home,
            "conference": {
                "acronym": acr,
                "title": activity.title,
                "description": activity.description,
                "start": activity.start_date.isoformat(),
                "end": activity.end_date.isoformat(),
                "daysCount": len(all_days),
                "timeslot_duration": TIMESLOT,
                "time_zone_name": activity.time_zone,
                "url": home,
                "colors": {"primary": PRIMARY_COLOR},
                "tracks": tracks,
                "rooms": rooms,
                "days": days,
            },
        },
    }


def schedule_json(activity: Activity) -> bytes:
    return json.dumps(schedule_data(activity), ensure_ascii=False, indent=1).encode()


def _sub(parent: ET.Element, tag: str, text: object = None, **attrs: object) -> ET.Element:
    clean = {k: _NOT_XML.sub("", str(v)) for k, v in attrs.items() if v is not None}
    element = ET.SubElement(parent, tag, clean)
    if text is not None:
        element.text = _NOT_XML.sub("", str(text))
    return element


def schedule_xml(activity: Activity) -> bytes:
    """The same program as schedule.xml."""
    data = schedule_data(activity)
    sched, conf = data["schedule"], data["schedule"]["conference"]
    root = ET.Element("schedule")
    _sub(root, "generator", name="cmeconf", version=cmeconf.__version__)
    args = [activity.provider.slug, activity.slug]
    _sub(root, "url", _url(reverse("public:schedule_xml", args=args)))
    _sub(root, "version", sched["version"])
    c = _sub(root, "conference")
    _sub(c, "title", conf["title"])
    _sub(c, "acronym", conf["acronym"])
    _sub(c, "start", conf["start"])
    _sub(c, "end", conf["end"])
    _sub(c, "days", conf["daysCount"])
    _sub(c, "timeslot_duration", conf["timeslot_duration"])
    _sub(c, "base_url", sched["base_url"])
    _sub(c, "url", conf["url"])
    _sub(c, "time_zone_name", conf["time_zone_name"])
    _sub(c, "color", primary=PRIMARY_COLOR)
    for t in conf["tracks"]:
        _sub(c, "track", name=t["name"], slug=t["slug"], color=t.get("color"))
    guids = {r["name"]: r["guid"] for r in conf["rooms"]}
    for day in conf["days"]:
        d = _sub(root, "day", index=day["index"], date=day["date"], start=day["day_start"],
                 end=day["day_end"])  # fmt: skip
        for room_name, events in day["rooms"].items():
            r = _sub(d, "room", name=room_name, guid=guids[room_name])
            for ev in events:
                e = _sub(
                    r,
                    "event",
                    id=ev["id"],
                    guid=ev["guid"],
                    code=ev["code"] if _CODE.match(ev["code"]) else None,
                )
                for tag in ("room", "title", "subtitle", "type", "date", "start", "duration"):
                    _sub(e, tag, ev[tag])
                _sub(e, "abstract", ev["abstract"])
                _sub(e, "slug", ev["slug"])
                _sub(e, "track", ev["track"] or "")
                persons = _sub(e, "persons")
                for p in ev["persons"]:
                    _sub(persons, "person", p["name"], guid=p["guid"])
                _sub(e, "language", ev["language"])
                _sub(e, "description", ev["description"])
                _sub(e, "links")
                _sub(e, "url", ev["url"])
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
