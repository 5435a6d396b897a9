"""The demo meeting's registrants: every demo learner registered, most paid, workshops full.

Thousands of registrations go in with bulk_create rather than through
registration.services, whose row locks and audit entries make sense one
request at a time but would take minutes here. The figures follow the rules
the services apply (the current price tier, the promo code's discount, seats
within capacity, workshops filled to their seats and then wait-listed), so
pages, exports, check-in and the benchmarks see a meeting as it would be a
few weeks before it starts.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import Decimal

from django.utils import timezone

from cmeconf.accounts.models import User
from cmeconf.activities.models import Activity, Session
from cmeconf.registration.choices import (
    PaymentMethod,
    PaymentStatus,
    RegistrationStatus,
    SignupStatus,
)
from cmeconf.registration.models import (
    Payment,
    PromoCode,
    Question,
    Registration,
    RegistrationType,
    WorkshopSignup,
)
from cmeconf.registration.pricing import apply_promo, current_tier

# Of every hundred: how a registration stands a few weeks before the meeting.
CANCELLED_PER_100 = 3
UNPAID_PER_100 = 9
# How many wait for each full workshop.
WORKSHOP_WAITING = 4
CREDIT_BY_PROFESSION = {
    "physician": ["AMA_PRA_1"],
    "nurse": ["ANCC"],
    "pharmacist": ["ACPE"],
    "pharmacy_technician": ["ACPE"],
    "physician_assistant": ["AAPA_1"],
}


def _type_for(rng: random.Random, person: User, types: dict[str, RegistrationType]) -> str:
    if rng.random() < 0.12:
        return "virtual"
    if person.profession == "physician":
        if rng.random() < 0.08:
            return "resident-student"
        return "member-physician" if rng.random() < 0.6 else "nonmember-physician"
    if person.profession in ("nurse", "pharmacist", "physician_assistant"):
        return "nurse-pharmacist-pa"
    return "resident-student"


def _credit(rng: random.Random, person: User) -> tuple[list[str], dict]:
    credit = list(CREDIT_BY_PROFESSION.get(person.profession, ["PARTICIPATION"]))
    ids: dict = {}
    if person.profession == "physician" and rng.random() < 0.3:
        credit.append("ABMS_MOC")
        ids = {
            "abms_board": rng.choice(["ABIM", "ABP", "ABA", "ABS"]),
            "abms_id": str(rng.randint(100000, 999999)),
            "birth_month": rng.randint(1, 12),
            "birth_day": rng.randint(1, 28),
        }
    elif "ACPE" in credit:
        ids = {
            "nabp_eprofile_id": str(rng.randint(100000, 9999999)),
            "birth_month": rng.randint(1, 12),
            "birth_day": rng.randint(1, 28),
        }
    return credit, ids


def add(rng: random.Random, activity: Activity, learners: list[User], staff: User) -> int:
    """Register `learners` for the activity; returns how many registrations hold a seat."""
    now = timezone.now()
    types = {t.code: t for t in RegistrationType.objects.filter(activity=activity)}
    tiers = {code: current_tier(t, now) for code, t in types.items()}
    promo = PromoCode.objects.filter(activity=activity, code="CHAPTER10").first()
    promo_types = set(promo.registration_types.values_list("code", flat=True)) if promo else set()
    dietary = Question.objects.filter(activity=activity, purpose="dietary").first()
    taken = set(Registration.objects.filter(activity=activity).values_list("person_id", flat=True))
    currency = activity.registration_setup.currency
    registrations = []
    for i, person in enumerate(p for p in learners if p.pk not in taken):
        code = _type_for(rng, person, types)
        tier = tiers[code]
        price = tier.amount if tier else Decimal("0.00")
        use_promo = promo is not None and code in promo_types and rng.random() < 0.15
        discount = price - apply_promo(price, promo) if use_promo else Decimal("0.00")
        created = now - dt.timedelta(days=rng.uniform(1, 30))
        roll = rng.randrange(100)
        if roll < CANCELLED_PER_100:
            status = RegistrationStatus.CANCELLED
        elif roll < CANCELLED_PER_100 + UNPAID_PER_100 and price - discount > 0:
            status = RegistrationStatus.PENDING_PAYMENT
        else:
            status = RegistrationStatus.CONFIRMED
        credit, ids = _credit(rng, person)
        answers = {str(dietary.pk): rng.choice(dietary.choices)} if dietary else {}
        registrations.append(
            Registration(
                activity=activity,
                person=person,
                registration_type=types[code],
                status=status,
                price_label=tier.label if tier else "",
                price=price,
                discount=discount,
                currency=currency,
                promo_code=promo if use_promo else None,
                registered_by=person,
                answers=answers,
                identifiers=ids,
                credit_types=credit,
                badge_key=secrets.token_urlsafe(12),
                created=created,
                confirmed_at=created if status == RegistrationStatus.CONFIRMED else None,
                cancelled_at=created + dt.timedelta(hours=i % 48 + 1)
                if status == RegistrationStatus.CANCELLED
                else None,
            )
        )
    Registration.objects.bulk_create(registrations, batch_size=500)
    saved = list(
        Registration.objects.filter(activity=activity, person__in=[r.person for r in registrations])
    )
    payments = [
        Payment(
            registration=r,
            method=PaymentMethod.INVOICE,
            status=PaymentStatus.PAID,
            amount=r.amount_due,
            currency=r.currency,
            reference=f"INV-2027-{r.pk:05d}",
            created=r.created,
            paid_at=r.created + dt.timedelta(days=rng.uniform(0.5, 10)),
            recorded_by=staff,
        )
        for r in saved
        if r.status == RegistrationStatus.CONFIRMED and r.amount_due > 0
    ]
    Payment.objects.bulk_create(payments, batch_size=500)
    _fill_workshops(rng, activity, [r for r in saved if _in_person_seat(r)], now)
    return sum(1 for r in saved if r.status != RegistrationStatus.CANCELLED)


def _in_person_seat(r: Registration) -> bool:
    return r.status != RegistrationStatus.CANCELLED and r.registration_type.code != "virtual"


def _fill_workshops(
    rng: random.Random, activity: Activity, people: list[Registration], now: dt.datetime
) -> None:
    """Each workshop full, a few waiting; nobody in two workshops at the same time."""
    workshops = Session.objects.filter(
        activity=activity, capacity__isnull=False, start__isnull=False
    ).order_by("start", "pk")
    busy: dict[int, list[Session]] = {}
    for s in WorkshopSignup.objects.filter(session__activity=activity).select_related("session"):
        busy.setdefault(s.registration_id, []).append(s.session)
    signups = []
    for workshop in workshops:
        free = [
            r
            for r in rng.sample(people, len(people))
            if all(o.end <= workshop.start or o.start >= workshop.end for o in busy.get(r.pk, []))
        ]
        taken = WorkshopSignup.objects.filter(session=workshop).count()
        seats = max(workshop.capacity - taken, 0)
        for n, r in enumerate(free[: seats + WORKSHOP_WAITING]):
            waiting = n >= seats
            when = now - dt.timedelta(days=rng.uniform(0, 20))
            signups.append(
                WorkshopSignup(
                    registration=r,
                    session=workshop,
                    status=SignupStatus.WAITLISTED if waiting else SignupStatus.CONFIRMED,
                    created=when,
                    waitlisted_at=when if waiting else None,
                )
            )
            busy.setdefault(r.pk, []).append(workshop)
    WorkshopSignup.objects.bulk_create(signups, batch_size=500)
