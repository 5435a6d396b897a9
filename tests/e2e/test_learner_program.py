"""A learner's way through the public program, in a real Chromium."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.activities.public_program import build_program

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def url(live_server, name: str, activity, *args) -> str:
    path = reverse(f"public:{name}", args=[activity.provider.slug, activity.slug, *args])
    return live_server.url + path


@pytest.fixture
def program(activity, admin_user):
    return build_program(activity, by=admin_user)


def test_learner_filters_opens_bookmarks_and_downloads_the_agenda(
    page, live_server, login, screenshot, program, learner, tmp_path
):
    from playwright.sync_api import expect

    a = program.activity
    page.goto(url(live_server, "activity", a))
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual Meeting 2027")
    screenshot(page, "program-activity-home")
    page.get_by_role("link", name="See the program").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Program")
    grid = page.locator("table.schedule-grid")
    expect(grid.get_by_role("columnheader", name="Hall A")).to_be_visible()
    expect(
        grid.get_by_role("link", name="Heart Failure with Preserved Ejection Fraction")
    ).to_be_visible()
    expect(page.get_by_text("Non-accredited, not for credit")).to_be_visible()
    screenshot(page, "program-schedule")

    # filter by track, with the plain GET form
    page.get_by_label("Track").select_option(label="Endocrinology")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"track=\d+"))
    expect(page.get_by_role("link", name="Insulin Pump Workshop")).to_be_visible()
    expect(
        page.get_by_role("link", name="Heart Failure with Preserved Ejection Fraction")
    ).to_have_count(0)
    screenshot(page, "program-schedule-filtered")

    page.get_by_role("link", name="Insulin Pump Workshop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insulin Pump Workshop")
    session_url = page.url

    # the lecture's page names its faculty, linked to their pages
    page.goto(url(live_server, "session", a, program.lecture.code))
    screenshot(page, "program-session")
    page.get_by_role("link", name="Ada Okafor, MD, FACC").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Okafor, MD, FACC")
    screenshot(page, "program-faculty")

    # bookmark: log in first, then the button toggles in place
    login(page, learner)
    page.goto(session_url)
    button = page.locator(".page-header .bookmark__button")
    expect(button).to_contain_text("Add to my agenda")
    button.click()
    expect(page.locator(".page-header .bookmark__button")).to_contain_text("In my agenda")
    expect(page.locator(".page-header .bookmark__button")).to_have_attribute(
        "data-bookmarked", "true"
    )
    screenshot(page, "program-session-bookmarked")

    # the cached schedule marks it too, through agenda_ids.json
    page.goto(url(live_server, "schedule", a))
    workshop = page.locator("article.slot", has_text="Insulin Pump Workshop")
    expect(workshop.locator(".bookmark__button")).to_have_attribute("data-bookmarked", "true")
    lecture = page.locator("article.slot", has_text="Heart Failure with Preserved")
    expect(lecture.locator(".bookmark__button")).to_have_attribute("data-bookmarked", "false")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My agenda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My agenda")
    expect(page.get_by_role("link", name="Insulin Pump Workshop")).to_be_visible()
    expect(page.get_by_label("Calendar feed address")).to_have_value(re.compile(r"/agenda\.ics$"))
    screenshot(page, "program-agenda")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download my agenda (.ics)").click()
    path = tmp_path / "agenda.ics"
    info.value.save_as(path)
    body = path.read_text()
    assert body.startswith("BEGIN:VCALENDAR")
    assert "SUMMARY:Insulin Pump Workshop" in body
    assert "Heart Failure" not in body


def test_schedule_on_a_phone_is_a_list_in_time_order(phone_page, live_server, screenshot, program):
    from playwright.sync_api import expect

    page = phone_page
    page.goto(url(live_server, "schedule", program.activity))
    expect(page.locator("table.schedule-grid thead")).to_be_hidden()
    titles = page.locator("table.schedule-grid .slot__title").all_inner_texts()
    assert titles[:3] == [
        "Heart Failure with Preserved Ejection Fraction",
        "Insulin Pump Workshop",
        "Coffee Break",
    ]
    # each card names its room, since the columns are gone
    first = page.locator("table.schedule-grid article.slot").first
    expect(first.locator(".slot__room")).to_be_visible()
    expect(first.locator(".slot__room")).to_contain_text("Hall A")
    # nothing wider than the screen
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(page, "program-schedule-phone")
