"""A physician with two licences finds what fills their gaps, in a real Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ActivityFactory, SessionFactory, at
from tests.registration.factories import RegistrationSetupFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _day(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def physician_with_licences(learner):
    from cmeconf.licensure import services
    from cmeconf.licensure.models import Licence

    Licence.objects.create(
        person=learner,
        requirement_set="US-CA-MD",
        license_type="MD",
        number="A 98765",
        issued_on=dt.date(2009, 7, 1),
        birth_month=_day(100).month,
        birth_day=14,
    )
    Licence.objects.create(
        person=learner,
        requirement_set="US-TX-MD-DO",
        license_type="MD",
        number="Q4411",
        issued_on=dt.date(2015, 2, 1),
        expires_on=_day(200),
        conditions=["direct_patient_care"],
    )
    services.add_credit(
        learner,
        title="Heart Failure Update",
        provider_name="Midwest Cardiology Society",
        completed_on=_day(-40),
        amounts={"AMA_PRA_1": "8"},
    )
    services.add_credit(
        learner,
        title="Hospital Grand Rounds",
        completed_on=_day(-20),
        amounts={"AMA_PRA_2": "6"},
    )
    return learner


@pytest.fixture
def meeting(db):
    from cmeconf.activities.models import Topic

    activity = ActivityFactory(
        slug="spring",
        title="Spring Internal Medicine Meeting",
        start_date=_day(45),
        end_date=_day(46),
    )
    RegistrationSetupFactory(activity=activity, credit_types=["AMA_PRA_1", "ABMS_MOC"])
    # Transactional tests flush the shared topics the migration made: make them again.
    ethics, _ = Topic.objects.get_or_create(
        provider=None, slug="ethics", defaults={"name": "Ethics"}
    )
    eol, _ = Topic.objects.get_or_create(
        provider=None, slug="end-of-life-care", defaults={"name": "End-of-life care"}
    )
    talks = [
        ("Ethics at the Bedside", 9, [ethics]),
        ("Palliative Care for the Internist", 11, [eol]),
        ("Update in Hypertension", 14, []),
    ]
    for title, hour, topics in talks:
        session = SessionFactory(
            activity=activity, title=title, start=at(activity.start_date, hour)
        )
        session.topics.set(topics)
    return activity


def test_physician_sees_both_gaps_and_adds_a_filler_to_the_agenda(
    page, phone_page, live_server, login, screenshot, physician_with_licences, meeting
):
    from playwright.sync_api import expect

    login(page, physician_with_licences)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My licences").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My licences and CME")
    california = page.locator("section.licence", has_text="California: physician (MD)")
    texas = page.locator("section.licence", has_text="Texas: physician (DO, MD)")
    expect(california.get_by_text("Gaps to close")).to_be_visible()
    expect(texas.get_by_text("Gaps to close")).to_be_visible()
    expect(california.get_by_text("8 of 50 hours")).to_be_visible()
    expect(texas.get_by_text("8 of 48 credits")).to_be_visible()
    expect(texas.get_by_text("Verify with your board.")).to_be_visible()
    # The unconfirmed Texas opioid mandate is marked, not stated as fact.
    opioids = texas.locator("li.requirement", has_text="Safe and effective pain management")
    expect(opioids.get_by_text("Not verified — check with your board")).to_be_visible()
    # Why the grand rounds do not count, in words.
    total = texas.locator("li.requirement", has_text="Total CME")
    total.locator("summary").click()
    expect(
        total.get_by_text("Hospital Grand Rounds", exact=False).filter(
            has_text="a credit type this requirement does not accept"
        )
    ).to_be_visible()
    screenshot(page, "licensure-dashboard")

    texas.get_by_role("link", name="What fills my gap").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What fills my gap")
    fillers = page.locator("li.filler")
    expect(fillers).to_have_count(3)
    # The ethics session closes the ethics mandate too, so it comes first.
    first = fillers.first
    expect(first.get_by_role("link", name="Ethics at the Bedside")).to_be_visible()
    expect(first.get_by_text("Medical ethics and/or professional responsibility")).to_be_visible()
    screenshot(page, "licensure-fill")
    first.get_by_role("button", name="Add to my agenda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What fills my gap")
    expect(page.get_by_text("Added “Ethics at the Bedside” to your agenda.")).to_be_visible()
    first = page.locator("li.filler").first
    expect(first.get_by_text("In your agenda")).to_be_visible()
    screenshot(page, "licensure-fill-in-agenda")

    first.get_by_role("link", name="See my agenda").click()
    agenda = reverse("public:agenda", args=[meeting.provider.slug, meeting.slug])
    assert page.url == live_server.url + agenda
    expect(page.get_by_role("link", name="Ethics at the Bedside")).to_be_visible()
    expect(page.get_by_role("link", name="Update in Hypertension")).to_have_count(0)

    # A licence the form cannot take is explained beside its fields.
    page.goto(live_server.url + reverse("licensure:licence_add"))
    page.get_by_label("Jurisdiction and profession").select_option("US-FL-MD")
    page.get_by_label("Licence type").fill("RN")
    page.get_by_role("button", name="Save licence").click()
    expect(page.get_by_text("Nothing was saved.")).to_be_visible()
    expect(page.get_by_text("Florida covers these licence types: MD.")).to_be_visible()
    screenshot(page, "licensure-licence-form-error")

    # The same pages on a phone.
    login(phone_page, physician_with_licences)
    phone_page.goto(live_server.url + reverse("licensure:dashboard"))
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("My licences and CME")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone_page, "licensure-dashboard-phone")
    phone_page.locator("section.licence", has_text="Texas").get_by_role(
        "link", name="What fills my gap"
    ).click()
    expect(phone_page.locator("li.filler").first.get_by_text("In your agenda")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "licensure-fill-phone")
