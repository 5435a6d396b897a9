"""The attendance API: minutes per learner, report imports, adjustments and voiding."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cmeconf.activities.choices import ActivityState
from cmeconf.attendance.models import AttendanceImport, AttendanceInterval
from cmeconf.common.models import AuditEntry
from tests.api.test_registration import check_against, fresh_schema  # noqa: F401 (a fixture)
from tests.factories import (
    ActivityFactory,
    ProviderFactory,
    SessionFactory,
    TeamFactory,
    UserFactory,
    at,
)
from tests.registration.factories import RegistrationSetupFactory, RegistrationTypeFactory

pytestmark = pytest.mark.django_db

DATA = pathlib.Path(__file__).parent.parent / "attendance" / "data"
BASE = "/api/v1/providers/acp/activities/annual-2027"
DAY = dt.date(2027, 4, 14)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def member(provider, *perms, **kwargs):
    person = UserFactory(**kwargs)
    TeamFactory(provider=provider, permissions=list(perms), members=[person])
    return person


def upload(name: str, source: str = "zoom", **extra) -> dict:
    content = (DATA / name).read_bytes()
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "source": source,
            **extra}  # fmt: skip


@pytest.fixture
def desk(provider):
    return member(provider, "registration", first_name="Rita", last_name="Desk")


@pytest.fixture
def session(activity):
    return SessionFactory(activity=activity, start=at(DAY, 9), end=at(DAY, 10, 30))


@pytest.fixture
def people(activity):
    """Ana and Ben are in the Zoom report and registered; Cleo registered and absent."""
    from cmeconf.registration import services

    RegistrationSetupFactory(activity=activity)
    reg_type = RegistrationTypeFactory(activity=activity, code="member")
    found = {
        "ana": UserFactory(email="ana.reyes@example.org", first_name="Ana", last_name="Reyes"),
        "ben": UserFactory(email="Ben.Okafor@Example.org", first_name="Ben", last_name="Okafor"),
        "cleo": UserFactory(email="cleo@example.org", first_name="Cleo", last_name="Cruz"),
    }
    for person in found.values():
        services.register(activity, person, registration_type=reg_type, by=person)
    return found


def imported(desk, session, name="zoom_meeting_participants.csv", source="zoom", **extra):
    url = f"{BASE}/sessions/{session.code}/attendance/imports/"
    return client_for(desk).post(url, upload(name, source, **extra), format="multipart")


def test_zoom_report_is_imported_and_minutes_are_listed(desk, session, people):
    response = imported(desk, session)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["source"], data["filename"], data["matched"]) == (
        "zoom", "zoom_meeting_participants.csv", 2,
    )  # fmt: skip
    assert data["imported_by"] == "Rita Desk"
    assert data["unmatched"] == [
        {"line": 5, "name": "AV Desk (Conference Host)", "email": "av-desk@example.org"},
        {"line": 9, "name": "iPhone de Marie", "email": ""},
        {"line": 11, "name": "Dr. Chidi Nwosu", "email": "chidi.nwosu@example.net"},
    ]
    assert data["imported_at"][-6:] in ("-05:00", "-04:00")  # the activity's time zone

    url = f"{BASE}/sessions/{session.code}/attendance/"
    listed = client_for(desk).get(url).json()
    assert listed["count"] == 2
    assert [(r["person"]["name"], r["minutes"]) for r in listed["results"]] == [
        ("Ben Okafor", 70),
        ("Ana Reyes", 90),
    ]
    ana = listed["results"][1]
    assert [i["source"] for i in ana["intervals"]] == ["zoom", "zoom", "zoom"]
    assert ana["intervals"][0]["start"] == "2027-04-14T08:52:10-04:00"
    searched = client_for(desk).get(url, {"q": "reyes"}).json()
    assert [r["person"]["email"] for r in searched["results"]] == ["ana.reyes@example.org"]

    imports = client_for(desk).get(f"{BASE}/sessions/{session.code}/attendance/imports/").json()
    assert [(i["filename"], i["matched"]) for i in imports["results"]] == [
        ("zoom_meeting_participants.csv", 2)
    ]


def test_report_times_are_read_in_the_time_zone_given(desk, session, people):
    response = imported(
        desk, session, "zoom_meeting_participants_2024.csv", time_zone="America/Chicago"
    )
    assert response.status_code == 201, response.content
    listed = client_for(desk).get(f"{BASE}/sessions/{session.code}/attendance/").json()
    assert {r["person"]["email"]: r["minutes"] for r in listed["results"]} == {
        "ana.reyes@example.org": 27,
        "Ben.Okafor@Example.org": 30,
    }
    bad = imported(desk, session, "teams_attendance_report.csv", "teams", time_zone="Mars/Base")
    assert bad.json() == {"time_zone": ["Unknown time zone; give a name such as America/Chicago."]}


def test_broken_report_imports_nothing_and_names_each_problem(desk, session, people):
    response = imported(desk, session, "broken_zoom_bad_rows.csv")
    assert response.status_code == 400
    problems = response.json()["non_field_errors"]
    assert len(problems) >= 3
    assert any("line 3" in p.lower() for p in problems), problems
    assert not AttendanceImport.objects.exists()
    assert not AttendanceInterval.objects.exists()


def test_the_same_file_twice_and_bad_input_are_refused(desk, session, people):
    assert imported(desk, session).status_code == 201
    again = imported(desk, session)
    assert again.status_code == 400
    assert again.json()["non_field_errors"][0].startswith(
        "This file was already imported for this session on"
    )
    url = f"{BASE}/sessions/{session.code}/attendance/imports/"
    missing = client_for(desk).post(url, {"source": "scan"}, format="multipart")
    assert missing.status_code == 400
    assert set(missing.json()) == {"file", "source"}
    as_json = client_for(desk).post(url, {"source": "zoom"}, format="json")
    assert as_json.status_code == 415
    assert AttendanceImport.objects.count() == 1
    unknown = client_for(desk).post(
        f"{BASE}/sessions/NOPE00/attendance/imports/", upload("zoom_meeting_participants.csv"),
        format="multipart",
    )  # fmt: skip
    assert unknown.status_code == 404


def test_adjustments_need_a_registrant_a_reason_and_a_time_in_the_session(desk, session, people):
    url = f"{BASE}/sessions/{session.code}/attendance/adjustments/"
    client = client_for(desk)
    body = {"email": "CLEO@example.org", "start": "2027-04-14T09:00", "end": "2027-04-14T09:45"}
    no_reason = client.post(url, body | {"reason": " "}, format="json")
    assert no_reason.status_code == 400
    assert no_reason.json() == {"reason": ["Give the reason for the adjustment."]}
    outside = client.post(url, body | {"start": "2027-04-14T11:00", "end": "2027-04-14T12:00",
                                       "reason": "Scanner down"}, format="json")  # fmt: skip
    assert outside.json() == {"start": ["The time given lies outside the session."]}
    stranger = client.post(url, body | {"email": UserFactory().email, "reason": "Scanner down"},
                           format="json")  # fmt: skip
    assert stranger.json() == {
        "email": ["Nobody registered for this activity has this e-mail address."]
    }
    assert not AttendanceInterval.objects.exists()

    added = client.post(url, body | {"reason": "Scanner down in room B"}, format="json")
    assert added.status_code == 201, added.content
    data = added.json()
    assert (data["source"], data["reason"], data["recorded_by"]) == (
        "adjustment", "Scanner down in room B", "Rita Desk",
    )  # fmt: skip
    assert data["start"] == "2027-04-14T09:00:00-04:00"  # naive times: the activity's zone
    listed = client.get(f"{BASE}/sessions/{session.code}/attendance/").json()["results"]
    assert [(r["person"]["name"], r["minutes"]) for r in listed] == [("Cleo Cruz", 45)]
    entry = AuditEntry.objects.get(action="attendance.adjusted")
    assert (entry.actor, entry.after["reason"]) == (desk, "Scanner down in room B")


def test_voiding_keeps_the_interval_with_its_reason(desk, session, people):
    imported(desk, session)
    interval = AttendanceInterval.objects.filter(person=people["ben"]).get()
    url = f"{BASE}/attendance/intervals/{interval.pk}/void/"
    no_reason = client_for(desk).post(url, {"reason": ""}, format="json")
    assert no_reason.json() == {"reason": ["Give the reason for removing this attendance."]}
    voided = client_for(desk).post(url, {"reason": "Badge shared"}, format="json")
    assert voided.status_code == 200
    assert (voided.json()["voided"], voided.json()["void_reason"]) == (True, "Badge shared")
    twice = client_for(desk).post(url, {"reason": "Again"}, format="json")
    assert twice.json() == {"non_field_errors": ["This attendance was already removed."]}
    listed = client_for(desk).get(f"{BASE}/sessions/{session.code}/attendance/").json()
    ben = next(r for r in listed["results"] if r["person"]["name"] == "Ben Okafor")
    assert ben["minutes"] == 0
    assert [i["voided"] for i in ben["intervals"]] == [True]
    assert AuditEntry.objects.filter(action="attendance.voided").count() == 1


def test_intervals_of_another_activity_are_not_found(desk, session, people, provider):
    imported(desk, session)
    interval = AttendanceInterval.objects.first()
    ActivityFactory(provider=provider, slug="other")
    url = f"/api/v1/providers/acp/activities/other/attendance/intervals/{interval.pk}/void/"
    assert client_for(desk).post(url, {"reason": "x"}, format="json").status_code == 404
    assert AttendanceInterval.objects.get(pk=interval.pk).voided_at is None


def test_credit_and_reports_read_only_registration_writes(desk, session, people, provider):
    imported(desk, session)
    interval = AttendanceInterval.objects.first()
    read = f"{BASE}/sessions/{session.code}/attendance/"
    writes = [
        (f"{BASE}/sessions/{session.code}/attendance/adjustments/",
         {"email": "cleo@example.org", "start": "2027-04-14T09:00", "end": "2027-04-14T09:30",
          "reason": "Scanner down"}),
        (f"{BASE}/attendance/intervals/{interval.pk}/void/", {"reason": "Wrong person"}),
    ]  # fmt: skip
    for perm in ("credit", "reports"):
        reader = member(provider, perm)
        assert client_for(reader).get(read).json()["count"] == 2
        for url, body in writes:
            assert client_for(reader).post(url, body, format="json").status_code == 403
    program = member(provider, "program")
    assert client_for(program).get(read).status_code == 403
    assert client_for(people["ana"]).get(read).status_code == 403  # a learner
    assert APIClient().get(read).status_code == 401
    for url, body in writes:
        assert APIClient().post(url, body, format="json").status_code == 401
    assert not AttendanceInterval.objects.filter(source="adjustment").exists()
    assert AttendanceInterval.objects.filter(voided_at__isnull=False).count() == 0


def test_hidden_activity_attendance_is_not_found_for_outsiders(desk, provider):
    draft = ActivityFactory(provider=provider, slug="draft", state=ActivityState.DRAFT)
    session = SessionFactory(activity=draft)
    url = f"/api/v1/providers/acp/activities/draft/sessions/{session.code}/attendance/"
    outsider = member(ProviderFactory(slug="bsoc"), "registration")
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(UserFactory()).get(url).status_code == 404
    assert client_for(desk).get(url).status_code == 200


def test_attendance_list_queries_do_not_grow_with_learners(
    desk, session, people, django_assert_num_queries
):
    from cmeconf.attendance import services

    url = f"{BASE}/sessions/{session.code}/attendance/"
    client = client_for(desk)
    services.add_adjustment(session, people["cleo"], start=at(DAY, 9), end=at(DAY, 9, 30),
                            reason="Scanner down", by=desk)  # fmt: skip
    client.get(url)
    with django_assert_num_queries(8):
        assert client.get(url).json()["count"] == 1
    imported(desk, session)
    with django_assert_num_queries(8):
        assert client.get(url).json()["count"] == 3


def test_answers_match_the_schema(fresh_schema, desk, session, people):  # noqa: F811
    response = imported(desk, session)
    interval = AttendanceInterval.objects.first()
    client = client_for(desk)
    checks = [
        (response, "sessions/{code}/attendance/imports/", "post"),
        (imported(desk, session), "sessions/{code}/attendance/imports/", "post"),  # 400
        (client.get(f"{BASE}/sessions/{session.code}/attendance/imports/"),
         "sessions/{code}/attendance/imports/", "get"),
        (client.get(f"{BASE}/sessions/{session.code}/attendance/"),
         "sessions/{code}/attendance/", "get"),
        (client.post(f"{BASE}/attendance/intervals/{interval.pk}/void/", {"reason": "Shared"},
                     format="json"), "attendance/intervals/{interval}/void/", "post"),
    ]  # fmt: skip
    for answer, path, method in checks:
        check_against(fresh_schema, answer, path, method)
    assert [r.status_code for r, _p, _m in checks] == [201, 400, 200, 200, 200]
