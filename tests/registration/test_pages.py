"""The learner's registration pages: the form and the learner's own registration."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from cmeconf.activities.choices import ActivityState
from cmeconf.integrity.models import SharingConsent
from cmeconf.registration import services
from cmeconf.registration.choices import RegistrationStatus, SignupStatus
from cmeconf.registration.models import Registration, WorkshopSignup
from tests.factories import SessionFactory, UserFactory
from tests.registration.factories import (
    PriceTierFactory,
    PromoCodeFactory,
    QuestionFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

S = RegistrationStatus


def url(name: str, activity, *args) -> str:
    return reverse(
        f"learner_registration:{name}", args=[activity.provider.slug, activity.slug, *args]
    )


@pytest.fixture
def setup(activity):
    return RegistrationSetupFactory(activity=activity)


@pytest.fixture
def physician(activity, setup):
    t = RegistrationTypeFactory(activity=activity, code="physician", name="Physician")
    PriceTierFactory(registration_type=t, label="Regular", amount=Decimal("400.00"))
    return t


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def registration_of(person, activity) -> Registration:
    return Registration.objects.exclude(status=S.CANCELLED).get(person=person, activity=activity)


def test_form_shows_types_with_price_and_an_unticked_optional_consent(
    learner_client, activity, physician
):
    full = RegistrationTypeFactory(activity=activity, name="Nurse", capacity=0)
    response = learner_client.get(url("register", activity))
    html = response.content.decode()
    assert "Physician · Regular: 400.00 USD" in html
    assert "Nurse · free of charge · full: you join the waiting list" in html
    form = response.context["form"]
    assert form.fields["registration_type"].queryset.count() == 2
    consent = form["share_with_companies"]
    assert consent.field.required is False
    assert consent.value() in (False, None)
    assert 'name="share_with_companies"' in html
    assert "checked" not in str(consent)
    assert full.pk in {t.pk for t in form.fields["registration_type"].queryset}


def test_register_without_consent(learner_client, learner, activity, physician):
    response = learner_client.post(url("register", activity), {"registration_type": physician.pk})
    assert response.status_code == 302
    assert response["Location"] == url("mine", activity)
    reg = registration_of(learner, activity)
    assert reg.status == S.PENDING_PAYMENT
    assert reg.amount_due == Decimal("400.00")
    assert not SharingConsent.objects.filter(person=learner, activity=activity).exists()


def test_register_with_consent(learner_client, learner, activity, physician):
    learner_client.post(
        url("register", activity),
        {"registration_type": physician.pk, "share_with_companies": "on"},
    )
    assert registration_of(learner, activity).status == S.PENDING_PAYMENT
    consent = SharingConsent.objects.get(person=learner, activity=activity)
    assert consent.withdrawn_at is None


def test_promo_code_is_applied_and_shown(learner_client, learner, activity, physician):
    PromoCodeFactory(activity=activity, code="RESIDENT25", percent_off=25)
    response = learner_client.post(
        url("register", activity),
        {"registration_type": physician.pk, "promo_code": "resident25"},
        follow=True,
    )
    reg = registration_of(learner, activity)
    assert reg.discount == Decimal("100.00")
    assert reg.amount_due == Decimal("300.00")
    html = response.content.decode()
    assert "Thank you, you are registered." in html
    assert "\u2212100.00 USD (promo code RESIDENT25)" in html
    assert "300.00 USD" in html
    assert "Card payment is not available for this conference." in html
    assert "Show my badge" in html


def test_bad_promo_code_shows_the_error_and_keeps_the_input(
    learner_client, learner, activity, physician
):
    QuestionFactory(activity=activity, label="Dietary needs", kind="text")
    response = learner_client.post(
        url("register", activity),
        {"registration_type": physician.pk, "promo_code": "NOPE", "share_with_companies": "on"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["promo_code"] == ["There is no such promo code."]
    html = response.content.decode()
    assert 'value="NOPE"' in html
    assert form["share_with_companies"].value() is True
    assert str(form["registration_type"].value()) == str(physician.pk)
    assert not Registration.objects.filter(person=learner).exists()
    assert not SharingConsent.objects.filter(person=learner).exists()


def test_questions_required_and_choices_validated(learner_client, learner, activity, physician):
    diet = QuestionFactory(
        activity=activity, label="Meal", kind="choice", choices=["Vegetarian", "Any"], required=True
    )
    access = QuestionFactory(activity=activity, label="Wheelchair access?", kind="yes_no")
    response = learner_client.post(
        url("register", activity), {"registration_type": physician.pk, f"question_{diet.pk}": "X"}
    )
    assert f"question_{diet.pk}" in response.context["form"].errors
    assert not Registration.objects.filter(person=learner).exists()
    learner_client.post(
        url("register", activity),
        {
            "registration_type": physician.pk,
            f"question_{diet.pk}": "Vegetarian",
            f"question_{access.pk}": "no",
        },
    )
    assert registration_of(learner, activity).answers == {
        str(diet.pk): "Vegetarian",
        str(access.pk): False,
    }


def test_full_type_puts_on_the_waiting_list_with_a_clear_message(
    learner_client, learner, activity, setup
):
    t = RegistrationTypeFactory(activity=activity, name="Resident", capacity=1)
    other = UserFactory()
    services.register(activity, other, registration_type=t, by=other)
    response = learner_client.post(
        url("register", activity), {"registration_type": t.pk}, follow=True
    )
    assert registration_of(learner, activity).status == S.WAITLISTED
    html = response.content.decode()
    assert "You are on the waiting list" in html
    assert "On the waiting list" in html


def test_registration_closed_error_is_shown_on_the_form(learner_client, activity, physician):
    import datetime as dt

    physician.activity.registration_setup.closes_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    physician.activity.registration_setup.save()
    response = learner_client.post(url("register", activity), {"registration_type": physician.pk})
    assert response.context["form"].non_field_errors() == ["Registration has closed."]
    assert "Registration has closed." in response.content.decode()


def test_already_registered_goes_to_my_registration(learner_client, learner, activity, physician):
    services.register(activity, learner, registration_type=physician, by=learner)
    response = learner_client.get(url("register", activity))
    assert response.status_code == 302
    assert response["Location"] == url("mine", activity)


def test_login_required_with_next(client, activity, physician):
    response = client.get(url("register", activity))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=" + url("register", activity)


def test_another_user_cannot_see_or_change_someone_elses_registration(
    learner_client, learner, activity, physician
):
    other = UserFactory(first_name="Olga", last_name="Other")
    reg = services.register(activity, other, registration_type=physician, by=other)
    response = learner_client.get(url("mine", activity))
    assert response.context["registration"] is None
    assert "You are not registered for this activity." in response.content.decode()
    # The pages act on the logged-in person's own registration only: nothing to cancel.
    assert learner_client.post(url("cancel", activity)).status_code == 404
    assert learner_client.post(url("decline", activity)).status_code == 404
    reg.refresh_from_db()
    assert reg.status == S.PENDING_PAYMENT


def test_cancel_asks_first_then_cancels(learner_client, learner, activity, physician):
    reg = services.register(activity, learner, registration_type=physician, by=learner)
    page = learner_client.get(url("cancel", activity))
    assert "Yes, cancel my registration" in page.content.decode()
    reg.refresh_from_db()
    assert reg.status == S.PENDING_PAYMENT
    response = learner_client.post(url("cancel", activity), follow=True)
    reg.refresh_from_db()
    assert reg.status == S.CANCELLED
    assert "Your registration is cancelled." in response.content.decode()


def test_accept_an_offered_seat(learner_client, learner, activity, setup):
    t = RegistrationTypeFactory(activity=activity, name="Resident", capacity=1)
    first = UserFactory()
    taken = services.register(activity, first, registration_type=t, by=first)
    mine = services.register(activity, learner, registration_type=t, by=learner)
    assert mine.status == S.WAITLISTED
    services.cancel(taken, by=first)
    mine.refresh_from_db()
    assert mine.status == S.OFFERED
    page = learner_client.get(url("mine", activity)).content.decode()
    assert "Accept the seat" in page
    learner_client.post(url("accept", activity))
    mine.refresh_from_db()
    assert mine.status == S.CONFIRMED


@pytest.mark.parametrize(
    "state", [ActivityState.DRAFT, ActivityState.IN_REVIEW, ActivityState.APPROVED]
)
def test_unpublished_activity_404(learner_client, activity, physician, state):
    activity.state = state
    activity.save()
    assert learner_client.get(url("register", activity)).status_code == 404
    assert learner_client.get(url("mine", activity)).status_code == 404


def test_activity_without_registration_setup_404(learner_client, activity):
    assert learner_client.get(url("register", activity)).status_code == 404
    assert learner_client.get(url("mine", activity)).status_code == 404


def test_workshop_sign_up_and_cancel(learner_client, learner, activity, physician):
    workshop = SessionFactory(activity=activity, title="Ultrasound Workshop", capacity=1)
    SessionFactory(activity=activity, title="Plenary lecture")  # no limit: not listed
    services.register(activity, learner, registration_type=physician, by=learner)
    page = learner_client.get(url("mine", activity)).content.decode()
    assert "Ultrasound Workshop" in page
    assert "Plenary lecture" not in page
    assert "1 seat left" in page

    response = learner_client.post(url("workshop_sign_up", activity, workshop.code), follow=True)
    signup = WorkshopSignup.objects.get(registration__person=learner, session=workshop)
    assert signup.status == SignupStatus.CONFIRMED
    html = response.content.decode()
    assert "You have a seat in “Ultrasound Workshop”." in html
    assert "Cancel my seat" in html

    learner_client.post(url("workshop_cancel", activity, workshop.code))
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CANCELLED


def test_full_workshop_puts_on_its_waiting_list(learner_client, learner, activity, physician):
    workshop = SessionFactory(activity=activity, title="Suturing", capacity=1)
    other = UserFactory()
    theirs = services.register(activity, other, registration_type=physician, by=other)
    services.sign_up(theirs, workshop, by=other)
    services.register(activity, learner, registration_type=physician, by=learner)
    response = learner_client.post(url("workshop_sign_up", activity, workshop.code), follow=True)
    assert "“Suturing” is full: you are on its waiting list." in response.content.decode()
    assert (
        WorkshopSignup.objects.get(registration__person=learner).status == SignupStatus.WAITLISTED
    )


def test_workshop_of_someone_else_cannot_be_cancelled(learner_client, learner, activity, physician):
    workshop = SessionFactory(activity=activity, capacity=5)
    other = UserFactory()
    theirs = services.register(activity, other, registration_type=physician, by=other)
    their_signup = services.sign_up(theirs, workshop, by=other)
    services.register(activity, learner, registration_type=physician, by=learner)
    assert learner_client.post(url("workshop_cancel", activity, workshop.code)).status_code == 404
    their_signup.refresh_from_db()
    assert their_signup.status == SignupStatus.CONFIRMED
