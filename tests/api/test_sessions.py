import pytest

from cmeconf.accounts.models import User
from cmeconf.activities.models import Session, SessionFaculty, Topic
from cmeconf.common.models import AuditEntry
from tests.factories import (
    ActivityFactory,
    RoomFactory,
    SessionFactory,
    SessionFacultyFactory,
    TrackFactory,
    UserFactory,
)

# The activity is published: each write is an amendment and gives its reason.
REASON = "Rescheduled"


def test_session_list_values(api, base, program):
    data = api.get(f"{base}/sessions/").json()
    assert [s["title"] for s in data["results"]] == [
        "Opening keynote",
        "Echo workshop",
        "Late-breaking trials",
    ]
    opening = data["results"][0]
    assert opening == {
        "code": program["opening"].code,
        "title": "Opening keynote",
        "format": "keynote",
        "abstract": "What changed this year.",
        "objectives": ["Apply the new guideline", "Recognise the red flags"],
        "track": {"id": program["track"].pk, "name": "Cardiology", "color": "#aa0000"},
        "room": {"id": program["main"].pk, "name": "Main Hall"},
        "start": "2027-04-14T09:00:00-04:00",
        "end": "2027-04-14T10:00:00-04:00",
        "minutes": 60,
        "credit_eligible": True,
        "capacity": None,
        "topics": [],
        # Anonymous callers never see e-mail addresses.
        "faculty": [{"name": "Ada Lovelace", "credentials": "MD, PhD", "email": None,
                     "role": "speaker"}],
    }  # fmt: skip


def test_team_members_see_faculty_email(staff_api, base, program):
    data = staff_api.get(f"{base}/sessions/{program['opening'].code}/").json()
    assert data["faculty"][0]["email"] == "ada@heart.example"


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("day=2027-04-15", ["Echo workshop"]),
        ("room={side}", ["Echo workshop"]),
        ("track={track}", ["Opening keynote"]),
        ("format=keynote", ["Opening keynote"]),
        ("topic=opioids", ["Echo workshop"]),
        ("scheduled=false", ["Late-breaking trials"]),
        ("day=2027-04-14&format=workshop", []),
    ],
)
def test_session_filters(api, base, provider, program, query, titles):
    topic = Topic.objects.create(provider=provider, slug="opioids", name="Opioid prescribing")
    program["workshop"].topics.add(topic)
    query = query.format(side=program["side"].pk, track=program["track"].pk)
    data = api.get(f"{base}/sessions/?{query}").json()
    assert [s["title"] for s in data["results"]] == titles


def test_bad_filter_is_explained(api, base):
    response = api.get(f"{base}/sessions/?day=tomorrow&format=party")
    assert response.status_code == 400
    errors = response.json()
    assert errors["day"][0].startswith("Date has wrong format.")
    assert errors["format"] == ['"party" is not a valid choice.']


@pytest.mark.parametrize("n", [1, 3])
def test_session_list_queries_do_not_grow(api, base, activity, django_assert_num_queries, n):
    track = TrackFactory(activity=activity)
    topic = Topic.objects.get(provider=None, slug="ethics")
    for _ in range(n):
        session = SessionFactory(activity=activity, track=track)
        session.topics.add(topic)
        SessionFacultyFactory(session=session)
    # provider, activity, count, sessions, topics, faculty with people
    with django_assert_num_queries(6):
        assert api.get(f"{base}/sessions/").json()["count"] == n


