"""A workshop fills up: the next learner is wait-listed, and gets the seat offered when it frees."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.factories import SessionFactory, UserFactory
from tests.registration.factories import RegistrationSetupFactory, RegistrationTypeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_full_workshop_wait_lists_the_next_registrant(
    browser, live_server, login, screenshot, activity
):
    from playwright.sync_api import expect

    from cmeconf.registration import services
    from cmeconf.registration.choices import SignupStatus
    from cmeconf.registration.models import WorkshopSignup

    RegistrationSetupFactory(activity=activity)
    free = RegistrationTypeFactory(activity=activity, name="Physician")
    start = dt.datetime.combine(activity.start_date, dt.time(14), tzinfo=dt.UTC)
    workshop = SessionFactory(
        activity=activity,
        title="Point-of-Care Ultrasound",
        capacity=1,
        start=start,
        end=start + dt.timedelta(hours=2),
    )
    first, second = UserFactory(first_name="Ada"), UserFactory(first_name="Ben")
    for person in (first, second):
        services.register(activity, person, registration_type=free, by=person)
    mine = live_server.url + reverse(
        "learner_registration:mine", args=[activity.provider.slug, activity.slug]
    )

    def page_for(person):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(10_000)
        login(page, person)
        page.goto(mine)
        return page

    # The first learner takes the only seat.
    ada = page_for(first)
    expect(ada.locator(".workshop")).to_contain_text("1 seat left")
    ada.get_by_role("button", name="Sign up Point-of-Care Ultrasound").click()
    expect(ada.locator(".messages")).to_contain_text("You have a seat in")

    # The second sees it full and joins the waiting list.
    ben = page_for(second)
    expect(ben.locator(".workshop")).to_contain_text("Full: signing up puts you on the waiting")
    ben.get_by_role("button", name="Join the waiting list Point-of-Care Ultrasound").click()
    expect(ben.locator(".messages")).to_contain_text("is full: you are on its waiting list")
    expect(ben.locator(".workshop")).to_contain_text("You are on the waiting list")
    screenshot(ben, "workshop-waitlisted")

    # The seat frees up: the one waiting is offered it and accepts.
    ada.get_by_role("button", name="Cancel my seat Point-of-Care Ultrasound").click()
    expect(ada.locator(".messages")).to_contain_text("You have left")
    ben.reload()
    expect(ben.locator(".workshop")).to_contain_text("A seat is offered to you")
    expect(ben.locator(".workshop")).to_contain_text(re.compile(r"Offered until"))
    screenshot(ben, "workshop-offered")
    ben.get_by_role("button", name="Accept the seat Point-of-Care Ultrasound").click()
    expect(ben.locator(".workshop")).to_contain_text("You have a seat")

    seats = WorkshopSignup.objects.filter(session=workshop, status=SignupStatus.CONFIRMED)
    assert [s.registration.person for s in seats] == [second]
