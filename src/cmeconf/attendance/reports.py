"""Readers for participant reports exported from Zoom and Microsoft Teams.

Each reader takes the file's bytes and returns one `ReportRow` per stretch of
presence (join to leave), or raises `ReportError` naming every problem it
found, so that staff can fix the file and nothing half-read is imported.

Formats read (see docs/users/attendance.md):
- Zoom meeting "participants" export, with or without the meeting details
  block at the top; old headers ("Name (Original Name)", "User Email",
  "Join Time", "Leave Time", "Duration (Minutes)", "Guest") and newer ones
  ("Name (original name)", "Email", "Join time", ...).
- Zoom webinar attendee report: a header block, then "Host Details",
  "Panelist Details", "Attendee Details" tables; rows with Attended "No" are
  skipped.
- Microsoft Teams attendance report with the sections "1. Summary",
  "2. Participants", "3. In-Meeting Activities" (tab-separated UTF-16, or
  comma- or tab-separated UTF-8). Only section 3 is read: it has one row per
  join and leave, where section 2 spans first join to last leave and would
  count the time a learner was away.

Reports carry local times without a time zone: Zoom uses the account's time
zone, Teams the time zone of the person who downloaded the report. The caller
gives that zone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import NamedTuple


class ReportRow(NamedTuple):
    email: str
    name: str
    join: dt.datetime
    leave: dt.datetime
    line: int


class ReportError(ValueError):
    """A report that cannot be read; `problems` lists each, with its line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def decode(content: bytes) -> str:
    """The file's text: UTF-16 (Teams) or UTF-8, with or without a byte-order mark."""
    if not content.strip():
        raise ReportError(["The file is empty."])
    try:
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            return content.decode("utf-16")
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReportError(
            [
                "The file is not UTF-8 or UTF-16 text. Upload the file as exported; "
                "if it was opened and saved in a spreadsheet, save it as “CSV UTF-8”."
            ]
        ) from None


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, stripped cells) for every row; blank rows give []."""
    delimiter = "\t" if "\t" in text else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for cells in reader:
            cleaned = [c.strip() for c in cells]
            yield reader.line_num, cleaned if any(cleaned) else []
    except csv.Error as exc:
        raise ReportError([f"Line {reader.line_num}: the file is not valid CSV ({exc})."]) from None


def _key(cell: str) -> str:
    return " ".join(cell.lower().split())


def _column(header: list[str], *names: str) -> int | None:
    keys = [_key(c) for c in header]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _aware(naive: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return naive.replace(tzinfo=tz)


_TEAMS_SECTION = re.compile(r"^[123]\.\s*(summary|participants|in-meeting activit)")

# ---------------------------------------------------------------- Zoom

ZOOM_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y %H:%M:%S",
    "%b %d, %Y %H:%M",
)


# Titles of the tables of a webinar report: "Host Details", "Panelist Details",
# "Attendee Details", "Other Attended".
_ZOOM_SECTION = re.compile(r"details:?$|^other attended")


def _zoom_time(value: str) -> dt.datetime | None:
    for fmt in ZOOM_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def parse_zoom(content: bytes, tz: dt.tzinfo) -> list[ReportRow]:
    """Rows of a Zoom meeting participants export or webinar attendee report."""
    text = decode(content)
    rows: list[ReportRow] = []
    problems: list[str] = []
    header_seen = False
    cols: dict[str, int | None] | None = None
    for line, cells in _rows(text):
        if not cells:
            continue
        keys = [_key(c) for c in cells]
        if _TEAMS_SECTION.match(keys[0]):
            raise ReportError(
                ["This is a Microsoft Teams attendance report; import it as a Teams report."]
            )
        if "join time" in keys or "leave time" in keys:
            header_seen = True
            missing = [label for label in ("Join Time", "Leave Time") if label.lower() not in keys]
            if missing:
                problems.append(
                    f"Line {line}: the participant table has no column {', '.join(missing)}."
                )
                cols = None
                continue
            cols = {
                "name": _column(cells, "name (original name)", "user name (original name)", "name"),
                "email": _column(cells, "user email", "email"),
                "join": _column(cells, "join time"),
                "leave": _column(cells, "leave time"),
                "attended": _column(cells, "attended"),
            }
            if cols["email"] is None:
                problems.append(
                    f"Line {line}: the participant table has no “User Email” or “Email” column."
                )
                cols = None
            continue
        if sum(1 for c in cells if c) == 1 and _ZOOM_SECTION.search(keys[0]):
            # A section title of the webinar report ("Attendee Details"):
            # its own header row follows.
            cols = None
            continue
        if cols is None:
            continue  # the meeting or webinar details above the tables
        if _cell(cells, cols["attended"]).lower() == "no":
            continue  # registered, never joined
        row = _row(cells, cols, line, tz, _zoom_time, "MM/DD/YYYY hh:mm:ss AM/PM", problems)
        if row is not None:
            rows.append(row)
    if not header_seen:
        problems.insert(
            0,
            "This is not a Zoom participant report: no table with the columns "
            "“Name (Original Name)”, “User Email”, “Join Time” and “Leave Time” was found.",
        )
    if problems:
        raise ReportError(problems)
    return rows


def _row(cells, cols, line, tz, parse, expected, problems) -> ReportRow | None:
    join_text, leave_text = _cell(cells, cols["join"]), _cell(cells, cols["leave"])
    join, leave = parse(join_text), parse(leave_text)
    ok = True
    for label, text, value in (("join", join_text, join), ("leave", leave_text, leave)):
        if not text:
            problems.append(f"Line {line}: the {label} time is missing.")
            ok = False
        elif value is None:
            problems.append(f"Line {line}: {label} time “{text}” is not a date ({expected}).")
            ok = False
    if not ok:
        return None
    if leave < join:
        problems.append(f"Line {line}: leave time {leave_text} is before join time {join_text}.")
        return None
    return ReportRow(
        email=_cell(cells, cols["email"]).lower(),
        name=_cell(cells, cols["name"]),
        join=_aware(join, tz),
        leave=_aware(leave, tz),
        line=line,
    )


# ---------------------------------------------------------------- Teams

_TEAMS_TIME = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$"
)
_SECTION_3 = re.compile(r"^3\.\s*in-meeting activit")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")


def _teams_parts(value: str):
    if _ISO_TIME.match(value):
        return ("iso", value)
    match = _TEAMS_TIME.match(value)
    if not match:
        return None
    first, second, year, hour, minute, second_s, ampm = match.groups()
    return (int(first), int(second), int(year), int(hour), int(minute), int(second_s or 0), ampm)


def _teams_day_first(parts: list, near: dt.date | None) -> bool:
    """Teams writes dates in the downloader's locale: 7/20/23 or 20/7/23.

    Decided for the whole file: a first number above 12 means day first, a
    second one above 12 month first; when every date could be either, the
    reading closer to the session's date wins, and without one, month first.
    """
    numeric = [p for p in parts if p and p[0] != "iso"]
    if any(p[0] > 12 for p in numeric):
        return True
    if any(p[1] > 12 for p in numeric) or not numeric or near is None:
        return False
    first = numeric[0]
    year = first[2] + 2000 if first[2] < 100 else first[2]
    try:
        as_dmy = abs((dt.date(year, first[1], first[0]) - near).days)
        as_mdy = abs((dt.date(year, first[0], first[1]) - near).days)
    except ValueError:
        return False
    return as_dmy < as_mdy


def _teams_time(parts, day_first: bool) -> dt.datetime | None:
    if parts is None:
        return None
    if parts[0] == "iso":
        return dt.datetime.fromisoformat(parts[1])
    first, second, year, hour, minute, seconds, ampm = parts
    day, month = (first, second) if day_first else (second, first)
    if year < 100:
        year += 2000
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    try:
        return dt.datetime(year, month, day, hour, minute, seconds)
    except ValueError:
        return None


def parse_teams(content: bytes, tz: dt.tzinfo, *, near: dt.date | None = None) -> list[ReportRow]:
    """Rows of section 3 ("In-Meeting Activities") of a Teams attendance report.

    `near` is the session's date, used only to read dates such as 4/5/27 that
    could be either day or month first.
    """
    text = decode(content)
    lines = list(_rows(text))
    keys = [_key(cells[0]) if cells else "" for _, cells in lines]
    row_keys = [{_key(c) for c in cells} for _, cells in lines]
    if any({"full name", "user action", "timestamp"} <= cells for cells in row_keys):
        raise ReportError(
            [
                "This is the older Teams attendance list (Full Name, User Action, Timestamp). "
                "It has no e-mail addresses, so nobody can be matched. Download the "
                "attendance report from the meeting's Attendance tab instead."
            ]
        )
    section = next((i for i, k in enumerate(keys) if _SECTION_3.match(k)), None)
    if section is None:
        if any(re.match(r"^2\.\s*participants", k) for k in keys):
            raise ReportError(
                [
                    "The report has no “3. In-Meeting Activities” section, which holds each "
                    "join and leave. Download the full attendance report from Teams."
                ]
            )
        if any({"join time", "leave time"} <= keys for keys in row_keys):
            raise ReportError(["This is a Zoom participant report; import it as a Zoom report."])
        raise ReportError(
            [
                "This is not a Teams attendance report: the sections “1. Summary”, "
                "“2. Participants” and “3. In-Meeting Activities” were not found."
            ]
        )
    problems: list[str] = []
    header_at = next((i for i in range(section + 1, len(lines)) if lines[i][1]), None)
    if header_at is None:
        raise ReportError(["The “3. In-Meeting Activities” section is empty."])
    header_line, header = lines[header_at]
    cols = {
        "name": _column(header, "name", "full name"),
        "email": _column(header, "email"),
        "upn": _column(header, "participant id (upn)"),
        "join": _column(header, "join time"),
        "leave": _column(header, "leave time"),
    }
    missing = [
        label
        for label, key in (("Email", "email"), ("Join Time", "join"), ("Leave Time", "leave"))
        if cols[key] is None
    ]
    if missing:
        raise ReportError(
            [
                f"Line {header_line}: the In-Meeting Activities table has no column "
                f"{', '.join(missing)}."
            ]
        )
    data = []
    for line, cells in lines[header_at + 1 :]:
        if not cells:
            continue
        if re.match(r"^\d+\.\s", cells[0]) and sum(1 for c in cells if c) == 1:
            break  # the next numbered section
        data.append((line, cells))
    day_first = _teams_day_first(
        [_teams_parts(_cell(cells, cols[key])) for _, cells in data for key in ("join", "leave")],
        near,
    )

    def parse(value: str) -> dt.datetime | None:
        return _teams_time(_teams_parts(value), day_first)

    rows: list[ReportRow] = []
    for line, cells in data:
        row = _row(cells, cols, line, tz, parse, "for example 4/14/27, 9:05:00 AM", problems)
        if row is None:
            continue
        upn = _cell(cells, cols["upn"])
        if not row.email and "@" in upn:
            # Guests and some accounts have the address only as their UPN.
            row = row._replace(email=upn.lower())
        rows.append(row)
    if problems:
        raise ReportError(problems)
    return rows
