"""A conference ready for check-in: registration set up, a lecture, a workshop, registrants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cmeconf.activities.models import Activity, Session
from cmeconf.registration import services
from cmeconf.registration.badge_tokens import badge_token
from cmeconf.registration.choices import AttendanceMode
from cmeconf.registration.models import Registration, RegistrationType
from tests.factories import SessionFactory, UserFactory, at
from tests.registration.factories import (
    PriceTierFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

# Registration happens weeks before the meeting (2027-04-14 to 16 in the factories).
REGISTERED_AT = dt.datetime(2027, 2, 15, 12, tzinfo=dt.UTC)


@dataclass
class Conference:
    activity: Activity
    in_person: RegistrationType
    paying: RegistrationType
    virtual: RegistrationType
    full: RegistrationType  # no seats: everyone lands on the waiting list
    lecture: Session  # day 1, 09:00-10:00 New York
    workshop: Session  # day 1, 14:00-16:00, 20 seats

    @property
    def day1(self) -> dt.date:
        return self.activity.start_date

    def at(self, hour: int, minute: int = 0) -> dt.datetime:
        return at(self.day1, hour, minute)

    def register(self, reg_type: RegistrationType | None = None, **person) -> Registration:
        learner = UserFactory(**person)
        return services.register(
            self.activity,
            learner,
            registration_type=reg_type or self.in_person,
            by=learner,
            now=REGISTERED_AT,
        )

    def token(self, registration: Registration) -> str:
        return badge_token(registration)


def conference(activity: Activity) -> Conference:
    RegistrationSetupFactory(activity=activity)
    paying = RegistrationTypeFactory(activity=activity, name="Non-member physician")
    PriceTierFactory(registration_type=paying, amount="400.00")
    return Conference(
        activity=activity,
        in_person=RegistrationTypeFactory(activity=activity, name="Member physician"),
        paying=paying,
        virtual=RegistrationTypeFactory(
            activity=activity, name="Virtual only", mode=AttendanceMode.VIRTUAL
        ),
        full=RegistrationTypeFactory(activity=activity, name="Sold out", capacity=0),
        lecture=SessionFactory(
            activity=activity,
            title="Heart failure update",
            start=at(activity.start_date, 9),
            end=at(activity.start_date, 10),
        ),
        workshop=SessionFactory(
            activity=activity,
            title="Echo workshop",
            format="workshop",
            capacity=20,
            start=at(activity.start_date, 14),
            end=at(activity.start_date, 16),
        ),
    )
