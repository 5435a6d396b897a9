"""A planner's role starts when planning starts, or when they join it later [A6][A18]."""

from __future__ import annotations

import datetime as dt

import pytest

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import PlanningRole
from cmeconf.activities.services import activities as activity_svc
from cmeconf.integrity import roster
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db

D = dt.date


def test_start_planning_records_the_day_once(admin_user, activity):
    activity.state = ActivityState.DRAFT
    activity.save()
    activity = activity_svc.transition(activity, "start_planning", by=admin_user)
    started = activity.planning_started_on
    assert started is not None
    activity.refresh_from_db()
    assert activity.planning_started_on == started


def _planner(activity, added_on: dt.date) -> PlanningRole:
    role = PlanningRole.objects.create(activity=activity, person=UserFactory(), role="planner")
    PlanningRole.objects.filter(pk=role.pk).update(added_on=added_on)
    role.refresh_from_db()
    return role


def test_planner_named_before_planning_starts_with_planning():
    activity = ActivityFactory(planning_started_on=D(2026, 9, 1))
    role = _planner(activity, D(2026, 8, 15))
    assert roster.planner_role_start(activity, role) == D(2026, 9, 1)


def test_planner_joining_later_starts_on_joining():
    activity = ActivityFactory(planning_started_on=D(2026, 9, 1))
    role = _planner(activity, D(2026, 10, 20))
    assert roster.planner_role_start(activity, role) == D(2026, 10, 20)
    (member,) = roster.content_controllers(activity)
    assert member.role_start == D(2026, 10, 20)


def test_before_planning_starts_the_day_named_stands_in():
    activity = ActivityFactory(planning_started_on=None, state=ActivityState.DRAFT)
    role = _planner(activity, D(2026, 8, 15))
    assert roster.planner_role_start(activity, role) == D(2026, 8, 15)
