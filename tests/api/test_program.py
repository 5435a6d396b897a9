import pytest

from cmeconf.activities.models import Room, Session, Track
from cmeconf.common.models import AuditEntry
from tests.factories import RoomFactory, SessionFactory, TrackFactory

# The activity is published: each write is an amendment and gives its reason.
REASON = "Rescheduled"


def test_rooms_list_values(api, base, program):
    data = api.get(f"{base}/rooms/").json()
    assert data["results"] == [
        {"id": program["main"].pk, "name": "Main Hall", "capacity": 500, "description": "",
         "kind": "room", "order": 0},
        {"id": program["side"].pk, "name": "Room B", "capacity": 40, "description": "",
         "kind": "room", "order": 1},
    ]  # fmt: skip


def test_create_room_and_duplicate_name(staff_api, base, activity):
    body = {"name": "Ballroom", "capacity": 800, "description": "Level 2"}
    response = staff_api.post(f"{base}/rooms/", body | {"reason": REASON}, format="json")
    assert response.status_code == 201
    room = Room.objects.get(activity=activity, name="Ballroom")
    assert response.json() == {"id": room.pk, "kind": "room", "order": 0} | body
    assert AuditEntry.objects.filter(action="room.created").count() == 1
    again = staff_api.post(f"{base}/rooms/", {"reason": REASON, "name": "Ballroom"}, format="json")
    assert again.status_code == 400
    assert again.json() == {"name": ["This activity already has one of that name."]}
    assert Room.objects.filter(activity=activity).count() == 1


def test_room_capacity_must_be_a_count(staff_api, base):
    response = staff_api.post(
        f"{base}/rooms/", {"reason": REASON, "name": "X", "capacity": -3}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"capacity": ["Ensure this value is greater than or equal to 0."]}


def test_patch_and_delete_room(staff_api, base, program):
    main = program["main"]
    response = staff_api.patch(
        f"{base}/rooms/{main.pk}/", {"reason": REASON, "capacity": 450}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["capacity"] == 450
    response = staff_api.delete(f"{base}/rooms/{main.pk}/?reason={REASON}")
    assert response.status_code == 204
    assert not Room.objects.filter(pk=main.pk).exists()
    # Its session stays in the program, without a room.
    assert Session.objects.get(pk=program["opening"].pk).room is None
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    # Published: each change is kept as an amendment too.
    assert actions == [
        "room.updated",
        "amendment.recorded",
        "room.deleted",
        "amendment.recorded",
    ]


def test_tracks_crud(staff_api, base, activity):
    response = staff_api.post(
        f"{base}/tracks/",
        {"name": "Oncology", "color": "#00aa55", "reason": REASON},
        format="json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert staff_api.get(f"{base}/tracks/{pk}/").json() == {
        "id": pk,
        "name": "Oncology",
        "color": "#00aa55",
        "order": 0,
    }
    bad = staff_api.patch(
        f"{base}/tracks/{pk}/", {"reason": REASON, "color": "green"}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json() == {"color": ["Give a colour as #RRGGBB."]}
    assert Track.objects.get(pk=pk).color == "#00aa55"
    assert staff_api.delete(f"{base}/tracks/{pk}/?reason={REASON}").status_code == 204
    assert not Track.objects.filter(pk=pk).exists()


def test_room_of_another_activity_is_not_found(staff_api, base):
    other = RoomFactory()
    response = staff_api.patch(
        f"{base}/rooms/{other.pk}/", {"reason": REASON, "name": "Mine"}, format="json"
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name != "Mine"


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("kind", ["rooms", "tracks"])
def test_room_and_track_lists_do_not_grow(api, base, activity, django_assert_num_queries, n, kind):
    factory = RoomFactory if kind == "rooms" else TrackFactory
    for _ in range(n):
        SessionFactory(activity=activity, room=factory(activity=activity) if kind == "rooms"
                       else None)  # fmt: skip
        factory(activity=activity)
    # provider, activity, count, page
    with django_assert_num_queries(4):
        data = api.get(f"{base}/{kind}/").json()
    assert data["count"] == (2 * n if kind == "rooms" else n)
