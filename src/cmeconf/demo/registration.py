"""Registration for the demo meeting: types with early-bird prices, a promo code, questions.

The demo physician is registered and has paid by invoice; the demo nurse has not
registered yet, so that the form can be tried with her login.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cmeconf.accounts.models import User
from cmeconf.activities.models import Activity
from cmeconf.registration import services, setup
from cmeconf.registration.choices import AttendanceMode, PaymentMethod, QuestionKind

TYPES = (
    # code, name, mode, professions, early price, regular price
    ("member-physician", "Member physician", AttendanceMode.IN_PERSON, ["physician"],
     Decimal("595.00"), Decimal("695.00")),
    ("nonmember-physician", "Non-member physician", AttendanceMode.IN_PERSON, ["physician"],
     Decimal("795.00"), Decimal("895.00")),
    ("nurse-pharmacist-pa", "Nurse, pharmacist or PA", AttendanceMode.IN_PERSON,
     ["nurse", "pharmacist", "physician_assistant"], Decimal("395.00"), Decimal("445.00")),
    ("resident-student", "Resident or student", AttendanceMode.IN_PERSON, [],
     Decimal("195.00"), Decimal("195.00")),
    ("virtual", "Virtual only", AttendanceMode.VIRTUAL, [], Decimal("295.00"), Decimal("345.00")),
)  # fmt: skip


def add(activity: Activity, logins: dict[str, User]) -> None:
    staff = logins["registration"]
    tz = activity.tz
    now = timezone.now()
    start = dt.datetime.combine(activity.start_date, dt.time(7), tzinfo=tz)
    early_until = max(start - dt.timedelta(days=60), now + dt.timedelta(days=30))
    setup.save_setup(
        activity,
        by=staff,
        opens_at=now - dt.timedelta(days=30),
        closes_at=start,
        capacity=3500,
        currency="USD",
        cancellation_deadline=start - dt.timedelta(days=14),
        refund_percent=90,
        offer_hours=48,
        # A jointly accredited meeting: physicians, boards' MOC, nurses, pharmacists, PAs.
        credit_types=["AMA_PRA_1", "ABMS_MOC", "ANCC", "ACPE", "AAPA_1"],
        reminder_days=3,
    )
    types = {}
    for order, (code, name, mode, professions, early, regular) in enumerate(TYPES):
        reg_type = setup.create_type(
            activity, by=staff, code=code, name=name, mode=mode, professions=professions,
            order=order,
        )  # fmt: skip
        if early != regular:
            setup.add_tier(
                reg_type, by=staff, label="Early bird", amount=early, available_until=early_until
            )
        setup.add_tier(reg_type, by=staff, label="Regular", amount=regular)
        types[code] = reg_type
    setup.create_promo(
        activity,
        by=staff,
        code="CHAPTER10",
        percent_off=10,
        registration_types=[types["member-physician"], types["nonmember-physician"]],
    )
    setup.add_question(
        activity,
        by=staff,
        label="Dietary needs",
        kind=QuestionKind.CHOICE,
        choices=["None", "Vegetarian", "Vegan", "Gluten-free", "Halal", "Kosher"],
        purpose="dietary",
    )
    setup.add_question(
        activity,
        by=staff,
        label="Anything we should know to make the meeting accessible to you?",
        kind=QuestionKind.TEXT,
        purpose="accessibility",
    )
    physician = logins["physician"]
    registration = services.register(
        activity, physician, registration_type=types["member-physician"], by=physician
    )
    if registration.amount_due:
        services.confirm_payment(
            registration,
            by=staff,
            method=PaymentMethod.INVOICE,
            amount=registration.amount_due,
            reference="INV-2027-0001",
        )
