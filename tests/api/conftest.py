import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    RoomFactory,
    SessionFactory,
    SessionFacultyFactory,
    TrackFactory,
    UserFactory,
    at,
)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def staff_api(admin_user):
    client = APIClient()
    client.force_login(admin_user)
    return client


@pytest.fixture
def base(provider, activity):
    return f"/api/v1/providers/{provider.slug}/activities/{activity.slug}"


@pytest.fixture
def program(activity):
    """A small program: two rooms, a track, three sessions over two days, one speaker."""
    main = RoomFactory(activity=activity, name="Main Hall", capacity=500, order=0)
    side = RoomFactory(activity=activity, name="Room B", capacity=40, order=1)
    track = TrackFactory(activity=activity, name="Cardiology", color="#aa0000")
    day1, day2 = activity.start_date, activity.start_date + dt.timedelta(days=1)
    opening = SessionFactory(
        activity=activity, title="Opening keynote", format="keynote", room=main, track=track,
        start=at(day1, 9), end=at(day1, 10),
    )  # fmt: skip
    workshop = SessionFactory(
        activity=activity, title="Echo workshop", format="workshop", room=side, capacity=20,
        start=at(day2, 14), end=at(day2, 16), track=None,
    )  # fmt: skip
    unscheduled = SessionFactory(
        activity=activity, title="Late-breaking trials", room=None, start=None, end=None
    )
    speaker = UserFactory(
        email="ada@heart.example", first_name="Ada", last_name="Lovelace", credentials="MD, PhD"
    )
    SessionFacultyFactory(session=opening, person=speaker, role="speaker")
    return {
        "main": main,
        "side": side,
        "track": track,
        "opening": opening,
        "workshop": workshop,
        "unscheduled": unscheduled,
        "speaker": speaker,
    }
