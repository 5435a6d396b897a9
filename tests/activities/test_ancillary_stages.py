"""Standard 5 on virtual stages, and advertising as an ancillary item [A12]."""

from __future__ import annotations

import pytest

from cmeconf.activities.choices import RoomKind, SessionFormat
from cmeconf.activities.rules import schedule_warnings
from tests.factories import ActivityFactory, RoomFactory, SessionFactory, at

pytestmark = pytest.mark.django_db


def _ancillary(activity):
    return [w for w in schedule_warnings(activity) if w.kind == "ancillary"]


def test_ancillary_item_on_a_virtual_stage_within_30_minutes_is_flagged():
    activity = ActivityFactory()
    stage = RoomFactory(activity=activity, name="Main Stage", kind=RoomKind.VIRTUAL_STAGE)
    day = activity.start_date
    talk = SessionFactory(activity=activity, room=stage, title="Heart Failure Update",
                          start=at(day, 9), end=at(day, 10))  # fmt: skip
    promo = SessionFactory(activity=activity, room=stage, title="Sponsor Spotlight",
                           format=SessionFormat.ADVERTISING, credit_eligible=False,
                           start=at(day, 10, 10), end=at(day, 10, 25))  # fmt: skip
    found = _ancillary(activity)
    assert [w.session_ids for w in found] == [(promo.pk, talk.pk)]
    assert found[0].message.startswith(
        "“Sponsor Spotlight” (advertising / promotion) is on the virtual stage Main Stage "
        "within 30 minutes of accredited “Heart Failure Update”"
    )


def test_advertising_30_minutes_after_education_on_the_stage_is_fine():
    activity = ActivityFactory()
    stage = RoomFactory(activity=activity, name="Main Stage", kind=RoomKind.VIRTUAL_STAGE)
    day = activity.start_date
    SessionFactory(activity=activity, room=stage, start=at(day, 9), end=at(day, 10))
    SessionFactory(activity=activity, room=stage, format=SessionFormat.ADVERTISING,
                   credit_eligible=False, start=at(day, 10, 30), end=at(day, 10, 45))  # fmt: skip
    assert _ancillary(activity) == []


def test_advertising_is_never_eligible_for_credit():
    from cmeconf.activities.choices import NON_EDUCATIONAL_FORMATS

    assert SessionFormat.ADVERTISING in NON_EDUCATIONAL_FORMATS
