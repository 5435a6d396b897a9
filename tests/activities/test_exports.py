"""Program exports: iCalendar, frab schedule.xml/schedule.json, CSV. Checked against the
published schemas and an independent iCalendar parser, not against our own code."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse
from ical.calendar_stream import IcsCalendarStream
from lxml import etree

from cmeconf.activities.choices import SessionFormat
from cmeconf.activities.models import Activity
from cmeconf.activities.services import program as services
from tests.activities.public_program import build_program
from tests.factories import ActivityFactory, at

pytestmark = pytest.mark.django_db

FORMATS = Path(__file__).resolve().parent.parent / "formats" / "frab-schedule"

# The activity is published: each change is an amendment and needs a reason.
REASON = "Program change after publication"


@pytest.fixture(scope="module")
def xml_schema():
    return etree.XMLSchema(etree.parse(str(FORMATS / "schedule.xml.xsd")))


@pytest.fixture(scope="module")
def json_validator():
    schema = json.loads((FORMATS / "schedule.json.schema.json").read_text())
    jsonschema.Draft6Validator.check_schema(schema)
    return jsonschema.Draft6Validator(
        schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER
    )


@pytest.fixture
def program(activity, admin_user):
    return build_program(activity, by=admin_user)


def url(name: str, activity, *args) -> str:
    return reverse(f"public:{name}", args=[activity.provider.slug, activity.slug, *args])


def _errors(validator, document) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]


# --- frab JSON --------------------------------------------------------------------------------


def test_the_validator_accepts_a_real_pretalx_export(json_validator):
    real = json.loads((FORMATS / "pretalx-democon.json").read_text())
    assert _errors(json_validator, real) == []


def test_schedule_json_is_valid_and_complete(client, program, json_validator):
    a = program.activity
    response = client.get(url("schedule_json", a))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = response.json()
    assert _errors(json_validator, data) == []
    conf = data["schedule"]["conference"]
    assert data["schedule"]["version"] == str(Activity.objects.get(pk=a.pk).program_version)
    assert conf["acronym"] == "annual_2027"
    assert conf["title"] == "Annual Meeting 2027"
    assert (conf["start"], conf["end"], conf["daysCount"]) == ("2027-04-14", "2027-04-16", 3)
    assert conf["time_zone_name"] == "America/New_York"
    assert [r["name"] for r in conf["rooms"]] == ["Hall A", "Hall B", "Convention Center"]
    assert {t["name"]: t["color"] for t in conf["tracks"]} == {
        "Cardiology": "#b91c1c",
        "Endocrinology": "#0f766e",
    }
    day1 = conf["days"][0]
    assert (day1["index"], day1["date"]) == (1, "2027-04-14")
    assert day1["day_start"] == "2027-04-14T00:00:00-04:00"
    lecture = day1["rooms"]["Hall A"][0]
    assert lecture["title"] == "Heart Failure with Preserved Ejection Fraction"
    assert lecture["code"] == program.lecture.code
    assert lecture["date"] == "2027-04-14T09:00:00-04:00"
    assert (lecture["start"], lecture["duration"]) == ("09:00", "01:00")
    assert lecture["end"] == "2027-04-14T10:00:00-04:00"
    assert lecture["track"] == "Cardiology"
    assert lecture["type"] == "Lecture"
    assert lecture["url"] == "http://127.0.0.1:8000" + url("session", a, program.lecture.code)
    assert [p["name"] for p in lecture["persons"]] == ["Ada Okafor, MD, FACC", "Ben Lindqvist, DO"]
    assert lecture["persons"][0]["biography"].startswith("Interventional cardiologist")
    assert "Recognise HFpEF early" in lecture["description"]
    # a break without a room sits under the venue
    assert [e["title"] for e in day1["rooms"]["Convention Center"]] == [
        "Coffee Break",
        "Online Journal Club",
    ]
    industry = day1["rooms"]["Hall A"][1]
    assert "Non-accredited, not for credit" in industry["description"]
    # unscheduled sessions cannot be in a timetable
    assert "Late-breaking Trials" not in response.content.decode()
    assert conf["days"][1]["rooms"]["Hall B"][0]["title"] == "Thyroid Nodules in Practice"
    assert "hospital.example" not in response.content.decode()


def test_event_identifiers_are_stable_across_changes(client, program, admin_user):
    a = program.activity
    before = client.get(url("schedule_json", a)).json()
    services.update_session(program.lecture, by=admin_user, reason=REASON, title="HFpEF, Revisited")
    after = client.get(url("schedule_json", a)).json()
    b = before["schedule"]["conference"]["days"][0]["rooms"]["Hall A"][0]
    c = after["schedule"]["conference"]["days"][0]["rooms"]["Hall A"][0]
    assert c["title"] == "HFpEF, Revisited"
    assert (b["guid"], b["id"], b["code"]) == (c["guid"], c["id"], c["code"])
    assert int(after["schedule"]["version"]) > int(before["schedule"]["version"])


def test_short_slugs_still_make_a_valid_acronym(client, provider, json_validator, xml_schema):
    a = ActivityFactory(provider=provider, slug="gr")
    data = client.get(url("schedule_json", a)).json()
    assert data["schedule"]["conference"]["acronym"] == "gr_cme"
    assert _errors(json_validator, data) == []
    xml = etree.fromstring(client.get(url("schedule_xml", a)).content)
    assert xml_schema.validate(xml), xml_schema.error_log


# --- frab XML ---------------------------------------------------------------------------------


def test_schedule_xml_is_valid_and_matches_the_json(client, program, xml_schema):
    a = program.activity
    response = client.get(url("schedule_xml", a))
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    doc = etree.fromstring(response.content)
    assert xml_schema.validate(doc), xml_schema.error_log
    assert doc.findtext("url") == "http://127.0.0.1:8000" + url("schedule_xml", a)
    assert doc.findtext("conference/title") == "Annual Meeting 2027"
    assert doc.findtext("conference/time_zone_name") == "America/New_York"
    assert [d.get("date") for d in doc.findall("day")] == ["2027-04-14", "2027-04-15", "2027-04-16"]
    event = doc.find("day[@index='1']/room[@name='Hall A']/event")
    assert event.get("code") == program.lecture.code
    assert event.findtext("title") == "Heart Failure with Preserved Ejection Fraction"
    assert event.findtext("date") == "2027-04-14T09:00:00-04:00"
    assert event.findtext("duration") == "01:00"
    assert [p.text for p in event.findall("persons/person")] == [
        "Ada Okafor, MD, FACC",
        "Ben Lindqvist, DO",
    ]
    data = client.get(url("schedule_json", a)).json()
    json_event = data["schedule"]["conference"]["days"][0]["rooms"]["Hall A"][0]
    assert event.get("guid") == json_event["guid"]


def test_awkward_text_stays_valid_xml_and_json(client, activity, admin_user, xml_schema,
                                               json_validator):  # fmt: skip
    room = services.create_room(activity, by=admin_user, reason=REASON, name='Room <1> & "2"')
    services.create_track(activity, by=admin_user, reason=REASON, name="Q&A", color="#abc")
    services.create_session(
        activity,
        by=admin_user,
        reason=REASON,
        title='=HYPERLINK("x") & <b>bold</b> \u00e9\u00e8 \U0001f9e0',
        format=SessionFormat.LECTURE,
        abstract="Line one\nLine two \x7f \x0b\x01 end",
        room=room,
        start=at(activity.start_date, 9),
        end=at(activity.start_date, 9, 20),
    )
    doc = etree.fromstring(client.get(url("schedule_xml", activity)).content)
    assert xml_schema.validate(doc), xml_schema.error_log
    assert doc.find("conference/track").get("color") == "#aabbcc"
    assert doc.findtext(".//event/title").startswith("=HYPERLINK")
    assert doc.findtext(".//event/abstract") == "Line one\nLine two \x7f  end"
    data = client.get(url("schedule_json", activity)).json()
    assert _errors(json_validator, data) == []


# --- iCalendar --------------------------------------------------------------------------------


def _parse_ics(body: bytes):
    text = body.decode()
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")  # CRLF only
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded
    return IcsCalendarStream.calendar_from_ics(text)


def test_schedule_ics_is_valid_and_in_local_time(client, program):
    a = program.activity
    response = client.get(url("schedule_ics", a))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="annual-2027.ics"' in response["Content-Disposition"]
    calendar = _parse_ics(response.content)
    titles = sorted(e.summary for e in calendar.events)
    assert titles == sorted(
        [
            "Heart Failure with Preserved Ejection Fraction",
            "Insulin Pump Workshop",
            "Coffee Break",
            "Sponsored Lunch: A New Statin",
            "Online Journal Club",
            "Thyroid Nodules in Practice",
        ]
    )
    lecture = next(e for e in calendar.events if e.summary.startswith("Heart Failure"))
    assert lecture.dtstart.isoformat() == "2027-04-14T09:00:00-04:00"
    assert lecture.dtend.isoformat() == "2027-04-14T10:00:00-04:00"
    assert lecture.uid == f"session-{program.lecture.code}@127.0.0.1"
    assert lecture.location == "Hall A, Convention Center"
    assert "Ada Okafor, MD, FACC (Speaker)" in lecture.description
    assert lecture.dtstamp is not None
    body = response.content.decode()
    assert "DTSTART;TZID=America/New_York:20270414T090000" in body
    assert "BEGIN:VTIMEZONE" in body and "TZID:America/New_York" in body
    industry = next(e for e in calendar.events if e.summary.startswith("Sponsored"))
    assert "Non-accredited, not for credit" in industry.description


def test_session_ics_has_one_event(client, program):
    a, s = program.activity, program.workshop
    response = client.get(url("session_ics", a, s.code))
    calendar = _parse_ics(response.content)
    assert [e.summary for e in calendar.events] == ["Insulin Pump Workshop"]
    assert calendar.events[0].dtend.isoformat() == "2027-04-14T10:30:00-04:00"
    assert client.get(url("session_ics", a, program.unscheduled.code)).status_code == 404
    assert client.get(url("session_ics", a, "NOPE42")).status_code == 404


def test_agenda_ics_is_valid(client, program, learner):
    from cmeconf.activities import schedule
    from cmeconf.activities.services import agenda

    agenda.bookmark(program.lecture, user=learner)
    agenda.bookmark(program.unscheduled, user=learner)
    token = schedule.agenda_feed_token(learner, program.activity)
    calendar = _parse_ics(client.get(url("agenda_ics", program.activity, token)).content)
    assert [e.summary for e in calendar.events] == [program.lecture.title]


# --- CSV --------------------------------------------------------------------------------------


def test_sessions_csv_has_a_row_per_session(client, program):
    a = program.activity
    response = client.get(url("sessions_csv", a))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 7
    lecture = rows[0]
    assert lecture["code"] == program.lecture.code
    assert lecture["title"] == "Heart Failure with Preserved Ejection Fraction"
    assert lecture["start"] == "2027-04-14T09:00-04:00"
    assert lecture["minutes"] == "60"
    assert lecture["room"] == "Hall A"
    assert lecture["eligible for credit"] == "yes"
    assert lecture["topics"] == "Pain management and opioid prescribing"
    assert lecture["faculty"] == "Ada Okafor, MD, FACC (Speaker); Ben Lindqvist, DO (Moderator)"
    assert (
        lecture["learning objectives"] == "Recognise HFpEF early\nChoose guideline-directed therapy"
    )
    assert rows[-1]["title"] == "Late-breaking Trials" and rows[-1]["start"] == ""
    industry = next(r for r in rows if r["title"].startswith("Sponsored"))
    assert (industry["eligible for credit"], industry["credit note"]) == (
        "no",
        "Non-accredited, not for credit",
    )


def test_csv_defuses_spreadsheet_formulas(client, activity, admin_user):
    services.create_session(
        activity,
        by=admin_user,
        reason=REASON,
        title='=HYPERLINK("https://evil.example")',
        format="lecture",
    )
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(url("sessions_csv", activity)).content.decode("utf-8-sig"))
        )
    )
    assert rows[0]["title"] == '\'=HYPERLINK("https://evil.example")'


# --- HTTP caching -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["schedule_ics", "schedule_json", "schedule_xml", "sessions_csv"])
def test_exports_carry_validators_and_answer_304(client, program, admin_user, name):
    a = program.activity
    first = client.get(url(name, a))
    tag = first["ETag"]
    assert tag.startswith('W/"') and "max-age=300" in first["Cache-Control"]
    assert "public" in first["Cache-Control"]
    again = client.get(url(name, a), headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    services.update_session(program.lecture, by=admin_user, reason=REASON, title="HFpEF Revisited")
    changed = client.get(url(name, a), headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert "HFpEF Revisited" in changed.content.decode("utf-8-sig").replace("\r\n ", "")


def test_tracks_css_gives_each_track_its_colour(client, program):
    response = client.get(url("tracks_css", program.activity))
    assert response["Content-Type"] == "text/css; charset=utf-8"
    body = response.content.decode()
    assert f".track-{program.cardio.pk} {{ --track-color: #b91c1c; }}" in body
    assert f".track-{program.endo.pk} {{ --track-color: #0f766e; }}" in body


def test_calendar_apps_may_ask_with_head(client, program):
    response = client.head(url("schedule_ics", program.activity))
    assert response.status_code == 200 and response.content == b""
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["ETag"].startswith('W/"')
