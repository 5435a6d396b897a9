"""Setting up registration: set-up, types, price tiers, promo codes, questions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cmeconf.common.models import AuditEntry
from cmeconf.registration import services, setup
from cmeconf.registration.models import PriceTier, PromoCode, Question, RegistrationSetup
from tests.factories import ActivityFactory, TeamFactory, UserFactory
from tests.registration.factories import (
    PriceTierFactory,
    QuestionFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

UTC = dt.UTC
NOW = dt.datetime(2027, 2, 15, 12, tzinfo=UTC)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def program_only(provider):
    user = UserFactory()
    TeamFactory(provider=provider, permissions=["program"], members=[user])
    return user


# -- the set-up -----------------------------------------------------------------------------


def test_save_setup_creates_then_changes_and_audits(activity, admin_user):
    version = activity.program_version
    saved = setup.save_setup(
        activity,
        by=admin_user,
        opens_at=dt.datetime(2027, 1, 1, tzinfo=UTC),
        closes_at=dt.datetime(2027, 4, 1, tzinfo=UTC),
        capacity=200,
        currency="eur",
        refund_percent=80,
        offer_hours=24,
    )
    assert (saved.capacity, saved.currency, saved.refund_percent) == (200, "EUR", 80)
    setup.save_setup(activity, by=admin_user, capacity=150)
    saved.refresh_from_db()
    assert (saved.capacity, saved.offer_hours) == (150, 24)
    assert RegistrationSetup.objects.filter(activity=activity).count() == 1
    entries = list(
        AuditEntry.objects.filter(
            action="registration.setup_saved", activity_id=activity.pk
        ).order_by("id")
    )
    assert len(entries) == 2
    assert entries[-1].before["capacity"] == 200 and entries[-1].after["capacity"] == 150
    activity.refresh_from_db()
    assert activity.program_version == version + 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (
            {
                "opens_at": dt.datetime(2027, 4, 1, tzinfo=UTC),
                "closes_at": dt.datetime(2027, 1, 1, tzinfo=UTC),
            },
            "closes_at",
        ),
        ({"currency": "DOLLARS"}, "currency"),
        ({"currency": "U1"}, "currency"),
        ({"refund_percent": 101}, "refund_percent"),
        ({"offer_hours": 0}, "offer_hours"),
    ],
)
def test_save_setup_refuses_bad_values_and_saves_nothing(activity, admin_user, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        setup.save_setup(activity, by=admin_user, **fields)
    assert field in errors_of(excinfo)
    assert not RegistrationSetup.objects.filter(activity=activity).exists()
    assert not AuditEntry.objects.filter(action="registration.setup_saved").exists()


def test_seats_cannot_drop_below_those_taken(activity, admin_user):
    RegistrationSetupFactory(activity=activity, capacity=10)
    reg_type = RegistrationTypeFactory(activity=activity)
    for person in UserFactory.create_batch(3):
        services.register(activity, person, registration_type=reg_type, by=person, now=NOW)
    with pytest.raises(ValidationError) as excinfo:
        setup.save_setup(activity, by=admin_user, capacity=2)
    assert "3 seats are already taken." in errors_of(excinfo)["capacity"]
    with pytest.raises(ValidationError) as excinfo:
        setup.update_type(reg_type, by=admin_user, capacity=2)
    assert "capacity" in errors_of(excinfo)
    assert setup.save_setup(activity, by=admin_user, capacity=3).capacity == 3


def test_only_the_registration_team_sets_up(activity, program_only):
    with pytest.raises(PermissionDenied):
        setup.save_setup(activity, by=program_only, capacity=10)
    with pytest.raises(PermissionDenied):
        setup.create_type(activity, by=program_only, code="x", name="X")
    with pytest.raises(PermissionDenied):
        setup.create_promo(activity, by=program_only, code="X", percent_off=5)
    with pytest.raises(PermissionDenied):
        setup.add_question(activity, by=program_only, label="Diet?", kind="text")


def test_a_team_of_another_activity_cannot_set_up(provider, activity):
    other_activity = ActivityFactory(provider=provider, slug="winter")
    user = UserFactory()
    TeamFactory(
        provider=provider,
        permissions=["registration"],
        members=[user],
        all_activities=False,
        activities=[other_activity],
    )
    with pytest.raises(PermissionDenied):
        setup.save_setup(activity, by=user, capacity=10)


# -- types and tiers ------------------------------------------------------------------------


def test_create_and_update_type(activity, admin_user):
    reg_type = setup.create_type(
        activity, by=admin_user, code="Nurse", name=" Nurse ", capacity=20, mode="in_person"
    )
    assert (reg_type.code, reg_type.name, reg_type.capacity) == ("nurse", "Nurse", 20)
    setup.update_type(reg_type, by=admin_user, name="Nurse practitioner", is_active=False)
    reg_type.refresh_from_db()
    assert (reg_type.name, reg_type.is_active) == ("Nurse practitioner", False)
    actions = list(
        AuditEntry.objects.filter(activity_id=activity.pk, action__startswith="registration.type")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["registration.type_created", "registration.type_changed"]


def test_type_codes_are_unique_in_an_activity(activity, admin_user):
    setup.create_type(activity, by=admin_user, code="nurse", name="Nurse")
    with pytest.raises(ValidationError) as excinfo:
        setup.create_type(activity, by=admin_user, code="NURSE", name="Another")
    assert "code" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        setup.create_type(activity, by=admin_user, code="", name="", mode="by pigeon")
    assert set(errors_of(excinfo)) == {"code", "name", "mode"}


def test_tiers_early_bird_then_regular(activity, admin_user):
    RegistrationSetupFactory(activity=activity)
    reg_type = RegistrationTypeFactory(activity=activity)
    setup.add_tier(
        reg_type,
        by=admin_user,
        label="Early bird",
        amount=Decimal("300"),
        available_until=dt.datetime(2027, 3, 1, tzinfo=UTC),
    )
    regular = setup.add_tier(reg_type, by=admin_user, label="Regular", amount=Decimal("400"))
    learner = UserFactory()
    registered = services.register(
        activity, learner, registration_type=reg_type, by=learner, now=NOW
    )
    assert (registered.price_label, registered.price) == ("Early bird", Decimal("300.00"))
    # A second price without a date would leave the price undecided.
    with pytest.raises(ValidationError) as excinfo:
        setup.add_tier(reg_type, by=admin_user, label="Late", amount=Decimal("500"))
    assert "available_until" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        setup.add_tier(reg_type, by=admin_user, label="", amount=Decimal("-1"))
    assert set(errors_of(excinfo)) == {"label", "amount", "available_until"}
    setup.remove_tier(regular, by=admin_user)
    assert list(
        PriceTier.objects.filter(registration_type=reg_type).values_list("label", flat=True)
    ) == ["Early bird"]
    assert AuditEntry.objects.filter(action="registration.tier_removed").count() == 1
    # The registration keeps the price it was given.
    registered.refresh_from_db()
    assert registered.price == Decimal("300.00")


# -- promo codes ----------------------------------------------------------------------------


def test_promo_codes_are_stored_upper_case_and_unique_whatever_the_case(activity, admin_user):
    promo = setup.create_promo(activity, by=admin_user, code=" early10 ", percent_off=10)
    assert promo.code == "EARLY10"
    with pytest.raises(ValidationError) as excinfo:
        setup.create_promo(activity, by=admin_user, code="Early10", amount_off=Decimal("5"))
    assert "code" in errors_of(excinfo)
    assert PromoCode.objects.filter(activity=activity).count() == 1
    # Another activity may use the same code.
    other = ActivityFactory(provider=activity.provider, slug="winter")
    assert setup.create_promo(other, by=admin_user, code="early10", percent_off=5).pk


def test_promo_code_needs_a_discount_and_sane_values(activity, admin_user):
    with pytest.raises(ValidationError) as excinfo:
        setup.create_promo(activity, by=admin_user, code="two words")
    assert set(errors_of(excinfo)) == {"code", "percent_off"}
    with pytest.raises(ValidationError) as excinfo:
        setup.create_promo(
            activity, by=admin_user, code="X", percent_off=150, amount_off=Decimal("0"), max_uses=0
        )
    assert set(errors_of(excinfo)) == {"percent_off", "amount_off", "max_uses"}
    assert not PromoCode.objects.exists()


def test_promo_limited_to_types_of_its_own_activity(activity, admin_user):
    mine = RegistrationTypeFactory(activity=activity)
    theirs = RegistrationTypeFactory(activity=ActivityFactory(provider=activity.provider))
    with pytest.raises(ValidationError) as excinfo:
        setup.create_promo(
            activity, by=admin_user, code="X", percent_off=5, registration_types=[theirs]
        )
    assert "registration_types" in errors_of(excinfo)
    promo = setup.create_promo(
        activity, by=admin_user, code="X", percent_off=5, registration_types=[mine]
    )
    assert list(promo.registration_types.all()) == [mine]
    setup.update_promo(promo, by=admin_user, code="y", registration_types=[])
    promo.refresh_from_db()
    assert promo.code == "Y" and not promo.registration_types.exists()
    # Leaving out the types keeps them.
    setup.update_promo(promo, by=admin_user, registration_types=[mine])
    setup.update_promo(promo, by=admin_user, is_active=False)
    assert list(promo.registration_types.all()) == [mine]
    changed = AuditEntry.objects.filter(action="registration.promo_changed").order_by("id").last()
    assert changed.before["is_active"] is True and changed.after["is_active"] is False


def test_promo_code_typed_in_small_letters_applies(activity, admin_user):
    RegistrationSetupFactory(activity=activity)
    reg_type = RegistrationTypeFactory(activity=activity)
    PriceTierFactory(registration_type=reg_type, amount=Decimal("400.00"))
    setup.create_promo(activity, by=admin_user, code="Early10", percent_off=10)
    learner = UserFactory()
    registered = services.register(
        activity, learner, registration_type=reg_type, by=learner, promo_code="early10", now=NOW
    )
    assert registered.discount == Decimal("40.00")


# -- questions ------------------------------------------------------------------------------


def test_add_questions_in_order_with_choices(activity, admin_user):
    first = setup.add_question(activity, by=admin_user, label="Diet?", kind="text")
    second = setup.add_question(
        activity,
        by=admin_user,
        label="Meal",
        kind="choice",
        choices=[" Vegetarian ", "", "Vegan"],
        required=True,
        purpose="dietary",
    )
    assert second.choices == ["Vegetarian", "Vegan"]
    assert list(Question.objects.filter(activity=activity)) == [first, second]
    assert AuditEntry.objects.filter(action="registration.question_added").count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"label": "", "kind": "text"}, "label"),
        ({"label": "Meal", "kind": "choice", "choices": ["Only one"]}, "choices"),
        ({"label": "Meal", "kind": "multiple", "choices": ["Fish", "fish"]}, "choices"),
        ({"label": "Diet", "kind": "text", "choices": ["a", "b"]}, "choices"),
        ({"label": "Diet", "kind": "essay"}, "kind"),
        ({"label": "Diet", "kind": "text", "purpose": "fun"}, "purpose"),
    ],
)
def test_bad_questions_are_refused(activity, admin_user, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        setup.add_question(activity, by=admin_user, **fields)
    assert field in errors_of(excinfo)
    assert not Question.objects.exists()


def test_remove_question_keeps_answers(activity, admin_user):
    RegistrationSetupFactory(activity=activity)
    reg_type = RegistrationTypeFactory(activity=activity)
    question = QuestionFactory(activity=activity)
    learner = UserFactory()
    registered = services.register(
        activity,
        learner,
        registration_type=reg_type,
        by=learner,
        answers={question.pk: "Vegan"},
        now=NOW,
    )
    setup.remove_question(question, by=admin_user)
    assert not Question.objects.filter(pk=question.pk).exists()
    registered.refresh_from_db()
    assert list(registered.answers.values()) == ["Vegan"]
    assert AuditEntry.objects.filter(action="registration.question_removed").count() == 1