def test_create_session_returns_it_with_its_warnings(staff_api, base, program, admin_user):
    body = {
        "title": "Heart failure update",
        "format": "lecture",
        "room": program["main"].pk,
        "track": program["track"].pk,
        # Naive times are the activity's local time.
        "start": "2027-04-14T09:30:00",
        "end": "2027-04-14T10:30:00",
        "objectives": ["Start SGLT2 inhibitors", ""],
        "reason": REASON,
    }
    response = staff_api.post(f"{base}/sessions/", body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["start"] == "2027-04-14T09:30:00-04:00"
    assert data["objectives"] == ["Start SGLT2 inhibitors"]
    assert data["warnings"] == [
        {
            "kind": "room",
            "sessions": [program["opening"].code, data["code"]],
            "message": "Main Hall is double-booked at 9:30 a.m.: "
            "“Opening keynote” and “Heart failure update”.",
        }
    ]
    session = Session.objects.get(code=data["code"])
    assert session.room == program["main"]
    entry = AuditEntry.objects.get(action="session.created")
    assert (entry.actor, entry.object_id) == (admin_user, str(session.pk))


def test_create_refuses_end_before_start_by_field(staff_api, base, activity):
    body = {
        "title": "Backwards",
        "format": "break",
        "start": "2027-04-14T10:00:00-04:00",
        "end": "2027-04-14T09:00:00-04:00",
    }
    response = staff_api.post(f"{base}/sessions/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "end": ["The session must end after it starts."],
        "credit_eligible": ["Break cannot carry credit: only accredited education can."],
    }
    assert not Session.objects.filter(title="Backwards").exists()


def test_create_refuses_a_room_of_another_activity(staff_api, base, provider):
    elsewhere = RoomFactory(activity=ActivityFactory(provider=provider))
    body = {"reason": REASON, "title": "Lost", "format": "lecture", "room": elsewhere.pk}
    response = staff_api.post(f"{base}/sessions/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"room": ["That room belongs to another activity."]}
    assert not Session.objects.filter(title="Lost").exists()


def test_another_providers_room_and_topic_do_not_exist(staff_api, base):
    foreign_room = RoomFactory()  # another provider's activity
    other_activity = ActivityFactory()
    foreign_topic = Topic.objects.create(
        provider=other_activity.provider, slug="secret", name="Secret"
    )
    body = {
        "title": "Lost",
        "format": "lecture",
        "room": foreign_room.pk,
        "topics": [foreign_topic.slug],
    }
    response = staff_api.post(f"{base}/sessions/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "room": [f'Invalid pk "{foreign_room.pk}" - object does not exist.'],
        "topics": ["Object with slug=secret does not exist."],
    }


def test_start_without_end_is_refused(staff_api, base):
    body = {
        "reason": REASON,
        "title": "Half",
        "format": "lecture",
        "start": "2027-04-14T09:00:00-04:00",
    }
    response = staff_api.post(f"{base}/sessions/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"end": ["Give both a start and an end, or neither."]}


def test_patch_session_changes_only_what_is_sent(staff_api, base, provider, program):
    opening = program["opening"]
    Topic.objects.create(provider=provider, slug="lipids", name="Lipids")
    response = staff_api.patch(
        f"{base}/sessions/{opening.code}/",
        {"reason": REASON, "title": "Opening lecture", "topics": ["lipids"]},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["title"], data["topics"], data["room"]["name"]) == (
        "Opening lecture",
        ["lipids"],
        "Main Hall",
    )
    assert data["warnings"] == []
    entry = AuditEntry.objects.get(action="session.updated")
    assert entry.after == {"title": "Opening lecture", "topics": ["lipids"]}


def test_patch_that_fails_saves_nothing(staff_api, base, program):
    opening = program["opening"]
    response = staff_api.patch(
        f"{base}/sessions/{opening.code}/",
        {"reason": REASON, "title": "Changed", "end": "2027-04-14T08:00:00-04:00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"end": ["The session must end after it starts."]}
    opening.refresh_from_db()
    assert opening.title == "Opening keynote"
    assert not AuditEntry.objects.filter(action="session.updated").exists()


def test_move_session_keeps_its_length(staff_api, base, program):
    opening = program["opening"]
    response = staff_api.post(
        f"{base}/sessions/{opening.code}/move/",
        {"reason": REASON, "start": "2027-04-15T14:30:00-04:00", "room": program["side"].pk},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["start"], data["end"], data["room"]["name"]) == (
        "2027-04-15T14:30:00-04:00",
        "2027-04-15T15:30:00-04:00",
        "Room B",
    )
    assert [w["kind"] for w in data["warnings"]] == ["room"]
    opening.refresh_from_db()
    assert opening.room == program["side"]


def test_move_without_room_keeps_the_room(staff_api, base, program):
    opening = program["opening"]
    response = staff_api.post(
        f"{base}/sessions/{opening.code}/move/",
        {"start": "2027-04-16T08:00", "reason": REASON},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["room"]["name"] == "Main Hall"
    assert response.json()["start"] == "2027-04-16T08:00:00-04:00"


def test_move_an_unscheduled_session_needs_a_length(staff_api, base, program):
    response = staff_api.post(
        f"{base}/sessions/{program['unscheduled'].code}/move/",
        {"reason": REASON, "start": "2027-04-16T08:00:00-04:00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"end": ["Give the session a length before placing it."]}


def test_delete_session(staff_api, base, program):
    code = program["workshop"].code
    response = staff_api.delete(f"{base}/sessions/{code}/?reason={REASON}")
    assert response.status_code == 204
    assert not Session.objects.filter(code=code).exists()
    assert AuditEntry.objects.filter(action="session.deleted").count() == 1
    assert staff_api.get(f"{base}/sessions/{code}/").status_code == 404


def test_add_faculty_by_email_creates_the_person(staff_api, base, program):
    code = program["workshop"].code
    body = {
        "reason": REASON,
        "email": "Grace@Hopper.example",
        "first_name": "Grace",
        "last_name": "Hopper",
    }
    response = staff_api.post(f"{base}/sessions/{code}/faculty/", body, format="json")
    assert response.status_code == 201
    assert response.json()["faculty"] == [
        {"name": "Grace Hopper", "credentials": "", "email": "grace@hopper.example",
         "role": "speaker"}
    ]  # fmt: skip
    person = User.objects.get(email="grace@hopper.example")
    assert not person.has_usable_password()


def test_add_existing_person_as_moderator(staff_api, base, program):
    code = program["workshop"].code
    body = {"reason": REASON, "email": "ADA@heart.example", "role": "moderator"}
    response = staff_api.post(f"{base}/sessions/{code}/faculty/", body, format="json")
    assert response.status_code == 201
    link = SessionFaculty.objects.get(session=program["workshop"])
    assert (link.person, link.role) == (program["speaker"], "moderator")


def test_refused_faculty_role_creates_nobody(staff_api, base, activity):
    lunch = SessionFactory(activity=activity, format="meal", credit_eligible=False)
    body = {
        "reason": REASON,
        "email": "cook@example.org",
        "first_name": "Chris",
        "last_name": "Cook",
    }
    response = staff_api.post(f"{base}/sessions/{lunch.code}/faculty/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"person": ["Meal has no faculty."]}
    assert not User.objects.filter(email="cook@example.org").exists()
    assert not AuditEntry.objects.filter(action="person.created").exists()


def test_same_person_twice_is_refused(staff_api, base, program):
    code = program["opening"].code
    response = staff_api.post(
        f"{base}/sessions/{code}/faculty/", {"email": "ada@heart.example"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"person": ["Ada Lovelace is already on this session."]}


def test_a_new_person_needs_a_name(staff_api, base, program):
    code = program["opening"].code
    response = staff_api.post(
        f"{base}/sessions/{code}/faculty/", {"email": "new@example.org"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "first_name": ["This field cannot be blank."],
        "last_name": ["This field cannot be blank."],
    }
    assert not User.objects.filter(email="new@example.org").exists()


def test_bad_email_and_role(staff_api, base, program):
    code = program["opening"].code
    response = staff_api.post(
        f"{base}/sessions/{code}/faculty/", {"email": "nope", "role": "chef"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "email": ["Enter a valid email address."],
        "role": ['"chef" is not a valid choice.'],
    }


def test_remove_faculty_by_email(staff_api, base, program):
    code = program["opening"].code
    response = staff_api.delete(
        f"{base}/sessions/{code}/faculty/?email=Ada@Heart.example&reason={REASON}"
    )
    assert response.status_code == 204
    assert not SessionFaculty.objects.filter(session=program["opening"]).exists()
    assert AuditEntry.objects.filter(action="faculty.removed").count() == 1
    again = staff_api.delete(
        f"{base}/sessions/{code}/faculty/?email=ada@heart.example&reason={REASON}"
    )
    assert again.status_code == 404
    assert again.json() == {"detail": "That person is not on this session's faculty."}


def test_remove_faculty_needs_an_email(staff_api, base, program):
    response = staff_api.delete(
        f"{base}/sessions/{program['opening'].code}/faculty/?reason={REASON}"
    )
    assert response.status_code == 400
    assert response.json() == {"email": ["Say whom to remove by e-mail."]}


def test_someone_elses_session_code_is_not_found_here(staff_api, base):
    foreign = SessionFactory()  # another provider's activity
    response = staff_api.get(f"{base}/sessions/{foreign.code}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such session."}


def test_person_in_two_places_is_a_warning_not_an_error(staff_api, base, program):
    UserFactory()  # unrelated person
    response = staff_api.post(
        f"{base}/sessions/{program['workshop'].code}/move/",
        {"reason": REASON, "start": "2027-04-14T09:30:00-04:00"},
        format="json",
    )
    assert response.status_code == 200
    staff_api.post(
        f"{base}/sessions/{program['workshop'].code}/faculty/",
        {"reason": REASON, "email": "ada@heart.example"},
        format="json",
    )
    kinds = {w["kind"] for w in staff_api.get(f"{base}/warnings/").json()}
    assert kinds == {"person"}
