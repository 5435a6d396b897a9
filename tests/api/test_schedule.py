import datetime as dt

import pytest

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import Topic
from tests.factories import (
    ActivityFactory,
    SessionFactory,
    SessionFacultyFactory,
    TeamFactory,
    UserFactory,
    at,
)


def test_schedule_is_the_whole_program_in_local_time(api, base, program, activity):
    data = api.get(f"{base}/schedule/").json()
    assert data["activity"] == {
        "slug": "annual-2027",
        "title": "Annual Meeting 2027",
        "time_zone": "America/New_York",
        "start_date": "2027-04-14",
        "end_date": "2027-04-16",
        "program_version": activity.program_version,
    }
    assert [d["date"] for d in data["days"]] == ["2027-04-14", "2027-04-15", "2027-04-16"]
    assert [[s["title"] for s in d["sessions"]] for d in data["days"]] == [
        ["Opening keynote"],
        ["Echo workshop"],
        [],
    ]
    assert data["days"][0]["sessions"][0] == {
        "code": program["opening"].code,
        "title": "Opening keynote",
        "format": "keynote",
        "room": program["main"].pk,
        "track": program["track"].pk,
        "start": "2027-04-14T09:00:00-04:00",
        "end": "2027-04-14T10:00:00-04:00",
        "credit_eligible": True,
        "topics": [],
        "faculty": [{"name": "Ada Lovelace", "credentials": "MD, PhD", "role": "speaker"}],
    }
    assert [r["name"] for r in data["rooms"]] == ["Main Hall", "Room B"]
    assert data["tracks"] == [{"id": program["track"].pk, "name": "Cardiology", "color": "#aa0000"}]


def test_schedule_uses_the_activitys_offset(api, provider):
    ActivityFactory(provider=provider, slug="tokyo", time_zone="Asia/Tokyo")
    activity = provider.activities.get(slug="tokyo")
    SessionFactory(activity=activity, start=at(activity.start_date, 20))  # 20:00 New York
    data = api.get("/api/v1/providers/acp/activities/tokyo/schedule/").json()
    session = data["days"][1]["sessions"][0]
    assert data["days"][1]["date"] == "2027-04-15"
    assert session["start"] == "2027-04-15T09:00:00+09:00"


@pytest.mark.parametrize("n", [1, 3])
def test_schedule_queries_do_not_grow(api, base, activity, django_assert_num_queries, n):
    for _ in range(n):
        SessionFacultyFactory(session=SessionFactory(activity=activity))
    # provider, activity, sessions, topics, faculty, rooms, tracks
    with django_assert_num_queries(7):
        data = api.get(f"{base}/schedule/").json()
    assert sum(len(d["sessions"]) for d in data["days"]) == n


def test_faculty_list_hides_email_from_the_public(api, staff_api, base, program):
    SessionFacultyFactory(
        session=program["workshop"], person=program["speaker"], role="facilitator"
    )
    public = api.get(f"{base}/faculty/").json()
    assert public["results"] == [
        {
            "id": program["speaker"].pk,
            "name": "Ada Lovelace",
            "credentials": "MD, PhD",
            "institution": "",
            "specialty": "",
            "bio": "",
            "email": None,
            "sessions": [
                {"code": program["opening"].code, "title": "Opening keynote", "role": "speaker"},
                {"code": program["workshop"].code, "title": "Echo workshop",
                 "role": "facilitator"},
            ],
        }
    ]  # fmt: skip
    staff = staff_api.get(f"{base}/faculty/").json()
    assert staff["results"][0]["email"] == "ada@heart.example"


def test_learner_sees_no_email_either(api, base, program, learner):
    api.force_login(learner)
    assert api.get(f"{base}/faculty/").json()["results"][0]["email"] is None


def test_faculty_list_only_this_activity(api, base, program, provider):
    elsewhere = SessionFactory(activity=ActivityFactory(provider=provider))
    SessionFacultyFactory(session=elsewhere, person=program["speaker"])
    SessionFacultyFactory(session=elsewhere)
    data = api.get(f"{base}/faculty/").json()
    assert data["count"] == 1
    assert len(data["results"][0]["sessions"]) == 1


@pytest.mark.parametrize("n", [1, 3])
def test_faculty_list_queries_do_not_grow(api, base, activity, django_assert_num_queries, n):
    for _ in range(n):
        SessionFacultyFactory(session=SessionFactory(activity=activity))
    # provider, activity, count, people, their roles here
    with django_assert_num_queries(5):
        assert api.get(f"{base}/faculty/").json()["count"] == n


