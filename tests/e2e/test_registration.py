"""A learner registers for an activity with a promo code, in a real Chromium."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import SessionFactory
from tests.registration.factories import (
    PriceTierFactory,
    PromoCodeFactory,
    QuestionFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def url(live_server, name: str, activity) -> str:
    path = reverse(f"learner_registration:{name}", args=[activity.provider.slug, activity.slug])
    return live_server.url + path


def test_learner_registers_with_a_promo_code(
    page, live_server, login, screenshot, activity, learner
):
    from playwright.sync_api import expect

    from cmeconf.registration.models import Registration

    RegistrationSetupFactory(activity=activity)
    physician = RegistrationTypeFactory(activity=activity, name="Physician", order=1)
    PriceTierFactory(registration_type=physician, label="Regular", amount=Decimal("400.00"))
    RegistrationTypeFactory(activity=activity, name="Resident", order=2, capacity=0)
    PromoCodeFactory(activity=activity, code="RESIDENT25", percent_off=25)
    meal = QuestionFactory(
        activity=activity,
        label="Meal",
        kind="choice",
        choices=["Vegetarian", "Any"],
        required=True,
    )
    SessionFactory(activity=activity, title="Ultrasound Workshop", capacity=12)

    # Not logged in: the form sends the learner to log in, then back.
    page.goto(url(live_server, "register", activity))
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    login(page, learner)
    page.goto(url(live_server, "register", activity))
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")
    consent = page.get_by_role("checkbox", name=re.compile("Share my name"))
    expect(consent).not_to_be_checked()

    page.get_by_label(re.compile(r"Physician · Regular: 400\.00 USD")).check()
    page.get_by_label("Promo code").fill("WRONG")
    page.get_by_label("Vegetarian").check()
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".errorlist")).to_contain_text("There is no such promo code.")
    expect(page.get_by_label("Promo code")).to_have_value("WRONG")
    expect(page.get_by_label("Vegetarian")).to_be_checked()
    screenshot(page, "registration-form-error")

    page.get_by_label("Promo code").fill("RESIDENT25")
    page.get_by_role("button", name="Register").click()

    expect(page).to_have_url(re.compile(r"/my-registration/$"))
    expect(page.locator(".messages")).to_contain_text("Thank you, you are registered.")
    expect(page.get_by_role("heading", level=2, name=re.compile("Status"))).to_contain_text(
        "Awaiting payment"
    )
    facts = page.locator(".registration-facts")
    expect(facts).to_contain_text("promo code RESIDENT25")
    expect(facts).to_contain_text("300.00 USD")
    expect(page.get_by_text("Card payment is not available for this conference.")).to_be_visible()
    expect(page.get_by_role("link", name="Ultrasound Workshop")).to_be_visible()
    expect(page.get_by_role("button", name="Sign up Ultrasound Workshop")).to_be_visible()
    screenshot(page, "registration-mine")

    reg = Registration.objects.get(person=learner)
    assert (reg.discount, reg.amount_due) == (Decimal("100.00"), Decimal("300.00"))
    assert reg.answers == {str(meal.pk): "Vegetarian"}
