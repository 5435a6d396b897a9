"""Staff import a Zoom participant report and see each learner's minutes and the rows that
matched nobody; a broken file imports nothing and says which lines are wrong."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest
from playwright.sync_api import expect

from cmeconf.attendance import services
from cmeconf.attendance.choices import AttendanceSource
from cmeconf.attendance.models import AttendanceInterval
from tests.factories import SessionFactory, UserFactory, at

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DATA = pathlib.Path(__file__).parents[1] / "attendance" / "data"
DAY = dt.date(2027, 4, 14)


def test_import_zoom_report_and_read_the_minutes(
    page, live_server, login, screenshot, admin_user, activity
):
    session = SessionFactory(
        activity=activity, title="Update in Heart Failure", start=at(DAY, 9), end=at(DAY, 10, 30)
    )
    SessionFactory(activity=activity, title="Lunch symposium", start=at(DAY, 12), end=at(DAY, 13))
    UserFactory(email="ana.reyes@example.org", first_name="Ana", last_name="Reyes")
    ben = UserFactory(email="ben.okafor@example.org", first_name="Ben", last_name="Okafor")
    # Ben was also scanned at the door, once by mistake with a colleague's badge.
    AttendanceInterval.objects.create(
        session=session,
        person=ben,
        start=at(DAY, 8, 58),
        end=at(DAY, 9, 10),
        source=AttendanceSource.SCAN,
        device="Hall A, door 2",
        recorded_at=at(DAY, 9, 10),
    )
    wrong = services.add_adjustment(
        session, ben, start=at(DAY, 10, 15), end=at(DAY, 10, 30), reason="Paper list", by=admin_user
    )
    services.void_interval(
        wrong, reason="He left at the break: seen on the Zoom report", by=admin_user
    )
    base = f"{live_server.url}/staff/{activity.provider.slug}/{activity.slug}/attendance/"

    login(page, admin_user)
    page.goto(base)
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance")
    sessions = page.locator("#attendance-sessions")
    expect(sessions.locator("tbody tr")).to_have_count(2)
    sessions.get_by_role("link", name="Update in Heart Failure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Update in Heart Failure")

    # A broken file first: nothing imported, each bad line named.
    page.get_by_label("Zoom (meeting participants or webinar attendee report)").check()
    page.get_by_label("Report file (CSV)").set_input_files(str(DATA / "broken_zoom_bad_rows.csv"))
    page.get_by_role("button", name="Import").click()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Nothing was imported.")
    expect(errors).to_contain_text("Line 4: leave time")
    expect(page.locator("#attendance-imports")).to_have_count(0)
    screenshot(page, "attendance_import_errors")

    page.get_by_label("Zoom (meeting participants or webinar attendee report)").check()
    page.get_by_label("Report file (CSV)").set_input_files(
        str(DATA / "zoom_meeting_participants.csv")
    )
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".messages")).to_contain_text("2 people matched, 3 rows matched nobody")
    unmatched = page.locator("#import-unmatched")
    expect(unmatched.locator("tbody tr")).to_have_count(3)
    expect(unmatched).to_contain_text("Dr. Chidi Nwosu")
    expect(unmatched).to_contain_text("chidi.nwosu@example.net")
    expect(unmatched).to_contain_text("iPhone de Marie")
    screenshot(page, "attendance_import")

    page.get_by_role("link", name="Back to the session's attendance").click()
    learners = page.locator("#attendance-learners")
    expect(learners.locator("tbody > tr")).to_have_count(2)
    expect(learners.locator("tr", has_text="Reyes, Ana").locator(".minutes")).to_have_text("90")
    # Ben: the door scan from 9:00 and Zoom 9:05-10:15 merge into 9:00-10:15.
    expect(learners.locator("tr", has_text="Okafor, Ben").locator(".minutes")).to_have_text("75")
    expect(learners).to_contain_text("He left at the break")
    page.locator("#attendance-imports summary").first.click()
    expect(page.locator("#attendance-imports")).to_contain_text("Dr. Chidi Nwosu")
    screenshot(page, "attendance_session")

    page.get_by_label("Name or e-mail").fill("okafor")
    page.get_by_role("button", name="Search").click()
    expect(learners.locator("tbody > tr")).to_have_count(1)