def test_warnings_name_sessions_by_code(staff_api, base, program, activity):
    clash = SessionFactory(
        activity=activity, title="Clash", room=program["main"],
        start=at(activity.start_date, 9, 30), end=at(activity.start_date, 10, 30),
    )  # fmt: skip
    late = at(activity.end_date, 23, 30)
    outside = SessionFactory(
        activity=activity, title="Too late", room=None, start=late,
        end=late + dt.timedelta(hours=1),
    )  # fmt: skip
    data = staff_api.get(f"{base}/warnings/").json()
    assert {(w["kind"], tuple(w["sessions"])) for w in data} == {
        ("room", (program["opening"].code, clash.code)),
        ("dates", (outside.code,)),
    }
    room = next(w for w in data if w["kind"] == "room")
    assert room["message"] == (
        "Main Hall is double-booked at 9:30 a.m.: “Opening keynote” and “Clash”."
    )


def test_topics_vocabulary(api, provider):
    provider.topics.create(slug="acp-lipids", name="Lipid management")
    shared = api.get("/api/v1/topics/?limit=500").json()
    slugs = {t["slug"] for t in shared["results"]}
    assert "implicit-bias" in slugs
    assert "acp-lipids" not in slugs
    mine = api.get("/api/v1/topics/?provider=acp&limit=500").json()
    lipids = next(t for t in mine["results"] if t["slug"] == "acp-lipids")
    assert lipids == {"slug": "acp-lipids", "name": "Lipid management", "provider": "acp"}
    assert mine["count"] == shared["count"] + 1


def test_providers_lists_only_mine(api, provider, admin_user):
    other = ActivityFactory(state=ActivityState.PUBLISHED).provider
    TeamFactory(provider=other)  # a team I am not in
    api.force_login(admin_user)
    data = api.get("/api/v1/providers/").json()
    assert data["results"] == [
        {
            "slug": "acp",
            "name": "American College of Practitioners",
            "website": "",
            "contact_email": "",
            "time_zone": "America/New_York",
        }
    ]
    detail = api.get("/api/v1/providers/acp/").json()
    assert detail["permissions"] == ["credit", "program", "registration", "reports", "review",
                                     "teams"]  # fmt: skip
    assert api.get(f"/api/v1/providers/{other.slug}/").status_code == 404


def test_provider_permissions_are_those_of_all_activity_teams(api, provider):
    user = UserFactory()
    TeamFactory(provider=provider, permissions=["reports"], members=[user])
    TeamFactory(
        provider=provider,
        all_activities=False,
        activities=[ActivityFactory(provider=provider)],
        permissions=["program"],
        members=[user],
    )
    api.force_login(user)
    assert api.get("/api/v1/providers/acp/").json()["permissions"] == ["reports"]


def test_pages_have_a_maximum_size(api, base, activity):
    for _ in range(3):
        SessionFactory(activity=activity)
    data = api.get(f"{base}/sessions/?limit=2").json()
    assert (data["count"], len(data["results"])) == (3, 2)
    assert data["next"].endswith("/sessions/?limit=2&offset=2")


def test_no_page_is_larger_than_500(api, provider):
    Topic.objects.bulk_create(
        Topic(provider=provider, slug=f"t{i}", name=f"Topic {i}") for i in range(500)
    )
    data = api.get("/api/v1/topics/?provider=acp&limit=100000").json()
    assert len(data["results"]) == 500
    assert data["next"] is not None


@pytest.mark.parametrize("n", [1, 3])
def test_provider_list_queries_do_not_grow(db, api, django_assert_num_queries, n):
    user = UserFactory()
    for _ in range(n):
        TeamFactory(members=[user])
    api.force_login(user)
    # session, user, two-factor device, count, page
    with django_assert_num_queries(5):
        assert api.get("/api/v1/providers/").json()["count"] == n


@pytest.mark.parametrize("n", [1, 3])
def test_topic_list_queries_do_not_grow(api, provider, django_assert_num_queries, n):
    for i in range(n):
        provider.topics.create(slug=f"own-{i}", name=f"Own {i}")
    # provider, count, page (with the topics' providers joined)
    with django_assert_num_queries(3):
        data = api.get("/api/v1/topics/?provider=acp&limit=500").json()
    assert sum(1 for t in data["results"] if t["provider"] == "acp") == n
