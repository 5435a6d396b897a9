"""A small but complete public program for the tests of the public pages and exports,
built through the program services like staff would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cmeconf.activities.choices import FacultyRole, SessionFormat
from cmeconf.activities.models import Activity, Room, Session, Topic, Track
from cmeconf.activities.services import program as services
from tests.factories import UserFactory, at


@dataclass
class Program:
    activity: Activity
    hall_a: Room
    hall_b: Room
    cardio: Track
    endo: Track
    opioids: Topic
    lecture: Session
    workshop: Session
    brk: Session
    industry: Session
    unroomed: Session
    unscheduled: Session
    day2: Session
    speaker: object
    moderator: object


# The program is built on a published activity, so each step is an amendment.
REASON = "Program set up for the tests"


def build_program(activity: Activity, *, by) -> Program:
    day1, day2 = activity.days[0], activity.days[1]
    hall_a = services.create_room(
        activity, by=by, reason=REASON, name="Hall A", capacity=300, order=1
    )
    hall_b = services.create_room(
        activity, by=by, reason=REASON, name="Hall B", capacity=80, order=2
    )
    cardio = services.create_track(
        activity, by=by, reason=REASON, name="Cardiology", color="#b91c1c"
    )
    endo = services.create_track(
        activity, by=by, reason=REASON, name="Endocrinology", color="#0f766e"
    )
    # get_or_create: browser tests flush the tables, shared topics of the migration included
    opioids, _created = Topic.objects.get_or_create(
        provider=None,
        slug="pain-management-opioids",
        defaults={"name": "Pain management and opioid prescribing"},
    )
    speaker = UserFactory(
        email="ada.speaker@hospital.example",
        first_name="Ada",
        last_name="Okafor",
        credentials="MD, FACC",
        institution="Mercy University Hospital",
        bio="Interventional cardiologist who studies heart failure.",
    )
    moderator = UserFactory(
        email="ben.moderator@hospital.example",
        first_name="Ben",
        last_name="Lindqvist",
        credentials="DO",
        institution="Lakeside Clinic",
    )
    lecture = services.create_session(
        activity,
        by=by,
        reason=REASON,
        title="Heart Failure with Preserved Ejection Fraction",
        format=SessionFormat.LECTURE,
        abstract="What changed in the 2027 guideline.",
        objectives="Recognise HFpEF early\nChoose guideline-directed therapy",
        track=cardio,
        room=hall_a,
        start=at(day1, 9),
        end=at(day1, 10),
        topics=[opioids],
    )
    services.add_faculty(lecture, speaker, by=by, reason=REASON, role=FacultyRole.SPEAKER)
    services.add_faculty(lecture, moderator, by=by, reason=REASON, role=FacultyRole.MODERATOR)
    workshop = services.create_session(
        activity,
        by=by,
        reason=REASON,
        title="Insulin Pump Workshop",
        format=SessionFormat.WORKSHOP,
        track=endo,
        room=hall_b,
        start=at(day1, 9),
        end=at(day1, 10, 30),
        capacity=40,
    )
    brk = services.create_session(
        activity,
        by=by,
        reason=REASON,
        title="Coffee Break",
        format=SessionFormat.BREAK,
        credit_eligible=False,
        start=at(day1, 10, 30),
        end=at(day1, 11),
    )
    industry = services.create_session(
        activity,
        by=by,
        reason=REASON,
        title="Sponsored Lunch: A New Statin",
        format=SessionFormat.INDUSTRY,
        credit_eligible=False,
        room=hall_a,
        start=at(day1, 12),
        end=at(day1, 13),
    )
    unroomed = services.create_session(
        activity,
        by=by,
        reason=REASON,
        title="Online Journal Club",
        format=SessionFormat.DISCUSSION,
        start=at(day1, 14),
        end=at(day1, 15),
    )
    unscheduled = services.create_session(
        activity, by=by, reason=REASON, title="Late-breaking Trials", format=SessionFormat.SYMPOSIUM
    )
    day2_session = services.create_session(
        activity,
        by=by,
        reason=REASON,
        title="Thyroid Nodules in Practice",
        format=SessionFormat.CASE,
        track=endo,
        room=hall_b,
        start=at(day2, 8),
        end=at(day2, 8) + dt.timedelta(minutes=45),
    )
    services.add_faculty(day2_session, speaker, by=by, reason=REASON)
    activity.refresh_from_db()
    return Program(
        activity, hall_a, hall_b, cardio, endo, opioids, lecture, workshop, brk, industry,
        unroomed, unscheduled, day2_session, speaker, moderator,
    )  # fmt: skip
