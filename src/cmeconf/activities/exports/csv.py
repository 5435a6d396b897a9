"""The program as a spreadsheet (CSV, UTF-8 with a byte-order mark so that Excel reads it)."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.utils.translation import gettext as _

from cmeconf.activities import schedule
from cmeconf.activities.models import Activity
from cmeconf.common.spreadsheet import safe_cell as _cell

CONTENT_TYPE = "text/csv; charset=utf-8"


def header() -> list[str]:
    return [
        _("code"),
        _("title"),
        _("format"),
        _("track"),
        _("room"),
        _("date"),
        _("start"),
        _("end"),
        _("minutes"),
        _("time zone"),
        _("eligible for credit"),
        _("credit note"),
        _("topics"),
        _("faculty"),
        _("abstract"),
        _("learning objectives"),
        _("url"),
    ]


def sessions_csv(activity: Activity) -> bytes:
    """One row per session, scheduled ones first in time order; times in the activity's zone
    with their UTC offset."""
    tz = activity.tz
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header())
    program = schedule.load_program(activity)
    for s in program.scheduled + program.unscheduled:
        start = s.start.astimezone(tz) if s.start else None
        end = s.end.astimezone(tz) if s.end else None
        row = [
            s.code,
            s.title,
            s.get_format_display(),
            s.track.name if s.track_id else "",
            s.room.name if s.room_id else "",
            start.date().isoformat() if start else "",
            start.isoformat(timespec="minutes") if start else "",
            end.isoformat(timespec="minutes") if end else "",
            s.minutes or "",
            activity.time_zone,
            _("yes") if s.credit_eligible else _("no"),
            schedule.credit_label(s),
            "; ".join(t.name for t in s.topics.all()),
            "; ".join(
                f"{schedule.faculty_name(f.person)} ({f.get_role_display()})"
                for f in s.faculty.all()
            ),
            s.abstract,
            "\n".join(s.objective_list),
            settings.SITE_URL + s.get_absolute_url(),
        ]
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()
