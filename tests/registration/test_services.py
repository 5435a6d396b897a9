import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cmeconf.common.models import AuditEntry
from cmeconf.integrity.models import SharingConsent
from cmeconf.registration import services, tasks
from cmeconf.registration.choices import PaymentMethod, PaymentStatus, RegistrationStatus
from cmeconf.registration.models import Registration, RegistrationGroup, WorkshopSignup
from tests.factories import SessionFactory, UserFactory, at
from tests.registration.factories import (
    PriceTierFactory,
    PromoCodeFactory,
    QuestionFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

UTC = dt.UTC
NOW = dt.datetime(2027, 2, 15, 12, tzinfo=UTC)
S = RegistrationStatus


@pytest.fixture
def setup(activity):
    return RegistrationSetupFactory(
        activity=activity,
        opens_at=dt.datetime(2027, 1, 1, tzinfo=UTC),
        closes_at=dt.datetime(2027, 4, 1, tzinfo=UTC),
        offer_hours=24,
    )


@pytest.fixture
def free_type(activity, setup):
    return RegistrationTypeFactory(activity=activity, code="resident", name="Resident")


@pytest.fixture
def paid_type(activity, setup):
    t = RegistrationTypeFactory(activity=activity, code="physician", name="Physician")
    PriceTierFactory(
        registration_type=t,
        label="Early bird",
        amount=Decimal("300.00"),
        available_until=dt.datetime(2027, 3, 1, tzinfo=UTC),
    )
    PriceTierFactory(registration_type=t, label="Regular", amount=Decimal("400.00"))
    return t


def reg(activity, person, reg_type, now=NOW, **kw):
    return services.register(activity, person, registration_type=reg_type, by=person, now=now, **kw)


def people(n, **kw):
    return [UserFactory(**kw) for _ in range(n)]


# -- registering ----------------------------------------------------------------------------


def test_free_registration_is_confirmed_audited_and_mailed(
    activity, free_type, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = reg(activity, learner, free_type)
    assert (r.status, r.price, r.discount, r.confirmed_at) == (S.CONFIRMED, 0, 0, NOW)
    assert r.registered_by == learner
    entry = AuditEntry.objects.get(action="registration.created")
    assert entry.after["status"] == "confirmed" and entry.activity_id == activity.pk
    assert [m.to for m in mail.outbox] == [["learner@example.org"]]
    assert "Your registration is confirmed." in mail.outbox[0].body
    assert mail.outbox[0].subject == f"Your registration for {activity.title}"


def test_price_and_promo_frozen_on_the_registration(activity, paid_type, learner):
    PromoCodeFactory(activity=activity, code="SOCIETY", percent_off=15)
    r = reg(activity, learner, paid_type, promo_code="society")
    assert (r.status, r.price_label, r.price, r.discount) == (
        S.PENDING_PAYMENT,
        "Early bird",
        Decimal("300.00"),
        Decimal("45.00"),
    )
    assert r.amount_due == Decimal("255.00") and r.promo_code.code == "SOCIETY"
    late = reg(activity, UserFactory(), paid_type, now=dt.datetime(2027, 3, 2, tzinfo=UTC))
    assert (late.price_label, late.price) == ("Regular", Decimal("400.00"))


def test_promo_code_covering_everything_confirms(activity, paid_type, learner):
    PromoCodeFactory(activity=activity, code="FACULTY", percent_off=100)
    r = reg(activity, learner, paid_type, promo_code="FACULTY")
    assert (r.status, r.amount_due) == (S.CONFIRMED, 0)


def test_promo_code_used_up(activity, paid_type):
    PromoCodeFactory(activity=activity, code="ONCE", amount_off=Decimal(50), max_uses=1)
    first, second = people(2)
    reg(activity, first, paid_type, promo_code="ONCE")
    with pytest.raises(ValidationError) as e:
        reg(activity, second, paid_type, promo_code="ONCE")
    assert e.value.message_dict == {
        "promo_code": ["This promo code has been used as often as it may be."]
    }


def test_validation_errors_keyed_by_field(activity, paid_type, learner):
    other = RegistrationTypeFactory()  # another activity
    with pytest.raises(ValidationError) as e:
        reg(activity, learner, other, promo_code="NOPE")
    assert e.value.message_dict == {
        "registration_type": ["This registration type belongs to another activity."],
        "promo_code": ["There is no such promo code."],
    }
    nurses = RegistrationTypeFactory(activity=activity, professions=["nurse"])
    with pytest.raises(ValidationError) as e:
        reg(activity, learner, nurses)
    assert e.value.message_dict == {
        "registration_type": ["This registration type is for other professions than yours."]
    }
    closed = RegistrationTypeFactory(activity=activity, is_active=False)
    with pytest.raises(ValidationError) as e:
        reg(activity, learner, closed)
    assert "registration_type" in e.value.message_dict
    assert not Registration.objects.exists()


def test_registration_window(activity, free_type, learner):
    with pytest.raises(ValidationError) as e:
        reg(activity, learner, free_type, now=dt.datetime(2026, 12, 31, tzinfo=UTC))
    assert e.value.messages == ["Registration has not opened yet."]
    with pytest.raises(ValidationError) as e:
        reg(activity, learner, free_type, now=dt.datetime(2027, 4, 1, tzinfo=UTC))
    assert e.value.messages == ["Registration has closed."]


def test_no_setup_no_registration(activity, learner):
    t = RegistrationTypeFactory(activity=activity)
    with pytest.raises(ValidationError) as e:
        reg(activity, learner, t)
    assert e.value.messages == ["Registration has not been set up for this activity."]


def test_sale_over_when_every_tier_passed(activity, setup, learner):
    t = RegistrationTypeFactory(activity=activity)
    PriceTierFactory(registration_type=t, available_until=dt.datetime(2027, 2, 1, tzinfo=UTC))
    with pytest.raises(ValidationError) as e:
        reg(activity, learner, t)
    assert e.value.message_dict == {
        "registration_type": ["This registration type is no longer on sale."]
    }


def test_questions_required_and_choices_checked(activity, free_type, learner):
    diet = QuestionFactory(
        activity=activity,
        kind="choice",
        choices=["none", "vegetarian", "vegan"],
        required=True,
        purpose="dietary",
    )
    access = QuestionFactory(activity=activity, label="Accessibility", kind="text")
    workshops = QuestionFactory(activity=activity, kind="multiple", choices=["a", "b"])
    with pytest.raises(ValidationError) as e:
        reg(activity, learner, free_type, answers={str(workshops.pk): ["a", "c"], "999999": "x"})
    assert e.value.message_dict == {
        f"question_{diet.pk}": ["Please answer this question."],
        f"question_{workshops.pk}": ["Choose among the options given."],
        "question_999999": ["This question is not asked here."],
    }
    with pytest.raises(ValidationError) as e:
        reg(activity, learner, free_type, answers={str(diet.pk): "carnivore"})
    assert e.value.message_dict == {f"question_{diet.pk}": ["Choose one of the options given."]}
    r = reg(
        activity,
        learner,
        free_type,
        answers={str(diet.pk): "vegan", str(access.pk): "  wheelchair access  "},
    )
    assert r.answers == {str(diet.pk): "vegan", str(access.pk): "wheelchair access"}


def test_once_per_person(activity, free_type, learner):
    reg(activity, learner, free_type)
    with pytest.raises(ValidationError) as e:
        reg(activity, learner, free_type)
    assert list(e.value.message_dict) == ["person"]
    assert Registration.objects.count() == 1


def test_register_again_after_cancelling(activity, free_type, learner):
    first = reg(activity, learner, free_type)
    services.cancel(first, by=learner, now=NOW)
    again = reg(activity, learner, free_type)
    assert again.status == S.CONFIRMED and again.pk != first.pk


def test_nobody_registers_someone_else_without_the_permission(
    activity, free_type, learner, admin_user
):
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        services.register(activity, other, registration_type=free_type, by=learner, now=NOW)
    r = services.register(activity, other, registration_type=free_type, by=admin_user, now=NOW)
    assert r.registered_by == admin_user


def test_consent_only_when_asked_for(activity, free_type):
    # Standard 2 [A4]: registering without consent works, and records none.
    yes, no = people(2)
    reg(activity, no, free_type)
    reg(activity, yes, free_type, share_with_companies=True)
    assert list(SharingConsent.objects.values_list("person", "source")) == [
        (yes.pk, "registration")
    ]


# -- capacity and the waiting list ----------------------------------------------------------


def test_type_capacity_then_waiting_list(activity, free_type):
    free_type.capacity = 2
    free_type.save()
    a, b, c = people(3)
    assert [reg(activity, p, free_type).status for p in (a, b, c)] == [
        S.CONFIRMED,
        S.CONFIRMED,
        S.WAITLISTED,
    ]
    assert Registration.objects.get(person=c).waitlisted_at == NOW
    assert services.seats_left(activity, free_type) == 0


def test_activity_capacity_across_types(activity, setup, free_type, paid_type):
    setup.capacity = 2
    setup.save()
    a, b, c = people(3)
    statuses = [
        reg(activity, a, free_type).status,
        reg(activity, b, paid_type).status,
        reg(activity, c, free_type).status,
    ]
    assert statuses == [S.CONFIRMED, S.PENDING_PAYMENT, S.WAITLISTED]
    assert services.seats_left(activity) == 0


def test_cancel_offers_the_seat_to_the_oldest_waiting(
    activity, free_type, django_capture_on_commit_callbacks
):
    free_type.capacity = 1
    free_type.save()
    a, b, c = people(3)
    first = reg(activity, a, free_type)
    reg(activity, b, free_type, now=NOW + dt.timedelta(minutes=1))
    reg(activity, c, free_type, now=NOW + dt.timedelta(minutes=2))
    later = NOW + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(first, by=a, reason="ill", now=later)
    first.refresh_from_db()
    assert (first.status, first.cancelled_at) == (S.CANCELLED, later)
    offered = Registration.objects.get(person=b)
    assert (offered.status, offered.offer_expires_at) == (S.OFFERED, later + dt.timedelta(hours=24))
    assert Registration.objects.get(person=c).status == S.WAITLISTED
    assert [m.to for m in mail.outbox] == [[b.email]]
    assert activity.title in mail.outbox[0].subject
    # 13:00 UTC the next day, told in the activity's time zone.
    assert "until Feb. 16, 2027, 8 a.m. (America/New_York time)" in mail.outbox[0].body
    assert AuditEntry.objects.get(action="registration.cancelled").note == "ill"
    # The offered seat is held: a newcomer waits.
    assert reg(activity, UserFactory(), free_type, now=later).status == S.WAITLISTED


def test_newcomer_does_not_overtake_the_waiting_list(activity, free_type, setup):
    free_type.capacity = 1
    free_type.save()
    a, b, c = people(3)
    reg(activity, a, free_type)
    reg(activity, b, free_type)
    # Staff add a seat: it belongs to b, not to whoever registers next.
    free_type.capacity = 2
    free_type.save()
    assert reg(activity, c, free_type).status == S.WAITLISTED
    offered = services.offer_next(activity, free_type, now=NOW)
    assert offered.person == b


def test_accept_offer_pending_or_confirmed(activity, paid_type, free_type):
    paid_type.capacity = 1
    paid_type.save()
    a, b = people(2)
    first = reg(activity, a, paid_type)
    waiting = reg(activity, b, paid_type)
    services.cancel(first, by=a, now=NOW)
    accepted = services.accept_offer(waiting, by=b, now=NOW + dt.timedelta(hours=23))
    assert (accepted.status, accepted.offer_expires_at) == (S.PENDING_PAYMENT, None)
    assert accepted.amount_due == Decimal("300.00")  # the price when b registered


def test_accept_refused_after_expiry(activity, free_type):
    free_type.capacity = 1
    free_type.save()
    a, b = people(2)
    first = reg(activity, a, free_type)
    waiting = reg(activity, b, free_type)
    services.cancel(first, by=a, now=NOW)
    with pytest.raises(ValidationError) as e:
        services.accept_offer(waiting, by=b, now=NOW + dt.timedelta(hours=25))
    assert e.value.messages == ["The offer has expired."]
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED


def test_decline_passes_the_offer_on(activity, free_type):
    free_type.capacity = 1
    free_type.save()
    a, b, c = people(3)
    first = reg(activity, a, free_type)
    second = reg(activity, b, free_type)
    reg(activity, c, free_type)
    services.cancel(first, by=a, now=NOW)
    services.decline_offer(second, by=b, now=NOW)
    second.refresh_from_db()
    assert second.status == S.CANCELLED
    assert Registration.objects.get(person=c).status == S.OFFERED


def test_expire_offers_cancels_and_offers_the_next(activity, free_type):
    free_type.capacity = 1
    free_type.save()
    a, b, c = people(3)
    first = reg(activity, a, free_type)
    reg(activity, b, free_type)
    reg(activity, c, free_type)
    services.cancel(first, by=a, now=NOW)
    assert services.expire_offers(now=NOW + dt.timedelta(hours=23)) == 0
    assert services.expire_offers(now=NOW + dt.timedelta(hours=25)) == 1
    assert list(Registration.objects.order_by("id").values_list("status", flat=True)) == [
        S.CANCELLED,
        S.CANCELLED,
        S.OFFERED,
    ]
    assert AuditEntry.objects.get(action="registration.offer_expired").note == "offer expired"


def test_expiry_task_runs_the_service(activity, free_type):
    free_type.capacity = 1
    free_type.save()
    a, b, c = people(3)
    first = reg(activity, a, free_type)
    reg(activity, b, free_type)
    reg(activity, c, free_type)
    # The task reads the clock: an offer made 25 hours ago has lapsed by now.
    services.cancel(first, by=a, now=timezone.now() - dt.timedelta(hours=25))
    assert tasks.expire_offers.delay().get() == 1
    assert Registration.objects.get(person=c).status == S.OFFERED
    assert tasks.expire_offers.delay().get() == 0


# -- groups ---------------------------------------------------------------------------------


def test_group_all_or_nothing(activity, free_type, paid_type):
    coordinator = UserFactory()
    QuestionFactory(activity=activity, required=True)  # answered later by each person
    nurse = UserFactory(profession="nurse")
    paid_type.professions = ["physician"]
    paid_type.save()
    doctors = people(2)
    with pytest.raises(ValidationError) as e:
        services.register_group(
            activity,
            coordinator=coordinator,
            name="Cardiology, St Mary's",
            people=[(doctors[0], paid_type), (nurse, paid_type), (doctors[1], free_type)],
            by=coordinator,
            now=NOW,
        )
    assert e.value.message_dict == {
        "people": [f"{nurse}: This registration type is for other professions than yours."]
    }
    assert not Registration.objects.exists() and not RegistrationGroup.objects.exists()

    group = services.register_group(
        activity,
        coordinator=coordinator,
        name="Cardiology, St Mary's",
        people=[(doctors[0], paid_type), (nurse, free_type), (doctors[1], free_type)],
        by=coordinator,
        now=NOW,
    )
    regs = Registration.objects.filter(group=group)
    assert sorted(r.person_id for r in regs) == sorted(p.pk for p in [*doctors, nurse])
    assert {r.registered_by_id for r in regs} == {coordinator.pk}


def test_group_takes_seats_then_waits(activity, free_type):
    free_type.capacity = 2
    free_type.save()
    coordinator = UserFactory()
    group = services.register_group(
        activity,
        coordinator=coordinator,
        name="Residents",
        people=[(p, free_type) for p in people(3)],
        by=coordinator,
        now=NOW,
    )
    assert sorted(group.registrations.values_list("status", flat=True)) == [
        S.CONFIRMED,
        S.CONFIRMED,
        S.WAITLISTED,
    ]


def test_group_lists_a_person_once(activity, free_type):
    coordinator = UserFactory()
    p = UserFactory()
    with pytest.raises(ValidationError) as e:
        services.register_group(
            activity,
            coordinator=coordinator,
            name="Twice",
            people=[(p, free_type), (p, free_type)],
            by=coordinator,
            now=NOW,
        )
    assert e.value.message_dict == {"people": [f"{p} is listed twice."]}


# -- payments -------------------------------------------------------------------------------


def test_payments_confirm_when_covered(activity, paid_type, learner, admin_user):
    r = reg(activity, learner, paid_type)
    with pytest.raises(PermissionDenied):
        services.confirm_payment(r, by=learner, method=PaymentMethod.INVOICE, amount=300)
    part = services.confirm_payment(
        r, by=admin_user, method=PaymentMethod.INVOICE, amount=Decimal(100), reference=" INV-7 "
    )
    assert (part.status, part.amount, part.reference, part.recorded_by) == (
        PaymentStatus.PAID,
        Decimal(100),
        "INV-7",
        admin_user,
    )
    r.refresh_from_db()
    assert r.status == S.PENDING_PAYMENT
    with pytest.raises(ValidationError) as e:
        services.confirm_payment(r, by=admin_user, method=PaymentMethod.ON_SITE, amount=250)
    assert e.value.message_dict == {"amount": ["That is more than the 200.00 USD still due."]}
    services.confirm_payment(
        r, by=admin_user, method=PaymentMethod.ON_SITE, amount=Decimal(200), now=NOW
    )
    r.refresh_from_db()
    assert (r.status, r.confirmed_at) == (S.CONFIRMED, NOW)
    assert AuditEntry.objects.filter(action="payment.recorded").count() == 2
    with pytest.raises(ValidationError):
        services.confirm_payment(r, by=admin_user, method=PaymentMethod.ON_SITE, amount=1)


def test_card_payments_are_not_recorded_by_hand(activity, paid_type, learner, admin_user):
    r = reg(activity, learner, paid_type)
    with pytest.raises(ValidationError) as e:
        services.confirm_payment(r, by=admin_user, method=PaymentMethod.STRIPE, amount=300)
    assert list(e.value.message_dict) == ["method"]


# -- seats ----------------------------------------------------------------------------------


def test_seats_left(activity, setup, free_type, paid_type):
    assert services.seats_left(activity) is None
    assert services.seats_left(activity, free_type) is None
    free_type.capacity = 3
    free_type.save()
    paid_type.capacity = 5
    paid_type.save()
    reg(activity, UserFactory(), free_type)
    assert services.seats_left(activity, free_type) == 2
    assert services.seats_left(activity) == 7  # every type limited: their sum
    setup.capacity = 4
    setup.save()
    assert services.seats_left(activity) == 3
    assert services.seats_left(activity, paid_type) == 3


# -- workshops ------------------------------------------------------------------------------


@pytest.fixture
def workshop(activity):
    return SessionFactory(
        activity=activity, title="Ultrasound workshop", format="workshop", capacity=1
    )


def test_workshop_seats_and_waiting_list(activity, free_type, workshop):
    a, b, c = (reg(activity, p, free_type) for p in people(3))
    first = services.sign_up(a, workshop, by=a.person, now=NOW)
    second = services.sign_up(b, workshop, by=b.person, now=NOW)
    third = services.sign_up(c, workshop, by=c.person, now=NOW)
    assert [s.status for s in (first, second, third)] == ["confirmed", "waitlisted", "waitlisted"]
    assert services.session_seats_left(workshop) == 0
    services.cancel_signup(first, by=a.person, now=NOW)
    second.refresh_from_db()
    assert (second.status, second.offer_expires_at) == ("offered", NOW + dt.timedelta(hours=24))
    services.decline_signup_offer(second, by=b.person, now=NOW)
    third.refresh_from_db()
    assert third.status == "offered"
    services.accept_signup_offer(third, by=c.person, now=NOW + dt.timedelta(hours=1))
    third.refresh_from_db()
    assert (third.status, third.offer_expires_at) == ("confirmed", None)


def test_workshop_offer_expires(activity, free_type, workshop):
    a, b = (reg(activity, p, free_type) for p in people(2))
    first = services.sign_up(a, workshop, by=a.person, now=NOW)
    second = services.sign_up(b, workshop, by=b.person, now=NOW)
    services.cancel_signup(first, by=a.person, now=NOW)
    assert services.expire_offers(now=NOW + dt.timedelta(hours=25)) == 1
    second.refresh_from_db()
    assert second.status == "cancelled"
    assert services.session_seats_left(workshop) == 1


def test_workshop_rules(activity, free_type, workshop, learner):
    r = reg(activity, learner, free_type)
    unscheduled = SessionFactory(activity=activity, start=None, end=None, capacity=5)
    elsewhere = SessionFactory(capacity=5)
    clash = SessionFactory(
        activity=activity, start=at(activity.start_date, 9, 30), end=at(activity.start_date, 11)
    )
    services.sign_up(r, workshop, by=learner, now=NOW)
    cases = [
        (workshop, "You have already signed up for this session."),
        (unscheduled, "This session is not scheduled yet."),
        (elsewhere, "This session belongs to another activity."),
        (clash, "This session overlaps Ultrasound workshop, which you signed up for."),
    ]
    for session, message in cases:
        with pytest.raises(ValidationError) as e:
            services.sign_up(r, session, by=learner, now=NOW)
        assert e.value.message_dict == {"session": [message]}
    later = SessionFactory(activity=activity, start=at(activity.start_date, 10))
    assert services.sign_up(r, later, by=learner, now=NOW).status == "confirmed"


def test_waiting_registration_cannot_sign_up(activity, free_type, workshop):
    free_type.capacity = 1
    free_type.save()
    reg(activity, UserFactory(), free_type)
    waiting = reg(activity, UserFactory(), free_type)
    with pytest.raises(ValidationError) as e:
        services.sign_up(waiting, workshop, by=waiting.person, now=NOW)
    assert e.value.messages == ["Only a confirmed or pending registration can sign up."]


def test_cancelling_a_registration_frees_its_workshop_seat(activity, free_type, workshop):
    a, b = (reg(activity, p, free_type) for p in people(2))
    services.sign_up(a, workshop, by=a.person, now=NOW)
    waiting = services.sign_up(b, workshop, by=b.person, now=NOW)
    services.cancel(a, by=a.person, now=NOW)
    assert list(WorkshopSignup.objects.filter(registration=a).values_list("status", flat=True)) == [
        "cancelled"
    ]
    waiting.refresh_from_db()
    assert waiting.status == "offered"


def test_only_the_person_or_the_team_cancels(activity, free_type, learner, admin_user):
    r = reg(activity, learner, free_type)
    with pytest.raises(PermissionDenied):
        services.cancel(r, by=UserFactory(), now=NOW)
    services.cancel(r, by=admin_user, reason="duplicate", now=NOW)
    r.refresh_from_db()
    assert r.status == S.CANCELLED
    with pytest.raises(ValidationError):
        services.cancel(r, by=admin_user, now=NOW)


def test_leaving_the_waiting_list_offers_nothing(activity, free_type):
    free_type.capacity = 1
    free_type.save()
    a, b, c = people(3)
    reg(activity, a, free_type)
    second = reg(activity, b, free_type)
    reg(activity, c, free_type)
    services.cancel(second, by=b, now=NOW)
    assert Registration.objects.get(person=c).status == S.WAITLISTED
    assert not AuditEntry.objects.filter(action="registration.offered").exists()
